extension Standardization {
  /// The statistics of a dataset: of its inputs always, of its targets when `standardizingTargets` (a
  /// regression's; a classifier's targets stay as they are).
  public static func fit(_ dataset: Dataset, standardizingTargets: Bool = false) -> Standardization {
    fit(inputs: dataset.inputs, targets: standardizingTargets ? dataset.targets : nil)
  }

  /// The dataset with x′ = (x − mean) / scale applied to its inputs, and to its targets when these
  /// statistics hold target statistics (`targetMean`, `targetScale`).
  ///
  /// - Throws: ``InputError`` when the dataset has another number of input (or target) rows than the
  ///   statistics, saying which.
  public func apply(to dataset: Dataset) throws(InputError) -> Dataset {
    guard dataset.inputs.rows == inputMean.count else {
      throw InputError(
        "the standardization is for \(inputMean.count) inputs, but the data has \(dataset.inputs.rows) input rows; fit it on data with the same columns"
      )
    }
    var result = dataset
    result.inputs = standardizeInputs(dataset.inputs)
    if let targetMean {
      guard dataset.targets.rows == targetMean.count else {
        throw InputError(
          "the standardization is for \(targetMean.count) targets, but the data has \(dataset.targets.rows) target rows; fit it on data with the same columns"
        )
      }
      result.targets = standardizeTargets(dataset.targets)
    }
    return result
  }
}
