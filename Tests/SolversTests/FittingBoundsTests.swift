import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// Bounds in Levenberg–Marquardt (the projected active-set trust region): the first-order conditions at the
/// solution, feasibility and descent on the way, both linearizations, and no change without finite bounds.
/// The comparison with SciPy's trf is in the CLI tests (bench/fitting/references.json).
@Suite("Fitting: bounds")
struct FittingBoundsTests {
  static func decay() throws -> FormulaProblem {
    let path = repositoryRoot.appendingPathComponent("bench/fitting/decay.csv").path
    let table = try CSVTable.parse(String(contentsOfFile: path, encoding: .utf8))
    let x = table.rows.map { Double($0.cells[0])! }
    let y = table.rows.map { Double($0.cells[1])! }
    let model = try FormulaModel("a*exp(-b*x) + c", columns: ["x", "y"], parameters: ["a", "b", "c"])
    return FormulaProblem(model: model, predictors: [x], response: y)
  }

  static func gradient(_ problem: FormulaProblem, _ theta: [Double]) -> (g: [Double], scale: [Double]) {
    var r = [Double](repeating: 0, count: problem.residualCount)
    var j = Matrix(rows: problem.residualCount, columns: problem.parameterCount)
    problem.residuals(at: theta, into: &r)
    problem.jacobian(at: theta, into: &j)
    var g = [Double](repeating: 0, count: problem.parameterCount)
    BLAS.gemv(j, r, transpose: .transpose, into: &g)
    // MINPACK's scale of gⱼ: ‖Jⱼ‖·‖r‖, so that |gⱼ|/(‖Jⱼ‖‖r‖) is the cosine between r and column j.
    let scale = (0..<problem.parameterCount).map { BLAS.nrm2(j.column($0)) * BLAS.nrm2(r) }
    return (g, scale)
  }

  /// Boxes around the unconstrained solution (2.47, 1.28, 0.49), some cutting it off, some not.
  static let boxes: [BoxConstraints] = [
    BoxConstraints(lower: [-.infinity, -.infinity, -.infinity], upper: [.infinity, .infinity, 0.4]),
    BoxConstraints(lower: [0, 1.35, 0], upper: [10, 2, 1]),
    BoxConstraints(lower: [2.6, 0, -1], upper: [3, 5, 1]),
    BoxConstraints(lower: [0, 0, 0.3], upper: [2.4, 1.2, 0.45]),
    BoxConstraints(lower: [1, 0.5, -1], upper: [4, 3, 1]),
  ]

  @Test(
    "KKT at the solution: gⱼ points out of the box on a bound, ≈ 0 inside; every iterate feasible, f never up",
    arguments: [TrustRegionLevenbergMarquardt.Linearization.qr, .normalEquations])
  func firstOrderConditions(_ linearization: TrustRegionLevenbergMarquardt.Linearization) throws {
    let problem = try Self.decay()
    for box in Self.boxes {
      let start = box.project([1, 1, 0]).enumerated().map { j, v in
        // A start strictly inside where the box allows it.
        v <= box.lower[j] && box.upper[j] > box.lower[j] ? min(box.lower[j] + 0.01, box.upper[j]) : v
      }
      let solver = TrustRegionLevenbergMarquardt(
        options: .init(
          linearization: linearization,
          stopping: StoppingCriteria(
            maximumIterations: 1000, gradientTolerance: 0, stepTolerance: 1e-15, functionTolerance: 1e-15),
          bounds: box))
      let result = solver.minimize(problem, from: start)
      #expect(box.firstViolation(result.parameters) == nil, "\(box): \(result.parameters) is outside")
      let losses = result.history.filter(\.accepted).map(\.loss)
      #expect(zip(losses, losses.dropFirst()).allSatisfy { $1 <= $0 }, "\(box): the loss went up")
      let (g, scale) = Self.gradient(problem, result.parameters)
      for (j, side) in box.sides(result.parameters).enumerated() {
        switch side {
        // On a bound: −gⱼ points out of the box (or gⱼ vanishes to rounding).
        case .lower: #expect(g[j] >= -1e-10 * scale[j], "\(box) \(j): g = \(g[j]) at the lower bound")
        case .upper: #expect(g[j] <= 1e-10 * scale[j], "\(box) \(j): g = \(g[j]) at the upper bound")
        // Free: stationary, the cosine of r with Jⱼ at the rounding level of a converged fit.
        case .inside: #expect(abs(g[j]) <= 1e-7 * scale[j], "\(box) \(j): g = \(g[j]) inside")
        }
      }
      #expect(box.projectedGradientMaxNorm(at: result.parameters, gradient: g) <= 1e-7 * scale.max()!)
    }
  }

