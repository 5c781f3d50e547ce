import KKTNet

/// Any least-squares problem with a robust loss on some of its residuals:
///
///     f(θ) = ½ Σ_{i∈R} C²ρ((rᵢ(θ)/C)²) + ½ Σ_{i∉R} rᵢ(θ)²,
///
/// R the robust rows (all by default; for a network with λ₂, the data rows and not the penalty rows), solved
/// by Gauss–Newton or Levenberg–Marquardt through the Triggs correction of each robust row
/// (``TriggsCorrection``): g = J̃ᵀr̃ is ∇f exactly and G = J̃ᵀJ̃ its corrected curvature.
///
/// `residuals(at:into:)` and `jacobian(at:into:)` give r̃ and J̃; `objective(at:)` and the value returned by
/// `normalEquations` are the robust cost f, not ½‖r̃‖². That is why ``providesJacobian`` is false: today's
/// minimizer takes f as ½‖r‖² whenever it forms J itself (for QR, SVD on the stacked system, or geodesic
/// acceleration), so the wrapper asks it to use `normalEquations` instead; a QR request then solves the
/// normal equations by Cholesky, and SVD works on G.
///
/// Memory: the base problem's full Jacobian (M × P) is formed at each linearization. For
/// ``NetworkLeastSquaresProblem`` that is (m·n_N + weights) × P; a network-scale robust fit should
/// accumulate JᵀWJ block by block with W = diag(ρ̃′ + 2sρ̃″) instead (a row-weighted variant of its
/// `normalEquations`).
public final class RobustLeastSquaresProblem<Base: LeastSquaresProblem>: LeastSquaresProblem {
  /// The problem whose residuals are reweighted.
  public let base: Base
  /// ρ.
  public let loss: RobustLoss
  /// C, SciPy's `f_scale`.
  public let scale: Double
  /// The rows the loss applies to.
  public let robustRows: Range<Int>

  /// `base` with ρ applied to (rᵢ/`scale`)² for the residuals in `robustRows` (all by default).
  public init(_ base: Base, loss: RobustLoss, scale: Double = 1, robustRows: Range<Int>? = nil) {
    precondition(scale > 0 && scale.isFinite, "the robust scale C must be positive and finite")
    let rows = robustRows ?? 0..<base.residualCount
    precondition(rows.lowerBound >= 0 && rows.upperBound <= base.residualCount, "the robust rows must be residuals")
    self.base = base
    self.loss = loss
    self.scale = scale
    self.robustRows = rows
  }

  public var parameterCount: Int { base.parameterCount }
  public var residualCount: Int { base.residualCount }
  public var providesJacobian: Bool { false }

  /// ½ Σ_R C²ρ((rᵢ/C)²) + ½ Σ_{not R} rᵢ².
  public func objective(at parameters: [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    base.residuals(at: parameters, into: &r)
    return cost(r)
  }

  func cost(_ r: [Double]) -> Double {
    var sum = 0.0
    for (i, value) in r.enumerated() {
      sum += robustRows.contains(i) ? loss.scaled(squaredResidual: value * value, scale: scale).value : value * value
    }
    return 0.5 * sum
  }

  /// r̃.
  public func residuals(at parameters: [Double], into residuals: inout [Double]) {
    base.residuals(at: parameters, into: &residuals)
    for i in robustRows {
      let r = residuals[i]
      residuals[i] = TriggsCorrection(residual: r, rho: rho(r)).residualScaling * r
    }
  }

  /// J̃.
  public func jacobian(at parameters: [Double], into jacobian: inout Matrix) {
    var r = [Double](repeating: 0, count: residualCount)
    base.residuals(at: parameters, into: &r)
    base.jacobian(at: parameters, into: &jacobian)
    correct(&r, &jacobian)
  }

  /// G = J̃ᵀJ̃, g = J̃ᵀr̃, and the robust cost f.
  public func normalEquations(at parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    base.residuals(at: parameters, into: &r)
    let f = cost(r)
    var j = Matrix(rows: residualCount, columns: parameterCount)
    base.jacobian(at: parameters, into: &j)
    correct(&r, &j)
    BLAS.syrk(j, transpose: .transpose, into: &normalMatrix)
    BLAS.gemv(j, r, transpose: .transpose, into: &gradient)
    return f
  }

  private func rho(_ r: Double) -> (value: Double, first: Double, second: Double) {
    loss.scaled(squaredResidual: r * r, scale: scale)
  }

  private func correct(_ r: inout [Double], _ j: inout Matrix) {
    let m = residualCount
    j.elements.withUnsafeMutableBufferPointer { jacobian in
      for i in robustRows {
        let correction = TriggsCorrection(residual: r[i], rho: rho(r[i]))
        r[i] *= correction.residualScaling
        for c in 0..<parameterCount { jacobian[i + c * m] *= correction.jacobianScaling }
      }
    }
  }
}
