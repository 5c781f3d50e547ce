import KKTNet

/// Levenberg–Marquardt with a trust region, after Moré (1978) and MINPACK's `lmder`: the radius Δ on ‖Dp‖
/// (D from the norms of J's columns, with a running maximum), λ from the safeguarded Newton iteration on
/// the secular equation ‖Dp(λ)‖ = Δ (`lmpar`), Δ shrunk with MINPACK's `temp` rule when ρ ≤ ¼ and set to
/// 2‖Dp‖ when ρ ≥ ¾, a step taken when ρ ≥ 10⁻⁴, and MINPACK's ftol, xtol and gtol tests.
///
/// It is the composition of a ``TrustRegionSubproblem`` (the step for Δ) and a ``TrustRegion`` (the radius),
/// run by ``Minimizer`` as ``TrustRegionMethod``. The stopping rules' function and step tolerances are
/// MINPACK's ftol and xtol (10⁻¹² by default, tighter than MINPACK's √ε, so that a run stops at the
/// rounding level of its problem rather than at 8 digits); the budget counts trials, one function
/// evaluation each, as MINPACK's maxfev counts them.
public struct TrustRegionLevenbergMarquardt: Sendable {
  /// The settings of a trust-region run.
  public struct Options: Sendable {
    /// The radius's settings: the initial factor (100), the scaling (column norms), gtol (0).
    public var trustRegion: TrustRegion.Options
    /// How the linearization is held: J by a pivoted QR, or the normal equations by Cholesky.
    public var linearization: Linearization
    /// The budget and the tolerances.
    public var stopping: StoppingCriteria
    /// l ≤ θ ≤ u, or nil for none: the projected active-set trust region of ``TrustRegionMethod``.
    public var bounds: BoxConstraints?

    /// MINPACK's trust region, the automatic linearization and the default stopping criteria by default.
    public init(
      trustRegion: TrustRegion.Options = TrustRegion.Options(), linearization: Linearization = .automatic,
      stopping: StoppingCriteria = StoppingCriteria(), bounds: BoxConstraints? = nil
    ) {
      self.trustRegion = trustRegion
      self.linearization = linearization
      self.stopping = stopping
      self.bounds = bounds
    }
  }

  /// How the trust region's subproblem is factored.
  public enum Linearization: String, Sendable, Codable, CaseIterable {
    /// J and r with a pivoted QR (MINPACK's way, the condition number of J) when the problem forms J, does
    /// not prefer its normal equations (``GaussNewtonObjective/prefersNormalEquations``: a network does) and
    /// J holds at most 2²² numbers (32 MiB); the normal equations otherwise.
    case automatic
    /// Always J and r, by the pivoted QR.
    case qr
    /// Always G and g, by Cholesky: for many samples J is never formed.
    case normalEquations

    /// Whether a J of `rows` × `columns` is factored by QR.
    func usesQR(rows: Int, columns: Int) -> Bool {
      switch self {
      case .automatic:
        let (size, overflow) = rows.multipliedReportingOverflow(by: columns)
        return !overflow && size <= 1 << 22
      case .qr: return true
      case .normalEquations: return false
      }
    }
  }

  /// The settings.
  public var options: Options

  /// A solver with the given settings.
  public init(options: Options = Options()) { self.options = options }

  /// What a checkpoint of a trust-region run holds: θ, f, Δ, λ, D and the counters.
  public typealias State = TrustRegionState

  /// The iteration this solver runs on `problem`.
  public func method<Problem: GaussNewtonObjective>(for problem: Problem) -> TrustRegionMethod<Problem> {
    TrustRegionMethod(problem: problem, options: options)
  }

  /// Minimizes f from `start`, or continues `resume` (see ``LevenbergMarquardt/minimize(_:from:resume:validation:checkpointing:interruption:observer:)``).
  public func minimize<Problem: GaussNewtonObjective>(
    _ problem: Problem, from start: [Double], resume: RunState<State>? = nil,
    validation: Validation? = nil, checkpointing: Checkpointing<State>? = nil,
    interruption: Interruption? = nil, observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    Minimizer(method: method(for: problem), stopping: options.stopping).minimize(
      from: start, resume: resume, validation: validation, checkpointing: checkpointing, interruption: interruption,
      observer: observer)
  }
}
