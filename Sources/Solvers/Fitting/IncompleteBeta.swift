import Foundation

/// The regularized incomplete beta function
///
///     I_x(a, b) = B(x; a, b) / B(a, b) = (1/B(a, b)) ∫₀ˣ tᵃ⁻¹(1 − t)ᵇ⁻¹ dt,   0 ≤ x ≤ 1, a, b > 0,
///
/// by the continued fraction of DLMF 8.17.22, evaluated with the modified Lentz algorithm (Press et al.,
/// *Numerical Recipes*, 3rd ed., §6.4 `betacf`), on the side of the symmetry I_x(a, b) = 1 − I₁₋ₓ(b, a)
/// where it converges fast (x < (a + 1)/(a + b + 2)). The prefactor xᵃ(1 − x)ᵇ/(a·B(a, b)) is formed in
/// logarithms with `lgamma`, so it neither overflows nor underflows before the end.
public enum IncompleteBeta {
  /// I_x(a, b).
  public static func regularized(_ x: Double, a: Double, b: Double) -> Double {
    precondition(a > 0 && b > 0, "the incomplete beta function needs a, b > 0")
    precondition(x >= 0 && x <= 1, "the incomplete beta function needs 0 ≤ x ≤ 1")
    if x == 0 || x == 1 { return x }
    if x < (a + 1) / (a + b + 2) {
      return prefactor(x, a, b) * continuedFraction(x, a, b) / a
    }
    return 1 - prefactor(1 - x, b, a) * continuedFraction(1 - x, b, a) / b
  }

  /// 1 − I_x(a, b), computed without cancellation when I_x(a, b) is close to 1.
  public static func complement(_ x: Double, a: Double, b: Double) -> Double {
    regularized(1 - x, a: b, b: a)
  }

  /// xᵃ(1 − x)ᵇ / B(a, b).
  private static func prefactor(_ x: Double, _ a: Double, _ b: Double) -> Double {
    exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
  }

  /// The continued fraction 1/(1 + d₁/(1 + d₂/(1 + …))) with
  /// d₂ₘ₊₁ = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)), d₂ₘ = m(b − m)x / ((a + 2m − 1)(a + 2m)).
  private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300
    let (qab, qap, qam) = (a + b, a + 1, a - 1)
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...100_000 {
      let m = Double(m)
      let m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) <= Double.ulpOfOne { break }
    }
    return h
  }
}
