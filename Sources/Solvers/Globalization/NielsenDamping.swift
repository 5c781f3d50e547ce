/// Nielsen's gain-ratio update of the damping (Madsen, Nielsen & Tingleff 2004, "Methods for non-linear
/// least squares problems", algorithm 3.16; also Ceres's `LevenbergMarquardtStrategy`):
///
///     μ₀ = τ·maxᵢ(Gᵢᵢ/dᵢ);   accepted: μ ← μ·max(1/3, 1 − (2ρ − 1)³), ν ← 2;   rejected: μ ← μ·ν, ν ← 2ν.
///
/// A good step (ρ near 1) shrinks μ by up to 3, a poor one barely; failures grow μ ever faster.
public struct NielsenDamping: DampingStrategy {
  /// τ, the initial damping relative to the largest curvature (10⁻³ by default; 10⁻⁶ when the start is
  /// believed good, 1 when not).
  public var tau: Double
  public var state: DampingState
  public var maximumDamping: Double

  /// Nielsen's rule with μ₀ = τ·maxᵢ Gᵢᵢ, stopping past `maximumDamping`.
  public init(tau: Double = 1e-3, maximumDamping: Double = 1e32) {
    precondition(tau > 0, "τ must be positive")
    self.tau = tau
    self.state = DampingState(damping: tau, growth: 2)
    self.maximumDamping = maximumDamping
  }

  /// ν, the growth factor of the next rejection.
  public var growth: Double { state.growth }

  public mutating func start(scaledDiagonal: [Double]) {
    let largest = scaledDiagonal.max() ?? 1
    state = DampingState(damping: tau * (largest > 0 ? largest : 1), growth: 2)
  }

  public mutating func stepAccepted(gainRatio rho: Double) {
    let t = 2 * rho - 1
    state.damping *= max(1.0 / 3.0, 1 - t * t * t)
    state.growth = 2
  }

  public mutating func stepRejected() {
    state.damping *= state.growth
    state.growth *= 2
  }
}
