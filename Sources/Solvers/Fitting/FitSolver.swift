/// The solver `kktnet fit` uses, in one place: the method and its configuration.
///
/// Levenberg–Marquardt (default): the library's default, the trust region of Moré and MINPACK (pivoted QR
/// of J; Cholesky on the normal equations for problems that do not form J, such as robust fits), with
/// MINPACK's ftol and xtol at 10⁻¹⁵ and gtol 0, so that a fit stops at the rounding level of its problem:
/// every parameter of all 54 NIST starts then reaches LRE ≥ 6. Gauss–Newton: the minimum-norm step (SVD)
/// with a halving line search.
///
/// Bounds l ≤ θ ≤ u (``bounds``) are for Levenberg–Marquardt: the projected active-set trust region of
/// ``TrustRegionMethod`` (Bertsekas 1982; Kanzow, Yamashita & Fukushima 2004), from a start inside the box.
public struct FitSolver: Sendable {
  /// The solvers `kktnet fit` offers.
  public enum Method: String, CaseIterable, Sendable {
    /// ``LevenbergMarquardt`` with the trust region.
    case levenbergMarquardt = "levenberg-marquardt"
    /// ``GaussNewton`` with a halving line search.
    case gaussNewton = "gauss-newton"
  }

  /// The solver.
  public var method: Method
  /// The iteration budget.
  public var maximumIterations: Int
  /// l ≤ θ ≤ u, or nil; Levenberg–Marquardt only.
  public var bounds: BoxConstraints?

  /// The iteration budget when none is given: MGH10 from NIST's start 1 needs about 6 000 iterations.
  public static let defaultMaximumIterations = 10_000

  /// A fit solver; the budget defaults to ``defaultMaximumIterations``, `bounds` to none.
  public init(
    method: Method = .levenbergMarquardt, maximumIterations: Int = FitSolver.defaultMaximumIterations,
    bounds: BoxConstraints? = nil
  ) {
    precondition(maximumIterations >= 0, "the iteration budget cannot be negative")
    precondition(bounds == nil || method == .levenbergMarquardt, "bounds are for Levenberg–Marquardt")
    self.method = method
    self.maximumIterations = maximumIterations
    self.bounds = bounds
  }

  /// The budget and the tolerances the solver runs with.
  public var stopping: StoppingCriteria {
    StoppingCriteria(
      maximumIterations: maximumIterations, gradientTolerance: 0, stepTolerance: 1e-15, functionTolerance: 1e-15)
  }

  /// Minimizes the problem from `start` (inside the bounds, when there are bounds).
  public func minimize(
    _ problem: some GaussNewtonObjective, from start: [Double], observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    switch method {
    case .levenbergMarquardt where bounds != nil:
      let options = TrustRegionLevenbergMarquardt.Options(stopping: stopping, bounds: bounds)
      return TrustRegionLevenbergMarquardt(options: options).minimize(problem, from: start, observer: observer)
    case .levenbergMarquardt:
      let options = LevenbergMarquardt.Options(stopping: stopping)
      return LevenbergMarquardt(options: options).minimize(problem, from: start, observer: observer)
    case .gaussNewton:
      return GaussNewton(options: .init(stopping: stopping)).minimize(problem, from: start, observer: observer)
    }
  }
}
