import Foundation
import KKTNet
import TestSupport
import Testing

@testable import Solvers

/// Training through the constraints: the state-eliminated Gauss–Newton step against the dense joint step
/// on (x, θ) from a finite-difference Jacobian; the augmented Lagrangian's residual and its multipliers
/// against the adjoint pass at the end of a converged run; the ρ rule; the penalty; every loss; resume.
@Suite("Training through the constraints")
struct ConstrainedTrainingTests {
  /// A smooth network (tanh hidden layers) with m samples of a smooth target, seeded.
  static func smoothCase(
    sizes: [Int], output: Activation = .identity, loss: Loss = .meanSquaredError, samples m: Int, seed: UInt64
  ) throws -> (network: Network, inputs: Matrix, targets: Matrix) {
    var random = RandomSource(seed: seed)
    let activations = Array(repeating: Activation.tanh, count: sizes.count - 2) + [output]
    let architecture = try Architecture(layerSizes: sizes, activations: activations)
    let theta = Initialization.xavierNormal.parameters(for: architecture, using: &random)
    let network = try Network(architecture: architecture, loss: loss, regularization: .none, parameters: theta)
    let inputs = Matrix(
      rows: sizes[0], columns: m, elements: (0..<(sizes[0] * m)).map { _ in random.nextNormal() })
    var targets = NetworkCase.randomTargets(loss: loss, rows: sizes.last!, columns: m, using: &random)
    if loss == .meanSquaredError {
      for j in 0..<m {
        for i in 0..<targets.rows {
          targets[i, j] = Foundation.sin(inputs[0, j] + Double(i)) + 0.1 * random.nextNormal()
        }
      }
    }
    return (network, inputs, targets)
  }

  @Test("the eliminated step is the dense Gauss–Newton step on (x, θ) of ½‖r‖², r = [√ρ(c + Λ/ρ); zᴺ − y]")
  func eliminatedStepMatchesDenseStep() throws {
    let (network, inputs, targets) = try Self.smoothCase(sizes: [2, 3, 3, 1], samples: 40, seed: 5)
    let problem = RelaxedNetwork(network: network, inputs: inputs, targets: targets)
    let theta = network.parameters
    var random = RandomSource(seed: 9)
    // A point off the constraints, with multipliers.
    let states = problem.forwardStates(parameters: theta).map { $0.map { $0 + 0.05 * random.nextNormal() } }
    let multipliers = states.map { $0.map { _ in 0.2 * random.nextNormal() } }
    let rho = 3.0
    let evaluation = problem.evaluate(parameters: theta, states: states, multipliers: multipliers, rho: rho)
    let system = StateEliminatedSystem(
      problem: problem, parameters: theta, states: states, multipliers: multipliers, rho: rho, evaluation: evaluation)
    let step = try #require(system.parameterStep(damping: 0))
    let stateStep = system.stateStep(parameterStep: step, states: states)

    // The dense reference: v = (x¹, x², θ), r(v) as above, J by central differences.
    let stateCount = states.reduce(0) { $0 + $1.count }
    func unpack(_ v: [Double]) -> ([[Double]], [Double]) {
      var offset = 0
      let x = states.map { layer -> [Double] in
        defer { offset += layer.count }
        return Array(v[offset..<(offset + layer.count)])
      }
      return (x, Array(v[stateCount...]))
    }
    func residuals(_ v: [Double]) -> [Double] {
      let (x, t) = unpack(v)
      let e = problem.evaluate(parameters: t, states: x, multipliers: multipliers, rho: rho)
      var r: [Double] = []
      for (c, lambda) in zip(e.residuals, multipliers) {
        r += zip(c, lambda).map { rho.squareRoot() * ($0 + $1 / rho) }
      }
      r += zip(e.activations.last!, targets.elements).map { $0 - $1 }
      return r
    }
    let v0 = states.flatMap { $0 } + theta
    let r0 = residuals(v0)
    // ½‖r‖² − ‖Λ‖²/2ρ is m·Φ: the residual form is the relaxed objective.
    let lambdaSquares = multipliers.flatMap { $0 }.reduce(0) { $0 + $1 * $1 }
    let half = 0.5 * r0.reduce(0) { $0 + $1 * $1 } - lambdaSquares / (2 * rho)
    #expect(abs(half - Double(inputs.columns) * evaluation.value) <= 1e-12 * abs(half))
    let n = v0.count
    var jacobian = Matrix(rows: r0.count, columns: n)
    let h = 1e-6
    for j in 0..<n {
      var plus = v0
      var minus = v0
      plus[j] += h
      minus[j] -= h
      let (rp, rm) = (residuals(plus), residuals(minus))
      for i in 0..<r0.count { jacobian[i, j] = (rp[i] - rm[i]) / (2 * h) }
    }
    let dense = try LAPACK.gels(jacobian, Matrix(rows: r0.count, columns: 1, elements: r0.map { -$0 }))
    let reference = dense.elements
    let eliminated = stateStep.flatMap { $0 } + step
    let scale = reference.reduce(0) { max($0, abs($1)) }
    // Central differences carry ~h² ≈ 1e-12 relative error in J, amplified by κ(J) ≈ 1e2–1e3 in the step.
    for i in 0..<n {
      #expect(abs(eliminated[i] - reference[i]) <= 1e-6 * scale, "component \(i)")
    }
    // The model's decrease: ½‖r‖² − ½‖r + Jδ‖².
    var linearized = r0
    for i in 0..<r0.count { for j in 0..<n { linearized[i] += jacobian[i, j] * reference[j] } }
    let decrease = 0.5 * (r0.reduce(0) { $0 + $1 * $1 } - linearized.reduce(0) { $0 + $1 * $1 })
    #expect(abs(system.predictedDecrease(step) - decrease) <= 1e-6 * decrease)
  }

  @Test("a converged augmented-Lagrangian run: maxₖ‖cᵏ‖∞ ≤ 1e-10 and ‖λ − λ_adjoint‖/‖λ_adjoint‖ ≤ 1e-6")
  func convergedMultipliersMeetTheAdjoint() throws {
    let (network, inputs, targets) = try Self.smoothCase(sizes: [2, 4, 3, 1], samples: 50, seed: 11)
    var options = ConstrainedTraining.Options(
      kind: .augmentedLagrangian, stopping: StoppingCriteria(maximumIterations: 80))
    options.innerIterations = 5
    let method = ConstrainedTraining(network: network, inputs: inputs, targets: targets, options: options)
    let result = method.minimize(from: network.parameters)
    let last = try #require(result.history.last)
    print("converged run:", result.termination, result.iterations, last.loss, last.gradientMaxNorm,
      last.constraintResidual ?? -1, last.multiplierGap ?? -1)
    #expect(try #require(last.constraintResidual) <= 1e-10)
    #expect(try #require(last.multiplierGap) <= 1e-6)
    // The feasible network's loss is reported, and it went down.
    let j = Lagrangian(network: network, inputs: inputs, targets: targets).objective(parameters: result.parameters)
    #expect(abs(j - result.loss) <= 1e-14 * j)
    #expect(result.loss < 0.5 * result.history[0].loss)
  }
}
