import Foundation
import KKTNet
import TestSupport
import Testing

@testable import KKTNetCommandLine

/// Hostile input, category 4: messages stay short — a value quoted in a message is cut to about 60
/// characters with "…", whether it came from a file or the command line — and the unclear cases are
/// decided: duplicate targets, --init beside --model, predict's --format, the progress line's estimate.
@Suite("Hostile input: short messages and decided edge cases")
struct HostileMessageTests {
  @Test(
    "a huge value is quoted short, from a file or from a flag",
    arguments: ["cell", "column", "target", "architecture", "tensor", "activations"])
  func shortQuotes(_ kind: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let long = String(repeating: "9", count: kind == "cell" ? 5_000_000 : 100_000)
    let model = try writeModel("m.safetensors", in: folder, sizes: [2, 3, 1], activations: [.tanh, .identity])
    var arguments = ["check", "--model", model, "--data", try writeCSV("a,b,y\n1,2,3\n", "d.csv", in: folder)]
    switch kind {
    case "cell": arguments[4] = try writeCSV("a,b,y\n1,\(long)x,3\n", "cell.csv", in: folder)
    case "column": arguments[4] = try writeCSV("a,b\(long),y\n1,x,3\n", "column.csv", in: folder)
    case "target": arguments += ["--target", "y" + long]
    case "architecture": arguments = ["compare", "--architecture", "3-" + long + "-1"]
    case "activations": arguments += ["--activations", "tanh(" + long + ")"]
    default:
      var file = try SafetensorsFile.read(path: model)
      file.tensors.append(.init(name: "x" + long, shape: [1], values: [0]))
      try Data(file.encoded()).write(to: URL(fileURLWithPath: model))
    }
    let result = try runKKTNet(arguments)
    #expect(result.status == 1 || result.status == 64, "\(result.standardError.prefix(300))")
    let line = firstLine(result.standardError)
    #expect(line.count < 300, "\(line.count) characters: \(line.prefix(300))")
    #expect(line.contains("…"), "\(line)")
    #expect(result.standardError.count < 2000)
  }

  @Test(
    "the unclear cases are decided: a target named twice, --init beside --model",
    arguments: [
      (["--target", "y,y"], "--target names a column twice"),
      (["--target", "y, y"], "--target names a column twice"),
      (["--model", "MODEL", "--init", "he"], "--init he draws a new network's weights, but --model gives them"),
    ] as [([String], String)])
  func decided(_ flags: [String], _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = try writeModel("m.safetensors", in: folder, sizes: [4, 3, 1], activations: [.tanh, .identity])
    var arguments = ["train", "--data", datasetPath("iris")] + flags.map { $0 == "MODEL" ? model : $0 }
    if !flags.contains("--model") { arguments += ["--architecture", "4-3-1"] }
    let result = try runKKTNet(arguments)
    #expect(result.status == 64, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
  }

  @Test("predict --format json gives the columns and one list of outputs per sample, equal to the CSV's")
  func predictJSON() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = folder.appendingPathComponent("m.safetensors").path
    #expect(try runKKTNet(["init", "--architecture", "4-5-3", "--loss", "ce", "--out", model]).status == 0)
    let csv = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris")])
    let json = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris"), "--format", "json"])
    #expect(csv.status == 0 && json.status == 0, "\(json.standardError)")
    let report = try #require(json.json)
    #expect(report["columns"] as? [String] == ["y0", "y1", "y2"])
    let outputs = try #require(report["outputs"] as? [[Double]])
    let rows = csv.standardOutput.split(separator: "\n").dropFirst().map {
      $0.split(separator: ",").map { Double($0)! }
    }
    #expect(outputs.count == 150 && outputs == rows)
    // --out writes the same text.
    let out = folder.appendingPathComponent("p.json").path
    let written = try runKKTNet([
      "predict", "--model", model, "--data", datasetPath("iris"), "--format", "json", "--out", out,
    ])
    #expect(written.status == 0 && String(decoding: contents(out), as: UTF8.self) == json.standardOutput)
  }

  @Test("the progress line's estimate of the time left is bounded by the time limit and by sense")
  func remainingTime() {
    // Too early to extrapolate (0.01 % of a budget of Int.max epochs' updates): nothing, not ~8e13 s.
    #expect(ProgressLine.remaining(elapsed: 2, done: 10, budget: Int.max, timeLimit: nil) == nil)
    #expect(ProgressLine.remaining(elapsed: 2, done: 10, budget: Int.max, timeLimit: 30) == 30)
    // Half done in 10 s: 10 s left, or the time limit's 4 s if that is sooner.
    #expect(ProgressLine.remaining(elapsed: 10, done: 50, budget: 100, timeLimit: nil) == 10)
    #expect(ProgressLine.remaining(elapsed: 10, done: 50, budget: 100, timeLimit: 4) == 4)
    #expect(ProgressLine.duration(42) == "42s" && ProgressLine.duration(7200) == "2.0h")
    #expect(ProgressLine.duration(8e13) == "more than a year")
  }
}
