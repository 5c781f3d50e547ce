import CLAPACK
import KKTNet

/// The normal-equation side of Moré's iteration: G + λD² = LLᵀ by Cholesky (LAPACK dpotrf) for each λ,
/// p(λ) = −(LLᵀ)⁻¹g (dpotrs), and the norms ‖L⁻¹q‖ its Newton step needs (dtrsv). In exact arithmetic
/// every quantity equals the one MINPACK's `lmpar` computes from the QR factors: with LLᵀ = G + λD² and
/// SᵀS = Πᵀ(G + λD²)Π, ‖L⁻¹q‖² = ‖S⁻ᵀΠᵀq‖² = qᵀ(G + λD²)⁻¹q.
///
/// λ = 0 uses a pivoted Cholesky factorization of the equilibrated Ĝ = E⁻¹GE⁻¹ (E = diag(√Gⱼⱼ)), ΠᵀĜΠ = UᵀU
/// (dpstrf, stopping at pivots below 100·P·ε, the level of the factorization's own rounding, a few ε per
/// step, with room to spare), whose numerical rank k plays the part of lmpar's nsing, the first exactly
/// zero diagonal element of R. G is singular when k < P — as for a network with a dead unit, for M < P,
/// or when κ(Ĝ) = κ(J·E⁻¹)² passes about 1/(100Pε), where the undamped normal equations carry almost no
/// correct digit; then, as lmpar does for a rank-deficient R, parl = 0, and the Gauss–Newton step is the
/// one of minimum ‖Dp‖ among the least-squares solutions of the rank-k system, the limit of p(λ) as
/// λ → 0⁺: with R the first k rows of U, Rᵀz = −ΠᵀE⁻¹g, F = ΠᵀDE⁻¹Π and F⁻¹Rᵀ = QT (dgeqrf),
/// p = E⁻¹ΠF⁻¹Q·T⁻ᵀz, so the error grows with κ(Ĝ) and not its square.
///
/// A shift below G's rounding is not represented in G + λD²: for a singular G the shift is at least
/// λ_min = 100·P·ε·maxⱼ Gⱼⱼ/dⱼ², where the null directions' rounding adds under 1 % to ‖Dp‖; and whenever
/// G + λD² is not positive definite in floating point, λ is raised to λ_min and then tenfold until the
/// factorization succeeds. The raised λ is the one returned with its step.
struct ShiftedCholeskyFactorization: DampedStepFactorization, Sendable {
  let n: Int
  /// G, n × n, both triangles.
  let normal: [Double]
  let gradient: [Double]
  /// E's diagonal, √Gⱼⱼ (1 where Gⱼⱼ = 0).
  let equilibration: [Double]
  /// U of ΠᵀĜΠ = UᵀU (upper, column-major; rows from `rank` on are not part of it).
  let upper: [Double]
  /// Column j of ĜΠ is column `permutation[j]` of Ĝ (from 0).
  let permutation: [Int]
  /// k, the numerical rank of Ĝ.
  let rank: Int

  typealias Shifted = [Double]

  private static let lower = CChar(UInt8(ascii: "L"))

  init(normalMatrix: Matrix, gradient: [Double]) {
    let n = gradient.count
    self.n = n
    normal = normalMatrix.elements
    self.gradient = gradient
    let e = (0..<n).map { normalMatrix[$0, $0] > 0 ? normalMatrix[$0, $0].squareRoot() : 1 }
    equilibration = e
    var a = [Double](repeating: 0, count: n * n)
    for j in 0..<n { for i in 0..<n { a[i + j * n] = normalMatrix.elements[i + j * n] / (e[i] * e[j]) } }
    var pivots = [Int32](repeating: 0, count: n)
    var rank: Int32 = 0
    let tolerance = 100 * Double(n) * Double.ulpOfOne  // on pivots of Ĝ, whose diagonal is 1
    var work = [Double](repeating: 0, count: 2 * n)
    // The _work entry points skip LAPACKE's NaN scan of the input, which the subproblem has already done.
    let info = LAPACKE_dpstrf_work(
      102, CChar(UInt8(ascii: "U")), Int32(n), &a, Int32(n), &pivots, &rank, tolerance, &work)
    precondition(info >= 0, "LAPACK dpstrf: argument \(-info) had an illegal value (a bug in KKTNet)")
    upper = a
    permutation = pivots.map { Int($0) - 1 }
    self.rank = Int(rank)
  }

