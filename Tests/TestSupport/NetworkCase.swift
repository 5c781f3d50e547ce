import KKTNet

/// A random network, batch and targets for property tests, built deterministically from a few integers.
///
/// Depth 1–5, widths 1–12, batch 1–16; hidden activations drawn from every elementwise activation; the
/// output activation the loss needs (for mse, any activation including softmax).
public struct NetworkCase: CustomStringConvertible, Sendable {
  public let network: Network
  public let inputs: Matrix
  public let targets: Matrix
  public let seed: UInt64

  /// Every elementwise activation, with non-default parameters for the parameterized ones.
  public static let elementwiseActivations: [Activation] = [
    .identity, .sigmoid, .tanh, .relu, .leakyReLU(slope: 0.1), .elu(alpha: 0.7), .softplus,
  ]

  /// - Parameters:
  ///   - depth: N, 1–5.
  ///   - sampleCount: m, 1–16.
  ///   - lossIndex: 0 mse, 1 bce, 2 ce.
  ///   - regularizationMode: 0 none, 1 L2, 2 L1, 3 both.
  ///   - seed: widths, activations, weights and data.
  public init(depth: Int, sampleCount: Int, lossIndex: Int, regularizationMode: Int, seed: UInt64) {
    var random = RandomSource(seed: seed)
    let loss = Loss.allCases[lossIndex]
    var sizes = (0...depth).map { _ in 1 + random.nextIndex(below: 12) }
    if loss == .softmaxCrossEntropy && sizes[depth] == 1 { sizes[depth] = 2 }
    var activations = (0..<(depth - 1)).map { _ in
      NetworkCase.elementwiseActivations[random.nextIndex(below: NetworkCase.elementwiseActivations.count)]
    }
    switch loss {
    case .meanSquaredError:
      let choices = NetworkCase.elementwiseActivations + [.softmax]
      activations.append(choices[random.nextIndex(below: choices.count)])
    default:
      activations.append(loss.naturalOutputActivation)
    }
    let regularization = Regularization(
      l1: regularizationMode & 2 != 0 ? 0.01 + 0.1 * random.nextUniform() : 0,
      l2: regularizationMode & 1 != 0 ? 0.01 + 0.1 * random.nextUniform() : 0)
    let architecture = try! Architecture(layerSizes: sizes, activations: activations)
    var theta = Initialization.xavierNormal.parameters(for: architecture, using: &random)
    // Biases away from zero so that every code path sees them.
    for k in 1...depth {
      let offset = architecture.biasOffset(layer: k)
      for i in 0..<sizes[k] { theta[offset + i] = 0.3 * random.nextNormal() }
    }
    network = try! Network(architecture: architecture, loss: loss, regularization: regularization, parameters: theta)
    inputs = Matrix(
      rows: sizes[0], columns: sampleCount, elements: (0..<(sizes[0] * sampleCount)).map { _ in random.nextNormal() })
    targets = NetworkCase.randomTargets(loss: loss, rows: sizes[depth], columns: sampleCount, using: &random)
    self.seed = seed
  }

  /// Targets a loss accepts: normal values (mse), 0/1 labels or soft labels (bce), one-hot or probability
  /// columns (ce).
  public static func randomTargets(loss: Loss, rows: Int, columns: Int, using random: inout RandomSource) -> Matrix {
    var y = Matrix(rows: rows, columns: columns)
    switch loss {
    case .meanSquaredError:
      for i in y.elements.indices { y.elements[i] = random.nextNormal() }
    case .binaryCrossEntropy:
      let soft = random.nextUniform() < 0.3
      for i in y.elements.indices {
        y.elements[i] = soft ? random.nextUniform() : (random.nextUniform() < 0.5 ? 0 : 1)
      }
    case .softmaxCrossEntropy:
      let soft = random.nextUniform() < 0.3
      for j in 0..<columns {
        if soft {
          let weights = (0..<rows).map { _ in random.nextUniform() + 0.01 }
          let total = weights.reduce(0, +)
          for i in 0..<rows { y[i, j] = weights[i] / total }
        } else {
          y[random.nextIndex(below: rows), j] = 1
        }
      }
    }
    return y
  }

  public var lagrangian: Lagrangian { Lagrangian(network: network, inputs: inputs, targets: targets) }
  public var backpropagation: Backpropagation { Backpropagation(network: network, inputs: inputs, targets: targets) }

  /// The smallest |Wᵏᵢⱼ| when λ₁ > 0 (where |W| has its kink), or +∞.
  public var smallestPenalizedWeight: Double {
    guard network.regularization.l1 > 0 else { return .infinity }
    let architecture = network.architecture
    return (1...architecture.layerCount).flatMap { k in
      network.parameters[architecture.weightOffset(layer: k)..<architecture.biasOffset(layer: k)]
    }.map(abs).min() ?? .infinity
  }

  /// The finite-difference stencil for this network: fourth order when J is smooth, second otherwise.
  public var finiteDifferenceOrder: FiniteDifference.Order { .suited(smooth: network.isSmooth) }

  /// Whether the second-order stencil, which reaches h ≈ 6e-6·max(1, |θᵢ|) from θ, stays clear of every
  /// kink: |z| > 1e-3 in the ReLU-family layers (z moves by about h·|xᵏ⁻¹| per perturbed weight) and
  /// |W| > 1e-4 under an L1 penalty. A smooth network has no kink to avoid.
  public var isClearOfKinks: Bool { smallestKinkDistance > 1e-3 && smallestPenalizedWeight > 1e-4 }

  /// The smallest |zᵏᵢⱼ| over layers whose activation is not smooth at 0, or +∞ when none is.
  public var smallestKinkDistance: Double {
    let solution = lagrangian.solve(parameters: network.parameters)
    var smallest = Double.infinity
    let architecture = network.architecture
    for k in 1...architecture.layerCount where !architecture.activation(layer: k).isSmooth {
      // zᵏ = Wᵏxᵏ⁻¹ + bᵏ recomputed from the states.
      let z = network.weights(layer: k) * solution.states[k - 1]
      let b = network.biases(layer: k)
      for j in 0..<z.columns {
        for i in 0..<z.rows { smallest = min(smallest, abs(z[i, j] + b[i])) }
      }
    }
    return smallest
  }

  public var description: String {
    "NetworkCase(\(network.architecture), loss \(network.loss), λ₁ \(network.regularization.l1), λ₂ \(network.regularization.l2), m \(inputs.columns), seed \(seed))"
  }
}