  @Test("the QR and normal-equation paths reach the same bounded solution")
  func bothLinearizations() throws {
    let problem = try Self.decay()
    for box in Self.boxes {
      let start = box.project([1, 1, 0]).enumerated().map { j, v in
        v <= box.lower[j] && box.upper[j] > box.lower[j] ? min(box.lower[j] + 0.01, box.upper[j]) : v
      }
      let results = [TrustRegionLevenbergMarquardt.Linearization.qr, .normalEquations].map { linearization in
        let options = TrustRegionLevenbergMarquardt.Options(
          linearization: linearization, stopping: FitSolver().stopping, bounds: box)
        return TrustRegionLevenbergMarquardt(options: options).minimize(problem, from: start).parameters
      }
      // A well-conditioned 3-parameter fit: the two factorizations agree far below the 1e-6 of the target.
      for (a, b) in zip(results[0], results[1]) { #expect(abs(a - b) <= 1e-9 * max(abs(b), 1), "\(box)") }
    }
  }

  @Test("infinite bounds change nothing: the same bits as the unbounded trust region")
  func infiniteBounds() throws {
    let problem = try Self.decay()
    let plain = FitSolver().minimize(problem, from: [1, 1, 0])
    let boxed = FitSolver(bounds: .unbounded(3)).minimize(problem, from: [1, 1, 0])
    #expect(plain.parameters == boxed.parameters)
    #expect(plain.loss == boxed.loss)
    #expect(plain.iterations == boxed.iterations)
  }

  @Test("a parameter held at its bound: the statistics of the model with its value written in")
  func heldStatistics() throws {
    let problem = try Self.decay()
    let box = BoxConstraints(lower: [-.infinity, -.infinity, -.infinity], upper: [.infinity, .infinity, 0.4])
    let result = FitSolver(bounds: box).minimize(problem, from: [1, 1, 0])
    let held = box.sides(result.parameters).map { $0 != .inside }
    #expect(held == [false, false, true])
    let statistics = FitStatistics(problem: problem, parameters: result.parameters, held: held)
    // The same fit with c = 0.4 as a constant of the formula: a, b and their statistics.
    let model = try FormulaModel("a*exp(-b*x) + 0.4", columns: ["x", "y"], parameters: ["a", "b"])
    let reduced = FormulaProblem(model: model, predictors: problem.predictors, response: problem.response)
    let fixed = FitStatistics(problem: reduced, parameters: Array(result.parameters.prefix(2)))
    #expect(statistics.degreesOfFreedom == fixed.degreesOfFreedom)
    #expect(statistics.rank == 3)
    let (se, expected) = (try #require(statistics.standardErrors), try #require(fixed.standardErrors))
    // Both from an SVD of the same two columns of J (the formula's constant folded or not): rounding apart.
    for j in 0..<2 { #expect(abs(se[j] - expected[j]) <= 1e-12 * expected[j]) }
    #expect(se[2] == 0)
    let (c, cFixed) = (try #require(statistics.correlation), try #require(fixed.correlation))
    #expect(abs(c[0, 1] - cFixed[0, 1]) <= 1e-12)
    #expect(c[0, 2] == 0 && c[2, 2] == 1)
  }

  @Test("BoxConstraints: projection, sides, the active set and the projected gradient")
  func box() {
    let box = BoxConstraints(lower: [0, -1, -.infinity], upper: [.infinity, 1, 2])
    #expect(box.project([-3, 5, 7]) == [0, 1, 2])
    #expect(box.firstViolation([0, 0.5, 2]) == nil)
    #expect(box.firstViolation([0, 1.5, 2]) == 1)
    #expect(box.sides([0, 1, 0]) == [.lower, .upper, .inside])
    // At the lower bound g > 0 holds θ there (−g points out); g < 0 frees it.
    #expect(box.activeSet(at: [0, 1, 0], gradient: [2, -1, 3]) == [true, true, false])
    #expect(box.activeSet(at: [0, 1, 0], gradient: [-2, 1, 3]) == [false, false, false])
    #expect(box.projectedGradientMaxNorm(at: [0, 1, 0], gradient: [2, -1, 0.5]) == 0.5)
  }
}
