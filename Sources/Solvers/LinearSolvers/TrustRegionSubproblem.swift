import Foundation
import KKTNet

/// The trust-region subproblem of Levenberg–Marquardt at one linearization, solved as MINPACK's `lmpar` does
/// (Moré 1978, "The Levenberg–Marquardt algorithm: implementation and theory", §5–§7): find λ ≥ 0 and
///
///     p(λ) = argmin ‖Jp + r‖² + λ‖Dp‖²,   i.e.   (G + λD²)p = −g,   G = JᵀJ, g = Jᵀr,
///
/// such that either λ = 0 and ‖Dp(0)‖ ≤ 1.1Δ (the Gauss–Newton step fits), or λ > 0 and the secular
/// equation φ(λ) = ‖Dp(λ)‖ − Δ = 0 holds to |φ| ≤ 0.1Δ. λ comes from Moré's safeguarded Newton iteration on
/// 1/‖Dp(λ)‖ inside the bracket [parl, paru] (parl from the Gauss–Newton step when J has full rank, else 0;
/// paru = ‖D⁻¹g‖/Δ), at most 10 iterations, started from the previous λ.
///
/// Two ways in, factored once here for every trial λ at this point:
/// - ``init(jacobian:residuals:)``: J and r. J·Π = Q·R with column pivoting (LAPACK dgeqp3, MINPACK's
///   `qrfac` rule: the column of largest remaining norm first), then for each λ the rows √λ·D are rotated
///   into R by Givens rotations (MINPACK's `qrsolv`), so the condition number is never squared.
/// - ``init(normalMatrix:gradient:objective:)``: G and g only, as accumulated block by block for many
///   samples (J never formed), and the generalized Gauss–Newton problems (bce, ce), where G is JᵀHJ and
///   there are no residuals. A Cholesky factorization of G + λD² for each λ (LAPACK dpotrf). A singular G
///   (numerical rank from a pivoted Cholesky factorization of the equilibrated G, LAPACK dpstrf) is handled
///   as `lmpar` handles a rank-deficient R: the lower bound parl is 0, and the Gauss–Newton step is the one
///   of minimum ‖Dp‖, the limit of p(λ) as λ → 0⁺ (see ``ShiftedCholeskyFactorization``).
///
/// Non-finite input is a thrown ``TrustRegionSubproblemError``, as is a factorization that fails; the caller
/// turns it into a termination reason.
public struct TrustRegionSubproblem: Sendable {
  /// How the linearization came in.
  public enum Path: String, Sendable, Codable {
    /// J and r: pivoted QR, Givens rotations per λ.
    case qr
    /// G and g: a Cholesky factorization per λ.
    case normalEquations
  }

  /// P.
  public let parameterCount: Int
  /// f = ½‖r‖² (for least squares), the objective at the linearization point.
  public let objective: Double
  /// ‖r‖ = √(2f).
  public let residualNorm: Double
  /// g = Jᵀr = ∇f.
  public let gradient: [Double]
  /// ‖Jⱼ‖, the norms of J's columns (√Gⱼⱼ on the normal-equation path): MINPACK's scaling D starts from them.
  public let columnNorms: [Double]
  let factorization: Factorization
  /// The Gauss–Newton step p(0) for the last scaling asked for: D changes only when the linearization does,
  /// so every trial at one linearization shares it (lmpar recomputes it on each call).
  private let gaussNewtonCache = GaussNewtonCache()

  enum Factorization: Sendable {
    case qr(PivotedQRFactorization)
    case normalEquations(ShiftedCholeskyFactorization)
  }

  /// Which factorization the subproblem was solved with.
  public var path: Path {
    switch factorization {
    case .qr: return .qr
    case .normalEquations: return .normalEquations
    }
  }

