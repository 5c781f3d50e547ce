import ArgumentParser
import KKTNet

extension ModelOptions {
  /// The model file, which this command requires.
  func required() throws -> String {
    guard let model else { throw ValidationError("give --model FILE: the model to use.") }
    return model
  }
}

/// A model and a dataset that fit it, with the model's standardization applied to the data.
struct ModelAndData {
  let file: ModelFile
  let dataset: Dataset
  /// Where a sample's non-finite value arose: its line in the data file.
  let samples: Finiteness

  var network: Network { file.network }
  var lagrangian: Lagrangian { Lagrangian(network: network, inputs: dataset.inputs, targets: dataset.targets) }

  /// Reads the model and the data, after checking every path (`outputs` too) before any work.
  init(
    _ modelOptions: ModelOptions, _ networkOptions: NetworkOptions, _ dataOptions: DataOptions,
    outputs: [(String, String?)] = []
  ) throws {
    let modelPath = try modelOptions.required()
    try RunFiles(inputs: [("--model", modelPath), ("--data", dataOptions.data)], outputs: outputs).check()
    samples = .rows(of: dataOptions.data)
    file = try ModelFile.read(path: modelPath, overrides: networkOptions.overrides)
    let network = file.network
    var dataset = try Dataset.load(
      path: dataOptions.data, targets: dataOptions.targetNames, loss: network.loss, classes: file.classes)
    let architecture = network.architecture
    guard dataset.inputs.rows == architecture.inputSize else {
      throw InputError(
        file: dataOptions.data,
        "the data has \(dataset.inputs.rows) input columns, but the model takes \(architecture.inputSize)")
    }
    guard dataset.targets.rows == architecture.outputSize else {
      let what = dataset.classes != nil ? "classes" : "target columns"
      throw InputError(
        file: dataOptions.data,
        "the data has \(dataset.targets.rows) \(what), but the model has \(architecture.outputSize) outputs")
    }
    if let standardization = file.standardization {
      dataset.inputs = standardization.standardizeInputs(dataset.inputs)
      dataset.targets = standardization.standardizeTargets(dataset.targets)
    }
    self.dataset = dataset
  }

  /// Checks that a computation over the data fits in what the process may allocate.
  func checkMemory(_ estimate: MemoryEstimate, _ purpose: String) throws {
    try estimate.check(
      "the \(network.architecture.layerSizes.map(String.init).joined(separator: "-")) network on \(dataset.sampleCount) samples",
      purpose)
  }

  /// The KKT solution at the model's θ, checked finite, and its certificate.
  func solve() throws -> (KKTSolution, KKTCertificate) {
    try checkMemory(
      MemoryEstimate.kktSolution(network.architecture, sampleCount: dataset.sampleCount), "for its passes")
    let lagrangian = self.lagrangian
    let solution = lagrangian.solve(parameters: network.parameters)
    return (solution, try samples.check(solution, lagrangian))
  }
}
