import Foundation
import KKTNet

/// The result of running the built `kktnet` binary.
public struct CommandResult: Sendable {
  public let status: Int32
  public let standardOutput: String
  public let standardError: String

  /// The standard output parsed as a JSON object, numbers exactly (Foundation's JSONSerialization on Linux
  /// can misread the last digit of a double).
  public var json: [String: Any]? {
    (try? JSONValue.parse(Array(standardOutput.utf8))).map(foundationObject) as? [String: Any]
  }
}

/// The `kktnet` executable (or another of the package's, e.g. `kktnet-bench`) built beside the test bundle
/// (`swift test` builds it: CLITests depends on it).
public func kktnetExecutable(named name: String = "kktnet") -> URL {
  let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for folder in [bundleFolder, bundleFolder.deletingLastPathComponent()] {
    let candidate = folder.appendingPathComponent(name)
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
  }
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  return root.appendingPathComponent(".build/debug/\(name)")
}

/// Runs `kktnet` (or `executable`) with the arguments (and optional standard input) in `directory`, and waits
/// for it.
public func runKKTNet(
  _ arguments: [String], in directory: URL? = nil, input: String? = nil, environment: [String: String] = [:],
  executable: String = "kktnet"
) throws -> CommandResult {
  let process = Process()
  process.executableURL = kktnetExecutable(named: executable)
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = directory }
  var env = ProcessInfo.processInfo.environment
  env["OPENBLAS_NUM_THREADS"] = "1"
  for (key, value) in environment { env[key] = value }
  process.environment = env
  let output = Pipe()
  let error = Pipe()
  let inputPipe = Pipe()
  process.standardOutput = output
  process.standardError = error
  process.standardInput = inputPipe
  try process.run()
  if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
  try inputPipe.fileHandleForWriting.close()
  // Read both pipes to the end before waiting, so that a large output cannot fill a pipe and block.
  let group = DispatchGroup()
  nonisolated(unsafe) var errorData = Data()
  group.enter()
  DispatchQueue.global().async {
    errorData = error.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
    standardError: String(decoding: errorData, as: UTF8.self))
}

/// A fresh temporary folder, removed by the caller.
public func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("kktnet-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The repository's root folder.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The path of a bundled dataset, `datasets/NAME.csv`.
public func datasetPath(_ name: String) -> String {
  repositoryRoot.appendingPathComponent("datasets/\(name).csv").path
}

/// JSONValue as Foundation objects: dictionaries, arrays, strings, and NSNumber (so `as? Int` and
/// `as? Double` both work), parsed exactly.
public func foundationObject(_ value: JSONValue) -> Any {
  switch value {
  case .object(let members):
    return Dictionary(members.map { ($0.key, foundationObject($0.value)) }, uniquingKeysWith: { a, _ in a })
  case .array(let elements): return elements.map(foundationObject)
  case .string(let text): return text
  case .number(let text): return Int(text).map { NSNumber(value: $0) } ?? NSNumber(value: Double(text)!)
  case .bool(let flag): return flag
  case .null: return NSNull()
  }
}
