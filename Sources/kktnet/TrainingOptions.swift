import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// The flags shared by `train` and `compare-solvers`: where the network and the data come from, how the
/// data are split and standardized, the budget and the solvers' settings.
struct TrainingOptions: ParsableArguments {
  // MARK: The network

  @Option(help: "Start from this model file (else build one with --architecture).")
  var model: String?

  @Option(help: "Layer sizes n₀-…-n_N for a new network (n₀ and n_N must fit the data).")
  var architecture: String?

  @Option(help: "Activations: one for every hidden layer, or one per layer (default tanh; overrides --model's).")
  var activations: String?

  @Option(help: "The loss: mse, bce or ce (default mse for a new network; overrides --model's).", transform: parseLoss)
  var loss: Loss?

  @Option(help: "λ₁ of the L1 penalty (first-order solvers only).")
  var l1: Double?

  @Option(help: "λ₂ of the L2 penalty.")
  var l2: Double?

  @Option(
    name: .customLong("init"), help: "xavier-uniform, xavier-normal, he or zeros, for a new network.",
    transform: parseInitialization)
  var initialization: Initialization = .xavierUniform

  @Option(help: "The seed of the new network's weights, of the validation split and of the shuffling.")
  var seed: UInt64 = 1

  // MARK: The data

  @Option(help: "The training data (CSV with a header row).")
  var data: String

  @Option(help: "The target column(s), comma-separated (default: the last column).")
  var target: String?

  @Flag(help: "Standardize the inputs (z-score from the training samples); the statistics go into the model.")
  var standardize = false

  @Flag(help: "Standardize regression targets too; predictions are converted back.")
  var standardizeTargets = false

  @Option(help: "Hold out this fraction of the samples (chosen by --seed) for validation.")
  var validationSplit: Double?

  @Option(help: "Validate on this CSV file instead.")
  var validation: String?

  // MARK: Budget and stopping

  @Option(help: "Passes over the training data (first-order solvers) or iterations (Gauss–Newton, LM). Default 100.")
  var epochs: Int?

  @Option(help: "Updates (first-order solvers) or iterations (Gauss–Newton, LM), instead of --epochs.")
  var maxIterations: Int?

  @Option(help: "Stop when the training loss falls to this value.")
  var goal: Double = 0

  @Option(help: "Stop after this many seconds.")
  var timeLimit: Double?

  @Option(
    help:
      "Early stopping: stop after this many evaluations without a new best validation loss (default 20 epochs; 6 for LM, trainlm's max_fail)."
  )
  var patience: Int?

  // MARK: First-order solvers

  @Option(help: "Samples per update (default: 1 for sgd, 32 for minibatch, all otherwise).")
  var batchSize: Int?

  @Option(help: "η (default: gd 0.1, sgd 0.01, minibatch/momentum/nesterov 0.05, adam 0.001).")
  var learningRate: Double?

  @Option(help: "constant, step (×--step-factor every --step-every epochs) or cosine (to --min-learning-rate).")
  var schedule: ScheduleName = .constant

  @Option(help: "Epochs between step decays.")
  var stepEvery: Int = 30

  @Option(help: "The factor of each step decay.")
  var stepFactor: Double = 0.1

  @Option(help: "The final rate of the cosine schedule.")
  var minLearningRate: Double = 0

  @Option(help: "β of momentum and Nesterov.")
  var momentum: Double = 0.9

  // MARK: Gauss–Newton and Levenberg–Marquardt

  @Option(help: "nielsen (gain-ratio, default) or trainlm (×0.1 / ×10, stop at μ > 1e10).")
  var damping: DampingName = .nielsen

  @Option(help: "levenberg (D = I, default) or marquardt (D = diag JᵀJ, Moré's running maximum).")
  var scaling: ScalingName = .levenberg

  @Option(help: "cholesky, qr or svd (default: cholesky for LM, svd for Gauss–Newton).")
  var linearSolver: LinearSolverName?

  @Flag(help: "Levenberg–Marquardt with geodesic acceleration (mse only).")
  var geodesicAcceleration = false

  enum ScheduleName: String, ExpressibleByArgument, CaseIterable { case constant, step, cosine }
  enum DampingName: String, ExpressibleByArgument, CaseIterable { case nielsen, trainlm }
  enum ScalingName: String, ExpressibleByArgument, CaseIterable { case levenberg, marquardt }
  enum LinearSolverName: String, ExpressibleByArgument, CaseIterable { case cholesky, qr, svd }

