import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// A formula the user gave that cannot be used: the sentence with the flag, then the formula with a caret.
struct FormulaInputError: Error, CustomStringConvertible {
  let source: String
  let error: FormulaError
  var description: String { "\(source): \(error.description)\n\(error.caretDiagram)" }
}

/// The columns of a CSV file by name, each parsed on demand; errors name the file, line and column.
struct NumericTable {
  let path: String
  let table: CSVTable

  init(path: String) throws {
    self.path = path
    let bytes = try AtomicFile.read(path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw InputError(file: path, "the file is not UTF-8 text")
    }
    do { table = try CSVTable.parse(text) } catch { throw error.inFile(path) }
  }

  var rowCount: Int { table.rows.count }

  func column(_ name: String, flag: String) throws -> [Double] {
    guard let index = table.header.firstIndex(of: name) else {
      throw InputError(
        file: path,
        "there is no column '\(name.prefix(60))' (\(flag)); the columns are \(table.header.joined(separator: ", "))")
    }
    return try table.rows.map { row in
      let cell = row.cells[index]
      // Spaces and tabs trimmed by hand: Foundation's trimmingCharacters costs more than the fit on 10⁵ rows.
      let text =
        cell.first == " " || cell.first == "\t" || cell.last == " " || cell.last == "\t"
        ? String(cell.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) : cell
      let place = "line \(row.line), column \(index + 1) ('\(name)')"
      guard let value = parseDecimal(text) else {
        throw InputError(file: path, "\(place) holds '\(text.prefix(60))', which is not a number")
      }
      guard value.isFinite else {
        throw InputError(file: path, "\(place) holds \(text.prefix(60)), which is too large")
      }
      return value
    }
  }
}

/// What `kktnet fit` fits: the problem, where it starts, and where it came from.
struct FitSetup {
  let problem: FormulaProblem
  let start: [Double]
  let startText: String
  let parameterNames: [String]
  let notes: [String]
  /// The data's file name, and the model as given.
  let source: String
  let modelText: String
  let nist: NISTFile?
  let predictAt: String?
  let grid: GridSpecification?
  let sigmaColumn: String?
  /// --bounds, or nil.
  let bounds: BoxConstraints?

  var model: FormulaModel { problem.model }

  /// Which parameters lie on a bound at θ (none without --bounds).
  func held(at parameters: [Double]) -> [Bool]? { bounds.map { $0.sides(parameters).map { $0 != .inside } } }

