import KKTNet

/// The damped step when J has fewer rows than columns (M < P), from J alone: with J̃ = J·D^−½ and
/// y = D^½δ, the P × P system (J̃ᵀJ̃ + μI)y = −D^−½b is solved through M × M matrices only.
///
/// - b = Jᵀr (the step): y = −J̃ᵀw with (J̃J̃ᵀ + μI)w = r (Cholesky, posv), or y = −V·diag(σ/(σ² + μ))·Uᵀr
///   from the thin SVD J̃ = UΣVᵀ (QR and SVD kinds: no squared condition number; μ = 0 gives the
///   minimum-norm Gauss–Newton step, singular values below ε·σ₁ dropped).
/// - any other b (geodesic acceleration, μ > 0): the Woodbury identity,
///   y = −(c − J̃ᵀ(J̃J̃ᵀ + μI)⁻¹J̃c)/μ with c = D^−½b.
///
/// The cost is O(M²P) and the memory M·P + M², never P².
struct DualSystem {
  /// J̃ = J·D^−½, M × P.
  let scaled: Matrix
  /// D^−½ and D^½.
  let inverseRoot: [Double]
  let root: [Double]

  init(jacobian j: Matrix, scaling d: [Double]) {
    let (m, p) = (j.rows, j.columns)
    var scaled = j
    let inverseRoot = d.map { 1 / $0.squareRoot() }
    for c in 0..<p {
      let s = inverseRoot[c]
      for i in 0..<m { scaled.elements[i + c * m] *= s }
    }
    self.scaled = scaled
    self.inverseRoot = inverseRoot
    root = d.map { $0.squareRoot() }
  }

  func solve(kind: LinearSolverKind, damping mu: Double, residuals r: [Double], rightHandSide b: [Double]?)
    throws(LAPACKError) -> [Double]
  {
    let (m, p) = (scaled.rows, scaled.columns)
    var y = [Double](repeating: 0, count: p)
    if let b {
      precondition(mu > 0, "a general right-hand side needs μ > 0 in the dual system")
      let c = (0..<p).map { b[$0] * inverseRoot[$0] }
      var jc = [Double](repeating: 0, count: m)
      BLAS.gemv(scaled, c, into: &jc)
      let w = try LAPACK.posv(dampedGram(mu), Matrix(column: jc)).elements
      BLAS.gemv(scaled, w, transpose: .transpose, into: &y)
      for i in 0..<p { y[i] = -(c[i] - y[i]) / mu }
    } else if kind == .cholesky {
      let w = try LAPACK.posv(dampedGram(mu), Matrix(column: r))
      BLAS.gemv(scaled, w.elements, transpose: .transpose, alpha: -1, into: &y)
    } else {
      let (u, sigma, vt) = try LAPACK.gesvd(scaled)
      let cutoff = (sigma.first ?? 0) * Double.ulpOfOne * Double(max(m, p))
      var coefficients = [Double](repeating: 0, count: sigma.count)
      BLAS.gemv(u, r, transpose: .transpose, into: &coefficients)
      for k in sigma.indices {
        let s = sigma[k]
        coefficients[k] = s > cutoff ? -coefficients[k] * s / (s * s + mu) : 0
      }
      BLAS.gemv(vt, coefficients, transpose: .transpose, into: &y)
    }
    return (0..<p).map { y[$0] / root[$0] }
  }

  /// J̃J̃ᵀ + μI (M × M).
  private func dampedGram(_ mu: Double) -> Matrix {
    var a = Matrix(rows: scaled.rows, columns: scaled.rows)
    BLAS.syrk(scaled, transpose: .none, into: &a)
    for i in 0..<scaled.rows { a[i, i] += mu }
    return a
  }
}
