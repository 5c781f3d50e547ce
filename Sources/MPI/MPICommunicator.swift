import Solvers

/// The ``Communicator`` of an MPI run: sums by `MPI_Reduce` to rank 0 then `MPI_Bcast`, so that every rank
/// holds rank 0's bits (the protocol's documentation gives the reasons).
///
/// A failed MPI call is not something a solver can answer: another rank may be waiting in the same
/// collective. So where ``MPIWorld`` throws, this communicator aborts the job with the error's sentence
/// (`Error: rank r: MPI_Bcast failed: …`), and its operations never return unless they succeeded.
public final class MPICommunicator: Communicator {
  /// The checked MPI calls underneath.
  public let world: MPIWorld

  public init(world: MPIWorld) {
    self.world = world
  }

  public var rank: Int { world.rank }
  public var size: Int { world.size }

  /// Σ_r v_r on every rank, bit for bit the same: `MPI_Reduce` to rank 0 in place, then `MPI_Bcast`.
  public func allreduceSum(_ values: inout [Double]) {
    guard size > 1 else { return }
    orAbort { () throws(MPIError) in
      try world.reduceSum(&values, root: 0)
      try world.broadcast(&values, from: 0)
    }
  }

  public func broadcast(_ values: inout [Double], from root: Int) {
    precondition(root >= 0 && root < size, "rank \(root) is not one of the \(size) ranks")
    orAbort { () throws(MPIError) in try world.broadcast(&values, from: root) }
  }

  public func barrier() {
    orAbort { () throws(MPIError) in try world.barrier() }
  }

  /// Writes `message` to standard error, then `MPI_Abort` with status 1: every rank stops.
  public func abort(_ message: String) -> Never {
    writeToStandardError(message + "\n")
    world.abort(status: 1)
  }

  private func orAbort(_ body: () throws(MPIError) -> Void) {
    do { try body() } catch { abort("Error: rank \(rank): \(error)") }
  }
}
