import ArgumentParser
import Foundation
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
  /// What the run is made of, for matching a checkpoint.
  let identity: RunIdentity

  init(_ options: TrainingOptions) throws {
    // The network first: its loss decides how the targets are read.
    var start: ModelFile?
    if let path = options.model.model {
      start = try ModelFile.read(path: path, overrides: options.network.overrides)
    }
    let loss = start?.network.loss ?? options.network.loss ?? .meanSquaredError
    let dataPath = options.data.data
    var dataset = try Dataset.load(
      path: dataPath, targets: options.data.targetNames, loss: loss, classes: start?.classes)

    let network: Network
    if let start {
      network = start.network
    } else {
      network = try Network(
        architecture: try options.network.architecture(options.architecture.architecture!), loss: loss,
        regularization: options.network.regularization, initialization: options.architecture.initialization,
        seed: options.seed.seed)
    }
    let architecture = network.architecture
    guard dataset.inputs.rows == architecture.inputSize else {
      throw InputError(
        file: dataPath,
        "the data has \(dataset.inputs.rows) input columns, but the network takes \(architecture.inputSize)")
    }
    guard dataset.targets.rows == architecture.outputSize else {
      throw InputError(
        file: dataPath,
        "the data has \(dataset.targets.rows) \(dataset.classes != nil ? "classes" : "target columns"), but the network has \(architecture.outputSize) outputs"
      )
    }

    var validationData: Dataset?
    var validationIdentity = "none"
    if let split = options.preparation.validationSplit {
      guard dataset.sampleCount >= 2 else {
        throw InputError(file: dataPath, "a validation split needs at least two samples")
      }
      (dataset, validationData) = try dataset.split(validationFraction: split, seed: options.seed.seed)
      validationIdentity = "split \(split) seed \(options.seed.seed)"
    } else if let path = options.preparation.validation {
      let v = try Dataset.load(path: path, targets: options.data.targetNames, loss: loss, classes: dataset.classes)
      guard v.inputs.rows == dataset.inputs.rows && v.targets.rows == dataset.targets.rows else {
        throw InputError(file: path, "the validation data's columns do not match the training data's")
      }
      validationData = v
      validationIdentity = "file \(try fileDigest(path))"
    }

    var standardization = start?.standardization
    if options.preparation.standardize {
      standardization = Standardization.fit(
        inputs: dataset.inputs,
        targets: options.preparation.standardizeTargets && loss == .meanSquaredError ? dataset.targets : nil)
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
    let regularization = network.regularization
    identity = RunIdentity(
      network: "\(architecture), loss \(network.loss), l1 \(regularization.l1), l2 \(regularization.l2)",
      start: options.model.model.map { "model \(URL(fileURLWithPath: $0).lastPathComponent)" }
        ?? "\(options.architecture.initialization) seed \(options.seed.seed)",
      data: try fileDigest(dataPath), trainingSamples: dataset.sampleCount, targets: options.data.targetNames,
      standardization: options.preparation.standardize
        ? (options.preparation.standardizeTargets ? "inputs and targets" : "inputs") : "none",
      validation: validationIdentity, validationSamples: validationData?.sampleCount ?? 0)
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
