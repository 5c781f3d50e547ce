/// The gradient of J computed three ways — from the Lagrangian, by ordinary backprop and by central finite
/// differences — compared tensor by tensor. This is what `kktnet compare` prints.
public struct GradientComparison: Sendable {
  /// One tensor's differences.
  public struct TensorDifference: Sendable, Equatable {
    /// `layers.{k-1}.weight` or `.bias`.
    public let name: String
    /// The shape in the file's layout.
    public let shape: [Int]
    /// ‖g_L − g_B‖∞ and that over max(‖g_L‖∞, ‖g_B‖∞).
    public let absoluteBackprop: Double
    /// ‖g_L − g_B‖∞ / max(‖g_L‖∞, ‖g_B‖∞): relative to the larger gradient.
    public let relativeBackprop: Double
    /// ‖g_L − g_FD‖∞ and that over max(‖g_L‖∞, ‖g_FD‖∞).
    public let absoluteFiniteDifference: Double
    /// ‖g_L − g_FD‖∞ / max(‖g_L‖∞, ‖g_FD‖∞): relative to the larger gradient.
    public let relativeFiniteDifference: Double
  }

  /// J(θ).
  public let objective: Double
  /// ∂L/∂θ at the KKT point.
  public let lagrangianGradient: [Double]
  /// The delta rule's gradient.
  public let backpropGradient: [Double]
  /// The central-difference gradient: fourth order for a smooth J, second order otherwise (its reach of
  /// about 6e-6 rarely straddles a kink of ReLU or of |w|).
  public let finiteDifferenceGradient: [Double]
  /// The stencil used.
  public let finiteDifferenceOrder: FiniteDifference.Order
  /// Per tensor, in file order.
  public let tensors: [TensorDifference]
  /// The KKT certificate at the solved point.
  public let certificate: KKTCertificate
  /// How many pre-activations of non-smooth layers, and (under λ₁) weights, lie within ``kinkReach`` of
  /// their kink at 0. Central differences straddle a kink there and see the average of the two one-sided
  /// slopes, while the gradient takes the z ≤ 0 branch, so a disagreement there is expected, not a bug.
  public let kinkCount: Int
  /// The distance from a kink counted in ``kinkCount``: 1e-4, about ten times the second-order stencil's reach.
  public static let kinkReach = 1e-4

  /// The finite differences' own rounding error for an error of 4ε|J| in each evaluation of J:
  /// differences below it are noise.
  public let finiteDifferenceNoise: Double

  /// Solves the KKT conditions at the network's θ over the batch and compares the three gradients.
  public init(network: Network, inputs: Matrix, targets: Matrix) {
    let lagrangian = Lagrangian(network: network, inputs: inputs, targets: targets)
    let solution = lagrangian.solve(parameters: network.parameters)
    let workspace = lagrangian.makeWorkspace()
    objective = solution.objective
    lagrangianGradient = solution.gradient
    backpropGradient = Backpropagation(network: network, inputs: inputs, targets: targets).gradient().gradient
    let order = FiniteDifference.Order.suited(smooth: network.isSmooth)
    finiteDifferenceOrder = order
    finiteDifferenceGradient = FiniteDifference.gradient(at: network.parameters, order: order) {
      lagrangian.objective(parameters: $0, workspace: workspace)
    }
    certificate = lagrangian.certificate(at: solution.point)
    let architecture = network.architecture
    let z = lagrangian.preActivations(parameters: network.parameters, workspace: workspace)
    var kinks = 0
    for k in 1...architecture.layerCount where !architecture.activation(layer: k).isSmooth {
      kinks += z[k].elements.filter { abs($0) <= Self.kinkReach }.count
    }
    if network.regularization.l1 > 0 {
      for tensor in architecture.tensors where tensor.isWeight {
        kinks += network.parameters[tensor.range].filter { abs($0) <= Self.kinkReach }.count
      }
    }
    kinkCount = kinks
    finiteDifferenceNoise = order.roundingError(functionError: 4 * Double.ulpOfOne * abs(objective))
    tensors = network.architecture.tensors.map {
      [lagrangianGradient, backpropGradient, finiteDifferenceGradient] tensor in
      let l = Array(lagrangianGradient[tensor.range])
      let (b, f) = (Array(backpropGradient[tensor.range]), Array(finiteDifferenceGradient[tensor.range]))
      let (absoluteB, relativeB) = differences(l, b)
      let (absoluteF, relativeF) = differences(l, f)
      return TensorDifference(
        name: tensor.name, shape: tensor.shape, absoluteBackprop: absoluteB, relativeBackprop: relativeB,
        absoluteFiniteDifference: absoluteF, relativeFiniteDifference: relativeF)
    }
  }

  /// The largest relative difference from backprop over all tensors.
  public var largestRelativeBackprop: Double { largestValue(tensors.map(\.relativeBackprop)) }
  /// The largest relative difference from finite differences over all tensors.
  public var largestRelativeFiniteDifference: Double { largestValue(tensors.map(\.relativeFiniteDifference)) }

  /// Whether every tensor agrees with backprop to `backpropTolerance` (relative) and with finite
  /// differences to `finiteDifferenceTolerance` (relative, or below the finite differences' noise).
  public func passes(backpropTolerance: Double = 1e-12, finiteDifferenceTolerance: Double = 1e-6) -> Bool {
    tensors.allSatisfy {
      $0.relativeBackprop <= backpropTolerance
        && ($0.relativeFiniteDifference <= finiteDifferenceTolerance
          || $0.absoluteFiniteDifference <= finiteDifferenceNoise)
    }
  }
}

/// ‖a − b‖∞ and ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞) (0 when both are 0); NaN when any entry is NaN.
private func differences(_ a: [Double], _ b: [Double]) -> (Double, Double) {
  let difference = largestMagnitude(zip(a, b).map { $0 - $1 })
  let scale = max(largestMagnitude(a), largestMagnitude(b))
  guard !difference.isNaN && !scale.isNaN else { return (.nan, .nan) }
  return (difference, scale == 0 ? 0 : difference / scale)
}
