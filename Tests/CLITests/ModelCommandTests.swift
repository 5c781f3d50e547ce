import Foundation
import KKTNet
import TestSupport
import Testing

/// The interop commands end to end: the built binary on real files, checked against the library.
@Suite("kktnet init, gradient, jacobian, check, predict")
struct ModelCommandTests {
  let folder: URL
  let model: String

  init() throws {
    folder = try temporaryFolder()
    model = folder.appendingPathComponent("iris.safetensors").path
    let result = try runKKTNet([
      "init", "--architecture", "4-6-3", "--activations", "tanh", "--loss", "ce", "--init", "xavier-normal", "--seed",
      "5",
      "--out", model,
    ])
    #expect(result.status == 0, "\(result.standardError)")
  }

  @Test("init writes the file the library reads, with its metadata")
  func initWritesModel() throws {
    let file = try ModelFile.read(path: model)
    let expected = try Network(
      architecture: Architecture(layerSizes: [4, 6, 3], activations: [.tanh, .softmax]), loss: .softmaxCrossEntropy,
      initialization: .xavierNormal, seed: 5)
    #expect(file.network == expected)
    let raw = try SafetensorsFile.read(path: model)
    #expect(raw.tensors.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
    #expect(raw.tensors.map(\.shape) == [[6, 4], [6], [3, 6], [3]])
    #expect(raw.metadata["activations"] == "tanh,softmax")
    #expect(raw.metadata["loss"] == "ce")
  }

  @Test(
    "gradient JSON: the loss, tensors in their shapes, and the multipliers per sample",
    arguments: ["lagrangian", "backprop", "finite-difference"])
  func gradient(_ method: String) throws {
    var arguments = [
      "gradient", "--model", model, "--data", datasetPath("iris"), "--method", method, "--format", "json",
    ]
    if method == "lagrangian" { arguments.append("--multipliers") }
    let result = try runKKTNet(arguments)
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    let file = try ModelFile.read(path: model)
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let solution = Lagrangian(network: file.network, inputs: data.inputs, targets: data.targets).solve(
      parameters: file.network.parameters)
    #expect(json["loss"] as? Double == solution.objective)
    #expect(json["method"] as? String == method)
    let gradients = try #require(json["gradients"] as? [String: Any])
    let w = try #require(gradients["layers.1.weight"] as? [[Double]])
    #expect(w.count == 3 && w[0].count == 6)
    let b = try #require(gradients["layers.0.bias"] as? [Double])
    #expect(b.count == 6)
    let tolerance = method == "finite-difference" ? 1e-8 : 1e-12
    let offset = file.network.architecture.weightOffset(layer: 2)
    #expect(relativeDifference(w.flatMap { $0 }, Array(solution.gradient[offset..<(offset + 18)])) <= tolerance)
    if method == "lagrangian" {
      let multipliers = try #require(json["multipliers"] as? [String: [[Double]]])
      #expect(multipliers.keys.sorted() == ["1", "2"])
      #expect(multipliers["1"]?.count == 150 && multipliers["1"]?[0].count == 6)
      #expect(multipliers["2"]?[7] == solution.multipliers[2].column(7))
    }
  }

  @Test("jacobian JSON: residual rows sample-major, columns in file order, checked by the tangent pass")
  func jacobian() throws {
    let result = try runKKTNet(["jacobian", "--model", model, "--data", datasetPath("iris"), "--format", "json"])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    let residuals = try #require(json["residuals"] as? [Double])
    let rows = try #require(json["jacobian"] as? [[Double]])
    #expect(residuals.count == 450 && rows.count == 450 && rows[0].count == 51)
    #expect(try #require(json["tangent_check"] as? Double) <= 1e-13)
    let file = try ModelFile.read(path: model)
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let lagrangian = Lagrangian(network: file.network, inputs: data.inputs, targets: data.targets)
    let byTangents = lagrangian.residualJacobianByTangents(parameters: file.network.parameters)
    // Row 3·2 + 1 is sample 2, output 1.
    #expect(relativeDifference(rows[7], byTangents.row(7)) <= 1e-13)
    let outputs = lagrangian.outputs(parameters: file.network.parameters)
    #expect(residuals[7] == outputs[1, 2] - data.targets[1, 2])
  }

  @Test("check prints the KKT certificate")
  func check() throws {
    let result = try runKKTNet(["check", "--model", model, "--data", datasetPath("iris"), "--format", "json"])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    #expect(json["primal_residual"] as? Double == 0)
    #expect(try #require(json["adjoint_residual"] as? Double) <= 1e-15)
    #expect(try #require(json["gradient_norm"] as? Double) > 0)
    #expect((json["multiplier_norms"] as? [String: Double])?.count == 2)
  }

  @Test("predict writes y0,y1,… to standard output or atomically to --out")
  func predict() throws {
    let out = folder.appendingPathComponent("predictions.csv").path
    let toFile = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris"), "--out", out])
    #expect(toFile.status == 0 && toFile.standardOutput.isEmpty, "\(toFile.standardError)")
    let toStdout = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris")])
    let written = try String(contentsOfFile: out, encoding: .utf8)
    #expect(written == toStdout.standardOutput)
    let lines = written.split(separator: "\n")
    #expect(lines.count == 151 && lines[0] == "y0,y1,y2")
    let probabilities = lines[1].split(separator: ",").map { Double($0)! }
    #expect(abs(probabilities.reduce(0, +) - 1) < 1e-15)
  }

  @Test("a model's standardization is reapplied to the data and undone on its predictions")
  func standardizationIsReapplied() throws {
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let standardization = Standardization.fit(inputs: data.inputs, targets: data.targets)
    let network = try Network(
      architecture: Architecture(layerSizes: [10, 4, 1], activations: [.tanh, .identity]), loss: .meanSquaredError,
      seed: 2)
    let path = folder.appendingPathComponent("diabetes.safetensors").path
    try ModelFile(network: network, standardization: standardization).write(path: path)
    let result = try runKKTNet(["predict", "--model", path, "--data", datasetPath("diabetes")])
    #expect(result.status == 0, "\(result.standardError)")
    let expected = standardization.unstandardizeTargets(
      Lagrangian(network: network, inputs: standardization.standardizeInputs(data.inputs), targets: data.targets)
        .outputs(parameters: network.parameters))
    let printed = result.standardOutput.split(separator: "\n").dropFirst().map { Double($0)! }
    #expect(printed == expected.elements)
    let gradient = try runKKTNet(["gradient", "--model", path, "--data", datasetPath("diabetes"), "--format", "json"])
    let lagrangian = Lagrangian(
      network: network, inputs: standardization.standardizeInputs(data.inputs),
      targets: standardization.standardizeTargets(data.targets))
    #expect(try #require(gradient.json)["loss"] as? Double == lagrangian.objective(parameters: network.parameters))
  }

  @Test("flags override the file's metadata: --loss, --l2, --activations")
  func overrides() throws {
    let plain = try #require(
      try runKKTNet(["gradient", "--model", model, "--data", datasetPath("iris"), "--format", "json"]).json)
    let penalized = try #require(
      try runKKTNet(["gradient", "--model", model, "--data", datasetPath("iris"), "--l2", "0.5", "--format", "json"])
        .json)
    let file = try ModelFile.read(path: model)
    let squares = file.network.architecture.tensors.filter(\.isWeight).flatMap { file.network.parameters[$0.range] }
      .map { $0 * $0 }.reduce(0, +)
    let difference = try #require(penalized["loss"] as? Double) - #require(plain["loss"] as? Double)
    #expect(abs(difference - 0.25 * squares) <= 1e-14 * squares)
  }
}
