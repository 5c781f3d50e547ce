import Foundation
import KKTNet
import PropertyBased
import Solvers
import TestSupport
import Testing

/// lmder's outer logic, ``TrustRegion``: the start, the running maximum of D, the exact radius and λ
/// updates, acceptance, the convergence tests, and the guarantee that no step is taken uphill.
@Suite("Trust region")
struct TrustRegionTests {
  /// J = [[3, 0, 0], [4, 1, 0]] (column norms 5, 1, 0) and r = (1, 1).
  static func linearization() throws -> TrustRegionSubproblem {
    try TrustRegionSubproblem(jacobian: Matrix(rowMajor: [[3, 0, 0], [4, 1, 0]]), residuals: [1, 1])
  }

  @Test("start: dⱼ = ‖Jⱼ‖ (1 for a zero column), Δ₀ = factor·‖Dθ₀‖, or factor when θ₀ = 0; λ = 0")
  func start() throws {
    var region = TrustRegion()
    #expect(region.start(at: [1, 2, 3], linearization: try Self.linearization()) == nil)
    #expect(region.state.scaling == [5, 1, 1])
    // ‖Dθ₀‖ = ‖(5, 2, 3)‖ = √38.
    #expect(region.state.radius == 100 * (38.0).squareRoot())
    #expect(region.state.scaledParameterNorm == (38.0).squareRoot())
    #expect(region.state.damping == 0)
    var fromZero = TrustRegion(options: .init(initialRadiusFactor: 0.5))
    _ = fromZero.start(at: [0, 0, 0], linearization: try Self.linearization())
    #expect(fromZero.state.radius == 0.5)
    var identity = TrustRegion(options: .init(scaling: .identity))
    _ = identity.start(at: [1, 2, 3], linearization: try Self.linearization())
    #expect(identity.state.scaling == [1, 1, 1])
  }

  @Test("each new linearization: the cosine test against gtol, then dⱼ ← max(dⱼ, ‖Jⱼ‖)")
  func relinearized() throws {
    var region = TrustRegion(options: .init(gradientTolerance: 0.5))
    _ = region.start(at: [1, 1, 1], linearization: try Self.linearization())
    // Jᵀr = (7, 1, 0); ‖r‖ = √2: cosines 7/(5√2) ≈ 0.99 and 1/√2, the zero column skipped.
    #expect(abs(region.state.gradientCosine - 7 / 2.0.squareRoot() / 5) <= 4 * Double.ulpOfOne)
    // Columns of norms 2, 3, 0 and residuals (0, 1) orthogonal to the first column.
    let next = try TrustRegionSubproblem(jacobian: Matrix(rowMajor: [[2, 0, 0], [0, 3, 0]]), residuals: [0, 1])
    #expect(region.relinearized(next) == nil)
    #expect(region.state.scaling == [5, 3, 1])
    #expect(region.state.gradientCosine == 1)
    let orthogonal = try TrustRegionSubproblem(
      jacobian: Matrix(rowMajor: [[2, 0, 0], [0, 0, 0]]), residuals: [0, 1])
    #expect(region.relinearized(orthogonal) == .gradientOrthogonal)
    #expect(region.state.gradientCosine == 0)
    let solved = try TrustRegionSubproblem(jacobian: Matrix(rowMajor: [[2, 0, 0], [0, 3, 0]]), residuals: [0, 0])
    var exact = TrustRegion()
    #expect(exact.start(at: [1, 1, 1], linearization: solved) == .gradientOrthogonal)
  }

  /// A proposal with f = 8 (2f = 16), ‖Dp‖ = 2, pᵀGp = 4, λ = ¼: predicted = ¼ + 2·(¼·4/16) = 3/8 and
  /// dirder = −(¼ + ⅛·½) = −5/16; Δ starts at 8.
  static func judged(_ trialObjective: Double, damping: Double = 0.25) -> (TrustRegion, TrustRegionJudgement) {
    var region = TrustRegion()
    region.state.scaling = [1]
    region.state.radius = 8
    region.state.damping = damping
    region.state.scaledParameterNorm = 1
    region.state.gradientCosine = 1
    region.state.acceptedSteps = 1
    let step = TrustRegionStep(step: [2], damping: damping, scaledNorm: 2, curvature: 4, iterations: 1)
    let judgement = region.judge(step, objective: 8, trialObjective: trialObjective, trialParameters: [3])
    return (region, judgement)
  }

