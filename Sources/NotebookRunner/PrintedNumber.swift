import Foundation

/// A number as a cell printed it: `0.1964`, `-3.27e-07`, `98.90`, `352`. Its value is
/// `significand × 10^exponent` exactly, and one unit in its last printed digit is `10^exponent`.
struct PrintedNumber: Equatable, Sendable {
  /// The characters as printed.
  let text: String
  /// The digits as one signed integer (nil when there are more than 18 of them).
  let significand: Int64?
  /// The power of ten of the last printed digit.
  let exponent: Int
  /// Printed without a decimal point or exponent: a count (an iteration number, a layer size), which
  /// must match exactly.
  let isCount: Bool
  /// Printed in exponent form (`1.0e-05`), where a zero carries no magnitude of its own.
  let isScientific: Bool

  /// The value, as a Double.
  var value: Double { Double(text) ?? .nan }
  /// One unit in the last printed digit.
  var unit: Double { pow(10, Double(exponent)) }
  var isNegative: Bool { text.hasPrefix("-") }

  /// A line cut into the text between numbers and the numbers themselves.
  enum Piece: Equatable {
    case text(String)
    case number(PrintedNumber)
  }

  /// Cuts a line into text and numbers. A number is `[+-]?digits(.digits)?([eE][+-]?digits)?` in ASCII;
  /// a sign counts only where it cannot be a hyphen (not after a letter, digit or `.`), so `30-16-1` is
  /// three counts joined by hyphens and `layers.0.weight` holds the count 0.
  static func pieces(of line: String) -> [Piece] {
    let characters = Array(line)
    var pieces: [Piece] = []
    var text = ""
    var index = 0
    func isDigit(_ i: Int) -> Bool { i < characters.count && characters[i].isASCII && characters[i].isNumber }
    while index < characters.count {
      let c = characters[index]
      let previous: Character? = index > 0 ? characters[index - 1] : nil
      let joinsPrevious = previous.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" } ?? false
      let signed = (c == "-" || c == "+") && isDigit(index + 1) && !joinsPrevious
      guard isDigit(index) || signed else {
        text.append(c)
        index += 1
        continue
      }
      var end = index + (signed ? 1 : 0)
      while isDigit(end) { end += 1 }
      var fractionDigits = 0
      if end < characters.count, characters[end] == ".", isDigit(end + 1) {
        end += 1
        while isDigit(end) {
          end += 1
          fractionDigits += 1
        }
      }
      var exponent = 0
      var scientific = false
      if end < characters.count, characters[end] == "e" || characters[end] == "E" {
        var e = end + 1
        if e < characters.count, characters[e] == "-" || characters[e] == "+" { e += 1 }
        if isDigit(e) {
          let start = e
          while isDigit(e) { e += 1 }
          let sign = characters[end + 1] == "-" ? -1 : 1
          exponent = sign * (Int(String(characters[start..<e])) ?? 0)
          scientific = true
          end = e
        }
      }
      let printed = String(characters[index..<end])
      let mantissa = printed.prefix { $0 != "e" && $0 != "E" }.filter { $0 != "." && $0 != "+" }
      if !text.isEmpty { pieces.append(.text(text)) }
      text = ""
      pieces.append(
        .number(
          PrintedNumber(
            text: printed, significand: Int64(mantissa), exponent: exponent - fractionDigits,
            isCount: fractionDigits == 0 && !scientific, isScientific: scientific)))
      index = end
    }
    if !text.isEmpty { pieces.append(.text(text)) }
    return pieces
  }

  /// |self − other| in units of this number's last digit, exactly (by decimal arithmetic) when both
  /// significands fit.
  func distance(to other: PrintedNumber) -> Double {
    guard let a = significand, let b = other.significand else { return abs(value - other.value) / unit }
    let difference =
      Decimal(sign: b < 0 ? .minus : .plus, exponent: other.exponent, significand: Decimal(b.magnitude))
      - Decimal(sign: a < 0 ? .minus : .plus, exponent: exponent, significand: Decimal(a.magnitude))
    let inUnits = difference / Decimal(sign: .plus, exponent: exponent, significand: 1)
    return abs(NSDecimalNumber(decimal: inUnits).doubleValue)
  }
}
