import KKTNet
import TestSupport
import Testing

/// The BLAS and LAPACK wrappers against plain loops and known answers.
@Suite("Linear algebra")
struct LinearAlgebraTests {
  func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    var c = Matrix(rows: a.rows, columns: b.columns)
    for i in 0..<a.rows {
      for j in 0..<b.columns {
        var sum = 0.0
        for k in 0..<a.columns { sum += a[i, k] * b[k, j] }
        c[i, j] = sum
      }
    }
    return c
  }

  func close(_ a: Matrix, _ b: Matrix, _ tolerance: Double = 1e-13) -> Bool {
    a.rows == b.rows && a.columns == b.columns && relativeDifference(a.elements, b.elements) <= tolerance
  }

  @Test("gemm with every combination of transposes")
  func gemm() {
    var random = RandomSource(seed: 1)
    let a = randomMatrix(rows: 4, columns: 3, using: &random)
    let b = randomMatrix(rows: 3, columns: 5, using: &random)
    let c0 = randomMatrix(rows: 4, columns: 5, using: &random)
    let expected = naiveProduct(a, b)
    for (ta, tb) in [
      (Transpose.none, Transpose.none), (.transpose, .none), (.none, .transpose), (.transpose, .transpose),
    ] {
      var c = c0
      BLAS.gemm(
        ta == .none ? a : a.transposed, tb == .none ? b : b.transposed, transposeA: ta, transposeB: tb, alpha: 2,
        beta: -1, into: &c)
      var reference = expected
      for i in reference.elements.indices { reference.elements[i] = 2 * expected.elements[i] - c0.elements[i] }
      #expect(close(c, reference))
    }
    #expect(close(a * b, expected))
  }

  @Test("gemv, syrk and the level-1 routines")
  func levelOneAndTwo() {
    var random = RandomSource(seed: 2)
    let a = randomMatrix(rows: 5, columns: 3, using: &random)
    let x = [1.0, -2, 0.5]
    var y = [Double](repeating: 1, count: 5)
    BLAS.gemv(a, x, alpha: 1, beta: 1, into: &y)
    #expect(close(Matrix(column: y), naiveProduct(a, Matrix(column: x)) + 1))
    var ata = Matrix(rows: 3, columns: 3)
    BLAS.syrk(a, transpose: .transpose, into: &ata)
    #expect(close(ata, naiveProduct(a.transposed, a)))
    var v = [1.0, 2, 3]
    BLAS.axpy(2, [1, 1, 1], &v)
    #expect(v == [3, 4, 5])
    BLAS.scal(0.5, &v)
    #expect(v == [1.5, 2, 2.5])
    #expect(BLAS.dot([1, 2, 3], [4, 5, 6]) == 32)
    // nrm2 scales, so it neither overflows nor underflows.
    #expect(abs(BLAS.nrm2([3e200, 4e200]) - 5e200) <= 5e200 * 1e-15)
    #expect(abs(BLAS.nrm2([3e-200, 4e-200]) - 5e-200) <= 5e-200 * 1e-15)
  }

  @Test("posv, potrf/potrs solve a symmetric positive definite system")
  func cholesky() throws {
    let a = Matrix(rowMajor: [[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]])
    let xTrue = Matrix(rowMajor: [[1, -1], [2, 0.5], [-3, 2]])
    let b = naiveProduct(a, xTrue)
    #expect(close(try LAPACK.posv(a, b), xTrue, 1e-14))
    let factor = try LAPACK.potrf(a)
    #expect(close(naiveProduct(factor.lower, factor.lower.transposed), a, 1e-15))
    #expect(close(LAPACK.potrs(factor, b), xTrue, 1e-14))
  }

  @Test("an indefinite matrix is a typed error naming the routine")
  func notPositiveDefinite() {
    let a = Matrix(rowMajor: [[1, 2], [2, 1]])
    #expect(throws: LAPACKError.notPositiveDefinite(routine: "dposv", order: 2)) {
      try LAPACK.posv(a, Matrix(column: [1, 1]))
    }
    #expect(throws: LAPACKError.notPositiveDefinite(routine: "dpotrf", order: 2)) { try LAPACK.potrf(a) }
    #expect(
      LAPACKError.notPositiveDefinite(routine: "dposv", order: 2).description
        == "LAPACK dposv: the leading minor of order 2 is not positive definite")
  }

  @Test("gels solves least squares by QR; a zero column is rank deficiency")
  func gels() throws {
    // Fit y = 1 + 2t on exact data: the residual is zero.
    let a = Matrix(rowMajor: [[1, 0], [1, 1], [1, 2], [1, 3]])
    let x = try LAPACK.gels(a, Matrix(column: [1, 3, 5, 7]))
    #expect(close(x, Matrix(column: [1, 2]), 1e-14))
    // Underdetermined: the minimum-norm solution of x₁ + x₂ = 2 is (1, 1).
    #expect(close(try LAPACK.gels(Matrix(rowMajor: [[1, 1]]), Matrix(column: [2])), Matrix(column: [1, 1]), 1e-15))
    #expect(throws: LAPACKError.rankDeficient(routine: "dgels", index: 2)) {
      try LAPACK.gels(Matrix(rowMajor: [[1, 0], [1, 0], [1, 0]]), Matrix(column: [1, 2, 3]))
    }
  }

  @Test("gelsd gives the minimum-norm solution of a rank-deficient system and its rank")
  func gelsd() throws {
    // Two identical columns: x₁ + x₂ is determined (= 2), the minimum-norm split is (1, 1).
    let a = Matrix(rowMajor: [[1, 1], [2, 2], [3, 3]])
    let (x, rank, singularValues) = try LAPACK.gelsd(a, Matrix(column: [2, 4, 6]))
    #expect(rank == 1)
    #expect(close(x, Matrix(column: [1, 1]), 1e-14))
    #expect(abs(singularValues[0] - (28.0).squareRoot()) <= 1e-14 * 28.0.squareRoot())
    #expect(singularValues[1] <= 1e-15)
  }

  @Test("gesvd reconstructs A = UΣVᵀ with orthonormal factors")
  func gesvd() throws {
    var random = RandomSource(seed: 3)
    let a = randomMatrix(rows: 5, columns: 3, using: &random)
    let (u, s, vt) = try LAPACK.gesvd(a)
    var us = u
    for j in 0..<3 { for i in 0..<5 { us[i, j] *= s[j] } }
    #expect(close(naiveProduct(us, vt), a, 1e-14))
    #expect(close(naiveProduct(u.transposed, u), .identity(3), 1e-14))
    #expect(close(naiveProduct(vt, vt.transposed), .identity(3), 1e-14))
    #expect(s == s.sorted(by: >))
  }
}

extension Matrix {
  static func + (lhs: Matrix, rhs: Double) -> Matrix {
    Matrix(rows: lhs.rows, columns: lhs.columns, elements: lhs.elements.map { $0 + rhs })
  }
}
