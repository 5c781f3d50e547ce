/// MATLAB `trainlm`'s multiplicative damping schedule: μ starts at 10⁻³, is multiplied by 0.1 after a
/// step that reduces the loss and by 10 after one that does not, and training stops once μ exceeds 10¹⁰
/// (`trainlm` parameters mu, mu_dec, mu_inc, mu_max; Hagan & Menhaj 1994).
public struct MultiplicativeDamping: DampingStrategy {
  /// μ₀.
  public var initial: Double
  /// The factor μ is multiplied by after an accepted step (0 < μ_dec < 1).
  public var decrease: Double
  /// The factor μ is multiplied by after a rejected step (μ_inc > 1).
  public var increase: Double
  public var state: DampingState
  public var maximumDamping: Double

  /// trainlm's schedule by default: μ₀ = 10⁻³, ×0.1 on success, ×10 on failure.
  public init(initial: Double = 1e-3, decrease: Double = 0.1, increase: Double = 10, maximumDamping: Double = 1e10) {
    precondition(initial > 0 && decrease > 0 && decrease < 1 && increase > 1, "μ > 0, 0 < μ_dec < 1 < μ_inc")
    self.initial = initial
    self.decrease = decrease
    self.increase = increase
    self.state = DampingState(damping: initial)
    self.maximumDamping = maximumDamping
  }

  /// μ = μ_initial whatever the curvature (trainlm does not scale it).
  public mutating func start(scaledDiagonal: [Double]) { state.damping = initial }

  public mutating func stepAccepted(gainRatio: Double) { state.damping *= decrease }

  public mutating func stepRejected() { state.damping *= increase }
}
