import KKTNet

/// Everything that decides a training run — solver, rates, batches, budget, stopping rules, seeds — with
/// the defaults a command line would choose. ``run(network:inputs:targets:validation:resume:checkpointing:interruption:observer:)``
/// builds the matching problem (least squares for mse, generalized Gauss–Newton for bce/ce, mini-batch
/// gradients for first-order methods) and solver.
public struct TrainingPlan: Sendable, Codable, Equatable {
  /// The method: a first-order solver, Gauss–Newton or Levenberg–Marquardt.
  public var solver: SolverKind
  /// η (first-order); nil for the solver's default.
  public var learningRate: Double?
  /// How η changes over the epochs (first-order).
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
  /// Levenberg–Marquardt's damping: Nielsen's gain-ratio rule (default) or trainlm's schedule.
  public var damping: DampingKind = .trustRegion
  /// D of a damping schedule: the identity (Levenberg) or diag(JᵀJ) (Marquardt).
  public var scaling: DampingScaling = .identity
  /// nil for the default: Cholesky for Levenberg–Marquardt, SVD for Gauss–Newton.
  public var linearSolver: LinearSolverKind?
  /// Geodesic acceleration (Levenberg–Marquardt with a damping schedule and mse only).
  public var geodesicAcceleration = false
  /// A robust loss on the data residuals of an mse network (Gauss–Newton family), or nil for least squares:
  /// f = (1/2m) Σᵢⱼ C²ρ(((xᴺᵢⱼ − yᵢⱼ)/C)²) + (λ₂/2)‖W‖², through the Triggs correction
  /// (``RobustLeastSquaresProblem`` with scale C/√m on the residuals (xᴺ − y)/√m; the penalty rows stay
  /// quadratic). The validation loss stays the mse.
  public var robustLoss: RobustLoss?
  /// C, in the units of the targets (standardized ones when they are); nil for 1.
  public var robustScale: Double?
  /// ρ₀ of the augmented Lagrangian (μ₀ of the penalty), per sample; nil for the default, 100 (dlADMM: its
  /// ρ₀, 10⁻⁶ by default).
  public var rho: Double?
  /// γ, the factor by which ρ (μ) grows; nil for the default, 10.
  public var rhoGrowth: Double?
  /// Joint Gauss–Newton steps on L_ρ per outer iteration; nil for the default, 5.
  public var innerIterations: Int?
  /// Stop when the loss J(θ) falls to this.
  public var goal: Double = 0
  /// Seconds the run may take; nil for no limit.
  public var timeLimit: Double?
  /// Early stopping: evaluations (epochs or accepted steps) without a new best validation loss; nil for
  /// the default, 6 (trainlm's max_fail) for the Gauss–Newton family and 20 epochs for first-order methods.
  public var patience: Int?
  /// Convergence tolerances of the Gauss–Newton family.
  public var gradientTolerance: Double = 1e-12
  /// Stop when a step is smaller than this relative to θ.
  public var stepTolerance: Double = 1e-12
  /// Stop when an accepted step reduces the loss by less than this fraction of it.
  public var functionTolerance: Double = 1e-12

  /// A plan for `solver` with every other setting at its default.
  public init(solver: SolverKind) { self.solver = solver }

  /// The default budget: 100 epochs or iterations.
  public static let defaultBudget = 100

  /// η actually used.
  public var effectiveLearningRate: Double { learningRate ?? solver.defaultLearningRate ?? 0 }

  /// Samples per update actually used, for m samples.
  public func effectiveBatchSize(sampleCount m: Int) -> Int { min(batchSize ?? solver.defaultBatchSize ?? m, m) }

  /// The iteration budget for m training samples: updates for first-order methods (epochs × ⌈m/B⌉,
  /// saturating at Int.max — a budget no run reaches).
  public func iterationBudget(sampleCount m: Int) -> Int {
    if solver.isFirstOrder {
      let b = max(effectiveBatchSize(sampleCount: m), 1)
      let perEpoch = m / b + (m % b == 0 ? 0 : 1)
      let (updates, overflow) = (epochs ?? (maximumIterations == nil ? Self.defaultBudget : 0))
        .multipliedReportingOverflow(by: perEpoch)
      if epochs == nil, let maximumIterations { return maximumIterations }
      return overflow ? Int.max : updates
    }
    return epochs ?? maximumIterations ?? Self.defaultBudget
  }

