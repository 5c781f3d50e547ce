import KKTNet

/// Levenberg–Marquardt: at θ, with G = JᵀJ (or the generalized Gauss–Newton matrix) and g = ∇f, solve
///
///     (G + μD)δ = −g,
///
/// try θ + δ, and judge it by the gain ratio ρ = [f(θ) − f(θ + δ)] / [−gᵀδ − ½δᵀGδ]. A step that does not
/// reduce f is never taken; the damping strategy raises μ after it (towards a short gradient step,
/// δ → −D⁻¹g/μ) and lowers μ after a good step (towards Gauss–Newton). Levenberg 1944, Marquardt 1963;
/// the defaults follow Madsen, Nielsen & Tingleff 2004.
///
/// It is the composition of a ``DampedNewtonDescent`` (the step for μ, with the scaling D) and a
/// ``DampingSearch`` (the schedule of μ), run by ``Minimizer``.
public struct LevenbergMarquardt: Sendable {
  public struct Options: Sendable {
    /// The damping update: Nielsen's gain-ratio rule (default) or trainlm's multiplicative schedule.
    public var damping: any DampingStrategy
    /// D = I (Levenberg, default) or diag(JᵀJ) with Moré's running maximum (Marquardt).
    public var scaling: DampingScaling
    /// Cholesky (default), QR or SVD.
    public var linearSolver: LinearSolverKind
    /// Geodesic acceleration, off by default.
    public var geodesicAcceleration: GeodesicAcceleration?
    public var stopping: StoppingCriteria

    public init(
      damping: any DampingStrategy = NielsenDamping(), scaling: DampingScaling = .identity,
      linearSolver: LinearSolverKind = .cholesky, geodesicAcceleration: GeodesicAcceleration? = nil,
      stopping: StoppingCriteria = StoppingCriteria()
    ) {
      self.damping = damping
      self.scaling = scaling
      self.linearSolver = linearSolver
      self.geodesicAcceleration = geodesicAcceleration
      self.stopping = stopping
    }
  }

  public var options: Options

  public init(options: Options = Options()) { self.options = options }

  /// What a checkpoint of a Levenberg–Marquardt run holds: θ, f, the scaling d, μ and ν.
  public typealias State = GaussNewtonFamilyState<[Double], DampingState>

  /// The iteration this solver runs on `problem`.
  public func method<Problem: GaussNewtonObjective>(for problem: Problem)
    -> GaussNewtonFamily<Problem, DampedNewtonDescent, DampingSearch>
  {
    GaussNewtonFamily(
      problem: problem, descent: DampedNewtonDescent(scaling: options.scaling, linearSolver: options.linearSolver),
      search: DampingSearch(strategy: options.damping), geodesicAcceleration: options.geodesicAcceleration)
  }

  /// Minimizes f from `start`, or continues `resume`.
  ///
  /// - Parameters:
  ///   - resume: a state saved by `checkpointing`, to continue exactly where it was saved.
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
    Minimizer(method: method(for: problem), stopping: options.stopping).minimize(
      from: start, resume: resume, validation: validation, checkpointing: checkpointing, interruption: interruption,
      observer: observer)
  }
}
