import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// The ranks a command runs on: the single process for `kktnet`, `MPI_COMM_WORLD` for `kktnet-mpi`
/// (installed once by its `main` before any command runs).
///
/// With several ranks every rank runs the same command on its share of the data; only rank 0 prints and
/// writes files (the others' standard output goes nowhere), and every failure before the solver starts
/// is agreed on by the ranks (``agreeing(_:)``), so that one sentence is printed and no rank is left
/// waiting.
public enum DataParallel {
  nonisolated(unsafe) private static var installed: any Communicator = SingleProcessCommunicator.shared

  /// The ranks of this run.
  public static var communicator: any Communicator { installed }

  /// Makes `communicator` the ranks of every command that follows.
  public static func install(_ communicator: any Communicator) { installed = communicator }

  /// Whether the samples are split over several ranks.
  static var isDistributed: Bool { installed.size > 1 }

  /// Whether this rank prints and writes the outputs: rank 0.
  static var writesOutput: Bool { installed.rank == 0 }

  /// Collective with several ranks: runs `body` on every rank, then the ranks agree on the first failure
  /// (lowest rank first) in one all-reduce. A failure anywhere is thrown on every rank as a
  /// ``CollectiveFailure`` that carries the failing rank's sentence; `kktnet-mpi` then prints it from that
  /// rank and stops every rank. With one rank, `body`'s error is thrown as it is.
  static func agreeing<T>(_ body: () throws -> T) throws -> T {
    guard isDistributed else { return try body() }
    var value: T?
    var failure: RankFailure?
    do { value = try body() } catch let collective as CollectiveFailure {
      throw collective  // already agreed on
    } catch {
      failure = RankFailure(order: [], sentence: shortened(KKTNetCommand.message(for: error)))
    }
    if let reported = installed.firstFailure(failure, keyCount: 0) { throw reported }
    return value!
  }
}
