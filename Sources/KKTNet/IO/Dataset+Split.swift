extension Dataset {
  /// The samples held out for validation by a seeded split: a permutation of 0..<m drawn by
  /// `RandomSource(seed: seed ^ 0x5EED_5EED)`; its last h = round(f·m) indices (at least 1, at most m − 1)
  /// are the validation samples, in the permutation's order, and the others the training samples, sorted.
  ///
  /// - Precondition: 0 < f < 1 and m ≥ 2.
  public static func splitIndices(sampleCount m: Int, validationFraction f: Double, seed: UInt64) -> (
    training: [Int], validation: [Int]
  ) {
    precondition(f > 0 && f < 1, "the validation fraction must lie strictly between 0 and 1")
    precondition(m >= 2, "a validation split needs at least two samples")
    var order = Array(0..<m)
    var random = RandomSource(seed: seed ^ 0x5EED_5EED)
    random.shuffle(&order)
    let held = min(max(Int((f * Double(m)).rounded()), 1), m - 1)
    return (Array(order.prefix(m - held)).sorted(), Array(order.suffix(held)))
  }

  /// The dataset split into training and validation samples by ``splitIndices(sampleCount:validationFraction:seed:)``
  /// (the split of `kktnet train --validation-split f --seed s`).
  ///
  /// - Throws: ``InputError`` when f is not strictly between 0 and 1 or there are fewer than two samples.
  public func split(validationFraction f: Double, seed: UInt64) throws(InputError) -> (
    training: Dataset, validation: Dataset
  ) {
    guard f > 0 && f < 1 else {
      throw InputError("the validation fraction must lie strictly between 0 and 1, not \(f)")
    }
    guard sampleCount >= 2 else { throw InputError("a validation split needs at least two samples") }
    let indices = Self.splitIndices(sampleCount: sampleCount, validationFraction: f, seed: seed)
    return (samples(indices.training), samples(indices.validation))
  }
}
