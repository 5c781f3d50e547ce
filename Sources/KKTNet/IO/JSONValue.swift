/// A JSON value as read by ``JSONValue/parse(_:)``: strict RFC 8259, object members kept in order, numbers
/// kept as their text so that integers beyond 2⁵³ stay exact, duplicate member names rejected.
public indirect enum JSONValue: Equatable, Sendable {
  /// An object, its members in the order of the text.
  case object([(key: String, value: JSONValue)])
  /// An array.
  case array([JSONValue])
  /// A string, unescaped.
  case string(String)
  /// A number, as its text (so that no digit is lost before the caller parses it).
  case number(String)
  /// `true` or `false`.
  case bool(Bool)
  /// `null`.
  case null

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.object(let a), .object(let b)): return a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
    case (.array(let a), .array(let b)): return a == b
    case (.string(let a), .string(let b)), (.number(let a), .number(let b)): return a == b
    case (.bool(let a), .bool(let b)): return a == b
    case (.null, .null): return true
    default: return false
    }
  }

  /// The value of a non-negative integer literal (digits only), or nil.
  public var nonNegativeInteger: Int? {
    guard case .number(let text) = self, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
      return nil
    }
    return Int(text)
  }

  /// A short name of the kind of value, for error messages.
  public var kind: String {
    switch self {
    case .object: return "an object"
    case .array: return "an array"
    case .string: return "a string"
    case .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }

  /// Parses one JSON value from UTF-8 bytes; only white space may follow it.
  ///
  /// - Throws: ``InputError`` with the byte offset of the problem.
  public static func parse(_ bytes: [UInt8]) throws(InputError) -> JSONValue {
    var parser = Parser(bytes: bytes)
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.index == bytes.count else {
      throw InputError("invalid JSON: unexpected '\(parser.character)' at byte \(parser.index) after the value")
    }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    var index = 0
    static let maximumDepth = 64

    var character: String {
      index < bytes.count ? String(decoding: [bytes[index]], as: UTF8.self) : "end of text"
    }

    func failure(_ what: String) -> InputError { InputError("invalid JSON: \(what) at byte \(index)") }

    mutating func skipWhitespace() {
      while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ literal: String) throws(InputError) {
      for byte in literal.utf8 {
        guard index < bytes.count, bytes[index] == byte else { throw failure("expected '\(literal)'") }
        index += 1
      }
    }

    mutating func value(depth: Int) throws(InputError) -> JSONValue {
      guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
      guard index < bytes.count else { throw failure("unexpected end of text") }
      switch bytes[index] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"):
        try expect("true")
        return .bool(true)
      case UInt8(ascii: "f"):
        try expect("false")
        return .bool(false)
      case UInt8(ascii: "n"):
        try expect("null")
        return .null
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
      default: throw failure("unexpected '\(character)'")
      }
    }

    mutating func object(depth: Int) throws(InputError) -> JSONValue {
      index += 1
      var members: [(key: String, value: JSONValue)] = []
      var seen = Set<String>()
      skipWhitespace()
      if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
        let key = try string()
        guard seen.insert(key).inserted else {
          throw InputError("invalid JSON: duplicate name '\(InputError.quoted(key))'")
        }
        skipWhitespace()
        try expect(":")
        skipWhitespace()
        members.append((key, try value(depth: depth + 1)))
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of text in an object") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "}") {
          index += 1
          return .object(members)
        } else {
          throw failure("expected ',' or '}'")
        }
      }
    }

    mutating func array(depth: Int) throws(InputError) -> JSONValue {
      index += 1
      var elements: [JSONValue] = []
      skipWhitespace()
      if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      while true {
        skipWhitespace()
        elements.append(try value(depth: depth + 1))
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of text in an array") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "]") {
          index += 1
          return .array(elements)
        } else {
          throw failure("expected ',' or ']'")
        }
      }
    }

    mutating func string() throws(InputError) -> String {
      index += 1
      var scalars = String.UnicodeScalarView()
      var start = index
      func flush(_ end: Int) throws(InputError) {
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else {
          throw InputError("invalid JSON: a string is not valid UTF-8 at byte \(start)")
        }
        scalars.append(contentsOf: text.unicodeScalars)
      }
      while true {
        guard index < bytes.count else { throw failure("unterminated string") }
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") {
          try flush(index)
          index += 1
          return String(scalars)
        }
        if byte < 0x20 { throw failure("a control character inside a string") }
        if byte != UInt8(ascii: "\\") {
          index += 1
          continue
        }
        try flush(index)
        index += 1
        guard index < bytes.count else { throw failure("unterminated escape") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "/"): scalars.append("/")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800..<0xDC00).contains(code) {
            // A high surrogate must be followed by \u and a low surrogate.
            try expect("\\u")
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("an unpaired surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00..<0xE000).contains(code) {
            throw failure("an unpaired surrogate")
          }
          scalars.append(Unicode.Scalar(code)!)
        default:
          throw failure("an invalid escape '\\\(String(decoding: [escape], as: UTF8.self))'")
        }
        start = index
      }
    }

    mutating func hex4() throws(InputError) -> UInt32 {
      var code: UInt32 = 0
      for _ in 0..<4 {
        guard index < bytes.count, let digit = hexDigit(bytes[index]) else { throw failure("expected four hex digits") }
        code = code * 16 + digit
        index += 1
      }
      return code
    }

    func hexDigit(_ byte: UInt8) -> UInt32? {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
      default: return nil
      }
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number() throws(InputError) -> String {
      let start = index
      func digits() -> Int {
        let first = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - first
      }
      if bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard index < bytes.count else { throw failure("a number without digits") }
      if bytes[index] == UInt8(ascii: "0") {
        index += 1
      } else if digits() == 0 {
        throw failure("a number without digits")
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        guard digits() > 0 else { throw failure("a number with no digits after '.'") }
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() > 0 else { throw failure("a number with no digits in its exponent") }
      }
      return String(decoding: bytes[start..<index], as: UTF8.self)
    }
  }
}

extension JSONValue {
  /// `text` as a JSON string literal, with quotes and the required escapes.
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case let c where c.value < 0x20:
        result +=
          "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
