import KKTNet

/// The first-order solvers as one ``IterativeMethod``: a step rule (``FirstOrderMethod``: gradient,
/// momentum, Nesterov, Adam) composed with a learning-rate schedule, over epochs of mini-batches shuffled
/// by a seeded generator, with the gradients from the Lagrangian's passes.
///
/// An iteration is one update. The last update of an epoch (a pass over the training data) ends with a
/// summary: the training objective over all samples, the validation loss (filled in by the minimizer),
/// the rate. A budget that ends inside an epoch closes it with a summary of its own.
public struct FirstOrderIteration: IterativeMethod {
  /// The mini-batch problem.
  public let problem: NetworkTrainingProblem
  /// The method, rate, batches and seed.
  public let options: FirstOrderSolver.Options

  public typealias State = FirstOrderState

  /// The epoch's order of samples, the generator after shuffling it, and the gradient buffer.
  public struct Workspace {
    var order: [Int]
    var afterShuffle: RandomSource
    var gradient: [Double]
  }

  /// The iteration of `options` on `problem`.
  public init(problem: NetworkTrainingProblem, options: FirstOrderSolver.Options) {
    self.problem = problem
    self.options = options
  }

  public var stepControlName: String { "η" }

  public var communicator: any Communicator { problem.communicator }

  /// Samples per update.
  var batch: Int { min(options.batchSize ?? problem.sampleCount, problem.sampleCount) }

  /// Updates per epoch, ⌈m / B⌉.
  var perEpoch: Int { (problem.sampleCount + batch - 1) / batch }

  public func parameters(of state: State) -> [Double] { state.parameters }

  public func loss(of state: State) -> Double { state.loss }

  public func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace> {
    precondition(parameters.count == problem.parameterCount, "θ₀ has the wrong length")
    var g = [Double](repeating: 0, count: problem.parameterCount)
    let f = problem.gradient(at: parameters, into: &g)
    evaluations.function += 1
    evaluations.jacobian += 1
    let state = State(
      parameters: parameters, loss: f, epoch: 0, batchInEpoch: 0, generator: RandomSource(seed: options.seed),
      step: options.method.initialState(parameterCount: parameters.count), epochStart: parameters,
      gradientNormSum: 0, horizon: nil)
    let summary = IterationSummary(
      iteration: 0, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(g), stepNorm: 0, gainRatio: .nan,
      damping: options.learningRate, accepted: true, time: 0, epoch: 0)
    return MethodStart(
      state: state, workspace: workspace(resuming: state), summary: summary,
      isFinite: f.isFinite && g.allSatisfy(\.isFinite))
  }

  /// The shuffled order of the state's epoch.
  public func workspace(resuming state: State) -> Workspace {
    var workspace = Workspace(
      order: [], afterShuffle: state.generator, gradient: [Double](repeating: 0, count: problem.parameterCount))
    shuffle(&workspace, from: state.generator)
    return workspace
  }

  /// The order of an epoch that starts with `generator` (the samples in order when one batch holds them all).
  private func shuffle(_ workspace: inout Workspace, from generator: RandomSource) {
    var generator = generator
    workspace.order = Array(0..<problem.sampleCount)
    if batch < problem.sampleCount { generator.shuffle(&workspace.order) }
    workspace.afterShuffle = generator
  }

  public func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination? { nil }

  public func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    let m = problem.sampleCount
    if state.horizon == nil { state.horizon = budget }
    if state.batchInEpoch == 0 {
      state.epochStart = state.parameters
      state.gradientNormSum = 0
    }
    // The gradient on the next mini-batch.
    let first = state.batchInEpoch * batch
    let f =
      batch == m
      ? problem.gradient(at: state.parameters, into: &workspace.gradient)
      : problem.gradient(
        at: state.parameters, batch: workspace.order[first..<min(first + batch, m)], into: &workspace.gradient)
    evaluations.function += 1
    evaluations.jacobian += 1
    guard f.isFinite && workspace.gradient.allSatisfy(\.isFinite) else {
      var outcome = IterationOutcome.stopped(.nonFiniteLoss)
      outcome.result = (state.epochStart, state.loss)
      return outcome
    }
    let gradientNorm = maxNorm(workspace.gradient)
    if batch == m && gradientNorm <= stopping.gradientTolerance {
      var outcome = IterationOutcome.stopped(.gradientTolerance(stopping.gradientTolerance))
      outcome.result = (state.parameters, f)
      return outcome
    }

