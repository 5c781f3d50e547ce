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
    while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
    guard !lines.isEmpty else { throw InputError("the file is empty") }

    let header = try split(lines[0], line: 1).map { $0.trimmingCharacters(in: .whitespaces) }
    for (column, name) in header.enumerated() where name.isEmpty {
      throw InputError("line 1: the name of column \(column + 1) in the header is empty")
    }
    var seen = Set<String>()
    for name in header where !seen.insert(name).inserted {
      throw InputError("line 1: the header names column '\(name)' twice")
    }
    if header.allSatisfy({ parseDecimal($0) != nil }) {
      throw InputError("line 1 must be a header of column names, but it holds only numbers")
    }
    var rows: [(Int, [String])] = []
    for index in 1..<lines.count {
      let line = index + 1
      guard !lines[index].allSatisfy({ $0 == " " || $0 == "\t" }) else { throw InputError("line \(line) is empty") }
      let cells = try split(lines[index], line: line)
      guard cells.count == header.count else {
        throw InputError("line \(line) has \(cells.count) cells, but the header has \(header.count) columns")
      }
      rows.append((line, cells))
    }
    guard !rows.isEmpty else { throw InputError("the file has a header but no data rows") }
    return CSVTable(header: header, rows: rows)
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
