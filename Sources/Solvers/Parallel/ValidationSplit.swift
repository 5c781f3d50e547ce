import KKTNet

/// The seeded validation split of `kktnet train --validation-split F`, seen from one shard of the rows.
///
/// The single process shuffles the sample indices 0..<m by Fisher–Yates with
/// `RandomSource(seed: seed ^ 0x5EED_5EED)` and holds out the last h = min(max(round(F·m), 1), m − 1)
/// of the permutation, in the permutation's order; the training samples are the others, in ascending
/// order. Every rank repeats that shuffle (on 4-byte indices when m < 2³², 4m bytes, freed at once — the
/// same swaps, so the same permutation) and keeps only what concerns its own rows. The training samples
/// of a shard of contiguous rows are contiguous in the single process's training order, from
/// ``trainingOffset``.
public struct ValidationSplit: Equatable, Sendable {
  /// m, every sample of the file.
  public let sampleCount: Int
  /// h, the samples held out in all.
  public let validationCount: Int
  /// The rows (counted from 0) this split describes: a rank's shard.
  public let rows: Range<Int>
  /// The training rows within ``rows``, ascending.
  public let trainingRows: [Int]
  /// The validation rows within ``rows``, in the single process's validation order.
  public let validationRows: [Int]
  /// The position in the single process's training set of this shard's first training row: the number of
  /// training rows before ``rows``.
  public let trainingOffset: Int
  /// The position in the single process's validation set of each of ``validationRows``.
  public let validationPositions: [Int]

  /// m − h, the training samples in all.
  public var trainingCount: Int { sampleCount - validationCount }

  /// The split of `sampleCount` samples holding out `fraction` of them, for the rows `rows`.
  ///
  /// - Parameters:
  ///   - fraction: F, strictly between 0 and 1.
  ///   - seed: the run's seed (the generator is seeded with `seed ^ 0x5EED_5EED`, as `kktnet train` does).
  /// - Throws: ``InputError`` when there are fewer than two samples.
  /// - Complexity: O(m) time and 4m bytes (8m when m ≥ 2³²) while it runs, O(rows.count) kept.
  public init(sampleCount m: Int, fraction: Double, seed: UInt64, rows: Range<Int>) throws(InputError) {
    precondition(fraction > 0 && fraction < 1, "a validation fraction lies strictly between 0 and 1")
    precondition(rows.lowerBound >= 0 && rows.upperBound <= m, "the rows \(rows) are not rows of \(m) samples")
    guard m >= 2 else { throw InputError("a validation split needs at least two samples") }
    let h = min(max(Int((fraction * Double(m)).rounded()), 1), m - 1)
    var held: [(row: Int, position: Int)]
    var offset = 0
    if m <= Int(UInt32.max) {
      (held, offset) = Self.heldOut(UInt32.self, m: m, h: h, seed: seed, rows: rows)
    } else {
      (held, offset) = Self.heldOut(Int.self, m: m, h: h, seed: seed, rows: rows)
    }
    held.sort { $0.position < $1.position }
    let validation = Set(held.map(\.row))
    sampleCount = m
    validationCount = h
    self.rows = rows
    trainingRows = rows.filter { !validation.contains($0) }
    validationRows = held.map(\.row)
    validationPositions = held.map(\.position)
    trainingOffset = offset
  }

  /// The held-out rows within `rows` with their positions in the validation order, and the number of
  /// training rows before `rows`.
  private static func heldOut<Index: FixedWidthInteger>(
    _: Index.Type, m: Int, h: Int, seed: UInt64, rows: Range<Int>
  ) -> (held: [(row: Int, position: Int)], trainingBefore: Int) {
    var order = (0..<m).map { Index(truncatingIfNeeded: $0) }
    var random = RandomSource(seed: seed ^ 0x5EED_5EED)
    random.shuffle(&order)
    var held: [(row: Int, position: Int)] = []
    var validationBefore = 0
    for position in (m - h)..<m {
      let row = Int(order[position])
      if rows.contains(row) {
        held.append((row, position - (m - h)))
      } else if row < rows.lowerBound {
        validationBefore += 1
      }
    }
    return (held, rows.lowerBound - validationBefore)
  }

  /// The shard's samples split in two: training (ascending rows) and validation (in the single process's
  /// order), each a dataset of the shard's columns.
  ///
  /// - Parameter shard: the rows ``rows`` of the file, as read by ``ShardedDataset/load(path:targets:loss:classes:communicator:)``.
  public func partition(_ shard: Dataset) -> (training: Dataset, validation: Dataset) {
    precondition(shard.sampleCount == rows.count, "the shard has \(shard.sampleCount) samples, the split \(rows.count)")
    let base = rows.lowerBound
    return (shard.samples(trainingRows.map { $0 - base }), shard.samples(validationRows.map { $0 - base }))
  }
}
