import KKTNet

/// A model y ≈ f(x; θ) written as a formula, with its names resolved: the data columns it uses are its
/// predictors x, the names given as parameters are θ, `pi` and any given constants are numbers, and any
/// other name is an error that points at it.
///
///     let model = try FormulaModel("a*exp(-b*x) + c", columns: ["x", "y"], parameters: ["a", "b", "c"])
///
/// An equation `g(y) = f(x; θ)` fits a transformed response (NIST's Nelson: `log[y] = b1 - b2*x1*exp[-b3*x2]`):
/// g may use data columns and constants but no parameter. Derivatives are exact, by forward mode over
/// the compiled formula (``FormulaProgram``), never by finite differences.
public struct FormulaModel: Sendable {
  /// The text as given.
  public let text: String
  /// f, parsed.
  public let expression: FormulaExpression
  /// g of `g(y) = f`, parsed; nil when the response is a column as it is.
  public let responseExpression: FormulaExpression?
  /// The data columns f uses, in the order of the columns offered.
  public let predictorNames: [String]
  /// The data columns g uses.
  public let responseColumnNames: [String]
  /// θ's names, in order.
  public let parameterNames: [String]
  let program: FormulaProgram
  let responseProgram: FormulaProgram?

  /// Parses and resolves a formula.
  ///
  /// - Parameters:
  ///   - columns: the names of the data columns (the CSV header, or NIST's `x`, `x1`, `y`…).
  ///   - parameters: θ's names (`--start` names, NIST's b1…bₚ).
  ///   - constants: named numbers besides `pi` (NIST's Roszman1 defines `pi = 3.14159…`).
  /// - Throws: ``FormulaError`` for a syntax error, a name that is none of these, a name that is both a
  ///   column and a parameter, a parameter in the response, or a parameter the model does not use.
  public init(_ text: String, columns: [String], parameters: [String], constants: [String: Double] = [:])
    throws(FormulaError)
  {
    self.text = text
    let (response, model) = try FormulaParser.parseEquation(text)
    expression = model
    responseExpression = response
    parameterNames = parameters
    let known = constants.merging(["pi": Double.pi]) { given, _ in given }
    func check(_ expression: FormulaExpression, allowParameters: Bool) throws(FormulaError) -> [String] {
      var used: Set<String> = []
      for (name, position) in expression.names {
        let isColumn = columns.contains(name)
        let isParameter = parameters.contains(name)
        if isColumn && isParameter {
          throw FormulaError(
            text: text, position: position,
            "'\(name)' is both a data column and a parameter; rename the parameter in --start")
        }
        if isParameter && !allowParameters {
          throw FormulaError(
            text: text, position: position, "the response (left of '=') cannot use the parameter '\(name)'")
        }
        if isColumn { used.insert(name) }
        if !isColumn && !isParameter && known[name] == nil {
          throw FormulaError(
            text: text, position: position,
            "unknown name '\(name)': it is not a data column (\(Self.list(columns))) nor a parameter (\(Self.list(parameters)))"
          )
        }
      }
      return columns.filter(used.contains)
    }
    let predictors = try check(model, allowParameters: true)
    predictorNames = predictors
    func resolver(_ names: [String]) -> (String, Int) throws(FormulaError) -> FormulaProgram.Operation {
      { (name: String, _: Int) throws(FormulaError) -> FormulaProgram.Operation in
        if let index = parameters.firstIndex(of: name) { return .parameter(index) }
        if let index = names.firstIndex(of: name) { return .predictor(index) }
        return .constant(known[name]!.bitPattern)
      }
    }
    program = try FormulaProgram(
      model, parameterCount: parameters.count, predictorCount: predictors.count, resolve: resolver(predictors))
    if let response {
      let responseColumns = try check(response, allowParameters: false)
      guard !responseColumns.isEmpty else {
        throw FormulaError(text: text, position: response.position, "the response (left of '=') uses no data column")
      }
      responseColumnNames = responseColumns
      responseProgram = try FormulaProgram(
        response, parameterCount: 0, predictorCount: responseColumns.count, resolve: resolver(responseColumns))
    } else {
      responseColumnNames = []
      responseProgram = nil
    }
    let unused = parameters.indices.filter { !program.dependencies.contains($0) }
    if let first = unused.first {
      throw FormulaError(
        text: text, position: 0,
        "the model does not use the parameter '\(parameters[first])', so it cannot be estimated; remove it from --start"
      )
    }
  }

  static func list(_ names: [String]) -> String {
    if names.isEmpty { return "none" }
    let shown = names.prefix(12).joined(separator: ", ")
    return names.count > 12 ? shown + ", …" : shown
  }

  /// P.
  public var parameterCount: Int { parameterNames.count }

  /// f(xᵢ; θ) for every sample, and ∂f/∂θ (m × P) when asked.
  ///
  /// - Parameters:
  ///   - predictors: one column per name of ``predictorNames``, all of one length m.
  ///   - count: m, needed only when the model uses no predictor.
  public func evaluate(parameters: [Double], predictors: [[Double]], count: Int? = nil, derivatives: Bool = true) -> (
    values: [Double], jacobian: Matrix?
  ) {
    let m = predictors.first?.count ?? count ?? 1
    var values = [Double](repeating: 0, count: m)
    var jacobian = derivatives ? Matrix(rows: m, columns: parameterCount) : nil
    let evaluator = FormulaEvaluator(program: program)
    values.withUnsafeMutableBufferPointer { v in
      if jacobian != nil {
        jacobian!.elements.withUnsafeMutableBufferPointer { j in
          evaluator.evaluate(
            parameters: parameters, predictors: predictors, count: m, values: v.baseAddress!, jacobian: j.baseAddress)
        }
      } else {
        evaluator.evaluate(
          parameters: parameters, predictors: predictors, count: m, values: v.baseAddress!, jacobian: nil)
      }
    }
    return (values, jacobian)
  }

  /// The response: g(columns) when the model is an equation, else the single column given.
  ///
  /// - Parameters:
  ///   - columns: one column per name of ``responseColumnNames`` (or the response column itself).
  public func response(_ columns: [[Double]]) -> [Double] {
    guard let responseProgram else {
      precondition(columns.count == 1, "without an equation the response is one column")
      return columns[0]
    }
    let m = columns.first?.count ?? 0
    var values = [Double](repeating: 0, count: m)
    values.withUnsafeMutableBufferPointer { v in
      FormulaEvaluator(program: responseProgram).evaluate(
        parameters: [], predictors: columns, count: m, values: v.baseAddress!, jacobian: nil)
    }
    return values
  }
}
