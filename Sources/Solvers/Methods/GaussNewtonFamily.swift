import KKTNet

/// The Gauss–Newton family as one ``IterativeMethod``: a descent composed with a search, around the
/// linearization of a ``GaussNewtonObjective`` (optimistix's `AbstractGaussNewton`; Ceres's
/// `TrustRegionMinimizer` read as its named steps). Each iteration
///
///  1. asks the descent for the step δ at the search's control c (μ, or nothing),
///  2. stops when δ is too short to matter, and adds geodesic acceleration when asked,
///  3. evaluates the trial θ + αδ and lets the search judge it — accept, reject, shorten α, or stop,
///  4. and, on acceptance, linearizes at the new point (reusing the trial's forward pass), updates the
///     descent's scaling and reports.
///
/// Levenberg–Marquardt is a ``DampedNewtonDescent`` with a ``DampingSearch``; Gauss–Newton a
/// ``NewtonDescent`` with a ``HalvingLineSearch``. A step that increases the loss is never taken.
public struct GaussNewtonFamily<Problem: GaussNewtonObjective, Descent: SecondOrderDescent, Search: SecondOrderSearch>:
  IterativeMethod
{
  /// The objective.
  public let problem: Problem
  /// How a step is computed from G and g.
  public let descent: Descent
  /// How the step is controlled (μ or a step length).
  public let search: Search
  /// Transtrum & Sethna's second-order correction of the step (least squares with J only).
  public let geodesicAcceleration: GeodesicAcceleration?

  public typealias State = GaussNewtonFamilyState<Descent.State, Search.State>

  /// The linearization at the state's θ, and the evaluation it came from.
  public struct Workspace {
    /// θ and f of the current point, with the problem's evaluation token.
    public var point: EvaluationPoint
    /// G, g (and J, r when formed) at the current point.
    public var system: DampedLinearSolver.System
  }

  /// The composition of `descent` and `search` on `problem`, with optional geodesic acceleration.
  public init(problem: Problem, descent: Descent, search: Search, geodesicAcceleration: GeodesicAcceleration? = nil) {
    self.problem = problem
    self.descent = descent
    self.search = search
    self.geodesicAcceleration = geodesicAcceleration
  }

  public var stepControlName: String { search.controlName }

  public var communicator: any Communicator { problem.communicator }

  public func parameters(of state: State) -> [Double] { state.parameters }

  public func loss(of state: State) -> Double { state.loss }

  public func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace> {
    precondition(
      parameters.count == problem.parameterCount,
      "θ₀ has \(parameters.count) values, the problem \(problem.parameterCount)")
    let point = problem.evaluate(at: parameters)
    evaluations.function += 1
    let (f, system) = linearize(at: point, evaluations: &evaluations)
    let descentState = descent.start(system)
    let d = descent.scaling(descentState)
    let scaledDiagonal = d.isEmpty ? system.diagonal : zip(system.diagonal, d).map { $0 / $1 }
    let searchState = search.start(scaledDiagonal: scaledDiagonal)
    let summary = IterationSummary(
      iteration: 0, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(system.gradient), stepNorm: 0, gainRatio: .nan,
      damping: search.shown(searchState, stepLength: .nan), accepted: true, time: 0)
    return MethodStart(
      state: State(parameters: parameters, loss: f, descent: descentState, search: searchState),
      workspace: Workspace(point: point, system: system), summary: summary, isFinite: f.isFinite && system.isFinite)
  }

  public func workspace(resuming state: State) -> Workspace {
    var uncounted = EvaluationCounts()
    let point = problem.evaluate(at: state.parameters)
    return Workspace(point: point, system: linearize(at: point, evaluations: &uncounted).1)
  }

  public func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination? {
    let system = workspace.system
    if last.iteration > 0 && last.accepted, let decrease = state.lastDecrease {
      let tolerance = stopping.functionTolerance * decrease.previous
      if decrease.change <= tolerance
        && !search.holdsBack(
          state.search, system: system, scaling: descent.scaling(state.descent), step: .infinity, decrease: tolerance)
      {
        return .functionTolerance(stopping.functionTolerance)
      }
    }
    if last.iteration > 0 && !last.accepted, let termination = search.terminationAfterRejection(state.search) {
      return termination
    }
    if maxNorm(system.gradient) <= stopping.gradientTolerance { return .gradientTolerance(stopping.gradientTolerance) }
    return nil
  }

  public func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    let system = workspace.system
    let (theta, f) = (state.parameters, state.loss)
    func rejected(stepNorm: Double, gainRatio: Double, stepLength: Double) -> IterationSummary {
      state.lastStepAccepted = false
      state.lastDecrease = nil
      return IterationSummary(
        iteration: iteration, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(system.gradient), stepNorm: stepNorm,
        gainRatio: gainRatio, damping: search.shown(state.search, stepLength: stepLength), accepted: false, time: 0)
    }

    // 1. The step.
    let control = search.control(state.search)
    var step: [Double]
    do {
      step = try descent.step(system, control: control, state: state.descent)
    } catch {
      if case .stop(let termination) = search.unsolvable(error, state: &state.search) { return .stopped(termination) }
      return IterationOutcome(summary: rejected(stepNorm: .nan, gainRatio: .nan, stepLength: 1), moved: false)
    }

    // 2. Too short to try, unless the control rather than the curvature holds it back.
    let shortStep = stopping.stepTolerance * (BLAS.nrm2(theta) + stopping.stepTolerance)
    if BLAS.nrm2(step) <= shortStep
      && !(state.lastStepAccepted
        && search.holdsBack(
          state.search, system: system, scaling: descent.scaling(state.descent), step: shortStep, decrease: .infinity))
    {
      return .stopped(.stepTolerance(stopping.stepTolerance))
    }
    if let geodesicAcceleration, let problem = problem as? any LeastSquaresProblem, system.residuals != nil {
      step = accelerated(step, geodesicAcceleration, problem, theta, system, control, state.descent, &evaluations)
    }

    // 3. Trial points θ + αδ until the search decides.
    var stepLength = 1.0
    var halvings = 0
    while true {
      let trial = zip(theta, step).map { $0 + stepLength * $1 }
      let point = problem.evaluate(at: trial)
      evaluations.function += 1
      let fTrial = point.objective
      let tried = stepLength == 1 ? step : step.map { $0 * stepLength }
      let predicted = system.predictedDecrease(tried)
      let rho = fTrial.isFinite && predicted > 0 ? (f - fTrial) / predicted : -.infinity
      switch search.judge(loss: f, trialLoss: fTrial, gainRatio: rho, halvings: halvings, state: &state.search) {
      case .retry(let shorter):
        stepLength = shorter
        halvings += 1
      case .stop(let termination):
        let summary = rejected(stepNorm: BLAS.nrm2(step), gainRatio: .nan, stepLength: stepLength)
        return IterationOutcome(summary: summary, moved: false, termination: termination)
      case .reject:
        let summary = rejected(stepNorm: BLAS.nrm2(tried), gainRatio: rho.isFinite ? rho : .nan, stepLength: stepLength)
        return IterationOutcome(summary: summary, moved: false)
      case .accept:
        // 4. The new point.
        let (fNew, newSystem) = linearize(at: point, evaluations: &evaluations)
        guard fNew.isFinite && newSystem.gradient.allSatisfy(\.isFinite) else {
          return IterationOutcome(
            summary: nil, moved: false, termination: .singularSystem("the Jacobian is not finite at the new point"),
            result: (trial, fTrial))
        }
        state.descent = descent.accepted(state.descent, newSystem)
        state.parameters = trial
        state.loss = fNew
        state.lastStepAccepted = true
        state.lastDecrease = .init(change: f - fTrial, previous: f)
        workspace = Workspace(point: point, system: newSystem)
        let summary = IterationSummary(
          iteration: iteration, loss: fNew, lossChange: f - fTrial, gradientMaxNorm: maxNorm(newSystem.gradient),
          stepNorm: BLAS.nrm2(tried), gainRatio: rho, damping: search.shown(state.search, stepLength: stepLength),
          accepted: true, time: 0)
        return IterationOutcome(summary: summary, moved: true)
      }
    }
  }

  public func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome? { nil }

  /// f and the linearization at an evaluated point, held the cheapest way the step allows:
  ///  - least squares whose J has fewer rows than columns: J and r (the dual system, no P × P matrix);
  ///  - a curvature factor F with fewer rows than columns (a classifier, or least squares with the L2
  ///    penalty, on fewer samples than weights) when the step is damped or there is no ridge: F, R and g;
  ///  - J and r with G = JᵀJ when the descent or the acceleration needs them;
  ///  - otherwise G and g accumulated by the problem.
  ///
  /// A problem whose samples are split over ranks (``GaussNewtonObjective/isDistributed``) always takes the
  /// last: G and g are sums over the ranks, while J, r and F would be one rank's rows. (The dual system of
  /// M < P samples is not a sum over samples: its M × M matrix JJᵀ couples every pair of them.)
  func linearize(at point: EvaluationPoint, evaluations: inout EvaluationCounts) -> (Double, DampedLinearSolver.System)
  {
    evaluations.jacobian += 1
    let p = problem.parameterCount
    let leastSquares =
      problem.isDistributed ? nil : (problem as? any LeastSquaresProblem).flatMap { $0.providesJacobian ? $0 : nil }
    if let ls = leastSquares, ls.residualCount < p {
      var r = [Double](repeating: 0, count: ls.residualCount)
      var j = Matrix(rows: ls.residualCount, columns: p)
      ls.residualsAndJacobian(at: point, residuals: &r, jacobian: &j)
      return (point.objective, .init(jacobian: j, residuals: r))
    }
    if !problem.isDistributed, let factored = problem as? any CurvatureFactorization, factored.curvatureFactorRows < p {
      var factor = Matrix(rows: factored.curvatureFactorRows, columns: p)
      var ridge: [Double]?
      var g = [Double](repeating: 0, count: p)
      let f = factored.curvatureFactor(at: point, factor: &factor, ridge: &ridge, gradient: &g)
      if descent.isDamped || ridge == nil { return (f, .init(factor: factor, ridge: ridge, gradient: g)) }
    }
    if let ls = leastSquares, descent.needsJacobian || geodesicAcceleration != nil {
      var r = [Double](repeating: 0, count: ls.residualCount)
      var j = Matrix(rows: ls.residualCount, columns: p)
      ls.residualsAndJacobian(at: point, residuals: &r, jacobian: &j)
      var g = [Double](repeating: 0, count: p)
      var normal = Matrix(rows: p, columns: p)
      BLAS.syrk(j, transpose: .transpose, into: &normal)
      BLAS.gemv(j, r, transpose: .transpose, into: &g)
      return (point.objective, .init(normalMatrix: normal, gradient: g, jacobian: j, residuals: r))
    }
    var g = [Double](repeating: 0, count: p)
    var normal = Matrix(rows: p, columns: p)
    let f = problem.normalEquations(at: point, normalMatrix: &normal, gradient: &g)
    return (f, .init(normalMatrix: normal, gradient: g))
  }

  /// v + a/2 when the acceleration is small enough relative to v, else v (Transtrum & Sethna 2012).
  func accelerated(
    _ v: [Double], _ geodesic: GeodesicAcceleration, _ ls: any LeastSquaresProblem, _ theta: [Double],
    _ system: DampedLinearSolver.System, _ control: Double, _ descentState: Descent.State,
    _ evaluations: inout EvaluationCounts
  ) -> [Double] {
    let h = geodesic.step
    let r = system.residuals!
    var rAhead = [Double](repeating: 0, count: ls.residualCount)
    ls.residuals(at: zip(theta, v).map { $0 + h * $1 }, into: &rAhead)
    evaluations.function += 1
    var jv = [Double](repeating: 0, count: ls.residualCount)
    BLAS.gemv(system.jacobian!, v, into: &jv)
    let second = (0..<r.count).map { (2 / h) * ((rAhead[$0] - r[$0]) / h - jv[$0]) }
    guard second.allSatisfy(\.isFinite) else { return v }
    var rhs = [Double](repeating: 0, count: v.count)
    BLAS.gemv(system.jacobian!, second, transpose: .transpose, into: &rhs)
    guard control > 0 || system.normalMatrix != nil,
      let a = try? descent.solve(system, control: control, state: descentState, rightHandSide: rhs)
    else { return v }
    guard 2 * BLAS.nrm2(a) <= geodesic.maximumRatio * BLAS.nrm2(v) else { return v }
    return zip(v, a).map { $0 + 0.5 * $1 }
  }
}

