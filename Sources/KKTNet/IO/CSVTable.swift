import Foundation

/// A comma-separated table as text cells: a required header row of column names, then rows of the same
/// length. Fields may be quoted ("a, b" with "" for a quote inside); line ends may be \n, \r\n or \r; a
/// UTF-8 byte-order mark and trailing blank lines are ignored. Every error names the line.
public struct CSVTable: Sendable {
  /// The column names of the header, trimmed.
  public let header: [String]
  /// The data rows, with the 1-based line number each came from.
  public let rows: [(line: Int, cells: [String])]

  /// Parses the text of a CSV file.
  public static func parse(_ text: String) throws(InputError) -> CSVTable {
    // "\r\n" is one Character in Swift, so splitting on "\n" alone would leave a Windows file one line long.
    var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
    while let last = lines.last, isBlank(last) { lines.removeLast() }
    guard !lines.isEmpty else { throw emptyFile }

    let header = try Self.header(of: lines[0])
    var rows: [(Int, [String])] = []
    for index in 1..<lines.count {
      let line = index + 1
      guard !isBlank(lines[index]) else { throw emptyLine(line) }
      rows.append((line, try cells(of: lines[index], line: line, columnCount: header.count)))
    }
    guard !rows.isEmpty else { throw noDataRows }
    return CSVTable(header: header, rows: rows)
  }

  // The checks and sentences below are shared with the streaming reader of CSVShard.

  static let emptyFile = InputError("the file is empty")
  static let noDataRows = InputError("the file has a header but no data rows")
  static func emptyLine(_ line: Int) -> InputError { InputError("line \(line) is empty") }

  /// A line of nothing but spaces and tabs.
  static func isBlank(_ line: Substring) -> Bool { line.allSatisfy { $0 == " " || $0 == "\t" } }

  /// The column names of the header line (line 1, byte-order mark removed): trimmed, non-empty, distinct,
  /// and not all numbers.
  static func header(of line: Substring) throws(InputError) -> [String] {
    let header = try split(line, line: 1).map { $0.trimmingCharacters(in: .whitespaces) }
    for (column, name) in header.enumerated() where name.isEmpty {
      throw InputError("line 1: the name of column \(column + 1) in the header is empty")
    }
    var seen = Set<String>()
    for name in header where !seen.insert(name).inserted {
      throw InputError("line 1: the header names column '\(InputError.quoted(name))' twice")
    }
    if header.allSatisfy({ parseDecimal($0) != nil }) {
      throw InputError("line 1 must be a header of column names, but it holds only numbers")
    }
    return header
  }

  /// The cells of a data line that is not blank, which must be as many as the header's columns.
  static func cells(of text: Substring, line: Int, columnCount: Int) throws(InputError) -> [String] {
    let cells = try split(text, line: line)
    guard cells.count == columnCount else {
      throw InputError("line \(line) has \(cells.count) cells, but the header has \(columnCount) columns")
    }
    return cells
  }

  /// Splits one line into cells, honouring quotes.
  static func split(_ line: Substring, line number: Int) throws(InputError) -> [String] {
    var cells: [String] = []
    var cell = ""
    var quoted = false
    var index = line.startIndex
    while index < line.endIndex {
      let c = line[index]
      if quoted {
        if c == "\"" {
          let next = line.index(after: index)
          if next < line.endIndex && line[next] == "\"" {
            cell.append("\"")
            index = next
          } else {
            quoted = false
          }
        } else {
          cell.append(c)
        }
      } else if c == "\"" && cell.trimmingCharacters(in: .whitespaces).isEmpty {
        cell = ""
        quoted = true
      } else if c == "," {
        cells.append(cell)
        cell = ""
      } else {
        cell.append(c)
      }
      index = line.index(after: index)
    }
    guard !quoted else { throw InputError("line \(number): a quoted field is not closed") }
    cells.append(cell)
    return cells
  }
}
