import KKTNet

/// Training through the constraints: the hidden states x¹ … xᴺ⁻¹ are free variables beside θ, the
/// constraints cᵏ = xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ) = 0 are relaxed, and each outer iteration minimizes the relaxed
/// objective Φ of ``RelaxedNetwork``,
///
///     L_ρ = J + Σₖ ⟨λᵏ, cᵏ⟩ + (ρ/2m) Σₖ ‖cᵏ‖²   (Λᵏ = mλᵏ, the multipliers per sample),
///
/// approximately over (x, θ) by up to `innerIterations` joint Gauss–Newton steps with the states eliminated
/// sample by sample (``StateEliminatedSystem``) under Levenberg–Marquardt damping (Nielsen's rule), then
///
/// - **augmented Lagrangian** (the method of multipliers; Hestenes 1969, Powell 1969; Bertsekas 1982):
///   Λᵏ ← Λᵏ + ρcᵏ, and ρ grows by ``PenaltyUpdate/augmentedLagrangian(_:previous:current:)``;
/// - **quadratic penalty** (MAC, Carreira-Perpiñán & Wang 2014): Λ stays 0 and μ = ρ grows every outer
///   iteration (``PenaltyUpdate/penalty(_:)``).
///
/// At a stationary point of L_ρ in x, Λᵏ + ρcᵏ satisfies the adjoint recursion at the free states, so as
/// c → 0 the multipliers λᵏ = (Λᵏ + ρcᵏ)/m tend to those of ``Lagrangian/solveMultipliers(parameters:workspace:)``
/// at θ (the same sign: λᴺ = −∂J/∂xᴺ); each summary reports the gap ‖λ − λ_adjoint‖_F/‖λ_adjoint‖_F. The
/// reported loss is J(θ) of the feasible network (the exact forward pass at θ), the relaxed objective
/// separately (``IterationSummary/relaxedObjective``).
public struct ConstrainedTraining: IterativeMethod {
  /// Which outer update.
  public enum Kind: String, Sendable, Codable, Equatable {
    /// The method of multipliers.
    case augmentedLagrangian = "augmented-lagrangian"
    /// The quadratic penalty with a growing μ.
    case penalty
  }

  /// The settings of a run.
  public struct Options: Sendable, Codable, Equatable {
    /// The outer update.
    public var kind: Kind
    /// ρ₀ (μ₀ for the penalty), per sample.
    public var rho: Double = 100
    /// How ρ grows.
    public var update = PenaltyUpdate()
    /// Joint Gauss–Newton steps on L_ρ per outer iteration.
    public var innerIterations = 5
    /// maxₖ‖cᵏ‖∞ at or below which the constraints count as satisfied for the convergence tests.
    public var constraintTolerance = 1e-10
    /// The budget (outer iterations) and the tolerances.
    public var stopping: StoppingCriteria

    /// The defaults for `kind` with `stopping`.
    public init(kind: Kind, stopping: StoppingCriteria = StoppingCriteria()) {
      self.kind = kind
      self.stopping = stopping
    }
  }

  /// Everything a run needs to continue: θ, the free states, the multipliers, ρ and the inner damping.
  public struct State: Codable, Sendable, Equatable {
    /// θ.
    public var parameters: [Double]
    /// J(θ) of the feasible network.
    public var loss: Double
    /// xᵏ, k = 1…N − 1 (nₖ × m column-major).
    public var states: [[Double]]
    /// Λᵏ = mλᵏ, k = 1…N − 1.
    public var multipliers: [[Double]]
    /// ρ (μ for the penalty) for the next outer iteration.
    public var rho: Double
    /// The inner Levenberg–Marquardt damping (0 before the first step) and Nielsen's growth ν.
    public var damping: Double
    /// Nielsen's ν.
    public var dampingGrowth: Double
    /// maxₖ‖cᵏ‖∞ after the last outer iteration.
    public var residual: Double
  }

  /// Nothing is kept beside the state.
  public struct Workspace {}

  let problem: RelaxedNetwork
  /// The settings.
  public let options: Options

  /// The method on `network` (at least one hidden layer, elementwise hidden activations) over the samples.
  public init(network: Network, inputs: Matrix, targets: Matrix, options: Options) {
    precondition(network.architecture.layerCount >= 2, "training through the constraints needs a hidden layer")
    problem = RelaxedNetwork(network: network, inputs: inputs, targets: targets)
    self.options = options
  }

