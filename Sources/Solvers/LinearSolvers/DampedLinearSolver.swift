import KKTNet

/// Solves the damped linear system of one Gauss–Newton or Levenberg–Marquardt step,
///
///     (G + μD)δ = −g,   equivalently   min ‖[J; √μ·D^½]δ + [r; 0]‖₂ when G = JᵀJ, g = Jᵀr,
///
/// with D = diag(d) the scaling. μ = 0 is the Gauss–Newton step argmin ‖Jδ + r‖. A LAPACK failure
/// (`info > 0`) is thrown for the caller to turn into a rejected step or a termination reason.
public struct DampedLinearSolver: Sendable {
  /// The factorization: Cholesky, QR or SVD.
  public var kind: LinearSolverKind

  /// A solver that factors with `kind`.
  public init(kind: LinearSolverKind) { self.kind = kind }

  /// δ for damping μ and scaling d (d > 0); with `rightHandSide` b, the solution of (G + μD)δ = −b.
  public func solve(_ system: System, damping mu: Double, scaling d: [Double], rightHandSide: [Double]? = nil)
    throws(LAPACKError) -> [Double]
  {
    guard let normal = system.normalMatrix else {
      return try DualSystem(factor: system.jacobian!, ridge: system.ridge).solve(
        kind: kind, damping: mu, scaling: d, gradient: rightHandSide ?? system.gradient,
        residuals: rightHandSide == nil ? system.residuals : nil)
    }
    let p = system.gradient.count
    let useStacked = (kind != .cholesky) && system.jacobian != nil
    switch kind {
    case .cholesky:
      if let j = system.jacobian, j.rows < p, rightHandSide == nil, let r = system.residuals {
        return try DualSystem(factor: j, ridge: nil).solve(
          kind: kind, damping: mu, scaling: d, gradient: system.gradient, residuals: r)
      }
      var a = normal
      for i in 0..<p { a[i, i] += mu * d[i] }
      let b = Matrix(column: (rightHandSide ?? system.gradient).map { -$0 })
      return try LAPACK.posv(a, b).elements
    case .qr, .svd:
      if useStacked, rightHandSide == nil, let j = system.jacobian, let r = system.residuals {
        if kind == .qr {
          let (stacked, rhs) = stackedSystem(j, r, mu, d, equilibrated: false)
          return try LAPACK.gels(stacked, rhs).elements
        }
        let (stacked, rhs) = stackedSystem(j, r, mu, d, equilibrated: true)
        return zip(try LAPACK.gelsd(stacked, rhs).solution.elements, d).map { $0 / $1.squareRoot() }
      }
      var a = normal
      for i in 0..<p { a[i, i] += mu * d[i] }
      let b = Matrix(column: (rightHandSide ?? system.gradient).map { -$0 })
      if kind == .svd {
        // The SVD of D^−½(G + μD)D^−½, for the same reason as the stacked system's.
        let s = d.map { 1 / $0.squareRoot() }
        for c in 0..<p { for i in 0..<p { a[i, c] *= s[i] * s[c] } }
        let scaledB = Matrix(column: (0..<p).map { b.elements[$0] * s[$0] })
        return zip(try LAPACK.gelsd(a, scaledB).solution.elements, s).map { $0 * $1 }
      }
      return try LAPACK.posv(a, b).elements
    }
  }

  /// [J; √μ·D^½] ((M + P) × P; just J when μ = 0) and [−r; 0]; `equilibrated`, [J·D^−½; √μ·I] for the
  /// scaled step y = D^½δ. The SVD solver takes the equilibrated form: its rank decision (singular values
  /// below ε·σ_max count as zero) is then made on columns of comparable size, not on parameters whose units
  /// differ by 10¹⁵ (NIST's MGH10: ∂r/∂b₁ ≈ 10¹⁴, ∂r/∂b₂ ≈ 1), where it would drop a real direction and
  /// end the run with a short step far from the solution.
  private func stackedSystem(_ j: Matrix, _ r: [Double], _ mu: Double, _ d: [Double], equilibrated: Bool)
    -> (Matrix, Matrix)
  {
    let (m, p) = (j.rows, j.columns)
    let extra = mu > 0 ? p : 0
    var stacked = Matrix(rows: m + extra, columns: p)
    for c in 0..<p {
      let s = equilibrated ? 1 / d[c].squareRoot() : 1
      for i in 0..<m { stacked.elements[i + c * (m + extra)] = j.elements[i + c * m] * s }
      if extra > 0 { stacked.elements[m + c + c * (m + extra)] = (mu * (equilibrated ? 1 : d[c])).squareRoot() }
    }
    var rhs = Matrix(rows: m + extra, columns: 1)
    for i in 0..<m { rhs.elements[i] = -r[i] }
    return (stacked, rhs)
  }

}
