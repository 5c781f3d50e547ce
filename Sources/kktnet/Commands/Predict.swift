import ArgumentParser
import Foundation
import KKTNet
import Solvers

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The network's outputs for every row of a CSV file, as CSV (header y0,y1,…) or JSON.",
    discussion: """
      The inputs are every column when the file has as many as the model takes, else every column but the \
      targets (--target, or the last column). The model's standardization is applied to the inputs and \
      undone on regression outputs; classifiers print probabilities. --std (mse models) adds std0,… (the \
      predictive standard deviation of a new observation, s² + (s²/m)·gᵀG⁺g) and mean_std0,… (of the \
      network's mean, (s²/m)·gᵀG⁺g) by the Gauss–Newton (Laplace) approximation at the model's θ: the model \
      file does not hold the training Jacobian, so --training-data (the data it was trained on, with the \
      same --training-target) gives G = JᵀJ/m + λ₂I_W and s²; G is P × P (4·P² doubles of memory). \
      --format table (the default) prints CSV, one row per sample; --format json prints {"columns": ["y0", …], "outputs": [[…], …]}, one list \
      per sample. --out writes the same text to a file (atomically) instead of standard output. A sample \
      whose output is not finite fails the command (exit 1), naming the sample and where it overflowed.
      """)

  @OptionGroup var model: ModelOptions
  @OptionGroup var overrides: NetworkOptions
  @OptionGroup var data: DataOptions

  @Option(help: "Write the predictions here (atomically) instead of to standard output.")
  var out: String?

  @Flag(help: "Add the predictive standard deviations (mse models; needs --training-data).")
  var std = false

  @Option(help: "With --std: the data the model was trained on (CSV), for JᵀJ and s² at θ.")
  var trainingData: String?

  @Option(help: "With --std: the target column(s) of --training-data (default: the last column).")
  var trainingTarget: String?

  func validate() throws {
    if std && trainingData == nil {
      throw ValidationError(
        "--std needs --training-data: the model file does not hold the training Jacobian that the covariance comes from."
      )
    }
    if !std && (trainingData != nil || trainingTarget != nil) {
      throw ValidationError("--training-data and --training-target are for --std.")
    }
  }

  @OptionGroup var output: OutputOptions

  func run() throws {
    let modelPath = try model.required()
    try RunFiles(
      inputs: [("--model", modelPath), ("--data", data.data)] + (trainingData.map { [("--training-data", $0)] } ?? []),
      outputs: [("--out", out)]
    ).check()
    let file = try ModelFile.read(path: modelPath, overrides: overrides.overrides)
    let network = file.network
    let architecture = network.architecture
    var dataset = try Dataset.loadInputs(
      path: data.data, inputCount: architecture.inputSize, targets: data.targetNames)
    let m = dataset.sampleCount
    // A workspace, the outputs twice, and their text (about 25 bytes a number).
    try
      (MemoryEstimate.workspace(architecture, sampleCount: m)
      + 6 * MemoryEstimate.doubles(m, architecture.outputSize)).check(
        "the \(architecture.layerSizes.map(String.init).joined(separator: "-")) network on \(m) samples",
        "for its outputs")
    let outputs = try file.predict(dataset).outputs
    if let standardization = file.standardization { dataset.inputs = standardization.standardizeInputs(dataset.inputs) }
    if outputs.elements.contains(where: { !$0.isFinite }) {
      // Only to say where the forward pass overflowed.
      let lagrangian = Lagrangian(
        network: network, inputs: dataset.inputs, targets: Matrix(rows: architecture.outputSize, columns: m))
      try Finiteness.rows(of: data.data).checkOutputs(outputs, lagrangian, parameters: network.parameters)
    }
    var columns = (0..<outputs.rows).map { i in ("y\(i)", outputs.row(i)) }
    if std, let trainingData {
      let deviations = try standardDeviations(file, trainingData, inputs: dataset.inputs)
      columns += (0..<outputs.rows).map { ("std\($0)", deviations.predictive.row($0)) }
      columns += (0..<outputs.rows).map { ("mean_std\($0)", deviations.mean.row($0)) }
    }
    let text: String
    switch output.format {
    case .table:
      var csv = columns.map(\.0).joined(separator: ",") + "\n"
      for j in 0..<outputs.columns {
        csv += columns.map { "\($0.1[j])" }.joined(separator: ",") + "\n"
      }
      text = csv
    case .json:
      let rows = (0..<outputs.columns).map { j in columns.map { $0.1[j] } }
      text = try JSONCoding.output(PredictReport(columns: columns.map(\.0), outputs: rows)) + "\n"
    }
    if let out {
      try AtomicFile.write(text, to: out)
    } else {
      print(text, terminator: "")
    }
  }

  /// The Laplace approximation from the training data, its standard deviations at `inputs` (standardized as
  /// the model's inputs are), in the targets' units.
  func standardDeviations(_ file: ModelFile, _ path: String, inputs: Matrix) throws -> (
    mean: Matrix, predictive: Matrix
  ) {
    let network = file.network
    guard network.loss == .meanSquaredError else {
      throw ValidationError("--std needs an mse (regression) model; this one is \(network.loss).")
    }
    var training = try Dataset.load(
      path: path, targets: trainingTarget.map { $0.split(separator: ",").map(String.init) }, loss: network.loss)
    guard
      training.inputs.rows == network.architecture.inputSize && training.targets.rows == network.architecture.outputSize
    else {
      throw InputError(
        file: path,
        "the training data have \(training.inputs.rows) inputs and \(training.targets.rows) targets, but the model takes \(network.architecture.inputSize) and gives \(network.architecture.outputSize)"
      )
    }
    if let standardization = file.standardization {
      training.inputs = standardization.standardizeInputs(training.inputs)
      training.targets = standardization.standardizeTargets(training.targets)
    }
    let laplace: NetworkLaplaceApproximation
    do {
      laplace = try NetworkLaplaceApproximation(network: network, inputs: training.inputs, targets: training.targets)
    } catch {
      throw error.inFile(path)
    }
    var (mean, predictive) = laplace.standardDeviations(inputs: inputs)
    if let scale = file.standardization?.targetScale {
      for j in 0..<mean.columns {
        for i in 0..<mean.rows {
          mean[i, j] *= scale[i]
          predictive[i, j] *= scale[i]
        }
      }
    }
    let note =
      "note: --std: s = \(String(format: "%.6g", laplace.residualVariance.squareRoot())) (training units), JᵀJ of rank \(laplace.rank) of \(network.architecture.parameterCount), \(String(format: "%.1f", laplace.effectiveParameterCount)) effective parameters, \(laplace.sampleCount) training samples\n"
    FileHandle.standardError.write(Data(note.utf8))
    return (mean, predictive)
  }
}

/// `predict --format json`: the output columns and one list of outputs per sample.
struct PredictReport: Encodable {
  let columns: [String]
  let outputs: [[Double]]
}
