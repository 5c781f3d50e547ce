/// A failure that every rank has agreed on: which rank reports it, and that rank's sentence.
///
/// Reading a shard, or any local step before a collective, may fail on some ranks and not on others.
/// ``Communicator/firstFailure(_:keyCount:)`` lets the ranks agree on one failure, so that exactly one
/// sentence is printed, then ``Communicator/stop(after:)`` ends the run: the reporting rank prints and
/// aborts, and the abort stops every rank — no rank is left waiting in a collective.
public struct CollectiveFailure: Error, Equatable, Sendable, CustomStringConvertible {
  /// The rank whose sentence is reported.
  public let reportingRank: Int
  /// The sentence, on the reporting rank; nil on the others.
  public let sentence: String?

  /// The failure reported by `reportingRank`, with its sentence there.
  public init(reportingRank: Int, sentence: String?) {
    self.reportingRank = reportingRank
    self.sentence = sentence
  }

  public var description: String { sentence ?? "rank \(reportingRank) failed" }
}

/// One rank's failure, before the ranks agree: its sentence and its place in the order of failures.
public struct RankFailure: Sendable {
  /// Integer keys, compared lexicographically (a stage, then a line, say), each of magnitude below 2⁵³.
  public let order: [Int]
  /// The sentence to print if this failure is the first.
  public let sentence: String

  /// A failure with its order keys and sentence.
  public init(order: [Int], sentence: String) {
    precondition(order.allSatisfy { abs($0) < 1 << 53 }, "an order key must be an integer below 2⁵³ in magnitude")
    self.order = order
    self.sentence = sentence
  }
}

extension Communicator {
  /// Collective: the first failure among the ranks, the same on every rank; nil when no rank failed.
  ///
  /// Failures are ordered by their keys, then by rank, so the reported one can be the one a single process
  /// would have met first. The keys travel as doubles in a sum with zeros, which is exact for integers
  /// below 2⁵³.
  ///
  /// - Parameters:
  ///   - failure: this rank's failure, or nil.
  ///   - keyCount: the number of order keys of every failure, the same on every rank.
  /// - Complexity: one all-reduce of K·(1 + keyCount) doubles.
  public func firstFailure(_ failure: RankFailure?, keyCount: Int) -> CollectiveFailure? {
    let width = 1 + keyCount
    var slots = [Double](repeating: 0, count: size * width)
    if let failure {
      precondition(failure.order.count == keyCount, "a failure needs \(keyCount) order keys")
      slots[rank * width] = 1
      for (k, key) in failure.order.enumerated() { slots[rank * width + 1 + k] = Double(key) }
    }
    allreduceSum(&slots)
    var first: (rank: Int, keys: ArraySlice<Double>)?
    for r in 0..<size where slots[r * width] != 0 {
      let keys = slots[(r * width + 1)..<((r + 1) * width)]
      if let current = first, !keys.lexicographicallyPrecedes(current.keys) { continue }
      first = (r, keys)
    }
    guard let first else { return nil }
    return CollectiveFailure(reportingRank: first.rank, sentence: first.rank == rank ? failure?.sentence : nil)
  }

  /// Collective: ends the run after `failure`. The reporting rank writes `Error: sentence` to standard
  /// error and aborts every rank (``abort(_:)``: `MPI_Abort`, exit status 1); the other ranks wait for the
  /// abort in a barrier that the reporting rank never enters.
  public func stop(after failure: CollectiveFailure) -> Never {
    if failure.reportingRank == rank { abort("Error: \(failure.description)") }
    barrier()
    abort("Error: rank \(failure.reportingRank) failed, and its abort did not stop rank \(rank)")
  }
}
