/// The z-score transform of the inputs (and, for regression, of the targets): x′ = (x − mean) / scale, with
/// the population standard deviation as scale (1 where a column is constant). Its statistics are stored in
/// the model's metadata and reapplied whenever the model is used again.
public struct Standardization: Equatable, Sendable {
  /// Per input feature.
  public var inputMean: [Double]
  public var inputScale: [Double]
  /// Per target column, for regression targets; nil when targets are used as they are.
  public var targetMean: [Double]?
  public var targetScale: [Double]?

  public init(inputMean: [Double], inputScale: [Double], targetMean: [Double]? = nil, targetScale: [Double]? = nil) {
    precondition(inputMean.count == inputScale.count, "one mean and one scale per input")
    precondition(targetMean?.count == targetScale?.count, "one mean and one scale per target")
    self.inputMean = inputMean
    self.inputScale = inputScale
    self.targetMean = targetMean
    self.targetScale = targetScale
  }

  /// The statistics of the rows of `inputs` (and of `targets` when given), each n × m.
  public static func fit(inputs: Matrix, targets: Matrix? = nil) -> Standardization {
    let (inputMean, inputScale) = statistics(inputs)
    let target = targets.map(statistics)
    return Standardization(inputMean: inputMean, inputScale: inputScale, targetMean: target?.0, targetScale: target?.1)
  }

  /// Row means and population standard deviations (two passes), 1 for a constant row.
  static func statistics(_ m: Matrix) -> ([Double], [Double]) {
    var means = [Double](repeating: 0, count: m.rows)
    var scales = [Double](repeating: 1, count: m.rows)
    guard m.columns > 0 else { return (means, scales) }
    for i in 0..<m.rows {
      var sum = 0.0
      for j in 0..<m.columns { sum += m[i, j] }
      let mean = sum / Double(m.columns)
      var squares = 0.0
      for j in 0..<m.columns { squares += (m[i, j] - mean) * (m[i, j] - mean) }
      let deviation = (squares / Double(m.columns)).squareRoot()
      means[i] = mean
      scales[i] = deviation > 0 ? deviation : 1
    }
    return (means, scales)
  }

  /// (x − mean) / scale, row by row.
  public func standardizeInputs(_ x: Matrix) -> Matrix { Self.apply(x, inputMean, inputScale) }

  /// (y − mean) / scale when targets are standardized, else y.
  public func standardizeTargets(_ y: Matrix) -> Matrix {
    guard let targetMean, let targetScale else { return y }
    return Self.apply(y, targetMean, targetScale)
  }

  /// y·scale + mean: predictions back in the targets' units.
  public func unstandardizeTargets(_ y: Matrix) -> Matrix {
    guard let targetMean, let targetScale else { return y }
    var result = y
    for j in 0..<y.columns { for i in 0..<y.rows { result[i, j] = y[i, j] * targetScale[i] + targetMean[i] } }
    return result
  }

  private static func apply(_ x: Matrix, _ mean: [Double], _ scale: [Double]) -> Matrix {
    precondition(x.rows == mean.count, "the data has \(x.rows) rows, the statistics \(mean.count)")
    var result = x
    for j in 0..<x.columns { for i in 0..<x.rows { result[i, j] = (x[i, j] - mean[i]) / scale[i] } }
    return result
  }
}
