import KKTNet

/// Levenberg–Marquardt: at θ, with G = JᵀJ (or the generalized Gauss–Newton matrix) and g = ∇f, the step
///
///     (G + λD)δ = −g
///
/// for a damping λ ≥ 0 and a scaling D, judged by the gain ratio ρ = [f(θ) − f(θ + δ)] / (the model's
/// decrease). A step that does not reduce f is never taken. Levenberg 1944, Marquardt 1963. λ is controlled
/// one of two ways:
///
/// - by a trust region on ‖Dδ‖ (the default): ``TrustRegionLevenbergMarquardt``, Moré 1978 as MINPACK's
///   `lmder` does it — D from the norms of J's columns with a running maximum, λ from the secular equation
///   ‖Dδ(λ)‖ = Δ, the radius Δ updated from ρ;
/// - by a damping schedule (``DampingStrategy``): Nielsen's gain-ratio rule (Madsen, Nielsen & Tingleff
///   2004) or trainlm's ×0.1 / ×10, with D = I or Marquardt's diag(JᵀJ), composed as a
///   ``DampedNewtonDescent`` with a ``DampingSearch``.
///
/// The default was chosen by measurement (README, "Levenberg–Marquardt: the default"): the trust region
/// meets NIST's certified values from every start and MINPACK's losses on small networks, while Nielsen's
/// schedule with D = I goes further on the diabetes network P2, where MINPACK stalls.
public struct LevenbergMarquardt: Sendable {
  /// How λ is controlled.
  public enum Control: Sendable {
    /// A trust region on ‖Dδ‖ (Moré 1978, MINPACK).
    case trustRegion(TrustRegion.Options)
    /// A damping schedule.
    case schedule(any DampingStrategy)

    /// The trust region with MINPACK's settings.
    public static var trustRegion: Control { .trustRegion(TrustRegion.Options()) }
  }

  /// The settings of a Levenberg–Marquardt run.
  public struct Options: Sendable {
    /// The trust region (default) or a damping schedule.
    public var control: Control
    /// D of a damping schedule: I (Levenberg, default) or diag(JᵀJ) with Moré's running maximum
    /// (Marquardt). The trust region keeps its own D (``TrustRegion/Options/scaling``).
    public var scaling: DampingScaling
    /// How the step's system is solved; nil for the control's default — the pivoted QR of J when J is small
    /// enough to hold, else Cholesky on the normal equations, for the trust region; Cholesky for a schedule.
    /// The trust region takes QR or Cholesky, not SVD.
    public var linearSolver: LinearSolverKind?
    /// Geodesic acceleration (a damping schedule only), off by default.
    public var geodesicAcceleration: GeodesicAcceleration?
    /// The budget and tolerances; by default 1000 iterations and tolerances of 10⁻¹².
    public var stopping: StoppingCriteria

    /// Levenberg–Marquardt with a trust region (by default) or the given control.
    public init(
      control: Control = .trustRegion, linearSolver: LinearSolverKind? = nil,
      stopping: StoppingCriteria = StoppingCriteria(maximumIterations: 1000)
    ) {
      self.control = control
      scaling = .identity
      self.linearSolver = linearSolver
      geodesicAcceleration = nil
      self.stopping = stopping
    }

    /// Levenberg–Marquardt with a damping schedule.
    public init(
      damping: any DampingStrategy, scaling: DampingScaling = .identity, linearSolver: LinearSolverKind = .cholesky,
      geodesicAcceleration: GeodesicAcceleration? = nil,
      stopping: StoppingCriteria = StoppingCriteria(maximumIterations: 1000)
    ) {
      control = .schedule(damping)
      self.scaling = scaling
      self.linearSolver = linearSolver
      self.geodesicAcceleration = geodesicAcceleration
      self.stopping = stopping
    }
  }

  /// The settings.
  public var options: Options

  /// A solver with the given settings (the trust region by default).
  public init(options: Options = Options()) { self.options = options }

  /// What a checkpoint of a Levenberg–Marquardt run holds: θ, f and the control's state — Δ, λ and D of the
  /// trust region, or μ, ν and d of a schedule.
  public enum State: Codable, Sendable {
    /// The state of the trust region.
    case trustRegion(TrustRegionState)
    /// The state of a damping schedule.
    case schedule(GaussNewtonFamilyState<[Double], DampingState>)

