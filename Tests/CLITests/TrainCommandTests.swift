import Foundation
import KKTNet
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite("kktnet train and compare-solvers")
struct TrainCommandTests {
  static let wine = [
    "--data", datasetPath("wine"), "--architecture", "13-8-3", "--loss", "ce", "--standardize", "--validation-split",
    "0.25",
  ]

  @Test("JSON report: final and validation loss, accuracy, iterations, termination, history")
  func jsonReport() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("wine.safetensors").path
    let result = try runKKTNet(
      ["train"] + Self.wine + [
        "--solver", "adam", "--learning-rate", "0.01", "--epochs", "30", "--format", "json", "--out", out,
      ])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardError.isEmpty, "no progress line when standard error is not a terminal")
    let json = try #require(result.json)
    for key in [
      "final_loss", "validation_loss", "iterations", "termination", "history", "validation_accuracy",
      "training_accuracy",
    ] {
      #expect(json[key] != nil, "missing \(key)")
    }
    let history = try #require(json["history"] as? [[String: Any]])
    #expect(history.count == 31)
    #expect(json["termination"] as? String == "maximum_iterations")
    // The written model reproduces the reported loss, with the standardization in its metadata.
    let model = try ModelFile.read(path: out)
    #expect(model.standardization != nil && model.classes == [0, 1, 2])
    let predict = try runKKTNet(["predict", "--model", out, "--data", datasetPath("wine")])
    #expect(predict.status == 0 && predict.standardOutput.split(separator: "\n").count == 179)
  }

  @Test("mse reports R², and Gauss–Newton and Levenberg–Marquardt train from a model file")
  func regression() throws {
    for solver in ["gauss-newton", "levenberg-marquardt"] {
      let result = try runKKTNet([
        "train", "--model", repositoryRoot.appendingPathComponent("bench/P2.safetensors").path, "--data",
        datasetPath("diabetes"),
        "--standardize", "--standardize-targets", "--validation-split", "0.2", "--solver", solver, "--max-iterations",
        "15",
        "--format", "json",
      ])
      #expect(result.status == 0, "\(result.standardError)")
      let json = try #require(result.json)
      // From this start Gauss–Newton halves most steps and stops early on validation; LM gets going (its
      // trust region stops early too, at the validated best: R² 0.51 on the held-out samples).
      #expect(json["training_r2"] is Double)
      #expect(try #require(json["validation_r2"] as? Double) > (solver == "levenberg-marquardt" ? 0.5 : 0))
      let history = try #require(json["history"] as? [[String: Any]])
      #expect(try #require(json["final_loss"] as? Double) < history[0]["loss"] as! Double)
    }
  }

  @Test(
    "a run resumed from its checkpoint ends bit for bit where the uninterrupted run ends",
    arguments: ["minibatch", "levenberg-marquardt"])
  func resume(_ solver: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = { folder.appendingPathComponent($0).path }
    let flags =
      Self.wine + [
        "--solver", solver, "--epochs", solver == "minibatch" ? "40" : "30", "--batch-size", "16", "--schedule",
        "cosine", "--quiet", "--patience", "1000",
      ]
    let whole = try runKKTNet(["train"] + flags + ["--out", path("whole.safetensors")])
    #expect(whole.status == 0, "\(whole.standardError)")
    // The same run, checkpointed; the checkpoint then holds the state at the last multiple of 7.
    let checkpointed = try runKKTNet(
      ["train"] + flags + ["--checkpoint", path("state.safetensors"), "--checkpoint-every", "7"])
    #expect(checkpointed.status == 0, "\(checkpointed.standardError)")
    let resumed = try runKKTNet(
      ["train"] + flags + ["--resume", path("state.safetensors"), "--out", path("resumed.safetensors")])
    #expect(resumed.status == 0, "\(resumed.standardError)")
    let a = try SafetensorsFile.read(path: path("whole.safetensors")).tensors
    let b = try SafetensorsFile.read(path: path("resumed.safetensors")).tensors
    #expect(a.map { $0.values.map(\.bitPattern) } == b.map { $0.values.map(\.bitPattern) })
    // A setting that changes the trajectory is refused, naming only that setting; the budget may change.
    let changed = solver == "minibatch" ? ["--learning-rate", "0.3"] : ["--damping", "trainlm"]
    let mismatch = try runKKTNet(["train"] + flags + changed + ["--resume", path("state.safetensors")])
    #expect(mismatch.status == 1)
    #expect(mismatch.standardError.contains("\(changed[0]) was"), "\(mismatch.standardError)")
    #expect(!mismatch.standardError.contains("--epochs"), "\(mismatch.standardError)")
    let patience = try runKKTNet(
      ["train"] + flags.dropLast(2) + ["--patience", "5", "--resume", path("state.safetensors")])
    #expect(patience.status == 0, "\(patience.standardError)")
  }

  @Test(
    "a finished run continued with a larger budget ends bit for bit where the longer uninterrupted run ends",
    arguments: [
      ["--solver", "adam", "--batch-size", "16", "--learning-rate", "0.01"],
      ["--solver", "nesterov", "--batch-size", "20", "--schedule", "cosine", "--cosine-horizon", "300"],
      ["--solver", "levenberg-marquardt"],
    ])
  func extend(_ solverFlags: [String]) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = { folder.appendingPathComponent($0).path }
    let flags = ["train"] + Self.wine + solverFlags + ["--quiet", "--patience", "1000"]
    let long = try runKKTNet(flags + ["--epochs", "12", "--out", path("long.safetensors")])
    #expect(long.status == 0, "\(long.standardError)")
    let short = try runKKTNet(
      flags + ["--epochs", "5", "--checkpoint", path("state.safetensors"), "--checkpoint-every", "1000"])
    #expect(short.status == 0, "\(short.standardError)")
    let extended = try runKKTNet(
      flags + ["--epochs", "12", "--resume", path("state.safetensors"), "--out", path("extended.safetensors")])
    #expect(extended.status == 0, "\(extended.standardError)")
    let a = try SafetensorsFile.read(path: path("long.safetensors")).tensors
    let b = try SafetensorsFile.read(path: path("extended.safetensors")).tensors
    #expect(a.map { $0.values.map(\.bitPattern) } == b.map { $0.values.map(\.bitPattern) })
  }

  @Test("a run killed at random moments leaves a complete checkpoint that resumes to the uninterrupted result")
  func killedRuns() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let checkpoint = folder.appendingPathComponent("state.safetensors").path
    let flags = [
      "train", "--data", datasetPath("digits"), "--architecture", "64-24-10", "--loss", "ce", "--standardize",
      "--solver", "sgd", "--epochs", "3", "--quiet", "--checkpoint", checkpoint, "--checkpoint-every", "10",
    ]
    var random = RandomSource(seed: 3)
    var interrupted = 0
    for _ in 0..<6 {
      let before = fileIdentity(checkpoint)
      let process = Process()
      process.executableURL = kktnetExecutable()
      process.arguments = flags
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // Wait (up to two minutes) for this run's first checkpoint: a new file replaced the old one.
      let written = waitUntil(seconds: 120) { !process.isRunning || fileIdentity(checkpoint) != before }
      #expect(written, "no checkpoint within two minutes")
      // Then a random moment within the next 300 ms.
      usleep(UInt32(random.nextIndex(below: 300_000)))
      if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        interrupted += 1
      }
      process.waitUntilExit()
      // Whatever the moment, the checkpoint is a whole file: the old one or the new one.
      let model = try ModelFile.read(path: checkpoint)
      #expect(model.extraMetadata["state.checkpoint"] != nil)
    }
    #expect(interrupted > 0, "the runs finished before they could be killed")
    let out = folder.appendingPathComponent("resumed.safetensors").path
    let resumed = try runKKTNet(Array(flags.dropLast(4)) + ["--resume", checkpoint, "--out", out])
    #expect(resumed.status == 0, "\(resumed.standardError)")
    let reference = folder.appendingPathComponent("reference.safetensors").path
    _ = try runKKTNet(Array(flags.dropLast(4)) + ["--out", reference])
    #expect(
      try SafetensorsFile.read(path: out).tensors.map(\.values)
        == SafetensorsFile.read(path: reference).tensors.map(\.values))
  }

  @Test("--plot writes SVG that parses as XML and holds both curves; --history writes CSV or JSON lines")
  func plotAndHistory() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let svg = folder.appendingPathComponent("loss.svg").path
    let csv = folder.appendingPathComponent("history.csv").path
    let jsonl = folder.appendingPathComponent("history.jsonl").path
    let flags = ["train"] + Self.wine + ["--solver", "momentum", "--epochs", "12", "--quiet", "--plot", svg]
    #expect(try runKKTNet(flags + ["--history", csv]).status == 0)
    #expect(try runKKTNet(flags + ["--history", jsonl]).status == 0)
    let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: svg)))
    let collector = PolylineCollector()
    parser.delegate = collector
    #expect(parser.parse(), "the SVG is not well-formed XML")
    #expect(collector.polylines == 2)
    #expect(collector.texts.contains("training loss") && collector.texts.contains("validation loss"))
    #expect(collector.texts.contains("epoch"))
    let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
    #expect(rows.count == 14 && rows[0].hasPrefix("iteration,epoch,loss"))
    let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 13)
    #expect(lines.allSatisfy { (try? JSONValue.parse(Array($0.utf8))) != nil })
  }

  @Test(
    "bad training flags are usage errors; a bad combination is one sentence",
    arguments: [
      (["--solver", "rmsprop"], 64, "rmsprop"),
      (["--validation-split", "1.5"], 64, "--validation-split must lie strictly between 0 and 1"),
      (["--epochs", "3", "--max-iterations", "4"], 64, "give --epochs or --max-iterations, not both"),
      (["--solver", "levenberg-marquardt", "--l1", "0.1"], 64, "not the L1 penalty"),
      (["--solver", "levenberg-marquardt", "--linear-solver", "qr"], 64, "QR needs the residual Jacobian"),
      (["--plot", "loss.png"], 64, "--plot writes SVG"),
      (["--validation", "0.2"], 64, "give --validation-split 0.2"),
    ] as [([String], Int32, String)])
  func badFlags(_ flags: [String], _ status: Int32, _ message: String) throws {
    let result = try runKKTNet(["train"] + Self.wine + flags)
    #expect(result.status == status, "\(result.standardError)")
    #expect(result.standardError.contains(message), "\(result.standardError)")
  }

  @Test("compare-solvers trains every solver from the same start and prints one row each")
  func compareSolvers() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let svg = folder.appendingPathComponent("curves.svg").path
    let result = try runKKTNet(
      [
        "compare-solvers"
      ] + Self.wine + [
        "--solvers", "gd,adam,levenberg-marquardt", "--epochs", "10", "--format", "json", "--plot", svg,
      ])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    let rows = try #require(json["solvers"] as? [[String: Any]])
    #expect(rows.map { $0["solver"] as? String } == ["gd", "adam", "levenberg-marquardt"])
    for row in rows {
      let history = try #require(row["history"] as? [[String: Any]])
      // One start for all: the same initial loss.
      #expect(history[0]["loss"] as? Double == (rows[0]["history"] as! [[String: Any]])[0]["loss"] as? Double)
      #expect(row["validation_accuracy"] is Double && row["wall_time_s"] is Double)
    }
    let collector = PolylineCollector()
    let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: svg)))
    parser.delegate = collector
    #expect(parser.parse() && collector.polylines == 3)
  }
}

/// Counts the polylines and collects the text of an SVG.
final class PolylineCollector: NSObject, XMLParserDelegate {
  var polylines = 0
  var texts: [String] = []
  private var current = ""

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
    attributes attributeDict: [String: String] = [:]
  ) {
    if elementName == "polyline" { polylines += 1 }
    current = ""
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
  ) {
    if elementName == "text" { texts.append(current) }
  }
}
