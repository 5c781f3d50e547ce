import Foundation

/// One printed line of a notebook against the same line of a re-run: numbers as numbers (within a
/// ``Tolerance`` of the notebook's last printed digit), everything else — words, signs, counts, spacing —
/// exactly. Trailing white space is ignored.
enum LineComparison: Equatable {
  /// The lines read the same.
  case same
  /// Only numbers differ, each within the tolerance: the pairs that differ.
  case withinTolerance([NumberPair])
  /// The lines differ: why, as a sentence.
  case different(String)

  /// A number of the notebook's line and the re-run's number in its place.
  struct NumberPair: Equatable {
    let notebook: PrintedNumber
    let rerun: PrintedNumber
    /// The difference in units of the notebook's last digit.
    let units: Double
  }

  init(notebook: String, rerun: String, tolerance: Tolerance) {
    let (a, b) = (Self.trimmed(notebook), Self.trimmed(rerun))
    if a == b {
      self = .same
      return
    }
    let (pa, pb) = (PrintedNumber.pieces(of: a), PrintedNumber.pieces(of: b))
    guard pa.count == pb.count else {
      self = .different("the notebook has '\(a)', the re-run gives '\(b)'")
      return
    }
    var pairs: [NumberPair] = []
    for (x, y) in zip(pa, pb) where x != y {
      guard case .number(let old) = x, case .number(let new) = y else {
        self = .different("the notebook has '\(a)', the re-run gives '\(b)'")
        return
      }
      if abs(old.value) < Tolerance.noiseFloor && abs(new.value) < Tolerance.noiseFloor { continue }
      if let reason = Self.mismatch(old, new, tolerance) {
        self = .different("\(reason) (the notebook has '\(a)', the re-run gives '\(b)')")
        return
      }
      pairs.append(NumberPair(notebook: old, rerun: new, units: old.distance(to: new)))
    }
    self = pairs.isEmpty ? .same : .withinTolerance(pairs)
  }

  /// Why two printed numbers do not match under `tolerance`, or nil when they do.
  static func mismatch(_ old: PrintedNumber, _ new: PrintedNumber, _ tolerance: Tolerance) -> String? {
    if old.isCount && new.isCount { return "the count \(old.text) became \(new.text)" }
    if old.isCount != new.isCount || old.isScientific != new.isScientific {
      return "\(old.text) became \(new.text), printed in another form"
    }
    if old.isScientific && old.value == 0 {
      return "\(old.text) became \(new.text), above the rounding-noise floor \(Tolerance.noiseFloor)"
    }
    if old.value != 0 && new.value != 0 && old.isNegative != new.isNegative {
      return "the sign of \(old.text) changed: \(new.text)"
    }
    let units = old.distance(to: new)
    guard units <= Double(tolerance.units) * (1 + 1e-12) else {
      return "\(old.text) became \(new.text): they differ by \(format(units * old.unit)), over the tolerance "
        + "±\(format(Double(tolerance.units) * old.unit)) (\(tolerance.description))"
    }
    return nil
  }

  static func format(_ value: Double) -> String { String(format: "%.1e", value) }

  static func trimmed(_ line: String) -> String {
    var line = Substring(line)
    while line.last == " " || line.last == "\t" { line.removeLast() }
    return String(line)
  }
}
