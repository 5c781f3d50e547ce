/// A recursive-descent parser for model formulas, with the usual precedence:
///
///     equation   = expression [ "=" expression ]
///     expression = term { ("+" | "-") term }
///     term       = unary { ("*" | "/") unary }
///     unary      = ("-" | "+") unary | power
///     power      = primary [ ("^" | "**") unary ]          (right-associative: 2^3^2 = 2^9)
///     primary    = number | name | function "(" expression ")" | "(" expression ")"
///
/// with `[ ]` allowed wherever `( )` are (NIST writes `exp[-b1*x]`), each bracket closed by its own kind.
/// A unary minus binds looser than the power, so −x^2 = −(x²), and an exponent may carry its own sign
/// (x^−2). Errors name the column of the offending token.
public enum FormulaParser {
  /// Parses a formula `f` or an equation `g = f` (a transformed response, NIST's `log[y] = …`).
  ///
  /// - Returns: the right-hand side, and the left-hand side when there is one.
  public static func parseEquation(_ text: String) throws(FormulaError) -> (
    response: FormulaExpression?, model: FormulaExpression
  ) {
    var parser = Parser(text: text, tokens: try FormulaTokenizer.tokens(text))
    let first = try parser.expression()
    if parser.peek.kind == .symbol("=") {
      parser.index += 1
      let second = try parser.expression()
      try parser.expectEnd()
      return (first, second)
    }
    try parser.expectEnd()
    return (nil, first)
  }

  /// Parses a formula without `=`.
  public static func parse(_ text: String) throws(FormulaError) -> FormulaExpression {
    let (response, model) = try parseEquation(text)
    guard response == nil else {
      throw FormulaError(text: text, position: firstEquals(text), "this formula cannot have a response and '='")
    }
    return model
  }

  private static func firstEquals(_ text: String) -> Int { Array(text).firstIndex(of: "=") ?? 0 }
}

private struct Parser {
  let text: String
  let tokens: [FormulaToken]
  var index = 0

  init(text: String, tokens: [FormulaToken]) {
    self.text = text
    self.tokens = tokens
  }

  var peek: FormulaToken { tokens[index] }

  func error(_ token: FormulaToken, _ message: String) -> FormulaError {
    FormulaError(text: text, position: token.position, message)
  }

  mutating func expectEnd() throws(FormulaError) {
    let token = peek
    switch token.kind {
    case .end: return
    case .symbol(")"), .symbol("]"): throw error(token, "'\(token.text)' has no matching opening bracket")
    case .symbol("="): throw error(token, "'=' is only allowed once, between the response and the model")
    default: throw error(token, "expected an operator (+ - * / ^) before '\(token.text)'")
    }
  }

  mutating func expression() throws(FormulaError) -> FormulaExpression {
    var left = try term()
    while case .symbol(let s) = peek.kind, s == "+" || s == "-" {
      let position = peek.position
      index += 1
      let right = try term()
      left = .binary(s == "+" ? .add : .subtract, left, right, position: position)
    }
    return left
  }

  mutating func term() throws(FormulaError) -> FormulaExpression {
    var left = try unary()
    while case .symbol(let s) = peek.kind, s == "*" || s == "/" {
      let position = peek.position
      index += 1
      let right = try unary()
      left = .binary(s == "*" ? .multiply : .divide, left, right, position: position)
    }
    return left
  }

  mutating func unary() throws(FormulaError) -> FormulaExpression {
    if case .symbol(let s) = peek.kind, s == "-" || s == "+" {
      let position = peek.position
      index += 1
      let operand = try unary()
      return s == "-" ? .negate(operand, position: position) : operand
    }
    return try power()
  }

  mutating func power() throws(FormulaError) -> FormulaExpression {
    let base = try primary()
    if case .symbol(let s) = peek.kind, s == "^" || s == "**" {
      let position = peek.position
      index += 1
      let exponent = try unary()
      return .binary(.power, base, exponent, position: position)
    }
    return base
  }

  mutating func primary() throws(FormulaError) -> FormulaExpression {
    let token = peek
    switch token.kind {
    case .number(let value):
      index += 1
      return .number(value, position: token.position)
    case .name(let name):
      index += 1
      if case .symbol(let s) = peek.kind, s == "(" || s == "[" {
        guard let function = FormulaFunction(name: name) else {
          throw error(
            token,
            "'\(name)' is not a function; the functions are exp, log, sqrt, sin, cos, tan, arctan (atan); write \(name)*(…) to multiply"
          )
        }
        let argument = try bracketed()
        return .call(function, argument, position: token.position)
      }
      if FormulaFunction(name: name) != nil {
        throw error(token, "'\(name)' is a function: write \(name)(…)")
      }
      return .name(name, position: token.position)
    case .symbol("("), .symbol("["):
      return try bracketed()
    case .end:
      throw error(token, "the formula ends where a number, a name or '(' is expected")
    default:
      throw error(token, "expected a number, a name or '(' but found '\(token.text)'")
    }
  }

  /// `( expression )` or `[ expression ]`, the current token being the opening bracket.
  mutating func bracketed() throws(FormulaError) -> FormulaExpression {
    let open = peek
    index += 1
    let close = open.text == "(" ? ")" : "]"
    let inner = try expression()
    guard peek.kind == .symbol(close) else {
      if case .end = peek.kind {
        throw error(open, "the '\(open.text)' opened here is never closed")
      }
      if case .symbol(let s) = peek.kind, s == ")" || s == "]" {
        throw error(peek, "'\(s)' closes the '\(open.text)' at column \(open.position + 1); expected '\(close)'")
      }
      throw error(peek, "expected an operator or '\(close)' before '\(peek.text)'")
    }
    index += 1
    return inner
  }
}
