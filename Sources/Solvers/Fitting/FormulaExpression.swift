/// The functions a formula may call, one argument each.
public enum FormulaFunction: String, CaseIterable, Sendable {
  /// e^x.
  case exp
  /// The natural logarithm.
  case log
  /// √x.
  case sqrt
  /// sin x (radians).
  case sin
  /// cos x (radians).
  case cos
  /// tan x (radians).
  case tan
  /// arctan x, also spelled `atan`.
  case arctan

  /// `atan` is another name for `arctan`; `log` is the natural logarithm (as in NIST's files).
  public init?(name: String) {
    if name == "atan" {
      self = .arctan
    } else {
      self.init(rawValue: name)
    }
  }
}

/// The binary operators: + − * / and the power (`^` or `**`).
public enum FormulaOperator: String, Sendable {
  /// a + b.
  case add = "+"
  /// a − b.
  case subtract = "-"
  /// a·b.
  case multiply = "*"
  /// a / b.
  case divide = "/"
  /// aᵇ.
  case power = "^"
}

/// A parsed formula: a tree whose every node remembers where in the text it starts (a character offset,
/// from 0), so that later errors (an unknown name) can point at it.
public indirect enum FormulaExpression: Equatable, Sendable {
  /// A number written in the formula.
  case number(Double, position: Int)
  /// A name: a predictor (a data column), a parameter, or a named constant such as `pi`.
  case name(String, position: Int)
  /// −a.
  case negate(FormulaExpression, position: Int)
  /// a ∘ b.
  case binary(FormulaOperator, FormulaExpression, FormulaExpression, position: Int)
  /// f(a).
  case call(FormulaFunction, FormulaExpression, position: Int)

  /// Where the node starts in the text.
  public var position: Int {
    switch self {
    case .number(_, let position), .name(_, let position), .negate(_, let position), .binary(_, _, _, let position),
      .call(_, _, let position):
      return position
    }
  }

  /// Every name the formula uses, with the place of each use, in the order they appear.
  public var names: [(name: String, position: Int)] {
    switch self {
    case .number: return []
    case .name(let name, let position): return [(name, position)]
    case .negate(let a, _), .call(_, let a, _): return a.names
    case .binary(_, let a, let b, _): return a.names + b.names
    }
  }

  /// The formula written back with full parentheses: `((a * exp((-b) * x)) + c)`.
  public var fullyParenthesized: String {
    switch self {
    case .number(let value, _): return "\(value)"
    case .name(let name, _): return name
    case .negate(let a, _): return "(-\(a.fullyParenthesized))"
    case .binary(let op, let a, let b, _): return "(\(a.fullyParenthesized) \(op.rawValue) \(b.fullyParenthesized))"
    case .call(let f, let a, _): return "\(f.rawValue)(\(a.fullyParenthesized))"
    }
  }
}
