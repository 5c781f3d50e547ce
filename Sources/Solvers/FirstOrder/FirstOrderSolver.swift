import Foundation
import KKTNet

/// The first-order solvers: batch gradient descent, SGD (one sample), mini-batch SGD, heavy-ball and
/// Nesterov momentum, and Adam — one loop over epochs of (shuffled) mini-batches, with the gradients from
/// the Lagrangian's passes, sharing the summaries and termination reasons of the Gauss–Newton family.
///
/// An iteration is one update. Each epoch (a pass over the training data, in an order shuffled by the
/// seeded generator when the batches are smaller than the data) ends with a summary: the training
/// objective over all samples, the validation loss, the learning rate. Early stopping keeps the parameters
/// of the best validation loss. The run can be checkpointed and resumed bit for bit.
public struct FirstOrderSolver: Sendable {
  public struct Options: Sendable {
    public var method: FirstOrderMethod
    /// η.
    public var learningRate: Double
    public var schedule: LearningRateSchedule
    /// Samples per update; nil for the full batch.
    public var batchSize: Int?
    /// The seed of the shuffling.
    public var seed: UInt64
    /// The budget is `maximumIterations` updates; `maximumValidationFailures` is the patience of early
    /// stopping, counted in epochs.
    public var stopping: StoppingCriteria

    public init(
      method: FirstOrderMethod, learningRate: Double, schedule: LearningRateSchedule = .constant, batchSize: Int? = nil,
      seed: UInt64 = 1, stopping: StoppingCriteria = StoppingCriteria()
    ) {
      precondition(learningRate > 0 && learningRate.isFinite, "the learning rate must be positive")
      precondition(batchSize.map { $0 >= 1 } ?? true, "the batch size must be positive")
      self.method = method
      self.learningRate = learningRate
      self.schedule = schedule
      self.batchSize = batchSize
      self.seed = seed
      self.stopping = stopping
    }
  }

  public var options: Options

  public init(options: Options) { self.options = options }

  /// Updates per epoch for m samples: ⌈m / B⌉.
  public func batchesPerEpoch(sampleCount m: Int) -> Int {
    let b = min(options.batchSize ?? m, m)
    return (m + b - 1) / b
  }

