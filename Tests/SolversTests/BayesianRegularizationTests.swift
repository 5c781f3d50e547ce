import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// Bayesian regularization: on a model linear in its parameters the evidence has a closed-form fixed point
/// (MacKay 1992) that the method must reach; γ, α and β stay in range on every iteration of a network.
@Suite("Bayesian regularization")
struct BayesianRegularizationTests {
  /// r(θ) = Xθ − y: e = Xθ − y, JᵀJ = XᵀX for every θ.
  final class Linear: LeastSquaresProblem {
    let x: Matrix
    let y: [Double]
    init(x: Matrix, y: [Double]) {
      self.x = x
      self.y = y
    }
    var parameterCount: Int { x.columns }
    var residualCount: Int { x.rows }
    func residuals(at parameters: [Double], into residuals: inout [Double]) {
      BLAS.gemv(x, parameters, into: &residuals)
      for i in residuals.indices { residuals[i] -= y[i] }
    }
    func jacobian(at parameters: [Double], into jacobian: inout Matrix) { jacobian = x }
  }

  static func linearProblem(samples n: Int, parameters p: Int, seed: UInt64) -> Linear {
    var random = RandomSource(seed: seed)
    let x = randomMatrix(rows: n, columns: p, using: &random)
    let truth: [Double] = (0..<p).map { j in
      let level = Double(j % 3) - 1
      return level + 0.3 * Double(j) / Double(p)
    }
    var y = [Double](repeating: 0, count: n)
    BLAS.gemv(x, truth, into: &y)
    let noise = randomMatrix(rows: n, columns: 1, using: &random)
    for i in 0..<n { y[i] += 0.3 * noise.elements[i] }
    return Linear(x: x, y: y)
  }

  /// The evidence's fixed point by MacKay's iteration with exact solves (no Levenberg–Marquardt):
  /// θ = (βXᵀX + αI)⁻¹βXᵀy, γ = Σβλ/(βλ + α), α = γ/‖θ‖², β = (N − γ)/‖Xθ − y‖².
  static func closedForm(_ problem: Linear) throws -> (theta: [Double], alpha: Double, beta: Double, gamma: Double) {
    let (n, p) = (problem.residualCount, problem.parameterCount)
    var xtx = Matrix(rows: p, columns: p)
    BLAS.gemm(problem.x, problem.x, transposeA: .transpose, into: &xtx)
    var xty = [Double](repeating: 0, count: p)
    BLAS.gemv(problem.x, problem.y, transpose: .transpose, into: &xty)
    let eigenvalues = try LAPACK.gesvd(xtx).singularValues
    var (alpha, beta, gamma) = (1.0, 1.0, Double(p))
    var theta = [Double](repeating: 0, count: p)
    for _ in 0..<10_000 {
      var a = xtx
      for i in a.elements.indices { a.elements[i] *= beta }
      for j in 0..<p { a[j, j] += alpha }
      var b = Matrix(rows: p, columns: 1)
      for j in 0..<p { b.elements[j] = beta * xty[j] }
      theta = try LAPACK.posv(a, b).elements
      gamma = eigenvalues.reduce(0) { $0 + beta * $1 / (beta * $1 + alpha) }
      var r = [Double](repeating: 0, count: n)
      problem.residuals(at: theta, into: &r)
      let (newAlpha, newBeta) = (gamma / BLAS.dot(theta, theta), (Double(n) - gamma) / BLAS.dot(r, r))
      let settled = abs(newAlpha - alpha) <= 1e-15 * alpha && abs(newBeta - beta) <= 1e-15 * beta
      (alpha, beta) = (newAlpha, newBeta)
      if settled { break }
    }
    return (theta, alpha, beta, gamma)
  }

  @Test("a linear model: θ, α, β and γ of the evidence's closed-form fixed point", arguments: [(40, 8), (25, 12)])
  func linear(_ shape: (Int, Int)) throws {
    let base = Self.linearProblem(samples: shape.0, parameters: shape.1, seed: 11)
    let expected = try Self.closedForm(base)
    let problem = BayesianRegularizationProblem(base)
    var options = BayesianRegularization.Options()
    options.trustRegion.stopping = StoppingCriteria(
      maximumIterations: 2000, gradientTolerance: 0, stepTolerance: 1e-15, functionTolerance: 1e-14)
    let result = BayesianRegularization(options: options).minimize(
      problem, from: [Double](repeating: 0.1, count: shape.1))
    let last = try #require(result.history.last)
    // Two iterations to one fixed point, each converged to ~1e-14: agreement far inside 1e-8.
    #expect(relativeDifference(result.parameters, expected.theta) <= 1e-8, "\(result.termination)")
    #expect(abs(try #require(last.alpha) - expected.alpha) <= 1e-8 * expected.alpha)
    #expect(abs(try #require(last.beta) - expected.beta) <= 1e-8 * expected.beta)
    #expect(abs(try #require(last.effectiveParameters) - expected.gamma) <= 1e-8 * expected.gamma)
    #expect(expected.gamma > 0 && expected.gamma < Double(shape.1))
  }

  @Test("a network: 0 < γ ≤ P, α > 0 and β > 0 on every iteration, and the error term falls")
  func network() throws {
    var random = RandomSource(seed: 4)
    let architecture = try Architecture(layerSizes: [2, 6, 1], activations: [.tanh, .identity])
    let net = try Network(
      architecture: architecture, loss: .meanSquaredError, regularization: .none, initialization: .xavierUniform,
      seed: 9)
    let inputs = randomMatrix(rows: 2, columns: 60, using: &random)
    var targets = Matrix(rows: 1, columns: 60)
    for i in 0..<60 { targets.elements[i] = sin(2 * inputs[0, i]) * inputs[1, i] + 0.05 * Double(i % 7 - 3) }
    let base = NetworkLeastSquaresProblem(network: net, inputs: inputs, targets: targets)
    let problem = BayesianRegularizationProblem(base, residualScale: Double(60).squareRoot())
    var options = BayesianRegularization.Options()
    options.trustRegion.stopping = StoppingCriteria(maximumIterations: 60)
    let result = BayesianRegularization(options: options).minimize(problem, from: net.parameters)
    let p = Double(architecture.parameterCount)
    for summary in result.history {
      let gamma = try #require(summary.effectiveParameters)
      #expect(gamma > 0 && gamma <= p, "iteration \(summary.iteration): γ = \(gamma)")
      #expect(try #require(summary.alpha) > 0 && (try #require(summary.beta)) > 0)
    }
    #expect(result.history.filter(\.accepted).count >= 10)
    // The error term alone has fallen well below the start's: a fit, with a penalty.
    #expect(problem.dataError(at: result.parameters) < 0.5 * problem.dataError(at: net.parameters))
  }
}
