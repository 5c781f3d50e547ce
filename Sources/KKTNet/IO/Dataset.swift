import Foundation

/// A numeric dataset read from CSV: inputs n₀ × m and targets n_N × m (columns are samples).
///
/// The target columns are chosen by name (the last column by default). For the `ce` loss a single target
/// column of integer labels becomes one-hot columns, one per class in sorted order. Every cell must be a
/// finite number in decimal or exponent form; errors name the file, line and column.
public struct Dataset: Sendable {
  /// The names of the input columns.
  public let inputNames: [String]
  /// The names of the target columns (for one-hot classes, `name=label`).
  public let targetNames: [String]
  /// x⁰, n₀ × m.
  public var inputs: Matrix
  /// y, n_N × m.
  public var targets: Matrix
  /// The class labels of one-hot targets, sorted; nil otherwise.
  public let classes: [Double]?

  /// A dataset from matrices with one column per sample; `inputs` and `targets` must have the same number of
  /// columns.
  public init(inputNames: [String], targetNames: [String], inputs: Matrix, targets: Matrix, classes: [Double]? = nil) {
    precondition(inputs.columns == targets.columns, "inputs and targets need the same samples")
    self.inputNames = inputNames
    self.targetNames = targetNames
    self.inputs = inputs
    self.targets = targets
    self.classes = classes
  }

  /// m.
  public var sampleCount: Int { inputs.columns }

  /// Reads a CSV file.
  ///
  /// - Parameters:
  ///   - targets: the target column names; nil for the last column.
  ///   - loss: the loss the data is for, which decides how the targets are read (there is no default: a
  ///     classifier's labels read as regression values would give a network one output instead of one per
  ///     class). With `.softmaxCrossEntropy` one integer label column becomes one-hot columns, one per
  ///     class; with `.binaryCrossEntropy` targets must lie in [0, 1]; with `.meanSquaredError` they are
  ///     used as they are.
  ///   - classes: the labels a trained model knows (one-hot columns in this order); nil to take the sorted
  ///     labels found in the file.
  public static func load(
    path: String, targets: [String]? = nil, loss: Loss, classes: [Double]? = nil
  ) throws(InputError) -> Dataset {
    let table = try readTable(path)
    do {
      return try make(table, targets: targets, loss: loss, classes: classes)
    } catch {
      throw error.inFile(path)
    }
  }

  /// Reads a CSV file of inputs for a network with `inputCount` inputs: all columns when there are that
  /// many, otherwise all but the target columns (named, or the last).
  public static func loadInputs(path: String, inputCount: Int, targets: [String]? = nil) throws(InputError) -> Dataset {
    let table = try readTable(path)
    do throws(InputError) {
      let targetColumns: [Int]
      if table.header.count == inputCount && targets == nil {
        targetColumns = []
      } else {
        targetColumns = try columns(of: targets, in: table)
      }
      let inputColumns = table.header.indices.filter { !targetColumns.contains($0) }
      guard inputColumns.count == inputCount else {
        throw InputError("the file has \(inputColumns.count) input columns, but the model takes \(inputCount)")
      }
      let inputs = try matrix(table, columns: inputColumns)
      return Dataset(
        inputNames: inputColumns.map { table.header[$0] }, targetNames: [], inputs: inputs,
        targets: Matrix(rows: 0, columns: inputs.columns))
    } catch {
      throw error.inFile(path)
    }
  }

  /// About how many bytes of memory parsing takes per byte of CSV text: the text, its lines and cells as
  /// strings, and the matrices of numbers.
  static let parsingMemoryPerByte = 12

  private static func readTable(_ path: String) throws(InputError) -> CSVTable {
    let bytes = try AtomicFile.read(path)
    do {
      try (parsingMemoryPerByte * MemoryEstimate(bytes: bytes.count)).check(
        "the data file (\(MemoryEstimate(bytes: bytes.count)))", "to be parsed")
    } catch {
      throw InputError(file: path, error.description)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw InputError(file: path, "the file is not UTF-8 text")
    }
    do { return try CSVTable.parse(text) } catch { throw error.inFile(path) }
  }

  static func columns(of names: [String]?, in table: CSVTable) throws(InputError) -> [Int] {
    guard let names else { return [table.header.count - 1] }
    if let twice = names.indices.first(where: { names[..<$0].contains(names[$0]) }) {
      throw InputError("the target column '\(InputError.quoted(names[twice]))' is named twice")
    }
    var result: [Int] = []
    for name in names {
      guard let index = table.header.firstIndex(of: name) else {
        throw InputError(
          "there is no column '\(InputError.quoted(name))'; the columns are \(InputError.quotedList(table.header))")
      }
      result.append(index)
    }
    guard result.count < table.header.count else { throw InputError("every column is a target; no input is left") }
    return result
  }

  static func matrix(_ table: CSVTable, columns: [Int]) throws(InputError) -> Matrix {
    var result = Matrix(rows: columns.count, columns: table.rows.count)
    for (j, row) in table.rows.enumerated() {
      for (i, column) in columns.enumerated() {
        result[i, j] = try number(row.cells[column], line: row.line, column: column, name: table.header[column])
      }
    }
    return result
  }

