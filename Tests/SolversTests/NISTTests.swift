import Foundation
import KKTNet
import Solvers
import Testing

/// The 27 NIST StRD nonlinear-regression problems — 8 of lower, 11 of average and 8 of higher difficulty —
/// from both starting points, scored by the log relative error of every parameter and of the residual sum of
/// squares (ceres `examples/nist.cc`).
@Suite("NIST StRD")
struct NISTTests {
  static let stopping = StoppingCriteria(
    maximumIterations: 20000, gradientTolerance: 0, stepTolerance: 1e-15, functionTolerance: 1e-15)

  /// The solver configurations run against every problem.
  static let configurations: [(String, @Sendable (CurveFittingProblem, [Double]) -> SolverResult)] = [
    (
      "LM Nielsen Marquardt QR",
      {
        LevenbergMarquardt(
          options: .init(damping: NielsenDamping(), scaling: .marquardt, linearSolver: .qr, stopping: stopping)
        ).minimize(
          $0, from: $1)
      }
    ),
    (
      "LM Nielsen Marquardt Cholesky",
      {
        LevenbergMarquardt(
          options: .init(damping: NielsenDamping(), scaling: .marquardt, linearSolver: .cholesky, stopping: stopping)
        ).minimize(
          $0, from: $1)
      }
    ),
    (
      "LM Nielsen Marquardt SVD",
      {
        LevenbergMarquardt(
          options: .init(damping: NielsenDamping(), scaling: .marquardt, linearSolver: .svd, stopping: stopping)
        ).minimize(
          $0, from: $1)
      }
    ),
    (
      "LM Nielsen Levenberg Cholesky",
      {
        LevenbergMarquardt(options: .init(damping: NielsenDamping(), scaling: .identity, stopping: stopping)).minimize(
          $0, from: $1)
      }
    ),
    (
      "LM trainlm Levenberg Cholesky",
      {
        LevenbergMarquardt(options: .init(damping: MultiplicativeDamping(), stopping: stopping)).minimize($0, from: $1)
      }
    ),
    (
      "LM Nielsen Marquardt QR geodesic",
      {
        LevenbergMarquardt(
          options: .init(
            damping: NielsenDamping(), scaling: .marquardt, linearSolver: .qr,
            geodesicAcceleration: GeodesicAcceleration(), stopping: stopping)
        ).minimize($0, from: $1)
      }
    ),
    (
      "LM trust region QR",
      { LevenbergMarquardt(options: .init(stopping: stopping)).minimize($0, from: $1) }
    ),
    (
      "LM trust region Cholesky",
      { LevenbergMarquardt(options: .init(linearSolver: .cholesky, stopping: stopping)).minimize($0, from: $1) }
    ),
  ]

  struct Score {
    let parameters: [Double]
    let residualSumOfSquares: Double
    let iterations: Int
  }

  static func score(_ nist: NISTProblem, _ result: SolverResult) -> Score {
    Score(
      parameters: zip(result.parameters, nist.certified).map { NISTProblem.logRelativeError($0, $1) },
      residualSumOfSquares: NISTProblem.logRelativeError(2 * result.loss, nist.certifiedResidualSumOfSquares),
      iterations: result.jacobianEvaluations)
  }

  @Test(
    "the certified parameters reproduce the certified residual sum of squares",
    arguments: NISTProblem.names + NISTProblem.higherDifficulty)
  func fixturesAreConsistent(_ name: String) {
    let nist = NISTProblem.load(name)
    let ssr = 2 * nist.problem().objective(at: nist.certified)
    if name == "Lanczos1" {
      // Its certified sum, 1.43e-25, is the square of residuals of 8e-14: eleven-digit parameters cannot
      // reproduce it, only come below the parameters' own rounding.
      #expect(ssr < 1e-20)
    } else {
      #expect(abs(ssr - nist.certifiedResidualSumOfSquares) <= 1e-9 * nist.certifiedResidualSumOfSquares, "\(ssr)")
    }
  }

  @Test("the misprint in Roszman1's b1 is what the consistency check catches")
  func rosmanMisprint() {
    let raw = NISTProblem.load("Roszman1", raw: true)
    #expect(raw.certified[0] == 1.20196866396)
    #expect(abs(2 * raw.problem().objective(at: raw.certified) - 25.000494848) < 1e-6)
  }

