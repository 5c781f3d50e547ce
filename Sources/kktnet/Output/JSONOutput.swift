import Foundation
import KKTNet

/// The one JSON coding of the tool's values — `--format json`, history lines and checkpoints: keys sorted,
/// numbers in shortest round-trip form, non-finite numbers as the strings "nan", "inf", "-inf" (so that a
/// checkpoint keeps every value exactly). What the tool prints or writes for people and programs goes
/// through ``output(_:)`` instead, where a number that is not finite is null: every command checks the
/// values it reports (J, ∇J, λ, predictions) and fails with a sentence when one is not finite, so what is
/// left is a value that does not apply, such as the gain ratio ρ of a step without a model.
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

  /// A value as one line of JSON text for output: as ``text(_:)``, with every non-finite number null.
  static func output<T: Encodable>(_ value: T) throws -> String {
    let bytes = try encoder.encode(value)
    let markers = ["\"nan\"", "\"inf\"", "\"-inf\""].map { Data($0.utf8) }
    guard markers.contains(where: { bytes.range(of: $0) != nil }) else { return String(decoding: bytes, as: UTF8.self) }
    return nullingNonFinite(try JSONValue.parse([UInt8](bytes))).text
  }

  /// The value with the strings that stand for non-finite numbers replaced by null.
  static func nullingNonFinite(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string("nan"), .string("inf"), .string("-inf"): return .null
    case .array(let elements): return .array(elements.map(nullingNonFinite))
    case .object(let members): return .object(members.map { ($0.key, nullingNonFinite($0.value)) })
    default: return value
    }
  }
}

/// Prints a value as one JSON object (non-finite numbers as null, see ``JSONCoding/output(_:)``).
func printJSON<T: Encodable>(_ value: T) throws {
  print(try JSONCoding.output(value))
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
