import CLAPACK
import CSmallKernels

/// Whether BLAS reads a matrix argument as stored (`A`) or transposed (`Aᵀ`).
public enum Transpose: Sendable {
  /// A as it is.
  case none
  /// Aᵀ.
  case transpose

  @usableFromInline var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Thin wrappers over the reference BLAS interface (OpenBLAS through CBLAS), column-major throughout.
///
/// The pointer forms are the hot path (`package` access: KKTNet and Solvers only); the `Matrix` forms are
/// for users and tests. Dimensions follow the BLAS documentation; a violated precondition is a bug in the
/// caller.
public enum BLAS {
  // MARK: Level 3

  /// C ← α·op(A)·op(B) + β·C, with op(A) m × k, op(B) k × n and C m × n (dgemm).
  ///
  /// A product with a dimension of 1 — common with a single output unit — goes to dgemv (n = 1 or m = 1)
  /// or dger (k = 1), which skip dgemm's packing; the choice depends only on the shapes, so the result is
  /// the same on every call.
  @inlinable
  package static func gemm(
    _ transposeA: Transpose, _ transposeB: Transpose, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    // Strides of op(A)'s column j = 0 (rows i) and row i = 0 (entries l), and the same for op(B).
    let aRowStride = transposeA == .none ? 1 : lda  // along i in op(A)(i, l)
    let aColumnStride = transposeA == .none ? lda : 1  // along l
    let bRowStride = transposeB == .none ? 1 : ldb  // along l in op(B)(l, j)
    let bColumnStride = transposeB == .none ? ldb : 1  // along j
    if n == 1 {
      // c = α·op(A)·b + βc, b the single column of op(B).
      cblas_dgemv(
        CblasColMajor, transposeA.cblas, Int32(transposeA == .none ? m : k), Int32(transposeA == .none ? k : m), alpha,
        a, Int32(max(1, lda)), b, Int32(bRowStride), beta, c, 1)
      return
    }
    if m == 1 {
      // cᵀ = α·op(B)ᵀ·aᵀ + βcᵀ, a the single row of op(A); c's entries are ldc apart.
      let flipped: Transpose = transposeB == .none ? .transpose : .none
      cblas_dgemv(
        CblasColMajor, flipped.cblas, Int32(transposeB == .none ? k : n), Int32(transposeB == .none ? n : k), alpha, b,
        Int32(max(1, ldb)), a, Int32(aColumnStride), beta, c, Int32(max(1, ldc)))
      return
    }
    if k == 1 {
      // C = βC + α·a·bᵀ, a rank-one update, one column at a time (dger would make a call per column).
      // With a contiguous a and β ∈ {0, 1} (the forward and adjoint passes) the loops vectorize; β·cᵢ with
      // β = 1 is cᵢ exactly, so every branch gives the bits of the general one.
      for j in 0..<n {
        let column = c + j * ldc
        let s = alpha * b[j * bColumnStride]
        if aRowStride == 1 && beta == 0 {
          for i in 0..<m { column[i] = s * a[i] }
        } else if aRowStride == 1 && beta == 1 {
          for i in 0..<m { column[i] += s * a[i] }
        } else if beta == 0 {
          for i in 0..<m { column[i] = s * a[i * aRowStride] }
        } else {
          for i in 0..<m { column[i] = beta * column[i] + s * a[i * aRowStride] }
        }
      }
      return
    }
    cblas_dgemm(
      CblasColMajor, transposeA.cblas, transposeB.cblas, Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(max(1, lda)), b, Int32(max(1, ldb)), beta, c, Int32(max(1, ldc)))
  }

  /// C ← α·op(A)·op(B) + β·C (dgemm).
  ///
  /// - Complexity: 2·m·n·k flops.
  public static func gemm(
    _ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
    alpha: Double = 1, beta: Double = 0, into c: inout Matrix
  ) {
    let (m, k) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
    precondition(k == kb, "gemm: op(A) is \(m)×\(k) but op(B) is \(kb)×\(n)")
    precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
    a.elements.withUnsafeBufferPointer { pa in
      b.elements.withUnsafeBufferPointer { pb in
        c.elements.withUnsafeMutableBufferPointer { pc in
          gemm(
            transposeA, transposeB, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: a.rows,
            b: pb.baseAddress!, ldb: b.rows, beta: beta, c: pc.baseAddress!, ldc: m)
        }
      }
    }
  }

  /// The largest n for which α·AAᵀ + β·C goes to KKTNet's own kernel instead of dsyrk: measured on AMD EPYC
  /// (Zen 2, one thread) at k = 200, 442 and 2048, the kernel takes 0.3–0.8 of dsyrk's time up to n = 31
  /// and loses from n = 41 on (`Sources/CSmallKernels/small_syrk.c`).
  public static let smallSyrkLimit = 32

  /// C ← α·AᵀA + β·C (`transpose`, A is k × n) or α·AAᵀ + β·C (A is n × k), C n × n symmetric; only the
  /// lower triangle of C is written (dsyrk, or for AAᵀ with n ≤ ``smallSyrkLimit`` a register-blocked kernel
  /// of our own; the choice depends only on the shape, so repeated calls give the same bits).
  @inlinable
  package static func syrk(
    _ transpose: Transpose, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    if n == 0 { return }
    if transpose == .none && n <= smallSyrkLimit {
      kkt_small_syrk(n, k, alpha, a, max(1, lda), beta, c, max(1, ldc))
      return
    }
    cblas_dsyrk(
      CblasColMajor, CblasLower, transpose.cblas, Int32(n), Int32(k), alpha, a, Int32(max(1, lda)), beta, c,
      Int32(max(1, ldc)))
  }