  func validate() throws {
    if model == nil && architecture == nil {
      throw ValidationError("give --model FILE or --architecture SIZES for the network to train.")
    }
    if model != nil && architecture != nil { throw ValidationError("give --model or --architecture, not both.") }
    for value in [l1, l2].compactMap({ $0 }) where !(value >= 0 && value.isFinite) {
      throw ValidationError("--l1 and --l2 must be finite and not negative.")
    }
    if let split = validationSplit, !(split > 0 && split < 1) {
      throw ValidationError("--validation-split must lie strictly between 0 and 1.")
    }
    if let path = validation, let fraction = Double(path), !FileManager.default.fileExists(atPath: path) {
      throw ValidationError(
        "--validation takes a CSV file; to hold out \(fraction) of the samples, give --validation-split \(fraction).")
    }
    if validationSplit != nil && validation != nil {
      throw ValidationError("give --validation-split or --validation, not both.")
    }
    if epochs != nil && maxIterations != nil { throw ValidationError("give --epochs or --max-iterations, not both.") }
    for (name, value) in [
      ("--epochs", epochs), ("--max-iterations", maxIterations), ("--batch-size", batchSize), ("--patience", patience),
    ] {
      if let value, value < 1 { throw ValidationError("\(name) must be at least 1.") }
    }
    if let rate = learningRate, !(rate > 0 && rate.isFinite) {
      throw ValidationError("--learning-rate must be positive.")
    }
    if let limit = timeLimit, !(limit > 0) { throw ValidationError("--time-limit must be positive.") }
    if !(momentum >= 0 && momentum < 1) { throw ValidationError("--momentum must lie in [0, 1).") }
    if stepEvery < 1 || !(stepFactor > 0) {
      throw ValidationError("--step-every must be at least 1 and --step-factor positive.")
    }
    if standardizeTargets && !standardize { throw ValidationError("--standardize-targets goes with --standardize.") }
  }

  /// The plan for one solver.
  func plan(_ solver: SolverKind) -> TrainingPlan {
    var plan = TrainingPlan(solver: solver)
    plan.learningRate = learningRate
    plan.batchSize = batchSize
    plan.momentum = momentum
    plan.epochs = epochs
    plan.maximumIterations = maxIterations
    plan.seed = seed
    plan.goal = goal
    plan.timeLimit = timeLimit
    plan.patience = patience
    switch schedule {
    case .constant: plan.schedule = .constant
    case .step: plan.schedule = .stepDecay(every: stepEvery, factor: stepFactor)
    case .cosine: plan.schedule = .cosine(minimum: minLearningRate)
    }
    plan.multiplicativeDamping = damping == .trainlm
    plan.scaling = scaling == .marquardt ? .marquardt : .identity
    plan.linearSolver = linearSolver.map { LinearSolverKind(rawValue: $0.rawValue)! }
    plan.geodesicAcceleration = geodesicAcceleration
    return plan
  }

  /// The flags that decide a run's trajectory, for matching a checkpoint to the run that resumes it.
  func configuration(_ solver: SolverKind) -> String {
    var parts = ["--solver \(solver)"]
    func add(_ flag: String, _ value: Any?) { if let value { parts.append("\(flag) \(value)") } }
    add("--model", model)
    add("--architecture", architecture)
    add("--activations", activations)
    add("--loss", loss)
    add("--l1", l1)
    add("--l2", l2)
    add("--init", model == nil ? initialization.rawValue : nil)
    add("--seed", seed)
    add("--data", data)
    add("--target", target)
    add("--standardize", standardize ? "" : nil)
    add("--standardize-targets", standardizeTargets ? "" : nil)
    add("--validation-split", validationSplit)
    add("--validation", validation)
    add("--epochs", epochs)
    add("--max-iterations", maxIterations)
    add("--goal", goal)
    add("--patience", patience)
    if solver.isFirstOrder {
      add("--batch-size", batchSize)
      add("--learning-rate", learningRate)
      add("--schedule", schedule.rawValue)
      if schedule == .step { add("--step", "\(stepEvery)×\(stepFactor)") }
      if schedule == .cosine { add("--min-learning-rate", minLearningRate) }
      if solver == .momentum || solver == .nesterov { add("--momentum", momentum) }
    } else {
      add("--damping", damping.rawValue)
      add("--scaling", scaling.rawValue)
      add("--linear-solver", linearSolver?.rawValue)
      add("--geodesic-acceleration", geodesicAcceleration ? "" : nil)
    }
    return parts.joined(separator: " ")
  }
}
