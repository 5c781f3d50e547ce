import Foundation

/// A fixed-width table: a header row, then aligned rows; numbers right-aligned, text left-aligned.
struct Table {
  var headers: [String]
  var rows: [[String]] = []

  init(_ headers: String...) { self.headers = headers }

  mutating func append(_ cells: String...) { rows.append(cells) }

  var rendered: String {
    let widths = headers.indices.map { column in
      ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + padding : padding + cell
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(headers)] + rows.map(line)).joined(separator: "\n")
  }
}

/// 3 significant digits in exponent form: 1.23e-14.
func scientific(_ value: Double) -> String { String(format: "%.2e", value) }

/// Up to 12 significant digits.
func decimal(_ value: Double) -> String { String(format: "%.12g", value) }

/// A value a user gave, for a message: cut to about 60 characters with "…".
func quoted(_ text: String) -> String {
  let limit = 60
  return text.count <= limit ? text : String(text.prefix(limit)) + "…"
}

/// A number a user gave, for a message.
func quoted(_ value: Double) -> String { quoted("\(value)") }