  static func number(_ cell: String, line: Int, column: Int, name: String) throws(InputError) -> Double {
    let text = cell.trimmingCharacters(in: .whitespaces)
    let place = "line \(line), column \(column + 1) ('\(InputError.quoted(name))')"
    guard !text.isEmpty else { throw InputError("\(place) is empty") }
    guard let value = parseDecimal(text) else {
      let lowered = text.lowercased()
      if ["nan", "+nan", "-nan"].contains(lowered) {
        throw InputError("\(place) holds NaN; every value must be a finite number")
      }
      if ["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(lowered) {
        throw InputError("\(place) holds an infinite value; every value must be a finite number")
      }
      throw InputError("\(place) holds '\(InputError.quoted(text))', which is not a number")
    }
    guard value.isFinite else {
      throw InputError("\(place) holds \(InputError.quoted(text)), which is too large for a double")
    }
    return value
  }

  static func make(_ table: CSVTable, targets names: [String]?, loss: Loss, classes known: [Double]?) throws(InputError)
    -> Dataset
  {
    let targetColumns = try columns(of: names, in: table)
    let inputColumns = table.header.indices.filter { !targetColumns.contains($0) }
    let inputs = try matrix(table, columns: inputColumns)
    let raw = try matrix(table, columns: targetColumns)
    let inputNames = inputColumns.map { table.header[$0] }
    let targetNames = targetColumns.map { table.header[$0] }

    switch loss {
    case .softmaxCrossEntropy where targetColumns.count == 1:
      let labels = raw.elements
      for (j, label) in labels.enumerated() {
        try checkClassLabel(label, line: table.rows[j].line, column: targetColumns[0], name: targetNames[0])
      }
      let classes = known ?? Array(Set(labels)).sorted()
      try checkClassCount(classes, name: targetNames[0])
      var oneHot = Matrix(rows: classes.count, columns: labels.count)
      for (j, label) in labels.enumerated() {
        oneHot[try classIndex(of: label, in: classes, line: table.rows[j].line), j] = 1
      }
      return Dataset(
        inputNames: inputNames, targetNames: classNames(classes, target: targetNames[0]), inputs: inputs,
        targets: oneHot, classes: classes)
    case .softmaxCrossEntropy:
      for j in 0..<raw.columns { try checkProbabilities(raw.column(j), line: table.rows[j].line) }
    case .binaryCrossEntropy:
      for j in 0..<raw.columns {
        for i in 0..<raw.rows {
          try checkBinaryTarget(raw[i, j], line: table.rows[j].line, column: targetColumns[i], name: targetNames[i])
        }
      }
    case .meanSquaredError:
      break
    }
    return Dataset(inputNames: inputNames, targetNames: targetNames, inputs: inputs, targets: raw)
  }

  // The per-row checks of the targets and their sentences, shared with the sharded reader (DatasetShard).

  /// A ce label must be an integer.
  static func checkClassLabel(_ label: Double, line: Int, column: Int, name: String) throws(InputError) {
    guard label == label.rounded() else {
      throw InputError(
        "line \(line), column \(column + 1) ('\(InputError.quoted(name))') holds \(label), but a class label for ce must be an integer"
      )
    }
  }

  /// ce needs two classes or more.
  static func checkClassCount(_ classes: [Double], name: String) throws(InputError) {
    guard classes.count >= 2 else {
      throw InputError("the target '\(InputError.quoted(name))' holds a single class; ce needs at least two")
    }
  }

  /// The one-hot row of a label among the classes.
  static func classIndex(of label: Double, in classes: [Double], line: Int) throws(InputError) -> Int {
    guard let index = classes.firstIndex(of: label) else {
      throw InputError(
        "line \(line): class \(label) is not one of the model's classes \(InputError.quotedList(classes.map(format)))")
    }
    return index
  }

  /// The names of one-hot target columns, `name=label`.
  static func classNames(_ classes: [Double], target name: String) -> [String] {
    classes.map { "\(name)=\(format($0))" }
  }

  /// Several ce target columns must hold probabilities that sum to 1.
  static func checkProbabilities(_ column: [Double], line: Int) throws(InputError) {
    let sum = column.reduce(0, +)
    guard column.allSatisfy({ $0 >= 0 }), abs(sum - 1) <= 1e-9 else {
      throw InputError("line \(line): the ce targets must be probabilities that sum to 1, but they sum to \(sum)")
    }
  }

  /// A bce target must lie in [0, 1].
  static func checkBinaryTarget(_ value: Double, line: Int, column: Int, name: String) throws(InputError) {
    guard (0...1).contains(value) else {
      throw InputError(
        "line \(line), column \(column + 1) ('\(InputError.quoted(name))') holds \(value), but bce targets must lie in [0, 1]"
      )
    }
  }

  /// The samples at `indices`, in that order.
  public func samples(_ indices: [Int]) -> Dataset {
    func pick(_ m: Matrix) -> Matrix {
      var result = Matrix(rows: m.rows, columns: indices.count)
      for (j, source) in indices.enumerated() {
        for i in 0..<m.rows { result[i, j] = m[i, source] }
      }
      return result
    }
    return Dataset(
      inputNames: inputNames, targetNames: targetNames, inputs: pick(inputs), targets: pick(targets), classes: classes)
  }
}

/// 3 rather than 3.0 for integer labels.
func format(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
}
