import Foundation
import KKTNet

/// How closely a re-run's printed numbers must agree with the notebook's: within `units` units of the
/// notebook's last printed digit (2 by default, which absorbs the last-bit differences between BLAS kernels
/// that surface in a printed rounding). A cell whose numbers are sensitive to rounding (long stochastic
/// training, non-smooth or chaotic trajectories) declares more, with its reason, in a prose line a reader
/// sees right before the cell:
///
///     > **Tolerance:** ±20 units in the last digit — 2000 Adam steps on a non-smooth penalty amplify
///     > last-bit differences between BLAS kernels.
///
/// Counts (numbers printed without a decimal point or exponent), words, signs and layout always match
/// exactly; numbers below ``noiseFloor`` in magnitude on both sides are rounding noise and always match.
struct Tolerance: Equatable, Sendable {
  /// Units in the last printed digit of the notebook's number.
  let units: Int
  /// Why the cell needs more than the default (nil for the default).
  let reason: String?

  static let standard = Tolerance(units: 2, reason: nil)

  /// Numbers this small in magnitude (rounding-level residuals) compare as equal whatever their digits.
  static let noiseFloor = 1e-9

  static let markerPrefix = "> **Tolerance:**"

  init(units: Int, reason: String?) {
    precondition(units >= 0, "a tolerance cannot be negative")
    self.units = units
    self.reason = reason
  }

  /// Reads `> **Tolerance:** ±N units in the last digit — reason` (the separator may also be `:`, `;`,
  /// `,` or `-`).
  init(marker line: String) throws(InputError) {
    var rest = Substring(line.dropFirst(Self.markerPrefix.count)).drop { $0 == " " }
    let form = "write it as '\(Self.markerPrefix) ±N units in the last digit — reason'"
    guard rest.first == "±" else { throw InputError("a tolerance marker must give '±N'; \(form)") }
    rest = rest.dropFirst()
    let digits = rest.prefix { $0.isASCII && $0.isNumber }
    guard let units = Int(digits), units >= 1, units <= 1_000_000 else {
      throw InputError("a tolerance marker needs a whole number of units after '±'; \(form)")
    }
    rest = rest.dropFirst(digits.count)
    var matched = false
    for phrase in [" units in the last digit", " unit in the last digit"] where rest.hasPrefix(phrase) {
      rest = rest.dropFirst(phrase.count)
      matched = true
      break
    }
    guard matched else { throw InputError("a tolerance marker must say 'units in the last digit'; \(form)") }
    rest = rest.drop { $0 == " " }
    guard let separator = rest.first, "—:;,-".contains(separator) else {
      throw InputError("a tolerance marker must give its reason after a dash; \(form)")
    }
    let reason = rest.dropFirst().trimmingCharacters(in: .whitespaces)
    guard reason.contains(where: \.isLetter) else {
      throw InputError("a tolerance marker must say why the cell needs it; \(form)")
    }
    self.init(units: units, reason: reason)
  }

  /// "±2 units in the last digit", with the reason when declared.
  var description: String {
    "±\(units) unit\(units == 1 ? "" : "s") in the last digit" + (reason.map { ", declared: \($0)" } ?? "")
  }
}
