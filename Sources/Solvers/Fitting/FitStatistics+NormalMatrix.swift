import KKTNet

extension FitStatistics {
  /// (JᵀJ)⁻¹ from G = JᵀJ itself, for a fit whose rows of J are spread over ranks (only the sum G is
  /// whole): with D = diag(√Gⱼⱼ) and the eigendecomposition D⁻¹GD⁻¹ = VΛVᵀ (its SVD, G being symmetric
  /// positive semidefinite), (JᵀJ)⁻¹ = D⁻¹VΛ⁻¹VᵀD⁻¹.
  ///
  /// Forming G squares J's condition number, so the eigenvalues are only known to about ε·λ₁: an
  /// eigenvalue λₖ ≤ max(m, p)·ε·λ₁ counts as zero — the rule ``inverseNormalMatrix(_:names:)`` applies to
  /// the singular values σₖ = √λₖ of J, made coarser by that squaring. The two agree on every J whose
  /// condition number is below about (max(m, p)·ε)^(−½), some 10⁷.
  static func inverseNormalMatrix(normal: Matrix, observations m: Int, names: [String]) -> (
    matrix: Matrix?, rank: Int, problem: String?
  ) {
    let p = normal.columns
    var norms = [Double](repeating: 0, count: p)
    for c in 0..<p {
      norms[c] = normal[c, c].squareRoot()
      guard norms[c] > 0, norms[c].isFinite else {
        let why = norms[c].isFinite ? "is zero: the model does not change with it at the solution" : "is not finite"
        return (nil, min(m, p) - 1, "J has no full rank: the column of \(names[c]) \(why)")
      }
    }
    var scaled = normal
    for c in 0..<p { for i in 0..<p { scaled[i, c] /= norms[i] * norms[c] } }
    guard let svd = try? LAPACK.gesvd(scaled) else {
      return (nil, 0, "the eigendecomposition of JᵀJ did not converge")
    }
    let lambda = svd.singularValues
    let threshold = Double(max(m, p)) * Double.ulpOfOne * (lambda.first ?? 0)
    let rank = lambda.filter { $0 > threshold }.count
    guard rank == p else {
      let v = (0..<p).map { svd.vt[lambda.count - 1, $0] / norms[$0] }
      let largest = v.map(abs).max() ?? 1
      let involved = (0..<p).filter { abs(v[$0]) >= 0.1 * largest }.map { names[$0] }
      return (
        nil, rank,
        "J has rank \(rank) of \(p) (eigenvalues of JᵀJ below \(String(format: "%.1e", threshold)) of the largest count as zero): \(involved.joined(separator: ", ")) cannot be determined separately"
      )
    }
    var inverse = Matrix(rows: p, columns: p)
    for a in 0..<p {
      for b in 0...a {
        var sum = 0.0
        for k in 0..<p { sum += svd.vt[k, a] * svd.vt[k, b] / lambda[k] }
        let value = sum / (norms[a] * norms[b])
        inverse[a, b] = value
        inverse[b, a] = value
      }
    }
    return (inverse, p, nil)
  }
}
