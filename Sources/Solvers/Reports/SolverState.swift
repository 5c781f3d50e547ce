import KKTNet

/// Everything a solver needs to continue a run exactly where it stopped: the iteration counters, θ, the
/// optimizer's vectors and numbers, the random generator, and the history so far. A run resumed from the
/// state it saved ends bit for bit where the uninterrupted run ends.
public struct SolverState: Equatable, Sendable {
  /// Iterations done (updates for first-order solvers, trial steps for Levenberg–Marquardt).
  public var iteration: Int
  /// Whole epochs done (first-order solvers).
  public var epoch: Int
  /// Mini-batches done in the current epoch.
  public var batchInEpoch: Int
  /// θ.
  public var parameters: [Double]
  /// Named vectors: `velocity`, `first_moment`, `second_moment`, `scaling`, `best_parameters`, ….
  public var vectors: [String: [Double]]
  /// Named numbers: `damping`, `growth`, `best_validation`, `validation_failures`, ….
  public var scalars: [String: Double]
  /// The shuffling generator as it was at the start of the current epoch (first-order solvers).
  public var generator: RandomSource?
  public var history: [IterationSummary]
  public var functionEvaluations: Int
  public var jacobianEvaluations: Int

  public init(
    iteration: Int = 0, epoch: Int = 0, batchInEpoch: Int = 0, parameters: [Double], vectors: [String: [Double]] = [:],
    scalars: [String: Double] = [:], generator: RandomSource? = nil, history: [IterationSummary] = [],
    functionEvaluations: Int = 0, jacobianEvaluations: Int = 0
  ) {
    self.iteration = iteration
    self.epoch = epoch
    self.batchInEpoch = batchInEpoch
    self.parameters = parameters
    self.vectors = vectors
    self.scalars = scalars
    self.generator = generator
    self.history = history
    self.functionEvaluations = functionEvaluations
    self.jacobianEvaluations = jacobianEvaluations
  }
}

/// When and where a solver saves its state.
public struct Checkpointing {
  /// Save after every this many iterations.
  public var every: Int
  /// Receives the state to save.
  public var save: (SolverState) -> Void

  public init(every: Int, save: @escaping (SolverState) -> Void) {
    precondition(every >= 1, "checkpoints need a positive interval")
    self.every = every
    self.save = save
  }
}
