import KKTNet
import TestSupport
import Testing
import _Differentiation

/// KKTNet's Lagrangian gradient against Swift's automatic differentiation of an independently written
/// objective, for every activation in the hidden and the output position and every loss. The networks are
/// small: `_Differentiation`'s backward pass over arrays is quadratic.
@Suite("Swift _Differentiation oracle")
struct DifferentiationOracleTests {
  static let hidden: [Activation] = NetworkCase.elementwiseActivations

  static let outputs: [(Activation, Loss)] =
    NetworkCase.elementwiseActivations.map { ($0, Loss.meanSquaredError) } + [
      (.softmax, .meanSquaredError), (.sigmoid, .binaryCrossEntropy), (.softmax, .softmaxCrossEntropy),
    ]

  func check(hidden: Activation, output: Activation, loss: Loss, seed: UInt64, l1: Double, l2: Double) {
    var random = RandomSource(seed: seed)
    let sizes = [3, 4, 3, output == .softmax ? 3 : 2]
    let architecture = try! Architecture(layerSizes: sizes, activations: [hidden, hidden, output])
    var theta = Initialization.xavierNormal.parameters(for: architecture, using: &random)
    for k in 1...3 {
      for i in 0..<sizes[k] { theta[architecture.biasOffset(layer: k) + i] = 0.3 * random.nextNormal() }
    }
    let network = try! Network(
      architecture: architecture, loss: loss, regularization: Regularization(l1: l1, l2: l2), parameters: theta)
    let m = 4
    let inputs = randomMatrix(rows: sizes[0], columns: m, using: &random)
    let targets = NetworkCase.randomTargets(loss: loss, rows: sizes[3], columns: m, using: &random)

    let (j, g) = Lagrangian(network: network, inputs: inputs, targets: targets).gradient(at: theta)
    let oracle = DifferentiableNetwork(
      sizes: sizes, activations: architecture.activations, loss: loss, l1: l1, l2: l2,
      inputs: (0..<m).map(inputs.column), targets: (0..<m).map(targets.column))
    let (oracleJ, oracleGradient) = valueWithGradient(at: theta) { oracle.objective($0) }
    let difference = largestTensorDifference(g, oracleGradient.base, architecture: architecture)
    let label = "\(architecture) \(loss) λ₁ \(l1) λ₂ \(l2)"
    #expect(abs(j - oracleJ) <= 1e-13 * abs(oracleJ), "J \(j) vs \(oracleJ): \(label)")
    #expect(difference <= 1e-12, "relative difference \(difference): \(label)")
  }

  @Test("every hidden activation, with each output and loss", arguments: hidden)
  func hiddenActivation(_ hidden: Activation) {
    for (index, (output, loss)) in Self.outputs.enumerated() {
      check(hidden: hidden, output: output, loss: loss, seed: UInt64(index + 1), l1: 0, l2: 0)
    }
  }

  @Test("with λ₁ and λ₂", arguments: Loss.allCases)
  func regularized(_ loss: Loss) {
    for (index, hidden) in Self.hidden.enumerated() {
      check(
        hidden: hidden, output: loss.naturalOutputActivation, loss: loss, seed: UInt64(100 + index), l1: 0.03,
        l2: 0.07)
    }
  }
}
