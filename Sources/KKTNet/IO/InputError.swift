/// A file or value that KKTNet cannot accept, with the one sentence to show the user: what is wrong, and
/// where (file, line, column, tensor).
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file, as the user named it, when the problem is in a file.
  public let file: String?
  /// What is wrong, without the file name.
  public let message: String

  public init(file: String? = nil, _ message: String) {
    self.file = file
    self.message = message
  }

  /// `file: message`.
  public var description: String { file.map { "\($0): \(message)" } ?? message }

  /// The same error, attributed to a file.
  public func inFile(_ name: String) -> InputError { InputError(file: name, message) }
}
