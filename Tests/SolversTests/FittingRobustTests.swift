import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// Robust losses through the Triggs correction: the corrected gradient is the exact gradient of the
/// robust cost, Levenberg–Marquardt and Gauss–Newton reach SciPy's least_squares solution, and the wrapper
/// works on a network's least-squares problem.
@Suite("Fitting: robust losses")
struct FittingRobustTests {
  static func outliers() throws -> FormulaProblem {
    let path = repositoryRoot.appendingPathComponent("bench/fitting/outliers.csv").path
    let table = try CSVTable.parse(String(contentsOfFile: path, encoding: .utf8))
    let x = table.rows.map { Double($0.cells[0])! }
    let y = table.rows.map { Double($0.cells[1])! }
    let model = try FormulaModel("a*exp(-b*x) + c", columns: ["x", "y"], parameters: ["a", "b", "c"])
    return FormulaProblem(model: model, predictors: [x], response: y)
  }

  /// SciPy's least_squares(loss=…, f_scale=…) solutions from bench/fitting/references.json.
  static func reference(_ name: String) throws -> [Double] {
    let url = repositoryRoot.appendingPathComponent("bench/fitting/references.json")
    let json = try #require(foundationObject(try JSONValue.parse(Array(try Data(contentsOf: url)))) as? [String: Any])
    let fits = try #require(json["fits"] as? [[String: Any]])
    let fit = try #require(fits.first { $0["name"] as? String == name })
    let parameters = try #require(fit["parameters"] as? [String: Double])
    return ["a", "b", "c"].map { parameters[$0]! }
  }

  @Test("ρ(z) and its derivatives are SciPy's, and ρ′, ρ″ are the derivatives of ρ", arguments: RobustLoss.allCases)
  func lossDerivatives(_ loss: RobustLoss) {
    for z in [0.01, 0.5, 0.99, 1.01, 3.0, 40.0] {
      let (rho, first, second) = loss.evaluate(z)
      let h = 1e-6 * z
      let (up, down) = (loss.evaluate(z + h), loss.evaluate(z - h))
      // Central differences: truncation h²ρ‴/6 and rounding ε|ρ|/h, both below 1e-7 relative here.
      #expect(abs((up.value - down.value) / (2 * h) - first) <= 1e-7 * max(abs(first), 1), "\(loss) ρ′(\(z))")
      #expect(abs((up.first - down.first) / (2 * h) - second) <= 1e-6 * max(abs(second), 1), "\(loss) ρ″(\(z))")
      #expect(rho >= 0 && first > 0)
    }
    #expect(loss.evaluate(0).value == 0 && loss.evaluate(0).first == 1)
  }

  @Test("J̃ᵀr̃ is the gradient of the robust cost (central differences)", arguments: RobustLoss.allCases)
  func correctedGradient(_ loss: RobustLoss) throws {
    let robust = RobustLeastSquaresProblem(try Self.outliers(), loss: loss, scale: 0.3)
    let theta = [2.2, 1.1, 0.4]
    var g = [Double](repeating: 0, count: 3)
    var normal = Matrix(rows: 3, columns: 3)
    let f = robust.normalEquations(at: theta, normalMatrix: &normal, gradient: &g)
    #expect(f == robust.objective(at: theta))
    let fd = FiniteDifference.gradient(at: theta) { robust.objective(at: $0) }
    #expect(relativeDifference(g, fd) <= 1e-8, "\(g) vs \(fd)")
    // G = J̃ᵀJ̃ is positive semidefinite (Ceres's clamp where ρ″ ≤ 0).
    #expect(normal[0, 0] >= 0 && normal[1, 1] >= 0 && normal[2, 2] >= 0)
  }

  @Test(
    "Levenberg–Marquardt and Gauss–Newton reach SciPy's least_squares solution to 1e-6",
    arguments: ["huber", "soft-l1", "cauchy", "arctan"], [0.1, 1.0])
  func matchesSciPy(_ name: String, _ scale: Double) throws {
    let loss = try #require(RobustLoss(rawValue: name))
    let expected = try Self.reference("outliers-\(name.replacingOccurrences(of: "-", with: "_"))-\(scale)")
    let robust = RobustLeastSquaresProblem(try Self.outliers(), loss: loss, scale: scale)
    for method in FitSolver.Method.allCases {
      let result = FitSolver(method: method).minimize(robust, from: [1, 1, 0])
      #expect(relativeDifference(result.parameters, expected) <= 1e-6, "\(method): \(result.parameters) vs \(expected)")
    }
  }

  @Test("the wrapper on a network's least-squares problem: exact gradient, and LM drives its gradient down")
  func network() throws {
    var random = RandomSource(seed: 7)
    let architecture = try Architecture(layerSizes: [2, 5, 1], activations: [.tanh, .identity])
    let net = try Network(
      architecture: architecture, loss: .meanSquaredError, regularization: Regularization(l1: 0, l2: 0.01),
      initialization: .xavierUniform, seed: 3)
    let inputs = randomMatrix(rows: 2, columns: 40, using: &random)
    var targets = randomMatrix(rows: 1, columns: 40, using: &random)
    targets.elements[3] += 8
    let base = NetworkLeastSquaresProblem(network: net, inputs: inputs, targets: targets)
    // The loss on the 40 data rows, not on the penalty rows √λ₂·w.
    let robust = RobustLeastSquaresProblem(base, loss: .huber, scale: 0.1, robustRows: 0..<40)
    var g = [Double](repeating: 0, count: base.parameterCount)
    var normal = Matrix(rows: base.parameterCount, columns: base.parameterCount)
    _ = robust.normalEquations(at: net.parameters, normalMatrix: &normal, gradient: &g)
    let fd = FiniteDifference.gradient(at: net.parameters) { robust.objective(at: $0) }
    #expect(relativeDifference(g, fd) <= 1e-7)
    let result = FitSolver(maximumIterations: 50).minimize(robust, from: net.parameters)
    // Random targets leave little to fit: the cost falls from 0.449 to 0.388 while ‖g‖∞ falls from 0.078 to 1e-4.
    #expect(result.loss < robust.objective(at: net.parameters))
    #expect(result.history.last!.gradientMaxNorm <= 0.01 * result.history[0].gradientMaxNorm)
  }
}
