import Foundation
import KKTNet
import Solvers
import Testing

/// The formula language: precedence, associativity, brackets, functions, name resolution, and errors that
/// point at the right column.
@Suite("Fitting: formulas")
struct FittingFormulaTests {
  static func shape(_ text: String) throws -> String { try FormulaParser.parse(text).fullyParenthesized }

  @Test(
    "precedence and associativity",
    arguments: [
      ("1 + 2 * 3", "(1.0 + (2.0 * 3.0))"),
      ("1 - 2 - 3", "((1.0 - 2.0) - 3.0)"),
      ("8 / 4 / 2", "((8.0 / 4.0) / 2.0)"),
      ("2 ^ 3 ^ 2", "(2.0 ^ (3.0 ^ 2.0))"),
      ("2 ** 3 ** 2", "(2.0 ^ (3.0 ^ 2.0))"),
      ("-x^2", "(-(x ^ 2.0))"),
      ("x^-2", "(x ^ (-2.0))"),
      ("-x*y", "((-x) * y)"),
      ("a*x**b", "(a * (x ^ b))"),
      ("exp[-b1*x]/(b2+b3*x)", "(exp(((-b1) * x)) / (b2 + (b3 * x)))"),
      ("(1+2*b2*x)**(-.5)", "((1.0 + ((2.0 * b2) * x)) ^ (-0.5))"),
      ("atan(x) + arctan[x]", "(arctan(x) + arctan(x))"),
      ("+x - +1.5E-3", "(x - 0.0015)"),
    ])
  func precedence(_ text: String, _ expected: String) throws {
    #expect(try Self.shape(text) == expected)
  }

  @Test(
    "syntax errors name the column of the offending token",
    arguments: [
      ("a*exp(-b*x", 6, "the '(' opened here is never closed"),
      ("a*exp[-b*x)", 11, "')' closes the '[' at column 6; expected ']'"),
      ("a + * b", 5, "expected a number, a name or '(' but found '*'"),
      ("a b", 3, "expected an operator (+ - * / ^) before 'b'"),
      ("a + ", 5, "the formula ends where a number, a name or '(' is expected"),
      ("2x", 2, "a name cannot follow the number 2 directly; write 2*…"),
      ("a $ b", 3, "'$' is not part of a formula"),
      ("exp + 1", 1, "'exp' is a function: write exp(…)"),
      ("foo(x)", 1, "'foo' is not a function"),
      ("a)", 2, "')' has no matching opening bracket"),
      ("1e999*x", 1, "the number 1e999 is too large for a double"),
    ])
  func syntaxErrors(_ text: String, _ column: Int, _ message: String) {
    #expect {
      try FormulaParser.parse(text)
    } throws: { error in
      guard let error = error as? FormulaError else { return false }
      return error.column == column && error.message.hasPrefix(message)
    }
  }

  @Test("the caret points at the column")
  func caret() throws {
    let error = try #require(throws: FormulaError.self) {
      try FormulaModel("a*exp(-q*x) + c", columns: ["x", "y"], parameters: ["a", "c"])
    }
    #expect(error.column == 8)
    #expect(error.caretDiagram == "  a*exp(-q*x) + c\n         ^")
    #expect(
      error.description
        == "column 8: unknown name 'q': it is not a data column (x, y) nor a parameter (a, c)")
  }

  @Test("names: columns are predictors, given names parameters, pi a constant; misuse is an error")
  func names() throws {
    let model = try FormulaModel("a*exp(-b*t) + c*pi + 0*z", columns: ["z", "t", "y"], parameters: ["a", "b", "c"])
    #expect(model.predictorNames == ["z", "t"])
    let both = try #require(throws: FormulaError.self) {
      try FormulaModel("a*x", columns: ["x", "a"], parameters: ["a"])
    }
    #expect(both.message.contains("both a data column and a parameter") && both.column == 1)
    let unused = try #require(throws: FormulaError.self) {
      try FormulaModel("a*x", columns: ["x"], parameters: ["a", "b"])
    }
    #expect(unused.message.contains("does not use the parameter 'b'"))
    let response = try #require(throws: FormulaError.self) {
      try FormulaModel("log(y*a) = a*x", columns: ["x", "y"], parameters: ["a"])
    }
    #expect(response.message.contains("cannot use the parameter 'a'") && response.column == 7)
  }

  @Test("values and exact derivatives of a model over many samples, scalar parts broadcast")
  func evaluation() throws {
    // f = a·exp(−b·x) + c·(2π/b) : the second term is a scalar node (no data), the first a vector node.
    let model = try FormulaModel("a*exp(-b*x) + c*(2*pi/b)", columns: ["x"], parameters: ["a", "b", "c"])
    let x = (0..<3000).map { Double($0) * 0.001 }
    let theta = [1.5, 0.7, -0.25]
    let (values, jacobian) = model.evaluate(parameters: theta, predictors: [x])
    let j = try #require(jacobian)
    let (a, b, c) = (theta[0], theta[1], theta[2])
    for (i, xi) in x.enumerated() {
      let e = exp(-b * xi)
      let expected = a * e + c * (2 * Double.pi / b)
      #expect(abs(values[i] - expected) <= 4 * Double.ulpOfOne * (abs(a * e) + abs(expected)))
      #expect(abs(j[i, 0] - e) <= 2 * Double.ulpOfOne * e)
      let db = -a * xi * e - c * 2 * Double.pi / (b * b)
      #expect(abs(j[i, 1] - db) <= 8 * Double.ulpOfOne * (abs(a * xi * e) + abs(c * 2 * Double.pi / (b * b))))
      #expect(abs(j[i, 2] - 2 * Double.pi / b) <= 2 * Double.ulpOfOne * (2 * Double.pi / b))
    }
  }

  @Test("common subexpressions and constants: the same value whether written once or twice")
  func sharedSubexpressions() throws {
    let once = try FormulaModel("(x-b)^2 / (x-b)^2 * a", columns: ["x"], parameters: ["a", "b"])
    let (values, jacobian) = once.evaluate(parameters: [3, 0.5], predictors: [[1, 2, 4]])
    #expect(values == [3, 3, 3])
    #expect(jacobian!.column(0) == [1, 1, 1])
    #expect(jacobian!.column(1).allSatisfy { abs($0) <= 1e-15 })
  }

  @Test("a response equation: the left side is evaluated on the data")
  func responseEquation() throws {
    let model = try FormulaModel("log[y] = b1 - b2*x", columns: ["x", "y"], parameters: ["b1", "b2"])
    #expect(model.responseColumnNames == ["y"])
    #expect(model.response([[1, exp(1), exp(2)]]) == [0, 1, 2])
  }
}
