/// How the weights of a new network are drawn. Biases start at zero in every scheme.
///
/// With fan-in nₖ₋₁ and fan-out nₖ of layer k:
/// - Xavier/Glorot uniform: Wᵏᵢⱼ ~ U(−a, a), a = √(6 / (nₖ₋₁ + nₖ)) (Glorot & Bengio 2010);
/// - Xavier/Glorot normal: Wᵏᵢⱼ ~ N(0, 2 / (nₖ₋₁ + nₖ));
/// - He normal: Wᵏᵢⱼ ~ N(0, 2 / nₖ₋₁) (He et al. 2015), for the ReLU family;
/// - zeros: every weight 0 (symmetric: hidden units stay identical under training).
public enum Initialization: String, CaseIterable, Sendable, CustomStringConvertible {
  /// Glorot & Bengio (2010): U(−a, a) with a = √(6/(nₖ₋₁ + nₖ)).
  case xavierUniform = "xavier-uniform"
  /// Glorot & Bengio (2010): N(0, 2/(nₖ₋₁ + nₖ)).
  case xavierNormal = "xavier-normal"
  /// He et al. (2015), for ReLU layers: N(0, 2/nₖ₋₁).
  case he = "he"
  /// Every weight 0 (a network that cannot break its symmetry; for tests).
  case zeros = "zeros"

  public var description: String { rawValue }

  /// θ for `architecture`, drawn layer by layer, each Wᵏ in row-major order.
  public func parameters(for architecture: Architecture, using generator: inout RandomSource) -> [Double] {
    var theta = [Double](repeating: 0, count: architecture.parameterCount)
    for k in 1...architecture.layerCount {
      let fanIn = Double(architecture.layerSizes[k - 1])
      let fanOut = Double(architecture.layerSizes[k])
      let offset = architecture.weightOffset(layer: k)
      for i in 0..<architecture.weightCount(layer: k) {
        switch self {
        case .xavierUniform:
          let a = (6 / (fanIn + fanOut)).squareRoot()
          theta[offset + i] = generator.nextUniform(in: -a..<a)
        case .xavierNormal:
          theta[offset + i] = (2 / (fanIn + fanOut)).squareRoot() * generator.nextNormal()
        case .he:
          theta[offset + i] = (2 / fanIn).squareRoot() * generator.nextNormal()
        case .zeros:
          theta[offset + i] = 0
        }
      }
    }
    return theta
  }
}
