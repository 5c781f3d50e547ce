import Foundation
import KKTNet
import TestSupport
import Testing

/// Builds safetensors bytes from a header text and a buffer, with an optional false header length.
func safetensorsBytes(_ header: String, buffer: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
  let headerBytes = Array(header.utf8)
  let length = declaredLength ?? UInt64(headerBytes.count)
  return (0..<8).map { UInt8((length >> (8 * UInt64($0))) & 0xFF) } + headerBytes + buffer
}

func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
  values.flatMap { value in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}

@Suite("safetensors")
struct SafetensorsTests {
  @Test("write then read gives identical bits, names, shapes and metadata")
  func roundTrip() throws {
    var random = RandomSource(seed: 4)
    let special: [Double] = [0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1e-300, .pi]
    let file = SafetensorsFile(
      tensors: [
        .init(name: "layers.0.weight", shape: [3, 4], values: (0..<12).map { _ in random.nextNormal() }),
        .init(name: "special", shape: [6], values: special),
        .init(name: "empty", shape: [0, 5], values: []),
        .init(name: "scalar", shape: [], values: [42]),
        .init(name: "naïve \"quoted\" \\ name", shape: [1], values: [1]),
      ], metadata: ["activations": "tanh,identity", "note": "line\nbreak é"])
    let decoded = try SafetensorsFile.decode(file.encoded())
    #expect(decoded.metadata == file.metadata)
    #expect(decoded.tensors.map(\.name) == file.tensors.map(\.name))
    #expect(decoded.tensors.map(\.shape) == file.tensors.map(\.shape))
    for (a, b) in zip(decoded.tensors, file.tensors) {
      #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
    }
    // The buffer starts 8-byte aligned.
    let bytes = file.encoded()
    let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    #expect((8 + headerLength) % 8 == 0)
  }

