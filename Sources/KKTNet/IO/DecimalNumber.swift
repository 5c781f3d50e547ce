/// Parses a number written in decimal or exponent form — `[+-]digits[.digits][(e|E)[+-]digits]`, with
/// digits on at least one side of the point — and nothing else (no hexadecimal, no `inf`, no `nan`, no
/// white space). The value is correctly rounded; it may overflow to ±∞, which the caller rejects.
public func parseDecimal(_ text: String) -> Double? {
  let bytes = Array(text.utf8)
  var i = 0
  func digits() -> Int {
    let start = i
    while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
    return i - start
  }
  if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
  var mantissaDigits = digits()
  if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
    i += 1
    mantissaDigits += digits()
  }
  guard mantissaDigits > 0 else { return nil }
  if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
    i += 1
    if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard digits() > 0 else { return nil }
  }
  guard i == bytes.count else { return nil }
  return Double(text)
}