  @Test("ρ ≥ ¾: Δ = 2‖Dp‖, λ/2; ¼ < ρ < ¾: unchanged (Δ = 2‖Dp‖ when λ = 0); taken when ρ ≥ 10⁻⁴")
  func goodSteps() {
    let (great, verdict) = Self.judged(5)  // actual 3/8, ρ = 1
    #expect(verdict.ratio == 1 && verdict.accepted && verdict.predictedReduction == 0.375)
    #expect(verdict.directionalDerivative == -0.3125)
    #expect(great.state.radius == 4 && great.state.damping == 0.125)
    #expect(great.state.scaledParameterNorm == 3 && great.state.acceptedSteps == 2)
    let (fair, fairVerdict) = Self.judged(6.5)  // actual 3/16, ρ = ½
    #expect(fairVerdict.ratio == 0.5 && fairVerdict.accepted)
    #expect(fair.state.radius == 8 && fair.state.damping == 0.25)
    let (gaussNewton, _) = Self.judged(7, damping: 0)  // predicted ¼, actual ⅛: ρ = ½ with λ = 0
    #expect(gaussNewton.state.radius == 4 && gaussNewton.state.damping == 0)
  }

  @Test("ρ ≤ ¼: Δ ← t·min(Δ, 10‖Dp‖), λ ← λ/t, t = ½ for an uphill-free step, else MINPACK's quadratic rule")
  func poorSteps() {
    let (poor, poorVerdict) = Self.judged(7.75)  // actual 1/32, ρ = 1/12, t = ½
    #expect(poorVerdict.accepted)
    #expect(poor.state.radius == 4 && poor.state.damping == 0.5)
    // actual = −⅛: t = ½·(−5/16)/(−5/16 − 1/16) = 5/12.
    let (uphill, uphillVerdict) = Self.judged(9)
    #expect(!uphillVerdict.accepted && uphill.state.rejectedSteps == 1)
    #expect(abs(uphill.state.radius - 8 * 5 / 12) <= 4 * Double.ulpOfOne * 8)
    #expect(abs(uphill.state.damping - 0.25 * 12 / 5) <= 4 * Double.ulpOfOne)
    #expect(uphill.state.scaledParameterNorm == 1)
    // actual = −21/4: t = ½·(5/16)/(5/16 + 21/8) ≈ 0.053, clamped to 0.1.
    let (steep, _) = Self.judged(50)
    #expect(steep.state.radius == 0.1 * 8 && steep.state.damping == 0.25 / 0.1)
    // f₊ ≥ 100f, +∞ and NaN: actual = −1 and t = 0.1.
    for trial in [800, .infinity, .nan] {
      let (far, verdict) = Self.judged(trial)
      #expect(verdict.actualReduction == -1 && !verdict.accepted, "\(trial)")
      #expect(far.state.radius == 0.1 * 8 && far.state.damping == 0.25 / 0.1, "\(trial)")
    }
  }

  @Test("a zero predicted reduction gives ρ = 0: the step is rejected")
  func zeroPrediction() {
    var region = TrustRegion()
    region.state.scaling = [1]
    region.state.radius = 1
    region.state.gradientCosine = 1
    region.state.scaledParameterNorm = 1
    let step = TrustRegionStep(step: [0], damping: 0, scaledNorm: 0, curvature: 0, iterations: 0)
    let verdict = region.judge(step, objective: 1, trialObjective: 1, trialParameters: [1])
    #expect(verdict.ratio == 0 && !verdict.accepted)
  }

  /// Accepted ⇔ ρ ≥ 10⁻⁴ with ρ = actual/predicted and predicted = (pᵀGp + 2λ‖Dp‖²)/(2f) ≥ 0: a taken step has
  /// actual > 0, that is f₊/f < 1 in floating point, so f₊ < f — also for f₊ = f and the next double up.
  @Test("judge never takes a step whose trial loss is not lower")
  func neverUphillJudged() async {
    let input = zip(Gen<UInt64>.value(), Gen.int(in: 0...3))
    await propertyCheck(count: 2000, input: input) { seed, kind in
      var random = RandomSource(seed: seed)
      let f = Foundation.pow(10, random.nextUniform(in: -30..<30))
      let trial: Double
      switch kind {
      case 0: trial = f
      case 1: trial = f.nextUp
      case 2: trial = f * (1 + Foundation.pow(10, random.nextUniform(in: -16..<0)))
      default: trial = f * random.nextUniform(in: 0..<2)
      }
      let pnorm = Foundation.pow(10, random.nextUniform(in: -10..<3))
      let step = TrustRegionStep(
        step: [pnorm],
        damping: random.nextIndex(below: 3) == 0 ? 0 : Foundation.pow(10, random.nextUniform(in: -8..<3)),
        scaledNorm: pnorm, curvature: f * Foundation.pow(10, random.nextUniform(in: -12..<1)), iterations: 1)
      var region = TrustRegion()
      region.state.scaling = [1]
      region.state.radius = 1
      region.state.gradientCosine = 1
      region.state.scaledParameterNorm = 1
      let verdict = region.judge(step, objective: f, trialObjective: trial, trialParameters: [1])
      #expect(!verdict.accepted || trial < f, "f = \(f), f₊ = \(trial), ρ = \(verdict.ratio)")
    }
  }

