import ArgumentParser
import KKTNet

struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a freshly initialized network to a safetensors file.",
    discussion: """
      Weights by the chosen scheme from the seed (the same on every machine), biases zero; the activations, \
      loss, λ₁ and λ₂ go into the file's metadata.
      """)

  @OptionGroup var architecture: ArchitectureOptions
  @OptionGroup var network: NetworkOptions
  @OptionGroup var seedOptions: SeedOptions

  @Option(help: "The model file to write (atomically).")
  var out: String

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard architecture.architecture != nil else { throw ValidationError("give --architecture SIZES, e.g. 3-8-2.") }
  }

  func run() throws {
    let loss = network.loss ?? .meanSquaredError
    let initialization = self.architecture.scheme
    let seed = seedOptions.seed
    let architecture = try network.architecture(self.architecture.architecture!)
    try RunFiles(outputs: [("--out", out)]).check()
    // θ, the tensors cut from it for the file, and the file's bytes.
    try (3 * MemoryEstimate.parameters(architecture)).check(
      "a \(quoted(architecture.layerSizes.map(String.init).joined(separator: "-"))) network",
      "for its parameters and their file")
    let net = try Network(
      architecture: architecture, loss: loss, regularization: network.regularization,
      initialization: initialization, seed: seed)
    try ModelFile(network: net).write(path: out)
    switch output.format {
    case .json:
      try printJSON(
        InitReport(
          path: out, architecture: architecture.layerSizes, activations: architecture.activations.map(\.description),
          loss: loss.rawValue, parameters: architecture.parameterCount))
    case .table:
      print(
        "wrote \(out): \(architecture), loss \(loss), \(architecture.parameterCount) parameters, \(initialization) seed \(seed)"
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
