import KKTNet
import PropertyBased
import Solvers
import TestSupport
import Testing

/// The split seen from K shards against `kktnet train`'s split of all m indices.
@Suite("Validation split")
struct ValidationSplitTests {
  /// Sources/kktnet/TrainingData.swift's split, on Int indices: the validation samples in the permutation's
  /// order, the training samples ascending.
  static func reference(m: Int, fraction: Double, seed: UInt64) -> (training: [Int], validation: [Int]) {
    var samples = Array(0..<m)
    var random = RandomSource(seed: seed ^ 0x5EED_5EED)
    random.shuffle(&samples)
    let held = min(max(Int((fraction * Double(m)).rounded()), 1), m - 1)
    return (Array(samples.prefix(m - held)).sorted(), Array(samples.suffix(held)))
  }

  @Test("each shard's training and validation rows, offsets and positions are the single process's")
  func shards() async throws {
    await propertyCheck(
      count: 300, input: Gen.int(in: 2...400), Gen.int(in: 1...19), Gen<UInt64>.value(), Gen.int(in: 1...5)
    ) { m, twentieths, seed, k in
      let fraction = Double(twentieths) / 20
      let (training, validation) = Self.reference(m: m, fraction: fraction, seed: seed)
      var assembledValidation = [Int](repeating: -1, count: validation.count)
      var assembledTraining: [Int] = []
      for rank in 0..<k {
        let rows = CSVShard.rowRange(rank: rank, of: k, rowCount: m)
        let split = try ValidationSplit(sampleCount: m, fraction: fraction, seed: seed, rows: rows)
        #expect(split.validationCount == validation.count && split.trainingCount == training.count)
        #expect(split.trainingOffset == assembledTraining.count, "m \(m), K \(k), rank \(rank)")
        #expect(split.trainingRows == training.filter(rows.contains))
        #expect(split.validationRows == validation.filter(rows.contains))
        assembledTraining += split.trainingRows
        for (row, position) in zip(split.validationRows, split.validationPositions) {
          assembledValidation[position] = row
        }
      }
      #expect(assembledTraining == training)
      #expect(assembledValidation == validation)
    }
  }

  @Test("a large split on 4-byte indices is the same permutation as on Int indices")
  func large() throws {
    let m = 200_003
    let (training, validation) = Self.reference(m: m, fraction: 0.3, seed: 99)
    let split = try ValidationSplit(sampleCount: m, fraction: 0.3, seed: 99, rows: 0..<m)
    #expect(split.trainingRows == training && split.validationRows == validation)
  }

  @Test("one sample cannot be split, with train's sentence")
  func tooFew() {
    #expect(throws: InputError("a validation split needs at least two samples")) {
      try ValidationSplit(sampleCount: 1, fraction: 0.5, seed: 1, rows: 0..<1)
    }
  }

  @Test("partition gives the shard's training samples ascending and its validation samples in order")
  func partition() throws {
    let whole = try Dataset.load(path: datasetPath("iris"), loss: .meanSquaredError)
    let rows = 50..<100
    let split = try ValidationSplit(sampleCount: 150, fraction: 0.2, seed: 5, rows: rows)
    let (training, validation) = split.partition(whole.samples(Array(rows)))
    #expect(training.inputs == whole.samples(split.trainingRows).inputs)
    #expect(validation.inputs == whole.samples(split.validationRows).inputs)
  }
}