  /// The linearization r(θ + p) ≈ r + Jp, factored as J·Π = Q·R (dgeqp3, then Qᵀr by dormqr).
  ///
  /// - Parameters:
  ///   - jacobian: J, M × P (any M ≥ 1, also M < P).
  ///   - residuals: r, M values.
  /// - Throws: `.nonFiniteInput` when J or r holds NaN or ±∞.
  /// - Complexity: 2MP² − 2P³/3 flops for M ≥ P.
  public init(jacobian: Matrix, residuals: [Double]) throws(TrustRegionSubproblemError) {
    precondition(residuals.count == jacobian.rows, "r has \(residuals.count) values, J \(jacobian.rows) rows")
    precondition(jacobian.columns >= 1 && jacobian.rows >= 1, "J must have rows and columns")
    guard jacobian.elements.allSatisfy(\.isFinite) else { throw .nonFiniteInput("the Jacobian") }
    guard residuals.allSatisfy(\.isFinite) else { throw .nonFiniteInput("the residuals") }
    let qr = PivotedQRFactorization(jacobian: jacobian, residuals: residuals)
    parameterCount = jacobian.columns
    residualNorm = BLAS.nrm2(residuals)
    objective = 0.5 * residualNorm * residualNorm
    gradient = qr.gradient
    columnNorms = qr.columnNorms
    factorization = .qr(qr)
  }

  /// The linearization by its normal equations: f, g and G (P × P, both triangles; JᵀJ, or the generalized
  /// Gauss–Newton matrix), with f(θ + p) ≈ f + gᵀp + ½pᵀGp.
  ///
  /// - Throws: `.nonFiniteInput` when G, g or f holds NaN or ±∞.
  /// - Complexity: P³/3 flops (the pivoted Cholesky factorization of G, for the Gauss–Newton step), and
  ///   P³/3 for each trial λ.
  public init(normalMatrix: Matrix, gradient: [Double], objective: Double) throws(TrustRegionSubproblemError) {
    precondition(normalMatrix.rows == normalMatrix.columns, "G must be square")
    precondition(gradient.count == normalMatrix.rows && !gradient.isEmpty, "g must have P ≥ 1 values")
    guard normalMatrix.elements.allSatisfy(\.isFinite) else { throw .nonFiniteInput("the normal matrix") }
    guard gradient.allSatisfy(\.isFinite) else { throw .nonFiniteInput("the gradient") }
    guard objective.isFinite && objective >= 0 else { throw .nonFiniteInput("the objective") }
    let cholesky = ShiftedCholeskyFactorization(normalMatrix: normalMatrix, gradient: gradient)
    parameterCount = gradient.count
    self.objective = objective
    residualNorm = (2 * objective).squareRoot()
    self.gradient = gradient
    columnNorms = (0..<gradient.count).map { max(0, normalMatrix[$0, $0]).squareRoot() }
    factorization = .normalEquations(cholesky)
  }

  /// λ and p(λ) for the scaling D = diag(d) and the radius Δ (MINPACK's `lmpar`).
  ///
  /// - Parameters:
  ///   - scaling: d, P positive values.
  ///   - radius: Δ > 0.
  ///   - initialDamping: the previous λ, the iteration's starting guess (0 at the first iteration).
  /// - Returns: λ, p, ‖Dp‖, pᵀGp and the number of Newton iterations (0 when the Gauss–Newton step fits).
  /// - Throws: `.nonFiniteInput` for a non-finite d, Δ or λ; `.nonFiniteStep` when p(λ) overflows;
  ///   `.factorizationFailed` when no shift makes G + λD² factorizable.
  public func solve(scaling d: [Double], radius delta: Double, initialDamping: Double)
    throws(TrustRegionSubproblemError) -> TrustRegionStep
  {
    precondition(d.count == parameterCount, "the scaling has \(d.count) values, θ \(parameterCount)")
    guard d.allSatisfy(\.isFinite) else { throw .nonFiniteInput("the scaling") }
    guard delta.isFinite, initialDamping.isFinite else { throw .nonFiniteInput("the radius or the damping") }
    precondition(d.allSatisfy { $0 > 0 }, "the scaling must be positive")
    precondition(delta > 0 && initialDamping >= 0, "Δ must be positive and λ non-negative")
    switch factorization {
    case .qr(let qr):
      return try moreIteration(qr, d, delta, initialDamping, gaussNewton: gaussNewtonCache.step(d, qr.gaussNewtonStep))
    case .normalEquations(let cholesky):
      return try moreIteration(
        cholesky, d, delta, initialDamping, gaussNewton: gaussNewtonCache.step(d, cholesky.gaussNewtonStep))
    }
  }
}

