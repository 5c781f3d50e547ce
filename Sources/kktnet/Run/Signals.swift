import Dispatch
import Foundation
import KKTNet
import Solvers

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT and SIGTERM as a request to stop a run between two iterations: the run ends cleanly (its
/// checkpoint written), and the command then exits with 128 + the signal's number (130, 143). Outside a
/// run the two signals end the command at once (``AtomicFile/exitOnTerminationSignals()``), without
/// leaving a temporary file.
final class StopSignals: @unchecked Sendable {
  let interruption = Interruption()
  private var sources: [DispatchSourceSignal] = []
  private let lock = NSLock()
  private var received: Int32?

  /// Starts listening; the default handlers are restored by ``stop()``.
  init() {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { [weak self] in
        guard let self else { return }
        self.lock.lock()
        if self.received == nil { self.received = number }
        self.lock.unlock()
        self.interruption.request()
      }
      source.resume()
      sources.append(source)
    }
  }

  /// The signal that asked the run to stop, if one did.
  var signalNumber: Int32? {
    lock.lock()
    defer { lock.unlock() }
    return received
  }

  /// Stops listening: the two signals end the command again.
  func stop() {
    for source in sources { source.cancel() }
    sources = []
    AtomicFile.exitOnTerminationSignals()
  }
}
