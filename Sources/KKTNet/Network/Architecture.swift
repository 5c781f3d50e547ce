import Foundation

/// The shape of a feed-forward network: layer sizes n₀…n_N and activations σ₁…σ_N.
///
/// Layer k (1 ≤ k ≤ N) computes zᵏ = Wᵏxᵏ⁻¹ + bᵏ and xᵏ = σₖ(zᵏ), with Wᵏ ∈ ℝ^{nₖ×nₖ₋₁} and bᵏ ∈ ℝ^{nₖ}.
/// The parameters θ are one flat vector in file order: W¹ row-major (out × in, as `torch.nn.Linear.weight`),
/// b¹, W², b², …; this is also the column order of the residual Jacobian.
public struct Architecture: Hashable, Sendable, CustomStringConvertible {
  /// n₀…n_N: the input size, the hidden sizes, the output size.
  public let layerSizes: [Int]
  /// σ₁…σ_N as a list of N: `activations[k - 1]` is layer k's. Layers count from 1 everywhere else
  /// (``activation(layer:)``, ``Network/weights(layer:)``, the states and multipliers); this is the one
  /// plain list, as given to ``init(layerSizes:activations:)``.
  public let activations: [Activation]
  /// The offset of Wᵏ in θ, at index k (index 0 unused).
  private let weightOffsets: [Int]
  /// P, the number of parameters.
  public let parameterCount: Int

  /// Checks that there are N + 1 ≥ 2 positive sizes, N activations with their parameters in range
  /// (``Activation/parameterProblem``), softmax at most as the last one, and that P = Σₖ nₖ(nₖ₋₁ + 1) fits
  /// in an `Int`.
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
    if let k = activations.firstIndex(where: { Self.parameterProblem(of: $0) != nil }) {
      throw .activationParameterOutOfRange(layer: k + 1, activations[k])
    }
    guard let count = Self.parameterCount(layerSizes: layerSizes) else { throw .tooManyParameters(layerSizes) }
    self.layerSizes = layerSizes
    self.activations = activations
    var offsets = [0]
    var offset = 0
    for k in 1..<layerSizes.count {
      offsets.append(offset)
      offset += layerSizes[k] * layerSizes[k - 1] + layerSizes[k]
    }
    self.weightOffsets = offsets
    self.parameterCount = count
  }

  /// P = Σₖ nₖ(nₖ₋₁ + 1) for these layer sizes, or nil when it does not fit in an `Int` (or a size is
  /// negative): the count is taken with overflow-checked arithmetic, so any sizes a user types are safe.
  public static func parameterCount(layerSizes: [Int]) -> Int? {
    guard layerSizes.allSatisfy({ $0 >= 0 }) else { return nil }
    var total = 0
    for k in layerSizes.indices.dropFirst() {
      let (inputs, overflow1) = layerSizes[k - 1].addingReportingOverflow(1)
      let (layer, overflow2) = layerSizes[k].multipliedReportingOverflow(by: inputs)
      let (sum, overflow3) = total.addingReportingOverflow(layer)
      if overflow1 || overflow2 || overflow3 { return nil }
      total = sum
    }
    return total
  }

  /// Why an activation's parameter is out of its domain, or nil: leaky-relu's slope α must lie in [0, 1]
  /// (a leak, not an amplification) and elu's α in (0, 1000] (Clevert et al. take α > 0).
  public static func parameterProblem(of activation: Activation) -> String? {
    switch activation {
    case .leakyReLU(let slope) where !(slope >= 0 && slope <= 1):
      return "the slope of leaky-relu must lie in [0, 1]"
    case .elu(let alpha) where !(alpha > 0 && alpha <= 1000):
      return "the α of elu must lie in (0, 1000]"
    default:
      return nil
    }
  }

  /// Parses `3-8-8-2` into layer sizes (nil unless every part is an integer that fits in an `Int`).
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