  @Test("F32, F16 and BF16 tensors are read exactly")
  func narrowTypes() throws {
    let f32: [Float] = [1.5, -0.1, 3e38]
    let f16: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF, 0x3555]  // 1, −2, 2⁻²⁴, 65504, 0.333251953125
    let bf16: [UInt16] = [0x3F80, 0xC0A0]  // 1, −5
    let header =
      #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F16","shape":[5],"data_offsets":[12,22]},"c":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]}}"#
    let file = try SafetensorsFile.decode(
      safetensorsBytes(header, buffer: littleEndian(f32.map(\.bitPattern)) + littleEndian(f16) + littleEndian(bf16)))
    #expect(file["a"]?.values == f32.map(Double.init))
    #expect(file["b"]?.values == [1, -2, 0x1p-24, 65504, 0.333251953125])
    #expect(file["c"]?.values == [1, -5])
    #expect(file["b"]?.dataType == .f16)
  }

  @Test("a model file round-trips the network, its metadata and its standardization")
  func modelRoundTrip() throws {
    let architecture = try Architecture(layerSizes: [4, 5, 3], activations: [.elu(alpha: 0.5), .softmax])
    let network = try Network(
      architecture: architecture, loss: .softmaxCrossEntropy, regularization: Regularization(l1: 0.01, l2: 0.25),
      initialization: .xavierNormal, seed: 8)
    let model = ModelFile(
      network: network,
      standardization: Standardization(inputMean: [1, 2, 3, 4], inputScale: [0.5, 1, 2, 0.1]), classes: [0, 1, 7],
      extraMetadata: ["epoch": "3"])
    let read = try ModelFile.decode(SafetensorsFile.decode(model.safetensors.encoded()))
    #expect(read.network == network)
    #expect(read.standardization == model.standardization)
    #expect(read.classes == [0, 1, 7])
    #expect(read.extraMetadata == ["epoch": "3"])
  }

  @Test("the strict JSON reader rejects duplicates and accepts every escape")
  func json() throws {
    #expect(throws: InputError("invalid JSON: duplicate name 'a'")) {
      try JSONValue.parse(Array(#"{"a":1,"a":2}"#.utf8))
    }
    let value = try JSONValue.parse(Array(#"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#.utf8))
    #expect(value == .object([("s", .string("\"\\/\u{08}\u{0C}\n\r\té😀"))]))
    #expect(try JSONValue.parse(Array("[18446744073709551615]".utf8)) == .array([.number("18446744073709551615")]))
    for bad in ["{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\ud800\"", "nul", "{} x", String(repeating: "[", count: 100)]
    {
      #expect(throws: InputError.self, "\(bad)") { try JSONValue.parse(Array(bad.utf8)) }
    }
  }
}

@Suite("CSV datasets")
struct DatasetTests {
  @Test("iris: four inputs, the last column as target, one-hot for ce with sorted classes")
  func iris() throws {
    let regression = try Dataset.load(path: datasetPath("iris"), loss: .meanSquaredError)
    #expect(regression.inputs.rows == 4 && regression.sampleCount == 150)
    #expect(regression.targets.rows == 1)
    #expect(regression.inputs.column(0) == [5.1, 3.5, 1.4, 0.2])
    let classes = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    #expect(classes.classes == [0, 1, 2])
    #expect(classes.targets.rows == 3)
    #expect(classes.targets.column(0) == [1, 0, 0])
    #expect(classes.targets.column(149) == [0, 0, 1])
    #expect(classes.targetNames == ["target=0", "target=1", "target=2"])
  }

  @Test(
    "line ends \\n, \\r\\n and \\r, a byte-order mark and trailing blank lines all read the same table",
    arguments: ["\n", "\r\n", "\r"])
  func lineEnds(_ end: String) throws {
    let lines = ["a,b,y", "1,2,3", "4.5,\"6\",-7e-1"]
    let plain = try CSVTable.parse(lines.joined(separator: "\n"))
    for text in [lines.joined(separator: end), "\u{FEFF}" + lines.joined(separator: end) + end + end] {
      let table = try CSVTable.parse(text)
      #expect(table.header == ["a", "b", "y"])
      #expect(table.rows.map(\.cells) == plain.rows.map(\.cells))
      #expect(table.rows.map(\.line) == [2, 3])
    }
    #expect(plain.rows[1].cells == ["4.5", "6", "-7e-1"])
  }

  @Test("--target picks columns by name, in the order given")
  func namedTargets() throws {
    let data = try Dataset.load(
      path: datasetPath("iris"), targets: ["petal_width_cm", "sepal_length_cm"], loss: .meanSquaredError)
    #expect(data.inputNames == ["sepal_width_cm", "petal_length_cm", "target"])
    #expect(data.targets.column(0) == [0.2, 5.1])
  }

  @Test("standardization gives mean 0 and population deviation 1, and is undone exactly enough")
  func standardization() throws {
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let s = Standardization.fit(inputs: data.inputs, targets: data.targets)
    let x = s.standardizeInputs(data.inputs)
    for i in 0..<x.rows {
      let row = x.row(i)
      let mean = row.reduce(0, +) / Double(row.count)
      let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(row.count)
      #expect(abs(mean) < 1e-14)
      #expect(abs(variance - 1) < 1e-13)
    }
    let back = s.unstandardizeTargets(s.standardizeTargets(data.targets))
    #expect(relativeDifference(back.elements, data.targets.elements) < 1e-15)
  }

  @Test(
    "numbers must be decimal or exponent form",
    arguments: [
      ("1.5", 1.5), ("-2e3", -2000), (".5", 0.5), ("5.", 5), ("+7E-1", 0.7), ("0x10", nil), ("inf", nil), ("nan", nil),
      ("1e", nil), (" 1", nil), ("1_000", nil), ("", nil), ("-", nil),
    ] as [(String, Double?)])
  func decimals(_ text: String, _ expected: Double?) {
    #expect(parseDecimal(text) == expected)
  }
}