  /// A small random network and batch: n₀ 1–4 inputs, one or two hidden layers of 1–4 units with random
  /// activations, 1–3 outputs (2–3 for ce), 1–16 samples, λ₂ = 0 or 0.05; P ≤ 55.
  static func smallNetwork(_ hidden: Int, _ samples: Int, _ lossIndex: Int, _ l2: Int, _ seed: UInt64) -> (
    Network, Matrix, Matrix
  ) {
    var random = RandomSource(seed: seed)
    let loss = Loss.allCases[lossIndex]
    var sizes = [1 + random.nextIndex(below: 4)] + (0..<hidden).map { _ in 1 + random.nextIndex(below: 4) }
    sizes.append(loss == .softmaxCrossEntropy ? 2 + random.nextIndex(below: 2) : 1 + random.nextIndex(below: 3))
    let activations =
      (0..<hidden).map { _ in
        NetworkCase.elementwiseActivations[random.nextIndex(below: NetworkCase.elementwiseActivations.count)]
      } + [loss.naturalOutputActivation]
    let architecture = try! Architecture(layerSizes: sizes, activations: activations)
    let network = try! Network(
      architecture: architecture, loss: loss, regularization: Regularization(l2: l2 == 1 ? 0.05 : 0),
      initialization: .xavierNormal, seed: seed)
    let (x, y) = SyntheticData.batch(architecture: architecture, loss: loss, sampleCount: samples, seed: seed &+ 1)
    return (network, x, y)
  }

