import Synchronization

/// A request to end a run between two iterations, made from another thread or a signal handler's queue
/// (the command line makes it on SIGINT and SIGTERM). The run then ends with `.interrupted`, its state
/// complete: the checkpoint is written and it can be continued.
public final class Interruption: Sendable {
  private let requested = Atomic<Bool>(false)

  /// A flag not yet raised.
  public init() {}

  /// Asks the run to stop after the current iteration.
  public func request() { requested.store(true, ordering: .relaxed) }

  /// Whether a stop was asked for.
  public var isRequested: Bool { requested.load(ordering: .relaxed) }
}
