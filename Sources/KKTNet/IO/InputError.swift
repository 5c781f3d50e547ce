/// A file or value that KKTNet cannot accept, with the one sentence to show the user: what is wrong, and
/// where (file, line, column, tensor).
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file, as the user named it, when the problem is in a file.
  public let file: String?
  /// What is wrong, without the file name.
  public let message: String

  /// An error with its sentence, attributed to `file` when the problem is in one.
  public init(file: String? = nil, _ message: String) {
    self.file = file
    self.message = message
  }

  /// `file: message`, the file's name cut in the middle when it is long, and the whole sentence to at most
  /// about 400 characters (every value in it is already quoted short; this is the last guard).
  public var description: String {
    let sentence = file.map { "\(Self.quotedPath($0)): \(message)" } ?? message
    return sentence.count <= 400 ? sentence : String(sentence.prefix(400)) + "…"
  }

  /// A path for a message: whole up to 100 characters, else its first 30 and last 69 around "…", so that
  /// the file's name stays readable.
  public static func quotedPath(_ path: String) -> String {
    path.count <= 100 ? path : String(path.prefix(30)) + "…" + String(path.suffix(69))
  }

  /// The same error, attributed to a file.
  public func inFile(_ name: String) -> InputError { InputError(file: name, message) }

  /// The longest value quoted whole in a message, in characters.
  public static let quotedLimit = 60

  /// A value from a file or a command line, for a message: cut to about 60 characters with "…", so that a
  /// 5-million-digit cell or a 100 MB tensor name cannot flood a terminal.
  public static func quoted(_ text: some StringProtocol) -> String {
    var end = text.startIndex
    var count = 0
    while end < text.endIndex && count < quotedLimit {
      end = text.index(after: end)
      count += 1
    }
    return end == text.endIndex ? String(text) : String(text[..<end]) + "…"
  }

  /// A list of values for a message: as many as fit in about 60 characters, then "…".
  public static func quotedList(_ items: [String], separator: String = ", ") -> String {
    quoted(items.joined(separator: separator))
  }
}