  /// ρ_AL, the penalty weight (μ_pen for the quadratic penalty); the summaries' ρ column is the inner
  /// steps' gain ratio.
  public var stepControlName: String { options.kind == .penalty ? "μ_pen" : "ρ_AL" }

  public func parameters(of state: State) -> [Double] { state.parameters }

  public func loss(of state: State) -> Double { state.loss }

  public func workspace(resuming state: State) -> Workspace { Workspace() }

  public func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace> {
    let states = problem.forwardStates(parameters: parameters)
    let multipliers = states.map { [Double](repeating: 0, count: $0.count) }
    let feasible = problem.feasible(parameters: parameters)
    evaluations.function += 1
    evaluations.jacobian += 1
    let gap = multiplierGap(estimate: multipliers, scale: 0, adjoint: feasible.multipliers)
    var summary = IterationSummary(
      iteration: 0, loss: feasible.objective, lossChange: 0, gradientMaxNorm: feasible.gradientMaxNorm, stepNorm: 0,
      gainRatio: .nan, damping: options.rho, accepted: true, time: 0)
    summary.constraintResidual = 0
    summary.layerResiduals = states.map { _ in 0 }
    summary.multiplierGap = gap
    summary.relaxedObjective = feasible.objective
    let state = State(
      parameters: parameters, loss: feasible.objective, states: states, multipliers: multipliers, rho: options.rho,
      damping: 0, dampingGrowth: 2, residual: 0)
    return MethodStart(
      state: state, workspace: Workspace(), summary: summary,
      isFinite: feasible.objective.isFinite && feasible.gradientMaxNorm.isFinite)
  }

  public func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination? {
    guard last.iteration > 0, state.residual <= options.constraintTolerance else { return nil }
    if last.lossChange >= 0 && last.lossChange <= stopping.functionTolerance * abs(last.loss) {
      return .functionTolerance(stopping.functionTolerance)
    }
    if last.gradientMaxNorm <= stopping.gradientTolerance { return .gradientTolerance(stopping.gradientTolerance) }
    return nil
  }

  public func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    let m = Double(problem.sampleCount)
    let rho = state.rho
    var theta = state.parameters
    var x = state.states
    var evaluation = problem.evaluate(parameters: theta, states: x, multipliers: state.multipliers, rho: rho)
    evaluations.function += 1
    var mu = state.damping
    var nu = state.dampingGrowth
    var ratio = Double.nan
    var stepSquares = 0.0
    inner: for _ in 0..<options.innerIterations {
      let system = StateEliminatedSystem(
        problem: problem, parameters: theta, states: x, multipliers: state.multipliers, rho: rho,
        evaluation: evaluation)
      evaluations.jacobian += 1
      if mu == 0 {
        let P = theta.count
        let largest = (0..<P).reduce(0.0) { max($0, system.normalMatrix[$1 * (P + 1)]) }
        mu = 1e-3 * max(largest, 1e-12)
      }
      for _ in 0..<60 {
        guard let step = system.parameterStep(damping: mu) else {
          mu *= nu
          nu *= 2
          continue
        }
        let predicted = system.predictedDecrease(step) / m
        guard predicted > 0, predicted.isFinite else { break inner }
        let stateStep = system.stateStep(parameterStep: step, states: x)
        let trialTheta = zip(theta, step).map { $0 + $1 }
        let trialStates = zip(x, stateStep).map { pair in zip(pair.0, pair.1).map { $0 + $1 } }
        let trial = problem.evaluate(
          parameters: trialTheta, states: trialStates, multipliers: state.multipliers, rho: rho)
        evaluations.function += 1
        let actual = evaluation.value - trial.value
        let gain = actual / predicted
        if trial.value.isFinite && actual > 0 && gain > 1e-4 {
          theta = trialTheta
          x = trialStates
          evaluation = trial
          ratio = gain
          stepSquares += step.reduce(0) { $0 + $1 * $1 }
          let t = 2 * gain - 1
          mu *= max(1.0 / 3, 1 - t * t * t)
          nu = 2
          // Nothing left to gain at this ρ and Λ: the model's decrease is at the level of rounding.
          if predicted <= 1e-15 * max(abs(evaluation.value), 1e-300) { break inner }
          continue inner
        }
        // Below rounding: the trial cannot be told from the current point.
        if abs(actual) <= 1e-15 * abs(evaluation.value) && predicted <= 1e-14 * abs(evaluation.value) { break inner }
        mu *= nu
        nu *= 2
        if mu > 1e30 { break }
      }
      break
    }
    if !(mu <= 1e30) {
      return IterationOutcome(summary: nil, moved: false, termination: .dampingTooLarge(1e30))
    }
    // The states' own minimum at this θ, to rounding: then Λ + ρc satisfies the adjoint recursion at x.
    (x, evaluation) = minimizeStates(
      parameters: theta, states: x, multipliers: state.multipliers, rho: rho, evaluation: evaluation,
      evaluations: &evaluations)

