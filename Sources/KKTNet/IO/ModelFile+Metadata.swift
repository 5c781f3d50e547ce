extension ModelFile {
  /// The standardization in the metadata, checked in full: `input_mean` and `input_scale` together, one
  /// per input, finite means and positive normal scales; `target_mean` and `target_scale` only beside them,
  /// only for a regression (mse), one per output, checked alike.
  static func standardization(_ metadata: [String: String], sizes: [Int], loss: Loss) throws(InputError)
    -> Standardization?
  {
    let inputMean = try numbers(metadata, "input_mean")
    let inputScale = try numbers(metadata, "input_scale")
    let targetMean = try numbers(metadata, "target_mean")
    let targetScale = try numbers(metadata, "target_scale")
    let hasTargets = targetMean != nil || targetScale != nil
    guard inputMean != nil || inputScale != nil else {
      if hasTargets {
        throw InputError(
          "metadata 'target_mean' and 'target_scale' come only with 'input_mean' and 'input_scale', which the model lacks"
        )
      }
      return nil
    }
    let means = try statistics(inputMean, inputScale, "input", count: sizes[0])
    var targets: ([Double], [Double])?
    if hasTargets {
      guard loss == .meanSquaredError else {
        throw InputError(
          "metadata 'target_mean' and 'target_scale' standardize regression targets, but the model's loss is \(loss)")
      }
      targets = try statistics(targetMean, targetScale, "target", count: sizes[sizes.count - 1])
    }
    return Standardization(
      inputMean: means.0, inputScale: means.1, targetMean: targets?.0, targetScale: targets?.1)
  }

  /// One kind of statistics (`input` or `target`): both lists, `count` numbers each, every pair usable.
  private static func statistics(_ mean: [Double]?, _ scale: [Double]?, _ kind: String, count: Int)
    throws(InputError) -> ([Double], [Double])
  {
    guard let mean, let scale else {
      throw InputError("metadata '\(kind)_mean' and '\(kind)_scale' go together, but the model has only one of them")
    }
    guard mean.count == count && scale.count == count else {
      throw InputError(
        "metadata '\(kind)_mean' and '\(kind)_scale' must hold \(count) numbers each, one per \(kind), not \(mean.count) and \(scale.count)"
      )
    }
    for i in 0..<count where !Standardization.isUsable(mean: mean[i], scale: scale[i]) {
      throw InputError(
        "metadata '\(kind)_scale' holds \(scale[i]) for \(kind) \(i + 1); every scale must be a positive normal number")
    }
    return (mean, scale)
  }

  /// The class labels in the metadata, checked: only for a classifier, distinct integers, one per output
  /// for ce (two for a single-output bce, one per output otherwise).
  static func classes(_ metadata: [String: String], outputs: Int, loss: Loss) throws(InputError) -> [Double]? {
    guard let classes = try numbers(metadata, "classes") else { return nil }
    guard loss != .meanSquaredError else {
      throw InputError("metadata 'classes' labels a classifier's outputs, but the model's loss is mse")
    }
    if let label = classes.first(where: { $0 != $0.rounded() || abs($0) > 9e15 }) {
      throw InputError("metadata 'classes' holds \(label), but class labels are integers")
    }
    guard Set(classes).count == classes.count else {
      throw InputError("metadata 'classes' names a class twice: \(InputError.quotedList(classes.map(format)))")
    }
    let expected = loss == .binaryCrossEntropy && outputs == 1 ? 2 : outputs
    guard classes.count == expected else {
      throw InputError(
        "metadata 'classes' holds \(classes.count) labels, but the model's \(outputs) output\(outputs == 1 ? "" : "s") stand for \(expected)"
      )
    }
    return classes
  }
}
