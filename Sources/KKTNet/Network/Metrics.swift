/// How well the network's outputs match the targets, beyond the loss.
public enum Metrics {
  /// The fraction of samples classified right: for ce, the largest output against the largest target;
  /// for bce, each output thresholded at ½ against its target thresholded at ½ (the fraction of all
  /// entries, for several outputs).
  public static func accuracy(outputs: Matrix, targets: Matrix, loss: Loss) -> Double {
    precondition(
      outputs.rows == targets.rows && outputs.columns == targets.columns, "outputs and targets differ in shape")
    guard outputs.columns > 0 else { return .nan }
    switch loss {
    case .softmaxCrossEntropy:
      var correct = 0
      for j in 0..<outputs.columns {
        let predicted = (0..<outputs.rows).max { outputs[$0, j] < outputs[$1, j] }
        let actual = (0..<targets.rows).max { targets[$0, j] < targets[$1, j] }
        if predicted == actual { correct += 1 }
      }
      return Double(correct) / Double(outputs.columns)
    default:
      let correct = zip(outputs.elements, targets.elements).filter { ($0 >= 0.5) == ($1 >= 0.5) }.count
      return Double(correct) / Double(outputs.elements.count)
    }
  }

  /// R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)², for each output over the samples, averaged over the outputs
  /// (scikit-learn's `r2_score` with uniform weights). Unchanged by standardizing y and ŷ alike.
  public static func coefficientOfDetermination(outputs: Matrix, targets: Matrix) -> Double {
    precondition(
      outputs.rows == targets.rows && outputs.columns == targets.columns, "outputs and targets differ in shape")
    guard outputs.columns > 1 else { return .nan }
    var total = 0.0
    for i in 0..<outputs.rows {
      let y = targets.row(i)
      let mean = y.reduce(0, +) / Double(y.count)
      let residual = zip(outputs.row(i), y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
      let spread = y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
      total += spread > 0 ? 1 - residual / spread : (residual == 0 ? 1 : 0)
    }
    return total / Double(outputs.rows)
  }
}
