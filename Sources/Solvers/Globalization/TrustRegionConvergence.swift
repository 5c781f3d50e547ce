/// MINPACK `lmder`'s convergence tests (its `info` 1–4 and 6–8; 5, the budget of function evaluations,
/// belongs to the loop). After every trial, with the reductions of ``TrustRegion`` relative to f:
///
///     1: |actual| ≤ ftol and predicted ≤ ftol and ρ ≤ 2        — f is within ftol of its minimum
///     2: Δ ≤ xtol·‖Dθ‖                                        — θ is within xtol of the minimizer
///     3: both
///     6, 7, 8: the tests of 1, 2 and 4 with ε = 2⁻⁵² in place of the tolerance — a tolerance below rounding
///              cannot be met, and no further progress is possible in double precision
///
/// and at every new linearization 4: maxⱼ |gⱼ|/(‖Jⱼ‖·‖r‖) ≤ gtol (MINPACK tests 8 after each trial with
/// the gnorm of the current linearization, as here). 1–3 take precedence over 6–8, and 6–8 over the
/// budget (MINPACK assigns info 5 before 6–8, which then overwrite it).
public enum TrustRegionConvergence: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
  /// info 1.
  case relativeReduction = 1
  /// info 2.
  case relativeStep = 2
  /// info 3.
  case relativeReductionAndStep = 3
  /// info 4.
  case gradientOrthogonal = 4
  /// info 6: ftol is too small; no further reduction of f is possible.
  case reductionAtRoundingLevel = 6
  /// info 7: xtol is too small; no further improvement of θ is possible.
  case stepAtRoundingLevel = 7
  /// info 8: gtol is too small; r is orthogonal to J's columns to machine precision.
  case gradientAtRoundingLevel = 8

  /// MINPACK's `info`.
  public var minpackInfo: Int { rawValue }

  public var description: String { "MINPACK info \(rawValue)" }

  /// The tests after a trial, in lmder's order.
  static func test(
    actual: Double, predicted: Double, ratio: Double, state: TrustRegion.State, options: TrustRegion.Options
  ) -> TrustRegionConvergence? {
    func reduction(_ tolerance: Double) -> Bool {
      abs(actual) <= tolerance && predicted <= tolerance && 0.5 * ratio <= 1
    }
    let reduced = reduction(options.functionTolerance)
    let short = state.radius <= options.stepTolerance * state.scaledParameterNorm
    if reduced && short { return .relativeReductionAndStep }
    if short { return .relativeStep }
    if reduced { return .relativeReduction }
    let epsilon = Double.ulpOfOne
    if state.gradientCosine <= epsilon { return .gradientAtRoundingLevel }
    if state.radius <= epsilon * state.scaledParameterNorm { return .stepAtRoundingLevel }
    if reduction(epsilon) { return .reductionAtRoundingLevel }
    return nil
  }

  /// The termination reason a loop reports, with the tolerance that was met.
  public func termination(_ options: TrustRegion.Options) -> Termination {
    switch self {
    case .relativeReduction: return .relativeReduction(options.functionTolerance)
    case .relativeStep: return .trustRegionRadius(options.stepTolerance)
    case .relativeReductionAndStep:
      return .relativeReductionAndRadius(reduction: options.functionTolerance, radius: options.stepTolerance)
    case .gradientOrthogonal: return .residualOrthogonality(options.gradientTolerance)
    case .reductionAtRoundingLevel: return .reductionBelowRounding
    case .stepAtRoundingLevel: return .radiusBelowRounding
    case .gradientAtRoundingLevel: return .orthogonalityBelowRounding
    }
  }
}
