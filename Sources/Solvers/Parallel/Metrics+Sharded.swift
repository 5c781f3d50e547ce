import KKTNet

extension Metrics {
  /// Collective: ``Metrics/accuracy(outputs:targets:loss:)`` over every rank's samples, each rank passing
  /// its own (a rank may hold none): the counts of right answers and of answers, summed in one all-reduce
  /// of two doubles (integers below 2⁵³: exact). NaN when no rank holds a sample.
  public static func accuracy(
    outputs: Matrix, targets: Matrix, loss: Loss, communicator: any Communicator
  ) -> Double {
    let answers = loss == .softmaxCrossEntropy ? outputs.columns : outputs.elements.count
    let fraction = answers > 0 ? accuracy(outputs: outputs, targets: targets, loss: loss) : 0
    var counts = [(fraction * Double(answers)).rounded(), Double(answers)]
    communicator.allreduceSum(&counts)
    return counts[1] > 0 ? counts[0] / counts[1] : .nan
  }

  /// Collective: ``Metrics/coefficientOfDetermination(outputs:targets:)`` over every rank's samples, in two
  /// all-reduces as the single process takes two passes: Σyᵢ and the count give each output's mean ȳ, then
  /// Σ(ŷ − y)² and Σ(y − ȳ)². Equal to the single process's value to rounding (the sums' order differs).
  /// NaN for fewer than two samples in all.
  public static func coefficientOfDetermination(
    outputs: Matrix, targets: Matrix, communicator: any Communicator
  ) -> Double {
    precondition(
      outputs.rows == targets.rows && outputs.columns == targets.columns, "outputs and targets differ in shape")
    let n = outputs.rows
    var sums = (0..<n).map { i in targets.row(i).reduce(0, +) } + [Double(targets.columns)]
    communicator.allreduceSum(&sums)
    let count = sums.removeLast()
    guard count > 1 else { return .nan }
    var squares = [Double](repeating: 0, count: 2 * n)
    for i in 0..<n {
      let y = targets.row(i)
      let mean = sums[i] / count
      squares[i] = zip(outputs.row(i), y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
      squares[n + i] = y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
    }
    communicator.allreduceSum(&squares)
    var total = 0.0
    for i in 0..<n {
      let (residual, spread) = (squares[i], squares[n + i])
      total += spread > 0 ? 1 - residual / spread : (residual == 0 ? 1 : 0)
    }
    return total / Double(n)
  }
}
