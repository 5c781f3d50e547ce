import CMPI
import Foundation

/// The processes started together by `mpirun` (`MPI_COMM_WORLD`), with every MPI call's return code
/// checked: a failure throws ``MPIError``, with Open MPI's sentence, instead of being ignored.
///
/// The world's error handler is set to `MPI_ERRORS_RETURN`, so that MPI reports errors to these checks
/// rather than aborting inside the library. MPI is initialized at thread level `MPI_THREAD_SERIALIZED`
/// and every call here holds a lock, so any thread may call, one at a time.
///
/// Collective calls must be made by every rank in the same order with the same counts.
public final class MPIWorld: @unchecked Sendable {
  /// r, in 0..<``size``.
  public let rank: Int
  /// K, the number of processes.
  public let size: Int
  private let lock = NSLock()
  private let world: MPI_Comm
  private var finalized = false

  /// The largest count of one MPI call: vectors longer than this go in pieces, since MPI counts are `int`.
  static let largestCount = 1 << 30

  /// Initializes MPI (`MPI_Init_thread`) and returns the world. Call it once per process.
  ///
  /// - Throws: ``MPIError`` when MPI cannot start or provides less than `MPI_THREAD_SERIALIZED`.
  public init() throws(MPIError) {
    var initialized: Int32 = 0
    try check(MPI_Initialized(&initialized), "MPI_Initialized")
    precondition(initialized == 0, "MPI is initialized once per process")
    var provided: Int32 = 0
    try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided), "MPI_Init_thread")
    guard provided >= Int32(MPI_THREAD_SERIALIZED) else {
      throw MPIError(
        function: "MPI_Init_thread",
        message: "this MPI library provides thread level \(provided), below MPI_THREAD_SERIALIZED")
    }
    world = kktnet_mpi_comm_world()
    try check(MPI_Comm_set_errhandler(world, kktnet_mpi_errors_return()), "MPI_Comm_set_errhandler")
    var rank: Int32 = 0
    var size: Int32 = 0
    try check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
    try check(MPI_Comm_size(world, &size), "MPI_Comm_size")
    self.rank = Int(rank)
    self.size = Int(size)
  }

  /// v ← Σ_r v_r on rank `root` (`MPI_Reduce` of doubles with `MPI_SUM`, in place on the root); the other
  /// ranks' `values` are left as they were.
  public func reduceSum(_ values: inout [Double], root: Int) throws(MPIError) {
    try inPieces(&values) { (pointer, count) throws(MPIError) in
      if rank == root {
        try check(
          MPI_Reduce(kktnet_mpi_in_place(), pointer, count, kktnet_mpi_double(), kktnet_mpi_sum(), Int32(root), world),
          "MPI_Reduce")
      } else {
        try check(
          MPI_Reduce(pointer, nil, count, kktnet_mpi_double(), kktnet_mpi_sum(), Int32(root), world), "MPI_Reduce")
      }
    }
  }

  /// v ← Σ_r v_r on every rank by one `MPI_Allreduce`, in place: whether every rank receives the same
  /// bits is up to the MPI library (see `Communicator`); here for comparison and measurement.
  public func allreduceSum(_ values: inout [Double]) throws(MPIError) {
    try inPieces(&values) { (pointer, count) throws(MPIError) in
      try check(
        MPI_Allreduce(kktnet_mpi_in_place(), pointer, count, kktnet_mpi_double(), kktnet_mpi_sum(), world),
        "MPI_Allreduce")
    }
  }

  /// v ← v_root on every rank (`MPI_Bcast`).
  public func broadcast(_ values: inout [Double], from root: Int) throws(MPIError) {
    try inPieces(&values) { (pointer, count) throws(MPIError) in
      try check(MPI_Bcast(pointer, count, kktnet_mpi_double(), Int32(root), world), "MPI_Bcast")
    }
  }

  /// Returns when every rank has entered it (`MPI_Barrier`).
  public func barrier() throws(MPIError) {
    lock.lock()
    defer { lock.unlock() }
    try check(MPI_Barrier(world), "MPI_Barrier")
  }

  /// Stops every process of the job with `status` (`MPI_Abort`); exits this one should MPI return. It
  /// takes no lock, so that it cannot wait behind a collective that never completes.
  public func abort(status: Int32) -> Never {
    _ = MPI_Abort(world, status)
    exit(status)
  }

  /// Ends MPI (`MPI_Finalize`); no MPI call may follow. Collective.
  public func finalize() throws(MPIError) {
    lock.lock()
    defer { lock.unlock() }
    precondition(!finalized, "MPI is finalized once")
    finalized = true
    try check(MPI_Finalize(), "MPI_Finalize")
  }

  /// Seconds on a clock local to this process (`MPI_Wtime`).
  public static func wallTime() -> Double { MPI_Wtime() }

  /// Calls `body` on consecutive pieces of at most ``largestCount`` elements, under the lock.
  private func inPieces(
    _ values: inout [Double], _ body: (UnsafeMutablePointer<Double>, Int32) throws(MPIError) -> Void
  ) throws(MPIError) {
    lock.lock()
    defer { lock.unlock() }
    let count = values.count
    try values.withUnsafeMutableBufferPointer { (buffer) throws(MPIError) in
      var start = 0
      while start < count {
        let piece = min(Self.largestCount, count - start)
        try body(buffer.baseAddress! + start, Int32(piece))
        start += piece
      }
    }
  }
}
