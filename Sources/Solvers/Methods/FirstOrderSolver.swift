import KKTNet

/// The first-order solvers: batch gradient descent, SGD (one sample), mini-batch SGD, heavy-ball and
/// Nesterov momentum, and Adam — epochs of (shuffled) mini-batches with the gradients from the
/// Lagrangian's passes, sharing the loop, summaries and termination reasons of the Gauss–Newton family.
///
/// An iteration is one update. Each epoch (a pass over the training data, in an order shuffled by the
/// seeded generator when the batches are smaller than the data) ends with a summary: the training
/// objective over all samples, the validation loss, the learning rate. Early stopping keeps the parameters
/// of the best validation loss. The run can be checkpointed and resumed bit for bit.
///
/// It is the composition of a step rule (``FirstOrderMethod``) and a ``LearningRateSchedule``
/// (``FirstOrderIteration``), run by ``Minimizer``.
public struct FirstOrderSolver: Sendable {
  /// The settings of a first-order run.
  public struct Options: Sendable, Codable, Equatable {
    /// Gradient descent, momentum, Nesterov or Adam.
    public var method: FirstOrderMethod
    /// η.
    public var learningRate: Double
    /// How η changes over the epochs.
    public var schedule: LearningRateSchedule
    /// Samples per update; nil for the full batch.
    public var batchSize: Int?
    /// The seed of the shuffling.
    public var seed: UInt64
    /// The budget is `maximumIterations` updates; `maximumValidationFailures` is the patience of early
    /// stopping, counted in epochs.
    public var stopping: StoppingCriteria

    /// The settings of a first-order run.
    ///
    /// - Precondition: `learningRate` > 0 and finite, `batchSize` ≥ 1 (a ``TrainingPlan`` checks both and
    ///   throws instead).
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

  /// The settings.
  public var options: Options

  /// A solver with the given settings.
  public init(options: Options) { self.options = options }

  /// What a checkpoint of a first-order run holds.
  public typealias State = FirstOrderState

  /// Updates per epoch for m samples: ⌈m / B⌉.
  public func batchesPerEpoch(sampleCount m: Int) -> Int {
    let b = min(options.batchSize ?? m, m)
    return (m + b - 1) / b
  }

  /// The iteration this solver runs on `problem`.
  public func method(for problem: NetworkTrainingProblem) -> FirstOrderIteration {
    FirstOrderIteration(problem: problem, options: options)
  }

  /// Minimizes the training objective from `start`, or continues `resume`.
  ///
  /// - Parameters:
  ///   - validation: the validation loss, evaluated after each epoch, for early stopping.
  ///   - checkpointing: saves the state every so many updates and at the end.
  ///   - interruption: ends the run between two updates when requested.
  ///   - observer: called with each epoch's summary (and the start's); a trailing closure is this.
  public func minimize(
    _ problem: NetworkTrainingProblem, from start: [Double], resume: RunState<State>? = nil,
    validation: Validation? = nil, checkpointing: Checkpointing<State>? = nil, interruption: Interruption? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    Minimizer(method: method(for: problem), stopping: options.stopping).minimize(
      from: start, resume: resume, validation: validation, checkpointing: checkpointing, interruption: interruption,
      observer: observer)
  }
}
