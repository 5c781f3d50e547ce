import Foundation
import TestSupport

/// What an `mpirun` returned, and whether it had to be killed.
struct MPIRun: CustomStringConvertible {
  let status: Int32
  let standardOutput: String
  let standardError: String
  let timedOut: Bool

  var description: String {
    "status \(status)\(timedOut ? " (killed: it did not end in time)" : "")\nstdout:\n\(standardOutput)\nstderr:\n\(standardError)"
  }
}

/// The longest an `mpirun` of MPIRankChecks may take: it takes about half a second on an idle machine,
/// much longer only on one whose cores are shared with builds.
let mpirunTimeLimit: TimeInterval = 120

/// `mpirun --allow-run-as-root --oversubscribe -q -np ranks MPIRankChecks arguments…` (or another
/// executable, such as `kktnet-mpi`), ended after
/// ``mpirunTimeLimit``. Waiting ranks yield the processor (`mpi_yield_when_idle`), since they may share
/// cores with each other and with other tests.
func mpirun(_ arguments: [String], ranks: Int = 2, executable: URL = rankChecksExecutable()) throws -> MPIRun {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: try mpirunPath())
  process.arguments =
    ["--allow-run-as-root", "--oversubscribe", "-q", "-np", String(ranks), executable.path] + arguments
  var environment = ProcessInfo.processInfo.environment
  environment["OPENBLAS_NUM_THREADS"] = "1"
  environment["OMPI_MCA_mpi_yield_when_idle"] = "1"
  process.environment = environment
  let output = Pipe()
  let error = Pipe()
  process.standardOutput = output
  process.standardError = error
  process.standardInput = FileHandle.nullDevice
  let ended = DispatchSemaphore(value: 0)
  process.terminationHandler = { _ in ended.signal() }
  try process.run()
  let group = DispatchGroup()
  nonisolated(unsafe) var outputData = Data()
  nonisolated(unsafe) var errorData = Data()
  group.enter()
  DispatchQueue.global().async {
    outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  group.enter()
  DispatchQueue.global().async {
    errorData = error.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  var timedOut = false
  if ended.wait(timeout: .now() + mpirunTimeLimit) == .timedOut {
    timedOut = true
    process.terminate()  // mpirun passes SIGTERM on to its ranks
    if ended.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL) }
  }
  process.waitUntilExit()
  group.wait()
  return MPIRun(
    status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
    standardError: String(decoding: errorData, as: UTF8.self), timedOut: timedOut)
}

struct MissingMPI: Error, CustomStringConvertible {
  var description: String { "mpirun is not on the PATH; `make test` installs it (apt-get install openmpi-bin)" }
}

/// The first `mpirun` on the PATH.
func mpirunPath() throws -> String {
  let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
  for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/mpirun") {
    return "\(folder)/mpirun"
  }
  throw MissingMPI()
}

/// The MPIRankChecks executable built beside the test bundle (MPITests depends on it).
func rankChecksExecutable() -> URL {
  let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for folder in [bundleFolder, bundleFolder.deletingLastPathComponent()] {
    let candidate = folder.appendingPathComponent("MPIRankChecks")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
  }
  return repositoryRoot.appendingPathComponent(".build/debug/MPIRankChecks")
}
