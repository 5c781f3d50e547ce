import KKTNet
import Testing

@Suite("Network definition")
struct NetworkTests {
  @Test("Xavier uniform and He normal weights match the reference values for their seeds")
  func initializationIsPortable() throws {
    let small = try Architecture(layerSizes: [2, 3, 1], activations: [.tanh, .identity])
    var random = RandomSource(seed: 1)
    #expect(
      Initialization.xavierUniform.parameters(for: small, using: &random) == [
        0.4445794617256087, 0.04477439095868707, 0.16235745416205227, -0.23808710406907907, 0.4319962664121644,
        -0.7808945424027791, 0, 0, 0, -1.0507203433562387, -0.2910374791144399, 0.8993362454780436, 0,
      ])
    let square = try Architecture(layerSizes: [2, 2], activations: [.relu])
    var heRandom = RandomSource(seed: 3)
    #expect(
      Initialization.he.parameters(for: square, using: &heRandom) == [
        1.3913219288470224, -1.4943977872683454, -1.4107263513178059, -0.9150549276447567, 0, 0,
      ])
  }

  @Test("each scheme draws from its distribution", arguments: Initialization.allCases)
  func initializationStatistics(_ initialization: Initialization) throws {
    let architecture = try Architecture(layerSizes: [300, 200, 1], activations: [.tanh, .identity])
    let network = try Network(
      architecture: architecture, loss: .meanSquaredError, initialization: initialization, seed: 11)
    let w = network.weights(layer: 1).elements
    #expect(network.biases(layer: 1).allSatisfy { $0 == 0 })
    let variance = w.map { $0 * $0 }.reduce(0, +) / Double(w.count)
    let n = Double(w.count)
    switch initialization {
    case .xavierUniform:
      let a = (6.0 / 500).squareRoot()
      #expect(w.allSatisfy { abs($0) < a })
      #expect(abs(variance / (a * a / 3) - 1) < 4 * (0.8 / n).squareRoot())
    case .xavierNormal:
      #expect(abs(variance / (2.0 / 500) - 1) < 4 * (2 / n).squareRoot())
    case .he:
      #expect(abs(variance / (2.0 / 300) - 1) < 4 * (2 / n).squareRoot())
    case .zeros:
      #expect(w.allSatisfy { $0 == 0 })
    }
  }

  @Test("θ stores Wᵏ row-major (out × in) followed by bᵏ, layer after layer")
  func parameterLayout() throws {
    let architecture = try Architecture(layerSizes: [2, 3, 1], activations: [.tanh, .identity])
    var network = try Network(
      architecture: architecture, loss: .meanSquaredError, parameters: (0..<13).map(Double.init))
    #expect(network.weights(layer: 1) == Matrix(rowMajor: [[0, 1], [2, 3], [4, 5]]))
    #expect(network.biases(layer: 1) == [6, 7, 8])
    #expect(network.weights(layer: 2) == Matrix(rowMajor: [[9, 10, 11]]))
    #expect(network.biases(layer: 2) == [12])
    #expect(
      architecture.tensors.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
    #expect(architecture.tensors.map(\.shape) == [[3, 2], [3], [1, 3], [1]])
    network.setWeights(layer: 1, Matrix(rowMajor: [[-1, -2], [-3, -4], [-5, -6]]))
    #expect(Array(network.parameters[0..<6]) == [-1, -2, -3, -4, -5, -6])
  }

  @Test("invalid architectures are rejected with a sentence")
  func invalidArchitectures() {
    #expect(throws: NetworkError.invalidLayerSizes([3])) { try Architecture(layerSizes: [3], activations: []) }
    #expect(throws: NetworkError.invalidLayerSizes([3, 0])) {
      try Architecture(layerSizes: [3, 0], activations: [.tanh])
    }
    #expect(throws: NetworkError.activationCountMismatch(layers: 2, activations: 1)) {
      try Architecture(layerSizes: [3, 4, 1], activations: [.tanh])
    }
    #expect(throws: NetworkError.softmaxNotLast(layer: 1)) {
      try Architecture(layerSizes: [3, 4, 2], activations: [.softmax, .softmax])
    }
    let architecture = try! Architecture(layerSizes: [3, 2], activations: [.tanh])
    #expect(throws: NetworkError.lossNeedsOutputActivation(loss: .softmaxCrossEntropy, output: .tanh)) {
      try Network(architecture: architecture, loss: .softmaxCrossEntropy)
    }
    #expect(
      NetworkError.lossNeedsOutputActivation(loss: .binaryCrossEntropy, output: .tanh).description
        == "the loss bce needs a sigmoid output layer, but the last activation is tanh")
  }

  @Test(
    "activation names parse and print back",
    arguments: [
      ("tanh", Activation.tanh), ("ReLU", .relu), ("leaky-relu", .leakyReLU(slope: 0.01)),
      ("leaky_relu(0.2)", .leakyReLU(slope: 0.2)),
      ("elu(0.5)", .elu(alpha: 0.5)), ("linear", .identity), ("softplus", .softplus), ("softmax", .softmax),
      ("sigmoid", .sigmoid),
    ])
  func activationNames(_ text: String, _ expected: Activation) {
    #expect(Activation(text) == expected)
    #expect(Activation(expected.description) == expected)
  }

  @Test("unknown activation names are rejected", arguments: ["tanh(2)", "swish", "relu(", "elu(x)", ""])
  func unknownActivations(_ text: String) {
    #expect(Activation(text) == nil)
  }

  @Test("batched activations agree with the scalar definitions to a few ulp")
  func batchedActivations() {
    let z = stride(from: -40.0, through: 40.0, by: 0.37).map { $0 }
    for activation in [
      Activation.identity, .sigmoid, .tanh, .relu, .leakyReLU(slope: 0.1), .elu(alpha: 0.7), .softplus,
    ] {
      var x = [Double](repeating: 0, count: z.count)
      var d = x
      z.withUnsafeBufferPointer { pz in
        x.withUnsafeMutableBufferPointer { px in
          activation.apply(rows: z.count, columns: 1, z: pz.baseAddress!, x: px.baseAddress!)
        }
      }
      z.withUnsafeBufferPointer { pz in
        x.withUnsafeBufferPointer { px in
          d.withUnsafeMutableBufferPointer { pd in
            activation.derivative(count: z.count, z: pz.baseAddress!, x: px.baseAddress!, out: pd.baseAddress!)
          }
        }
      }
      for i in z.indices {
        let (value, slope) = (activation.value(z[i]), activation.derivative(z[i]))
        #expect(abs(x[i] - value) <= 4 * value.ulp.magnitude, "\(activation)(\(z[i]))")
        // tanh′ = 1 − x² in the batch: its rounding is relative to 1, not to the (tiny) derivative.
        let tolerance = activation == .tanh ? 4 * Double.ulpOfOne : 8 * slope.ulp.magnitude
        #expect(abs(d[i] - slope) <= tolerance, "\(activation)′(\(z[i])): \(d[i]) vs \(slope)")
      }
    }
  }
}
