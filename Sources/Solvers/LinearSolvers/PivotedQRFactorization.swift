import CLAPACK
import KKTNet

/// J·Π = Q·R by Householder reflections with column pivoting (LAPACK dgeqp3: at each stage the remaining
/// column of largest norm, MINPACK's `qrfac` rule) and the first P components of Qᵀr (dormqr); for each λ,
/// MINPACK's `qrsolv` rotates the rows √λ·ΠᵀDΠ into R with Givens rotations, giving S upper triangular with
/// SᵀS = Πᵀ(JᵀJ + λD²)Π and p(λ) without ever forming JᵀJ. When M < P, R's rows from M on are zero and the
/// system is rank deficient as lmpar expects. Every loop below is the corresponding loop of MINPACK's
/// `lmder`, `lmpar` and `qrsolv` (Garbow, Hillstrom & Moré 1980), in θ's order outside and Π's inside.
struct PivotedQRFactorization: DampedStepFactorization, Sendable {
  let n: Int
  /// R, n × n upper triangular, column-major.
  let r: [Double]
  /// Column j of JΠ is column `permutation[j]` of J (from 0; MINPACK's ipvt − 1).
  let permutation: [Int]
  /// The first n components of Qᵀr (zero from M on).
  let qtr: [Double]
  /// g = Jᵀr = Π·Rᵀ·(Qᵀr), as lmder forms it.
  let gradient: [Double]
  /// ‖Jⱼ‖ before the factorization (qrfac's acnorm).
  let columnNorms: [Double]

  /// S of one λ: its strict upper triangle stored transposed below R's diagonal (as qrsolv leaves it), and
  /// its diagonal.
  struct Shifted {
    let lower: [Double]
    let diagonal: [Double]
  }