  /// Minimizes the training objective from `start`, or continues from `resume`.
  ///
  /// - Parameters:
  ///   - validation: θ ↦ validation loss, evaluated after each epoch, for early stopping.
  ///   - checkpointing: saves the state every so many updates.
  ///   - observer: called with each epoch's summary (and the start's).
  public func minimize(
    _ problem: NetworkTrainingProblem, from start: [Double], resume: SolverState? = nil,
    validation: (([Double]) -> Double)? = nil, checkpointing: Checkpointing? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    let clock = ContinuousClock()
    let started = clock.now
    func elapsed() -> Double {
      let d = clock.now - started
      return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    let m = problem.sampleCount
    let p = problem.parameterCount
    let batch = min(options.batchSize ?? m, m)
    let perEpoch = batchesPerEpoch(sampleCount: m)
    let budget = options.stopping.maximumIterations
    let stopping = options.stopping
    let method = options.method
    var tracker = validation.map { ValidationTracker(loss: $0) }

    var state: SolverState
    if let resume {
      precondition(resume.parameters.count == p, "the saved θ has the wrong length")
      state = resume
      if var t = tracker {
        t.best = resume.scalars["best_validation"] ?? .infinity
        t.bestParameters = resume.vectors["best_parameters"] ?? []
        t.failures = Int(resume.scalars["validation_failures"] ?? 0)
        tracker = t
      }
    } else {
      state = SolverState(parameters: start, generator: RandomSource(seed: options.seed))
      for name in method.vectorNames { state.vectors[name] = [Double](repeating: 0, count: p) }
      var g = [Double](repeating: 0, count: p)
      let f = problem.gradient(at: start, into: &g)
      state.functionEvaluations = 1
      state.jacobianEvaluations = 1
      let finite = f.isFinite && g.allSatisfy(\.isFinite)
      let v = finite ? tracker?.record(start) : nil
      let first = IterationSummary(
        iteration: 0, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(g), stepNorm: 0, gainRatio: .nan,
        damping: options.learningRate, accepted: true, validationLoss: v, time: 0, epoch: 0)
      state.history = [first]
      observer?(first)
      if !finite { return result(state, f, .nonFiniteStart, elapsed()) }
    }

    var order = Array(0..<m)
    var afterShuffle = state.generator
    func shuffleForEpoch() {
      order = Array(0..<m)
      var generator = state.generator!
      if batch < m { generator.shuffle(&order) }
      afterShuffle = generator
    }
    shuffleForEpoch()
    var lastLoss = state.history.last!.loss
    var lastFinite = state.parameters
    var g = [Double](repeating: 0, count: p)

    func saveState() {
      guard let checkpointing else { return }
      var snapshot = state
      if let t = tracker {
        snapshot.scalars["best_validation"] = t.best
        snapshot.scalars["validation_failures"] = Double(t.failures)
        snapshot.vectors["best_parameters"] = t.bestParameters
      }
      checkpointing.save(snapshot)
    }

    while true {
      if state.iteration >= budget {
        return result(state, lastLoss, .maximumIterations(budget), elapsed(), best: nil)
      }
      if let limit = stopping.timeLimit, elapsed() >= limit {
        return result(state, lastLoss, .timeLimit(limit), elapsed())
      }
      if state.batchInEpoch == 0 {
        state.vectors["epoch_start_parameters"] = state.parameters
        state.scalars["epoch_gradient_norm_sum"] = 0
      }
      // One update on the next mini-batch.
      let first = state.batchInEpoch * batch
      let f =
        batch == m
        ? problem.gradient(at: state.parameters, into: &g)
        : problem.gradient(at: state.parameters, batch: order[first..<min(first + batch, m)], into: &g)
      state.functionEvaluations += 1
      state.jacobianEvaluations += 1
      guard f.isFinite && g.allSatisfy(\.isFinite) else {
        state.parameters = lastFinite
        return result(state, lastLoss, .nonFiniteLoss, elapsed())
      }
      let gradientNorm = maxNorm(g)
      if batch == m && gradientNorm <= stopping.gradientTolerance {
        return result(state, f, .gradientTolerance(stopping.gradientTolerance), elapsed())
      }
      let rate = options.schedule.rate(
        base: options.learningRate, update: state.iteration, epoch: state.epoch, totalUpdates: budget)
      // Move θ and the optimizer's vectors out of `state` (captured by the local functions above) for the
      // update, without copying them.
      var theta: [Double] = []
      var vectors: [String: [Double]] = [:]
      swap(&theta, &state.parameters)
      swap(&vectors, &state.vectors)
      _ = method.apply(to: &theta, gradient: g, rate: rate, state: &vectors, step: state.iteration + 1)
      swap(&theta, &state.parameters)
      swap(&vectors, &state.vectors)
      state.iteration += 1
      state.batchInEpoch += 1
      state.scalars["epoch_gradient_norm_sum", default: 0] += gradientNorm

      let epochEnds = state.batchInEpoch == perEpoch
      if epochEnds {
        state.epoch += 1
        state.batchInEpoch = 0
        state.generator = afterShuffle
      }
      if epochEnds || state.iteration >= budget {
        // The epoch's summary, over all training samples.
        let loss = problem.objective(at: state.parameters)
        state.functionEvaluations += 1
        guard loss.isFinite else {
          state.parameters = lastFinite
          return result(state, lastLoss, .nonFiniteLoss, elapsed())
        }
        lastFinite = state.parameters
        let batches = epochEnds ? perEpoch : state.batchInEpoch
        let start = state.vectors["epoch_start_parameters"]!
        let moved = zip(state.parameters, start).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let validationLoss = tracker != nil ? tracker!.record(state.parameters) : nil
        let summary = IterationSummary(
          iteration: state.iteration, loss: loss, lossChange: lastLoss - loss,
          gradientMaxNorm: state.scalars["epoch_gradient_norm_sum"]! / Double(batches), stepNorm: moved,
          gainRatio: .nan,
          damping: rate, accepted: true, validationLoss: validationLoss, time: elapsed(),
          epoch: epochEnds ? state.epoch : state.epoch + 1)
        state.history.append(summary)
        observer?(summary)
        lastLoss = loss
        if let t = tracker, t.failures >= stopping.maximumValidationFailures {
          saveState()
          return result(state, loss, .validationStop(t.failures), elapsed(), best: t)
        }
        if loss <= stopping.goal { return result(state, loss, .goalReached(stopping.goal), elapsed()) }
        if epochEnds { shuffleForEpoch() }
      }
      if let checkpointing, state.iteration % checkpointing.every == 0 { saveState() }
    }
  }

  private func result(
    _ state: SolverState, _ loss: Double, _ termination: Termination, _ elapsed: Double, best: ValidationTracker? = nil
  )
    -> SolverResult
  {
    var parameters = state.parameters
    var finalLoss = loss
    if let best, !best.bestParameters.isEmpty, case .validationStop = termination {
      parameters = best.bestParameters
      finalLoss = state.history.first { $0.validationLoss == best.best }?.loss ?? loss
    }
    return SolverResult(
      parameters: parameters, loss: finalLoss, iterations: state.iteration, termination: termination,
      history: state.history,
      functionEvaluations: state.functionEvaluations, jacobianEvaluations: state.jacobianEvaluations, elapsed: elapsed)
  }
}
