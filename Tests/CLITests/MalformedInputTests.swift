import Foundation
import KKTNet
import TestSupport
import Testing

/// A corpus of malformed files, each crafted to break one rule of the safetensors or CSV format or of a
/// model's structure. Each must give exit status 1, one sentence on standard error naming the problem,
/// nothing on standard output, and no output file.
@Suite("Malformed input corpus")
struct MalformedInputTests {
  struct Case: Sendable, CustomStringConvertible {
    let name: String
    let bytes: [UInt8]
    let message: String
    var description: String { name }
  }

  static func header(_ entries: String, metadata: String? = #"{"activations":"tanh,identity","loss":"mse"}"#) -> String
  {
    "{" + (metadata.map { "\"__metadata__\":\($0)," } ?? "") + entries + "}"
  }

  /// A valid 2-3-1 network: layers.0.weight [3,2] (48 bytes), layers.0.bias [3] (24), layers.1.weight [1,3] (24),
  /// layers.1.bias [1] (8): 104 bytes in all.
  static let validEntries =
    #""layers.0.weight":{"dtype":"F64","shape":[3,2],"data_offsets":[0,48]},"layers.0.bias":{"dtype":"F64","shape":[3],"data_offsets":[48,72]},"layers.1.weight":{"dtype":"F64","shape":[1,3],"data_offsets":[72,96]},"layers.1.bias":{"dtype":"F64","shape":[1],"data_offsets":[96,104]}"#
  static let validBuffer = littleEndianDoubles((0..<13).map { Double($0) / 10 })

  static func littleEndianDoubles(_ values: [Double]) -> [UInt8] {
    values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt64($0))) } }
  }

  static func file(_ header: String, buffer: [UInt8] = validBuffer, declaredLength: UInt64? = nil) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    let length = declaredLength ?? UInt64(headerBytes.count)
    return (0..<8).map { UInt8((length >> (8 * UInt64($0))) & 0xFF) } + headerBytes + buffer
  }

  static func entries(replacing old: String, with new: String) -> String {
    precondition(validEntries.contains(old), "\(old) is not in the valid header")
    return validEntries.replacingOccurrences(of: old, with: new)
  }

  static let safetensorsCases: [Case] = [
    Case(name: "shorter than 8 bytes", bytes: [1, 2, 3], message: "too short for the 8-byte header length"),
    Case(name: "empty file", bytes: [], message: "too short"),
    Case(
      name: "header length past the end", bytes: file(header(validEntries), declaredLength: 5000),
      message: "runs past the end of the file"),
    Case(
      name: "header length over 100 MB", bytes: file(header(validEntries), declaredLength: 1 << 40),
      message: "over the 100 MB limit"),
    Case(
      name: "header not UTF-8",
      bytes: file("{\u{FF}}", buffer: []).enumerated().map { $0.offset == 9 ? 0xFF : $0.element },
      message: "not valid UTF-8"),
    Case(
      name: "header not starting with {", bytes: file(" " + header(validEntries)), message: "does not start with '{'"),
    Case(name: "header is an array", bytes: file("[]", buffer: []), message: "does not start with '{'"),
    Case(
      name: "invalid JSON: unclosed object", bytes: file(String(header(validEntries).dropLast())),
      message: "invalid JSON"),
    Case(name: "invalid JSON: trailing comma", bytes: file(header(validEntries + ",")), message: "invalid JSON"),
    Case(name: "padding that is not spaces", bytes: file(header(validEntries) + "\u{0}\u{0}"), message: "invalid JSON"),
    Case(
      name: "duplicate tensor names",
      bytes: file(
        header(validEntries + #","layers.0.bias":{"dtype":"F64","shape":[3],"data_offsets":[104,128]}"#),
        buffer: validBuffer + [UInt8](repeating: 0, count: 24)), message: "duplicate name 'layers.0.bias'"),
    Case(
      name: "unknown dtype",
      bytes: file(header(entries(replacing: #"{"dtype":"F64","shape":[3],"#, with: #"{"dtype":"F128","shape":[3],"#))),
      message: "unknown dtype 'F128'"),
    Case(
      name: "unsupported dtype",
      bytes: file(
        header(entries(replacing: #""layers.1.bias":{"dtype":"F64""#, with: #""layers.1.bias":{"dtype":"I64""#))),
      message: "dtype I64, which KKTNet does not read"),
    Case(
      name: "shape not an array", bytes: file(header(entries(replacing: #""shape":[1],"#, with: #""shape":1,"#))),
      message: "shape is not an array"),
    Case(
      name: "negative dimension", bytes: file(header(entries(replacing: #""shape":[1],"#, with: #""shape":[-1],"#))),
      message: "not a non-negative integer"),
    Case(
      name: "three data offsets", bytes: file(header(entries(replacing: "[96,104]", with: "[96,104,8]"))),
      message: "data_offsets must be two non-negative integers"),
    Case(
      name: "offsets ending before they begin", bytes: file(header(entries(replacing: "[96,104]", with: "[104,96]"))),
      message: "end before they begin"),
    Case(
      name: "offsets disagree with shape",
      bytes: file(
        header(
          entries(replacing: #""shape":[1,3],"data_offsets":[72,96]"#, with: #""shape":[1,2],"data_offsets":[72,96]"#))),
      message: "span 24 bytes, but shape [1, 2] of F64 needs 16"),
    Case(
      name: "overlapping offsets",
      bytes: file(header(entries(replacing: #""data_offsets":[48,72]"#, with: #""data_offsets":[40,64]"#))),
      message: "overlapping"),
    Case(
      name: "hole between tensors",
      bytes: file(
        header(entries(replacing: #""data_offsets":[96,104]"#, with: #""data_offsets":[104,112]"#)),
        buffer: validBuffer + [UInt8](repeating: 0, count: 8)), message: "leaving a hole after byte 96"),
    Case(
      name: "hole at the start",
      bytes: file(
        header(
          validEntries.replacingOccurrences(of: "[0,48]", with: "[8,56]").replacingOccurrences(
            of: "[48,72]", with: "[56,80]"
          ).replacingOccurrences(of: "[72,96]", with: "[80,104]").replacingOccurrences(
            of: "[96,104]", with: "[104,112]")), buffer: validBuffer + [UInt8](repeating: 0, count: 8)),
      message: "leaving a hole after byte 0"),
    Case(
      name: "buffer longer than the last offset",
      bytes: file(header(validEntries), buffer: validBuffer + [0, 0, 0, 0]),
      message: "the data buffer holds 108 bytes but the tensors end at byte 104"),
    Case(
      name: "truncated buffer", bytes: Array(file(header(validEntries)).dropLast(16)),
      message: "the data buffer holds 88 bytes but the tensors end at byte 104"),
    Case(
      name: "metadata value not a string",
      bytes: file(header(validEntries, metadata: #"{"activations":"tanh,identity","l2":0.5}"#)),
      message: "__metadata__ entry 'l2' is a number, not a string"),
    Case(
      name: "metadata not an object", bytes: file(header(validEntries, metadata: #"["tanh"]"#)),
      message: "__metadata__ is an array, not an object"),
    Case(
      name: "entry without dtype",
      bytes: file(header(entries(replacing: #"{"dtype":"F64","shape":[1],"#, with: #"{"shape":[1],"#))),
      message: "tensor 'layers.1.bias' has no dtype"),
    Case(
      name: "entry with an unknown field",
      bytes: file(header(entries(replacing: #""shape":[1],"#, with: #""shape":[1],"stride":[1],"#))),
      message: "has an unknown field 'stride'"),
    Case(
      name: "entry that is not an object", bytes: file(header(validEntries + #","extra":7"#)),
      message: "tensor 'extra' is a number, not an object"),
    // Structure of the network.
    Case(
      name: "missing bias",
      bytes: file(
        header(
          validEntries.replacingOccurrences(
            of: #","layers.1.bias":{"dtype":"F64","shape":[1],"data_offsets":[96,104]}"#, with: "")),
        buffer: Array(validBuffer.prefix(96))), message: "tensor 'layers.1.bias' is missing"),
    Case(
      name: "shapes that do not connect",
      bytes: file(
        header(
          entries(replacing: #""shape":[1,3],"data_offsets":[72,96]"#, with: #""shape":[3,1],"data_offsets":[72,96]"#)
            .replacingOccurrences(
              of: #""shape":[1],"data_offsets":[96,104]"#, with: #""shape":[3],"data_offsets":[96,120]"#)),
        buffer: validBuffer + [UInt8](repeating: 0, count: 16)),
      message: "'layers.1.weight' takes 1 inputs, but layers.0.weight gives 3 outputs"),
    Case(
      name: "bias of the wrong length",
      bytes: file(
        header(
          entries(replacing: #""shape":[3],"data_offsets":[48,72]"#, with: #""shape":[2],"data_offsets":[48,64]"#)
            .replacingOccurrences(of: "[72,96]", with: "[64,88]").replacingOccurrences(of: "[96,104]", with: "[88,96]")),
        buffer: Array(validBuffer.prefix(96))), message: "'layers.0.bias' has shape [2], but layers.0.weight has 3 rows"
    ),
    Case(
      name: "one-dimensional weight",
      bytes: file(header(entries(replacing: #""shape":[1,3],"#, with: #""shape":[3],"#))),
      message: "a weight must be 2-D"),
    Case(
      name: "layer index gap",
      bytes: file(header(validEntries.replacingOccurrences(of: "layers.1.", with: "layers.2."))),
      message: "'layers.1.weight' is missing"),
    Case(
      name: "tensor outside the model",
      bytes: file(header(validEntries.replacingOccurrences(of: "layers.1.bias", with: "head.bias"))),
      message: "tensor 'head.bias' is not part of a KKTNet model"),
    Case(
      name: "NaN weight",
      bytes: file(header(validEntries), buffer: littleEndianDoubles([0, 1, .nan] + (3..<13).map(Double.init))),
      message: "'layers.0.weight' holds nan at row 1, column 0"),
    Case(
      name: "no activations metadata", bytes: file(header(validEntries, metadata: #"{"loss":"mse"}"#)),
      message: "no 'activations' metadata"),
    Case(
      name: "too few activations", bytes: file(header(validEntries, metadata: #"{"activations":"tanh"}"#)),
      message: "the model has 2 layers but 1 activations"),
    Case(
      name: "unknown activation", bytes: file(header(validEntries, metadata: #"{"activations":"tanh,swish"}"#)),
      message: "unknown activation 'swish'"),
    Case(
      name: "loss that cannot follow the output",
      bytes: file(header(validEntries, metadata: #"{"activations":"tanh,tanh","loss":"ce"}"#)),
      message: "the loss ce needs a softmax output layer"),
  ]

  static let csvCases: [(name: String, text: String, message: String)] = [
    ("empty CSV", "", "the file is empty"),
    ("header only", "a,b,y\n", "a header but no data rows"),
    ("no header", "1,2,3\n4,5,6\n", "line 1 must be a header of column names"),
    ("ragged row, too few cells", "a,b,y\n1,2,3\n4,5\n", "line 3 has 2 cells, but the header has 3 columns"),
    ("ragged row, too many cells", "a,b,y\n1,2,3,4\n", "line 2 has 4 cells"),
    ("non-numeric cell", "a,b,y\n1,abc,3\n", "line 2, column 2 ('b') holds 'abc', which is not a number"),
    ("NaN", "a,b,y\n1,2,3\nNaN,2,3\n", "line 3, column 1 ('a') holds NaN"),
    ("infinity", "a,b,y\n1,-inf,3\n", "line 2, column 2 ('b') holds an infinite value"),
    ("empty cell", "a,b,y\n1,,3\n", "line 2, column 2 ('b') is empty"),
    ("hexadecimal number", "a,b,y\n0x1p3,2,3\n", "holds '0x1p3', which is not a number"),
    ("overflowing number", "a,b,y\n1e999,2,3\n", "too large for a double"),
    ("unclosed quote", "a,b,y\n\"1,2,3\n", "line 2: a quoted field is not closed"),
    ("duplicate column names", "a,a,y\n1,2,3\n", "names column 'a' twice"),
    ("empty column name", "a,,y\n1,2,3\n", "the name of column 2 in the header is empty"),
    ("blank line inside", "a,b,y\n1,2,3\n\n4,5,6\n", "line 3 is empty"),
    ("too many input columns", "a,b,c,y\n1,2,3,4\n", "the file has 3 input columns, but the model takes 2"),
  ]

  func expectClean(_ result: CommandResult, _ message: String, output: String?) {
    #expect(result.status == 1, "exit \(result.status): \(result.standardError)")
    let lines = result.standardError.split(separator: "\n")
    #expect(lines.count == 1, "\(result.standardError)")
    #expect(result.standardError.contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
    if let output { #expect(!FileManager.default.fileExists(atPath: output)) }
  }

  @Test("malformed safetensors files", arguments: safetensorsCases)
  func safetensors(_ c: Case) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("bad.safetensors")
    let data = folder.appendingPathComponent("data.csv")
    let out = folder.appendingPathComponent("out.csv").path
    try Data(c.bytes).write(to: model)
    try "a,b,y\n1,2,3\n".write(to: data, atomically: true, encoding: .utf8)
    let result = try runKKTNet(["predict", "--model", model.path, "--data", data.path, "--out", out])
    expectClean(result, c.message, output: out)
    #expect(result.standardError.contains("bad.safetensors"), "the sentence names the file: \(result.standardError)")
  }

  @Test("malformed CSV files", arguments: csvCases.map(\.name))
  func csv(_ name: String) throws {
    let c = Self.csvCases.first { $0.name == name }!
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("good.safetensors").path
    try Data(Self.file(Self.header(Self.validEntries))).write(to: URL(fileURLWithPath: model))
    let data = folder.appendingPathComponent("bad.csv").path
    try c.text.write(toFile: data, atomically: true, encoding: .utf8)
    let out = folder.appendingPathComponent("out.csv").path
    let result = try runKKTNet(["predict", "--model", model, "--data", data, "--out", out])
    expectClean(result, c.message, output: out)
    #expect(result.standardError.contains("bad.csv"), "the sentence names the file: \(result.standardError)")
  }

  @Test(
    "target problems in CSV files",
    arguments: [
      (["--target", "z"], "a,b,y\n1,2,3\n", "mse", "there is no column 'z'; the columns are a, b, y"),
      (
        [], "a,b,y\n1,2,0.5\n1,2,1\n", "ce",
        "line 2, column 3 ('y') holds 0.5, but a class label for ce must be an integer"
      ),
      ([], "a,b,y\n1,2,1.5\n", "bce", "holds 1.5, but bce targets must lie in [0, 1]"),
      ([], "a,b,y\n1,2,4\n1,2,4\n", "ce", "holds a single class; ce needs at least two"),
      ([], "a,b,y\n1,2,0\n1,2,1\n1,2,2\n", "ce", "the data has 3 classes, but the model has 2 outputs"),
      ([], "a,b,y\n\u{FF}\n", "mse", "the file is not UTF-8 text"),
    ] as [([String], String, String, String)])
  func targets(_ flags: [String], _ text: String, _ loss: String, _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("m.safetensors").path
    let activations = loss == "ce" ? "tanh,softmax" : loss == "bce" ? "tanh,sigmoid" : "tanh,identity"
    let outputs = loss == "ce" ? 2 : 1
    let created = try runKKTNet([
      "init", "--architecture", "2-3-\(outputs)", "--activations", activations, "--loss", loss, "--out", model,
    ])
    #expect(created.status == 0, "\(created.standardError)")
    let data = folder.appendingPathComponent("bad.csv")
    if text.unicodeScalars.contains("\u{FF}") {
      try Data([UInt8]("a,b,y\n".utf8) + [0xFF, 0x0A]).write(to: data)
    } else {
      try text.write(to: data, atomically: true, encoding: .utf8)
    }
    let result = try runKKTNet(["gradient", "--model", model, "--data", data.path] + flags)
    expectClean(result, message, output: nil)
  }

  @Test(
    "train refuses an output it could not write before it reads the data, not after training",
    arguments: ["--out", "--history", "--checkpoint"])
  func unwritableOutput(_ flag: String) throws {
    let result = try runKKTNet([
      "train", "--data", datasetPath("iris"), "--architecture", "4-5-3", "--loss", "ce", "--epochs", "2",
      flag, "/nonexistent/folder/file.out",
    ])
    expectClean(result, "the folder /nonexistent/folder does not exist", output: nil)
  }

  @Test("a missing file is one sentence too")
  func missingFile() throws {
    let result = try runKKTNet(["check", "--model", "/nonexistent/m.safetensors", "--data", datasetPath("iris")])
    expectClean(result, "/nonexistent/m.safetensors: no such file", output: nil)
  }
}