  @Test("every parameter and the residual sum of squares to LRE ≥ 6, from both starts", arguments: NISTProblem.names)
  func levenbergMarquardt(_ name: String) {
    let nist = NISTProblem.load(name)
    for (label, run) in Self.configurations {
      for (s, start) in nist.starts.enumerated() {
        let result = run(nist.problem(), start)
        let score = Self.score(nist, result)
        let worst = score.parameters.min()!
        if name == "MGH17" && s == 0 && label == "LM trust region Cholesky" {
          // Far out on MGH17's start 1 the trust region shrinks below xtol·‖Dθ‖ before a step is taken; the
          // normal equations, with the condition number squared (about 10¹⁶ here), never find the step that
          // the QR of J does with ftol = xtol = 10⁻¹⁵. MINPACK itself stops there with its default xtol.
          withKnownIssue("MGH17 from start 1: the trust region on the normal equations stops at the start") {
            #expect(worst >= 6, "\(label): \(result.termination)")
          }
          continue
        }
        #expect(worst >= 6, "\(label), start \(s + 1): parameter LREs \(score.parameters)")
        // Lanczos1's certified sum of squares (1.4e-25) is rounding noise in double precision; the digits of
        // exp(·) alone leave about three correct digits of it.
        let required = name == "Lanczos1" ? 2.0 : 6.0
        #expect(
          score.residualSumOfSquares >= required, "\(label), start \(s + 1): SSR LRE \(score.residualSumOfSquares)")
      }
    }
  }

  /// The higher-difficulty problems. Two starts are hard in ways other solvers share:
  /// - BoxBOD from start 1, b = (1, 1), with Marquardt's scaling: the first step sends b₂ past 100, where
  ///   e^{−b₂x} ≈ 0 for every x, ∂r/∂b₂ vanishes and the model is the constant b₁ — the fit lands on that
  ///   plateau, b₁ = ȳ = 172.5, as MINPACK's lmder does with the same scaling (SciPy `least_squares(method="lm",
  ///   x_scale="jac")` ends at b = (172.5, 110.9)). Levenberg's D = I reaches the certified values.
  /// - MGH10 from start 1, b = (2, 4·10⁵, 2.5·10⁴), a hundred times farther out than the start of Moré, Garbow &
  ///   Hillstrom's test set: the path runs down a long curved valley with b₁ near 10⁻¹⁶ and takes 5 000–6 000
  ///   iterations of nearly Gauss–Newton steps (ρ ≈ 0.45 each) with Nielsen's damping; trainlm's schedule and
  ///   geodesic acceleration do not arrive within 20 000, and the SVD solver stops on a short step at b₁ ≈ 10⁻¹⁹
  ///   where the Jacobian's columns differ by 10²⁶ and the rank decision drops a real direction.
  @Test(
    "higher difficulty: every parameter and the residual sum of squares to LRE ≥ 6",
    arguments: NISTProblem.higherDifficulty)
  func higherDifficulty(_ name: String) {
    let nist = NISTProblem.load(name)
    for (label, run) in Self.configurations {
      for (s, start) in nist.starts.enumerated() {
        let result = run(nist.problem(), start)
        let score = Self.score(nist, result)
        if name == "BoxBOD" && s == 0 && label.contains("Marquardt") {
          #expect(
            abs(result.parameters[0] - 172.5) < 1e-6 && result.parameters[1] > 50, "\(label): \(result.parameters)")
          continue
        }
        let reaches = {
          #expect(score.parameters.min()! >= 6, "\(label), start \(s + 1): parameter LREs \(score.parameters)")
          #expect(score.residualSumOfSquares >= 6, "\(label), start \(s + 1): SSR LRE \(score.residualSumOfSquares)")
        }
        if name == "MGH10" && s == 0
          && (label.contains("trainlm") || label.contains("geodesic") || label.contains("SVD"))
        {
          withKnownIssue("MGH10 from start 1: \(label) does not reach the valley's end") { reaches() }
        } else {
          reaches()
        }
      }
    }
  }

  /// Issue 12's targets for the default options (the trust region, 1000 iterations, tolerances 10⁻¹²), the
  /// criterion of Ceres's `examples/nist.cc`: every parameter to LRE ≥ 4 from all 54 starts, LRE ≥ 6 from at
  /// least 52, and MINPACK's evaluation counts on its two hardest starts (lmder: 284 and 758).
  @Test("default options: the NIST tally and the evaluations on MGH10 and Bennett5 from start 1")
  func defaultTally() {
    var four = 0
    var six = 0
    for name in NISTProblem.names + NISTProblem.higherDifficulty {
      let nist = NISTProblem.load(name)
      for (s, start) in nist.starts.enumerated() {
        let result = LevenbergMarquardt().minimize(nist.problem(), from: start)
        let worst = Self.score(nist, result).parameters.min()!
        if worst >= 4 { four += 1 } else { Issue.record("\(name) start \(s + 1): LRE \(worst), \(result.termination)") }
        if worst >= 6 { six += 1 }
        if s == 0 && name == "MGH10" {
          #expect(result.functionEvaluations <= 300, "MGH10: \(result.functionEvaluations)")
        }
        if s == 0 && name == "Bennett5" {
          #expect(result.functionEvaluations <= 800, "Bennett5: \(result.functionEvaluations)")
        }
      }
    }
    #expect(four == 54)
    #expect(six >= 52)
  }

  /// With the default options a run may stop short of the solution, but only by its budget: every run that
  /// reports convergence is at the certified values.
  /// Before the false-convergence guard (`dampingHoldsBack`), Misra1c and Misra1d from start 2 "converged"
  /// on a short step after two iterations with ‖g‖∞ = 58, and MGH10 from start 1 on a small decrease
  /// after four, all three with LRE ≈ 1.
  @Test("default options: a run that reports convergence is at the certified solution")
  func defaultsDoNotConvergeFalsely() {
    var converged = 0
    for name in NISTProblem.names + NISTProblem.higherDifficulty {
      let nist = NISTProblem.load(name)
      for (s, start) in nist.starts.enumerated() {
        let result = LevenbergMarquardt().minimize(nist.problem(), from: start)
        guard result.termination.isConvergence else {
          #expect(
            result.termination == .maximumIterations(LevenbergMarquardt.Options().stopping.maximumIterations),
            "\(name) start \(s + 1): \(result.termination)")
          continue
        }
        converged += 1
        // A relative decrease of 10⁻¹² bounds the parameters' relative error by about 10⁻⁶ times the
        // conditioning; ENSO, the worst conditioned, stops at LRE 4.9.
        #expect(
          Self.score(nist, result).parameters.min()! >= 4.5, "\(name) start \(s + 1): \(result.termination)")
      }
    }
    #expect(converged >= 40)
  }

  @Test("Gauss–Newton with a halving line search from both starts, except MGH17's distant start 1")
  func gaussNewton() {
    for name in NISTProblem.names {
      let nist = NISTProblem.load(name)
      for (s, start) in nist.starts.enumerated() {
        let result = GaussNewton(options: .init(stopping: Self.stopping)).minimize(nist.problem(), from: start)
        if name == "MGH17" && s == 0 {
          // Far from the solution the undamped direction points uphill for every step length.
          #expect(result.termination == .noDescent(30))
          #expect(result.loss <= result.history[0].loss)
          continue
        }
        #expect(Self.score(nist, result).parameters.min()! >= 6, "\(name) start \(s + 1): \(result.termination)")
      }
    }
  }

  /// `KKTNET_NIST_TABLE=1 swift test --filter NIST` prints the LRE table of the default configuration.
  @Test("the LRE table", .enabled(if: ProcessInfo.processInfo.environment["KKTNET_NIST_TABLE"] != nil))
  func table() {
    print("| problem | start | min parameter LRE | SSR LRE | Jacobian evaluations |")
    print("|---|---|---|---|---|")
    for name in NISTProblem.names + NISTProblem.higherDifficulty {
      let nist = NISTProblem.load(name)
      for (s, start) in nist.starts.enumerated() {
        let score = Self.score(nist, Self.configurations[0].1(nist.problem(), start))
        print(
          "| \(name) | \(s + 1) | \(String(format: "%.1f", score.parameters.min()!)) | \(String(format: "%.1f", score.residualSumOfSquares)) | \(score.iterations) |"
        )
      }
    }
  }
}