  /// Random small networks (every activation; mse with and without λ₂ on both paths, bce and ce through
  /// the generalized Gauss–Newton matrix on the normal-equation path), run by the lmder driver for at most
  /// 60 evaluations: every taken step lowered the loss, and uphill trials did occur (and were refused).
  @Test("an LM step is never accepted with a higher loss, on least-squares and generalized Gauss–Newton networks")
  func neverUphillOnNetworks() async {
    let tally = TrustRegionSubproblemTests.Tally()
    let input = zip(
      Gen.int(in: 1...2), Gen.int(in: 1...16), Gen.int(in: 0...2), Gen.int(in: 0...1), Gen<UInt64>.value())
    await propertyCheck(count: 150, input: input) { hidden, samples, loss, l2, seed in
      let (network, x, y) = Self.smallNetwork(hidden, samples, loss, l2, seed)
      let problems: [(any GaussNewtonObjective, TrustRegionDriver.Linearization)]
      if network.loss == .meanSquaredError {
        let problem = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
        problems = [(problem, .qr), (problem, .normalEquations)]
      } else {
        problems = [(NetworkGaussNewtonProblem(network: network, inputs: x, targets: y), .normalEquations)]
      }
      let description = "\(network.architecture), \(network.loss), m = \(samples), seed \(seed)"
      for (problem, linearization) in problems {
        let driver = TrustRegionDriver(linearization: linearization, maximumFunctionEvaluations: 60)
        let start = network.parameters
        let run = driver.run(problem, from: start)
        if case .failed(let error) = run.stop { Issue.record("\(description): \(error)") }
        for trial in run.trials {
          #expect(
            !trial.judgement.accepted || trial.trialObjective < trial.objective, "\(description), \(linearization)")
          tally.count(!(trial.trialObjective < trial.objective))
        }
        #expect(run.objective <= problem.objective(at: start), "\(description)")
      }
    }
    #expect(tally.compared > 0, "no trial went uphill: the property was not exercised")
  }

  @Test("the state survives a JSON round trip, and the decoded region proposes and judges bit for bit alike")
  func codable() throws {
    let problem = NISTProblem.load("Misra1a").problem()
    let start = [500.0, 1e-4]
    var r = [Double](repeating: 0, count: problem.residualCount)
    problem.residuals(at: start, into: &r)
    var j = Matrix(rows: problem.residualCount, columns: 2)
    problem.jacobian(at: start, into: &j)
    let linearization = try TrustRegionSubproblem(jacobian: j, residuals: r)
    var region = TrustRegion()
    _ = region.start(at: start, linearization: linearization)
    let first = try region.propose(linearization)
    let trial = zip(start, first.step).map { $0 + $1 }
    _ = region.judge(
      first, objective: linearization.objective, trialObjective: problem.objective(at: trial), trialParameters: trial)
    var decoded = try JSONDecoder().decode(TrustRegion.self, from: JSONEncoder().encode(region))
    #expect(decoded == region)
    let ours = try region.propose(linearization)
    let theirs = try decoded.propose(linearization)
    #expect(ours == theirs && decoded == region)
  }

  @Test("NaN or ±∞ in J, r, G, g, f, D, Δ or λ is a thrown error naming the input, never a trap")
  func nonFiniteInput() throws {
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the Jacobian")) {
      try TrustRegionSubproblem(jacobian: Matrix(rowMajor: [[1, .nan]]), residuals: [1])
    }
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the residuals")) {
      try TrustRegionSubproblem(jacobian: Matrix(rowMajor: [[1, 2]]), residuals: [.infinity])
    }
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the normal matrix")) {
      try TrustRegionSubproblem(normalMatrix: Matrix(rowMajor: [[.infinity]]), gradient: [1], objective: 1)
    }
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the gradient")) {
      try TrustRegionSubproblem(normalMatrix: Matrix(rowMajor: [[1]]), gradient: [.nan], objective: 1)
    }
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the objective")) {
      try TrustRegionSubproblem(normalMatrix: Matrix(rowMajor: [[1]]), gradient: [1], objective: .nan)
    }
    let subproblem = try Self.linearization()
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the scaling")) {
      try subproblem.solve(scaling: [1, .nan, 1], radius: 1, initialDamping: 0)
    }
    #expect(throws: TrustRegionSubproblemError.nonFiniteInput("the radius or the damping")) {
      try subproblem.solve(scaling: [1, 1, 1], radius: .infinity, initialDamping: 0)
    }
  }

  /// Every trial point of this problem is NaN: each is rejected with Δ shrinking tenfold, until Δ falls
  /// below xtol·‖Dθ‖ (MINPACK info 2) at the start, which is kept.
  @Test("non-finite trial losses are rejections that shrink Δ tenfold, and the run ends with θ₀ kept")
  func nonFiniteTrials() {
    let cliff = CurveFittingProblem(
      parameterCount: 1, residualCount: 1, jacobian: { _ in Matrix(rowMajor: [[1]]) },
      residuals: { b in [b[0] == 0.5 ? 1 : .nan] })
    let run = TrustRegionDriver().run(cliff, from: [0.5])
    #expect(run.stop == .converged(.relativeStep))
    #expect(run.parameters == [0.5] && run.trials.allSatisfy { !$0.judgement.accepted })
    for (previous, next) in zip(run.trials, run.trials.dropFirst()) {
      #expect(abs(next.step.scaledNorm - 0.1 * previous.step.scaledNorm) <= 1e-15 * previous.step.scaledNorm)
    }
  }

  @Test("MINPACK's info and the termination each convergence maps to")
  func terminations() {
    let options = TrustRegion.Options(functionTolerance: 1e-10, stepTolerance: 1e-9, gradientTolerance: 1e-8)
    let expected: [(TrustRegionConvergence, Int, Termination)] = [
      (.relativeReduction, 1, .relativeReduction(1e-10)), (.relativeStep, 2, .trustRegionRadius(1e-9)),
      (.relativeReductionAndStep, 3, .relativeReductionAndRadius(reduction: 1e-10, radius: 1e-9)),
      (.gradientOrthogonal, 4, .residualOrthogonality(1e-8)), (.reductionAtRoundingLevel, 6, .reductionBelowRounding),
      (.stepAtRoundingLevel, 7, .radiusBelowRounding), (.gradientAtRoundingLevel, 8, .orthogonalityBelowRounding),
    ]
    #expect(expected.count == TrustRegionConvergence.allCases.count)
    for (convergence, info, termination) in expected {
      #expect(convergence.minpackInfo == info)
      #expect(convergence.termination(options) == termination)
      #expect(termination.isConvergence && !termination.description.contains("--"))
    }
    #expect(
      TrustRegion.Options() == .init(functionTolerance: 1.49012e-8, stepTolerance: 1.49012e-8, gradientTolerance: 0))
  }

  /// With every tolerance 0 the tests of info 1–4 can only hold exactly, so a run on a problem with a
  /// nonzero residual ends when the reductions, the radius or the cosine reach the rounding level (info
  /// 6, 7 or 8) — at NIST's certified values, not at the budget.
  @Test("with ftol = xtol = gtol = 0 the run ends at the rounding level, at the certified solution")
  func roundingLevel() {
    for name in ["Misra1a", "BoxBOD"] {
      let nist = NISTProblem.load(name)
      let driver = TrustRegionDriver(
        options: .init(functionTolerance: 0, stepTolerance: 0, gradientTolerance: 0), maximumFunctionEvaluations: 10_000
      )
      let run = driver.run(nist.problem(), from: nist.starts[1])
      guard case .converged(let convergence) = run.stop else {
        Issue.record("\(name): \(run.stop)")
        continue
      }
      #expect([6, 7, 8].contains(convergence.minpackInfo), "\(name): \(convergence)")
      let lre = zip(run.parameters, nist.certified).map { NISTProblem.logRelativeError($0, $1) }.min()!
      #expect(lre >= 8, "\(name): \(run.parameters)")
    }
  }
}
