import ArgumentParser
import KKTNet

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The network's outputs for every row of a CSV file, as CSV (header y0,y1,…).",
    discussion: """
      The inputs are every column when the file has as many as the model takes, else every column but the \
      targets (--target, or the last column). The model's standardization is applied to the inputs and \
      undone on regression outputs; classifiers print probabilities.
      """)

  @OptionGroup var model: ModelOptions
  @OptionGroup var overrides: NetworkOptions
  @OptionGroup var data: DataOptions

  @Option(help: "Write the CSV here (atomically) instead of to standard output.")
  var out: String?

  func run() throws {
    let file = try ModelFile.read(path: try model.required(), overrides: overrides.overrides)
    let network = file.network
    var dataset = try Dataset.loadInputs(
      path: data.data, inputCount: network.architecture.inputSize, targets: data.targetNames)
    if let standardization = file.standardization { dataset.inputs = standardization.standardizeInputs(dataset.inputs) }
    let lagrangian = Lagrangian(
      network: network, inputs: dataset.inputs,
      targets: Matrix(rows: network.architecture.outputSize, columns: dataset.sampleCount))
    var outputs = lagrangian.outputs(parameters: network.parameters)
    if let standardization = file.standardization { outputs = standardization.unstandardizeTargets(outputs) }
    var text = (0..<outputs.rows).map { "y\($0)" }.joined(separator: ",") + "\n"
    for j in 0..<outputs.columns {
      text += (0..<outputs.rows).map { "\(outputs[$0, j])" }.joined(separator: ",") + "\n"
    }
    if let out {
      try AtomicFile.write(text, to: out)
    } else {
      print(text, terminator: "")
    }
  }
}
