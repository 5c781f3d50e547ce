/// An error met while reading one shard of a dataset, with where it stands in the order in which the
/// single-process reader (``Dataset/load(path:targets:loss:classes:)``) meets its errors.
///
/// That reader checks the whole file's structure, then every input cell of every row, then every target
/// cell, then the targets' values for the loss, then the number of classes, then each row's class. Among K
/// shards, the error it would throw is therefore the one with the smallest (``stage``, ``line``): the
/// shards are contiguous, so the first bad row of a stage is the first bad row of the shard that holds it.
public struct ShardReadError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The checks of ``Dataset/load(path:targets:loss:classes:)``, in its order.
  public enum Stage: Int, Comparable, Sendable {
    /// Reading the file, its UTF-8 and CSV structure, the target column names: the same on every rank.
    case file
    /// A cell of an input column is not a finite number.
    case inputCell
    /// A cell of a target column is not a finite number.
    case targetCell
    /// A target breaks the loss's rule: a ce label that is not an integer, ce probabilities that do not
    /// sum to 1, a bce target outside [0, 1].
    case targetValue
    /// ce finds fewer than two classes (among all rows, or in the model).
    case classCount
    /// A row's ce label is not one of the model's classes.
    case classMembership

    public static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
  }

  /// Which check failed.
  public let stage: Stage
  /// The 1-based line of the row, or 0 for a stage that concerns the whole file.
  public let line: Int
  /// The sentence, as the single-process reader gives it (file included).
  public let error: InputError

  /// The failure of `stage` at `line`, with the single-process reader's sentence.
  public init(stage: Stage, line: Int, error: InputError) {
    self.stage = stage
    self.line = line
    self.error = error
  }

  /// The error's sentence.
  public var description: String { error.description }

  /// Whether `self` comes before `other` in the single-process reader's order.
  public func precedes(_ other: ShardReadError) -> Bool { (stage, line) < (other.stage, other.line) }
}
