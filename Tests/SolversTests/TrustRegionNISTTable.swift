import Foundation
import KKTNet
import Solvers
import Testing

/// `KKTNET_TRUST_REGION_TABLE=1 swift test --filter TrustRegionNISTTable` prints the NIST StRD table of the
/// lmder driver with the default options (MINPACK's: ftol = xtol = 1.49012·10⁻⁸, gtol = 0, factor 100,
/// column-norm scaling): every problem from both starts on both paths, under MINPACK's budget of
/// 100·(P + 1) evaluations and under 10 000, and with ftol = xtol = 10⁻¹⁵ (the NIST tests' tolerances),
/// with the LRE counts. A measurement, not a test: the tally as a
/// test belongs to the minimizer loop that will run these parts.
@Suite("Trust-region NIST table")
struct TrustRegionNISTTable {
  @Test("the table", .enabled(if: ProcessInfo.processInfo.environment["KKTNET_TRUST_REGION_TABLE"] != nil))
  func table() {
    let configurations: [(String, TrustRegionDriver)] = [
      ("QR, maxfev 100(P+1)", TrustRegionDriver()),
      ("QR, maxfev 10000", TrustRegionDriver(maximumFunctionEvaluations: 10_000)),
      (
        "normal equations, maxfev 10000",
        TrustRegionDriver(linearization: .normalEquations, maximumFunctionEvaluations: 10_000)
      ),
      (
        "QR, ftol = xtol = 1e-15, maxfev 10000",
        TrustRegionDriver(
          options: .init(functionTolerance: 1e-15, stepTolerance: 1e-15), maximumFunctionEvaluations: 10_000)
      ),
    ]
    for (label, driver) in configurations {
      print("\n\(label)\n")
      print("| problem | start | min parameter LRE | SSR LRE | nfev | njev | stop |")
      print("|---|---|---|---|---|---|---|")
      var (four, six, total) = (0, 0, 0)
      for name in NISTProblem.names + NISTProblem.higherDifficulty {
        let nist = NISTProblem.load(name)
        for (s, start) in nist.starts.enumerated() {
          let run = driver.run(nist.problem(), from: start)
          let lre = zip(run.parameters, nist.certified).map { NISTProblem.logRelativeError($0, $1) }.min()!
          let ssr = NISTProblem.logRelativeError(2 * run.objective, nist.certifiedResidualSumOfSquares)
          let stop: String
          switch run.stop {
          case .converged(let convergence): stop = "info \(convergence.minpackInfo)"
          case .budget: stop = "info 5 (budget)"
          case .failed(let error): stop = "failed: \(error)"
          case .nonFiniteStart: stop = "non-finite start"
          }
          total += 1
          if lre >= 4 { four += 1 }
          if lre >= 6 { six += 1 }
          print(
            "| \(name) | \(s + 1) | \(String(format: "%.1f", lre)) | \(String(format: "%.1f", ssr)) | \(run.functionEvaluations) | \(run.jacobianEvaluations) | \(stop) |"
          )
        }
      }
      print("\n\(label): parameter LRE ≥ 4 on \(four) of \(total), ≥ 6 on \(six) of \(total)")
    }
  }
}
