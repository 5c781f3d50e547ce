/// Random batches for demonstrations and benchmarks, the same on every machine for the same seed.
public enum SyntheticData {
  /// X ~ N(0, 1), n₀ × m, and targets the loss accepts: y ~ N(0, 1) for mse, labels 0/1 for bce, one-hot
  /// columns for ce.
  public static func batch(
    architecture: Architecture, loss: Loss, sampleCount: Int, seed: UInt64
  ) -> (inputs: Matrix, targets: Matrix) {
    precondition(sampleCount >= 1, "a batch needs at least one sample")
    var random = RandomSource(seed: seed)
    let inputs = Matrix(
      rows: architecture.inputSize, columns: sampleCount,
      elements: (0..<(architecture.inputSize * sampleCount)).map { _ in random.nextNormal() })
    var targets = Matrix(rows: architecture.outputSize, columns: sampleCount)
    switch loss {
    case .meanSquaredError:
      for i in targets.elements.indices { targets.elements[i] = random.nextNormal() }
    case .binaryCrossEntropy:
      for i in targets.elements.indices { targets.elements[i] = random.nextUniform() < 0.5 ? 0 : 1 }
    case .softmaxCrossEntropy:
      for j in 0..<sampleCount { targets[random.nextIndex(below: architecture.outputSize), j] = 1 }
    }
    return (inputs, targets)
  }
}
