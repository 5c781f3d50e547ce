import Foundation
import KKTNet
import TestSupport
import Testing

/// Hostile input, category 1: no trap from any input or flag. Sizes, counts and budgets are counted with
/// overflow-checked arithmetic; a large allocation is estimated first and refused with a sentence; a
/// checkpoint is checked against the data and the plan it claims.
@Suite("Hostile input: no trap from any size, count, budget or checkpoint")
struct HostileTrapTests {
  static let iris = datasetPath("iris")

  @Test(
    "sizes, counts and budgets beyond an Int are sentences, not overflow traps",
    arguments: [
      (
        ["train", "--data", iris, "--architecture", "3-9223372036854775807-1"], Int32(64),
        "the architecture 3-9223372036854775807-1 has more parameters than a 64-bit count holds"
      ),
      (
        ["init", "--architecture", "4-3037000500-3037000500-1", "--out", "never.safetensors"], 64,
        "has more parameters than a 64-bit count holds"
      ),
      (["compare", "--samples", "9223372036854775807"], 1, "samples needs more than 8 EB"),
      (["compare", "--samples", "9223372036854775808"], 64, "--samples"),
    ] as [([String], Int32, String)])
  func overflowingFlags(_ arguments: [String], _ status: Int32, _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKKTNet(arguments, in: folder)
    #expect(result.status == status, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("never.safetensors").path))
  }

  @Test("an epoch budget whose updates overflow saturates: the run goes on until its time limit")
  func overflowingBudget() throws {
    let result = try runKKTNet([
      "train", "--data", Self.iris, "--architecture", "4-3-3", "--loss", "ce", "--solver", "sgd", "--epochs",
      "61489146912365174", "--time-limit", "0.3", "--quiet", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.json?["termination"] as? String == "time_limit")
  }

  @Test(
    "an allocation beyond what the process may use is estimated first and refused with one sentence",
    arguments: [
      (
        ["init", "--architecture", "3-4294967296-1", "--out", "never.safetensors"],
        "a 3-4294967296-1 network needs 480 GB for its parameters and their file; this machine allows"
      ),
      (["compare", "--samples", "100000000"], "a 3-8-8-2 network on 100000000 samples needs"),
      (
        [
          "train", "--data", datasetPath("breast_cancer"), "--architecture", "30-200000-1", "--loss", "bce",
          "--solver", "levenberg-marquardt", "--out", "never.safetensors",
        ], "levenberg-marquardt on a 30-200000-1 network with 569 samples needs"
      ),
      (
        [
          "train", "--data", datasetPath("digits"), "--architecture", "64-40000-10", "--loss", "ce", "--solver",
          "gauss-newton", "--out", "never.safetensors",
        ], "for its M × M dual systems"
      ),
      (
        // Gauss–Newton with λ₂ > 0 has no dual system: the P × P normal matrix it would need is refused.
        [
          "train", "--data", datasetPath("digits"), "--architecture", "64-4000-10", "--loss", "ce", "--l2", "0.01",
          "--solver", "gauss-newton", "--out", "never.safetensors",
        ], "for its P × P normal matrices"
      ),
    ] as [([String], String)])
  func tooMuchMemory(_ arguments: [String], _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKKTNet(arguments, in: folder)
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).hasPrefix("Error: "), "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("never.safetensors").path))
  }

