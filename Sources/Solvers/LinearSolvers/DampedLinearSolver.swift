import KKTNet

/// How the damped Gauss–Newton system is solved.
public enum LinearSolverKind: String, CaseIterable, Sendable {
  /// Cholesky on the normal equations (JᵀJ + μD)δ = −Jᵀr (LAPACK posv): n³/3 flops, fastest; squares
  /// the condition number. When M < P it solves the M × M dual system instead.
  case cholesky
  /// QR on the stacked system min ‖[J; √μ·D^½]δ + [r; 0]‖ (LAPACK gels): needs J; keeps the condition
  /// number of J.
  case qr
  /// The SVD of the stacked system, or of the normal matrix when J is not formed (LAPACK gelsd), both
  /// equilibrated by D^−½: the step of minimum D-norm ‖D^½δ‖, even for rank-deficient systems.
  case svd
}

/// Solves the damped linear system of one Gauss–Newton or Levenberg–Marquardt step,
///
///     (G + μD)δ = −g,   equivalently   min ‖[J; √μ·D^½]δ + [r; 0]‖₂ when G = JᵀJ, g = Jᵀr,
///
/// with D = diag(d) the scaling. μ = 0 is the Gauss–Newton step argmin ‖Jδ + r‖. A LAPACK failure
/// (`info > 0`) is thrown for the caller to turn into a rejected step or a termination reason.
public struct DampedLinearSolver: Sendable {
  public var kind: LinearSolverKind

  public init(kind: LinearSolverKind) { self.kind = kind }

  /// The linearization at the current point.
  public struct System {
    /// G (P × P, both triangles).
    public var normalMatrix: Matrix
    /// g.
    public var gradient: [Double]
    /// J (M × P) and r, when the problem forms them; required by QR and by SVD on the stacked system.
    public var jacobian: Matrix?
    public var residuals: [Double]?

    public init(normalMatrix: Matrix, gradient: [Double], jacobian: Matrix? = nil, residuals: [Double]? = nil) {
      self.normalMatrix = normalMatrix
      self.gradient = gradient
      self.jacobian = jacobian
      self.residuals = residuals
    }
  }

  /// δ for damping μ and scaling d (d > 0).
  public func solve(_ system: System, damping mu: Double, scaling d: [Double], rightHandSide: [Double]? = nil)
    throws(LAPACKError) -> [Double]
  {
    let p = system.gradient.count
    // The right-hand side: −g, or −Jᵀu for an extra solve (geodesic acceleration) given as u.
    let useStacked = (kind != .cholesky) && system.jacobian != nil
    switch kind {
    case .cholesky:
      if let j = system.jacobian, j.rows < p, rightHandSide == nil, let r = system.residuals {
        return try dualCholesky(j, r, mu, d)
      }
      var a = system.normalMatrix
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
      var a = system.normalMatrix
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

  /// For M < P: with J̃ = J·D^−½, solve the M × M system (J̃J̃ᵀ + μI)w = r and take δ = −D^−½·J̃ᵀw, the
  /// same step as the P × P normal equations at a fraction of the cost.
  private func dualCholesky(_ j: Matrix, _ r: [Double], _ mu: Double, _ d: [Double]) throws(LAPACKError) -> [Double] {
    let (m, p) = (j.rows, j.columns)
    var scaled = j
    for c in 0..<p {
      let s = 1 / d[c].squareRoot()
      for i in 0..<m { scaled.elements[i + c * m] *= s }
    }
    var a = Matrix(rows: m, columns: m)
    BLAS.syrk(scaled, transpose: .none, into: &a)
    for i in 0..<m { a[i, i] += mu }
    let w = try LAPACK.posv(a, Matrix(column: r))
    var u = [Double](repeating: 0, count: p)
    BLAS.gemv(scaled, w.elements, transpose: .transpose, alpha: -1, into: &u)
    return (0..<p).map { u[$0] / d[$0].squareRoot() }
  }
}
