/// A dense matrix of `Double` stored column by column (column-major), the layout BLAS and LAPACK expect.
///
/// Element (i, j) — row i, column j, both from 0 — is `elements[i + j * rows]`. A batch of samples is a
/// matrix whose columns are the samples: the inputs X are n₀ × m.
public struct Matrix: Equatable, Hashable, Sendable {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The elements, column after column; `elements.count == rows * columns`.
  public var elements: [Double]

  /// A `rows × columns` matrix with every element equal to `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "a matrix cannot have a negative dimension")
    self.rows = rows
    self.columns = columns
    self.elements = Array(repeating: value, count: rows * columns)
  }

  /// A `rows × columns` matrix from its elements in column-major order.
  public init(rows: Int, columns: Int, elements: [Double]) {
    precondition(rows >= 0 && columns >= 0, "a matrix cannot have a negative dimension")
    precondition(
      elements.count == rows * columns,
      "a \(rows)×\(columns) matrix needs \(rows * columns) elements, not \(elements.count)")
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// A matrix from its rows, each a list of the same length: `Matrix(rowMajor: [[1, 2], [3, 4]])`.
  public init(rowMajor rowList: [[Double]]) {
    let columns = rowList.first?.count ?? 0
    precondition(rowList.allSatisfy { $0.count == columns }, "every row must have the same length")
    self.init(rows: rowList.count, columns: columns)
    for (i, row) in rowList.enumerated() {
      for (j, value) in row.enumerated() { self[i, j] = value }
    }
  }

  /// A column vector (an n × 1 matrix).
  public init(column: [Double]) {
    self.init(rows: column.count, columns: 1, elements: column)
  }

  /// The n × n identity matrix.
  public static func identity(_ n: Int) -> Matrix {
    var matrix = Matrix(rows: n, columns: n)
    for i in 0..<n { matrix[i, i] = 1 }
    return matrix
  }

  /// Element (row, column), both counted from 0.
  @inlinable
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
      return elements[row + column * rows]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
      elements[row + column * rows] = newValue
    }
  }

  /// The transpose Aᵀ.
  public var transposed: Matrix {
    var result = Matrix(rows: columns, columns: rows)
    for j in 0..<columns {
      for i in 0..<rows { result.elements[j + i * columns] = elements[i + j * rows] }
    }
    return result
  }

  /// Column j as an array.
  public func column(_ j: Int) -> [Double] {
    precondition(j >= 0 && j < columns, "column index out of range")
    return Array(elements[(j * rows)..<((j + 1) * rows)])
  }

  /// Row i as an array.
  public func row(_ i: Int) -> [Double] {
    precondition(i >= 0 && i < rows, "row index out of range")
    return (0..<columns).map { elements[i + $0 * rows] }
  }

  /// The rows as nested lists (row-major), the layout of JSON output and of PyTorch tensors.
  public var rowMajorRows: [[Double]] { (0..<rows).map(row) }

  /// The elements in row-major (C) order.
  public var rowMajorElements: [Double] { transposed.elements }

  /// The largest absolute value of an element, ‖A‖_max; 0 for an empty matrix, NaN when an element is NaN
  /// (`Swift.max` would drop it, as a NaN compares false).
  public var maxAbsoluteValue: Double { largestMagnitude(elements) }
}

/// maxᵢ |vᵢ| with NaN propagated: NaN when any vᵢ is NaN, 0 for no values.
func largestMagnitude<C: Collection>(_ values: C) -> Double where C.Element == Double {
  var largest = 0.0
  for x in values {
    if x.isNaN { return .nan }
    largest = max(largest, abs(x))
  }
  return largest
}

/// The largest of the values with NaN propagated: NaN when any is NaN, `empty` for no values.
func largestValue<C: Collection>(_ values: C, empty: Double = 0) -> Double where C.Element == Double {
  guard var largest = values.first else { return empty }
  for x in values {
    if x.isNaN { return .nan }
    largest = max(largest, x)
  }
  return largest
}

extension Matrix: CustomStringConvertible {
  public var description: String {
    rowMajorRows.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
  }
}