  /// The bounds for the start, or an error naming the first parameter the start puts outside them.
  static func bounds(_ text: String?, names: [String], start: [Double], startText: String) throws -> BoxConstraints? {
    guard let text else { return nil }
    let box = try BoundsSpecification(text).constraints(parameterNames: names)
    if let j = box.firstViolation(start) {
      throw ValidationError(
        "the start \(names[j]) = \(start[j]) \(startText.first == "(" ? "\(startText) " : "")lies outside its bounds [\(box.lower[j]), \(box.upper[j])] (--bounds); start inside them."
      )
    }
    return box
  }

  init(_ command: Fit) throws {
    predictAt = command.predictAt
    grid = try command.grid.map(GridSpecification.init)
    sigmaColumn = command.sigma
    if let path = command.nist {
      let file = try NISTFile.read(path: path)
      let index = command.start == "1" ? 0 : 1
      do {
        problem = try file.problem()
      } catch {
        throw FormulaInputError(source: "\(path): the model", error: error)
      }
      nist = file
      start = file.starts[index]
      startText = "(start \(command.start))"
      parameterNames = file.parameterNames
      notes =
        file.corrections.map { "\(file.name): \($0)" } + (file.inconsistency.map { ["\(file.name): \($0)"] } ?? [])
      source = path
      modelText = file.modelText
      bounds = try Self.bounds(command.bounds, names: parameterNames, start: start, startText: startText)
      return
    }
    let path = command.data!
    let table = try NumericTable(path: path)
    let startValues = try StartValues(command.start)
    let model: FormulaModel
    do {
      model = try FormulaModel(command.model!, columns: table.table.header, parameters: startValues.names)
    } catch {
      throw FormulaInputError(source: "--model", error: error)
    }
    let response: [Double]
    if model.responseExpression != nil {
      guard command.response == nil else {
        throw ValidationError("the model's left side already gives the response; leave out --y.")
      }
      let columns = try model.responseColumnNames.map { try table.column($0, flag: "the model's response") }
      response = model.response(columns)
      if let bad = response.firstIndex(where: { !$0.isFinite }) {
        throw InputError(
          file: path, "line \(table.table.rows[bad].line): the response (left of '=') is not finite there")
      }
    } else {
      guard let name = command.response ?? (table.table.header.contains("y") ? "y" : nil) else {
        throw ValidationError("name the response column with --y (the data has no column 'y').")
      }
      response = try table.column(name, flag: "--y")
    }
    let sigma = try command.sigma.map { try table.column($0, flag: "--sigma") }
    if let sigma, let bad = sigma.firstIndex(where: { !($0 > 0) }) {
      throw InputError(
        file: path,
        "line \(table.table.rows[bad].line): σ in '\(command.sigma!)' is \(sigma[bad]); every σ must be positive")
    }
    let m = table.rowCount
    guard m > startValues.names.count else {
      throw InputError(
        file: path,
        "the data has \(m) rows for \(startValues.names.count) parameters; a fit needs more observations than parameters"
      )
    }
    let predictors = try model.predictorNames.map { try table.column($0, flag: "--model") }
    problem = FormulaProblem(model: model, predictors: predictors, response: response, sigma: sigma)
    nist = nil
    start = startValues.values
    startText = command.start
    parameterNames = startValues.names
    notes = []
    source = path
    modelText = command.model!
    bounds = try Self.bounds(command.bounds, names: parameterNames, start: start, startText: startText)
  }

  /// The bands at --predict-at's rows or --grid's points, or nil when neither is asked for.
  func bands(statistics: FitStatistics, confidence: Double, weighted: Bool) throws -> BandTable? {
    var columns: [[Double]]
    var noiseSigma: [Double]?
    if let grid {
      guard model.predictorNames == [grid.name] else {
        throw ValidationError(
          "--grid names \(grid.name), but the model's predictors are \(model.predictorNames.joined(separator: ", ")); --grid needs a model of that one predictor."
        )
      }
      columns = [grid.values]
    } else if let predictAt {
      let table = try NumericTable(path: predictAt)
      columns = try model.predictorNames.map { try table.column($0, flag: "a predictor of the model") }
      if weighted, let name = sigmaColumn, table.table.header.contains(name) {
        noiseSigma = try table.column(name, flag: "--sigma")
      }
    } else {
      return nil
    }
    let count = columns.first?.count ?? 0
    let (values, jacobian) = model.evaluate(parameters: statistics.parameters, predictors: columns, count: count)
    let bands = FitBands(
      statistics: statistics, values: values, gradients: jacobian!, confidence: confidence, weighted: weighted,
      noiseSigma: noiseSigma)
    return BandTable(names: model.predictorNames, columns: columns, values: values, bands: bands)
  }
}

extension FitSetup {
  /// The data, the fitted curve on 201 points over the data's range (or --grid's points) and its bands.
  func plot(statistics: FitStatistics, confidence: Double, weighted: Bool) throws -> FitPlot {
    guard model.predictorNames.count == 1, let x = problem.predictors.first else {
      throw ValidationError("--plot draws a model of one predictor; this one has \(model.predictorNames.count).")
    }
    let (low, high) = (x.min()!, x.max()!)
    let grid = self.grid?.values ?? (0...200).map { low + (high - low) * Double($0) / 200 }
    let (values, jacobian) = model.evaluate(parameters: statistics.parameters, predictors: [grid], count: grid.count)
    let name = model.predictorNames[0]
    var plot = FitPlot(
      title: "\(modelText.prefix(60)) on \(URL(fileURLWithPath: source).lastPathComponent)", xLabel: name,
      yLabel: model.responseExpression == nil ? "response" : "transformed response")
    plot.points = Array(zip(x, problem.response)).map { (x: $0.0, y: $0.1) }
    plot.curves.append(("fit", Array(zip(grid, values)).map { (x: $0.0, y: $0.1) }, false, "#1f77b4"))
    let level = String(format: "%g%%", 100 * confidence)
    if let bands = FitBands(
      statistics: statistics, values: values, gradients: jacobian!, confidence: confidence,
      weighted: weighted, noiseSigma: weighted ? [Double](repeating: 1, count: grid.count) : nil)
    {
      let c = bands.confidenceBand
      plot.curves.append(("\(level) confidence", zip(grid, c).map { (x: $0.0, y: $0.1.lower) }, true, "#d62728"))
      plot.curves.append(("\(level) confidence", zip(grid, c).map { (x: $0.0, y: $0.1.upper) }, true, "#d62728"))
      if !weighted, let p = bands.predictionBand {
        plot.curves.append(("\(level) prediction", zip(grid, p).map { (x: $0.0, y: $0.1.lower) }, true, "#2ca02c"))
        plot.curves.append(("\(level) prediction", zip(grid, p).map { (x: $0.0, y: $0.1.upper) }, true, "#2ca02c"))
      }
    }
    return plot
  }
}

/// The fitted values, and their bands when the fit has a covariance, at the requested points.
struct BandTable {
  let names: [String]
  let columns: [[Double]]
  let values: [Double]
  let bands: FitBands?

  var csv: String {
    var header = names + ["fit"]
    if let bands {
      header += ["se_fit", "lower_confidence", "upper_confidence"]
      if bands.predictionStandardDeviations != nil {
        header += ["sd_prediction", "lower_prediction", "upper_prediction"]
      }
    }
    var text = header.joined(separator: ",") + "\n"
    let confidence = bands?.confidenceBand
    let prediction = bands?.predictionBand
    for i in values.indices {
      var row = columns.map { "\($0[i])" } + ["\(values[i])"]
      if let bands, let c = confidence?[i] {
        row += ["\(bands.meanStandardErrors[i])", "\(c.lower)", "\(c.upper)"]
        if let sd = bands.predictionStandardDeviations, let p = prediction?[i] {
          row += ["\(sd[i])", "\(p.lower)", "\(p.upper)"]
        }
      }
      text += row.joined(separator: ",") + "\n"
    }
    return text
  }
}
