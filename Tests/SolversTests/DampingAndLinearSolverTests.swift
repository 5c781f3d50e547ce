import KKTNet
import Solvers
import TestSupport
import Testing

@Suite("Damping schedules")
struct DampingTests {
  @Test("Nielsen: μ₀ = τ·max diag, ×max(1/3, 1 − (2ρ − 1)³) on success, ×ν with ν doubling on failure")
  func nielsen() {
    var damping = NielsenDamping(tau: 1.0 / 1024)
    damping.start(scaledDiagonal: [1, 4, 2])
    #expect(damping.damping == 1.0 / 256)
    damping.stepAccepted(gainRatio: 0.75)  // (2ρ − 1)³ = 1/8
    #expect(damping.damping == 0.875 / 256)
    damping.stepRejected()  // ν = 2
    #expect(damping.damping == 1.75 / 256)
    damping.stepRejected()  // ν = 4
    #expect(damping.damping == 7.0 / 256)
    #expect(damping.growth == 8)
    damping.stepAccepted(gainRatio: 1)  // max(1/3, 0): ν resets to 2
    #expect(damping.damping == 7.0 / 256 * (1.0 / 3.0))
    #expect(damping.growth == 2)
    damping.stepAccepted(gainRatio: 0.25)  // 1 − (−1/2)³ = 9/8: a poor step raises μ
    #expect(damping.damping == 7.0 / 256 * (1.0 / 3.0) * 1.125)
    damping.stepAccepted(gainRatio: 0.5)  // factor 1
    #expect(damping.damping == 7.0 / 256 * (1.0 / 3.0) * 1.125)
  }

  @Test("trainlm: μ = 1e-3, ×0.1 on success, ×10 on failure, whatever the curvature")
  func multiplicative() {
    var damping = MultiplicativeDamping()
    damping.start(scaledDiagonal: [1e6])
    #expect(damping.damping == 1e-3)
    damping.stepAccepted(gainRatio: 0.1)
    #expect(damping.damping == 1e-3 * 0.1)
    damping.stepRejected()
    damping.stepRejected()
    #expect(damping.damping == 1e-3 * 0.1 * 10 * 10)
    #expect(damping.maximumDamping == 1e10)
  }

  /// A problem whose every trial point has a non-finite loss: each step is rejected.
  final class Cliff: LeastSquaresProblem {
    let parameterCount = 1
    let residualCount = 1
    let start: Double
    init(start: Double) { self.start = start }
    func residuals(at parameters: [Double], into residuals: inout [Double]) {
      residuals[0] = parameters[0] == start ? 1 : .nan
    }
    func jacobian(at parameters: [Double], into jacobian: inout Matrix) { jacobian[0, 0] = 1 }
  }

  @Test("a non-finite trial rejects the step and raises μ, until trainlm's μ_max ends the run")
  func rejectionsUntilMaximumDamping() {
    let result = LevenbergMarquardt(options: .init(damping: MultiplicativeDamping())).minimize(
      Cliff(start: 0.5), from: [0.5])
    var mu = 1e-3
    var rejections = 0
    while mu <= 1e10 {
      mu *= 10
      rejections += 1
    }
    #expect(result.termination == .dampingTooLarge(1e10))
    #expect(result.iterations == rejections)
    #expect(result.history.dropFirst().allSatisfy { !$0.accepted })
    #expect(result.parameters == [0.5])
    #expect(result.history.last!.damping == mu)
  }

  @Test("non-finite residuals at the start end the run with a reason, not a trap")
  func nonFiniteStart() {
    let result = LevenbergMarquardt().minimize(Cliff(start: 0.5), from: [1])
    #expect(result.termination == .nonFiniteStart)
    #expect(result.parameters == [1])
    #expect(result.iterations == 0)
  }
}

@Suite("Damped linear solvers")
struct LinearSolverTests {
  func system(rows: Int, columns: Int, seed: UInt64) -> DampedLinearSolver.System {
    var random = RandomSource(seed: seed)
    let j = randomMatrix(rows: rows, columns: columns, using: &random)
    let r = (0..<rows).map { _ in random.nextNormal() }
    var g = [Double](repeating: 0, count: columns)
    var normal = Matrix(rows: columns, columns: columns)
    BLAS.syrk(j, transpose: .transpose, into: &normal)
    BLAS.gemv(j, r, transpose: .transpose, into: &g)
    return .init(normalMatrix: normal, gradient: g, jacobian: j, residuals: r)
  }

