import Foundation
import KKTNet
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Hostile input, category 3: outputs never damage anything. A device or FIFO is written through, a
/// symbolic link followed (its target replaced, the link kept), a file's mode kept; an output that is an
/// input or another output is refused before any work, compared by device and inode; every output path is
/// checked before the run; SIGINT and SIGTERM leave no temporary file, and those of killed runs are swept.
@Suite("Hostile input: outputs never damage anything")
struct HostileFileTests {
  /// A folder with a 4-3-3 classifier `m.safetensors` and the path of the iris data.
  static func modelFolder() throws -> (folder: URL, model: String) {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("m.safetensors").path
    let made = try runKKTNet(["init", "--architecture", "4-3-3", "--loss", "ce", "--out", model])
    #expect(made.status == 0, "\(made.standardError)")
    return (folder, model)
  }

  @Test("a device is written through, never replaced: --out /dev/null stays a character device")
  func device() throws {
    let (folder, model) = try Self.modelFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for arguments in [
      ["predict", "--model", model, "--data", datasetPath("iris"), "--out", "/dev/null"],
      ["init", "--architecture", "2-2-1", "--out", "/dev/null"],
      [
        "train", "--data", datasetPath("iris"), "--architecture", "4-2-3", "--loss", "ce", "--epochs", "1", "--quiet",
        "--out", "/dev/null", "--history", folder.appendingPathComponent("h.csv").path,
      ],
    ] {
      let result = try runKKTNet(arguments)
      #expect(result.status == 0, "\(arguments[0]): \(result.standardError)")
      #expect(fileKind("/dev/null") == .characterDevice)
    }
  }

  @Test("a FIFO is written through: its reader gets the predictions, and it stays a FIFO")
  func fifo() throws {
    let (folder, model) = try Self.modelFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("pipe").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var received = Data()
    DispatchQueue.global().async {
      if let reader = FileHandle(forReadingAtPath: fifo) { received = reader.readDataToEndOfFile() }
      done.signal()
    }
    let result = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris"), "--out", fifo])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(done.wait(timeout: .now() + 60) == .success)
    #expect(String(decoding: received, as: UTF8.self).hasPrefix("y0,y1,y2\n"))
    #expect(String(decoding: received, as: UTF8.self).split(separator: "\n").count == 151)
    #expect(fileKind(fifo) == .fifo)
  }

