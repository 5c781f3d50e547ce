import Foundation

/// The shape of a feed-forward network: layer sizes n₀…n_N and activations σ₁…σ_N.
///
/// Layer k (1 ≤ k ≤ N) computes zᵏ = Wᵏxᵏ⁻¹ + bᵏ and xᵏ = σₖ(zᵏ), with Wᵏ ∈ ℝ^{nₖ×nₖ₋₁} and bᵏ ∈ ℝ^{nₖ}.
/// The parameters θ are one flat vector in file order: W¹ row-major (out × in, as `torch.nn.Linear.weight`),
/// b¹, W², b², …; this is also the column order of the residual Jacobian.
public struct Architecture: Hashable, Sendable, CustomStringConvertible {
  /// n₀…n_N: the input size, the hidden sizes, the output size.
  public let layerSizes: [Int]
  /// σ₁…σ_N: `activations[k - 1]` is layer k's.
  public let activations: [Activation]
  /// The offset of Wᵏ in θ, at index k (index 0 unused).
  private let weightOffsets: [Int]
  /// P, the number of parameters.
  public let parameterCount: Int

  /// Checks that there are N + 1 ≥ 2 positive sizes, N activations, and softmax at most as the last one.
  public init(layerSizes: [Int], activations: [Activation]) throws(NetworkError) {
    guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 >= 1 }) else {
      throw .invalidLayerSizes(layerSizes)
    }
    guard activations.count == layerSizes.count - 1 else {
      throw .activationCountMismatch(layers: layerSizes.count - 1, activations: activations.count)
    }
    if let misplaced = activations.dropLast().firstIndex(of: .softmax) {
      throw .softmaxNotLast(layer: misplaced + 1)
    }
    self.layerSizes = layerSizes
    self.activations = activations
    var offsets = [0]
    var offset = 0
    for k in 1..<layerSizes.count {
      offsets.append(offset)
      offset += layerSizes[k] * layerSizes[k - 1] + layerSizes[k]
    }
    self.weightOffsets = offsets
    self.parameterCount = offset
  }

  /// Parses `3-8-8-2` into layer sizes.
  public static func parseLayerSizes(_ text: String) -> [Int]? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    let sizes = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    return sizes.count == parts.count ? sizes : nil
  }

  /// N, the number of layers (weight matrices).
  public var layerCount: Int { layerSizes.count - 1 }
  /// n₀.
  public var inputSize: Int { layerSizes[0] }
  /// n_N.
  public var outputSize: Int { layerSizes[layerSizes.count - 1] }
  /// σ_N.
  public var outputActivation: Activation { activations[activations.count - 1] }

  /// σₖ, for 1 ≤ k ≤ N.
  public func activation(layer k: Int) -> Activation { activations[k - 1] }
  /// The offset of Wᵏ (row-major, nₖ × nₖ₋₁) in θ, for 1 ≤ k ≤ N.
  public func weightOffset(layer k: Int) -> Int { weightOffsets[k] }
  /// The offset of bᵏ in θ, for 1 ≤ k ≤ N.
  public func biasOffset(layer k: Int) -> Int { weightOffsets[k] + weightCount(layer: k) }
  /// nₖ·nₖ₋₁, the number of elements of Wᵏ.
  public func weightCount(layer k: Int) -> Int { layerSizes[k] * layerSizes[k - 1] }

  /// The tensors of θ in file order: `layers.0.weight` [n₁, n₀], `layers.0.bias` [n₁], … (k counted from 0).
  public var tensors: [ParameterTensor] {
    (1...layerCount).flatMap { k in
      [
        ParameterTensor(
          name: "layers.\(k - 1).weight", layer: k, offset: weightOffset(layer: k),
          shape: [layerSizes[k], layerSizes[k - 1]]),
        ParameterTensor(
          name: "layers.\(k - 1).bias", layer: k, offset: biasOffset(layer: k), shape: [layerSizes[k]]),
      ]
    }
  }

  /// `3-8-2 tanh,identity`.
  public var description: String {
    layerSizes.map(String.init).joined(separator: "-") + " "
      + activations.map(\.description).joined(separator: ",")
  }
}

/// One named tensor of θ: where it lies in the flat vector and its shape (row-major, as in the file).
public struct ParameterTensor: Hashable, Sendable {
  /// `layers.{k-1}.weight` or `layers.{k-1}.bias`.
  public let name: String
  /// The layer k it belongs to, 1 ≤ k ≤ N.
  public let layer: Int
  /// Its first index in θ.
  public let offset: Int
  /// [nₖ, nₖ₋₁] for a weight, [nₖ] for a bias.
  public let shape: [Int]

  /// The number of elements.
  public var count: Int { shape.reduce(1, *) }
  /// Its index range in θ.
  public var range: Range<Int> { offset..<(offset + count) }
  /// Whether this is a weight matrix (as opposed to a bias vector).
  public var isWeight: Bool { shape.count == 2 }
}
