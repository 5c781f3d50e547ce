import ArgumentParser
import KKTNet
import Solvers

/// The starting network and the training and validation data of a run, standardized as the flags ask.
struct TrainingSetup {
  let network: Network
  /// A model file to write the trained θ into: standardization and classes included.
  let template: ModelFile
  let training: (inputs: Matrix, targets: Matrix)
  let validation: (inputs: Matrix, targets: Matrix)?
  let dataset: Dataset

  init(_ options: TrainingOptions) throws {
    // The network first: its loss decides how the targets are read.
    var start: ModelFile?
    if let path = options.model {
      let overrides = ModelFile.Overrides(
        activations: try options.activations.map { try ModelFile.parseActivations($0, layers: 0) }, loss: options.loss,
        l1: options.l1, l2: options.l2)
      start = try ModelFile.read(path: path, overrides: overrides)
    }
    let loss = start?.network.loss ?? options.loss ?? .meanSquaredError
    var dataset = try Dataset.load(
      path: options.data, targets: options.target.map { $0.split(separator: ",").map(String.init) }, loss: loss,
      classes: start?.classes)

    let network: Network
    if let start {
      network = start.network
    } else {
      var flags = try NetworkOptions.parse([
        "--architecture", options.architecture!, "--activations", options.activations ?? "tanh", "--loss",
        loss.rawValue,
      ])
      flags.l1 = options.l1 ?? 0
      flags.l2 = options.l2 ?? 0
      network = try Network(
        architecture: try flags.makeArchitecture(), loss: loss, regularization: flags.regularization,
        initialization: options.initialization, seed: options.seed)
    }
    let architecture = network.architecture
    guard dataset.inputs.rows == architecture.inputSize else {
      throw InputError(
        file: options.data,
        "the data has \(dataset.inputs.rows) input columns, but the network takes \(architecture.inputSize)")
    }
    guard dataset.targets.rows == architecture.outputSize else {
      throw InputError(
        file: options.data,
        "the data has \(dataset.targets.rows) \(dataset.classes != nil ? "classes" : "target columns"), but the network has \(architecture.outputSize) outputs"
      )
    }

    // The split: a seeded permutation, the last share held out.
    var trainingSamples = Array(0..<dataset.sampleCount)
    var validationData: Dataset?
    if let split = options.validationSplit {
      var random = RandomSource(seed: options.seed ^ 0x5EED_5EED)
      random.shuffle(&trainingSamples)
      let held = min(max(Int((split * Double(dataset.sampleCount)).rounded()), 1), dataset.sampleCount - 1)
      guard dataset.sampleCount >= 2 else {
        throw InputError(file: options.data, "a validation split needs at least two samples")
      }
      validationData = dataset.samples(Array(trainingSamples.suffix(held)))
      trainingSamples = Array(trainingSamples.prefix(dataset.sampleCount - held)).sorted()
      dataset = dataset.samples(trainingSamples)
    } else if let path = options.validation {
      let v = try Dataset.load(
        path: path, targets: options.target.map { $0.split(separator: ",").map(String.init) }, loss: loss,
        classes: dataset.classes)
      guard v.inputs.rows == dataset.inputs.rows && v.targets.rows == dataset.targets.rows else {
        throw InputError(file: path, "the validation data's columns do not match the training data's")
      }
      validationData = v
    }

    var standardization = start?.standardization
    if options.standardize {
      standardization = Standardization.fit(
        inputs: dataset.inputs, targets: options.standardizeTargets && loss == .meanSquaredError ? dataset.targets : nil
      )
    }
    func prepared(_ d: Dataset) -> (Matrix, Matrix) {
      guard let s = standardization else { return (d.inputs, d.targets) }
      return (s.standardizeInputs(d.inputs), s.standardizeTargets(d.targets))
    }
    self.network = network
    self.dataset = dataset
    training = prepared(dataset)
    validation = validationData.map(prepared)
    template = ModelFile(
      network: network, standardization: standardization, classes: dataset.classes ?? start?.classes,
      extraMetadata: start?.extraMetadata.filter { !$0.key.hasPrefix("state.") } ?? [:])
  }
}

/// Accuracy (bce, ce) or R² (mse) of θ on a set of samples.
func metric(_ network: Network, _ parameters: [Double], _ data: (inputs: Matrix, targets: Matrix)) -> (
  name: String, value: Double
) {
  let outputs = Lagrangian(network: network, inputs: data.inputs, targets: data.targets).outputs(parameters: parameters)
  if network.loss == .meanSquaredError {
    return ("r2", Metrics.coefficientOfDetermination(outputs: outputs, targets: data.targets))
  }
  return ("accuracy", Metrics.accuracy(outputs: outputs, targets: data.targets, loss: network.loss))
}

/// The data term (1/m)Σℓ of θ on a set of samples, without the penalty.
func dataLoss(_ network: Network, _ parameters: [Double], _ data: (inputs: Matrix, targets: Matrix)) -> Double {
  var unpenalized = network
  unpenalized.regularization = .none
  return Lagrangian(network: unpenalized, inputs: data.inputs, targets: data.targets).objective(parameters: parameters)
}