  @Test("a symbolic link is followed: its target is replaced atomically with its mode, and the link stays")
  func symbolicLink() throws {
    let (folder, model) = try Self.modelFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let target = folder.appendingPathComponent("real.csv").path
    let link = folder.appendingPathComponent("link.csv").path
    try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
    #expect(chmod(target, 0o640) == 0)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.csv")
    let before = try #require(fileIdentity(target))
    let result = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris"), "--out", link])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(fileKind(link) == .symbolicLink)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.csv")
    #expect(fileKind(target) == .regular)
    #expect(fileIdentity(target) != before, "the target is a new file, renamed into place")
    #expect(fileMode(target) == 0o640)
    #expect(String(decoding: contents(target), as: UTF8.self).hasPrefix("y0,y1,y2\n"))
    // A dangling link names the file to create.
    let dangling = folder.appendingPathComponent("dangling.csv").path
    try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "made.csv")
    let made = try runKKTNet(["predict", "--model", model, "--data", datasetPath("iris"), "--out", dangling])
    #expect(made.status == 0, "\(made.standardError)")
    #expect(fileKind(dangling) == .symbolicLink)
    #expect(fileKind(folder.appendingPathComponent("made.csv").path) == .regular)
    #expect(temporaryFiles(in: folder).isEmpty)
  }

  @Test("an existing file keeps its mode", arguments: [0o600, 0o644, 0o755])
  func mode(_ mode: Int) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("m.safetensors").path
    try "old".write(toFile: out, atomically: false, encoding: .utf8)
    #expect(chmod(out, mode_t(mode)) == 0)
    let result = try runKKTNet(["init", "--architecture", "2-2-1", "--out", out])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(fileMode(out) == mode)
    #expect((try? ModelFile.read(path: out)) != nil)
  }

  @Test(
    "an output that is an input, or another output, is refused before any work, however it is spelled",
    arguments: [
      ("predict --model M --data D --out M", "--out names the --model file"),
      ("predict --model M --data D --out ./D", "--out names the --data file"),
      ("predict --model M --data D --out HARD", "--out names the --model file"),
      ("predict --model M --data D --out ALIAS", "--out names the --data file"),
      ("train --data D --architecture 4-3-3 --loss ce --history D", "--history names the --data file"),
      (
        "train --data D --architecture 4-3-3 --loss ce --out new.st --history ./new.st",
        "--out and --history name the same file"
      ),
      (
        "train --data D --architecture 4-3-3 --loss ce --out sub/../x.st --checkpoint x.st",
        "--out and --checkpoint name the same file"
      ),
      (
        "train --data D --architecture 4-3-3 --loss ce --resume M --checkpoint M",
        "--checkpoint names the --resume file"
      ),
    ])
  func outputIsInput(_ line: String, _ message: String) throws {
    let (folder, model) = try Self.modelFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = folder.appendingPathComponent("d.csv").path
    try FileManager.default.copyItem(atPath: datasetPath("iris"), toPath: data)
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
    #expect(link(model, folder.appendingPathComponent("hard.st").path) == 0)
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("alias.csv").path, withDestinationPath: "d.csv")
    let (modelBytes, dataBytes) = (contents(model), contents(data))
    let arguments = line.split(separator: " ").map { word -> String in
      switch word {
      case "M": return "m.safetensors"
      case "D": return "d.csv"
      case "./D": return "./d.csv"
      case "HARD": return "hard.st"
      case "ALIAS": return "alias.csv"
      default: return String(word)
      }
    }
    let result = try runKKTNet(arguments, in: folder)
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty, "nothing ran")
    #expect(contents(model) == modelBytes && contents(data) == dataBytes)
    #expect(fileKind(folder.appendingPathComponent("new.st").path) == .missing)
    #expect(fileKind(folder.appendingPathComponent("x.st").path) == .missing)
  }

  @Test(
    "every output path is checked before the run: empty, a folder, no folder, under a file, /proc",
    arguments: [
      ("", "an output path is empty"),
      ("FOLDER", "is a folder, not a file"),
      ("FOLDER/", "the path ends with '/', which names a folder"),
      ("missing/out.st", "cannot write the file: the folder"),
      ("d.csv/out.st", "is not a folder"),
      ("/proc/kktnet-test", "/proc/kktnet-test: cannot write the file"),
    ])
  func outputPaths(_ path: String, _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.copyItem(atPath: datasetPath("iris"), toPath: folder.appendingPathComponent("d.csv").path)
    let out = path.replacingOccurrences(of: "FOLDER", with: folder.path)
    let result = try runKKTNet(
      ["train", "--data", "d.csv", "--architecture", "4-3-3", "--loss", "ce", "--epochs", "1", "--out", out], in: folder
    )
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty, "the run did not start")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["d.csv"])
  }

  @Test(
    "SIGINT and SIGTERM end a training run cleanly: 130/143, a whole checkpoint, no temporary file",
    arguments: [SIGINT, SIGTERM])
  func stopTraining(_ number: Int32) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let checkpoint = folder.appendingPathComponent("state.safetensors").path
    let process = Process()
    process.executableURL = kktnetExecutable()
    process.arguments = [
      "train", "--data", datasetPath("iris"), "--architecture", "4-8-3", "--loss", "ce", "--solver", "sgd", "--epochs",
      "100000", "--quiet", "--checkpoint", checkpoint, "--checkpoint-every", "50", "--out",
      folder.appendingPathComponent("never.safetensors").path,
    ]
    let error = Pipe()
    process.standardError = error
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    #expect(waitUntil(seconds: 120) { fileKind(checkpoint) == .regular || !process.isRunning })
    kill(process.processIdentifier, number)
    let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == 128 + number, "\(text)")
    #expect(firstLine(text).contains("interrupted"), "\(text)")
    #expect(try ModelFile.read(path: checkpoint).extraMetadata["state.checkpoint"] != nil)
    #expect(fileKind(folder.appendingPathComponent("never.safetensors").path) == .missing)
    #expect(temporaryFiles(in: folder).isEmpty)
  }

  @Test("a signal while a temporary file exists leaves none: the write finishes first, then the command exits 130/143")
  func signalDuringWrite() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("big.safetensors").path
    var caught = 0
    for number in [SIGINT, SIGTERM] {
      let process = Process()
      process.executableURL = kktnetExecutable()
      process.arguments = ["init", "--architecture", "1000-2000-2000-10", "--out", out]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // The moment the temporary file exists (polled tightly: it lives for the write and fsync only).
      let deadline = Date().addingTimeInterval(300)
      while process.isRunning && temporaryFiles(in: folder).isEmpty && Date() < deadline { usleep(500) }
      if process.isRunning && !temporaryFiles(in: folder).isEmpty {
        kill(process.processIdentifier, number)
        caught += 1
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + number)
      } else {
        process.waitUntilExit()
      }
      #expect(temporaryFiles(in: folder).isEmpty)
      // The signal may have come during the check of the output before the work (a file created and
      // removed) or during the write itself: the destination is then absent or the whole new file.
      if fileKind(out) != .missing {
        #expect(try ModelFile.read(path: out).network.architecture.layerSizes == [1000, 2000, 2000, 10])
      }
    }
    #expect(caught > 0, "no write was caught in progress")
  }

  @Test("temporary files of dead processes are swept by the next write to their folder; live ones stay")
  func staleTemporaryFiles() throws {
    let (folder, model) = try Self.modelFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let finished = Process()
    finished.executableURL = URL(fileURLWithPath: "/bin/true")
    try finished.run()
    finished.waitUntilExit()
    let dead = finished.processIdentifier
    let stale = [".out.csv.tmp-\(dead)-1", ".m.safetensors.tmp-\(dead)-7"]
    let live = ".other.tmp-\(getpid())-3"
    for name in stale + [live, ".notours.tmp-x-1"] {
      try "partial".write(to: folder.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }
    let result = try runKKTNet([
      "predict", "--model", model, "--data", datasetPath("iris"), "--out",
      folder.appendingPathComponent("out.csv").path,
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
    for name in stale { #expect(!names.contains(name)) }
    #expect(names.contains(live) && names.contains(".notours.tmp-x-1"))
  }
}
