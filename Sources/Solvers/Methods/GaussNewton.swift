import KKTNet

/// Gauss–Newton: δ = argmin ‖Jδ + r‖ (the minimum-norm one, by the SVD, by default; for a generalized
/// Gauss–Newton problem, of Gδ = −g), with the step halved until it reduces f — a step that increases the
/// loss is never taken. Quadratic convergence on zero-residual problems.
///
/// It is the composition of a ``NewtonDescent`` and a ``HalvingLineSearch``, run by ``Minimizer``.
public struct GaussNewton: Sendable {
  /// The settings of a Gauss–Newton run.
  public struct Options: Sendable {
    /// SVD (default: the minimum-norm argmin, also when J is rank deficient, as networks with dead units or
    /// constant inputs are), QR or Cholesky (faster, but they stop on a rank-deficient J).
    public var linearSolver: LinearSolverKind
    /// How many times the step may be halved before the run stops with `.noDescent`.
    public var maximumHalvings: Int
    /// The budget and the tolerances.
    public var stopping: StoppingCriteria

    /// SVD (minimum-norm steps), at most 30 halvings and the default stopping criteria by default.
    public init(
      linearSolver: LinearSolverKind = .svd, maximumHalvings: Int = 30, stopping: StoppingCriteria = StoppingCriteria()
    ) {
      self.linearSolver = linearSolver
      self.maximumHalvings = maximumHalvings
      self.stopping = stopping
    }
  }

  /// The settings.
  public var options: Options

  /// A solver with the given settings.
  public init(options: Options = Options()) { self.options = options }

  /// What a checkpoint of a Gauss–Newton run holds: θ and f.
  public typealias State = GaussNewtonFamilyState<NoState, NoState>

  /// The iteration this solver runs on `problem`.
  public func method<Problem: GaussNewtonObjective>(for problem: Problem)
    -> GaussNewtonFamily<Problem, NewtonDescent, HalvingLineSearch>
  {
    GaussNewtonFamily(
      problem: problem, descent: NewtonDescent(linearSolver: options.linearSolver),
      search: HalvingLineSearch(maximumHalvings: options.maximumHalvings))
  }

  /// Minimizes f from `start`, or continues `resume` (see ``LevenbergMarquardt/minimize(_:from:resume:validation:checkpointing:interruption:observer:)``).
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
