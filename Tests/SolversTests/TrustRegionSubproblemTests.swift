import Foundation
import KKTNet
import PropertyBased
import Solvers
import TestSupport
import Testing

/// MINPACK's lmpar on both paths (QR of J; Cholesky of G + λD²) against a dense reference: the SVD of
/// [J; √λD] at the λ the iteration returns.
@Suite("Trust-region subproblem")
struct TrustRegionSubproblemTests {
  /// A random subproblem: J (M × P) with columns scaled over four decades, full rank or of rank
  /// min(M, P) − deficiency (J = AB), M < P included; r; d over four decades; Δ from 10⁻³ to 10 times the
  /// length ‖Dp‖ of the minimum-norm Gauss–Newton step; λ₀ = 0 or a random previous λ.
  struct Case: CustomStringConvertible, Sendable {
    let jacobian: Matrix
    let residuals: [Double]
    let scaling: [Double]
    let radius: Double
    let initialDamping: Double
    let rank: Int
    let seed: UInt64

    init(rows m: Int, columns p: Int, deficiency: Int, seed: UInt64) {
      var random = RandomSource(seed: seed)
      let rank = max(1, min(m, p) - deficiency)
      var j: Matrix
      if rank == min(m, p) {
        j = randomMatrix(rows: m, columns: p, using: &random)
      } else {
        j = randomMatrix(rows: m, columns: rank, using: &random) * randomMatrix(rows: rank, columns: p, using: &random)
      }
      for c in 0..<p {
        let s = Foundation.pow(10, random.nextUniform(in: -2..<2))
        for i in 0..<m { j[i, c] *= s }
      }
      jacobian = j
      residuals = (0..<m).map { _ in random.nextNormal() }
      scaling = (0..<p).map { _ in Foundation.pow(10, random.nextUniform(in: -2..<2)) }
      let gaussNewton = TrustRegionSubproblemTests.dense(j, residuals, scaling, damping: 0).step
      let length = BLAS.nrm2(zip(scaling, gaussNewton).map { $0 * $1 })
      radius = max(length, 1e-3) * Foundation.pow(10, random.nextUniform(in: -3..<0.5))
      initialDamping = random.nextIndex(below: 2) == 0 ? 0 : Foundation.pow(10, random.nextUniform(in: -4..<2))
      self.rank = rank
      self.seed = seed
    }

    var description: String {
      "M = \(jacobian.rows), P = \(jacobian.columns), rank \(rank), seed \(seed)"
    }
  }

  static let cases = zip(Gen.int(in: 1...9), Gen.int(in: 1...6), Gen.int(in: 0...2), Gen<UInt64>.value()).map {
    Case(rows: $0, columns: $1, deficiency: $2, seed: $3)
  }

  /// The dense reference p(λ) = −A⁺[r; 0] with A = [J; √λD] (just J when λ = 0: the minimum-‖Dp‖ solution,
  /// through J·D⁻¹), from the SVD of A's column-equilibrated form A·C⁻¹ (singular values below
  /// max(M + P, P)·ε·σ₁ dropped). With them the least-squares perturbation bound (Golub & Van Loan 2013,
  /// Thm. 5.3.1) in the C-norm: κ = σ₁/σₖ over the kept values, η = ‖Ap + b‖/(σ₁‖Cp‖) for the residual
  /// of the stacked system and ρ = ‖r‖/(σ₁‖Cp‖) for the right-hand side's size.
  struct Reference {
    let step: [Double]
    /// C: the column norms of A, as weights for p (‖Jⱼ‖ when λ = 0).
    let weights: [Double]
    let kappa: Double
    let eta: Double
    let rho: Double
    let rank: Int

    /// ‖C(p − p_ref)‖/‖Cp_ref‖.
    func error(_ p: [Double]) -> Double {
      let difference = BLAS.nrm2((0..<p.count).map { weights[$0] * (p[$0] - step[$0]) })
      let size = BLAS.nrm2((0..<p.count).map { weights[$0] * step[$0] })
      return size == 0 ? difference : difference / size
    }
  }

