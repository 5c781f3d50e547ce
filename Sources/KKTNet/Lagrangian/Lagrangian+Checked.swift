extension Lagrangian {
  /// The Lagrangian of `network`'s objective over a dataset a user loaded, its shapes checked first.
  ///
  /// ``init(network:inputs:targets:)`` treats a shape mismatch as a programming error (a precondition);
  /// this initializer is for data from a file or a user, and throws instead.
  ///
  /// - Throws: ``NetworkError/dataMismatch(_:)`` with a sentence saying what to change (one-hot targets
  ///   for ce, the number of input columns, …).
  public init(network: Network, dataset: Dataset) throws(NetworkError) {
    try Self.check(network: network, inputs: dataset.inputs, targets: dataset.targets)
    self.init(network: network, inputs: dataset.inputs, targets: dataset.targets)
  }

  /// Checks that `inputs` (n₀ × m) and `targets` (n_N × m) fit `network`, with m ≥ 1.
  ///
  /// - Throws: ``NetworkError/dataMismatch(_:)`` naming what does not fit and what to change.
  public static func check(network: Network, inputs: Matrix, targets: Matrix) throws(NetworkError) {
    let architecture = network.architecture
    guard inputs.columns >= 1 else { throw .dataMismatch("the data has no samples; give at least one column") }
    guard inputs.rows == architecture.inputSize else {
      throw .dataMismatch(
        "the inputs have \(inputs.rows) rows (features), but the network takes \(architecture.inputSize); choose the target columns so that \(architecture.inputSize) inputs are left, or build the network for \(inputs.rows)"
      )
    }
    guard targets.columns == inputs.columns else {
      throw .dataMismatch(
        "the data has \(inputs.columns) input columns (samples) but \(targets.columns) target columns; give one target column per sample"
      )
    }
    guard targets.rows == architecture.outputSize else {
      let hint =
        network.loss == .softmaxCrossEntropy && targets.rows == 1
        ? "; class labels must be one-hot for ce: load the data with loss: .softmaxCrossEntropy"
        : "; build the network with \(targets.rows) outputs, or choose \(architecture.outputSize) target columns"
      throw .dataMismatch(
        "the targets have \(targets.rows) rows, but the network has \(architecture.outputSize) outputs\(hint)")
    }
  }
}
