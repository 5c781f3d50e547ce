import KKTNet

/// One rank's contiguous share of a CSV dataset — rows ⌊r·m/K⌋ ..< ⌊(r+1)·m/K⌋ — read without any rank
/// holding the whole file, with the sentences and the classes of ``Dataset/load(path:targets:loss:classes:)``.
public struct ShardedDataset: Sendable {
  /// The rows of the file this rank holds, counted from 0 (``CSVShard/rowRange(rank:of:rowCount:)``).
  public let rows: Range<Int>
  /// m, the data rows of the whole file: the same on every rank.
  public let sampleCount: Int
  /// This rank's rows as a dataset; for ce, one-hot in the classes of the whole file (or the model).
  public let dataset: Dataset

  /// Collective: reads this rank's share of the CSV file at `path`.
  ///
  /// Every rank scans the whole file once for its structure and m, then parses only its rows. For ce with
  /// one label column the ranks gather their sorted labels (K small broadcasts), and every rank takes the
  /// sorted union, which is the single process's class list. Then the ranks agree on the first failure in
  /// the single process's order (``ShardReadError``), so that the sentence is the one ``Dataset/load`` would
  /// give, and check that every rank counted the same m.
  ///
  /// - Parameters:
  ///   - targets: the target column names; nil for the last column.
  ///   - loss: as for ``Dataset/load(path:targets:loss:classes:)``.
  ///   - classes: the labels a trained model knows; nil to take those of the file.
  /// - Throws: ``CollectiveFailure`` on every rank when any rank failed; ``Communicator/stop(after:)``
  ///   ends the run with its sentence.
  public static func load(
    path: String, targets: [String]? = nil, loss: Loss = .meanSquaredError, classes: [Double]? = nil,
    communicator: any Communicator
  ) throws(CollectiveFailure) -> ShardedDataset {
    var failure: ShardReadError?
    var shard: DatasetShard?
    do {
      let csv = try CSVShard.read(path: path, rank: communicator.rank, of: communicator.size)
      shard = try DatasetShard.parse(csv, path: path, targets: targets, loss: loss)
    } catch {
      failure = error
    }
    // The class list, gathered on every rank alike (a rank that failed contributes no labels).
    var classList = classes
    if loss == .softmaxCrossEntropy && classes == nil {
      let union = Set(communicator.allGather(shard?.labels ?? []).joined())
      classList = union.sorted()
    }
    var dataset: Dataset?
    if let shard, failure == nil {
      do { dataset = try shard.dataset(classes: classList) } catch { failure = error }
    }
    let reported = communicator.firstFailure(
      failure.map { RankFailure(order: [$0.stage.rawValue, $0.line], sentence: $0.description) }, keyCount: 2)
    if let reported { throw reported }

    // Every rank must have read the same file: the same m.
    var counts = [Double](repeating: 0, count: communicator.size)
    counts[communicator.rank] = Double(shard!.rowCount)
    communicator.allreduceSum(&counts)  // one slot per rank: sums with zeros, exact
    if let other = counts.firstIndex(where: { $0 != counts[0] }) {
      let sentence = InputError(
        file: path,
        "rank 0 counted \(Int(counts[0])) data rows but rank \(other) counted \(Int(counts[other])); every rank must read the same file"
      ).description
      throw CollectiveFailure(reportingRank: 0, sentence: communicator.rank == 0 ? sentence : nil)
    }
    return ShardedDataset(rows: shard!.rows, sampleCount: shard!.rowCount, dataset: dataset!)
  }
}