  /// - Parameters:
  ///   - keeping: for λ = 0, keep exactly this many singular values of J·D⁻¹ (unequilibrated, so that the
  ///     solution is the one of minimum ‖Dp‖); nil: those above max(M + P, P)·ε·σ₁ of the equilibrated A.
  static func dense(_ j: Matrix, _ r: [Double], _ d: [Double], damping lambda: Double, keeping: Int? = nil)
    -> Reference
  {
    let (m, p) = (j.rows, j.columns)
    let extra = lambda > 0 ? p : 0
    var a = Matrix(rows: m + extra, columns: p)
    for c in 0..<p {
      for i in 0..<m { a[i, c] = lambda > 0 ? j[i, c] : j[i, c] / d[c] }
      if extra > 0 { a[m + c, c] = lambda.squareRoot() * d[c] }
    }
    let norms = (0..<p).map { keeping != nil ? 1 : max(BLAS.nrm2(a.column($0)), .leastNormalMagnitude) }
    var equilibrated = a
    for c in 0..<p { for i in 0..<a.rows { equilibrated[i, c] /= norms[c] } }
    let (u, sigma, vt) = try! LAPACK.gesvd(equilibrated)
    let cutoff = Double(max(a.rows, p)) * Double.ulpOfOne * sigma[0]
    let rank = keeping ?? sigma.filter { $0 > cutoff }.count
    var y = [Double](repeating: 0, count: p)  // y = C_A·p (C_A·D·p when λ = 0)
    for k in 0..<rank {
      var coefficient = 0.0
      for i in 0..<m { coefficient -= u[i, k] * r[i] }
      coefficient /= sigma[k]
      for c in 0..<p { y[c] += coefficient * vt[k, c] }
    }
    let step = (0..<p).map { y[$0] / norms[$0] / (lambda > 0 ? 1 : d[$0]) }
    var residual = [Double](repeating: 0, count: a.rows)
    BLAS.gemv(a, (0..<p).map { lambda > 0 ? step[$0] : step[$0] * d[$0] }, into: &residual)
    for i in 0..<m { residual[i] += r[i] }
    let size = sigma[0] * max(BLAS.nrm2(y), .leastNormalMagnitude)
    return Reference(
      step: step, weights: (0..<p).map { lambda > 0 ? norms[$0] : norms[$0] * d[$0] },
      kappa: rank == 0 ? 1 : sigma[0] / sigma[rank - 1], eta: BLAS.nrm2(residual) / size, rho: BLAS.nrm2(r) / size,
      rank: rank)
  }

  static func solve(_ c: Case, _ path: TrustRegionSubproblem.Path) throws -> TrustRegionStep {
    let subproblem: TrustRegionSubproblem
    switch path {
    case .qr:
      subproblem = try TrustRegionSubproblem(jacobian: c.jacobian, residuals: c.residuals)
    case .normalEquations:
      var g = [Double](repeating: 0, count: c.jacobian.columns)
      BLAS.gemv(c.jacobian, c.residuals, transpose: .transpose, into: &g)
      var normal = Matrix(rows: c.jacobian.columns, columns: c.jacobian.columns)
      BLAS.syrk(c.jacobian, into: &normal)
      subproblem = try TrustRegionSubproblem(
        normalMatrix: normal, gradient: g, objective: 0.5 * BLAS.dot(c.residuals, c.residuals))
    }
    return try subproblem.solve(scaling: c.scaling, radius: c.radius, initialDamping: c.initialDamping)
  }

  /// Singular values of J's column-equilibrated form, largest first.
  static func equilibratedSingularValues(_ j: Matrix) -> [Double] {
    var e = j
    for c in 0..<j.columns {
      let norm = BLAS.nrm2(j.column(c))
      for i in 0..<j.rows { e[i, c] /= norm }
    }
    return try! LAPACK.gesvd(e).singularValues
  }

  /// M·P·ε-sized constant of the backward error of a QR or Cholesky solve on these sizes (Higham 2002,
  /// Thms. 10.3, 19.4, 20.3: γ_{cMP} with a small c), taken as 4(M + P)·P·ε.
  static func unit(_ c: Case) -> Double {
    4 * Double((c.jacobian.rows + c.jacobian.columns) * c.jacobian.columns) * Double.ulpOfOne
  }