  /// Runs kktnet with `arguments` under an address-space limit of `kilobytes` (ulimit -v): its exit status
  /// and standard error.
  static func underAddressLimit(_ kilobytes: Int, _ arguments: [String]) throws -> (status: Int32, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ulimit -v \(kilobytes) && exec \"$0\" \"$@\"", kktnetExecutable().path] + arguments
    let error = Pipe()
    process.standardError = error
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
  }

  @Test("the address-space limit (ulimit -v) counts: what the process may use, not the machine's memory")
  func addressSpaceLimit() throws {
    // 3 000 000 kB = 2.86 GB of address space; the comparison on 3e6 samples needs about 15 GB.
    let (status, text) = try Self.underAddressLimit(3_000_000, ["compare", "--samples", "3000000"])
    #expect(status == 1, "\(text)")
    let allowed = try #require(text.range(of: "this machine allows ")).upperBound
    let figure = try #require(Double(text[allowed...].prefix { $0 != " " }))
    #expect(text[allowed...].contains("GB") && figure < 2.9, "\(text)")
  }

  @Test("least squares with M < P and a large P takes the dual system: its gigabytes are counted, no P × P")
  func shortJacobianOfALargeNetwork() throws {
    // 30-20000-1 on 569 samples: P = 640 001. The QR trust region would store R and S, P² doubles = 3.3 TB
    // each; the dual system needs about 12 GB (9.1 GB resident, measured). Under 7.6 GB of address space the
    // run is refused with a sentence that counts the dual system.
    let (status, text) = try Self.underAddressLimit(
      8_000_000,
      [
        "train", "--data", datasetPath("breast_cancer"), "--architecture", "30-20000-1", "--loss", "mse",
        "--solver", "levenberg-marquardt", "--max-iterations", "1",
      ])
    #expect(status == 1, "\(text)")
    #expect(firstLine(text).contains("for its M × M dual systems"), "\(text)")
    let needs = try #require(text.range(of: "needs ")).upperBound
    let number = text[needs...].prefix { $0 != " " }
    let figure = try #require(Double(number))
    #expect(text[needs...].hasPrefix("\(number) GB") && figure > 9.1 && figure < 20, "\(text)")
  }

  /// A minibatch checkpoint of a short run on a small table, and the flags that made it.
  static func checkpoint(in folder: URL, rows: Int = 12) throws -> (flags: [String], path: String) {
    let data = folder.appendingPathComponent("data.csv").path
    var text = "a,b,y\n"
    for i in 0..<rows { text += "\(Double(i) / 10),\(Double(i % 3)),\(Double(i) / 5)\n" }
    try text.write(toFile: data, atomically: false, encoding: .utf8)
    let flags = [
      "train", "--data", data, "--architecture", "2-3-1", "--solver", "minibatch", "--batch-size", "5", "--quiet",
    ]
    let path = folder.appendingPathComponent("state.safetensors").path
    let made = try runKKTNet(flags + ["--epochs", "2", "--checkpoint", path])
    #expect(made.status == 0, "\(made.standardError)")
    return (flags, path)
  }

  /// The checkpoint with its JSON state edited by `edit` (text in, text out), written to `name`.
  static func edited(_ path: String, _ name: String, in folder: URL, _ edit: (String) -> String) throws -> String {
    var file = try SafetensorsFile.read(path: path)
    let state = try #require(file.metadata["state.checkpoint"])
    let changed = edit(state)
    #expect(changed != state, "the edit changed nothing")
    file.metadata["state.checkpoint"] = changed
    let out = folder.appendingPathComponent(name).path
    try Data(file.encoded()).write(to: URL(fileURLWithPath: out))
    return out
  }

  @Test(
    "a hand-edited checkpoint is refused with a sentence naming the field",
    arguments: [
      (
        "\"batchInEpoch\":0", "\"batchInEpoch\":9223372036854775807",
        "the batch within the epoch is 9223372036854775807"
      ),
      ("\"epoch\":2,", "\"epoch\":9223372036854775807,", "do not make iteration 6"),
      ("\"iteration\":6,", "\"iteration\":-4,", "the iteration count is -4"),
      ("\"horizon\":6", "\"horizon\":0", "the cosine horizon is 0"),
      ("\"step\":{\"none\":{}}", "\"step\":{\"velocity\":{\"_0\":[1]}}", "does not belong to minibatch"),
    ])
  func editedCheckpoint(_ old: String, _ new: String, _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (flags, path) = try Self.checkpoint(in: folder)
    let edited = try Self.edited(path, "edited.safetensors", in: folder) { $0.replacingOccurrences(of: old, with: new) }
    let result = try runKKTNet(flags + ["--epochs", "4", "--resume", edited])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains("edited.safetensors: the saved state"), "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }

  @Test("a checkpoint resumed after its data file shrank is refused: the data's digest and sample count differ")
  func shrunkData() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (flags, path) = try Self.checkpoint(in: folder, rows: 12)
    var text = "a,b,y\n"
    for i in 0..<4 { text += "\(Double(i) / 10),\(Double(i % 3)),\(Double(i) / 5)\n" }
    try text.write(toFile: folder.appendingPathComponent("data.csv").path, atomically: false, encoding: .utf8)
    let result = try runKKTNet(flags + ["--epochs", "4", "--resume", path])
    #expect(result.status == 1, "\(result.standardError)")
    let line = firstLine(result.standardError)
    #expect(line.contains("the checkpoint was made with other settings: --data (its contents)"), "\(line)")
    #expect(line.contains("--data or --validation-split: 12 then, 4 now"), "\(line)")
  }
}
