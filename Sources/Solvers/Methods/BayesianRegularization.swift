import KKTNet

/// Bayesian regularization (MacKay 1992, "Bayesian interpolation", Neural Comput. 4; Foresee & Hagan 1997,
/// "Gauss–Newton approximation to Bayesian learning", ICNN; MATLAB's `trainbr`): Levenberg–Marquardt on
///
///     F(θ) = β·E_D + α·E_W,   E_D = ½Σᵢ eᵢ²,   E_W = ½Σⱼ θⱼ²   (``BayesianRegularizationProblem``),
///
/// with α and β re-estimated after each accepted step from the evidence at the new θ, through the
/// effective number of parameters
///
///     γ = P − α·tr((B + αI)⁻¹) = Σₖ βλₖ/(βλₖ + α),   B = βJᵀJ (λₖ the eigenvalues of JᵀJ, for e = Jθ + …),
///     α ← γ / (2E_W),   β ← (N − γ) / (2E_D).
///
/// (In Foresee–Hagan's convention without the ½, G = 2βJᵀJ and γ = P − 2α·tr((G + 2αI)⁻¹): the same γ.)
/// The start is `trainbr`'s: γ₀ = P (N/2 when N ≤ P), α₀ = γ₀/(2E_W), β₀ = (N − γ₀)/(2E_D) at θ₀.
///
/// It is a composition around ``TrustRegionMethod`` (Moré's trust region, MINPACK's `lmder`): each
/// iteration is one of its iterations on F for the current α, β; after an accepted step the hyperparameters
/// are re-estimated from the base's JᵀJ at the new point (the one the trust region's linearization there
/// computed, kept by the problem), which also gives the linearization of the new F, and a convergence test of the trust region is cleared while α or β still
/// move by more than the function tolerance, so that the run stops at a fixed point of θ, α and β together.
public struct BayesianRegularization: Sendable {
  /// The settings of a run: the trust region it runs on F.
  public struct Options: Sendable {
    /// Moré's trust region on F, its linearization (normal equations for networks) and stopping rules.
    public var trustRegion: TrustRegionLevenbergMarquardt.Options

    /// Settings with the trust region's defaults unless given.
    public init(trustRegion: TrustRegionLevenbergMarquardt.Options = .init()) { self.trustRegion = trustRegion }
  }

  /// The settings.
  public var options: Options

  /// Bayesian regularization with `options`.
  public init(options: Options = Options()) { self.options = options }

  /// What a run saves and resumes from.
  public typealias State = BayesianRegularizationState

  /// The iteration this solver runs on `problem`.
  public func method<Base>(for problem: BayesianRegularizationProblem<Base>) -> BayesianRegularizationMethod<Base> {
    BayesianRegularizationMethod(problem: problem, options: options)
  }

  /// Minimizes F from `start` with α and β re-estimated (see ``LevenbergMarquardt`` for the arguments).
  public func minimize<Base>(
    _ problem: BayesianRegularizationProblem<Base>, from start: [Double], resume: RunState<State>? = nil,
    validation: Validation? = nil, checkpointing: Checkpointing<State>? = nil, interruption: Interruption? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    Minimizer(method: method(for: problem), stopping: options.trustRegion.stopping).minimize(
      from: start, resume: resume, validation: validation, checkpointing: checkpointing, interruption: interruption,
      observer: observer)
  }
}

/// α, β and γ of Bayesian regularization.
public struct EvidenceHyperparameters: Codable, Sendable, Equatable {
  /// α, the weight of E_W.
  public var alpha: Double
  /// β, the weight of E_D.
  public var beta: Double
  /// γ, the effective number of parameters the estimate came from.
  public var effectiveParameters: Double
}

/// The state of a Bayesian-regularization run: the trust region's on F, and α, β, γ.
public struct BayesianRegularizationState: Codable, Sendable {
  /// The trust region's state on F.
  public var trustRegion: TrustRegionState
  /// α, β and γ at the current θ.
  public var hyperparameters: EvidenceHyperparameters
  /// θ.
  public var parameters: [Double] { trustRegion.parameters }
}

/// ``BayesianRegularization`` as one ``IterativeMethod``.
public struct BayesianRegularizationMethod<Base: LeastSquaresProblem>: IterativeMethod {
  /// F = βE_D + αE_W over the base problem.
  public let problem: BayesianRegularizationProblem<Base>
  /// The trust-region iteration on F.
  public let inner: TrustRegionMethod<BayesianRegularizationProblem<Base>>

  public typealias State = BayesianRegularizationState
  public typealias Workspace = TrustRegionMethod<BayesianRegularizationProblem<Base>>.Workspace

  /// The iteration on `problem` with `options`.
  public init(problem: BayesianRegularizationProblem<Base>, options: BayesianRegularization.Options) {
    self.problem = problem
    inner = TrustRegionMethod(problem: problem, options: options.trustRegion)
  }

  public var stepControlName: String { "Δ" }
  public func parameters(of state: State) -> [Double] { state.trustRegion.parameters }
  public func loss(of state: State) -> Double { state.trustRegion.loss }

