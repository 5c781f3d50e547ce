// The time of a sum over ranks, for the scaling model of data-parallel training: the Communicator's sum
// (MPI_Reduce to rank 0, then MPI_Bcast) beside one MPI_Allreduce, for a few vector lengths up to
// P² + P doubles, the JᵀJ and Jᵀr of one Levenberg–Marquardt iteration at P = 1000.
//
//     mpirun -np 2 .build/release/AllreduceBench [P …]      (make bench-allreduce)
//
// Each case: 3 warm-up calls, then 31 timed calls; a call's time is the slowest rank's, and the table gives
// the median and the minimum over the calls, and the rate bytes / median.
import Foundation
import MPI
import Solvers

let world: MPIWorld
do { world = try MPIWorld() } catch {
  FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
  exit(1)
}
let communicator = MPICommunicator(world: world)
let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let parameterCounts = sizes.isEmpty ? [10, 100, 300, 1000] : sizes

/// The slowest rank's time of each of `repetitions` calls, in seconds.
func time(_ repetitions: Int, _ body: () -> Void) -> [Double] {
  for _ in 0..<3 { body() }
  var local = [Double](repeating: 0, count: repetitions * world.size)
  for k in 0..<repetitions {
    communicator.barrier()
    let start = MPIWorld.wallTime()
    body()
    local[k * world.size + world.rank] = MPIWorld.wallTime() - start
  }
  communicator.allreduceSum(&local)  // one slot per rank and call: exact
  return (0..<repetitions).map { k in local[(k * world.size)..<((k + 1) * world.size)].max()! }
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

if world.rank == 0 {
  print("ranks: \(world.size)   doubles: P² + P   timed calls: 31 after 3 warm-up")
  print(
    "P".padding(toLength: 6, withPad: " ", startingAt: 0)
      + "   doubles      MB   reduce+bcast µs (min)   MPI_Allreduce µs (min)   GB/s r+b   GB/s allreduce"
  )
}
for p in [0] + parameterCounts {
  let n = p == 0 ? 1 : p * p + p
  var values = (0..<n).map { Double($0 % 1000) * 1e-3 + Double(world.rank) }
  let ordered = time(31) { communicator.allreduceSum(&values) }
  let direct = time(31) {
    do { try world.allreduceSum(&values) } catch { communicator.abort("Error: \(error)") }
  }
  if world.rank == 0 {
    let bytes = Double(n * 8)
    let (a, b) = (median(ordered), median(direct))
    let label = (p == 0 ? "1 dbl" : "\(p)").padding(toLength: 6, withPad: " ", startingAt: 0)
    print(
      label
        + String(
          format: " %9d %7.2f %14.1f (%8.1f) %15.1f (%8.1f) %10.2f %16.2f", n, bytes / 1e6, a * 1e6,
          ordered.min()! * 1e6, b * 1e6, direct.min()! * 1e6, bytes / a / 1e9, bytes / b / 1e9))
  }
}
do { try world.finalize() } catch { communicator.abort("Error: \(error)") }