  @Test("Cholesky, QR and SVD agree on a well-conditioned system, with either scaling")
  func solversAgree() throws {
    let s = system(rows: 30, columns: 6, seed: 1)
    for d in [[Double](repeating: 1, count: 6), [0.5, 2, 1, 3, 0.25, 1]] {
      for mu in [0.0, 1e-3, 1.0] {
        let cholesky = try DampedLinearSolver(kind: .cholesky).solve(s, damping: mu, scaling: d)
        let qr = try DampedLinearSolver(kind: .qr).solve(s, damping: mu, scaling: d)
        let svd = try DampedLinearSolver(kind: .svd).solve(s, damping: mu, scaling: d)
        #expect(relativeDifference(cholesky, qr) <= 1e-13)
        #expect(relativeDifference(svd, qr) <= 1e-13)
        // Without J, from the normal matrix alone.
        let normalOnly = DampedLinearSolver.System(normalMatrix: s.normalMatrix!, gradient: s.gradient)
        let svdNormal = try DampedLinearSolver(kind: .svd).solve(normalOnly, damping: mu, scaling: d)
        #expect(relativeDifference(svdNormal, qr) <= 1e-12)
      }
    }
  }

  @Test("SVD decides rank on the D-equilibrated columns: parameters in units 10¹⁸ apart lose no direction")
  func svdIsScaleInvariant() throws {
    let base = system(rows: 25, columns: 4, seed: 7)
    let units = [1e10, 1.0, 1e-8, 3e-3]
    var j = base.jacobian!
    for c in 0..<4 { for i in 0..<25 { j[i, c] *= units[c] } }
    var normal = Matrix(rows: 4, columns: 4)
    var g = [Double](repeating: 0, count: 4)
    BLAS.syrk(j, transpose: .transpose, into: &normal)
    BLAS.gemv(j, base.residuals!, transpose: .transpose, into: &g)
    let scaled = DampedLinearSolver.System(normalMatrix: normal, gradient: g, jacobian: j, residuals: base.residuals)
    let d = (0..<4).map { normal[$0, $0] }
    let qr = try DampedLinearSolver(kind: .qr).solve(scaled, damping: 1e-20, scaling: d)
    let svd = try DampedLinearSolver(kind: .svd).solve(scaled, damping: 1e-20, scaling: d)
    // The step of the unscaled problem, in the scaled units.
    let reference = try DampedLinearSolver(kind: .qr).solve(base, damping: 0, scaling: [1, 1, 1, 1])
    for c in 0..<4 {
      #expect(abs(qr[c] * units[c] - reference[c]) <= 1e-9 * abs(reference[c]), "QR, parameter \(c)")
      #expect(abs(svd[c] * units[c] - reference[c]) <= 1e-9 * abs(reference[c]), "SVD, parameter \(c)")
    }
  }

  @Test("the step tends to −D⁻¹g/μ as μ → ∞ and to the Gauss–Newton step as μ → 0")
  func limits() throws {
    let s = system(rows: 20, columns: 5, seed: 2)
    let d = [1.0, 2, 0.5, 4, 1]
    for kind in LinearSolverKind.allCases {
      let solver = DampedLinearSolver(kind: kind)
      let mu = 1e10
      let large = try solver.solve(s, damping: mu, scaling: d)
      let gradientStep = (0..<5).map { -s.gradient[$0] / (d[$0] * mu) }
      #expect(relativeDifference(large, gradientStep) <= 1e-8, "\(kind)")
      let small = try solver.solve(s, damping: 1e-12, scaling: d)
      let gaussNewton = try LAPACK.gels(s.jacobian!, Matrix(column: s.residuals!.map { -$0 })).elements
      #expect(relativeDifference(small, gaussNewton) <= 1e-10, "\(kind)")
    }
  }

