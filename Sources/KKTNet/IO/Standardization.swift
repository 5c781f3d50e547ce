/// The z-score transform of the inputs (and, for regression, of the targets): x′ = (x − mean) / scale, with
/// the population standard deviation as scale (1 where a column is constant). Its statistics are stored in
/// the model's metadata and reapplied whenever the model is used again.
public struct Standardization: Equatable, Sendable {
  /// Per input feature.
  public var inputMean: [Double]
  /// The population standard deviation per input feature (1 for a constant column).
  public var inputScale: [Double]
  /// Per target column, for regression targets; nil when targets are used as they are.
  public var targetMean: [Double]?
  /// The population standard deviation per target column; nil when targets are used as they are.
  public var targetScale: [Double]?

  /// Statistics given directly: one mean and one scale per input (and per target, when given).
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

  /// Row means and population standard deviations (two passes), 1 for a constant row. Rows whose largest
  /// |x| lies in [1e-100, 1e100] are summed as they are; any other row is scaled by its largest |x| first
  /// and squared after, so that neither the sum nor the squares overflow or underflow (values near ±1e300
  /// get their true deviation, about 1e300, not ∞).
  static func statistics(_ m: Matrix) -> ([Double], [Double]) {
    var means = [Double](repeating: 0, count: m.rows)
    var scales = [Double](repeating: 1, count: m.rows)
    guard m.columns > 0 else { return (means, scales) }
    let count = Double(m.columns)
    for i in 0..<m.rows {
      var largest = 0.0
      for j in 0..<m.columns { largest = max(largest, abs(m[i, j])) }
      guard largest > 0 else { continue }
      let s = largest >= 1e-100 && largest <= 1e100 ? 1 : largest
      var sum = 0.0
      for j in 0..<m.columns { sum += s == 1 ? m[i, j] : m[i, j] / s }
      let mean = sum / count
      var squares = 0.0
      for j in 0..<m.columns {
        let d = (s == 1 ? m[i, j] : m[i, j] / s) - mean
        squares += d * d
      }
      let deviation = (squares / count).squareRoot() * s
      means[i] = mean * s
      scales[i] = deviation > 0 ? deviation : 1
    }
    return (means, scales)
  }

  /// Whether a column's mean and scale can standardize it: a finite mean and a positive normal scale
  /// (a subnormal scale's reciprocal overflows, and its few significant bits would distort the column).
  public static func isUsable(mean: Double, scale: Double) -> Bool {
    mean.isFinite && scale.isNormal && scale > 0
  }

  /// Checks that every column can be standardized with these statistics (``isUsable(mean:scale:)``).
  ///
  /// - Throws: ``InputError`` naming the first column that cannot, e.g. one whose values differ by
  ///   amounts so small that their deviation is not a normal double.
  public func checkUsable(inputNames: [String], targetNames: [String]) throws(InputError) {
    let columns =
      [(inputMean, inputScale, inputNames, "input")] + [
        (targetMean ?? [], targetScale ?? [], targetNames, "target")
      ]
    for (means, scales, names, kind) in columns {
      for i in means.indices where !Self.isUsable(mean: means[i], scale: scales[i]) {
        let name = i < names.count ? "'\(InputError.quoted(names[i]))'" : "\(i + 1)"
        throw InputError(
          "the \(kind) column \(name) cannot be standardized: its mean \(means[i]) and standard deviation \(scales[i]) are not both finite and normal"
        )
      }
    }
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

  /// (x − mean) / scale, or x/scale − mean/scale where x − mean overflows.
  private static func apply(_ x: Matrix, _ mean: [Double], _ scale: [Double]) -> Matrix {
    precondition(x.rows == mean.count, "the data has \(x.rows) rows, the statistics \(mean.count)")
    var result = x
    for j in 0..<x.columns {
      for i in 0..<x.rows {
        let difference = x[i, j] - mean[i]
        result[i, j] = difference.isFinite ? difference / scale[i] : x[i, j] / scale[i] - mean[i] / scale[i]
      }
    }
    return result
  }
}
