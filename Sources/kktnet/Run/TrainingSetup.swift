import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// Where each part of a run's standardization comes from.
enum StandardizationSource: String, Encodable {
  /// None: the values are used as they are.
  case none
  /// Kept from the start model (without --standardize, or targets without --standardize-targets).
  case model
  /// Fitted to the training samples (--standardize, --standardize-targets).
  case fitted
}

/// The starting network and the training and validation data of a run, standardized as the flags ask.
struct TrainingSetup {
  let network: Network
  /// Where the inputs' and the targets' statistics come from.
  let inputStandardization: StandardizationSource
  let targetStandardization: StandardizationSource
  /// A model file to write the trained θ into: standardization and classes included.
  let template: ModelFile
  let training: (inputs: Matrix, targets: Matrix)
  let validation: (inputs: Matrix, targets: Matrix)?
  let dataset: Dataset
  /// What the run is made of, for matching a checkpoint.
  let identity: RunIdentity
  /// With `kktnet-mpi`, where this rank's samples sit among all; nil in a single process.
  var placement: ShardPlacement? = nil

  init(_ options: TrainingOptions) throws {
    // The network first: its loss decides how the targets are read.
    let (start, loss) = try Self.startModel(options)
    let dataPath = options.data.data
    var dataset = try Dataset.load(
      path: dataPath, targets: options.data.targetNames, loss: loss, classes: start?.classes)
    let network = try Self.startNetwork(options, start: start, loss: loss)
    try Self.checkShape(dataset, fits: network, file: dataPath)

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

    let prepared = try Self.standardization(options, start: start, loss: loss, dataset: dataset) {
      Standardization.fit(inputs: $0, targets: $1)
    }
    try self.init(
      network: network, start: start, dataset: dataset, validationData: validationData, prepared: prepared,
      identity: RunIdentity(
        options, network: network, data: fileDigest(dataPath), start: options.model.model.map(fileDigest),
        trainingSamples: dataset.sampleCount, validation: validationIdentity,
        validationSamples: validationData?.sampleCount ?? 0))
  }

  /// The setup of a run from `network` on the (standardized) training and validation data.
  init(
    network: Network, start: ModelFile?, dataset: Dataset, validationData: Dataset?,
    prepared: PreparedStandardization, identity: RunIdentity, placement: ShardPlacement? = nil
  ) {
    self.network = network
    self.dataset = dataset
    inputStandardization = prepared.inputSource
    targetStandardization = prepared.targetSource
    training = prepared.apply(dataset)
    validation = validationData.map(prepared.apply)
    template = ModelFile(
      network: network, standardization: prepared.standardization, classes: dataset.classes ?? start?.classes,
      extraMetadata: start?.extraMetadata.filter { !$0.key.hasPrefix("state.") } ?? [:])
    self.identity = identity
    self.placement = placement
  }
}

/// A run's standardization and where its parts come from (``TrainingSetup/standardization(_:start:loss:dataset:fit:)``).
struct PreparedStandardization {
  let standardization: Standardization?
  let inputSource: StandardizationSource
  let targetSource: StandardizationSource

  /// A dataset's inputs and targets in the standardized units (as they are without a standardization).
  func apply(_ d: Dataset) -> (inputs: Matrix, targets: Matrix) {
    guard let s = standardization else { return (d.inputs, d.targets) }
    return (s.standardizeInputs(d.inputs), s.standardizeTargets(d.targets))
  }
}

extension TrainingSetup {
  /// The start model (`--model`), if any, and the loss of the run: the model's, the flag's, or mse.
  static func startModel(_ options: TrainingOptions) throws -> (start: ModelFile?, loss: Loss) {
    let start = try options.model.model.map { try ModelFile.read(path: $0, overrides: options.network.overrides) }
    return (start, start?.network.loss ?? options.network.loss ?? .meanSquaredError)
  }

