import Foundation
import KKTNet
import PropertyBased
import Solvers
import TestSupport
import Testing

/// The collective reading on K ranks (threads of this process), against Dataset.load of the whole file.
@Suite("Sharded datasets")
struct ShardedDatasetTests {
  /// Every rank's outcome of ShardedDataset.load.
  static func load(
    _ paths: [String], ranks: Int, loss: Loss, targets: [String]? = nil, classes: [Double]? = nil
  ) -> [Result<ShardedDataset, CollectiveFailure>] {
    onRanks(ranks) { communicator in
      Result { () throws(CollectiveFailure) in
        try ShardedDataset.load(
          path: paths[min(communicator.rank, paths.count - 1)], targets: targets, loss: loss, classes: classes,
          communicator: communicator)
      }
    }
  }

  @Test(
    "the shards of a bundled dataset are Dataset.load's rows, with its names and classes, for K = 1…4",
    arguments: [
      ("iris", Loss.softmaxCrossEntropy), ("breast_cancer", .binaryCrossEntropy), ("diabetes", .meanSquaredError),
      ("wine", .softmaxCrossEntropy), ("digits", .softmaxCrossEntropy),
    ])
  func bundled(_ name: String, _ loss: Loss) throws {
    let whole = try Dataset.load(path: datasetPath(name), loss: loss)
    for k in 1...4 {
      let shards = try Self.load([datasetPath(name)], ranks: k, loss: loss).map { try $0.get() }
      #expect(shards.map(\.rows.count).reduce(0, +) == whole.sampleCount)
      for shard in shards {
        let reference = whole.samples(Array(shard.rows))
        #expect(shard.sampleCount == whole.sampleCount)
        #expect(
          shard.dataset.inputs == reference.inputs && shard.dataset.targets == reference.targets, "\(name), K = \(k)")
        #expect(shard.dataset.classes == whole.classes && shard.dataset.targetNames == whole.targetNames)
        #expect(shard.dataset.inputNames == whole.inputNames)
      }
    }
  }

  @Test("the single-process communicator reads the whole file as Dataset.load does")
  func singleProcess() throws {
    let shard = try ShardedDataset.load(
      path: datasetPath("wine"), loss: .softmaxCrossEntropy, communicator: SingleProcessCommunicator())
    let whole = try Dataset.load(path: datasetPath("wine"), loss: .softmaxCrossEntropy)
    #expect(shard.rows == 0..<whole.sampleCount)
    #expect(shard.dataset.inputs == whole.inputs && shard.dataset.targets == whole.targets)
  }

  /// A numeric file from a seed, for `loss`, with 1–3 defects of random kinds in random rows: a word, NaN,
  /// ∞, an empty cell or an overflowing number in any column, a target outside the loss's rule.
  static func defectiveCSV(_ seed: UInt64, loss: Loss) -> String {
    var random = RandomSource(seed: seed)
    let inputs = 1 + random.nextIndex(below: 3)
    let rows = 2 + random.nextIndex(below: 25)
    var cells = (0..<rows).map { _ in
      (0..<inputs).map { _ in "\(random.nextNormal())" } + [
        loss == .meanSquaredError
          ? "\(random.nextNormal())" : "\(random.nextIndex(below: loss == .binaryCrossEntropy ? 2 : 3))"
      ]
    }
    let defects = ["abc", "NaN", "-inf", "", "1e999", "0x10"]
    for _ in 0..<(1 + random.nextIndex(below: 3)) {
      let (i, j) = (random.nextIndex(below: rows), random.nextIndex(below: inputs + 1))
      if j == inputs && random.nextIndex(below: 2) == 0 {
        cells[i][j] = loss == .meanSquaredError ? "x" : (loss == .binaryCrossEntropy ? "1.5" : "2.5")
      } else {
        cells[i][j] = defects[random.nextIndex(below: defects.count)]
      }
    }
    let header = (0..<inputs).map { "x\($0)" } + ["y"]
    return ([header] + cells).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  @Test("a bad cell anywhere gives Dataset.load's sentence, reported once by the rank holding its row")
  func defects() async throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let losses: [Loss] = [.meanSquaredError, .binaryCrossEntropy, .softmaxCrossEntropy]
    await propertyCheck(count: 120, input: Gen<UInt64>.value(), Gen.int(in: 0...2)) { seed, lossIndex in
      let loss = losses[lossIndex]
      let path = folder.appendingPathComponent("\(seed).csv").path
      try Self.defectiveCSV(seed, loss: loss).write(toFile: path, atomically: true, encoding: .utf8)
      let expected = #expect(throws: InputError.self) { try Dataset.load(path: path, loss: loss) }
      let line = expected.flatMap { error in
        error.message.hasPrefix("line ") ? Int(error.message.dropFirst(5).prefix { $0.isNumber }) : nil
      }
      let m = (try String(contentsOfFile: path, encoding: .utf8)).split(separator: "\n").count - 1
      for k in 1...4 {
        let outcomes = Self.load([path], ranks: k, loss: loss)
        let failures = outcomes.compactMap { outcome -> CollectiveFailure? in
          if case .failure(let failure) = outcome { return failure }
          return nil
        }
        #expect(failures.count == k, "every rank fails: seed \(seed), K = \(k)")
        let reporting = failures.first?.reportingRank ?? -1
        #expect(failures.allSatisfy { $0.reportingRank == reporting })
        #expect(failures.compactMap(\.sentence) == [expected?.description ?? "none"], "seed \(seed), K = \(k)")
        if let line {  // the row's owner, rank r with ⌊r·m/K⌋ ≤ line − 2 < ⌊(r+1)·m/K⌋
          let owner = (0..<k).first { CSVShard.rowRange(rank: $0, of: k, rowCount: m).contains(line - 2) }
          #expect(reporting == owner, "seed \(seed), K = \(k)")
        }
      }
    }
  }

  @Test("ce: a single class in all the shards, and a label outside a model's classes, as Dataset.load says")
  func classes() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let single = folder.appendingPathComponent("single.csv").path
    try "x,y\n1,3\n2,3\n4,3\n5,3\n".write(toFile: single, atomically: true, encoding: .utf8)
    let three = folder.appendingPathComponent("three.csv").path
    try "x,y\n1,0\n2,1\n4,0\n5,2\n6,1\n".write(toFile: three, atomically: true, encoding: .utf8)
    for (path, known) in [(single, nil), (three, [0.0, 1])] {
      let expected = #expect(throws: InputError.self) {
        try Dataset.load(path: path, loss: .softmaxCrossEntropy, classes: known)
      }
      for k in 1...3 {
        let sentences = Self.load([path], ranks: k, loss: .softmaxCrossEntropy, classes: known).compactMap {
          outcome -> String? in
          if case .failure(let failure) = outcome { return failure.sentence }
          return nil
        }
        #expect(sentences == [expected!.description], "\(path), K = \(k)")
      }
    }
    // The classes of the whole file reach every rank, though rank 0 of 3 sees only labels 0 and 1.
    let shards = try Self.load([three], ranks: 3, loss: .softmaxCrossEntropy).map { try $0.get() }
    #expect(shards.allSatisfy { $0.dataset.classes == [0, 1, 2] && $0.dataset.targets.rows == 3 })
  }

  @Test("ranks that read files of different lengths fail together, and rank 0 says so")
  func differentFiles() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let short = folder.appendingPathComponent("short.csv").path
    try "x,y\n1,2\n3,4\n".write(toFile: short, atomically: true, encoding: .utf8)
    let outcomes = Self.load([datasetPath("iris"), short], ranks: 2, loss: .meanSquaredError)
    let failures = outcomes.compactMap { outcome -> CollectiveFailure? in
      if case .failure(let failure) = outcome { return failure }
      return nil
    }
    #expect(failures.count == 2 && failures.allSatisfy { $0.reportingRank == 0 })
    #expect(
      failures[0].sentence?.hasSuffix(
        "rank 0 counted 150 data rows but rank 1 counted 2; every rank must read the same file") == true)
    #expect(failures[1].sentence == nil)
  }
}
