import Foundation
import KKTNet
import Solvers

/// Every case `kktnet bench` knows, in the order it runs them.
enum BenchmarkCatalog {
  static func cases() -> [BenchmarkCase] {
    gradientCases() + jacobianCases() + iterationCases() + targetCases()
  }

  /// The m × P grid of one-LM-iteration timings beside the flop model m·P² + P³/3 (`--scaling`), with
  /// P ≈ 1000 at m = 100 000 as the memory case.
  static func scalingCases() -> [BenchmarkCase] {
    let networks: [(p: String, sizes: [Int])] = [
      ("100", [10, 8, 1]), ("500", [10, 40, 1]), ("1000", [10, 30, 20, 1]), ("2000", [20, 90, 1]),
    ]
    return [1000, 10000, 100_000].flatMap { m in
      networks.compactMap { p, sizes -> BenchmarkCase? in
        if p == "1000" && m != 100_000 { return nil }
        var c = iterationCase(name: "lm-scaling-m\(m)-P\(p)", sizes: sizes, samples: m)
        let count = Double(BenchmarkNetworks.parameterCount(sizes))
        c.modelFlops = Double(m) * count * count + count * count * count / 3
        return c
      }
    }
  }

  // MARK: Gradients

  /// gradient-lagrangian-X and gradient-backprop-X for X = A…D.
  static func gradientCases() -> [BenchmarkCase] {
    BenchmarkNetworks.gradientCases.flatMap { label, sizes, m -> [BenchmarkCase] in
      let flops = BenchmarkNetworks.gradientFlops(sizes, samples: m)
      let shape = "\(sizes.map(String.init).joined(separator: "-")), m = \(m)"
      return [
        BenchmarkCase(
          name: "gradient-lagrangian-\(label)", summary: "J and ∇J via the Lagrangian, \(shape)", flops: flops
        ) {
          let (network, x, y) = BenchmarkNetworks.problem(sizes, samples: m)
          let lagrangian = Lagrangian(network: network, inputs: x, targets: y)
          let workspace = lagrangian.makeWorkspace()
          var gradient = [Double](repeating: 0, count: network.architecture.parameterCount)
          return ({ lagrangian.gradient(at: network.parameters, workspace: workspace, into: &gradient) }, { nil })
        },
        BenchmarkCase(name: "gradient-backprop-\(label)", summary: "J and ∇J by the delta rule, \(shape)", flops: flops)
        {
          let (network, x, y) = BenchmarkNetworks.problem(sizes, samples: m)
          let backprop = Backpropagation(network: network, inputs: x, targets: y)
          let workspace = backprop.makeWorkspace()
          var gradient = [Double](repeating: 0, count: network.architecture.parameterCount)
          return ({ backprop.gradient(at: network.parameters, workspace: workspace, into: &gradient) }, { nil })
        },
      ]
    }
  }

  // MARK: Jacobians

  /// jacobian-A, jacobian-B: r = ŷ − y and J (M × P, each row contiguous, as NumPy's row-major J), from the
  /// adjoint rows, into a buffer reused between calls.
  static func jacobianCases() -> [BenchmarkCase] {
    BenchmarkNetworks.gradientCases.prefix(2).map { label, sizes, m in
      let p = Double(BenchmarkNetworks.parameterCount(sizes))
      let outputs = Double(sizes.last!)
      let flops =
        BenchmarkNetworks.forwardFlops(sizes, samples: m)
        + outputs * BenchmarkNetworks.adjointFlops(sizes, samples: m) + Double(m) * outputs * p
      return BenchmarkCase(
        name: "jacobian-\(label)",
        summary: "residual Jacobian from the adjoint rows, \(sizes.map(String.init).joined(separator: "-")), m = \(m)",
        flops: flops
      ) {
        let (network, x, y) = BenchmarkNetworks.problem(sizes, samples: m)
        let lagrangian = Lagrangian(network: network, inputs: x, targets: y)
        let workspace = lagrangian.makeWorkspace()
        let jacobian = BenchmarkBuffer(count: network.architecture.parameterCount * m * sizes.last!)
        var residuals = [Double]()
        return (
          {
            lagrangian.residualJacobian(
              parameters: network.parameters, workspace: workspace, into: jacobian.pointer, residuals: &residuals)
          }, { nil }
        )
      }
    }
  }

  // MARK: Levenberg–Marquardt

  /// lm-iteration-sine (the peers' sine problem from its start), -A, -B and -P1000 (m = 10 000).
  static func iterationCases() -> [BenchmarkCase] {
    let g = BenchmarkNetworks.gradientCases
    return [
      iterationCase(name: "lm-iteration-sine", sizes: [1, 10, 1], samples: 200) { BenchmarkNetworks.peerProblem("P1") },
      iterationCase(name: "lm-iteration-A", sizes: g[0].sizes, samples: g[0].samples),
      iterationCase(name: "lm-iteration-B", sizes: g[1].sizes, samples: g[1].samples),
      iterationCase(name: "lm-iteration-P1000", sizes: [10, 30, 20, 1], samples: 10_000),
    ]
  }