  func stopping(sampleCount m: Int) -> StoppingCriteria {
    StoppingCriteria(
      maximumIterations: iterationBudget(sampleCount: m), gradientTolerance: gradientTolerance,
      stepTolerance: stepTolerance, functionTolerance: functionTolerance, goal: goal, timeLimit: timeLimit,
      maximumValidationFailures: patience ?? (solver.isFirstOrder || solver == .admm ? 20 : 6))
  }

  /// Why the plan cannot train this network, or nil: a setting out of its range, or settings that do not
  /// go together (L1 with the Gauss–Newton family, QR for a classifier, …).
  public func incompatibility(with network: Network) -> TrainingError? {
    if let setting = invalidSetting() { return .invalidSetting(setting) }
    if !solver.isFirstOrder && network.regularization.l1 > 0 { return .l1NeedsFirstOrder(solver) }
    if linearSolver == .qr && network.loss != .meanSquaredError && !solver.isFirstOrder {
      return .qrNeedsResiduals(network.loss)
    }
    if geodesicAcceleration && (network.loss != .meanSquaredError || solver != .levenbergMarquardt) {
      return .geodesicNeedsLeastSquares
    }
    if solver.isConstrained {
      if network.architecture.layerCount < 2 {
        return .constrainedSetting("training through the constraints needs at least one hidden layer")
      }
      if solver == .admm {
        let architecture = network.architecture
        let relu = (1..<architecture.layerCount).allSatisfy { architecture.activation(layer: $0) == .relu }
        if !relu || network.loss != .softmaxCrossEntropy {
          return .constrainedSetting(
            "admm (dlADMM) takes ReLU hidden layers and the ce loss, for its closed-form z step and FISTA output step; use augmented-lagrangian for other networks"
          )
        }
        if !network.regularization.isZero { return .constrainedSetting("admm (dlADMM) has no weight penalty") }
      }
      if robustLoss != nil { return .constrainedSetting("training through the constraints has no robust loss") }
    }
    if solver == .bayesianRegularization {
      if network.loss != .meanSquaredError {
        return .bayesianNeedsLeastSquares(
          "Bayesian regularization fits the sum of squared errors of an mse network; \(network.loss) has none")
      }
      if network.regularization.l2 > 0 {
        return .bayesianNeedsLeastSquares(
          "Bayesian regularization chooses its own weight penalty α; train with λ₂ = 0")
      }
      if robustLoss != nil {
        return .bayesianNeedsLeastSquares(
          "Bayesian regularization's evidence assumes Gaussian errors, not a robust loss")
      }
    }
    if robustLoss != nil {
      if solver.isFirstOrder { return .robustNeedsSecondOrder(solver) }
      if network.loss != .meanSquaredError { return .robustNeedsLeastSquares(network.loss) }
      if geodesicAcceleration { return .geodesicNeedsLeastSquares }
    }
    if solver == .levenbergMarquardt && damping == .trustRegion {
      if geodesicAcceleration { return .trustRegionSetting("geodesic acceleration") }
      if linearSolver == .svd { return .trustRegionSetting("the SVD solver") }
      if scaling != .identity { return .trustRegionSetting("Marquardt's scaling") }
    }
    return nil
  }

