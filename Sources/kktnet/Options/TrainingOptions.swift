import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// The flags shared by `train` and `compare-solvers`: where the network and the data come from, how the
/// data are split and standardized, the budget and the solvers' settings.
struct TrainingOptions: ParsableArguments {
  @OptionGroup(title: "The network") var model: ModelOptions
  @OptionGroup(title: "The network") var architecture: ArchitectureOptions
  @OptionGroup(title: "The network") var network: NetworkOptions
  @OptionGroup var seed: SeedOptions
  @OptionGroup(title: "The data") var data: DataOptions
  @OptionGroup(title: "The data") var preparation: PreparationOptions
  @OptionGroup(title: "Budget and stopping") var budget: BudgetOptions
  @OptionGroup(title: "First-order solvers") var firstOrder: FirstOrderOptions
  @OptionGroup(title: "Gauss–Newton and Levenberg–Marquardt") var secondOrder: SecondOrderOptions
  @OptionGroup(title: "Gauss–Newton and Levenberg–Marquardt") var robustLoss: RobustLossOptions
  @OptionGroup(title: "Augmented Lagrangian and penalty") var constrained: ConstrainedOptions

  func validate() throws {
    if model.model == nil && architecture.architecture == nil {
      throw ValidationError("give --model FILE or --architecture SIZES for the network to train.")
    }
    if model.model != nil && architecture.architecture != nil {
      throw ValidationError("give --model or --architecture, not both.")
    }
    if model.model != nil, let scheme = architecture.initialization {
      throw ValidationError(
        "--init \(scheme) draws a new network's weights, but --model gives them; leave out --init, or use --architecture."
      )
    }
    if let sizes = architecture.architecture { _ = try network.architecture(sizes) }
    if preparation.standardizeTargets && !preparation.standardize {
      throw ValidationError("--standardize-targets goes with --standardize.")
    }
    if preparation.standardizeTargets, let loss = network.loss, loss != .meanSquaredError {
      throw ValidationError("--standardize-targets is for regression (mse); the \(loss) targets are class labels.")
    }
  }

  /// Checks the settings that depend on the solver: the cosine schedule's final rate may not exceed the
  /// solver's rate (given or default), or the schedule would raise η instead of lowering it.
  func validate(for solver: SolverKind) throws {
    if let robust = robustLoss.robust, solver.isFirstOrder {
      throw ValidationError(
        "--robust \(robust.rawValue) needs --solver gauss-newton or levenberg-marquardt (the Triggs correction of the Gauss–Newton family), not \(solver)."
      )
    }
    let rate = plan(solver).effectiveLearningRate
    if solver.isFirstOrder && firstOrder.schedule == .cosine && firstOrder.minLearningRate > rate {
      throw ValidationError(
        "--min-learning-rate (\(quoted(firstOrder.minLearningRate))) cannot exceed the learning rate of \(solver) (\(quoted(rate)))."
      )
    }
  }

  /// The plan for one solver.
  func plan(_ solver: SolverKind) -> TrainingPlan {
    var plan = TrainingPlan(solver: solver)
    plan.learningRate = firstOrder.learningRate
    plan.batchSize = firstOrder.batchSize
    plan.momentum = firstOrder.momentum
    plan.schedule = LearningRateSchedule(
      firstOrder.schedule, every: firstOrder.stepEvery, factor: firstOrder.stepFactor,
      minimum: firstOrder.minLearningRate, horizon: firstOrder.cosineHorizon)
    plan.epochs = budget.epochs
    plan.maximumIterations = budget.maxIterations
    plan.seed = seed.seed
    plan.goal = budget.goal
    plan.timeLimit = budget.timeLimit
    plan.patience = budget.patience
    plan.damping = secondOrder.damping
    plan.scaling = secondOrder.scaling
    plan.linearSolver = secondOrder.linearSolver
    plan.geodesicAcceleration = secondOrder.geodesicAcceleration
    plan.robustLoss = robustLoss.robust
    plan.robustScale = robustLoss.robustScale
    plan.rho = constrained.rho
    plan.rhoGrowth = constrained.rhoGrowth
    plan.innerIterations = constrained.innerIterations
    return plan
  }

  /// The flag that sets each of ``TrainingPlan``'s trajectory settings, for messages.
  static let flags: [String: String] = [
    "solver": "--solver", "learningRate": "--learning-rate",
    "schedule": "--schedule (with --step-every, --step-factor, --min-learning-rate, --cosine-horizon)",
    "batchSize": "--batch-size", "momentum": "--momentum", "seed": "--seed", "damping": "--damping",
    "scaling": "--scaling", "linearSolver": "--linear-solver", "geodesicAcceleration": "--geodesic-acceleration",
    "robustLoss": "--robust", "robustScale": "--robust-scale", "rho": "--rho", "rhoGrowth": "--rho-growth",
    "innerIterations": "--inner-iterations",
  ]
}

/// How the data are split and standardized.
struct PreparationOptions: ParsableArguments {
  @Flag(help: "Standardize the inputs (z-score from the training samples); the statistics go into the model.")
  var standardize = false

  @Flag(help: "Standardize regression targets too; predictions are converted back.")
  var standardizeTargets = false

  @Option(help: "Hold out this fraction of the samples (chosen by --seed) for validation, 0 < F < 1.")
  var validationSplit: Double?

  @Option(help: "Validate on this CSV file instead.")
  var validation: String?