  public func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace> {
    let (n, p) = (Double(problem.errorCount), Double(problem.parameterCount))
    let gamma = n > p ? p : n / 2
    let dataError = problem.dataError(at: parameters)
    evaluations.function += 1
    let weightError = problem.weightError(parameters)
    let hyperparameters = EvidenceHyperparameters(
      alpha: weightError > 0 ? gamma / (2 * weightError) : 0, beta: dataError > 0 ? (n - gamma) / (2 * dataError) : 1,
      effectiveParameters: gamma)
    set(hyperparameters)
    let started = inner.start(at: parameters, evaluations: &evaluations)
    var summary = started.summary
    annotate(&summary, hyperparameters)
    let finite = started.isFinite && hyperparameters.alpha.isFinite && hyperparameters.beta.isFinite
    return MethodStart(
      state: State(trustRegion: started.state, hyperparameters: hyperparameters), workspace: started.workspace,
      summary: summary, isFinite: finite)
  }

  public func workspace(resuming state: State) -> Workspace {
    set(state.hyperparameters)
    return inner.workspace(resuming: state.trustRegion)
  }

  public func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination? {
    inner.termination(of: state.trustRegion, workspace: workspace, stopping: stopping, last: last)
  }

  public func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    set(state.hyperparameters)
    var outcome = inner.iterate(
      &state.trustRegion, workspace: &workspace, iteration: iteration, budget: budget, stopping: stopping,
      evaluations: &evaluations)
    guard outcome.moved, outcome.termination == nil, var summary = outcome.summary else {
      if var summary = outcome.summary {
        annotate(&summary, state.hyperparameters)
        outcome.summary = summary
      }
      return outcome
    }
    // The evidence at the new θ: γ from the old α, β, then the new α, β; F and its linearization for them.
    let theta = state.trustRegion.parameters
    let previous = state.hyperparameters
    var (updated, normal, g, fBase) = reestimate(at: theta, previous, evaluations: &evaluations)
    state.hyperparameters = updated
    set(updated)
    // G = βc²G_b + αI, g = βc²g_b + αθ and F from the same base evaluation (as normalEquations(at:) makes them).
    let f = problem.combine(theta, fBase, &normal, &g)
    let point = EvaluationPoint(parameters: theta, objective: f)
    do {
      let subproblem = try TrustRegionSubproblem(normalMatrix: normal, gradient: g, objective: f)
      workspace = Workspace(point: point, gradient: g, subproblem: subproblem)
    } catch {
      workspace = Workspace(point: point, gradient: g, subproblem: nil, failure: error)
    }
    state.trustRegion.loss = point.objective
    if let subproblem = workspace.subproblem, let test = state.trustRegion.region.relinearized(subproblem) {
      state.trustRegion.convergence = test
    }
    let tolerance = stopping.functionTolerance
    if abs(updated.alpha - previous.alpha) > tolerance * abs(previous.alpha)
      || abs(updated.beta - previous.beta) > tolerance * abs(previous.beta)
    {
      state.trustRegion.convergence = nil
    }
    summary.loss = point.objective
    summary.gradientMaxNorm = workspace.gradient.reduce(0) { max($0, abs($1)) }
    annotate(&summary, updated)
    outcome.summary = summary
    if !(point.objective.isFinite && updated.alpha.isFinite && updated.beta.isFinite) {
      outcome.termination = .singularSystem("the evidence's α or β is not finite at the new point")
    }
    return outcome
  }

  public func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome? { nil }

  /// γ = Σₖ βλₖ/(βλₖ + α) from the eigenvalues λₖ of c²JᵀJ at θ (the singular values of the symmetric
  /// positive semidefinite matrix), then α = γ/(2E_W) and β = (N − γ)/(2E_D); with the base's G_b, g_b and
  /// ½‖r‖² at θ, for the linearization of the new F.
  func reestimate(at theta: [Double], _ h: EvidenceHyperparameters, evaluations: inout EvaluationCounts)
    -> (EvidenceHyperparameters, Matrix, [Double], Double)
  {
    let p = problem.parameterCount
    var normal = Matrix(rows: p, columns: p)
    var g = [Double](repeating: 0, count: p)
    let fBase: Double
    if let latest = problem.latestBase, latest.parameters.map(\.bitPattern) == theta.map(\.bitPattern) {
      // The trust region linearized here after accepting the step: the same G_b, g_b and ½‖r‖².
      (normal, g, fBase) = (latest.normalMatrix, latest.gradient, latest.objective)
    } else {
      fBase = problem.base.normalEquations(at: theta, normalMatrix: &normal, gradient: &g)
      evaluations.function += 1
      evaluations.jacobian += 1
    }
    let c2 = problem.residualScale * problem.residualScale
    var symmetric = normal
    for j in 0..<p {
      for i in j..<p {
        symmetric[i, j] = c2 * normal[i, j]
        symmetric[j, i] = symmetric[i, j]
      }
    }
    guard let eigenvalues = try? LAPACK.gesvd(symmetric).singularValues else { return (h, normal, g, fBase) }
    let gamma = eigenvalues.reduce(0) { $0 + h.beta * $1 / (h.beta * $1 + h.alpha) }
    let dataError = problem.dataError(baseObjective: fBase)
    let weightError = problem.weightError(theta)
    let n = Double(problem.errorCount)
    let updated = EvidenceHyperparameters(
      alpha: weightError > 0 ? gamma / (2 * weightError) : h.alpha,
      beta: dataError > 0 ? (n - gamma) / (2 * dataError) : h.beta, effectiveParameters: gamma)
    return (updated, normal, g, fBase)
  }

  private func set(_ h: EvidenceHyperparameters) {
    problem.alpha = h.alpha
    problem.beta = h.beta
  }

  private func annotate(_ summary: inout IterationSummary, _ h: EvidenceHyperparameters) {
    summary.effectiveParameters = h.effectiveParameters
    summary.alpha = h.alpha
    summary.beta = h.beta
  }
}
