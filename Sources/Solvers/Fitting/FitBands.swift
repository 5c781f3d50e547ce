import KKTNet

/// Confidence and prediction bands of a fitted model at new points x*, by the delta method: with
/// g = ∂f(x*; θ)/∂θ at θ̂,
///
///     Var f(x*; θ̂) ≈ gᵀ Cov(θ̂) g,                          confidence band  f ± t·√(gᵀCov g),
///     Var(y* − f(x*; θ̂)) ≈ gᵀ Cov(θ̂) g + σ²_noise,          prediction band  f ± t·√(gᵀCov g + σ²_noise),
///
/// t = t_{(1+c)/2, m−p}; σ²_noise = s²·σ*² for relative weights (σ* = 1 without weights) and σ*² for
/// absolute σ (Seber & Wild 1989, *Nonlinear Regression*, §5.1).
public struct FitBands: Sendable {
  /// f(x*; θ̂).
  public let values: [Double]
  /// √(gᵀCov g), the standard error of the fitted mean at each point.
  public let meanStandardErrors: [Double]
  /// √(gᵀCov g + σ²_noise), the standard deviation of a new observation (nil when a weighted fit has no σ*
  /// for the points).
  public let predictionStandardDeviations: [Double]?
  /// t_{(1+c)/2, ν}.
  public let tQuantile: Double
  /// c, the confidence of the bands (0.95 for 95 %).
  public let confidence: Double

  /// The bands at n points: `values` f(x*; θ̂) and `gradients` (n × p, ∂f/∂θ at each point).
  ///
  /// - Parameters:
  ///   - noiseSigma: σ* at each point for a weighted fit; nil means σ* = 1 (only meaningful for an
  ///     unweighted fit, whose `weighted` is false).
  /// - Returns: nil when the fit has no covariance.
  public init?(
    statistics: FitStatistics, values: [Double], gradients: Matrix, confidence: Double, weighted: Bool,
    noiseSigma: [Double]? = nil
  ) {
    guard let covariance = statistics.covariance, statistics.degreesOfFreedom > 0 else { return nil }
    let (n, p) = (gradients.rows, gradients.columns)
    precondition(values.count == n && p == statistics.parameterCount, "one gradient row of p values per point")
    precondition(noiseSigma.map { $0.count == n } ?? true, "one σ* per point")
    var product = Matrix(rows: n, columns: p)
    BLAS.gemm(gradients, covariance, into: &product)
    var variances = [Double](repeating: 0, count: n)
    for c in 0..<p { for i in 0..<n { variances[i] += product[i, c] * gradients[i, c] } }
    self.values = values
    meanStandardErrors = variances.map { max($0, 0).squareRoot() }
    let s2 = statistics.residualVariance
    if weighted && noiseSigma == nil {
      predictionStandardDeviations = nil
    } else {
      let sigma = noiseSigma ?? [Double](repeating: 1, count: n)
      predictionStandardDeviations = zip(variances, sigma).map { v, s in
        (max(v, 0) + (statistics.absoluteSigma ? 1 : s2) * s * s).squareRoot()
      }
    }
    tQuantile = statistics.tQuantile(confidence: confidence)
    self.confidence = confidence
  }

  /// f ± t·se, the confidence band.
  public var confidenceBand: [(lower: Double, upper: Double)] {
    zip(values, meanStandardErrors).map { ($0 - tQuantile * $1, $0 + tQuantile * $1) }
  }

  /// f ± t·sd, the prediction band.
  public var predictionBand: [(lower: Double, upper: Double)]? {
    predictionStandardDeviations.map { sd in zip(values, sd).map { ($0 - tQuantile * $1, $0 + tQuantile * $1) } }
  }
}
