import Foundation
import KKTNet

/// A NIST StRD nonlinear-regression file (https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml), read
/// from NIST's own text: the model (joined over its lines, without the error term `+ e`, with constant
/// definitions such as Roszman1's `pi = 3.14159…`), the two starting points, the certified parameters and
/// their standard deviations, the certified residual sum of squares, residual standard deviation and
/// degrees of freedom, and the data with the column names of its header (`y x`, `y x1 x2`).
///
/// The certified values are checked against each other: the certified parameters must reproduce the
/// certified residual sum of squares. A known misprint whose published value passes that check is
/// corrected and recorded in ``corrections``; any other disagreement is kept in ``inconsistency``.
public struct NISTFile: Sendable {
  /// The dataset's name (`Misra1a`).
  public let name: String
  /// The model as an equation, `y = b1*(1-exp[-b2*x])` or `log[y] = …`.
  public let modelText: String
  /// Named constants the model section defines.
  public let constants: [String: Double]
  /// b1…bₚ.
  public let parameterNames: [String]
  /// Start 1 and Start 2.
  public let starts: [[Double]]
  /// NIST's certified θ̂ (with ``knownMisprints`` corrected).
  public private(set) var certifiedParameters: [Double]
  /// NIST's certified standard deviations of θ̂.
  public let certifiedStandardDeviations: [Double]
  /// NIST's certified residual sum of squares ‖r(θ̂)‖² (twice the loss a solver reports).
  public let certifiedResidualSumOfSquares: Double
  /// NIST's certified residual standard deviation s = √(RSS/(m − p)).
  public let certifiedResidualStandardDeviation: Double
  /// m − p; a file that prints another number (Rat43 prints 9 for 15 − 4 = 11) gets a note in
  /// ``corrections``.
  public private(set) var certifiedDegreesOfFreedom: Int
  /// The data's column names, the response first.
  public let columnNames: [String]
  /// One array per column.
  public let columns: [[Double]]
  /// Sentences describing the certified values that were corrected.
  public private(set) var corrections: [String] = []
  /// A sentence when the certified parameters do not reproduce the certified residual sum of squares.
  public private(set) var inconsistency: String?

  /// Misprints in copies of the files in circulation, with NIST's published values: Roszman1's b1 printed
  /// `1.20196866396E-0` for 2.0196866396E-01 (the misprint gives a residual sum of squares of 25.0005
  /// instead of the certified 4.9484847331E-04).
  public static let knownMisprints: [String: (index: Int, printed: Double, published: Double)] = [
    "Roszman1": (0, 1.20196866396, 2.0196866396E-01)
  ]

  /// Reads a file; `path` names it in errors.
  public static func read(path: String) throws(InputError) -> NISTFile {
    let bytes = try AtomicFile.read(path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw InputError(file: path, "the file is not UTF-8 text")
    }
    do { return try parse(text) } catch { throw error.inFile(path) }
  }