  /// Checks that the data's input and target columns are the network's n₀ and n_N.
  static func checkShape(_ dataset: Dataset, fits network: Network, file: String) throws {
    let architecture = network.architecture
    guard dataset.inputs.rows == architecture.inputSize else {
      throw InputError(
        file: file, "the data has \(dataset.inputs.rows) input columns, but the network takes \(architecture.inputSize)"
      )
    }
    guard dataset.targets.rows == architecture.outputSize else {
      throw InputError(
        file: file,
        "the data has \(dataset.targets.rows) \(dataset.classes != nil ? "classes" : "target columns"), but the network has \(architecture.outputSize) outputs"
      )
    }
  }

  /// The run's standardization. A model's is kept unless --standardize replaces it (fitted by `fit` to the
  /// training inputs, and to the targets with --standardize-targets); its target statistics are kept
  /// unless --standardize-targets replaces them too (the network's outputs are in their units).
  static func standardization(
    _ options: TrainingOptions, start: ModelFile?, loss: Loss, dataset: Dataset,
    fit: (_ inputs: Matrix, _ targets: Matrix?) -> Standardization
  ) throws -> PreparedStandardization {
    if options.preparation.standardizeTargets && loss != .meanSquaredError {
      throw ValidationError("--standardize-targets is for regression (mse); the \(loss) targets are class labels.")
    }
    var standardization = start?.standardization
    var inputSource: StandardizationSource = standardization == nil ? .none : .model
    var targetSource: StandardizationSource = standardization?.targetMean == nil ? .none : .model
    if options.preparation.standardize {
      var fitted = fit(dataset.inputs, options.preparation.standardizeTargets ? dataset.targets : nil)
      inputSource = .fitted
      if options.preparation.standardizeTargets {
        targetSource = .fitted
      } else if let kept = start?.standardization, kept.targetMean != nil {
        fitted.targetMean = kept.targetMean
        fitted.targetScale = kept.targetScale
      }
      do { try fitted.checkUsable(inputNames: dataset.inputNames, targetNames: dataset.targetNames) } catch {
        throw error.inFile(options.data.data)
      }
      standardization = fitted
    }
    return PreparedStandardization(
      standardization: standardization, inputSource: inputSource, targetSource: targetSource)
  }

  /// The start model's network, or a new one drawn from the flags.
  static func startNetwork(_ options: TrainingOptions, start: ModelFile?, loss: Loss) throws -> Network {
    if let start { return start.network }
    let architecture = try options.network.architecture(options.architecture.architecture!)
    try (2 * MemoryEstimate.parameters(architecture)).check(
      "a \(quoted(architecture.layerSizes.map(String.init).joined(separator: "-"))) network", "for its parameters")
    return try Network(
      architecture: architecture, loss: loss,
      regularization: options.network.regularization, initialization: options.architecture.scheme,
      seed: options.seed.seed)
  }
}

/// Accuracy (bce, ce) or R² (mse) of θ on a set of samples (of every rank's, with `kktnet-mpi`: collective).
func metric(_ network: Network, _ parameters: [Double], _ data: (inputs: Matrix, targets: Matrix)) -> (
  name: String, value: Double
) {
  if DataParallel.isDistributed { return distributedMetric(network, parameters, data) }
  let outputs = Lagrangian(network: network, inputs: data.inputs, targets: data.targets).outputs(parameters: parameters)
  if network.loss == .meanSquaredError {
    return ("r2", Metrics.coefficientOfDetermination(outputs: outputs, targets: data.targets))
  }
  return ("accuracy", Metrics.accuracy(outputs: outputs, targets: data.targets, loss: network.loss))
}

/// The data term (1/m)Σℓ of θ on a set of samples, without the penalty (over every rank's, with
/// `kktnet-mpi`: collective).
func dataLoss(_ network: Network, _ parameters: [Double], _ data: (inputs: Matrix, targets: Matrix)) -> Double {
  var unpenalized = network
  unpenalized.regularization = .none
  if DataParallel.isDistributed {
    return NetworkTrainingProblem(
      network: unpenalized, inputs: data.inputs, targets: data.targets, communicator: DataParallel.communicator
    ).objective(at: parameters)
  }
  return Lagrangian(network: unpenalized, inputs: data.inputs, targets: data.targets).objective(parameters: parameters)
}
