import Foundation
import KKTNet

/// The statistics of a least-squares fit at its solution θ̂, from the residuals r and the Jacobian J there:
///
///     SSR = ‖r‖²  (twice `SolverResult.loss`, which is ½‖r‖²),   ν = m − p,   s² = SSR/ν,
///     Cov(θ̂) = s²·(JᵀJ)⁻¹   (or (JᵀJ)⁻¹ when σ is absolute),
///
/// standard errors seⱼ = √Covⱼⱼ, correlations Covⱼₖ/(seⱼseₖ), t-based confidence intervals θ̂ⱼ ± t·seⱼ,
/// R² = 1 − SSR/SST and adjusted R² = 1 − (1 − R²)(m − 1)/ν (SST about the weighted mean).
///
/// (JᵀJ)⁻¹ comes from the SVD of J with its columns equilibrated, J = ŨΣVᵀD (D = diag‖J·ⱼ‖):
/// (JᵀJ)⁻¹ = D⁻¹VΣ⁻²VᵀD⁻¹. JᵀJ is never formed or inverted, so the condition number is not squared, and
/// the rank is decided on columns of one scale: singular values σₖ ≤ max(m, p)·ε·σ₁ count as zero (NumPy's
/// `matrix_rank` rule). A rank-deficient J gets no covariance, only its ``rank`` and the parameters of the
/// direction it cannot determine; it is never silently inverted.
///
/// Weights follow SciPy's `curve_fit`: with rᵢ = (f − yᵢ)/σᵢ, `absoluteSigma: false` scales (JᵀJ)⁻¹ by s²
/// (σ gives relative weights), `absoluteSigma: true` takes (JᵀJ)⁻¹ as it is (σ are standard deviations).
///
/// A bounded fit may end with parameters on their bounds (``BoxConstraints``). Such a parameter is not
/// estimated by the data but set by the bound, so it is treated as fixed there (``held``): its standard error
/// and covariances are 0, and it does not count in the degrees of freedom — ν = m − p_free and the covariance
/// of the free parameters is s²(J_FᵀJ_F)⁻¹ from J's free columns, the statistics of the fit with the held
/// parameters fixed at their bounds (as a fit without those parameters would report them). A free parameter's
/// interval may still cross its bound: the t interval does not know the box.
public struct FitStatistics: Sendable {
  /// θ̂.
  public let parameters: [Double]
  /// m, the residuals.
  public let observationCount: Int
  /// The numerical rank of J's free columns plus the held parameters (p when J has full rank).
  public let rank: Int
  /// The parameters held at a bound (none without bounds): fixed, with standard error 0.
  public let held: [Bool]
  /// ν = m − p (m − p_free with held parameters).
  public let degreesOfFreedom: Int
  /// SSR = ‖r‖² = Σ((f − y)/σ)² — not ½‖r‖².
  public let residualSumOfSquares: Double
  /// Whether σ are absolute standard deviations (SciPy's `absolute_sigma=True`).
  public let absoluteSigma: Bool
  /// s² = SSR/ν (NaN when ν = 0).
  public var residualVariance: Double { degreesOfFreedom > 0 ? residualSumOfSquares / Double(degreesOfFreedom) : .nan }
  /// s = √(SSR/ν).
  public var residualStandardDeviation: Double { residualVariance.squareRoot() }
  /// Cov(θ̂), p × p; nil when J is rank deficient, or when ν = 0 and σ is not absolute.
  public let covariance: Matrix?
  /// Why there is no covariance, as a sentence.
  public let covarianceProblem: String?
  /// SST = Σwᵢ(yᵢ − ȳ)², when known.
  public let totalSumOfSquares: Double?
  /// (JᵀJ)⁻¹ without s², kept for bands.
  let unscaledCovariance: Matrix?

