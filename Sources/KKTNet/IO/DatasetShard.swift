/// The numbers of one shard of a CSV dataset (``CSVShard``): its inputs and targets, checked cell by cell
/// with the sentences of ``Dataset/load(path:targets:loss:classes:)``.
///
/// A ce target of one label column needs the class list of the whole file, the sorted union of every
/// shard's ``labels``; so reading is two steps around that union: ``parse(_:path:targets:loss:)`` (the
/// checks of stages ``ShardReadError/Stage/file`` to ``ShardReadError/Stage/targetValue``), then
/// ``dataset(classes:)`` (the class count and membership, and the one-hot targets).
public struct DatasetShard: Sendable {
  /// The file, for the errors of ``dataset(classes:)``.
  public let path: String
  /// The data rows of the file that this shard holds, and m.
  public let rows: Range<Int>
  /// m, the data rows of the whole file.
  public let rowCount: Int
  /// The loss the targets were read for.
  public let loss: Loss
  /// For ce with one label column: the distinct labels of this shard, sorted; nil otherwise.
  public let labels: [Double]?
  private let inputNames: [String]
  private let targetNames: [String]
  private let lines: [Int]
  private let inputs: Matrix
  private let targets: Matrix

  /// Parses the cells of `shard` (read from `path`), as ``Dataset/load(path:targets:loss:classes:)`` would.
  ///
  /// - Parameters:
  ///   - targets: the target column names; nil for the last column.
  ///   - loss: with `ce`, one integer label column becomes one-hot (in ``dataset(classes:)``); with `bce`,
  ///     targets must lie in [0, 1].
  /// - Throws: the first error of this shard in the single-process reader's order.
  public static func parse(_ shard: CSVShard, path: String, targets names: [String]?, loss: Loss) throws(ShardReadError)
    -> DatasetShard
  {
    let table = shard.table
    func fail(_ stage: ShardReadError.Stage, _ line: Int, _ error: InputError) -> ShardReadError {
      ShardReadError(stage: stage, line: line, error: error.inFile(path))
    }
    let targetColumns: [Int]
    do { targetColumns = try Dataset.columns(of: names, in: table) } catch { throw fail(.file, 0, error) }
    let inputColumns = table.header.indices.filter { !targetColumns.contains($0) }
    func matrix(_ columns: [Int], _ stage: ShardReadError.Stage) throws(ShardReadError) -> Matrix {
      var result = Matrix(rows: columns.count, columns: table.rows.count)
      for (j, row) in table.rows.enumerated() {
        for (i, column) in columns.enumerated() {
          do {
            result[i, j] = try Dataset.number(
              row.cells[column], line: row.line, column: column, name: table.header[column])
          } catch {
            throw fail(stage, row.line, error)
          }
        }
      }
      return result
    }
    let inputs = try matrix(inputColumns, .inputCell)
    let raw = try matrix(targetColumns, .targetCell)
    let targetNames = targetColumns.map { table.header[$0] }
    let lines = table.rows.map(\.line)
    var labels: [Double]?
    for j in 0..<raw.columns {
      do {
        switch loss {
        case .softmaxCrossEntropy where targetColumns.count == 1:
          try Dataset.checkClassLabel(raw[0, j], line: lines[j], column: targetColumns[0], name: targetNames[0])
        case .softmaxCrossEntropy:
          try Dataset.checkProbabilities(raw.column(j), line: lines[j])
        case .binaryCrossEntropy:
          for i in 0..<raw.rows {
            try Dataset.checkBinaryTarget(raw[i, j], line: lines[j], column: targetColumns[i], name: targetNames[i])
          }
        case .meanSquaredError:
          break
        }
      } catch {
        throw fail(.targetValue, lines[j], error)
      }
    }
    if loss == .softmaxCrossEntropy && targetColumns.count == 1 { labels = Array(Set(raw.elements)).sorted() }
    return DatasetShard(
      path: path, rows: shard.rows, rowCount: shard.rowCount, loss: loss, labels: labels,
      inputNames: inputColumns.map { table.header[$0] }, targetNames: targetNames,
      lines: lines, inputs: inputs, targets: raw)
  }

  /// The shard as a dataset. For ce with one label column, `classes` is the class list — the model's, or
  /// the sorted union of every shard's ``labels`` — and the targets become one-hot columns in its order;
  /// for other targets `classes` is not used.
  ///
  /// - Throws: ``ShardReadError/Stage/classCount`` when there are fewer than two classes (the same on every
  ///   rank), ``ShardReadError/Stage/classMembership`` for the first row whose label is not a class.
  public func dataset(classes: [Double]?) throws(ShardReadError) -> Dataset {
    guard labels != nil else {
      return Dataset(inputNames: inputNames, targetNames: targetNames, inputs: inputs, targets: targets)
    }
    precondition(classes != nil, "ce with one label column needs the class list of the whole file")
    let classes = classes!
    do { try Dataset.checkClassCount(classes, name: targetNames[0]) } catch {
      throw ShardReadError(stage: .classCount, line: 0, error: error.inFile(path))
    }
    var oneHot = Matrix(rows: classes.count, columns: targets.columns)
    for j in 0..<targets.columns {
      do { oneHot[try Dataset.classIndex(of: targets[0, j], in: classes, line: lines[j]), j] = 1 } catch {
        throw ShardReadError(stage: .classMembership, line: lines[j], error: error.inFile(path))
      }
    }
    return Dataset(
      inputNames: inputNames, targetNames: Dataset.classNames(classes, target: targetNames[0]), inputs: inputs,
      targets: oneHot, classes: classes)
  }
}
