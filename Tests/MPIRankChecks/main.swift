// Run by MPITests under `mpirun -np K`: each rank checks its part of one scenario and prints one line per
// finding to standard output, `rank r: …`; a failed check prints `FAILED rank r: …` and exits 1.
//
//     MPIRankChecks collectives
//     MPIRankChecks shards FILE LOSS SPLIT SEED      (SPLIT 0 for none)
//     MPIRankChecks read FILE-OF-RANK-0 FILE-OF-RANK-1 …   (a rank past the list reads the last)
//     MPIRankChecks nonfinite RANK
//     MPIRankChecks mpi-error
import Foundation
import KKTNet
import MPI
import Solvers

let world: MPIWorld
do { world = try MPIWorld() } catch {
  FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
  exit(1)
}
let communicator = MPICommunicator(world: world)

/// Prints `rank r: line` to standard output at once.
func report(_ line: String) {
  FileHandle.standardOutput.write(Data("rank \(world.rank): \(line)\n".utf8))
}

/// Exits with status 1 after printing `FAILED rank r: message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
  guard !condition else { return }
  FileHandle.standardOutput.write(Data("FAILED rank \(world.rank): \(message())\n".utf8))
  communicator.abort("FAILED rank \(world.rank): \(message())")
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "collectives":
  checkCollectives()
case "shards" where arguments.count == 5:
  checkShards(
    path: arguments[1], loss: Loss(rawValue: arguments[2])!, split: Double(arguments[3])!, seed: UInt64(arguments[4])!)
case "read" where arguments.count >= 2:
  let path = arguments[min(world.rank + 1, arguments.count - 1)]
  do {
    let shard = try ShardedDataset.load(path: path, loss: .meanSquaredError, communicator: communicator)
    report("read rows \(shard.rows) of \(shard.sampleCount)")
  } catch {
    communicator.stop(after: error)
  }
case "nonfinite" where arguments.count == 2:
  checkNonFinite(on: Int(arguments[1])!)
case "mpi-error":
  checkMPIError()
default:
  communicator.abort(
    "usage: MPIRankChecks collectives | shards FILE LOSS SPLIT SEED | read FILE… | nonfinite RANK | mpi-error")
}
do { try world.finalize() } catch { communicator.abort("Error: \(error)") }