  /// The statistics at θ̂ = `parameters`, from the problem's `residuals(at:into:)` and `jacobian(at:into:)`
  /// (for a ``RobustLeastSquaresProblem``, the corrected r̃ and J̃: the covariance of the reweighted fit).
  ///
  /// - Parameters:
  ///   - totalSumOfSquares: SST for R² (``FormulaProblem/totalSumOfSquares``); nil to leave R² out.
  ///   - parameterNames: for the sentence about a rank-deficient J.
  ///   - held: the parameters on a bound, fixed there (``BoxConstraints/sides(_:)`` of the solution); nil
  ///     for none.
  public init(
    problem: some LeastSquaresProblem, parameters: [Double], totalSumOfSquares: Double? = nil,
    absoluteSigma: Bool = false, parameterNames: [String]? = nil, held: [Bool]? = nil
  ) {
    var m = problem.residualCount
    let p = problem.parameterCount
    let held = held ?? [Bool](repeating: false, count: p)
    precondition(held.count == p, "one held flag per parameter")
    var r = [Double](repeating: 0, count: m)
    problem.residuals(at: parameters, into: &r)
    var j = Matrix(rows: m, columns: p)
    problem.jacobian(at: parameters, into: &j)
    var ssr = BLAS.dot(r, r)
    let names = parameterNames ?? (0..<p).map { "θ\($0 + 1)" }
    let free = (0..<p).filter { !held[$0] }
    let pFree = free.count
    var inverse: (matrix: Matrix?, rank: Int, problem: String?)
    if problem.isDistributed {
      // Each rank holds its rows of J: JᵀJ, SSR and m are sums over the ranks (bounds are not offered
      // under MPI, so no parameter is held).
      precondition(pFree == p, "no held parameters in a data-parallel fit")
      var normal = Matrix(rows: p, columns: p)
      if m > 0 { BLAS.syrk(j, transpose: .transpose, into: &normal) }
      problem.communicator.allreduceSum(&normal)
      var sums = [ssr, Double(m)]
      problem.communicator.allreduceSum(&sums)
      (ssr, m) = (sums[0], Int(sums[1]))
      inverse = Self.inverseNormalMatrix(normal: normal, observations: m, names: names)
    } else {
      var jFree = Matrix(rows: m, columns: pFree)
      for (k, c) in free.enumerated() { for i in 0..<m { jFree.elements[i + k * m] = j.elements[i + c * m] } }
      inverse =
        pFree == 0
        ? (Matrix(rows: 0, columns: 0), 0, nil) : Self.inverseNormalMatrix(jFree, names: free.map { names[$0] })
    }
    self.parameters = parameters
    self.held = held
    observationCount = m
    degreesOfFreedom = m - pFree
    residualSumOfSquares = ssr
    self.absoluteSigma = absoluteSigma
    self.totalSumOfSquares = totalSumOfSquares
    rank = inverse.rank + (p - pFree)
    unscaledCovariance =
      pFree == p
      ? inverse.matrix
      : inverse.matrix.map { small in
        var full = Matrix(rows: p, columns: p)
        for (a, ca) in free.enumerated() { for (b, cb) in free.enumerated() { full[ca, cb] = small[a, b] } }
        return full
      }
    var problemSentence = inverse.problem
    var covariance: Matrix?
    if var c = unscaledCovariance {
      if absoluteSigma {
        covariance = c
      } else if m > pFree {
        let s2 = residualSumOfSquares / Double(m - pFree)
        for i in c.elements.indices { c.elements[i] *= s2 }
        covariance = c
      } else {
        problemSentence = "there are no degrees of freedom left (m = \(m), p = \(pFree)) to estimate s²"
      }
    }
    self.covariance = covariance
    covarianceProblem = problemSentence
  }

  /// p.
  public var parameterCount: Int { parameters.count }

  /// seⱼ = √Covⱼⱼ.
  public var standardErrors: [Double]? { covariance.map { c in (0..<parameterCount).map { c[$0, $0].squareRoot() } } }

