import Foundation

/// The one JSON coding of the tool's values — `--format json`, history lines and checkpoints: keys sorted,
/// numbers in shortest round-trip form, non-finite numbers as the strings "nan", "inf", "-inf".
enum JSONCoding {
  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  /// A value as one line of JSON text.
  static func text<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

/// Prints a value as one JSON object.
func printJSON<T: Encodable>(_ value: T) throws {
  print(try JSONCoding.text(value))
}

/// A coding key from any string.
struct AnyKey: CodingKey, ExpressibleByStringLiteral {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
  init(stringLiteral value: String) { stringValue = value }
}

extension KeyedEncodingContainer where K == AnyKey {
  mutating func encode<T: Encodable>(_ value: T, forKey key: String) throws {
    try encode(value, forKey: AnyKey(stringValue: key))
  }
  mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: String) throws {
    try encodeIfPresent(value, forKey: AnyKey(stringValue: key))
  }
}
