/// The solver `kktnet fit` uses, in one place: the method and its configuration.
///
/// Levenberg–Marquardt (default): the library's default, the trust region of Moré and MINPACK (pivoted QR
/// of J; Cholesky on the normal equations for problems that do not form J, such as robust fits), with
/// MINPACK's ftol and xtol at 10⁻¹⁵ and gtol 0, so that a fit stops at the rounding level of its problem:
/// every parameter of all 54 NIST starts then reaches LRE ≥ 6. Gauss–Newton: the minimum-norm step (SVD)
/// with a halving line search.
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

  /// The iteration budget when none is given: MGH10 from NIST's start 1 needs about 6 000 iterations.
  public static let defaultMaximumIterations = 10_000

  /// A fit solver; the budget defaults to ``defaultMaximumIterations``.
  public init(method: Method = .levenbergMarquardt, maximumIterations: Int = FitSolver.defaultMaximumIterations) {
    precondition(maximumIterations >= 0, "the iteration budget cannot be negative")
    self.method = method
    self.maximumIterations = maximumIterations
  }

  /// The budget and the tolerances the solver runs with.
  public var stopping: StoppingCriteria {
    StoppingCriteria(
      maximumIterations: maximumIterations, gradientTolerance: 0, stepTolerance: 1e-15, functionTolerance: 1e-15)
  }

  /// Minimizes the problem from `start`.
  public func minimize(
    _ problem: some GaussNewtonObjective, from start: [Double], observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    switch method {
    case .levenbergMarquardt:
      let options = LevenbergMarquardt.Options(stopping: stopping)
      return LevenbergMarquardt(options: options).minimize(problem, from: start, observer: observer)
    case .gaussNewton:
      return GaussNewton(options: .init(stopping: stopping)).minimize(problem, from: start, observer: observer)
    }
  }
}
