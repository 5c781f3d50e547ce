import KKTNet

/// Levenberg–Marquardt: at θ, with G = JᵀJ (or the generalized Gauss–Newton matrix) and g = ∇f, solve
///
///     (G + μD)δ = −g,
///
/// try θ + δ, and judge it by the gain ratio ρ = [f(θ) − f(θ + δ)] / [−gᵀδ − ½δᵀGδ]. A step that does not
/// reduce f is never taken; the damping strategy raises μ after it (towards a short gradient step,
/// δ → −D⁻¹g/μ) and lowers μ after a good step (towards Gauss–Newton). Levenberg 1944, Marquardt 1963;
/// the defaults follow Madsen, Nielsen & Tingleff 2004.
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

  /// Minimizes f from `start`.
  ///
  /// - Parameters:
  ///   - validation: θ ↦ validation loss, for trainlm's early stop (evaluated at the start and after each
  ///     accepted step).
  ///   - observer: called with every iteration's summary (iteration 0 first).
  ///   - resume: a state saved by `checkpointing`, to continue exactly where it was saved.
  ///   - checkpointing: saves the state every so many iterations.
  public func minimize(
    _ problem: some GaussNewtonObjective, from start: [Double], resume: SolverState? = nil,
    validation: (([Double]) -> Double)? = nil, checkpointing: Checkpointing? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    var minimizer = LeastSquaresMinimizer(
      problem: problem, method: .levenbergMarquardt(options), stopping: options.stopping, validation: validation,
      observer: observer)
    return minimizer.run(from: start, resume: resume, checkpointing: checkpointing)
  }
}

/// Gauss–Newton: δ = argmin ‖Jδ + r‖ (the minimum-norm one, by the SVD, by default; for a generalized
/// Gauss–Newton problem, of Gδ = −g), with the step halved until it reduces f — a step that increases the
/// loss is never taken. Quadratic convergence on zero-residual problems.
public struct GaussNewton: Sendable {
  public struct Options: Sendable {
    /// SVD (default: the minimum-norm argmin, also when J is rank deficient, as networks with dead units or
    /// constant inputs are), QR or Cholesky (faster, but they stop on a rank-deficient J).
    public var linearSolver: LinearSolverKind
    /// How many times the step may be halved before the run stops with `.noDescent`.
    public var maximumHalvings: Int
    public var stopping: StoppingCriteria

    public init(
      linearSolver: LinearSolverKind = .svd, maximumHalvings: Int = 30, stopping: StoppingCriteria = StoppingCriteria()
    ) {
      self.linearSolver = linearSolver
      self.maximumHalvings = maximumHalvings
      self.stopping = stopping
    }
  }

  public var options: Options

  public init(options: Options = Options()) { self.options = options }

  public func minimize(
    _ problem: some GaussNewtonObjective, from start: [Double], resume: SolverState? = nil,
    validation: (([Double]) -> Double)? = nil, checkpointing: Checkpointing? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    var minimizer = LeastSquaresMinimizer(
      problem: problem, method: .gaussNewton(options), stopping: options.stopping, validation: validation,
      observer: observer)
    return minimizer.run(from: start, resume: resume, checkpointing: checkpointing)
  }
}
