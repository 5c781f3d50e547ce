/// The weight penalty R(W) = (λ₂/2) Σₖ ‖Wᵏ‖²_F + λ₁ Σₖ ‖Wᵏ‖₁ of the objective. Biases are not penalized.
///
/// Its gradient is λ₂Wᵏ + λ₁ sign(Wᵏ), with the subgradient sign(0) = 0 for the L1 term.
public struct Regularization: Hashable, Sendable {
  /// λ₁, the weight of the L1 penalty.
  public var l1: Double
  /// λ₂, the weight of the L2 penalty.
  public var l2: Double

  /// No penalty.
  public static let none = Regularization(l1: 0, l2: 0)

  /// The penalty λ₁ Σₖ ‖Wᵏ‖₁ + (λ₂/2) Σₖ ‖Wᵏ‖²_F on the weights (biases are not penalized).
  public init(l1: Double = 0, l2: Double = 0) {
    precondition(l1 >= 0 && l1.isFinite, "λ₁ must be a finite non-negative number")
    precondition(l2 >= 0 && l2.isFinite, "λ₂ must be a finite non-negative number")
    self.l1 = l1
    self.l2 = l2
  }

  /// Whether R is identically zero.
  public var isZero: Bool { l1 == 0 && l2 == 0 }

  /// R(W) over the weights of θ.
  package func value(parameters: UnsafePointer<Double>, architecture: Architecture) -> Double {
    if isZero { return 0 }
    var squares = 0.0
    var absolutes = 0.0
    for k in 1...architecture.layerCount {
      let w = parameters + architecture.weightOffset(layer: k)
      for i in 0..<architecture.weightCount(layer: k) {
        squares += w[i] * w[i]
        absolutes += abs(w[i])
      }
    }
    return 0.5 * l2 * squares + l1 * absolutes
  }

  /// gradient += ∂R/∂θ: λ₂Wᵏ + λ₁ sign(Wᵏ) on the weights, nothing on the biases.
  package func addGradient(
    parameters: UnsafePointer<Double>, architecture: Architecture, into gradient: UnsafeMutablePointer<Double>
  ) {
    if isZero { return }
    for k in 1...architecture.layerCount {
      let offset = architecture.weightOffset(layer: k)
      let w = parameters + offset
      let g = gradient + offset
      for i in 0..<architecture.weightCount(layer: k) {
        let sign: Double = w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)
        g[i] += l2 * w[i] + l1 * sign
      }
    }
  }
}