  /// One Levenberg–Marquardt iteration as the minimizer does it: JᵀJ and Jᵀr accumulated block by block
  /// from the adjoint rows and the damped Cholesky solve — or, when M < P, J itself and the M × M dual
  /// system — then the loss at the trial point.
  static func iterationCase(
    name: String, sizes: [Int], samples m: Int,
    problem makeProblem: (@Sendable () -> (Network, Matrix, Matrix))? = nil
  ) -> BenchmarkCase {
    let p = Double(BenchmarkNetworks.parameterCount(sizes))
    let rows = Double(m * sizes.last!)
    let dual = rows < p
    let solveFlops = dual ? rows * rows * p + rows * rows * rows / 3 + 2 * rows * p : rows * p * (p + 1) + p * p * p / 3
    let flops =
      BenchmarkNetworks.forwardFlops(sizes, samples: m) * 2 + Double(sizes.last!)
      * BenchmarkNetworks.adjointFlops(sizes, samples: m) + 2 * rows * p + solveFlops
    return BenchmarkCase(
      name: name,
      summary:
        "one LM iteration (\(dual ? "J, the dual JJᵀ" : "JᵀJ, Jᵀr"), Cholesky, trial loss), \(sizes.map(String.init).joined(separator: "-")) (P = \(Int(p))), m = \(m)",
      flops: flops
    ) {
      let (network, x, y) = makeProblem?() ?? BenchmarkNetworks.problem(sizes, samples: m)
      let problem = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
      let count = network.architecture.parameterCount
      var normal = Matrix(rows: count, columns: count)
      var gradient = [Double](repeating: 0, count: count)
      var jacobian = Matrix(rows: dual ? problem.residualCount : 0, columns: dual ? count : 0)
      var residuals = [Double](repeating: 0, count: problem.residualCount)
      let solver = DampedLinearSolver(kind: .cholesky)
      let scaling = [Double](repeating: 1, count: count)
      return (
        {
          let system: DampedLinearSolver.System
          if dual {
            problem.residuals(at: network.parameters, into: &residuals)
            problem.jacobian(at: network.parameters, into: &jacobian)
            system = .init(normalMatrix: normal, gradient: gradient, jacobian: jacobian, residuals: residuals)
          } else {
            _ = problem.normalEquations(at: network.parameters, normalMatrix: &normal, gradient: &gradient)
            system = .init(normalMatrix: normal, gradient: gradient)
          }
          let step = try! solver.solve(system, damping: 1e-3, scaling: scaling)
          _ = problem.objective(at: zip(network.parameters, step).map { $0 + $1 })
        }, { nil }
      )
    }
  }

  /// lm-to-target-sine (mean ½r² ≤ 1e-7), lm-to-target-diabetes (≤ 0.095, MSE 0.19) from the peers' starts,
  /// and lm-to-peer-target-sine (MSE ≤ 1e-6, the target of the peers' script).
  /// With `marquardt`, D = diag(JᵀJ) (Moré's scaling) instead of the default D = I.
  static func targetCases() -> [BenchmarkCase] {
    [
      targetCase(name: "lm-to-target-sine", start: "P1", goal: 1e-7),
      targetCase(name: "lm-to-peer-target-sine", start: "P1", goal: 0.5e-6),
      targetCase(name: "lm-to-peer-target-sine-qr", start: "P1", goal: 0.5e-6, linearSolver: .qr),
      targetCase(name: "lm-to-peer-target-sine-cholesky", start: "P1", goal: 0.5e-6, linearSolver: .cholesky),
      targetCase(name: "lm-to-peer-target-sine-nielsen", start: "P1", goal: 0.5e-6, schedule: .identity),
      targetCase(name: "lm-to-peer-target-sine-marquardt", start: "P1", goal: 0.5e-6, schedule: .marquardt),
      targetCase(name: "lm-to-target-diabetes", start: "P2", goal: 0.095, budget: 300),
      targetCase(name: "lm-to-target-diabetes-nielsen", start: "P2", goal: 0.095, schedule: .identity),
    ]
  }

  /// Levenberg–Marquardt to a goal: the default trust region, or Nielsen's schedule with D = I or
  /// Marquardt's D.
  static func targetCase(
    name: String, start: String, goal: Double, schedule: DampingScaling? = nil, linearSolver: LinearSolverKind? = nil,
    budget: Int = 5000
  ) -> BenchmarkCase {
    let label = schedule.map { "Nielsen, \($0 == .identity ? "D = I" : "D = diag JᵀJ")" } ?? "trust region"
    return BenchmarkCase(
      name: name, summary: "Levenberg–Marquardt (\(label)) from the peers' \(start) start to mean ½r² ≤ \(goal)",
      flops: 0
    ) {
      let (network, x, y) = BenchmarkNetworks.peerProblem(start)
      let problem = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
      var options =
        schedule.map { LevenbergMarquardt.Options(damping: NielsenDamping(), scaling: $0) }
        ?? .init(linearSolver: linearSolver)
      options.stopping = StoppingCriteria(maximumIterations: budget, goal: goal)
      let solver = LevenbergMarquardt(options: options)
      var last: SolverResult?
      return (
        { last = solver.minimize(problem, from: network.parameters) },
        {
          guard let r = last else { return nil }
          return
            "\(r.jacobianEvaluations - 1) iterations, \(r.iterations) trials, ½MSE \(String(format: "%.3g", r.loss)), \(r.termination.name)"
        }
      )
    }
  }
}

/// A buffer allocated once for a benchmark's output.
final class BenchmarkBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(count: Int) {
    pointer = .allocate(capacity: count)
    pointer.initialize(repeating: 0, count: count)
  }
  deinit { pointer.deallocate() }
}