    /// θ.
    public var parameters: [Double] {
      switch self {
      case .trustRegion(let state): return state.parameters
      case .schedule(let state): return state.parameters
      }
    }
  }

  /// The trust-region solver these options describe, or nil for a damping schedule.
  public var trustRegion: TrustRegionLevenbergMarquardt? {
    guard case .trustRegion(let region) = options.control else { return nil }
    let linearization: TrustRegionLevenbergMarquardt.Linearization
    switch options.linearSolver {
    case nil: linearization = .automatic
    case .qr?: linearization = .qr
    case .cholesky?, .svd?: linearization = .normalEquations
    }
    return TrustRegionLevenbergMarquardt(
      options: .init(trustRegion: region, linearization: linearization, stopping: options.stopping))
  }

  /// The damping-schedule iteration on `problem`, or nil for the trust region.
  public func scheduleMethod<Problem: GaussNewtonObjective>(for problem: Problem)
    -> GaussNewtonFamily<Problem, DampedNewtonDescent, DampingSearch>?
  {
    guard case .schedule(let strategy) = options.control else { return nil }
    return GaussNewtonFamily(
      problem: problem,
      descent: DampedNewtonDescent(scaling: options.scaling, linearSolver: options.linearSolver ?? .cholesky),
      search: DampingSearch(strategy: strategy), geodesicAcceleration: options.geodesicAcceleration)
  }

  /// The name of the summaries' step-control column: Δ for the trust region, μ for a schedule.
  public var stepControlName: String { trustRegion == nil ? "μ" : "Δ" }

  /// Minimizes f from `start`, or continues `resume`.
  ///
  /// - Parameters:
  ///   - resume: a state saved by `checkpointing` with the same control, to continue exactly where it was
  ///     saved.
  ///   - validation: the validation loss, for trainlm's early stop (evaluated at the start and after each
  ///     accepted step).
  ///   - checkpointing: saves the state every so many iterations and at the end.
  ///   - interruption: ends the run between two iterations when requested.
  ///   - observer: called with every iteration's summary (iteration 0 first); a trailing closure is this.
  public func minimize<Problem: GaussNewtonObjective>(
    _ problem: Problem, from start: [Double], resume: RunState<State>? = nil, validation: Validation? = nil,
    checkpointing: Checkpointing<State>? = nil, interruption: Interruption? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    if let trustRegion {
      let saved = resume.map { run in
        run.mapMethod { state -> TrustRegionState in
          guard case .trustRegion(let region) = state else {
            preconditionFailure("the saved state belongs to a damping schedule, not to the trust region")
          }
          return region
        }
      }
      return trustRegion.minimize(
        problem, from: start, resume: saved, validation: validation,
        checkpointing: checkpointing.map { c in
          Checkpointing(every: c.every) { c.save($0.mapMethod(State.trustRegion)) }
        },
        interruption: interruption, observer: observer)
    }
    let saved = resume.map { run in
      run.mapMethod { state -> GaussNewtonFamilyState<[Double], DampingState> in
        guard case .schedule(let schedule) = state else {
          preconditionFailure("the saved state belongs to the trust region, not to a damping schedule")
        }
        return schedule
      }
    }
    return Minimizer(method: scheduleMethod(for: problem)!, stopping: options.stopping).minimize(
      from: start, resume: saved, validation: validation,
      checkpointing: checkpointing.map { c in Checkpointing(every: c.every) { c.save($0.mapMethod(State.schedule)) } },
      interruption: interruption, observer: observer)
  }
}

extension LevenbergMarquardt.State {
  /// Which control the state belongs to.
  public enum Kind: Sendable, Equatable {
    /// The trust region.
    case trust
    /// A damping schedule.
    case schedule
  }

  /// The control the state belongs to.
  public var control: Kind {
    if case .trustRegion = self { return .trust }
    return .schedule
  }
}

extension DampingKind {
  /// The kind of Levenberg–Marquardt state this damping writes.
  var control: LevenbergMarquardt.State.Kind { self == .trustRegion ? .trust : .schedule }
}
