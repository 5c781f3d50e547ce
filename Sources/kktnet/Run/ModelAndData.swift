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

  var network: Network { file.network }
  var lagrangian: Lagrangian { Lagrangian(network: network, inputs: dataset.inputs, targets: dataset.targets) }

  init(_ modelOptions: ModelOptions, _ networkOptions: NetworkOptions, _ dataOptions: DataOptions) throws {
    file = try ModelFile.read(path: try modelOptions.required(), overrides: networkOptions.overrides)
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