    // The update.
    let rate = self.rate(update: iteration - 1, epoch: state.epoch, state: state)
    options.method.apply(
      to: &state.parameters, gradient: workspace.gradient, rate: rate, state: &state.step, step: iteration)
    state.batchInEpoch += 1
    state.gradientNormSum += gradientNorm
    guard state.batchInEpoch == perEpoch else { return IterationOutcome(summary: nil, moved: false) }

    // The epoch's end: its summary, and the order of the next.
    state.epoch += 1
    state.batchInEpoch = 0
    state.generator = workspace.afterShuffle
    let outcome = epochSummary(
      &state, batches: perEpoch, rate: rate, iteration: iteration, epoch: state.epoch, &evaluations)
    if outcome.termination == nil { shuffle(&workspace, from: state.generator) }
    return outcome
  }

  /// The partial epoch at the end of the budget, summarized without changing the state.
  public func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome? {
    guard state.batchInEpoch > 0 else { return nil }
    var closed = state
    let rate = self.rate(update: iteration - 1, epoch: state.epoch, state: state)
    return epochSummary(
      &closed, batches: state.batchInEpoch, rate: rate, iteration: iteration, epoch: state.epoch + 1, &evaluations)
  }

  /// ηₜ of the schedule, with the cosine horizon the run fixed when it started.
  func rate(update t: Int, epoch: Int, state: State) -> Double {
    options.schedule.rate(base: options.learningRate, update: t, epoch: epoch, totalUpdates: state.horizon ?? 0)
  }

  /// The summary of an epoch: the objective over all samples at θ, how far θ moved, the mean max-norm of
  /// the epoch's gradients.
  private func epochSummary(
    _ state: inout State, batches: Int, rate: Double, iteration: Int, epoch: Int, _ evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    let loss = problem.objective(at: state.parameters)
    evaluations.function += 1
    guard loss.isFinite else {
      return IterationOutcome(
        summary: nil, moved: false, termination: .nonFiniteLoss, result: (state.epochStart, state.loss))
    }
    let moved = zip(state.parameters, state.epochStart).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    let summary = IterationSummary(
      iteration: iteration, loss: loss, lossChange: state.loss - loss,
      gradientMaxNorm: state.gradientNormSum / Double(batches), stepNorm: moved, gainRatio: .nan, damping: rate,
      accepted: true, time: 0, epoch: epoch)
    state.loss = loss
    return IterationOutcome(summary: summary, moved: true)
  }
}

/// The state of a first-order run.
public struct FirstOrderState: Codable, Sendable {
  /// θ.
  public var parameters: [Double]
  /// The objective over all training samples at the end of the last epoch (at the start, at θ₀).
  public var loss: Double
  /// Whole epochs done.
  public var epoch: Int
  /// Mini-batches done in the current epoch.
  public var batchInEpoch: Int
  /// The shuffling generator as it was at the start of the current epoch.
  public var generator: RandomSource
  /// The update rule's vectors.
  public var step: FirstOrderMethod.State
  /// θ at the start of the current epoch: the last point whose full loss was finite.
  public var epochStart: [Double]
  /// Σ of the max-norms of the current epoch's gradients.
  public var gradientNormSum: Double
  /// The cosine schedule's horizon T, fixed at the first update (the budget then, unless the schedule
  /// gives its own).
  public var horizon: Int?
}