  /// C ← α·AᵀA + β·C (`.transpose`) or α·AAᵀ + β·C (`.none`), with both triangles of C filled (dsyrk).
  ///
  /// - Complexity: n²·k flops.
  public static func syrk(
    _ a: Matrix, transpose: Transpose = .transpose, alpha: Double = 1, beta: Double = 0, into c: inout Matrix
  ) {
    let (n, k) = transpose == .transpose ? (a.columns, a.rows) : (a.rows, a.columns)
    precondition(c.rows == n && c.columns == n, "syrk: C is \(c.rows)×\(c.columns), expected \(n)×\(n)")
    a.elements.withUnsafeBufferPointer { pa in
      c.elements.withUnsafeMutableBufferPointer { pc in
        syrk(
          transpose, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: a.rows, beta: beta, c: pc.baseAddress!, ldc: n)
        fillUpperTriangle(pc.baseAddress!, n: n, ld: n)
      }
    }
  }

  /// Copies the lower triangle of an n × n matrix onto its upper triangle.
  @inlinable
  package static func fillUpperTriangle(_ c: UnsafeMutablePointer<Double>, n: Int, ld: Int) {
    for j in 0..<n {
      for i in 0..<j { c[i + j * ld] = c[j + i * ld] }
    }
  }

  // MARK: Level 2

  /// y ← α·op(A)·x + β·y, A m × n (dgemv).
  @inlinable
  package static func gemv(
    _ transpose: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    if m == 0 || n == 0 {
      let count = transpose == .none ? m : n
      if beta != 1 { for i in 0..<count { y[i] = beta == 0 ? 0 : beta * y[i] } }
      return
    }
    cblas_dgemv(CblasColMajor, transpose.cblas, Int32(m), Int32(n), alpha, a, Int32(max(1, lda)), x, 1, beta, y, 1)
  }

  /// y ← α·op(A)·x + β·y (dgemv).
  ///
  /// - Complexity: 2·m·n flops.
  public static func gemv(
    _ a: Matrix, _ x: [Double], transpose: Transpose = .none, alpha: Double = 1, beta: Double = 0,
    into y: inout [Double]
  ) {
    let (rowsOut, columnsIn) = transpose == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    precondition(x.count == columnsIn, "gemv: x has \(x.count) elements, expected \(columnsIn)")
    precondition(y.count == rowsOut, "gemv: y has \(y.count) elements, expected \(rowsOut)")
    a.elements.withUnsafeBufferPointer { pa in
      x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
          gemv(
            transpose, m: a.rows, n: a.columns, alpha: alpha, a: pa.baseAddress!, lda: a.rows, x: px.baseAddress!,
            beta: beta, y: py.baseAddress!)
        }
      }
    }
  }

  // MARK: Level 1

  /// y ← α·x + y (daxpy).
  public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    precondition(x.count == y.count, "axpy: x and y differ in length")
    y.withUnsafeMutableBufferPointer { py in
      x.withUnsafeBufferPointer { px in
        cblas_daxpy(Int32(x.count), alpha, px.baseAddress, 1, py.baseAddress, 1)
      }
    }
  }

  /// x ← α·x (dscal).
  public static func scal(_ alpha: Double, _ x: inout [Double]) {
    x.withUnsafeMutableBufferPointer { px in cblas_dscal(Int32(px.count), alpha, px.baseAddress, 1) }
  }

  /// ⟨x, y⟩ = Σᵢ xᵢyᵢ (ddot).
  public static func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "dot: x and y differ in length")
    return x.withUnsafeBufferPointer { px in
      y.withUnsafeBufferPointer { py in dot(n: x.count, px.baseAddress!, py.baseAddress!) }
    }
  }

  /// ⟨x, y⟩ over n contiguous elements (ddot).
  @inlinable
  package static func dot(n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
    n == 0 ? 0 : cblas_ddot(Int32(n), x, 1, y, 1)
  }

  /// ‖x‖₂, computed without overflow (dnrm2).
  public static func nrm2(_ x: [Double]) -> Double {
    x.withUnsafeBufferPointer { px in px.isEmpty ? 0 : cblas_dnrm2(Int32(px.count), px.baseAddress, 1) }
  }

  /// The number of threads OpenBLAS uses (its `OPENBLAS_NUM_THREADS`, or the core count).
  public static var threadCount: Int { Int(openblas_get_num_threads()) }

  /// OpenBLAS's description of itself: version, kernel (core type) and threading.
  public static var configuration: String {
    String(cString: openblas_get_config()) + " core=" + String(cString: openblas_get_corename())
  }
}

/// C = A·B, a new matrix (dgemm).
public func * (lhs: Matrix, rhs: Matrix) -> Matrix {
  var c = Matrix(rows: lhs.rows, columns: rhs.columns)
  BLAS.gemm(lhs, rhs, into: &c)
  return c
}
