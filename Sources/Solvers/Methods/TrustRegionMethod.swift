import KKTNet

/// Levenberg–Marquardt as MINPACK's `lmder` runs it (Moré 1978): a ``TrustRegion`` on ‖Dp‖ whose
/// subproblem (``TrustRegionSubproblem``, MINPACK's `lmpar`) finds λ and the damped Gauss–Newton step
/// p(λ) with ‖Dp‖ ≈ Δ, as one ``IterativeMethod``. Each iteration
///
///  1. proposes λ and p at the current linearization (factored once, reused for every trial there),
///  2. evaluates the trial θ + p and judges it — ρ, the new Δ and λ, acceptance at ρ ≥ 10⁻⁴, and MINPACK's
///     ftol and xtol tests,
///  3. and on acceptance linearizes at the new point (reusing the trial's forward pass), with the gtol test
///     and D's running maximum.
///
/// The linearization is J and r, factored by a pivoted QR as MINPACK does, when the problem forms J and
/// J is small enough to hold (``TrustRegionLevenbergMarquardt/Options/linearization``); otherwise the
/// normal equations G and g accumulated block by block, factored by Cholesky — also for the generalized
/// Gauss–Newton problems (bce, ce), where the reductions are taken in f.
///
/// With bounds l ≤ θ ≤ u (``TrustRegionLevenbergMarquardt/Options/bounds``) it is a projected active-set
/// trust region (see `TrustRegionMethod+Bounds.swift`): the parameters on a bound whose gradient points out of
/// the box are held for the step, the step of the others is projected onto the box.
public struct TrustRegionMethod<Problem: GaussNewtonObjective>: IterativeMethod {
  /// The objective.
  public let problem: Problem
  /// The trust region, linearization and stopping criteria.
  public let options: TrustRegionLevenbergMarquardt.Options

  public typealias State = TrustRegionState

  /// The evaluation at the state's θ, its gradient and the factored subproblem.
  public struct Workspace {
    /// θ and f of the current point, with the problem's evaluation token.
    public var point: EvaluationPoint
    /// g = Jᵀr at the current point.
    public var gradient: [Double]
    /// The factored linearization at the current point; nil until one is formed.
    public var subproblem: TrustRegionSubproblem?
    /// Why the linearization could not be factored, if it could not.
    public var failure: TrustRegionSubproblemError?
    /// With bounds: the active set and the model's curvature for projected steps.
    var bounded: BoundedLinearization? = nil
  }

  /// The method of `options` on `problem`.
  public init(problem: Problem, options: TrustRegionLevenbergMarquardt.Options) {
    self.problem = problem
    self.options = options
  }

  public var stepControlName: String { "Δ" }

  public var communicator: any Communicator { problem.communicator }

  public func parameters(of state: State) -> [Double] { state.parameters }

  public func loss(of state: State) -> Double { state.loss }

  public func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace> {
    precondition(
      parameters.count == problem.parameterCount,
      "θ₀ has \(parameters.count) values, the problem \(problem.parameterCount)")
    if let bounds = options.bounds {
      precondition(bounds.parameterCount == parameters.count, "one pair of bounds per parameter")
      precondition(bounds.firstViolation(parameters) == nil, "θ₀ must satisfy the bounds")
    }
    let point = problem.evaluate(at: parameters)
    evaluations.function += 1
    let workspace = linearize(at: point, evaluations: &evaluations)
    var state = State(parameters: parameters, loss: point.objective, region: TrustRegion(options: region))
    if let subproblem = workspace.subproblem {
      state.convergence = state.region.start(at: parameters, linearization: subproblem)
    }
    let summary = IterationSummary(
      iteration: 0, loss: point.objective, lossChange: 0, gradientMaxNorm: maxNorm(workspace.gradient), stepNorm: 0,
      gainRatio: .nan, damping: state.region.state.radius, accepted: true, time: 0)
    let finite = point.objective.isFinite && workspace.gradient.allSatisfy(\.isFinite)
    return MethodStart(state: state, workspace: workspace, summary: summary, isFinite: finite)
  }

  public func workspace(resuming state: State) -> Workspace {
    var uncounted = EvaluationCounts()
    return linearize(at: problem.evaluate(at: state.parameters), evaluations: &uncounted)
  }

  public func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination? {
    if let convergence = state.convergence { return convergence.termination(region) }
    if let failure = workspace.failure { return .singularSystem(failure.description) }
    return nil
  }

