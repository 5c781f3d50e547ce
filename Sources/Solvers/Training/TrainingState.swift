import KKTNet

/// A saved training run: the run state of whichever solver the plan runs. It is what a checkpoint holds,
/// beside the plan that made it.
public enum TrainingState: Codable, Sendable {
  /// A Levenberg–Marquardt run's state.
  case levenbergMarquardt(RunState<LevenbergMarquardt.State>)
  /// A Gauss–Newton run's state.
  case gaussNewton(RunState<GaussNewton.State>)
  /// A first-order run's state.
  case firstOrder(RunState<FirstOrderSolver.State>)
  /// A Bayesian-regularization run's state.
  case bayesianRegularization(RunState<BayesianRegularization.State>)
  /// An augmented-Lagrangian or quadratic-penalty run's state.
  case constrained(RunState<ConstrainedTraining.State>)
  /// A dlADMM run's state.
  case admm(RunState<DeepLearningADMM.State>)

  /// Iterations done.
  public var iteration: Int {
    switch self {
    case .levenbergMarquardt(let run): return run.iteration
    case .gaussNewton(let run): return run.iteration
    case .firstOrder(let run): return run.iteration
    case .bayesianRegularization(let run): return run.iteration
    case .constrained(let run): return run.iteration
    case .admm(let run): return run.iteration
    }
  }

  /// θ.
  public var parameters: [Double] {
    switch self {
    case .levenbergMarquardt(let run): return run.method.parameters
    case .gaussNewton(let run): return run.method.parameters
    case .firstOrder(let run): return run.method.parameters
    case .bayesianRegularization(let run): return run.method.parameters
    case .constrained(let run): return run.method.parameters
    case .admm(let run): return run.method.parameters
    }
  }

  /// The summaries so far.
  public var history: [IterationSummary] {
    switch self {
    case .levenbergMarquardt(let run): return run.history
    case .gaussNewton(let run): return run.history
    case .firstOrder(let run): return run.history
    case .bayesianRegularization(let run): return run.history
    case .constrained(let run): return run.history
    case .admm(let run): return run.history
    }
  }

  /// Epochs done (first-order solvers), nil otherwise.
  public var epoch: Int? {
    if case .firstOrder(let run) = self { return run.method.epoch }
    return nil
  }
}

/// When and where a training run saves its ``TrainingState``: every `every` iterations, and at the end.
public struct TrainingCheckpointing {
  /// Iterations between two saves.
  public var every: Int
  /// Called with the state to save.
  public var save: (TrainingState) -> Void

  /// Saves the state through `save` every `every` iterations and at the end.
  public init(every: Int, save: @escaping (TrainingState) -> Void) {
    precondition(every >= 1, "checkpoints need a positive interval")
    self.every = every
    self.save = save
  }
}

/// The result of a training run: the solver's result and the trained network.
///
/// The solver result's properties read through it: `result.loss` is J(θ) of the trained network over the
/// training samples — the mean loss (1/m)Σℓ plus the penalty; for mse ℓ = ½‖xᴺ − y‖², so J is half the
/// mean squared error of a one-output network — and `result.termination`, `result.history` are the solver's.
@dynamicMemberLookup
public struct TrainingResult: Sendable {
  /// What the solver reported.
  public var solverResult: SolverResult
  /// The network with the trained parameters (after early stopping, the best validated ones).
  public var network: Network

  /// The solver result's properties (`result.loss`, `result.termination`, …) on the training result.
  public subscript<T>(dynamicMember keyPath: KeyPath<SolverResult, T>) -> T { solverResult[keyPath: keyPath] }
}
