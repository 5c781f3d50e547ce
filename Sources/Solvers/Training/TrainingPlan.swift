import KKTNet

/// Everything that decides a training run — solver, rates, batches, budget, stopping rules, seeds — with
/// the defaults a command line would choose. ``run(network:inputs:targets:validation:resume:checkpointing:observer:)``
/// builds the matching problem (least squares for mse, generalized Gauss–Newton for bce/ce, mini-batch
/// gradients for first-order methods) and solver.
public struct TrainingPlan: Sendable {
  public var solver: SolverKind
  /// η (first-order); nil for the solver's default.
  public var learningRate: Double?
  public var schedule: LearningRateSchedule = .constant
  /// Samples per update (first-order); nil for the solver's default.
  public var batchSize: Int?
  /// β of momentum and Nesterov.
  public var momentum: Double = 0.9
  /// Passes over the training data (first-order), or iterations (Gauss–Newton family).
  public var epochs: Int?
  /// Updates (first-order) or iterations (Gauss–Newton family); used when `epochs` is nil.
  public var maximumIterations: Int?
  /// The shuffling seed.
  public var seed: UInt64 = 1
  /// Levenberg–Marquardt: Nielsen's damping (default) or trainlm's multiplicative schedule.
  public var multiplicativeDamping = false
  public var scaling: DampingScaling = .identity
  /// nil for the default: Cholesky for Levenberg–Marquardt, SVD for Gauss–Newton.
  public var linearSolver: LinearSolverKind?
  public var geodesicAcceleration = false
  public var goal: Double = 0
  public var timeLimit: Double?
  /// Early stopping: evaluations (epochs or accepted steps) without a new best validation loss; nil for
  /// the default, 6 (trainlm's max_fail) for the Gauss–Newton family and 20 epochs for first-order methods.
  public var patience: Int?
  /// Convergence tolerances of the Gauss–Newton family.
  public var gradientTolerance: Double = 1e-12
  public var stepTolerance: Double = 1e-12
  public var functionTolerance: Double = 1e-12

  public init(solver: SolverKind) { self.solver = solver }

  /// The default budget: 100 epochs or iterations.
  public static let defaultBudget = 100

  /// η actually used.
  public var effectiveLearningRate: Double { learningRate ?? solver.defaultLearningRate ?? 0 }

  /// Samples per update actually used, for m samples.
  public func effectiveBatchSize(sampleCount m: Int) -> Int { min(batchSize ?? solver.defaultBatchSize ?? m, m) }

  /// The iteration budget for m training samples: updates for first-order methods (epochs × ⌈m/B⌉).
  public func iterationBudget(sampleCount m: Int) -> Int {
    if solver.isFirstOrder {
      let b = effectiveBatchSize(sampleCount: m)
      let perEpoch = (m + b - 1) / b
      if let epochs { return epochs * perEpoch }
      return maximumIterations ?? Self.defaultBudget * perEpoch
    }
    return epochs ?? maximumIterations ?? Self.defaultBudget
  }

  func stopping(sampleCount m: Int) -> StoppingCriteria {
    StoppingCriteria(
      maximumIterations: iterationBudget(sampleCount: m), gradientTolerance: gradientTolerance,
      stepTolerance: stepTolerance, functionTolerance: functionTolerance, goal: goal, timeLimit: timeLimit,
      maximumValidationFailures: patience ?? (solver.isFirstOrder ? 20 : 6))
  }

  /// Why the plan cannot train this network, as a sentence, or nil.
  public func problem(with network: Network) -> String? {
    if !solver.isFirstOrder && network.regularization.l1 > 0 {
      return "\(solver) handles λ₂ as least-squares rows but not the L1 penalty; use a first-order solver for λ₁ > 0"
    }
    if linearSolver == .qr && network.loss != .meanSquaredError && !solver.isFirstOrder {
      return "QR needs the residual Jacobian, which \(network.loss) does not have; use --linear-solver cholesky or svd"
    }
    if geodesicAcceleration && (network.loss != .meanSquaredError || solver != .levenbergMarquardt) {
      return "geodesic acceleration needs Levenberg–Marquardt and the residuals of the mse loss"
    }
    return nil
  }

  /// Trains `network` on the samples (columns) of `inputs`/`targets`.
  ///
  /// - Parameters:
  ///   - validation: validation inputs and targets, for early stopping; the validation loss is the data
  ///     term (1/m)Σℓ, without the penalty.
  public func run(
    network: Network, inputs: Matrix, targets: Matrix, validation: (inputs: Matrix, targets: Matrix)? = nil,
    resume: SolverState? = nil, checkpointing: Checkpointing? = nil, observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    precondition(problem(with: network) == nil, problem(with: network) ?? "")
    let m = inputs.columns
    let validationLoss: (([Double]) -> Double)? = validation.map { v in
      var unpenalized = network
      unpenalized.regularization = .none
      let check = NetworkTrainingProblem(network: unpenalized, inputs: v.inputs, targets: v.targets)
      return { check.objective(at: $0) }
    }
    let stopping = stopping(sampleCount: m)
    switch solver {
    case .gaussNewton, .levenbergMarquardt:
      let objective: any GaussNewtonObjective =
        network.loss == .meanSquaredError
        ? NetworkLeastSquaresProblem(network: network, inputs: inputs, targets: targets)
        : NetworkGaussNewtonProblem(network: network, inputs: inputs, targets: targets)
      if solver == .gaussNewton {
        let options = GaussNewton.Options(linearSolver: linearSolver ?? .svd, stopping: stopping)
        return GaussNewton(options: options).minimize(
          objective, from: network.parameters, resume: resume, validation: validationLoss, checkpointing: checkpointing,
          observer: observer)
      }
      let options = LevenbergMarquardt.Options(
        damping: multiplicativeDamping ? MultiplicativeDamping() : NielsenDamping(), scaling: scaling,
        linearSolver: linearSolver ?? .cholesky,
        geodesicAcceleration: geodesicAcceleration ? GeodesicAcceleration() : nil,
        stopping: stopping)
      return LevenbergMarquardt(options: options).minimize(
        objective, from: network.parameters, resume: resume, validation: validationLoss, checkpointing: checkpointing,
        observer: observer)
    default:
      let method: FirstOrderMethod
      switch solver {
      case .momentum: method = .momentum(beta: momentum)
      case .nesterov: method = .nesterov(beta: momentum)
      case .adam: method = .adam
      default: method = .gradientDescent
      }
      let options = FirstOrderSolver.Options(
        method: method, learningRate: effectiveLearningRate, schedule: schedule,
        batchSize: effectiveBatchSize(sampleCount: m), seed: seed, stopping: stopping)
      return FirstOrderSolver(options: options).minimize(
        NetworkTrainingProblem(network: network, inputs: inputs, targets: targets), from: network.parameters,
        resume: resume,
        validation: validationLoss, checkpointing: checkpointing, observer: observer)
    }
  }
}