  init(jacobian: Matrix, residuals: [Double]) {
    let (m, n) = (jacobian.rows, jacobian.columns)
    let k = min(m, n)
    self.n = n
    var a = jacobian.elements
    columnNorms = a.withUnsafeBufferPointer { pa in (0..<n).map { cblas_dnrm2(Int32(m), pa.baseAddress! + $0 * m, 1) } }
    var pivots = [Int32](repeating: 0, count: n)  // 0: every column free to move
    var tau = [Double](repeating: 0, count: k)
    var c = residuals
    a.withUnsafeMutableBufferPointer { pa in
      let factored = LAPACKE_dgeqp3(102, Int32(m), Int32(n), pa.baseAddress, Int32(m), &pivots, &tau)
      precondition(factored == 0, "LAPACK dgeqp3: argument \(-factored) had an illegal value (a bug in KKTNet)")
      let applied = LAPACKE_dormqr(
        102, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "T")), Int32(m), 1, Int32(k), pa.baseAddress, Int32(m),
        &tau, &c, Int32(m))
      precondition(applied == 0, "LAPACK dormqr: argument \(-applied) had an illegal value (a bug in KKTNet)")
    }
    var r = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
      for i in 0..<min(j + 1, k) { r[i + j * n] = a[i + j * m] }
    }
    self.r = r
    permutation = pivots.map { Int($0) - 1 }
    qtr = (0..<n).map { $0 < k ? c[$0] : 0 }
    var g = [Double](repeating: 0, count: n)
    for j in 0..<n {
      var sum = 0.0
      for i in 0...j { sum += r[i + j * n] * qtr[i] }
      g[permutation[j]] = sum
    }
    gradient = g
  }

  /// lmpar's loops 10–60: R·z = Qᵀr by back substitution, with z's components from the first zero
  /// diagonal element of R on set to 0 when J is rank deficient; p(0) = −Πz.
  func gaussNewtonStep(scaling d: [Double]) -> (step: [Double], fullRank: Bool) {
    var nsing = n
    var w = qtr
    for j in 0..<n {
      if r[j + j * n] == 0 && nsing == n { nsing = j }
      if nsing < n { w[j] = 0 }
    }
    for j in stride(from: nsing - 1, through: 0, by: -1) {
      w[j] /= r[j + j * n]
      let temp = w[j]
      for i in 0..<j { w[i] -= r[i + j * n] * temp }
    }
    var p = [Double](repeating: 0, count: n)
    for j in 0..<n { p[permutation[j]] = -w[j] }
    return (p, nsing == n)
  }

  /// lmpar's loops 80–110: Rᵀw = Πᵀv by forward substitution.
  func undampedInverseNorm(_ v: [Double]) -> Double {
    var w = (0..<n).map { v[permutation[$0]] }
    for j in 0..<n {
      var sum = 0.0
      for i in 0..<j { sum += r[i + j * n] * w[i] }
      w[j] = (w[j] - sum) / r[j + j * n]
    }
    return BLAS.nrm2(w)
  }

  /// MINPACK's `qrsolv` with diag = √λ·d: the least-squares solution of Jx = r, √λ·Dx = 0, then p = −x.
  func dampedStep(_ lambda: Double, scaling d: [Double]) -> (step: [Double], damping: Double, factor: Shifted) {
    let root = lambda.squareRoot()
    var s = r
    var x = [Double](repeating: 0, count: n)
    var sdiag = [Double](repeating: 0, count: n)
    var wa = qtr
    // Copy R's upper triangle below the diagonal, save its diagonal in x; then eliminate the diagonal
    // matrix √λ·D row by row with Givens rotations. (Unchecked pointers: this is lmpar's inner loop, run
    // for every trial λ.)
    s.withUnsafeMutableBufferPointer { sBuffer in
      sdiag.withUnsafeMutableBufferPointer { diagonal in
        wa.withUnsafeMutableBufferPointer { w in
          x.withUnsafeMutableBufferPointer { saved in
            let s = sBuffer.baseAddress!
            for j in 0..<n {
              for i in j..<n { s[i + j * n] = s[j + i * n] }
              saved[j] = s[j + j * n]
            }
            for j in 0..<n {
              let l = permutation[j]
              if root * d[l] != 0 {
                for k in j..<n { diagonal[k] = 0 }
                diagonal[j] = root * d[l]
                var qtbpj = 0.0
                for k in j..<n where diagonal[k] != 0 {
                  let (cosine, sine): (Double, Double)
                  let column = s + k * n
                  if abs(column[k]) < abs(diagonal[k]) {
                    let cotangent = column[k] / diagonal[k]
                    sine = 0.5 / (0.25 + 0.25 * cotangent * cotangent).squareRoot()
                    cosine = sine * cotangent
                  } else {
                    let tangent = diagonal[k] / column[k]
                    cosine = 0.5 / (0.25 + 0.25 * tangent * tangent).squareRoot()
                    sine = cosine * tangent
                  }
                  column[k] = cosine * column[k] + sine * diagonal[k]
                  let temp = cosine * w[k] + sine * qtbpj
                  qtbpj = -sine * w[k] + cosine * qtbpj
                  w[k] = temp
                  var i = k + 1
                  while i < n {
                    let rotated = cosine * column[i] + sine * diagonal[i]
                    diagonal[i] = -sine * column[i] + cosine * diagonal[i]
                    column[i] = rotated
                    i += 1
                  }
                }
              }
              diagonal[j] = s[j + j * n]
              s[j + j * n] = saved[j]
            }
          }
        }
      }
    }
    // Solve S·z = wa; when S is singular, a least-squares solution.
    var nsing = n
    for j in 0..<n {
      if sdiag[j] == 0 && nsing == n { nsing = j }
      if nsing < n { wa[j] = 0 }
    }
    for j in stride(from: nsing - 1, through: 0, by: -1) {
      var sum = 0.0
      for i in (j + 1)..<nsing { sum += s[i + j * n] * wa[i] }
      wa[j] = (wa[j] - sum) / sdiag[j]
    }
    for j in 0..<n { x[permutation[j]] = -wa[j] }
    return (x, lambda, Shifted(lower: s, diagonal: sdiag))
  }

  /// lmpar's loops 180–210: Sᵀw = Πᵀv by forward substitution.
  func dampedInverseNorm(_ factor: Shifted, _ v: [Double]) -> Double {
    var w = (0..<n).map { v[permutation[$0]] }
    for j in 0..<n {
      w[j] /= factor.diagonal[j]
      let temp = w[j]
      for i in (j + 1)..<n { w[i] -= factor.lower[i + j * n] * temp }
    }
    return BLAS.nrm2(w)
  }

  /// ‖Jp‖² = ‖R·Πᵀp‖² (lmder's loop 230).
  func curvature(_ p: [Double]) -> Double {
    var w = [Double](repeating: 0, count: n)
    for j in 0..<n {
      let temp = p[permutation[j]]
      for i in 0...j { w[i] += r[i + j * n] * temp }
    }
    let norm = BLAS.nrm2(w)
    return norm * norm
  }
}
