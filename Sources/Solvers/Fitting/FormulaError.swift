/// A model formula that cannot be used: a syntax error or an unknown name, at a place in the text.
///
/// `description` is one sentence naming the column; ``caretDiagram`` repeats the formula with a caret
/// under that column, for a terminal.
public struct FormulaError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The formula as given (a multi-line NIST model joined into one line).
  public let text: String
  /// The character offset of the problem in `text`, from 0 (`text.count` for "at the end").
  public let position: Int
  /// What is wrong, without the place.
  public let message: String

  /// An error at character `position` (from 0) of the formula `text`, with its sentence.
  public init(text: String, position: Int, _ message: String) {
    self.text = text
    self.position = position
    self.message = message
  }

  /// The column, from 1.
  public var column: Int { position + 1 }

  /// `column N: message`.
  public var description: String { "column \(column): \(message)" }

  /// The formula (cut to about 60 characters around the place) and a caret under the column.
  public var caretDiagram: String {
    let characters = Array(text)
    let start = max(0, min(position - 30, characters.count - 60))
    let end = min(characters.count, start + 60)
    let prefix = start > 0 ? "…" : ""
    let suffix = end < characters.count ? "…" : ""
    let shown = prefix + String(characters[start..<end]) + suffix
    let offset = prefix.count + (position - start)
    return "  " + shown + "\n  " + String(repeating: " ", count: max(0, offset)) + "^"
  }
}