/// The result of ``TrustRegionSubproblem/solve(scaling:radius:initialDamping:)``.
public struct TrustRegionStep: Sendable, Equatable, Codable {
  /// p, the step.
  public var step: [Double]
  /// λ ≥ 0, Moré's Levenberg–Marquardt parameter (MINPACK's `par`): (G + λD²)p = −g.
  public var damping: Double
  /// ‖Dp‖, the step's length in the trust region's norm.
  public var scaledNorm: Double
  /// pᵀGp (‖Jp‖² for least squares), for the predicted reduction.
  public var curvature: Double
  /// The Newton iterations on the secular equation (0: the Gauss–Newton step was taken; at most 10).
  public var iterations: Int

  /// A step with its λ, ‖Dδ‖, the predicted reduction's curvature term and the iterations it took.
  public init(step: [Double], damping: Double, scaledNorm: Double, curvature: Double, iterations: Int) {
    self.step = step
    self.damping = damping
    self.scaledNorm = scaledNorm
    self.curvature = curvature
    self.iterations = iterations
  }
}

/// Why a trust-region subproblem has no answer.
public enum TrustRegionSubproblemError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The named input holds NaN or ±∞.
  case nonFiniteInput(String)
  /// p(λ) overflowed: the linearization is too badly scaled for double precision.
  case nonFiniteStep
  /// A factorization failed even after raising λ.
  case factorizationFailed(LAPACKError)

  public var description: String {
    switch self {
    case .nonFiniteInput(let name): return "\(name) holds NaN or infinite values"
    case .nonFiniteStep: return "the trust-region step overflowed"
    case .factorizationFailed(let error): return "the damped system could not be factored (\(error))"
    }
  }
}

/// What Moré's iteration needs of a factored linearization. Vectors are in θ's order; implementations
/// permute internally.
protocol DampedStepFactorization {
  associatedtype Shifted
  /// The Gauss–Newton step p(0) (possibly non-finite: then longer than any radius) and whether the
  /// linearization has full rank (lmpar's nsing = n).
  func gaussNewtonStep(scaling d: [Double]) -> (step: [Double], fullRank: Bool)
  /// ‖R⁻ᵀv‖ for RᵀR = ΠᵀGΠ (full rank only): qᵀG⁻¹q = ‖R⁻ᵀΠᵀq‖² gives parl.
  func undampedInverseNorm(_ v: [Double]) -> Double
  /// p(λ) for λ > 0 and the factor S of G + λD² = ΠSᵀSΠᵀ; λ may come back raised (the Cholesky path).
  func dampedStep(_ lambda: Double, scaling d: [Double]) throws(TrustRegionSubproblemError) -> (
    step: [Double], damping: Double, factor: Shifted
  )
  /// ‖S⁻ᵀΠᵀv‖ for a factor of ``dampedStep(_:scaling:)``: the Newton correction's denominator.
  func dampedInverseNorm(_ factor: Shifted, _ v: [Double]) -> Double
  /// g.
  var gradient: [Double] { get }
  /// pᵀGp.
  func curvature(_ p: [Double]) -> Double
}

