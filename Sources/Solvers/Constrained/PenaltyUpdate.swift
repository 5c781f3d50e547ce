/// How the penalty weight ρ (or μ) of a constrained trainer changes between outer iterations.
///
/// - The augmented Lagrangian's rule (Bertsekas, *Constrained Optimization and Lagrange Multiplier
///   Methods*, 1982, §2.2; Conn, Gould & Toint's LANCELOT safeguards): ρ ← min(γρ, ρ_max) when the
///   constraint residual maxₖ‖cᵏ‖∞ did not fall below τ times its previous value, else ρ stays.
/// - The quadratic penalty's schedule (MAC, Carreira-Perpiñán & Wang 2014): μ ← min(γμ, μ_max) after every
///   outer iteration.
public struct PenaltyUpdate: Sendable, Codable, Equatable {
  /// γ > 1, the growth factor.
  public var growth: Double
  /// The bound ρ_max (or μ_max).
  public var maximum: Double
  /// τ ∈ (0, 1): the decrease of the residual that keeps ρ (the augmented Lagrangian only).
  public var sufficientDecrease: Double

  /// γ, the bound and τ; by default γ = 10, 10⁸ and τ = ¼ (a larger ρ only amplifies the rounding of c in Λ + ρc).
  public init(growth: Double = 10, maximum: Double = 1e8, sufficientDecrease: Double = 0.25) {
    self.growth = growth
    self.maximum = maximum
    self.sufficientDecrease = sufficientDecrease
  }

  /// ρ after an outer iteration of the augmented Lagrangian whose residual went from `previous` to `current`.
  public func augmentedLagrangian(_ rho: Double, previous: Double, current: Double) -> Double {
    current > sufficientDecrease * previous ? min(rho * growth, max(maximum, rho)) : rho
  }

  /// μ after an outer iteration of the quadratic penalty.
  public func penalty(_ mu: Double) -> Double { min(mu * growth, max(maximum, mu)) }
}
