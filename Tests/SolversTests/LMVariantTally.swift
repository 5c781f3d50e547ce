import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// `KKTNET_LM_TALLY=1 swift test --filter LMVariantTally` prints, for each Levenberg–Marquardt variant with
/// its default options and a budget of 200·(P + 1) iterations, how many of the 54 NIST starts reach LRE ≥ 4
/// and ≥ 6, and the evaluations on MGH10 and Bennett5 from start 1 — the measurement behind the default.
@Suite("LM variant tally")
struct LMVariantTally {
  @Test("NIST tally per variant", .enabled(if: ProcessInfo.processInfo.environment["KKTNET_LM_TALLY"] != nil))
  func tally() {
    func budget(_ p: Int) -> StoppingCriteria { StoppingCriteria(maximumIterations: 200 * (p + 1)) }
    var tight = budget(2)
    (tight.functionTolerance, tight.stepTolerance) = (1e-15, 1e-15)
    let variants: [(String, (CurveFittingProblem, [Double]) -> SolverResult)] = [
      (
        "trust region (QR), tolerances 1e-15",
        {
          var stopping = tight
          stopping.maximumIterations = 200 * ($1.count + 1)
          return TrustRegionLevenbergMarquardt(options: .init(stopping: stopping)).minimize($0, from: $1)
        }
      ),
      (
        "trust region (QR)",
        { TrustRegionLevenbergMarquardt(options: .init(stopping: budget($1.count))).minimize($0, from: $1) }
      ),
      (
        "trust region (normal equations)",
        {
          TrustRegionLevenbergMarquardt(options: .init(linearization: .normalEquations, stopping: budget($1.count)))
            .minimize($0, from: $1)
        }
      ),
      (
        "Nielsen, D = I",
        {
          LevenbergMarquardt(options: .init(damping: NielsenDamping(), stopping: budget($1.count))).minimize(
            $0, from: $1)
        }
      ),
      (
        "Nielsen, Marquardt",
        {
          LevenbergMarquardt(options: .init(damping: NielsenDamping(), scaling: .marquardt, stopping: budget($1.count)))
            .minimize($0, from: $1)
        }
      ),
      (
        "trainlm",
        {
          LevenbergMarquardt(options: .init(damping: MultiplicativeDamping(), stopping: budget($1.count))).minimize(
            $0, from: $1)
        }
      ),
    ]
    for (label, solve) in variants {
      var four = 0
      var six = 0
      var notes: [String] = []
      for name in NISTProblem.names + NISTProblem.higherDifficulty {
        let nist = NISTProblem.load(name)
        for (s, start) in nist.starts.enumerated() {
          let result = solve(nist.problem(), start)
          let lre = zip(result.parameters, nist.certified).map { NISTProblem.logRelativeError($0, $1) }.min()!
          if lre >= 4 {
            four += 1
          } else {
            notes.append("\(name) s\(s + 1) \(String(format: "%.1f", lre)) \(result.termination.name)")
          }
          if lre >= 6 {
            six += 1
          } else if lre >= 4 {
            notes.append("\(name) s\(s + 1) \(String(format: "%.1f", lre)) < 6")
          }
          if s == 0 && (name == "MGH10" || name == "Bennett5") {
            notes.append("\(name) s1: \(result.functionEvaluations) evaluations, LRE \(String(format: "%.1f", lre))")
          }
        }
      }
      print("\(label): LRE ≥ 4 on \(four)/54, ≥ 6 on \(six)/54; " + notes.joined(separator: "; "))
    }
  }
}

extension LMVariantTally {
  @Test(
    "sine P1 and diabetes P2 per variant", .enabled(if: ProcessInfo.processInfo.environment["KKTNET_LM_TALLY"] != nil))
  func networks() throws {
    let (x, y) = NetworkProblemTests.sine()
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let s = Standardization.fit(inputs: data.inputs, targets: data.targets)
    let cases: [(String, Network, Matrix, Matrix, Double)] = [
      ("P1", try NetworkProblemTests.peerStart("P1"), x, y, 5e-7),
      (
        "P2", try NetworkProblemTests.peerStart("P2"), s.standardizeInputs(data.inputs),
        s.standardizeTargets(data.targets), 0.095
      ),
    ]
    for (name, network, inputs, targets, goal) in cases {
      let problem = NetworkLeastSquaresProblem(network: network, inputs: inputs, targets: targets)
      let stopping = StoppingCriteria(maximumIterations: 2000, goal: goal)
      var columnNorms = TrustRegionLevenbergMarquardt.Options(stopping: stopping)
      var identity = columnNorms
      identity.trustRegion.scaling = .identity
      var current = columnNorms
      current.trustRegion.scaling = .currentColumnNorms
      var qr = columnNorms
      qr.linearization = .normalEquations
      for (label, result) in [
        (
          "TR column norms",
          TrustRegionLevenbergMarquardt(options: columnNorms).minimize(problem, from: network.parameters)
        ),
        ("TR identity", TrustRegionLevenbergMarquardt(options: identity).minimize(problem, from: network.parameters)),
        (
          "TR current column norms",
          TrustRegionLevenbergMarquardt(options: current).minimize(problem, from: network.parameters)
        ),
        (
          "TR column norms, normal eq.",
          TrustRegionLevenbergMarquardt(options: qr).minimize(problem, from: network.parameters)
        ),
        (
          "Nielsen D = I",
          LevenbergMarquardt(options: .init(damping: NielsenDamping(), stopping: stopping)).minimize(
            problem, from: network.parameters)
        ),
      ] {
        print(
          "\(name) \(label): \(result.termination.name) loss \(result.loss) after \(result.iterations) iterations, \(result.functionEvaluations) f, \(result.jacobianEvaluations) J"
        )
      }
      columnNorms.stopping.maximumIterations = 1
    }
  }
}
