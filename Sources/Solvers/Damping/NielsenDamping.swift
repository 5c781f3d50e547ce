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
  public private(set) var damping: Double
  /// ν, the growth factor of the next rejection.
  public private(set) var growth: Double = 2
  public var maximumDamping: Double

  public init(tau: Double = 1e-3, maximumDamping: Double = 1e32) {
    precondition(tau > 0, "τ must be positive")
    self.tau = tau
    self.damping = tau
    self.maximumDamping = maximumDamping
  }

  public mutating func start(scaledDiagonal: [Double]) {
    let largest = scaledDiagonal.max() ?? 1
    damping = tau * (largest > 0 ? largest : 1)
    growth = 2
  }

  public mutating func stepAccepted(gainRatio rho: Double) {
    let t = 2 * rho - 1
    damping *= max(1.0 / 3.0, 1 - t * t * t)
    growth = 2
  }

  public mutating func stepRejected() {
    damping *= growth
    growth *= 2
  }

  public var savedState: [String: Double] { ["damping": damping, "growth": growth] }

  public mutating func restore(_ saved: [String: Double]) {
    damping = saved["damping"] ?? damping
    growth = saved["growth"] ?? growth
  }
}
