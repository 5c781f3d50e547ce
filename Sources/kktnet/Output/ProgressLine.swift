import Foundation
import Solvers

#if canImport(Glibc)
  import Glibc
#endif

/// The live progress line on a terminal: iteration or epoch, loss, validation loss, elapsed and remaining
/// time, redrawn in place on standard error. Silent when standard error is not a terminal.
struct ProgressLine {
  let enabled: Bool
  let budget: Int
  let perEpoch: Int?
  /// The run's time limit, which bounds the estimate of the time left.
  let timeLimit: Double?
  let clock = ContinuousClock()
  let started: ContinuousClock.Instant
  var lastDrawn: ContinuousClock.Instant?

  init(quiet: Bool, budget: Int, perEpoch: Int?, timeLimit: Double? = nil) {
    enabled = !quiet && isatty(STDERR_FILENO) == 1
    self.budget = budget
    self.perEpoch = perEpoch
    self.timeLimit = timeLimit
    started = clock.now
  }

  mutating func update(_ s: IterationSummary) {
    guard enabled else { return }
    let now = clock.now
    if let lastDrawn, now - lastDrawn < .milliseconds(100), s.iteration < budget { return }
    lastDrawn = now
    let elapsed = Self.seconds(now - started)
    let fraction = budget > 0 ? Double(s.iteration) / Double(budget) : 0
    var remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : .nan
    if let timeLimit { remaining = min(remaining, max(timeLimit - s.time, 0)) }
    var text = perEpoch.map { "epoch \(s.epoch ?? 0)/\(budget / $0)" } ?? "iteration \(s.iteration)/\(budget)"
    text += String(format: "  loss %.4e", s.loss)
    if let v = s.validationLoss { text += String(format: "  val %.4e", v) }
    text += String(format: "  %.1fs elapsed", elapsed)
    if remaining.isFinite { text += String(format: ", ~%.1fs left", remaining) }
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
  }

  /// Erases the line.
  func finish() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