  public func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    guard let subproblem = workspace.subproblem else {
      return .stopped(.singularSystem(workspace.failure?.description ?? "the linearization could not be factored"))
    }
    let (theta, f) = (state.parameters, state.loss)
    // 1. λ and p.
    var step: TrustRegionStep
    do {
      step = try state.region.propose(subproblem)
    } catch {
      return .stopped(.singularSystem(error.description))
    }
    // 2. The trial (projected onto the bounds, if any) and its judgement.
    var trial = zip(theta, step.step).map { $0 + $1 }
    var slope: Double?
    if let bounds = options.bounds, let bounded = workspace.bounded {
      (trial, step, slope) = bounded.project(step, from: theta, bounds: bounds, scaling: state.region.state.scaling)
    }
    let point = problem.evaluate(at: trial)
    evaluations.function += 1
    let judgement = state.region.judge(
      step, objective: f, trialObjective: point.objective, trialParameters: trial, directionalDerivative: slope)
    state.convergence = judgement.convergence
    let stepNorm = BLAS.nrm2(step.step)
    guard judgement.accepted else {
      let summary = IterationSummary(
        iteration: iteration, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(workspace.gradient),
        stepNorm: stepNorm, gainRatio: judgement.ratio, damping: state.region.state.radius, accepted: false,
        time: 0)
      return IterationOutcome(summary: summary, moved: false)
    }
    // 3. The new point: linearized unless a convergence test already ends the run there (as lmder does
    //    not evaluate J after its last step; the summary then has no gradient to show).
    state.parameters = trial
    state.loss = point.objective
    guard state.convergence == nil else {
      let summary = IterationSummary(
        iteration: iteration, loss: point.objective, lossChange: f - point.objective, gradientMaxNorm: .nan,
        stepNorm: stepNorm, gainRatio: judgement.ratio, damping: state.region.state.radius, accepted: true, time: 0)
      return IterationOutcome(summary: summary, moved: true)
    }
    workspace = linearize(at: point, evaluations: &evaluations)
    guard workspace.gradient.allSatisfy(\.isFinite) else {
      return IterationOutcome(
        summary: nil, moved: false, termination: .singularSystem("the Jacobian is not finite at the new point"),
        result: (trial, point.objective))
    }
    if let subproblem = workspace.subproblem { state.convergence = state.region.relinearized(subproblem) }
    let summary = IterationSummary(
      iteration: iteration, loss: point.objective, lossChange: f - point.objective,
      gradientMaxNorm: maxNorm(workspace.gradient), stepNorm: stepNorm, gainRatio: judgement.ratio,
      damping: state.region.state.radius, accepted: true, time: 0)
    return IterationOutcome(summary: summary, moved: true)
  }

  public func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome? { nil }

  /// The trust region's tolerances, MINPACK's ftol, xtol and gtol, from the stopping rules: the gradient
  /// test is MINPACK's scale-free one, the cosine maxⱼ |gⱼ|/(‖Jⱼ‖·‖r‖), not a bound on ‖g‖∞ (which stops a
  /// run on a plateau, as BoxBOD's from start 1, where g is small only because f is flat).
  var region: TrustRegion.Options {
    var region = options.trustRegion
    region.functionTolerance = options.stopping.functionTolerance
    region.stepTolerance = options.stopping.stepTolerance
    region.gradientTolerance = options.stopping.gradientTolerance
    return region
  }

  /// The linearization at an evaluated point, factored: J and r by the pivoted QR when the problem forms J
  /// and the options allow it, else G and g by Cholesky.
  func linearize(at point: EvaluationPoint, evaluations: inout EvaluationCounts) -> Workspace {
    evaluations.jacobian += 1
    let p = problem.parameterCount
    var g = [Double](repeating: 0, count: p)
    if !problem.isDistributed, let ls = problem as? any LeastSquaresProblem, ls.providesJacobian,
      options.linearization == .qr
        || (options.linearization == .automatic && !problem.prefersNormalEquations
          && options.linearization.usesQR(rows: ls.residualCount, columns: p))
    {
      var r = [Double](repeating: 0, count: ls.residualCount)
      var j = Matrix(rows: ls.residualCount, columns: p)
      ls.residualsAndJacobian(at: point, residuals: &r, jacobian: &j)
      BLAS.gemv(j, r, transpose: .transpose, into: &g)
      var bounded: BoundedLinearization?
      if let bounds = options.bounds {
        bounded = BoundedLinearization(holding: bounds, at: point.parameters, jacobian: &j, gradient: &g)
      }
      do {
        let subproblem = try TrustRegionSubproblem(jacobian: j, residuals: r)
        return Workspace(point: point, gradient: g, subproblem: subproblem, bounded: bounded)
      } catch {
        return Workspace(point: point, gradient: g, subproblem: nil, failure: error, bounded: bounded)
      }
    }
    var normal = Matrix(rows: p, columns: p)
    let f = problem.normalEquations(at: point, normalMatrix: &normal, gradient: &g)
    var bounded: BoundedLinearization?
    if let bounds = options.bounds {
      bounded = BoundedLinearization(holding: bounds, at: point.parameters, normalMatrix: &normal, gradient: &g)
    }
    do {
      let subproblem = try TrustRegionSubproblem(normalMatrix: normal, gradient: g, objective: f)
      return Workspace(point: point, gradient: g, subproblem: subproblem, bounded: bounded)
    } catch {
      return Workspace(point: point, gradient: g, subproblem: nil, failure: error, bounded: bounded)
    }
  }
}

/// The state of a trust-region Levenberg–Marquardt run.
public struct TrustRegionState: Codable, Sendable {
  /// θ.
  public var parameters: [Double]
  /// f(θ).
  public var loss: Double
  /// Δ, λ, D and the counters of the trust region, with its tolerances.
  public var region: TrustRegion
  /// A MINPACK convergence test that held after the latest trial or linearization, if one did.
  public var convergence: TrustRegionConvergence?
}