  /// The sentence for the first setting out of its range, or nil.
  private func invalidSetting() -> String? {
    if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
      return "learningRate must be a positive finite number, not \(learningRate)"
    }
    if let batchSize, batchSize < 1 { return "batchSize must be at least 1, not \(batchSize)" }
    if !(momentum >= 0 && momentum < 1) { return "momentum must lie in [0, 1), not \(momentum)" }
    if let epochs, epochs < 0 { return "epochs must not be negative, not \(epochs)" }
    if let maximumIterations, maximumIterations < 0 {
      return "maximumIterations must not be negative, not \(maximumIterations)"
    }
    if let patience, patience < 1 { return "patience must be at least 1, not \(patience)" }
    if let rho, !(rho > 0 && rho.isFinite) { return "rho must be a positive finite number, not \(rho)" }
    if let rhoGrowth, !(rhoGrowth >= 1 && rhoGrowth.isFinite) {
      return "rhoGrowth must be a finite number ≥ 1, not \(rhoGrowth)"
    }
    if let innerIterations, innerIterations < 1 { return "innerIterations must be at least 1, not \(innerIterations)" }
    if let timeLimit, !(timeLimit > 0) { return "timeLimit must be positive, not \(timeLimit)" }
    for (name, value) in [
      ("gradientTolerance", gradientTolerance), ("stepTolerance", stepTolerance),
      ("functionTolerance", functionTolerance),
    ] where !(value >= 0 && value.isFinite) {
      return "\(name) must be a finite number ≥ 0, not \(value)"
    }
    return nil
  }

  /// Trains `network` on the samples (columns) of `inputs`/`targets`, or continues `resume`.
  ///
  /// - Parameters:
  ///   - validation: validation inputs and targets, for early stopping; the validation loss is the data
  ///     term (1/m)Σℓ, without the penalty.
  ///   - resume: a state this plan's solver saved (through `checkpointing`) on the same network and data.
  ///   - checkpointing: saves the state every so many iterations and at the end.
  ///   - interruption: ends the run between two iterations when requested.
  ///   - observer: called with every summary; a trailing closure is this.
  ///   - communicator: the ranks of a data-parallel run. Each passes its own training samples — samples
  ///     `trainingOffset ..< trainingOffset + m_r` of the whole training set, in the single process's
  ///     order — and its own validation samples (possibly none); every sum over samples is over every
  ///     rank, so every rank takes the same steps, which are the single process's up to the order of the
  ///     additions. The Gauss–Newton family then takes the normal equations (never the dual system of
  ///     M < P samples, QR or the stacked SVD). Collective.
  /// - Throws: ``TrainingError`` when the plan cannot train this network, the data does not fit it, or
  ///   `resume` belongs to another solver or network.
  public func run(
    network: Network, inputs: Matrix, targets: Matrix, validation: (inputs: Matrix, targets: Matrix)? = nil,
    resume: TrainingState? = nil, checkpointing: TrainingCheckpointing? = nil, interruption: Interruption? = nil,
    communicator: any Communicator = SingleProcessCommunicator.shared, trainingOffset: Int = 0,
    observer: ((IterationSummary) -> Void)? = nil
  ) throws(TrainingError) -> TrainingResult {
    let distributed = communicator.size > 1
    if let incompatibility = incompatibility(with: network) { throw incompatibility }
    if distributed && !solver.isFirstOrder {
      if linearSolver == .qr { throw .needsWholeJacobian("the QR linear solver") }
      if geodesicAcceleration { throw .needsWholeJacobian("geodesic acceleration") }
    }
    try Self.checkShapes(network, inputs, targets, "training")
    if let validation {
      try Self.checkShapes(network, validation.inputs, validation.targets, "validation", allowEmpty: distributed)
    }
    if let resume, resume.parameters.count != network.architecture.parameterCount {
      throw .stateMismatch(
        "the saved state has \(resume.parameters.count) parameters, the network \(network.architecture.parameterCount)")
    }
    let m = distributed ? Int(communicator.allreduceSum(Double(inputs.columns))) : inputs.columns
    let validationLoss: Validation? = validation.map { v in
      var unpenalized = network
      unpenalized.regularization = .none
      let check = NetworkTrainingProblem(
        network: unpenalized, inputs: v.inputs, targets: v.targets, communicator: communicator)
      return Validation { check.objective(at: $0) }
    }
    let stopping = stopping(sampleCount: m)
    let result: SolverResult
    switch solver {
    case .admm:
      if distributed { throw .constrainedSetting("training through the constraints runs in one process") }
      var options = DeepLearningADMM.Options(stopping: stopping)
      if let rho { options.rho = rho }
      var saved: RunState<DeepLearningADMM.State>?
      if let resume {
        guard case .admm(let run) = resume else { throw Self.wrongSolver(resume, solver) }
        saved = run
      }
      result = DeepLearningADMM(network: network, inputs: inputs, targets: targets, options: options).minimize(
        from: network.parameters, resume: saved, validation: validationLoss,
        checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save(.admm($0)) } },
        interruption: interruption, observer: observer)
    case .augmentedLagrangian, .penalty:
      if distributed { throw .constrainedSetting("training through the constraints runs in one process") }
      var options = ConstrainedTraining.Options(
        kind: solver == .penalty ? .penalty : .augmentedLagrangian, stopping: stopping)
      if let rho { options.rho = rho }
      if let rhoGrowth { options.update.growth = rhoGrowth }
      if let innerIterations { options.innerIterations = innerIterations }
      var saved: RunState<ConstrainedTraining.State>?
      if let resume {
        guard case .constrained(let run) = resume, run.method.states.count == network.architecture.layerCount - 1
        else { throw Self.wrongSolver(resume, solver) }
        saved = run
      }
      result = ConstrainedTraining(network: network, inputs: inputs, targets: targets, options: options).minimize(
        from: network.parameters, resume: saved, validation: validationLoss,
        checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save(.constrained($0)) } },
        interruption: interruption, observer: observer)
    case .bayesianRegularization:
      let m = inputs.columns
      let problem = BayesianRegularizationProblem(
        NetworkLeastSquaresProblem(network: network, inputs: inputs, targets: targets),
        residualScale: Double(m).squareRoot())
      let options = BayesianRegularization.Options(
        trustRegion: .init(linearization: .normalEquations, stopping: stopping))
      var saved: RunState<BayesianRegularization.State>?
      if let resume {
        guard case .bayesianRegularization(let run) = resume else { throw Self.wrongSolver(resume, solver) }
        saved = run
      }
      result = BayesianRegularization(options: options).minimize(
        problem, from: network.parameters, resume: saved, validation: validationLoss,
        checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save(.bayesianRegularization($0)) } },
        interruption: interruption, observer: observer)
    case .gaussNewton, .levenbergMarquardt:
      let objective = leastSquaresObjective(
        network: network, inputs: inputs, targets: targets, communicator: communicator)
      if solver == .gaussNewton {
        let options = GaussNewton.Options(linearSolver: linearSolver ?? .svd, stopping: stopping)
        var saved: RunState<GaussNewton.State>?
        if let resume {
          guard case .gaussNewton(let run) = resume else { throw Self.wrongSolver(resume, solver) }
          saved = run
        }
        result = GaussNewton(options: options).minimize(
          objective, from: network.parameters, resume: saved, validation: validationLoss,
          checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save(.gaussNewton($0)) } },
          interruption: interruption, observer: observer)
      } else {
        // Distributed, the normal equations serve every m: no schedule in place of the trust region, no QR.
        let damping = distributed ? self.damping : effectiveDamping(network: network, sampleCount: m)
        let control: LevenbergMarquardt.Control = damping.strategy.map { .schedule($0) } ?? .trustRegion
        var options = LevenbergMarquardt.Options(control: control, linearSolver: linearSolver, stopping: stopping)
        if !distributed && damping == .trustRegion && usesDualSystem(network: network, sampleCount: m) {
          options.linearSolver = .qr
        }
        if damping.strategy != nil {
          options.scaling = scaling
          options.linearSolver = linearSolver ?? .cholesky
          options.geodesicAcceleration = geodesicAcceleration ? GeodesicAcceleration() : nil
        }
        var saved: RunState<LevenbergMarquardt.State>?
        if let resume {
          guard case .levenbergMarquardt(let run) = resume, run.method.control == damping.control else {
            throw Self.wrongSolver(resume, solver)
          }
          saved = run
        }
        result = LevenbergMarquardt(options: options).minimize(
          objective, from: network.parameters, resume: saved, validation: validationLoss,
          checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save(.levenbergMarquardt($0)) } },
          interruption: interruption, observer: observer)
      }
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
      var saved: RunState<FirstOrderSolver.State>?
      if let resume {
        guard case .firstOrder(let run) = resume else { throw Self.wrongSolver(resume, solver) }
        saved = run
      }
      result = FirstOrderSolver(options: options).minimize(
        NetworkTrainingProblem(
          network: network, inputs: inputs, targets: targets, communicator: communicator, sampleOffset: trainingOffset),
        from: network.parameters,
        resume: saved, validation: validationLoss,
        checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save(.firstOrder($0)) } },
        interruption: interruption, observer: observer)
    }
    var trained = network
    trained.parameters = result.parameters
    return TrainingResult(solverResult: result, network: trained)
  }

  /// The Gauss–Newton family's problem: least squares for mse (with the robust loss on its data rows, if
  /// any), the generalized Gauss–Newton problem for bce and ce.
  public func leastSquaresObjective(
    network: Network, inputs: Matrix, targets: Matrix,
    communicator: any Communicator = SingleProcessCommunicator.shared
  ) -> any GaussNewtonObjective {
    guard network.loss == .meanSquaredError else {
      return NetworkGaussNewtonProblem(
        network: network, inputs: inputs, targets: targets, communicator: communicator)
    }
    let base = NetworkLeastSquaresProblem(
      network: network, inputs: inputs, targets: targets, communicator: communicator)
    guard let robustLoss else { return base }
    let m = inputs.columns
    return RobustLeastSquaresProblem(
      base, loss: robustLoss, scale: (robustScale ?? 1) / Double(m).squareRoot(),
      robustRows: 0..<(m * network.architecture.outputSize))
  }

  private static func checkShapes(
    _ network: Network, _ inputs: Matrix, _ targets: Matrix, _ what: String, allowEmpty: Bool = false
  ) throws(TrainingError) {
    let architecture = network.architecture
    guard inputs.columns >= 1 || allowEmpty else { throw .shapeMismatch("the \(what) data has no samples") }
    guard inputs.rows == architecture.inputSize else {
      throw .shapeMismatch(
        "the \(what) inputs have \(inputs.rows) rows, but the network takes \(architecture.inputSize) inputs")
    }
    guard targets.columns == inputs.columns else {
      throw .shapeMismatch(
        "the \(what) data has \(inputs.columns) input columns (samples) but \(targets.columns) target columns")
    }
    guard targets.rows == architecture.outputSize else {
      let hint =
        network.loss == .softmaxCrossEntropy && targets.rows == 1
        ? "; class labels must be one-hot for ce (load the data with loss: .softmaxCrossEntropy)" : ""
      throw .shapeMismatch(
        "the \(what) targets have \(targets.rows) rows, but the network has \(architecture.outputSize) outputs\(hint)")
    }
  }

  private static func wrongSolver(_ state: TrainingState, _ solver: SolverKind) -> TrainingError {
    let saved: String
    switch state {
    case .levenbergMarquardt(let run):
      saved =
        run.method.control == .trust
        ? "levenberg-marquardt with a trust region" : "levenberg-marquardt with a damping schedule"
    case .gaussNewton: saved = "gauss-newton"
    case .bayesianRegularization: saved = "bayesian-regularization"
    case .firstOrder: saved = "a first-order solver"
    case .constrained: saved = "a constrained trainer (augmented-lagrangian or penalty)"
    case .admm: saved = "admm"
    }
    return .stateMismatch("the saved state belongs to \(saved), not to \(solver)")
  }

  /// A setting in which two plans differ.
  public struct Difference: Equatable, Sendable {
    /// The property's name (`learningRate`, `schedule`, …).
    public var field: String
    /// Its value in the other plan and in this one.
    public var saved: String
    /// Its value in this plan.
    public var current: String
  }

  /// The settings that change the trajectory and differ between `saved` and this plan — of this plan's
  /// solver only (a learning rate does not change Levenberg–Marquardt). The budget and the stopping rules
  /// (epochs, iterations, goal, time limit, patience, tolerances) are left out: a run may be continued
  /// with others.
  public func trajectoryDifferences(from saved: TrainingPlan) -> [Difference] {
    var differences: [Difference] = []
    func compare<T: Equatable>(_ field: String, _ key: KeyPath<TrainingPlan, T>) {
      if saved[keyPath: key] != self[keyPath: key] {
        differences.append(
          Difference(field: field, saved: "\(saved[keyPath: key])", current: "\(self[keyPath: key])"))
      }
    }
    func compare<T: Equatable>(_ field: String, _ key: KeyPath<TrainingPlan, T?>) {
      if saved[keyPath: key] != self[keyPath: key] {
        let describe = { (value: T?) in value.map { "\($0)" } ?? "the default" }
        differences.append(
          Difference(field: field, saved: describe(saved[keyPath: key]), current: describe(self[keyPath: key])))
      }
    }
    compare("solver", \.solver)
    guard saved.solver == solver else { return differences }
    if solver.isFirstOrder {
      compare("learningRate", \.learningRate)
      compare("schedule", \.schedule)
      compare("batchSize", \.batchSize)
      if solver == .momentum || solver == .nesterov { compare("momentum", \.momentum) }
      compare("seed", \.seed)
    } else if solver.isConstrained {
      compare("rho", \.rho)
      compare("rhoGrowth", \.rhoGrowth)
      compare("innerIterations", \.innerIterations)
    } else {
      if solver == .levenbergMarquardt {
        compare("damping", \.damping)
        compare("scaling", \.scaling)
        compare("geodesicAcceleration", \.geodesicAcceleration)
      }
      compare("robustLoss", \.robustLoss)
      compare("robustScale", \.robustScale)
      compare("linearSolver", \.linearSolver)
    }
    return differences
  }
}
