import Foundation
import KKTNet
import TestSupport
import Testing

/// The library as a user meets it: prediction, data checks with thrown errors, NaN-propagating norms.
@Suite("library use")
struct LibraryUseTests {
  /// A 4-5-3 softmax classifier with seeded weights.
  func classifier() throws -> Network {
    try Network(
      architecture: Architecture(layerSizes: [4, 5, 3], activations: [.tanh, .softmax]), loss: .softmaxCrossEntropy,
      seed: 3)
  }

  @Test("Network.outputs equals the Lagrangian's forward pass, and rejects inputs of the wrong width")
  func outputs() throws {
    let network = try classifier()
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let lagrangian = Lagrangian(network: network, inputs: data.inputs, targets: data.targets)
    let expected = lagrangian.outputs(parameters: network.parameters)
    // The same path in the same process: bit-identical.
    #expect(try network.outputs(data.inputs).elements.map(\.bitPattern) == expected.elements.map(\.bitPattern))
    #expect(try network.outputs(Matrix(rows: 4, columns: 0)).columns == 0)
    #expect(throws: NetworkError.inputCountMismatch(expected: 4, actual: 3)) {
      try network.outputs(Matrix(rows: 3, columns: 2))
    }
  }

  @Test("ModelFile.predict standardizes inputs, returns regression outputs in the targets' units")
  func regressionPrediction() throws {
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let standardization = Standardization.fit(data, standardizingTargets: true)
    let network = try Network(
      architecture: Architecture(layerSizes: [data.inputs.rows, 3, 1], activations: [.tanh, .identity]),
      loss: .meanSquaredError, seed: 2)
    let model = ModelFile(network: network, standardization: standardization)
    let prediction = try model.predict(data)
    #expect(prediction.labels == nil)
    // By hand: standardize, forward, y·scale + mean.
    let standardized = try standardization.apply(to: data)
    let raw = try network.outputs(standardized.inputs)
    let scale = standardization.targetScale![0]
    let mean = standardization.targetMean![0]
    for j in 0..<raw.columns {
      // One multiply-add on the same values: equal to rounding of a number of size |y|.
      #expect(abs(prediction.outputs[0, j] - (raw[0, j] * scale + mean)) <= 4 * Double.ulpOfOne * abs(mean + scale))
    }
  }

  @Test("a classifier's predicted labels are the stored classes of its largest outputs")
  func classLabels() throws {
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let model = ModelFile(network: try classifier(), classes: [10, 20, 30])
    let prediction = try model.predict(data.inputs)
    let labels = try #require(prediction.labels)
    #expect(labels.count == 150)
    for j in 0..<150 {
      let column = prediction.outputs.column(j)
      #expect(labels[j] == [10, 20, 30][column.firstIndex(of: column.max()!)!])
    }
    #expect(throws: InputError.self) { try model.predict(Matrix(rows: 2, columns: 1)) }
  }

  @Test("a safetensors round trip predicts the same bits")
  func roundTripPrediction() throws {
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let model = ModelFile(
      network: try classifier(), standardization: Standardization.fit(data), classes: data.classes)
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("model.safetensors").path
    try model.write(path: path)
    let read = try ModelFile.read(path: path)
    #expect(try read.predict(data) == model.predict(data))
  }

  @Test("ModelFile.read on a CSV file says it is not a safetensors file")
  func csvAsModel() throws {
    let error = #expect(throws: InputError.self) { try ModelFile.read(path: datasetPath("iris")) }
    #expect(error?.message.hasPrefix("not a safetensors file") == true)
  }

  @Test("data that does not fit the network throws a sentence saying what to change")
  func checkedLagrangian() throws {
    let labels = try Dataset.load(path: datasetPath("iris"), loss: .meanSquaredError)
    let error = #expect(throws: NetworkError.self) { try Lagrangian(network: classifier(), dataset: labels) }
    #expect(error?.description.contains("loss: .softmaxCrossEntropy") == true)
    let oneHot = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    #expect(try Lagrangian(network: classifier(), dataset: oneHot).sampleCount == 150)
    #expect(throws: InputError.self) {
      try Standardization.fit(oneHot).apply(to: Dataset.load(path: datasetPath("wine"), loss: .meanSquaredError))
    }
  }

  @Test("a NaN is never lost inside a max-norm or a certificate")
  func nanPropagates() throws {
    #expect(Matrix(rows: 1, columns: 3, elements: [1, .nan, -2]).maxAbsoluteValue.isNaN)
    #expect(Matrix(rows: 1, columns: 3, elements: [1, 5, -7]).maxAbsoluteValue == 7)
    let network = try classifier()
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let lagrangian = try Lagrangian(network: network, dataset: data)
    var point = lagrangian.solve(parameters: network.parameters).point
    point.states[1][0, 0] = .nan
    let certificate = lagrangian.certificate(at: point)
    #expect(certificate.primalResidual.isNaN)
    #expect(certificate.multiplierNorms.count == 3 && certificate.multiplierNorms[0] == 0)
  }
}
