import ArgumentParser
import KKTNet

struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a freshly initialized network to a safetensors file.",
    discussion: """
      Weights by the chosen scheme from the seed (the same on every machine), biases zero; the activations, \
      loss, λ₁ and λ₂ go into the file's metadata.
      """)

  @OptionGroup var network: NetworkOptions

  @Option(
    name: .customLong("init"), help: "xavier-uniform, xavier-normal, he or zeros.", transform: parseInitialization)
  var initialization: Initialization = .xavierUniform

  @Option(help: "The seed of the weights.")
  var seed: UInt64 = 1

  @Option(help: "The model file to write (atomically).")
  var out: String

  @OptionGroup var output: OutputOptions

  func run() throws {
    let architecture = try network.makeArchitecture()
    let net = try Network(
      architecture: architecture, loss: network.loss, regularization: network.regularization,
      initialization: initialization, seed: seed)
    try ModelFile(network: net).write(path: out)
    switch output.format {
    case .json:
      try printJSON(
        InitReport(
          path: out, architecture: architecture.layerSizes, activations: architecture.activations.map(\.description),
          loss: network.loss.rawValue, parameters: architecture.parameterCount))
    case .table:
      print(
        "wrote \(out): \(architecture), loss \(network.loss), \(architecture.parameterCount) parameters, \(initialization) seed \(seed)"
      )
    }
  }
}

struct InitReport: Encodable {
  let path: String
  let architecture: [Int]
  let activations: [String]
  let loss: String
  let parameters: Int
}