  func validate() throws {
    if let split = validationSplit, !(split > 0 && split < 1) {
      throw ValidationError("--validation-split must lie strictly between 0 and 1, not \(quoted(split)).")
    }
    if let path = validation, let fraction = Double(path), !FileManager.default.fileExists(atPath: path) {
      throw ValidationError(
        "--validation takes a CSV file; to hold out \(quoted(fraction)) of the samples, give --validation-split \(quoted(fraction))."
      )
    }
    if validationSplit != nil && validation != nil {
      throw ValidationError("give --validation-split or --validation, not both.")
    }
  }
}

/// The budget and the stopping rules: what a resumed run may change.
struct BudgetOptions: ParsableArguments {
  @Option(help: "Passes over the training data (first-order solvers) or iterations (Gauss–Newton, LM). Default 100.")
  var epochs: Int?

  @Option(help: "Updates (first-order solvers) or iterations (Gauss–Newton, LM), instead of --epochs.")
  var maxIterations: Int?

  @Option(help: "Stop when the training loss falls to this value (a number, or -inf for never).")
  var goal: Double = 0

  @Option(help: "Stop after this many seconds (counted over every session of a resumed run).")
  var timeLimit: Double?

  @Option(
    help:
      "Early stopping: stop after this many evaluations without a new best validation loss (default 20 epochs or admm iterations; 6 for LM, trainlm's max_fail)."
  )
  var patience: Int?

  func validate() throws {
    if epochs != nil && maxIterations != nil { throw ValidationError("give --epochs or --max-iterations, not both.") }
    for (name, value) in [("--epochs", epochs), ("--max-iterations", maxIterations), ("--patience", patience)] {
      if let value, value < 1 { throw ValidationError("\(name) must be at least 1, not \(value).") }
    }
    if !goal.isFinite && goal != -.infinity { throw ValidationError("--goal must be a number, not \(quoted(goal)).") }
    if let limit = timeLimit, !(limit > 0 && limit.isFinite) {
      throw ValidationError("--time-limit must be a positive number of seconds, not \(quoted(limit)).")
    }
  }
}

/// The settings of the first-order solvers.
struct FirstOrderOptions: ParsableArguments {
  @Option(help: "Samples per update (default: 1 for sgd, 32 for minibatch, all otherwise).")
  var batchSize: Int?

  @Option(help: "η (default: gd 0.1, sgd 0.01, minibatch/momentum/nesterov 0.05, adam 0.001).")
  var learningRate: Double?

  @Option(help: "constant, step (×--step-factor every --step-every epochs) or cosine (to --min-learning-rate).")
  var schedule: LearningRateSchedule.Shape = .constant

  @Option(help: "Epochs between step decays.")
  var stepEvery: Int = 30

  @Option(help: "The factor of each step decay, 0 < γ ≤ 1.")
  var stepFactor: Double = 0.1

  @Option(help: "The final rate of the cosine schedule, 0 ≤ η_min ≤ η.")
  var minLearningRate: Double = 0

  @Option(
    help: "Updates over which the cosine schedule falls (default: the budget when training starts; kept on resume).")
  var cosineHorizon: Int?

  @Option(help: "β of momentum and Nesterov, 0 ≤ β < 1.")
  var momentum: Double = 0.9

  func validate() throws {
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize).") }
    if let rate = learningRate, !(rate > 0 && rate.isFinite) {
      throw ValidationError("--learning-rate must be positive and finite, not \(quoted(rate)).")
    }
    if !(momentum >= 0 && momentum < 1) {
      throw ValidationError("--momentum must lie in [0, 1), not \(quoted(momentum)).")
    }
    if stepEvery < 1 { throw ValidationError("--step-every must be at least 1, not \(stepEvery).") }
    if !(stepFactor > 0 && stepFactor <= 1) {
      throw ValidationError("--step-factor must lie in (0, 1], not \(quoted(stepFactor)).")
    }
    if !(minLearningRate >= 0 && minLearningRate.isFinite) {
      throw ValidationError("--min-learning-rate must be finite and not negative, not \(quoted(minLearningRate)).")
    }
    if let rate = learningRate, minLearningRate > rate {
      throw ValidationError(
        "--min-learning-rate (\(quoted(minLearningRate))) cannot exceed --learning-rate (\(quoted(rate))).")
    }
    if let horizon = cosineHorizon, horizon < 1 {
      throw ValidationError("--cosine-horizon must be at least 1, not \(horizon).")
    }
  }
}

/// The settings of Gauss–Newton and Levenberg–Marquardt.
struct SecondOrderOptions: ParsableArguments {
  @Option(
    help:
      "LM's damping: trust-region (Moré/MINPACK, default), nielsen (gain-ratio schedule) or trainlm (×0.1 / ×10, stop at μ > 1e10)."
  )
  var damping: DampingKind = .trustRegion

  @Option(help: "The D of a damping schedule: levenberg (D = I, default) or marquardt (D = diag JᵀJ, running maximum).")
  var scaling: DampingScaling = .identity

  @Option(
    help:
      "cholesky, qr or svd (default: for LM's trust region QR of J when it fits in 32 MiB, else Cholesky; cholesky for a schedule; svd for Gauss–Newton)."
  )
  var linearSolver: LinearSolverKind?

  @Flag(help: "Levenberg–Marquardt with geodesic acceleration (mse only).")
  var geodesicAcceleration = false
}
