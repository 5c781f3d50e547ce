/// What a model predicts for a batch of samples, in the units of its training data.
public struct Prediction: Equatable, Sendable {
  /// n_N × m (one column per sample): regression values in the targets' units (the model's target
  /// standardization undone), bce probabilities, or softmax class probabilities.
  public var outputs: Matrix
  /// The predicted class of each sample, as a label of the training data: for ce the label of the largest
  /// output, for a single-output bce the second label where the probability is at least ½ and the first
  /// below (labels 0 and 1 when the model stores none); nil for a regression and a multi-output bce.
  public var labels: [Double]?

  /// A prediction from its outputs and labels.
  public init(outputs: Matrix, labels: [Double]? = nil) {
    self.outputs = outputs
    self.labels = labels
  }
}

extension ModelFile {
  /// The model's predictions for raw inputs (in the units of the training data's input columns).
  ///
  /// Applies the stored standardization to the inputs, runs ``Network/outputs(_:)``, undoes the target
  /// standardization of a regression, and maps a classifier's outputs to ``classes``.
  ///
  /// - Parameter inputs: n₀ × m, one column per sample, in the original units.
  /// - Throws: ``InputError`` when the inputs do not have n₀ rows.
  public func predict(_ inputs: Matrix) throws(InputError) -> Prediction {
    let standardized = standardization?.standardizeInputs(inputs) ?? inputs
    var outputs: Matrix
    do { outputs = try network.outputs(standardized) } catch { throw InputError(error.description) }
    if let standardization { outputs = standardization.unstandardizeTargets(outputs) }
    return Prediction(outputs: outputs, labels: labels(outputs))
  }

  /// The model's predictions for a dataset's inputs (``Dataset/loadInputs(path:inputCount:targets:)`` reads
  /// one); its targets, if any, are not used.
  ///
  /// - Throws: ``InputError`` when the dataset has another number of input columns than the model.
  public func predict(_ dataset: Dataset) throws(InputError) -> Prediction {
    try predict(dataset.inputs)
  }

  /// The class labels of classifier outputs, or nil.
  private func labels(_ outputs: Matrix) -> [Double]? {
    switch network.loss {
    case .softmaxCrossEntropy:
      let names = classes ?? (0..<outputs.rows).map(Double.init)
      return (0..<outputs.columns).map { j in
        names[(0..<outputs.rows).max { outputs[$0, j] < outputs[$1, j] } ?? 0]
      }
    case .binaryCrossEntropy where outputs.rows == 1:
      let names = classes ?? [0, 1]
      return (0..<outputs.columns).map { outputs[0, $0] >= 0.5 ? names[1] : names[0] }
    default:
      return nil
    }
  }
}
