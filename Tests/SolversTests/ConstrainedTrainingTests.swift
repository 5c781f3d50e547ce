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

  /// Targets from a teacher network of the same architecture plus noise of 0.05, and a start 0.1 away from
  /// the teacher: a smooth problem with a well-determined minimum near the start, where training converges.
  static func teacherCase(sizes: [Int], samples m: Int, seed: UInt64) throws -> (
    network: Network, inputs: Matrix, targets: Matrix
  ) {
    let (teacher, inputs, _) = try smoothCase(sizes: sizes, samples: m, seed: seed)
    var random = RandomSource(seed: seed + 1000)
    var targets = Lagrangian(network: teacher, inputs: inputs, targets: Matrix(rows: sizes.last!, columns: m))
      .outputs(parameters: teacher.parameters)
    for i in 0..<targets.elements.count { targets.elements[i] += 0.05 * random.nextNormal() }
    var network = teacher
    network.parameters = teacher.parameters.map { $0 + 0.1 * random.nextNormal() }
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

  @Test("S by layer blocks (Kronecker sums over the samples) equals S by rows (dsyrk) to rounding")
  func layerBlocksMatchRows() throws {
    let (network, inputs, targets) = try Self.smoothCase(
      sizes: [4, 5, 3, 3], output: .softmax, loss: .softmaxCrossEntropy, samples: 30, seed: 4)
    let problem = RelaxedNetwork(network: network, inputs: inputs, targets: targets)
    let theta = network.parameters
    var random = RandomSource(seed: 2)
    let states = problem.forwardStates(parameters: theta).map { $0.map { $0 + 0.05 * random.nextNormal() } }
    let multipliers = states.map { $0.map { _ in 0.2 * random.nextNormal() } }
    let evaluation = problem.evaluate(parameters: theta, states: states, multipliers: multipliers, rho: 7)
    let systems = [true, false].map {
      StateEliminatedSystem(
        problem: problem, parameters: theta, states: states, multipliers: multipliers, rho: 7,
        evaluation: evaluation, layerBlocks: $0)
    }
    let p = theta.count
    let scale = systems[1].normalMatrix.reduce(0) { max($0, abs($1)) }
    var largest = 0.0
    for j in 0..<p {
      for i in j..<p {
        largest = max(largest, abs(systems[0].normalMatrix[i + j * p] - systems[1].normalMatrix[i + j * p]))
      }
    }
    // The same sums of products in another order: a few ulps of the largest entry per entry.
    #expect(largest <= 1e-13 * scale)
    #expect(systems[0].gradient == systems[1].gradient)
  }

  @Test("60 outer iterations of the augmented Lagrangian: maxₖ‖cᵏ‖∞ ≤ 1e-10, ‖λ − λ_adjoint‖/‖λ_adjoint‖ ≤ 1e-6")
  func convergedMultipliersMeetTheAdjoint() throws {
    let (network, inputs, targets) = try Self.teacherCase(sizes: [2, 4, 3, 1], samples: 50, seed: 11)
    var options = ConstrainedTraining.Options(
      kind: .augmentedLagrangian, stopping: StoppingCriteria(maximumIterations: 60))
    options.innerIterations = 5
    let method = ConstrainedTraining(network: network, inputs: inputs, targets: targets, options: options)
    let result = method.minimize(from: network.parameters)
    let last = try #require(result.history.last)
    // Measured: ‖c‖∞ 9.1e-13, gap 2.1e-7, ‖∇J‖∞ 2.7e-5. The gap is O(‖c‖) plus the drift of θ within
    // the last outer iteration (λ_adjoint moves with θ); the bounds leave a factor 5 to 100.
    #expect(try #require(last.constraintResidual) <= 1e-10)
    #expect(try #require(last.multiplierGap) <= 1e-6)
    #expect(last.gradientMaxNorm <= 1e-4)
    // The gap falls with the residual: at iteration 1 (Λ = 0 before the update) it is of order 1.
    #expect(try #require(result.history[0].multiplierGap) == 1)
    // The feasible network's loss is reported, and it went down.
    let j = Lagrangian(network: network, inputs: inputs, targets: targets).objective(parameters: result.parameters)
    #expect(abs(j - result.loss) <= 1e-14 * j)
    #expect(result.loss < 0.5 * result.history[0].loss)
  }

  @Test("ρ grows by γ when ‖c‖∞ did not fall below τ times its last value, never past ρ_max; μ every time")
  func penaltySchedule() {
    let update = PenaltyUpdate(growth: 10, maximum: 1e3, sufficientDecrease: 0.25)
    #expect(update.augmentedLagrangian(100, previous: 1e-2, current: 2.6e-3) == 1000)
    #expect(update.augmentedLagrangian(100, previous: 1e-2, current: 2.4e-3) == 100)
    #expect(update.augmentedLagrangian(1000, previous: 1e-2, current: 1e-2) == 1000)
    #expect(update.penalty(100) == 1000)
    #expect(update.penalty(1000) == 1000)
  }

  @Test("the quadratic penalty: Λ stays 0, μ grows tenfold per outer iteration, and ‖c‖∞ falls like 1/μ")
  func quadraticPenalty() throws {
    let (network, inputs, targets) = try Self.teacherCase(sizes: [2, 4, 3, 1], samples: 50, seed: 11)
    var options = ConstrainedTraining.Options(kind: .penalty, stopping: StoppingCriteria(maximumIterations: 6))
    options.rho = 10
    var saved: RunState<ConstrainedTraining.State>?
    let method = ConstrainedTraining(network: network, inputs: inputs, targets: targets, options: options)
    let result = method.minimize(
      from: network.parameters, checkpointing: Checkpointing(every: 100) { saved = $0 })
    let state = try #require(saved).method
    #expect(state.multipliers.allSatisfy { $0.allSatisfy { $0 == 0 } })
    #expect(result.history.map(\.damping) == [10, 100, 1e3, 1e4, 1e5, 1e6, 1e7])
    // c ≈ −λ*/μ at the minimum of J + (μ/2m)‖c‖² in x: μ·‖c‖∞ stays of the order of m·‖λ_adjoint‖∞.
    let residuals = result.history.dropFirst().map { try! #require($0.constraintResidual) }
    for (earlier, later) in zip(residuals, residuals.dropFirst()) { #expect(later < 0.2 * earlier) }
    #expect(residuals.last! <= 1e-6)
  }

  @Test("every loss: bce and ce networks train; ‖c‖∞ ≤ 1e-8 and the gap ≤ 1e-7 after 30 outer iterations")
  func everyLoss() throws {
    for (loss, output) in [(Loss.binaryCrossEntropy, Activation.sigmoid), (.softmaxCrossEntropy, .softmax)] {
      let (network, inputs, targets) = try Self.smoothCase(
        sizes: [3, 5, loss == .softmaxCrossEntropy ? 3 : 1], output: output, loss: loss, samples: 60, seed: 3)
      let options = ConstrainedTraining.Options(
        kind: .augmentedLagrangian, stopping: StoppingCriteria(maximumIterations: 30))
      let result = ConstrainedTraining(network: network, inputs: inputs, targets: targets, options: options)
        .minimize(from: network.parameters)
      let last = try #require(result.history.last)
      // Measured: bce J 0.732 → 0.585, ‖c‖∞ 7.3e-11, gap 3.9e-9; ce J 1.140 → 0.601, ‖c‖∞ 8.6e-10, gap 2.8e-9.
      #expect(last.loss < 0.8 * result.history[0].loss, "\(loss)")
      #expect(try #require(last.constraintResidual) <= 1e-8, "\(loss)")
      #expect(try #require(last.multiplierGap) <= 1e-7, "\(loss)")
    }
  }

  @Test("a run resumed from its checkpoint ends bit for bit where the uninterrupted run ends")
  func resume() throws {
    let (network, inputs, targets) = try Self.teacherCase(sizes: [2, 4, 3, 1], samples: 50, seed: 11)
    for solver in [SolverKind.augmentedLagrangian, .penalty] {
      var plan = TrainingPlan(solver: solver)
      plan.maximumIterations = 9
      let whole = try plan.run(network: network, inputs: inputs, targets: targets)
      var saved: TrainingState?
      plan.maximumIterations = 4
      _ = try plan.run(
        network: network, inputs: inputs, targets: targets,
        checkpointing: TrainingCheckpointing(every: 2) { saved = $0 })
      plan.maximumIterations = 9
      let state = try #require(saved)
      try state.validate(plan: plan, network: network, sampleCount: inputs.columns)
      let resumed = try plan.run(network: network, inputs: inputs, targets: targets, resume: state)
      #expect(resumed.parameters == whole.parameters, "\(solver)")
      #expect(resumed.history.map(\.loss) == whole.history.map(\.loss), "\(solver)")
    }
  }

  @Test("what it cannot train is a TrainingError with a sentence: no hidden layer, ρ ≤ 0")
  func incompatibleNetworks() throws {
    let plan = TrainingPlan(solver: .augmentedLagrangian)
    let linear = try Network(
      architecture: Architecture(layerSizes: [2, 1], activations: [.identity]), loss: .meanSquaredError,
      regularization: .none, parameters: [0.1, 0.2, 0.3])
    #expect(
      plan.incompatibility(with: linear)
        == .constrainedSetting("training through the constraints needs at least one hidden layer"))
    var bad = plan
    bad.rho = 0
    #expect(bad.incompatibility(with: linear) == .invalidSetting("rho must be a positive finite number, not 0.0"))
  }
}

/// dlADMM against the NumPy transcription of the authors' update rules (`References/dladmm_iterates.py`,
/// regenerate with `python3 dladmm_iterates.py > dladmm_iterates.json`): the same θ, u and ρ after each of
/// eight iterations on a 4-6-5-3 ReLU network with a softmax cross-entropy output.
@Suite("dlADMM")
struct DeepLearningADMMTests {
  struct Reference: Decodable {
    struct Iterate: Decodable {
      var parameters: [Double]
      var multiplier: [Double]
      var rho: Double
    }
    var sizes: [Int]
    var rho: Double
    var inputs: [Double]
    var targets: [Double]
    var start: [Double]
    var iterates: [Iterate]
  }

  @Test("the iterates of the NumPy transcription to 1e-8, and ρ's rule at the same iteration")
  func iterates() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("References/dladmm_iterates.json")
    let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    let sizes = reference.sizes
    let m = reference.inputs.count / sizes[0]
    let architecture = try Architecture(layerSizes: sizes, activations: [.relu, .relu, .softmax])
    let network = try Network(
      architecture: architecture, loss: .softmaxCrossEntropy, regularization: .none, parameters: reference.start)
    let inputs = Matrix(rows: sizes[0], columns: m, elements: reference.inputs)
    let targets = Matrix(rows: sizes.last!, columns: m, elements: reference.targets)
    var options = DeepLearningADMM.Options(stopping: StoppingCriteria(maximumIterations: 1))
    options.rho = reference.rho
    let method = DeepLearningADMM(network: network, inputs: inputs, targets: targets, options: options)
    var counts = EvaluationCounts()
    var state = method.start(at: reference.start, evaluations: &counts).state
    var workspace = DeepLearningADMM.Workspace()
    for (index, expected) in reference.iterates.enumerated() {
      _ = method.iterate(
        &state, workspace: &workspace, iteration: index + 1, budget: 8, stopping: options.stopping,
        evaluations: &counts)
      // Sums in another order (BLAS against NumPy's pairwise sums) differ by a few ulps per iteration;
      // eight iterations of backtracking and FISTA keep them far below 1e-8 of the iterates' scale (~3).
      // Measured: at most 1.0e-15.
      let scale = expected.parameters.reduce(1.0) { max($0, abs($1)) }
      let difference = zip(state.parameters, expected.parameters).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
      #expect(difference <= 1e-8 * scale, "iteration \(index + 1): θ differs by \(difference)")
      let uDifference = zip(state.multiplier, expected.multiplier).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
      #expect(uDifference <= 1e-8 * scale, "iteration \(index + 1): u differs by \(uDifference)")
      #expect(state.rho == expected.rho, "iteration \(index + 1)")
    }
    // The data-ordering of u: column-major n_N × m like the targets.
    #expect(state.multiplier.count == targets.elements.count)
  }
}