/// The state of a Gauss–Newton-family run: θ, f, the descent's and the search's states, and the latest
/// step's outcome for the convergence tests.
public struct GaussNewtonFamilyState<DescentState: Codable & Sendable, SearchState: Codable & Sendable>: Codable,
  Sendable
{
  /// θ.
  public var parameters: [Double]
  /// f(θ), from the linearization at θ.
  public var loss: Double
  /// The descent's state (Marquardt's running scaling d).
  public var descent: DescentState
  /// The search's state (μ and ν of a damping schedule).
  public var search: SearchState
  /// Whether the latest iteration's step was taken (true at the start).
  public var lastStepAccepted = true
  /// The decrease of the latest accepted step, f(before) − f(after), and f(before); nil after a rejection.
  public var lastDecrease: Decrease?

  /// An accepted step's decrease.
  public struct Decrease: Codable, Sendable, Equatable {
    /// f(before) − f(after).
    public var change: Double
    /// f(before).
    public var previous: Double
  }

  /// A state at θ with its f and its parts' states, before any step.
  public init(parameters: [Double], loss: Double, descent: DescentState, search: SearchState) {
    self.parameters = parameters
    self.loss = loss
    self.descent = descent
    self.search = search
  }
}

/// ‖v‖∞, with NaN propagated (a NaN never hides inside a max-norm).
func maxNorm(_ v: [Double]) -> Double {
  var largest = 0.0
  for x in v {
    if x.isNaN { return .nan }
    largest = max(largest, abs(x))
  }
  return largest
}
