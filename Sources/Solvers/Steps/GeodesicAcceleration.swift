/// Geodesic acceleration for Levenberg–Marquardt (Transtrum & Sethna 2012, "Improvements to the
/// Levenberg–Marquardt algorithm for nonlinear least-squares minimization"; GSL's `lmaccel`).
///
/// With the LM step v (the "velocity"), the second directional derivative of the residuals is taken by a
/// finite difference along v,
///
///     r″ᵥ ≈ (2/h)·[(r(θ + hv) − r(θ))/h − Jv],
///
/// the acceleration a solves (JᵀJ + μD)a = −Jᵀr″ᵥ, and the step is v + a/2 — accepted only when
/// 2‖a‖/‖v‖ ≤ α, else the plain step v is tried. It follows the curved valley of the residuals and helps
/// most on problems with strong parameter effects (exponentials, Gaussians).
public struct GeodesicAcceleration: Sendable {
  /// h, the finite-difference step along v (0.1 by Transtrum & Sethna).
  public var step: Double
  /// α, the largest accepted ratio 2‖a‖/‖v‖ (0.75 by default, GSL's avmax).
  public var maximumRatio: Double

  /// Transtrum & Sethna's defaults: h = 0.1 for the second derivative, α = 0.75 for the ratio limit.
  public init(step: Double = 0.1, maximumRatio: Double = 0.75) {
    precondition(step > 0 && maximumRatio > 0, "h and α must be positive")
    self.step = step
    self.maximumRatio = maximumRatio
  }
}
