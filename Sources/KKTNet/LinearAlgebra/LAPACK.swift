import CLAPACK

/// The lower-triangular Cholesky factor L of a symmetric positive definite A = LLᵀ (from dpotrf).
public struct CholeskyFactorization: Sendable, Equatable {
  /// L, lower triangular; the strict upper triangle is zero.
  public let lower: Matrix
}

/// Thin wrappers over LAPACKE (column-major). Inputs are copied, so the caller's matrices are untouched.
///
/// `info > 0` becomes a ``LAPACKError`` naming the routine and what it found; `info < 0` is a precondition
/// failure.
public enum LAPACK {
  private static let columnMajor: Int32 = 102  // LAPACK_COL_MAJOR
  private static let lower = CChar(UInt8(ascii: "L"))

  // MARK: Symmetric positive definite systems

  /// Solves A·X = B for symmetric positive definite A (n × n) by Cholesky, reading A's lower triangle
  /// (dposv).
  ///
  /// - Returns: X, n × nrhs.
  /// - Throws: `.notPositiveDefinite` when A is not positive definite.
  /// - Complexity: n³/3 + 2n²·nrhs flops.
  public static func posv(_ a: Matrix, _ b: Matrix) throws(LAPACKError) -> Matrix {
    precondition(a.rows == a.columns, "posv: A must be square")
    precondition(b.rows == a.rows, "posv: B has \(b.rows) rows, A has \(a.rows)")
    var factor = a.elements
    var x = b
    try factor.withUnsafeMutableBufferPointer { (pa) throws(LAPACKError) in
      try x.elements.withUnsafeMutableBufferPointer { (pb) throws(LAPACKError) in
        try posv(n: a.rows, nrhs: b.columns, a: pa.baseAddress!, lda: a.rows, b: pb.baseAddress!, ldb: b.rows)
      }
    }
    return x
  }

  /// In-place dposv on the lower triangle: A is overwritten by L, B by X. (LAPACKE's `_work` entry: no
  /// scan of the inputs for NaN, which the solvers check themselves.)
  package static func posv(
    n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>, ldb: Int
  ) throws(LAPACKError) {
    if n == 0 { return }
    let info = checkArguments(
      LAPACKE_dposv_work(columnMajor, lower, Int32(n), Int32(nrhs), a, Int32(max(1, lda)), b, Int32(max(1, ldb))),
      "dposv")
    if info > 0 { throw .notPositiveDefinite(routine: "dposv", order: Int(info)) }
  }

  /// The Cholesky factorization A = LLᵀ of a symmetric positive definite A, from its lower triangle (dpotrf).
  ///
  /// - Throws: `.notPositiveDefinite` when A is not positive definite.
  /// - Complexity: n³/3 flops.
  public static func potrf(_ a: Matrix) throws(LAPACKError) -> CholeskyFactorization {
    precondition(a.rows == a.columns, "potrf: A must be square")
    var l = a
    let n = a.rows
    let info = l.elements.withUnsafeMutableBufferPointer { pa in
      n == 0 ? 0 : checkArguments(LAPACKE_dpotrf(columnMajor, lower, Int32(n), pa.baseAddress, Int32(n)), "dpotrf")
    }
    if info > 0 { throw .notPositiveDefinite(routine: "dpotrf", order: Int(info)) }
    for j in 0..<n { for i in 0..<j { l[i, j] = 0 } }
    return CholeskyFactorization(lower: l)
  }

  /// Solves A·X = B with A = LLᵀ from ``potrf(_:)`` (dpotrs).
  ///
  /// - Complexity: 2n²·nrhs flops.
  public static func potrs(_ factorization: CholeskyFactorization, _ b: Matrix) -> Matrix {
    let l = factorization.lower
    precondition(b.rows == l.rows, "potrs: B has \(b.rows) rows, the factor is \(l.rows)×\(l.rows)")
    var x = b
    if l.rows == 0 { return x }
    l.elements.withUnsafeBufferPointer { pl in
      x.elements.withUnsafeMutableBufferPointer { pb in
        _ = checkArguments(
          LAPACKE_dpotrs(
            columnMajor, lower, Int32(l.rows), Int32(b.columns), pl.baseAddress, Int32(l.rows), pb.baseAddress,
            Int32(b.rows)), "dpotrs")
      }
    }
    return x
  }

  // MARK: Least squares

  /// Solves min ‖A·X − B‖_F for A m × n of full rank by QR (m ≥ n), or the minimum-norm solution of the
  /// underdetermined system by LQ (m < n) (dgels).
  ///
  /// - Returns: X, n × nrhs.
  /// - Throws: `.rankDeficient` when A does not have full rank.
  /// - Complexity: 2mn² − 2n³/3 flops for m ≥ n.
  public static func gels(_ a: Matrix, _ b: Matrix) throws(LAPACKError) -> Matrix {
    precondition(b.rows == a.rows, "gels: B has \(b.rows) rows, A has \(a.rows)")
    var work = a.elements
    var rhs = paddedRightHandSide(b, rows: max(a.rows, a.columns))
    try work.withUnsafeMutableBufferPointer { (pa) throws(LAPACKError) in
      try rhs.elements.withUnsafeMutableBufferPointer { (pb) throws(LAPACKError) in
        try gels(
          m: a.rows, n: a.columns, nrhs: b.columns, a: pa.baseAddress!, lda: a.rows, b: pb.baseAddress!,
          ldb: rhs.rows)
      }
    }
    return leadingRows(rhs, a.columns)
  }

