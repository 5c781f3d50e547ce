import KKTNet
import Solvers
import TestSupport
import Testing

/// Fewer rows than parameters: the steps from the factor F (M × P, M < P) equal the steps from the P × P
/// matrix G = FᵀF + R.
@Suite("The dual system (M < P)")
struct DualSystemTests {
  /// F 6 × 15 with standard normal entries (σ₁/σ₆ ≈ 5), R = 0.1 on the first 10 columns, d in [0.5, 2].
  static func factored(seed: UInt64) -> (factor: Matrix, ridge: [Double], d: [Double], g: [Double]) {
    var random = RandomSource(seed: seed)
    let factor = randomMatrix(rows: 6, columns: 15, using: &random)
    let ridge = (0..<15).map { $0 < 10 ? 0.1 : 0 }
    let d = (0..<15).map { _ in 0.5 + 1.5 * random.nextUniform() }
    let g = (0..<15).map { _ in random.nextNormal() }
    return (factor, ridge, d, g)
  }

  static func normal(_ factor: Matrix, ridge: [Double]) -> Matrix {
    var g = Matrix(rows: factor.columns, columns: factor.columns)
    BLAS.syrk(factor, transpose: .transpose, into: &g)
    for i in ridge.indices { g[i, i] += ridge[i] }
    return g
  }

  @Test("damped: (FᵀF + R + μD)δ = −g from F agrees with the P × P Cholesky, for every linear-solver kind")
  func damped() throws {
    for seed in UInt64(1)...5 {
      let (factor, ridge, d, g) = Self.factored(seed: seed)
      let dual = DampedLinearSolver.System(factor: factor, ridge: ridge, gradient: g)
      let full = DampedLinearSolver.System(normalMatrix: Self.normal(factor, ridge: ridge), gradient: g)
      for mu in [1e-4, 0.5, 10] {
        let reference = try DampedLinearSolver(kind: .cholesky).solve(full, damping: mu, scaling: d)
        for kind in LinearSolverKind.allCases {
          let step = try DampedLinearSolver(kind: kind).solve(dual, damping: mu, scaling: d)
          // G + μD has condition below 10⁶ here (smallest eigenvalue ≥ μ·min d); two backward-stable
          // solutions then agree to about cond·ε·P ≈ 10⁻⁸ in the worst case, 10⁻¹² typically.
          #expect(relativeDifference(step, reference) <= 1e-9, "seed \(seed), μ = \(mu), \(kind)")
        }
        // The model's curvature δᵀGδ from F and R equals the one from G.
        let step = try DampedLinearSolver(kind: .cholesky).solve(dual, damping: mu, scaling: d)
        #expect(abs(dual.curvature(along: step) - full.curvature(along: step)) <= 1e-12 * full.curvature(along: step))
      }
    }
  }

  @Test("undamped without a ridge: the minimum-norm step −(FᵀF)⁺g, which for g = Fᵀρ is −F⁺ρ")
  func minimumNorm() throws {
    for seed in UInt64(1)...5 {
      var random = RandomSource(seed: seed + 100)
      let factor = randomMatrix(rows: 6, columns: 15, using: &random)
      let rho = (0..<6).map { _ in random.nextNormal() }
      var g = [Double](repeating: 0, count: 15)
      BLAS.gemv(factor, rho, transpose: .transpose, into: &g)
      let system = DampedLinearSolver.System(factor: factor, ridge: nil, gradient: g)
      let ones = [Double](repeating: 1, count: 15)
      let step = try DampedLinearSolver(kind: .svd).solve(system, damping: 0, scaling: ones)
      let reference = try LAPACK.gelsd(factor, Matrix(column: rho)).solution.elements.map { -$0 }
      // cond(F) ≈ 5: agreement to a few hundred ulps.
      #expect(relativeDifference(step, reference) <= 1e-12, "seed \(seed)")
    }
  }

  @Test("least squares with M < P: the step from J and r agrees with the P × P normal equations as μ → 0")
  func leastSquares() throws {
    for seed in UInt64(1)...5 {
      var random = RandomSource(seed: seed + 200)
      let j = randomMatrix(rows: 6, columns: 15, using: &random)
      let r = (0..<6).map { _ in random.nextNormal() }
      let d = (0..<15).map { _ in 0.5 + 1.5 * random.nextUniform() }
      let dual = DampedLinearSolver.System(jacobian: j, residuals: r)
      let full = DampedLinearSolver.System(
        normalMatrix: Self.normal(j, ridge: [Double](repeating: 0, count: 15)), gradient: dual.gradient)
      for mu in [1e-8, 1e-2, 1] {
        let reference = try DampedLinearSolver(kind: .cholesky).solve(full, damping: mu, scaling: d)
        for kind in LinearSolverKind.allCases {
          let step = try DampedLinearSolver(kind: kind).solve(dual, damping: mu, scaling: d)
          // G = JᵀJ has rank 6 of 15, so the P × P reference solves a system of condition
          // cond(G + μD) ≤ ‖J‖²/(μ·min d) ≤ 80/μ and is itself accurate only to about 10·cond·ε.
          let tolerance = max(1e-11, 10 * Double.ulpOfOne * 80 / mu)
          #expect(relativeDifference(step, reference) <= tolerance, "seed \(seed), μ = \(mu), \(kind)")
        }
      }
    }
  }

  @Test("Levenberg–Marquardt on a classifier with fewer samples than parameters takes the P × P step, from F")
  func classifierStep() throws {
    for l2 in [0.0, 0.01] {
      let architecture = try Architecture(layerSizes: [3, 12, 1], activations: [.tanh, .sigmoid])
      let network = try Network(
        architecture: architecture, loss: .binaryCrossEntropy, regularization: Regularization(l2: l2), seed: 4)
      let (x, y) = SyntheticData.batch(architecture: architecture, loss: .binaryCrossEntropy, sampleCount: 9, seed: 5)
      let problem = NetworkGaussNewtonProblem(network: network, inputs: x, targets: y)
      #expect(problem.curvatureFactorRows < network.architecture.parameterCount)
      var options = LevenbergMarquardt.Options(damping: NielsenDamping(tau: 1))
      options.stopping.maximumIterations = 1
      let result = LevenbergMarquardt(options: options).minimize(problem, from: network.parameters)
      // The same step from G: μ₀ = τ·max Gᵢᵢ (τ = 1, D = I), (G + μ₀I)δ = −g.
      let p = architecture.parameterCount
      var normal = Matrix(rows: p, columns: p)
      var g = [Double](repeating: 0, count: p)
      _ = problem.normalEquations(at: network.parameters, normalMatrix: &normal, gradient: &g)
      let mu = (0..<p).map { normal[$0, $0] }.max()!
      let step = try DampedLinearSolver(kind: .cholesky).solve(
        .init(normalMatrix: normal, gradient: g), damping: mu, scaling: [Double](repeating: 1, count: p))
      try #require(result.history.count == 2 && result.history[1].accepted)
      let expected = zip(network.parameters, step).map { $0 + $1 }
      // Two solutions of a system with condition ≤ 1 + ‖G‖/μ₀ ≤ 1 + P: agreement to ~P²·ε.
      #expect(relativeDifference(result.parameters, expected) <= 1e-10, "λ₂ = \(l2)")
    }
  }
}
