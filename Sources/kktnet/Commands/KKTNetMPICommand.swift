import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// `kktnet-mpi`'s root command: `train`, `compare-solvers` and `fit` with `kktnet`'s flags, data-parallel over the
/// ranks that `mpirun -np K` starts (its `main` is in the `kktnet-mpi` executable target, which installs
/// the MPI communicator).
public struct KKTNetMPICommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "kktnet-mpi",
    abstract: "kktnet's training commands, data-parallel over MPI: mpirun -np K kktnet-mpi train …",
    discussion: """
      Each of the K ranks reads only its rows of --data (rank r: rows ⌊r·m/K⌋ to ⌊(r+1)·m/K⌋); the \
      validation split, the standardization, the shuffles and the mini-batches are the single process's. \
      The loss, JᵀJ and Jᵀr, the gradients, the validation loss and the metrics are sums over the ranks, one \
      all-reduce per quantity per iteration, reduced on rank 0 and broadcast, so every rank takes the same \
      step. The results equal kktnet's to rounding (the sums are added in another order); Levenberg–Marquardt \
      and Gauss–Newton take the normal equations for every m; fit's covariance comes from JᵀJ summed over \
      the ranks. Only rank 0 prints and writes files.
      """,
    subcommands: [Train.self, CompareSolvers.self, Fit.self, DataParallelBench.self])

  public init() {}

  /// Parses and runs the command line on the ranks of `communicator`, then `finish` (MPI_Finalize) and
  /// exit. Rank 0 prints the result or the error; a ``CollectiveFailure`` is printed by the rank that
  /// failed, which then stops every rank (``Communicator/stop(after:)``).
  public static func main(communicator: any Communicator, finish: () -> Void) -> Never {
    DataParallel.install(communicator)
    AtomicFile.exitOnTerminationSignals()
    var status: Int32 = 0
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let failure as CollectiveFailure {
      fflush(nil)
      communicator.stop(after: failure)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if communicator.rank == 0 {
        if code == .success {
          print(message)
        } else if !message.isEmpty {
          FileHandle.standardError.write(Data((shortened(message) + "\n").utf8))
        }
      }
      status = code.rawValue
    }
    fflush(nil)
    finish()
    Foundation.exit(status)
  }
}