  /// Covⱼₖ/(seⱼseₖ); a held parameter correlates with nothing (0, and 1 with itself).
  public var correlation: Matrix? {
    guard let c = covariance, let se = standardErrors else { return nil }
    var result = c
    for k in 0..<parameterCount {
      for j in 0..<parameterCount {
        result[j, k] = held[j] || held[k] ? (j == k ? 1 : 0) : c[j, k] / (se[j] * se[k])
      }
    }
    return result
  }

  /// R² = 1 − SSR/SST.
  public var rSquared: Double? { totalSumOfSquares.map { 1 - residualSumOfSquares / $0 } }

  /// 1 − (1 − R²)(m − 1)/(m − p).
  public var adjustedRSquared: Double? {
    guard let r2 = rSquared, degreesOfFreedom > 0 else { return nil }
    return 1 - (1 - r2) * Double(observationCount - 1) / Double(degreesOfFreedom)
  }

  /// t_{(1+c)/2, ν}, the multiplier of a two-sided interval at confidence c.
  public func tQuantile(confidence: Double) -> Double {
    precondition(confidence > 0 && confidence < 1, "the confidence must lie in (0, 1)")
    precondition(degreesOfFreedom > 0, "a t interval needs ν > 0")
    return StudentT.quantile((1 + confidence) / 2, degreesOfFreedom: Double(degreesOfFreedom))
  }

  /// θ̂ⱼ ± t·seⱼ.
  public func confidenceIntervals(confidence: Double) -> [(lower: Double, upper: Double)]? {
    guard let se = standardErrors, degreesOfFreedom > 0 else { return nil }
    let t = tQuantile(confidence: confidence)
    return zip(parameters, se).map { ($0 - t * $1, $0 + t * $1) }
  }

  /// (JᵀJ)⁻¹ = D⁻¹VΣ⁻²VᵀD⁻¹ from the SVD of the equilibrated J, or the rank and a sentence.
  static func inverseNormalMatrix(_ j: Matrix, names: [String]) -> (matrix: Matrix?, rank: Int, problem: String?) {
    let (m, p) = (j.rows, j.columns)
    var scaled = j
    var norms = [Double](repeating: 0, count: p)
    for c in 0..<p {
      norms[c] = BLAS.nrm2(j.column(c))
      guard norms[c] > 0, norms[c].isFinite else {
        let why = norms[c].isFinite ? "is zero: the model does not change with it at the solution" : "is not finite"
        return (nil, min(m, p) - 1, "J has no full rank: the column of \(names[c]) \(why)")
      }
      for i in 0..<m { scaled.elements[i + c * m] /= norms[c] }
    }
    guard let svd = try? LAPACK.gesvd(scaled) else {
      return (nil, 0, "the singular value decomposition of J did not converge")
    }
    let s = svd.singularValues
    let threshold = Double(max(m, p)) * Double.ulpOfOne * (s.first ?? 0)
    let rank = s.filter { $0 > threshold }.count
    guard rank == p else {
      // The direction J cannot see: the right singular vector of the smallest singular value.
      let v = (0..<p).map { svd.vt[s.count - 1, $0] / norms[$0] }
      let largest = v.map(abs).max() ?? 1
      let involved = (0..<p).filter { abs(v[$0]) >= 0.1 * largest }.map { names[$0] }
      return (
        nil, rank,
        "J has rank \(rank) of \(p) (singular values below \(String(format: "%.1e", threshold)) of the largest count as zero): \(involved.joined(separator: ", ")) cannot be determined separately"
      )
    }
    var inverse = Matrix(rows: p, columns: p)
    for a in 0..<p {
      for b in 0...a {
        var sum = 0.0
        for k in 0..<p { sum += svd.vt[k, a] * svd.vt[k, b] / (s[k] * s[k]) }
        let value = sum / (norms[a] * norms[b])
        inverse[a, b] = value
        inverse[b, a] = value
      }
    }
    return (inverse, p, nil)
  }
}
