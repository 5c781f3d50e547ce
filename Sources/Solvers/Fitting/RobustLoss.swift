import Foundation

/// A robust loss ρ applied to squared residuals z = (rᵢ/C)², as SciPy's `least_squares(loss=…, f_scale=C)`
/// defines them; the cost is ½ Σᵢ C²ρ((rᵢ/C)²).
///
///     linear   ρ(z) = z
///     huber    ρ(z) = z for z ≤ 1, 2√z − 1 otherwise
///     soft-l1  ρ(z) = 2(√(1 + z) − 1)
///     cauchy   ρ(z) = log(1 + z)
///     arctan   ρ(z) = arctan(z)
///
/// Each behaves like z near 0, so C marks where a residual starts to count as an outlier.
public enum RobustLoss: String, CaseIterable, Sendable, Codable {
  /// ρ(z) = z: ordinary least squares.
  case linear
  /// ρ(z) = z for z ≤ 1, 2√z − 1 otherwise.
  case huber
  /// ρ(z) = 2(√(1 + z) − 1).
  case softL1 = "soft-l1"
  /// ρ(z) = log(1 + z).
  case cauchy
  /// ρ(z) = arctan(z).
  case arctan

  /// ρ(z), ρ′(z), ρ″(z) for z ≥ 0 (SciPy's `huber`, `soft_l1`, `cauchy`, `arctan` in
  /// `scipy/optimize/_lsq/least_squares.py`).
  public func evaluate(_ z: Double) -> (value: Double, first: Double, second: Double) {
    switch self {
    case .linear:
      return (z, 1, 0)
    case .huber:
      if z <= 1 { return (z, 1, 0) }
      let root = z.squareRoot()
      return (2 * root - 1, 1 / root, -0.5 / (z * root))
    case .softL1:
      let t = 1 + z
      let root = t.squareRoot()
      return (2 * (root - 1), 1 / root, -0.5 / (t * root))
    case .cauchy:
      return (log1p(z), 1 / (1 + z), -1 / ((1 + z) * (1 + z)))
    case .arctan:
      let q = 1 + z * z
      return (atan(z), 1 / q, -2 * z / (q * q))
    }
  }

  /// ρ̃(s) = C²ρ(s/C²) and its derivatives in s = r², the form the correction takes.
  public func scaled(squaredResidual s: Double, scale c: Double) -> (value: Double, first: Double, second: Double) {
    let (rho, first, second) = evaluate(s / (c * c))
    return (c * c * rho, first, second / (c * c))
  }
}

/// The Triggs correction (Triggs et al. 2000, "Bundle adjustment — a modern synthesis", §4.3), as Ceres
/// applies it per residual block (`internal/ceres/corrector.cc`): for a residual r with s = r² and ρ̃
/// with derivatives ρ̃′, ρ̃″ at s, the corrected residual and Jacobian row
///
///     r̃ = (√ρ̃′ / (1 − α))·r,   J̃ = √ρ̃′·(1 − α)·J,   α = 1 − √(1 + 2sρ̃″/ρ̃′),
///
/// make J̃ᵀr̃ = ρ̃′Jᵀr the exact gradient of ½ρ̃(r²) and J̃ᵀJ̃ = (ρ̃′ + 2sρ̃″)JᵀJ its Gauss–Newton curvature.
/// Like Ceres, where ρ̃″ ≤ 0 (the outlier region of every loss here) the curvature term is dropped
/// (α = 0: r̃ = √ρ̃′r, J̃ = √ρ̃′J), which keeps J̃ᵀJ̃ positive semidefinite; for these losses that is
/// iteratively reweighted least squares with weights ρ̃′.
struct TriggsCorrection {
  /// r̃/r.
  let residualScaling: Double
  /// J̃/J.
  let jacobianScaling: Double

  init(residual r: Double, rho: (value: Double, first: Double, second: Double)) {
    let s = r * r
    let root = rho.first.squareRoot()
    if s == 0 || rho.second <= 0 {
      residualScaling = root
      jacobianScaling = root
      return
    }
    let alpha = 1 - (1 + 2 * s * rho.second / rho.first).squareRoot()
    residualScaling = root / (1 - alpha)
    jacobianScaling = root * (1 - alpha)
  }
}