  /// In-place dgels: A is overwritten by its QR factors, the first n rows of B (ldb ≥ max(m, n)) by X.
  package static func gels(
    m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>,
    ldb: Int
  ) throws(LAPACKError) {
    if m == 0 || n == 0 { return }
    let info = checkArguments(
      LAPACKE_dgels(
        columnMajor, CChar(UInt8(ascii: "N")), Int32(m), Int32(n), Int32(nrhs), a, Int32(max(1, lda)), b,
        Int32(max(1, ldb))), "dgels")
    if info > 0 { throw .rankDeficient(routine: "dgels", index: Int(info)) }
  }

  /// The minimum-norm least-squares solution of min ‖A·X − B‖_F for any A, by the SVD (dgelsd). Singular
  /// values σᵢ ≤ rcond·σ₁ count as zero; by default rcond = max(m, n)·ε, as in NumPy's `lstsq`, so that
  /// rounding noise in an exactly rank-deficient A is not taken for rank.
  ///
  /// - Returns: X (n × nrhs), the effective rank, and the singular values of A in decreasing order.
  /// - Throws: `.svdDidNotConverge` when the SVD fails.
  public static func gelsd(_ a: Matrix, _ b: Matrix, rcond: Double? = nil) throws(LAPACKError) -> (
    solution: Matrix, rank: Int, singularValues: [Double]
  ) {
    precondition(b.rows == a.rows, "gelsd: B has \(b.rows) rows, A has \(a.rows)")
    var work = a.elements
    var rhs = paddedRightHandSide(b, rows: max(a.rows, a.columns))
    var singularValues = [Double](repeating: 0, count: min(a.rows, a.columns))
    let rank = try work.withUnsafeMutableBufferPointer { (pa) throws(LAPACKError) -> Int in
      try rhs.elements.withUnsafeMutableBufferPointer { (pb) throws(LAPACKError) -> Int in
        try singularValues.withUnsafeMutableBufferPointer { (ps) throws(LAPACKError) -> Int in
          try gelsd(
            m: a.rows, n: a.columns, nrhs: b.columns, a: pa.baseAddress!, lda: a.rows, b: pb.baseAddress!,
            ldb: rhs.rows, singularValues: ps.baseAddress,
            rcond: rcond ?? Double(max(a.rows, a.columns)) * Double.ulpOfOne)
        }
      }
    }
    return (leadingRows(rhs, a.columns), rank, singularValues)
  }

  /// In-place dgelsd; returns the effective rank. `singularValues` has room for min(m, n) values.
  package static func gelsd(
    m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>,
    ldb: Int, singularValues: UnsafeMutablePointer<Double>?, rcond: Double
  ) throws(LAPACKError) -> Int {
    if m == 0 || n == 0 {
      for j in 0..<nrhs { for i in 0..<n { b[i + j * ldb] = 0 } }
      return 0
    }
    var rank: Int32 = 0
    let s = singularValues ?? UnsafeMutablePointer<Double>.allocate(capacity: min(m, n))
    defer { if singularValues == nil { s.deallocate() } }
    let info = checkArguments(
      LAPACKE_dgelsd(
        columnMajor, Int32(m), Int32(n), Int32(nrhs), a, Int32(max(1, lda)), b, Int32(max(1, ldb)), s, rcond,
        &rank), "dgelsd")
    if info > 0 { throw .svdDidNotConverge(routine: "dgelsd", count: Int(info)) }
    return Int(rank)
  }

  // MARK: Singular value decomposition

  /// The thin singular value decomposition A = U·diag(σ)·Vᵀ (dgesvd): U is m × k, Vᵀ is k × n,
  /// k = min(m, n), σ decreasing.
  ///
  /// - Throws: `.svdDidNotConverge` when the SVD fails.
  public static func gesvd(_ a: Matrix) throws(LAPACKError) -> (u: Matrix, singularValues: [Double], vt: Matrix) {
    let (m, n) = (a.rows, a.columns)
    let k = min(m, n)
    var work = a.elements
    var u = Matrix(rows: m, columns: k)
    var vt = Matrix(rows: k, columns: n)
    var s = [Double](repeating: 0, count: k)
    var superb = [Double](repeating: 0, count: max(1, k - 1))
    if k == 0 { return (u, s, vt) }
    let info = work.withUnsafeMutableBufferPointer { pa in
      u.elements.withUnsafeMutableBufferPointer { pu in
        vt.elements.withUnsafeMutableBufferPointer { pv in
          checkArguments(
            LAPACKE_dgesvd(
              columnMajor, CChar(UInt8(ascii: "S")), CChar(UInt8(ascii: "S")), Int32(m), Int32(n), pa.baseAddress,
              Int32(m), &s, pu.baseAddress, Int32(m), pv.baseAddress, Int32(k), &superb), "dgesvd")
        }
      }
    }
    if info > 0 { throw .svdDidNotConverge(routine: "dgesvd", count: Int(info)) }
    return (u, s, vt)
  }

  // MARK: Helpers

  private static func paddedRightHandSide(_ b: Matrix, rows: Int) -> Matrix {
    if b.rows == rows { return b }
    var padded = Matrix(rows: rows, columns: b.columns)
    for j in 0..<b.columns { for i in 0..<b.rows { padded[i, j] = b[i, j] } }
    return padded
  }

  private static func leadingRows(_ b: Matrix, _ rows: Int) -> Matrix {
    if b.rows == rows { return b }
    var result = Matrix(rows: rows, columns: b.columns)
    for j in 0..<b.columns { for i in 0..<rows { result[i, j] = b[i, j] } }
    return result
  }
}
