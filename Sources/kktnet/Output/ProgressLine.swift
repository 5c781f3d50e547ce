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
    var text = perEpoch.map { "epoch \(s.epoch ?? 0)/\(budget / $0)" } ?? "iteration \(s.iteration)/\(budget)"
    text += String(format: "  loss %.4e", s.loss)
    if let v = s.validationLoss { text += String(format: "  val %.4e", v) }
    if let c = s.constraintResidual { text += String(format: "  ‖c‖∞ %.1e", c) }
    text += String(format: "  %.1fs elapsed", elapsed)
    if let remaining = Self.remaining(
      elapsed: elapsed, done: s.iteration, budget: budget, timeLimit: timeLimit.map { max($0 - s.time, 0) })
    {
      text += ", ~" + Self.duration(remaining) + " left"
    }
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
  }

  /// The time left, extrapolated from the rate so far and bounded by the time limit; nil while less than
  /// 0.1 % of the budget is done (too early to extrapolate) or when the estimate is not a number.
  static func remaining(elapsed: Double, done: Int, budget: Int, timeLimit left: Double?) -> Double? {
    let fraction = budget > 0 ? Double(done) / Double(budget) : 0
    var remaining = fraction >= 1e-3 ? elapsed * (1 - fraction) / fraction : .nan
    if let left { remaining = remaining.isNaN ? left : min(remaining, left) }
    return remaining.isFinite && remaining >= 0 ? remaining : nil
  }

  /// 42s, 12m, 3.5h, 2.1 days; "more than a year" beyond that.
  static func duration(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.0fs", seconds) }
    if seconds < 3600 { return String(format: "%.0fm", seconds / 60) }
    if seconds < 86400 { return String(format: "%.1fh", seconds / 3600) }
    if seconds < 365 * 86400 { return String(format: "%.1f days", seconds / 86400) }
    return "more than a year"
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