  /// Parses the text of a NIST StRD nonlinear-regression file.
  public static func parse(_ text: String) throws(InputError) -> NISTFile {
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map {
      String($0)
    }
    func words(_ line: String) -> [String] { line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
    func number(_ word: String, _ line: Int) throws(InputError) -> Double {
      guard let value = parseDecimal(word), value.isFinite else {
        throw InputError("line \(line + 1): '\(word.prefix(60))' is not a number")
      }
      return value
    }
    guard let nameLine = lines.firstIndex(where: { $0.hasPrefix("Dataset Name:") }) else {
      throw InputError("this is not a NIST StRD file: it has no 'Dataset Name:' line")
    }
    let name = words(lines[nameLine]).dropFirst(2).first ?? "unnamed"
    guard let modelLine = lines.firstIndex(where: { $0.hasPrefix("Model:") }),
      let startsLine = lines[modelLine...].firstIndex(where: { $0.lowercased().contains("starting values") })
    else {
      throw InputError("the file has no 'Model:' section followed by 'Starting values'")
    }
    // The equations: a line with '=' starts one, a line without continues it.
    var equations: [String] = []
    for line in lines[(modelLine + 1)..<startsLine] {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.contains("Parameters") { continue }
      if trimmed.contains("=") || equations.isEmpty {
        equations.append(trimmed)
      } else {
        equations[equations.count - 1] += " " + trimmed
      }
    }
    var constants: [String: Double] = [:]
    var model: String?
    for equation in equations {
      let sides = equation.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      if sides.count == 2, let value = parseDecimal(sides[1]), !sides[0].contains(" ") {
        constants[sides[0]] = value
      } else {
        model = equation
      }
    }
    guard var modelText = model else { throw InputError("the model section has no equation") }
    if let range = modelText.range(of: #"\+\s*e\s*$"#, options: .regularExpression) {
      modelText = String(modelText[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
    }

    var parameterNames: [String] = []
    var starts: [[Double]] = [[], []]
    var certified: [Double] = []
    var deviations: [Double] = []
    var summary: [String: Double] = [:]
    for index in startsLine..<lines.count {
      let w = words(lines[index])
      if w.count == 6, w[1] == "=", w[0].hasPrefix("b") {
        parameterNames.append(w[0])
        starts[0].append(try number(w[2], index))
        starts[1].append(try number(w[3], index))
        certified.append(try number(w[4], index))
        deviations.append(try number(w[5], index))
      }
      for key in ["Residual Sum of Squares:", "Residual Standard Deviation:", "Degrees of Freedom:"]
      where lines[index].hasPrefix(key) {
        summary[key] = try number(w.last ?? "", index)
      }
    }
    guard !parameterNames.isEmpty else { throw InputError("the file lists no parameters b1 = …") }
    guard let ssr = summary["Residual Sum of Squares:"], let rsd = summary["Residual Standard Deviation:"],
      let dof = summary["Degrees of Freedom:"]
    else {
      throw InputError("the file lacks the certified residual sum of squares, standard deviation or degrees of freedom")
    }
    guard let header = lines.lastIndex(where: { $0.hasPrefix("Data:") }) else {
      throw InputError("the file has no 'Data:' header")
    }
    let columnNames = Array(words(lines[header]).dropFirst())
    var columns = [[Double]](repeating: [], count: columnNames.count)
    for index in (header + 1)..<lines.count {
      let w = words(lines[index])
      if w.isEmpty { continue }
      guard w.count == columnNames.count else {
        throw InputError("line \(index + 1) has \(w.count) values, but the data header names \(columnNames.count)")
      }
      for (c, word) in w.enumerated() { columns[c].append(try number(word, index)) }
    }
    guard !columnNames.isEmpty, !columns[0].isEmpty else { throw InputError("the file has no data") }

    var file = NISTFile(
      name: name, modelText: modelText, constants: constants, parameterNames: parameterNames, starts: starts,
      certifiedParameters: certified, certifiedStandardDeviations: deviations, certifiedResidualSumOfSquares: ssr,
      certifiedResidualStandardDeviation: rsd, certifiedDegreesOfFreedom: Int(dof), columnNames: columnNames,
      columns: columns)
    do { try file.checkCertifiedValues() } catch { throw InputError("the model: \(error.description)") }
    let degrees = columns[0].count - parameterNames.count
    if Int(dof) != degrees {
      let s = (ssr / Double(degrees)).squareRoot()
      file.certifiedDegreesOfFreedom = degrees
      file.corrections.append(
        "the file states \(Int(dof)) degrees of freedom; \(columns[0].count) observations and \(parameterNames.count) parameters leave \(degrees)\(abs(s - rsd) <= 1e-9 * rsd ? ", which the certified residual standard deviation agrees with" : "")"
      )
    }
    return file
  }

  /// The formula, resolved against the file's columns and parameters.
  public func model() throws(FormulaError) -> FormulaModel {
    try FormulaModel(modelText, columns: columnNames, parameters: parameterNames, constants: constants)
  }

  /// The least-squares problem: the model against the response (the first column, or the left side of
  /// the equation).
  public func problem() throws(FormulaError) -> FormulaProblem {
    let model = try model()
    let column = { (name: String) in columns[columnNames.firstIndex(of: name)!] }
    let response =
      model.responseExpression == nil
      ? columns[0] : model.response(model.responseColumnNames.map(column))
    return FormulaProblem(model: model, predictors: model.predictorNames.map(column), response: response)
  }

  /// SSR = ‖r‖² at the certified parameters.
  public func residualSumOfSquaresAtCertifiedValues() throws(FormulaError) -> Double {
    2 * (try problem()).objective(at: certifiedParameters)
  }

  /// Corrects a known misprint, or records a disagreement, between the certified parameters and the
  /// certified SSR. The tolerance, 10⁻⁶·SSR + 10⁻¹²·Σy², allows for the parameters' eleven digits
  /// (Lanczos1's certified SSR of 1.4·10⁻²⁵ is below what eleven-digit parameters reproduce).
  private mutating func checkCertifiedValues() throws(FormulaError) {
    let problem = try problem()
    let scale = problem.response.reduce(0) { $0 + $1 * $1 }
    func consistent(_ ssr: Double) -> Bool {
      abs(ssr - certifiedResidualSumOfSquares) <= 1e-6 * certifiedResidualSumOfSquares + 1e-12 * scale
    }
    let ssr = 2 * problem.objective(at: certifiedParameters)
    if consistent(ssr) { return }
    if let misprint = Self.knownMisprints[name], certifiedParameters[misprint.index] == misprint.printed {
      var corrected = certifiedParameters
      corrected[misprint.index] = misprint.published
      let fixed = 2 * problem.objective(at: corrected)
      if consistent(fixed) {
        certifiedParameters = corrected
        corrections.append(
          "the certified \(parameterNames[misprint.index]) is printed as \(misprint.printed), which gives a residual sum of squares of \(String(format: "%.6g", ssr)) instead of the certified \(certifiedResidualSumOfSquares); NIST publishes \(misprint.published), which reproduces it and is used here"
        )
        return
      }
    }
    inconsistency =
      "the certified parameters give a residual sum of squares of \(String(format: "%.6g", ssr)), not the certified \(certifiedResidualSumOfSquares)"
  }
}