  /// w ← U⁻ᵀw (forward substitution on the leading k × k block, dtrsv).
  private func transposedSolve(_ w: inout [Double], _ k: Int) {
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(k), upper, Int32(n), &w, 1)
  }

  /// p(0); it may overflow when a column of J is tiny but independent (a saturated unit), and is then
  /// simply too long for any radius.
  func gaussNewtonStep(scaling d: [Double]) -> (step: [Double], fullRank: Bool) {
    // v = −ΠᵀE⁻¹g, then z = U⁻ᵀv on the leading k components.
    var z = (0..<n).map { -gradient[permutation[$0]] / equilibration[permutation[$0]] }
    transposedSolve(&z, rank)
    var p = [Double](repeating: 0, count: n)
    if rank == n {
      cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), upper, Int32(n), &z, 1)
      for j in 0..<n { p[permutation[j]] = z[j] / equilibration[permutation[j]] }
      return (p, true)
    }
    guard rank > 0 else { return (p, false) }  // G = 0: p = 0
    let k = rank
    let f = (0..<n).map { d[permutation[$0]] / equilibration[permutation[$0]] }
    var b = [Double](repeating: 0, count: n * k)  // F⁻¹Rᵀ, n × k
    for i in 0..<k { for j in i..<n { b[j + i * n] = upper[i + j * n] / f[j] } }
    var tau = [Double](repeating: 0, count: k)
    let factored = LAPACKE_dgeqrf(102, Int32(n), Int32(k), &b, Int32(n), &tau)
    precondition(factored == 0, "LAPACK dgeqrf: argument \(-factored) had an illegal value (a bug in KKTNet)")
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(k), b, Int32(n), &z, 1)
    for i in k..<n { z[i] = 0 }
    let applied = LAPACKE_dormqr(
      102, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "N")), Int32(n), 1, Int32(k), b, Int32(n), tau, &z, Int32(n))
    precondition(applied == 0, "LAPACK dormqr: argument \(-applied) had an illegal value (a bug in KKTNet)")
    for j in 0..<n { p[permutation[j]] = z[j] / f[j] / equilibration[permutation[j]] }
    return (p, false)
  }

  /// ‖K⁻ᵀv‖ with G = KᵀK, K = UΠᵀE: ‖U⁻ᵀΠᵀE⁻¹v‖.
  func undampedInverseNorm(_ v: [Double]) -> Double {
    var w = (0..<n).map { v[permutation[$0]] / equilibration[permutation[$0]] }
    transposedSolve(&w, n)
    return BLAS.nrm2(w)
  }

  func dampedStep(_ lambda: Double, scaling d: [Double]) throws(TrustRegionSubproblemError) -> (
    step: [Double], damping: Double, factor: [Double]
  ) {
    var largest = 0.0
    for j in 0..<n { largest = max(largest, normal[j * (n + 1)] / (d[j] * d[j])) }
    let smallest = 100 * Double(n) * Double.ulpOfOne * largest
    var shift = rank < n ? max(lambda, smallest) : lambda
    for _ in 0..<40 {
      var l = normal
      for j in 0..<n { l[j * (n + 1)] += shift * d[j] * d[j] }
      let info = LAPACKE_dpotrf_work(102, Self.lower, Int32(n), &l, Int32(n))
      precondition(info >= 0, "LAPACK dpotrf: argument \(-info) had an illegal value (a bug in KKTNet)")
      if info == 0 {
        var x = gradient.map { -$0 }
        let solved = LAPACKE_dpotrs_work(102, Self.lower, Int32(n), 1, l, Int32(n), &x, Int32(n))
        precondition(solved == 0, "LAPACK dpotrs: argument \(-solved) had an illegal value (a bug in KKTNet)")
        return (x, shift, l)
      }
      shift = max(10 * shift, smallest)
    }
    throw .factorizationFailed(.notPositiveDefinite(routine: "dpotrf", order: n))
  }

  /// ‖L⁻¹v‖ (dtrsv).
  func dampedInverseNorm(_ factor: [Double], _ v: [Double]) -> Double {
    var w = v
    cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), factor, Int32(n), &w, 1)
    return BLAS.nrm2(w)
  }

  /// pᵀGp (dsymv on the lower triangle).
  func curvature(_ p: [Double]) -> Double {
    var gp = [Double](repeating: 0, count: n)
    cblas_dsymv(CblasColMajor, CblasLower, Int32(n), 1, normal, Int32(n), p, 1, 0, &gp, 1)
    return BLAS.dot(p, gp)
  }
}
