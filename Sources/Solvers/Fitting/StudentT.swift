import Foundation

/// Student's t distribution with ν > 0 degrees of freedom: its tail probability and its quantiles, for
/// confidence intervals θ̂ ± t_{(1+c)/2, ν}·se.
///
/// The upper tail is P(T > t) = ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (Abramowitz & Stegun 26.7.1 with 26.5.27),
/// through ``IncompleteBeta``; the quantile solves P(T > t) = q for the upper tail q = min(p, 1 − p) by
/// Newton's method on the density f(t) = (1 + t²/ν)^{−(ν+1)/2} / (√ν·B(ν/2, ½)), safeguarded by bisection
/// on a bracket, to a relative step of a few ulps. ν = 1 (Cauchy) and ν = 2 have closed forms, used as
/// they are.
public enum StudentT {
  /// P(T > t).
  public static func upperTail(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    precondition(nu > 0, "the t distribution needs ν > 0")
    if t.isNaN { return .nan }
    if t == .infinity { return 0 }
    if t == -.infinity { return 1 }
    let x = nu / (nu + t * t)
    let half = 0.5 * IncompleteBeta.regularized(x, a: nu / 2, b: 0.5)
    return t >= 0 ? half : 1 - half
  }

  /// P(T ≤ t).
  public static func cumulativeProbability(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    upperTail(-t, degreesOfFreedom: nu)
  }

  /// f(t).
  public static func density(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    let logBeta = lgamma(nu / 2) + lgamma(0.5) - lgamma(nu / 2 + 0.5)
    return exp(-(nu + 1) / 2 * log1p(t * t / nu) - 0.5 * log(nu) - logBeta)
  }

  /// The t with P(T ≤ t) = p, 0 < p < 1.
  public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
    precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1")
    precondition(nu > 0, "the t distribution needs ν > 0")
    if p == 0.5 { return 0 }
    let q = min(p, 1 - p)
    let sign: Double = p > 0.5 ? 1 : -1
    if nu == 1 { return sign * tan(Double.pi * (0.5 - q)) }
    if nu == 2 { return sign * (1 - 2 * q) * (2 / (4 * q * (1 - q))).squareRoot() }
    // Bracket [0, hi] with P(T > hi) < q, then Newton from the normal approximation.
    var lo = 0.0
    var hi = 1.0
    while upperTail(hi, degreesOfFreedom: nu) > q { (lo, hi) = (hi, 2 * hi) }
    var t = min(max(normalQuantileApproximation(1 - q), lo), hi)
    for _ in 0..<200 {
      let tail = upperTail(t, degreesOfFreedom: nu)
      if tail > q { lo = t } else { hi = t }
      var next = t + (tail - q) / density(t, degreesOfFreedom: nu)
      if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
      if abs(next - t) <= 4 * Double.ulpOfOne * abs(next) { return sign * next }
      t = next
    }
    return sign * t
  }

  /// A starting point: the standard normal quantile by Abramowitz & Stegun 26.2.23 (error < 4.5·10⁻⁴),
  /// for p > ½.
  private static func normalQuantileApproximation(_ p: Double) -> Double {
    let u = (-2 * log(1 - p)).squareRoot()
    return u - (2.515517 + 0.802853 * u + 0.010328 * u * u)
      / (1 + 1.432788 * u + 0.189269 * u * u + 0.001308 * u * u * u)
  }
}
