/// A feed-forward network with its training objective: architecture, loss ℓ, penalty R and parameters θ.
///
/// J(θ) = (1/m) Σᵢ ℓ(xᴺᵢ, yᵢ) + (λ₂/2) Σₖ ‖Wᵏ‖²_F + λ₁ Σₖ ‖Wᵏ‖₁, with xᴺ the output of the forward pass.
public struct Network: Equatable, Sendable {
  /// Layer sizes and activations.
  public let architecture: Architecture
  /// The per-sample loss ℓ.
  public let loss: Loss
  /// λ₁ and λ₂.
  public var regularization: Regularization
  /// θ in file order (see ``Architecture``); its length must stay `architecture.parameterCount`.
  public var parameters: [Double]

  /// A network with the given parameters; the loss must accept the last activation.
  public init(
    architecture: Architecture, loss: Loss, regularization: Regularization = .none, parameters: [Double]
  ) throws(NetworkError) {
    guard loss.accepts(outputActivation: architecture.outputActivation) else {
      throw .lossNeedsOutputActivation(loss: loss, output: architecture.outputActivation)
    }
    guard parameters.count == architecture.parameterCount else {
      throw .parameterCountMismatch(expected: architecture.parameterCount, actual: parameters.count)
    }
    self.architecture = architecture
    self.loss = loss
    self.regularization = regularization
    self.parameters = parameters
  }

  /// A freshly initialized network: weights drawn by `initialization` from a generator seeded with `seed`,
  /// biases zero. The same seed gives the same weights on every machine.
  public init(
    architecture: Architecture, loss: Loss, regularization: Regularization = .none,
    initialization: Initialization = .xavierUniform, seed: UInt64 = 1
  ) throws(NetworkError) {
    var generator = RandomSource(seed: seed)
    try self.init(
      architecture: architecture, loss: loss, regularization: regularization,
      parameters: initialization.parameters(for: architecture, using: &generator))
  }

  /// Whether J is infinitely differentiable in θ: every activation smooth and no L1 penalty (|w| has a
  /// kink at 0). Finite differences use the wide fourth-order stencil only for a smooth J.
  public var isSmooth: Bool { architecture.activations.allSatisfy(\.isSmooth) && regularization.l1 == 0 }

  /// Wᵏ as an nₖ × nₖ₋₁ matrix, for 1 ≤ k ≤ N.
  public func weights(layer k: Int) -> Matrix {
    let (rows, columns) = (architecture.layerSizes[k], architecture.layerSizes[k - 1])
    let offset = architecture.weightOffset(layer: k)
    // θ holds Wᵏ row-major, which is (Wᵏ)ᵀ column-major.
    return Matrix(rows: columns, columns: rows, elements: Array(parameters[offset..<(offset + rows * columns)]))
      .transposed
  }

  /// bᵏ, for 1 ≤ k ≤ N.
  public func biases(layer k: Int) -> [Double] {
    let offset = architecture.biasOffset(layer: k)
    return Array(parameters[offset..<(offset + architecture.layerSizes[k])])
  }

  /// Replaces Wᵏ (an nₖ × nₖ₋₁ matrix).
  public mutating func setWeights(layer k: Int, _ weights: Matrix) {
    let (rows, columns) = (architecture.layerSizes[k], architecture.layerSizes[k - 1])
    precondition(weights.rows == rows && weights.columns == columns, "W\(k) must be \(rows)×\(columns)")
    let offset = architecture.weightOffset(layer: k)
    parameters.replaceSubrange(offset..<(offset + rows * columns), with: weights.rowMajorElements)
  }

  /// Replaces bᵏ.
  public mutating func setBiases(layer k: Int, _ biases: [Double]) {
    precondition(biases.count == architecture.layerSizes[k], "b\(k) must have \(architecture.layerSizes[k]) elements")
    let offset = architecture.biasOffset(layer: k)
    parameters.replaceSubrange(offset..<(offset + biases.count), with: biases)
  }
}
