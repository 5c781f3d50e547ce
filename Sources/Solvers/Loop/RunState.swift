/// Everything a run needs to continue exactly where it stopped: the loop's counters, the history, the
/// validation record, the time spent, and the method's own state (θ, f and the state of each part:
/// the damping, the scaling, the optimizer's moments, the shuffling generator). A run resumed from the
/// state it saved ends bit for bit where the uninterrupted run ends, on the same machine.
///
/// It is `Codable`: a checkpoint is this state (plus the plan that made it), encoded once.
public struct RunState<MethodState: Codable & Sendable>: Codable, Sendable {
  /// Iterations done: trial steps for the Gauss–Newton family, updates for first-order solvers.
  public var iteration: Int
  /// Evaluations so far.
  public var evaluations: EvaluationCounts
  /// One summary per reported iteration, the start (iteration 0) first.
  public var history: [IterationSummary]
  /// The validation losses seen so far, for early stopping.
  public var validation: ValidationRecord
  /// Seconds spent in this run so far, over every session that continued it.
  public var elapsed: Double
  /// The method's state.
  public var method: MethodState

  /// A run's state from its parts.
  public init(
    iteration: Int = 0, evaluations: EvaluationCounts = .init(), history: [IterationSummary] = [],
    validation: ValidationRecord = .init(), elapsed: Double = 0, method: MethodState
  ) {
    self.iteration = iteration
    self.evaluations = evaluations
    self.history = history
    self.validation = validation
    self.elapsed = elapsed
    self.method = method
  }
}

/// How often a solver evaluated the problem.
public struct EvaluationCounts: Codable, Sendable, Equatable {
  /// Evaluations of the objective or the residuals.
  public var function = 0
  /// Evaluations of the Jacobian, of JᵀJ and Jᵀr, or of a gradient.
  public var jacobian = 0

  /// Counts from their values (0 by default).
  public init(function: Int = 0, jacobian: Int = 0) {
    self.function = function
    self.jacobian = jacobian
  }
}

/// When and where a solver saves its state: after every `every` iterations, and once more when the run
/// ends (whatever ends it), so that a finished or interrupted run can be continued with a larger budget.
public struct Checkpointing<MethodState: Codable & Sendable> {
  /// Save after every this many iterations.
  public var every: Int
  /// Receives the state to save.
  public var save: (RunState<MethodState>) -> Void

  /// Calls `save` with the run's state every `every` iterations and at the end.
  public init(every: Int, save: @escaping (RunState<MethodState>) -> Void) {
    precondition(every >= 1, "checkpoints need a positive interval")
    self.every = every
    self.save = save
  }
}

extension RunState {
  /// The same run with its method's state converted (for a solver that wraps another's state).
  public func mapMethod<Other: Codable & Sendable>(_ transform: (MethodState) -> Other) -> RunState<Other> {
    RunState<Other>(
      iteration: iteration, evaluations: evaluations, history: history, validation: validation, elapsed: elapsed,
      method: transform(method))
  }
}
