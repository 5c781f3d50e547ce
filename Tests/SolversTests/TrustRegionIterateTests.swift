import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// The trust-region parts, composed as lmder composes them (``TrustRegionDriver``), against MINPACK's own
/// iterates: every point at which SciPy's `leastsq` (MINPACK lmder) evaluated r and J, recorded by
/// `References/minpack_iterates.py` into `References/minpack_iterates.json`.
@Suite("Trust region against MINPACK's iterates")
struct TrustRegionIterateTests {
  struct Fixture: Decodable {
    struct Problem: Decodable {
      let name: String
      let start: [Double]
      let info: Int
      let nfev: Int
      let njev: Int
      let solution: [Double]
      let function_points: [[Double]]
      let jacobian_points: [[Double]]
    }
    let problems: [Problem]
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("References/minpack_iterates.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  /// Rosenbrock's function as least squares, r = (10(x₂ − x₁²), 1 − x₁) (Moré, Garbow & Hillstrom 1981, 1).
  static func rosenbrock() -> CurveFittingProblem {
    CurveFittingProblem(
      parameterCount: 2, residualCount: 2,
      jacobian: { b in Matrix(rowMajor: [[-20 * b[0], 10], [-1, 0]]) },
      residuals: { b in [10 * (b[1] - b[0] * b[0]), 1 - b[0]] })
  }

  static func problem(_ name: String) -> CurveFittingProblem {
    name == "Rosenbrock" ? rosenbrock() : NISTProblem.load(name).problem()
  }

  /// Our points against MINPACK's: the counts and the stop exactly, the points to a tolerance.
  ///
  /// The two differ only in rounding: LAPACK's dgeqp3 and dormqr apply the Householder reflections in
  /// another order than MINPACK's qrfac, and dnrm2 rounds differently from enorm. A backward-stable QR
  /// least-squares solve errs by about M·P·ε (Higham 2002, Thm. 20.3), so a step's error in the D-norm,
  /// relative to ‖Dθ‖, is at most M·P·ε·(κ + κ²·η) with κ = cond(J·D⁻¹) and η = ‖r‖/(σ₁(J·D⁻¹)·‖Dθ‖)
  /// (the least-squares perturbation bound; Golub & Van Loan 2013, Thm. 5.3.1). After k steps the errors
  /// add up to k times the largest such bound along the path (taken for every k), provided the iteration does not amplify them;
  /// if it did, the test would say so. The normal-equation path (G = JᵀJ, Cholesky) runs the same
  /// iteration on the squared system: its bound is M·P·ε·κ²(1 + η). Every decision (ρ against ¼, ¾ and 10⁻⁴, |φ| against 0.1Δ) is far
  /// from its threshold on these problems, so both runs take the same branches and the counts agree exactly.
  @Test(
    "every point where r and J are evaluated, the counts and MINPACK's info agree, on both paths",
    arguments: ["Misra1a", "BoxBOD", "Rosenbrock"], [TrustRegionDriver.Linearization.qr, .normalEquations])
  func iterates(_ name: String, _ path: TrustRegionDriver.Linearization) throws {
    let reference = try #require(Self.fixture.problems.first { $0.name == name })
    let problem = Self.problem(name)
    let run = TrustRegionDriver(linearization: path).run(problem, from: reference.start)
    if name == "Rosenbrock" && path == .normalEquations {
      // MINPACK stops on r = 0 exactly at (1, 1) (gnorm = 0, info 4): its last step lands there bit for bit,
      // as the QR path's does on every OpenBLAS kernel tried; the squared system's rounding may land a few
      // ulps away, where r ≠ 0 and one more trial or two end the run by another test. Every point MINPACK
      // evaluated is still compared below, and the run must converge.
      guard case .converged = run.stop else {
        Issue.record("\(run.stop)")
        return
      }
      #expect(run.functionEvaluations >= reference.nfev && run.functionEvaluations <= reference.nfev + 2)
    } else {
      #expect(run.stop == .converged(try #require(TrustRegionConvergence(rawValue: reference.info))))
      #expect(run.functionEvaluations == reference.nfev)
      #expect(run.jacobianEvaluations == reference.njev)
    }

    compare(
      name, path == .qr, problem, reference, functionPoints: run.functionPoints, jacobianPoints: run.jacobianPoints,
      parameters: run.parameters, scaling: run.region.state.scaling)
  }

  /// The same with the minimizer loop itself running the parts (``TrustRegionLevenbergMarquardt``, MINPACK's
  /// tolerances as the stopping rules, its budget of 100·(P + 1) evaluations): the loop adds nothing and
  /// leaves nothing out.
  @Test(
    "the minimizer loop evaluates r and J where MINPACK does, with MINPACK's stop",
    arguments: ["Misra1a", "BoxBOD", "Rosenbrock"])
  func loop(_ name: String) throws {
    let reference = try #require(Self.fixture.problems.first { $0.name == name })
    let problem = RecordingProblem(Self.problem(name))
    let p = problem.parameterCount
    let stopping = StoppingCriteria(
      maximumIterations: 100 * (p + 1) - 1, gradientTolerance: 0, stepTolerance: 1.49012e-8,
      functionTolerance: 1.49012e-8)
    var final: RunState<TrustRegionState>?
    let result = TrustRegionLevenbergMarquardt(options: .init(linearization: .qr, stopping: stopping)).minimize(
      problem, from: reference.start, checkpointing: Checkpointing(every: 1_000_000) { final = $0 })
    let expected = try #require(TrustRegionConvergence(rawValue: reference.info))
    #expect(result.termination == expected.termination(TrustRegion.Options(gradientTolerance: 0)))
    #expect(result.functionEvaluations == reference.nfev)
    #expect(result.jacobianEvaluations == reference.njev)
    #expect(problem.functionPoints.count == reference.nfev && problem.jacobianPoints.count == reference.njev)
    compare(
      name, true, problem.base, reference, functionPoints: problem.functionPoints,
      jacobianPoints: problem.jacobianPoints, parameters: result.parameters,
      scaling: try #require(final).method.region.state.scaling)
  }

  /// A least-squares problem that records every θ where f (one evaluation of r) and J are evaluated.
  final class RecordingProblem: LeastSquaresProblem {
    let base: CurveFittingProblem
    var functionPoints: [[Double]] = []
    var jacobianPoints: [[Double]] = []
    init(_ base: CurveFittingProblem) { self.base = base }
    var parameterCount: Int { base.parameterCount }
    var residualCount: Int { base.residualCount }
    func objective(at parameters: [Double]) -> Double {
      functionPoints.append(parameters)
      return base.objective(at: parameters)
    }
    func residuals(at parameters: [Double], into residuals: inout [Double]) {
      base.residuals(at: parameters, into: &residuals)
    }
    func jacobian(at parameters: [Double], into jacobian: inout Matrix) {
      jacobianPoints.append(parameters)
      base.jacobian(at: parameters, into: &jacobian)
    }
  }

  func compare(
    _ name: String, _ qr: Bool, _ problem: CurveFittingProblem, _ reference: Fixture.Problem,
    functionPoints: [[Double]], jacobianPoints: [[Double]], parameters: [Double], scaling d: [Double]
  ) {
    func scaledNorm(_ v: [Double]) -> Double { BLAS.nrm2(zip(d, v).map { $0 * $1 }) }
    // κ + κ²η (QR) or κ²(1 + η′) (normal equations) at each linearization point.
    let bounds = jacobianPoints.map { theta -> Double in
      var j = Matrix(rows: problem.residualCount, columns: problem.parameterCount)
      problem.jacobian(at: theta, into: &j)
      for c in 0..<j.columns { for i in 0..<j.rows { j[i, c] /= d[c] } }
      let sigma = try! LAPACK.gesvd(j).singularValues
      var r = [Double](repeating: 0, count: problem.residualCount)
      problem.residuals(at: theta, into: &r)
      let kappa = sigma.first! / sigma.last!
      let eta = BLAS.nrm2(r) / (sigma.first! * scaledNorm(theta))
      return qr ? kappa + kappa * kappa * eta : kappa * kappa * (1 + eta)
    }
    let unit = Double(problem.residualCount * problem.parameterCount) * Double.ulpOfOne
    let largest = bounds.max()!
    for (k, (ours, theirs)) in zip(functionPoints, reference.function_points).enumerated() {
      let error = scaledNorm(zip(ours, theirs).map { $0 - $1 }) / scaledNorm(theirs)
      #expect(error <= unit * Double(k + 1) * largest, "\(name) point \(k): \(ours) against \(theirs)")
    }
    for (ours, theirs) in zip(jacobianPoints, reference.jacobian_points) {
      let error = scaledNorm(zip(ours, theirs).map { $0 - $1 }) / scaledNorm(theirs)
      #expect(error <= unit * Double(reference.nfev) * largest, "\(name): J at \(ours) against \(theirs)")
    }
    let error = scaledNorm(zip(parameters, reference.solution).map { $0 - $1 }) / scaledNorm(reference.solution)
    #expect(error <= unit * Double(reference.nfev) * largest, "\(name): \(parameters)")
  }
}
