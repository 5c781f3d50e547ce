import Foundation
import KKTNet

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
func quoted(_ text: String) -> String { InputError.quoted(text) }

/// A message for standard error with every value in it short: each quoted value — '…' opening after a
/// space, a parenthesis or the start, and closing before a space, punctuation or the end, as ArgumentParser
/// quotes the values it rejects — cut to about 60 characters, and each line to 1000. (An apostrophe
/// inside a word, as in "the model's", opens nothing.)
func shortened(_ message: String) -> String {
  let characters = Array(message)
  var result = ""
  var i = 0
  while i < characters.count {
    let opens = characters[i] == "'" && (i == 0 || " (=\n\t".contains(characters[i - 1]))
    if opens,
      let close = (i + 1..<characters.count).first(where: { j in
        characters[j] == "'" && (j + 1 == characters.count || " .,;:)\n\t".contains(characters[j + 1]))
      })
    {
      result += "'" + InputError.quoted(String(characters[(i + 1)..<close])) + "'"
      i = close + 1
    } else {
      result.append(characters[i])
      i += 1
    }
  }
  return result.split(separator: "\n", omittingEmptySubsequences: false).map {
    $0.count <= 1000 ? String($0) : String($0.prefix(1000)) + "…"
  }.joined(separator: "\n")
}

/// A number a user gave, for a message.
func quoted(_ value: Double) -> String { quoted("\(value)") }
