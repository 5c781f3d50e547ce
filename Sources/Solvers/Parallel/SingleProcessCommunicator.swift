import Foundation

/// The default communicator: one rank holding every sample. Sums over ranks are the values themselves,
/// a broadcast and a barrier do nothing, so a solver given it computes exactly what it computes alone.
public final class SingleProcessCommunicator: Communicator {
  /// The communicator of a run with one rank.
  public init() {}

  /// The instance the solvers use when they are given no communicator.
  public static let shared = SingleProcessCommunicator()

  /// 0.
  public var rank: Int { 0 }
  /// 1.
  public var size: Int { 1 }

  /// Leaves `values` as they are: the sum over one rank.
  public func allreduceSum(_ values: inout [Double]) {}

  /// Leaves `values` as they are; `root` must be 0.
  public func broadcast(_ values: inout [Double], from root: Int) {
    precondition(root == 0, "rank \(root) is not the single process's rank 0")
  }

  public func barrier() {}

  /// Writes `message` to standard error and exits with status 1.
  public func abort(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
  }
}
