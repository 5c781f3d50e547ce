import KKTNet

/// The damped step when the curvature is G = FᵀF + R with a factor F of fewer rows than columns (M < P:
/// fewer samples than parameters) and R = diag(ridge) ⪰ 0, from F alone — never a P × P matrix:
///
///     (FᵀF + E)δ = −b,   E = R + μD (diagonal).
///
/// - Least squares without a ridge (F = J, b = g = Jᵀr): with J̃ = J·D^−½, δ = −D^−½J̃ᵀw where
///   (J̃J̃ᵀ + μI)w = r (posv), or δ = −D^−½·V·diag(σ/(σ² + μ))·Uᵀr from the thin SVD J̃ = UΣVᵀ (QR and SVD
///   kinds); both stay accurate as μ → 0, and μ = 0 gives the minimum-norm Gauss–Newton step.
/// - Otherwise, E > 0 (a damped step): with F̃ = F·E^−½ and c = E^−½b, the Woodbury
///   identity gives δ = −E^−½(c − F̃ᵀw), where (I + F̃F̃ᵀ)w = F̃c is an M × M system — by Cholesky (posv),
///   or for the QR and SVD kinds from the thin SVD F̃ = UΣVᵀ: δ = −E^−½(c − V·diag(σ²/(1 + σ²))·Vᵀc),
///   which does not square F̃'s condition number.
/// - E = 0 (the Gauss–Newton step without a ridge): the minimum-norm δ = −V·Σ⁺·Uᵀr of least squares, or
///   δ = −V·(Σ⁺)²·Vᵀg when only g is known (a generalized Gauss–Newton problem), singular values below
///   ε·σ₁·max(M, P) dropped.
///
/// The cost is O(M²P) flops and M·P + M² memory.
struct DualSystem {
  let factor: Matrix
  let ridge: [Double]?

  /// δ for damping μ, scaling d and the right-hand side b (−δ solves (G + μD)δ = b); `residuals` r, when
  /// known and b = g = Fᵀr, serve the undamped step.
  func solve(
    kind: LinearSolverKind, damping mu: Double, scaling d: [Double], gradient b: [Double], residuals: [Double]?
  )
    throws(LAPACKError) -> [Double]
  {
    let (m, p) = (factor.rows, factor.columns)
    if let r = residuals, ridge == nil {
      return try leastSquaresStep(kind: kind, damping: mu, scaling: d, residuals: r)
    }
    let e = (0..<p).map { (ridge?[$0] ?? 0) + mu * d[$0] }
    precondition(
      e.allSatisfy { $0 > 0 } || e.allSatisfy { $0 == 0 },
      "the dual system needs R + μD positive everywhere or zero everywhere")
    if e.allSatisfy({ $0 > 0 }) {
      let inverseRoot = e.map { 1 / $0.squareRoot() }
      var scaled = factor
      for c in 0..<p {
        for i in 0..<m { scaled.elements[i + c * m] *= inverseRoot[c] }
      }
      let c = (0..<p).map { b[$0] * inverseRoot[$0] }
      var correction = [Double](repeating: 0, count: p)
      if kind == .cholesky {
        var gram = Matrix(rows: m, columns: m)
        BLAS.syrk(scaled, transpose: .none, into: &gram)
        for i in 0..<m { gram[i, i] += 1 }
        var fc = [Double](repeating: 0, count: m)
        BLAS.gemv(scaled, c, into: &fc)
        let w = try LAPACK.posv(gram, Matrix(column: fc)).elements
        BLAS.gemv(scaled, w, transpose: .transpose, into: &correction)
      } else {
        let (_, sigma, vt) = try LAPACK.gesvd(scaled)
        var coefficients = [Double](repeating: 0, count: sigma.count)
        BLAS.gemv(vt, c, into: &coefficients)
        for k in sigma.indices { coefficients[k] *= sigma[k] * sigma[k] / (1 + sigma[k] * sigma[k]) }
        BLAS.gemv(vt, coefficients, transpose: .transpose, into: &correction)
      }
      return (0..<p).map { -(c[$0] - correction[$0]) * inverseRoot[$0] }
    }
    // The undamped, unridged step of minimum norm, −(FᵀF)⁺g.
    let (_, sigma, vt) = try LAPACK.gesvd(factor)
    let cutoff = (sigma.first ?? 0) * Double.ulpOfOne * Double(max(m, p))
    var coefficients = [Double](repeating: 0, count: sigma.count)
    BLAS.gemv(vt, b, into: &coefficients)
    for k in sigma.indices { coefficients[k] = sigma[k] > cutoff ? -coefficients[k] / (sigma[k] * sigma[k]) : 0 }
    var step = [Double](repeating: 0, count: p)
    BLAS.gemv(vt, coefficients, transpose: .transpose, into: &step)
    return step
  }

  /// The least-squares step from r (see the type's comment), in D-equilibrated variables y = D^½δ.
  private func leastSquaresStep(kind: LinearSolverKind, damping mu: Double, scaling d: [Double], residuals r: [Double])
    throws(LAPACKError) -> [Double]
  {
    let (m, p) = (factor.rows, factor.columns)
    var scaled = factor
    for c in 0..<p {
      let s = 1 / d[c].squareRoot()
      for i in 0..<m { scaled.elements[i + c * m] *= s }
    }
    var y = [Double](repeating: 0, count: p)
    if kind == .cholesky {
      var gram = Matrix(rows: m, columns: m)
      BLAS.syrk(scaled, transpose: .none, into: &gram)
      for i in 0..<m { gram[i, i] += mu }
      let w = try LAPACK.posv(gram, Matrix(column: r))
      BLAS.gemv(scaled, w.elements, transpose: .transpose, alpha: -1, into: &y)
    } else {
      let (u, sigma, vt) = try LAPACK.gesvd(scaled)
      let cutoff = mu > 0 ? 0 : (sigma.first ?? 0) * Double.ulpOfOne * Double(max(m, p))
      var coefficients = [Double](repeating: 0, count: sigma.count)
      BLAS.gemv(u, r, transpose: .transpose, into: &coefficients)
      for k in sigma.indices {
        let s = sigma[k]
        coefficients[k] = s > cutoff ? -coefficients[k] * s / (s * s + mu) : 0
      }
      BLAS.gemv(vt, coefficients, transpose: .transpose, into: &y)
    }
    return (0..<p).map { y[$0] / d[$0].squareRoot() }
  }
}
