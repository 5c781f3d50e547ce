extension Network {
  /// The network's outputs xᴺ for the n₀ × m `inputs` (columns are samples), by the forward pass
  /// ∂L/∂λ = 0 ⇔ xᵏ = σₖ(Wᵏxᵏ⁻¹ + bᵏ), k = 1…N, at the network's θ.
  ///
  /// The inputs are used as given: a model trained on standardized data wants
  /// ``Standardization/standardizeInputs(_:)`` first, which `ModelFile.predict(_:)` applies for you.
  ///
  /// - Parameter inputs: n₀ × m, one column per sample; m may be 0.
  /// - Returns: n_N × m: regression values, bce probabilities or softmax class probabilities.
  /// - Throws: ``NetworkError/inputCountMismatch(expected:actual:)`` when `inputs` does not have n₀ rows.
  /// - Complexity: O(m·P) for P parameters.
  public func outputs(_ inputs: Matrix) throws(NetworkError) -> Matrix {
    guard inputs.rows == architecture.inputSize else {
      throw .inputCountMismatch(expected: architecture.inputSize, actual: inputs.rows)
    }
    guard inputs.columns > 0 else { return Matrix(rows: architecture.outputSize, columns: 0) }
    let lagrangian = Lagrangian(
      network: self, inputs: inputs, targets: Matrix(rows: architecture.outputSize, columns: inputs.columns))
    return lagrangian.outputs(parameters: parameters)
  }
}