    // The outer update.
    let residual = evaluation.residualMaxNorm
    var estimate = state.multipliers
    for index in 0..<estimate.count {
      let c = evaluation.residuals[index]
      for i in 0..<c.count { estimate[index][i] += rho * c[i] }
    }
    if options.kind == .augmentedLagrangian {
      state.multipliers = estimate
      // The first outer iteration has no earlier residual to compare with (the start is feasible).
      state.rho =
        iteration == 1 ? rho : options.update.augmentedLagrangian(rho, previous: state.residual, current: residual)
    } else {
      state.rho = options.update.penalty(rho)
    }
    let feasible = problem.feasible(parameters: theta)
    evaluations.function += 1
    evaluations.jacobian += 1
    let before = state.loss
    state.parameters = theta
    state.states = x
    state.loss = feasible.objective
    state.residual = residual
    state.damping = mu
    state.dampingGrowth = nu
    var summary = IterationSummary(
      iteration: iteration, loss: feasible.objective, lossChange: before - feasible.objective,
      gradientMaxNorm: feasible.gradientMaxNorm, stepNorm: stepSquares.squareRoot(), gainRatio: ratio,
      damping: state.rho, accepted: true, time: 0)
    summary.constraintResidual = residual
    summary.layerResiduals = evaluation.layerResiduals
    summary.multiplierGap = multiplierGap(estimate: estimate, scale: 1 / m, adjoint: feasible.multipliers)
    summary.relaxedObjective = evaluation.value
    let finite = feasible.objective.isFinite && evaluation.value.isFinite
    return IterationOutcome(summary: summary, moved: true, termination: finite ? nil : .nonFiniteLoss)
  }

  /// Gauss–Newton steps in the states alone (θ fixed; the per-sample systems Dᵢ are small and
  /// well conditioned, ρI on their diagonal), until the step stops reducing L_ρ or is at the level of
  /// rounding.
  private func minimizeStates(
    parameters: [Double], states: [[Double]], multipliers: [[Double]], rho: Double,
    evaluation: RelaxedNetwork.Evaluation, evaluations: inout EvaluationCounts
  ) -> ([[Double]], RelaxedNetwork.Evaluation) {
    var x = states
    var current = evaluation
    for _ in 0..<50 {
      let system = StateEliminatedSystem(
        problem: problem, parameters: parameters, states: x, multipliers: multipliers, rho: rho,
        evaluation: current, statesOnly: true)
      let step = system.stateStep(parameterStep: nil, states: x)
      let trialStates = zip(x, step).map { pair in zip(pair.0, pair.1).map { $0 + $1 } }
      let trial = problem.evaluate(parameters: parameters, states: trialStates, multipliers: multipliers, rho: rho)
      evaluations.function += 1
      guard trial.value.isFinite, trial.value <= current.value else { break }
      x = trialStates
      current = trial
      let size = step.reduce(0.0) { max($0, maxNorm($1)) }
      let scale = x.reduce(1.0) { max($0, maxNorm($1)) }
      if size <= 1e-13 * scale { break }
    }
    return (x, current)
  }

  public func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome? { nil }

  /// Minimizes from `start`, or continues `resume`, through ``Minimizer``.
  public func minimize(
    from start: [Double], resume: RunState<State>? = nil, validation: Validation? = nil,
    checkpointing: Checkpointing<State>? = nil, interruption: Interruption? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    Minimizer(method: self, stopping: options.stopping).minimize(
      from: start, resume: resume, validation: validation, checkpointing: checkpointing, interruption: interruption,
      observer: observer)
  }
}
