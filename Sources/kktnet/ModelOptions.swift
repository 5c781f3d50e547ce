import ArgumentParser
import KKTNet

/// `--model` and the settings that override its metadata.
struct ModelOptions: ParsableArguments {
  @Option(help: "The model file (safetensors, layers.{k}.weight / layers.{k}.bias).")
  var model: String

  @Option(help: "Activations, one per layer, comma-separated; overrides the file's metadata.")
  var activations: String?

  @Option(help: "The loss (mse, bce, ce); overrides the file's metadata (default mse).", transform: parseLoss)
  var loss: Loss?

  @Option(help: "λ₁; overrides the file's metadata (default 0).")
  var l1: Double?

  @Option(help: "λ₂; overrides the file's metadata (default 0).")
  var l2: Double?

  func validate() throws {
    for value in [l1, l2].compactMap({ $0 }) where !(value >= 0 && value.isFinite) {
      throw ValidationError("--l1 and --l2 must be finite and not negative.")
    }
    if let activations {
      for name in activations.split(separator: ",", omittingEmptySubsequences: false)
      where Activation(String(name)) == nil {
        throw ValidationError("unknown activation '\(name)'; expected one of \(Activation.names).")
      }
    }
  }

  func read() throws -> ModelFile {
    let overrides = ModelFile.Overrides(
      activations: activations.map { $0.split(separator: ",").map { Activation(String($0))! } }, loss: loss, l1: l1,
      l2: l2)
    return try ModelFile.read(path: model, overrides: overrides)
  }
}

/// `--data` and `--target`.
struct DataOptions: ParsableArguments {
  @Option(help: "The data file (CSV with a header row).")
  var data: String

  @Option(help: "The target column(s), comma-separated (default: the last column).")
  var target: String?

  var targetNames: [String]? { target.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
}

/// A model and a dataset that fit it, with the model's standardization applied to the data.
struct ModelAndData {
  let file: ModelFile
  let dataset: Dataset

  var network: Network { file.network }
  var lagrangian: Lagrangian { Lagrangian(network: network, inputs: dataset.inputs, targets: dataset.targets) }

  init(_ modelOptions: ModelOptions, _ dataOptions: DataOptions) throws {
    file = try modelOptions.read()
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
}