/// MINPACK's `lmpar`, line by line, over either factorization. φ(λ) = ‖Dp(λ)‖ − Δ; with q = D(Dp)/‖Dp‖,
/// φ′(λ) = −‖S⁻ᵀΠᵀq‖²/‖Dp‖, and the Newton correction for 1/‖Dp‖ is λc = (φ/Δ)/‖S⁻ᵀΠᵀq‖².
func moreIteration<F: DampedStepFactorization>(
  _ f: F, _ d: [Double], _ delta: Double, _ initial: Double, gaussNewton: (step: [Double], fullRank: Bool)
) throws(TrustRegionSubproblemError) -> TrustRegionStep {
  let dwarf = Double.leastNormalMagnitude
  let n = d.count
  func scaledNorm(_ p: [Double]) -> Double {
    let norm = BLAS.nrm2(zip(d, p).map { $0 * $1 })
    return norm.isFinite ? norm : .infinity
  }
  func q(_ p: [Double], _ dxnorm: Double) -> [Double] { (0..<n).map { d[$0] * ((d[$0] * p[$0]) / dxnorm) } }
  func result(_ p: [Double], _ lambda: Double, _ dxnorm: Double, _ iterations: Int) -> TrustRegionStep {
    TrustRegionStep(
      step: p, damping: lambda, scaledNorm: dxnorm, curvature: max(0, f.curvature(p)), iterations: iterations)
  }

  // The Gauss–Newton step, accepted when it fits: ‖Dp(0)‖ ≤ 1.1Δ (an overflowing one never does).
  let (gaussNewton, fullRank) = gaussNewton
  var dxnorm = gaussNewton.allSatisfy(\.isFinite) ? scaledNorm(gaussNewton) : .infinity
  var fp = dxnorm - delta
  if fp <= 0.1 * delta { return result(gaussNewton, 0, dxnorm, 0) }

  // parl: with full rank the Newton step from λ = 0 (φ is convex there), else 0.
  var parl = 0.0
  if fullRank && dxnorm.isFinite {
    let temp = f.undampedInverseNorm(q(gaussNewton, dxnorm))
    parl = ((fp / delta) / temp) / temp
  }
  // paru = ‖D⁻¹g‖/Δ.
  let gnorm = BLAS.nrm2(zip(f.gradient, d).map { $0 / $1 })
  var paru = gnorm / delta
  if paru == 0 { paru = dwarf / min(delta, 0.1) }

  var par = min(max(initial, parl), paru)
  if par == 0 { par = gnorm / dxnorm }
  var iterations = 0
  while true {
    iterations += 1
    if par == 0 { par = max(dwarf, 0.001 * paru) }
    let (p, lambda, factor) = try f.dampedStep(par, scaling: d)
    guard p.allSatisfy(\.isFinite) else { throw .nonFiniteStep }
    par = lambda
    dxnorm = scaledNorm(p)
    let previous = fp
    fp = dxnorm - delta
    // Accept when |φ| ≤ 0.1Δ; also when parl = 0 and φ is negative and not rising (no root within reach,
    // only for rank-deficient J), or after 10 iterations.
    if abs(fp) <= 0.1 * delta || (parl == 0 && fp <= previous && previous < 0) || iterations == 10 {
      return result(p, par, dxnorm, iterations)
    }
    let temp = f.dampedInverseNorm(factor, q(p, dxnorm))
    let parc = ((fp / delta) / temp) / temp
    if fp > 0 { parl = max(parl, par) }
    if fp < 0 { paru = min(paru, par) }
    par = max(parl, par + parc)
  }
}

/// The Gauss–Newton step of one linearization for one scaling, computed once (the subproblem is used by
/// one run at a time; the lock only keeps the type `Sendable`).
final class GaussNewtonCache: @unchecked Sendable {
  private let lock = NSLock()
  private var scaling: [Double] = []
  private var cached: (step: [Double], fullRank: Bool)?

  func step(_ d: [Double], _ compute: ([Double]) -> (step: [Double], fullRank: Bool)) -> (
    step: [Double], fullRank: Bool
  ) {
    lock.lock()
    defer { lock.unlock() }
    if let cached, scaling == d { return cached }
    let result = compute(d)
    (scaling, cached) = (d, result)
    return result
  }
}