  @Test("M < P: the M × M dual system gives the same step as the primal one")
  func dualSystem() throws {
    let s = system(rows: 4, columns: 9, seed: 3)
    let d = [1.0, 2, 3, 1, 1, 0.5, 0.25, 1, 2]
    var primal = s
    primal.jacobian = nil
    primal.residuals = nil
    let (_, singularValues, _) = try LAPACK.gesvd(s.jacobian!)
    for mu in [1e-4, 1.0, 100] {
      let dual = try DampedLinearSolver(kind: .cholesky).solve(s, damping: mu, scaling: d)
      let direct = try DampedLinearSolver(kind: .cholesky).solve(primal, damping: mu, scaling: d)
      // The primal P × P matrix JᵀJ + μD has rank-4 JᵀJ: its condition number is about (σ₁² + μ·max d)/(μ·min d),
      // and the two solutions agree to the rounding that allows.
      let condition = (singularValues[0] * singularValues[0] + mu * d.max()!) / (mu * d.min()!)
      #expect(relativeDifference(dual, direct) <= 10 * Double.ulpOfOne * condition, "μ = \(mu)")
    }
    // μ = 0: the minimum-norm Gauss–Newton step of the underdetermined system, as SVD gives it.
    let identity = [Double](repeating: 1, count: 9)
    let minimumNorm = try DampedLinearSolver(kind: .svd).solve(s, damping: 0, scaling: identity)
    #expect(
      relativeDifference(try DampedLinearSolver(kind: .cholesky).solve(s, damping: 0, scaling: identity), minimumNorm)
        <= 1e-12)
  }

  @Test(
    "rank-deficient systems: SVD gives the minimum-norm step, Cholesky and QR report LAPACK's sentence, nothing traps")
  func rankDeficient() throws {
    // Two equal columns: J is rank 1.
    let j = Matrix(rowMajor: [[1, 1], [2, 2], [3, 3]])
    var g = [Double](repeating: 0, count: 2)
    var normal = Matrix(rows: 2, columns: 2)
    BLAS.syrk(j, transpose: .transpose, into: &normal)
    BLAS.gemv(j, [1, 2, 3], transpose: .transpose, into: &g)
    let s = DampedLinearSolver.System(normalMatrix: normal, gradient: g, jacobian: j, residuals: [1, 2, 3])
    let identity = [1.0, 1]
    let minimumNorm = try DampedLinearSolver(kind: .svd).solve(s, damping: 0, scaling: identity)
    #expect(relativeDifference(minimumNorm, [-0.5, -0.5]) <= 1e-15)
    // Cholesky on the exactly singular JᵀJ is LAPACK's typed error.
    #expect(throws: LAPACKError.notPositiveDefinite(routine: "dposv", order: 2)) {
      try DampedLinearSolver(kind: .cholesky).solve(s, damping: 0, scaling: identity)
    }
    // QR's rounding leaves R₂₂ tiny rather than zero, so gels returns a least-squares solution (not the
    // minimum-norm one): Jδ = −r still holds.
    let qr = try DampedLinearSolver(kind: .qr).solve(s, damping: 0, scaling: identity)
    #expect(abs(qr[0] + qr[1] + 1) <= 1e-15)
    // With damping the system is positive definite and every solver gives the symmetric step.
    for kind in LinearSolverKind.allCases {
      let step = try DampedLinearSolver(kind: kind).solve(s, damping: 1e-3, scaling: identity)
      #expect(relativeDifference([step[0]], [step[1]]) <= 1e-10 && step[0] < 0, "\(kind): \(step)")
    }
    // Gauss–Newton with Cholesky on the rank-deficient problem ends with a reason instead of a trap.
    let problem = CurveFittingProblem(
      parameterCount: 2, residualCount: 3, jacobian: { _ in j },
      residuals: { b in [1 + b[0] + b[1], 2 + 2 * b[0] + 2 * b[1], 3 + 3 * b[0] + 3 * b[1]] })
    let result = GaussNewton(options: .init(linearSolver: .cholesky)).minimize(problem, from: [0, 0])
    #expect(
      result.termination == .singularSystem(LAPACKError.notPositiveDefinite(routine: "dposv", order: 2).description))
    #expect(result.parameters == [0, 0])
    // Levenberg–Marquardt damps it and reaches the zero-residual line.
    let damped = LevenbergMarquardt().minimize(problem, from: [0, 0])
    #expect(damped.termination.isConvergence && damped.loss < 1e-20)
  }
}