  @Test(
    "the stopping rule: λ = 0 and ‖Dp‖ ≤ 1.1Δ, or |‖Dp‖ − Δ| ≤ 0.1Δ, unless 10 iterations or rank deficiency end it")
  func stoppingRule() async {
    await propertyCheck(count: 500, input: Self.cases) { c in
      for path in [TrustRegionSubproblem.Path.qr, .normalEquations] {
        let s = try Self.solve(c, path)
        let length = BLAS.nrm2(zip(c.scaling, s.step).map { $0 * $1 })
        #expect(abs(s.scaledNorm - length) <= 4 * Double.ulpOfOne * length, "\(path) \(c)")
        #expect((0...10).contains(s.iterations), "\(path) \(c)")
        if s.damping == 0 {
          #expect(
            s.iterations == 0 && s.scaledNorm <= 1.1 * c.radius, "\(path) \(c): ‖Dp‖/Δ = \(s.scaledNorm / c.radius)")
        } else {
          // lmpar's other exits: the 10th iteration, and for a rank-deficient linearization (parl = 0) a φ
          // below −0.1Δ that stopped rising, where no root lies within the shifts it can reach.
          let fits = abs(s.scaledNorm - c.radius) <= 0.1 * c.radius
          let rankDeficient = c.rank < c.jacobian.columns
          #expect(
            fits || s.iterations == 10 || (rankDeficient && s.scaledNorm < 0.9 * c.radius),
            "\(path) \(c): ‖Dp‖/Δ = \(s.scaledNorm / c.radius) after \(s.iterations) iterations, λ = \(s.damping)")
        }
        // pᵀGp = ‖Jp‖², to the rounding of a product J·p: |δ(Jp)| ≤ γ·|J||p|.
        var jp = [Double](repeating: 0, count: c.jacobian.rows)
        BLAS.gemv(c.jacobian, s.step, into: &jp)
        var magnitude = [Double](repeating: 0, count: c.jacobian.rows)
        BLAS.gemv(
          Matrix(rows: c.jacobian.rows, columns: c.jacobian.columns, elements: c.jacobian.elements.map(abs)),
          s.step.map(abs), into: &magnitude)
        let size = BLAS.nrm2(magnitude)
        #expect(abs(s.curvature - BLAS.dot(jp, jp)) <= 2 * Self.unit(c) * size * size, "\(path) \(c)")
      }
    }
  }

  /// Cases compared and cases seen, across a property's parallel checks.
  final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var compared = 0
    private(set) var seen = 0
    func count(_ compared: Bool) {
      lock.withLock {
        seen += 1
        if compared { self.compared += 1 }
      }
    }
  }

  /// Whether J's rank is unambiguous at the constructed rank k: σₖ/σ₁ above 10⁻⁵ on the equilibrated J
  /// (above the pivoted Cholesky's cut, √(100Pε) ≤ 3.7·10⁻⁷) and σₖ₊₁/σ₁ below 10⁻¹² (rounding).
  static func hasClearRank(_ c: Case) -> Bool {
    let sigma = equilibratedSingularValues(c.jacobian) + [0]
    return sigma[c.rank - 1] > 1e-5 * sigma[0] && sigma[c.rank] < 1e-12 * sigma[0]
  }

  /// Against the dense reference at the returned λ, in the C-norm ‖Cp‖ (C the column norms of [J; √λD]: both
  /// factorizations err column by column, so the equilibrated condition number governs, van der Sluis):
  /// - QR: ‖δp‖ ≤ u·(κ + κ²η), the least-squares perturbation bound of a backward-stable solve.
  /// - Cholesky: ‖δp‖ ≤ u·κ²(1 + ρ): G + λD² has condition κ², and g = Jᵀr's rounding adds u·‖r‖/σ_min².
  /// with u = ``unit(_:)``. λ = 0 with J of full column rank is the unique Gauss–Newton step; λ = 0 for a
  /// rank-deficient J: on the QR path lmpar's basic solution, checked by its least-squares optimality
  /// ‖E⁻¹Jᵀ(Jp + r)‖ ≤ √P·u·(‖Jp + r‖ + ‖r‖ + Σⱼ‖Jⱼ‖|pⱼ|) (E = diag‖Jⱼ‖; the backward error of the
  /// solve, column by column); on the Cholesky path the step of minimum ‖Dp‖, against the dense one that
  /// keeps the k singular values of J·D⁻¹, when the rank is clear. Where the bound exceeds 10⁻⁴ (λ far
  /// below J's smallest singular value squared) the reference cannot tell, and the case only counts as
  /// seen; at least 40 % of the cases must be compared on each path.
  @Test("p(λ) equals the dense SVD solution of [J; √λD] at the returned λ, on both paths")
  func denseReference() async {
    for path in [TrustRegionSubproblem.Path.qr, .normalEquations] {
      let tally = Tally()
      await propertyCheck(count: 500, input: Self.cases) { c in
        let s = try Self.solve(c, path)
        let u = Self.unit(c)
        let p = c.jacobian.columns
        let fullColumnRank = c.rank == p
        if s.damping == 0 && !fullColumnRank {
          if path == .qr {
            var residual = c.residuals
            BLAS.gemv(c.jacobian, s.step, beta: 1, into: &residual)
            var normal = [Double](repeating: 0, count: p)
            BLAS.gemv(c.jacobian, residual, transpose: .transpose, into: &normal)
            let optimality = BLAS.nrm2((0..<p).map { normal[$0] / BLAS.nrm2(c.jacobian.column($0)) })
            let scale =
              BLAS.nrm2(residual) + BLAS.nrm2(c.residuals)
              + (0..<p).map { BLAS.nrm2(c.jacobian.column($0)) * abs(s.step[$0]) }.reduce(0, +)
            #expect(optimality <= Double(p).squareRoot() * u * scale, "\(c)")
            tally.count(true)
          } else if Self.hasClearRank(c) {
            let reference = Self.dense(c.jacobian, c.residuals, c.scaling, damping: 0, keeping: c.rank)
            let bound = u * reference.kappa * reference.kappa * (1 + reference.rho)
            if bound < 1e-4 { #expect(reference.error(s.step) <= bound, "\(c)") }
            tally.count(bound < 1e-4)
          } else {
            tally.count(false)
          }
          return
        }
        let reference = Self.dense(c.jacobian, c.residuals, c.scaling, damping: s.damping)
        let k = reference.kappa
        let bound = path == .qr ? u * (k + k * k * reference.eta) : u * k * k * (1 + reference.rho)
        if bound < 1e-4 {
          #expect(reference.error(s.step) <= bound, "\(path) \(c): λ = \(s.damping), κ = \(k)")
        }
        tally.count(bound < 1e-4)
      }
      #expect(
        Double(tally.compared) >= 0.4 * Double(tally.seen), "\(path): \(tally.compared) of \(tally.seen) compared")
    }
  }

  /// With J of full column rank both paths run the same iteration on the same φ, so they take the same
  /// branches and agree to the Cholesky path's rounding, u·κ²(1 + ρ) in λ (relative) and in ‖Cp‖. With a
  /// rank-deficient J they differ by design: MINPACK's Gauss–Newton step (basic, or from a nearly singular
  /// R) and parl > 0 against the minimum-‖Dp‖ step and parl = 0.
  @Test("the QR and normal-equation paths agree when J has full column rank")
  func pathsAgree() async {
    await propertyCheck(count: 500, input: Self.cases) { c in
      guard c.rank == c.jacobian.columns else { return }
      let qr = try Self.solve(c, .qr)
      let normal = try Self.solve(c, .normalEquations)
      let reference = Self.dense(c.jacobian, c.residuals, c.scaling, damping: qr.damping)
      let k = reference.kappa
      let bound = Self.unit(c) * k * k * (1 + reference.rho)
      guard bound < 1e-6 else { return }
      #expect(qr.iterations == normal.iterations, "\(c)")
      #expect(abs(qr.damping - normal.damping) <= bound * qr.damping, "\(c): λ \(qr.damping) against \(normal.damping)")
      let difference = BLAS.nrm2((0..<qr.step.count).map { reference.weights[$0] * (qr.step[$0] - normal.step[$0]) })
      let size = BLAS.nrm2((0..<qr.step.count).map { reference.weights[$0] * qr.step[$0] })
      #expect(difference <= bound * size, "\(c)")
    }
  }
}
