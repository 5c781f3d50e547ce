/// One token of a formula, with the character offset where it starts.
struct FormulaToken: Equatable {
  enum Kind: Equatable {
    case number(Double)
    case name(String)
    /// + - * / ^ ** ( ) [ ] =
    case symbol(String)
    case end
  }

  let kind: Kind
  let position: Int
  /// The text of the token, for error messages.
  let text: String
}

/// Splits a formula into numbers (`3`, `.5`, `1.2E-03`), names (a letter or `_`, then letters, digits and
/// `_`), the symbols `+ - * / ^ ** ( ) [ ] =`, and the end. White space separates tokens; anything else is
/// an error at its column.
enum FormulaTokenizer {
  static func tokens(_ text: String) throws(FormulaError) -> [FormulaToken] {
    let characters = Array(text)
    var tokens: [FormulaToken] = []
    var i = 0
    func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    func isNameStart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_") }
    while i < characters.count {
      let c = characters[i]
      if c.isWhitespace {
        i += 1
        continue
      }
      let start = i
      if isDigit(c) || (c == "." && i + 1 < characters.count && isDigit(characters[i + 1])) {
        while i < characters.count && isDigit(characters[i]) { i += 1 }
        if i < characters.count && characters[i] == "." {
          i += 1
          while i < characters.count && isDigit(characters[i]) { i += 1 }
        }
        if i < characters.count && (characters[i] == "e" || characters[i] == "E") {
          var j = i + 1
          if j < characters.count && (characters[j] == "+" || characters[j] == "-") { j += 1 }
          if j < characters.count && isDigit(characters[j]) {
            i = j
            while i < characters.count && isDigit(characters[i]) { i += 1 }
          }
        }
        let spelling = String(characters[start..<i])
        guard let value = Double(spelling), value.isFinite else {
          throw FormulaError(text: text, position: start, "the number \(spelling) is too large for a double")
        }
        if i < characters.count && isNameStart(characters[i]) {
          throw FormulaError(
            text: text, position: i, "a name cannot follow the number \(spelling) directly; write \(spelling)*…")
        }
        tokens.append(FormulaToken(kind: .number(value), position: start, text: spelling))
      } else if isNameStart(c) {
        while i < characters.count && (isNameStart(characters[i]) || isDigit(characters[i])) { i += 1 }
        let name = String(characters[start..<i])
        tokens.append(FormulaToken(kind: .name(name), position: start, text: name))
      } else if c == "*" && i + 1 < characters.count && characters[i + 1] == "*" {
        i += 2
        tokens.append(FormulaToken(kind: .symbol("**"), position: start, text: "**"))
      } else if "+-*/^()[]=".contains(c) {
        i += 1
        tokens.append(FormulaToken(kind: .symbol(String(c)), position: start, text: String(c)))
      } else {
        throw FormulaError(text: text, position: start, "'\(c)' is not part of a formula")
      }
    }
    tokens.append(FormulaToken(kind: .end, position: characters.count, text: "the end"))
    return tokens
  }
}
