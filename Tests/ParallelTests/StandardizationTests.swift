import KKTNet
import PropertyBased
import Solvers
import TestSupport
import Testing

/// The statistics from per-rank sums against Standardization.fit over all the samples.
@Suite("Sharded standardization")
struct ShardedStandardizationTests {
  /// n × m samples from a seed, rows of very different means and spreads: x̄ up to 10⁸ with s down to
  /// 10⁻³ (the case where one pass of sums of squares would cancel), and a constant row.
  static func samples(_ seed: UInt64, rows: Int, columns: Int) -> Matrix {
    var random = RandomSource(seed: seed)
    var x = Matrix(rows: rows, columns: columns)
    for i in 0..<rows {
      let mean = random.nextNormal() * [1, 1e4, 1e8][i % 3]
      let spread = [1, 1e-3, 10][random.nextIndex(below: 3)]
      for j in 0..<columns { x[i, j] = i == rows - 1 ? 3 : mean + spread * random.nextNormal() }
    }
    return x
  }

  /// The columns of each rank for K ranks: ⌊r·m/K⌋ ..< ⌊(r+1)·m/K⌋.
  static func columns(_ x: Matrix, rank: Int, of k: Int) -> Matrix {
    let range = CSVShard.rowRange(rank: rank, of: k, rowCount: x.columns)
    return Matrix(
      rows: x.rows, columns: range.count,
      elements: Array(x.elements[(range.lowerBound * x.rows)..<(range.upperBound * x.rows)]))
  }

  @Test("one rank gives Standardization.fit's bits")
  func oneRank() {
    let x = Self.samples(3, rows: 5, columns: 200)
    let y = Self.samples(4, rows: 2, columns: 200)
    #expect(
      Standardization.fit(inputs: x, targets: y, communicator: SingleProcessCommunicator())
        == Standardization.fit(inputs: x, targets: y))
    let threaded = onRanks(1) { Standardization.fit(inputs: x, targets: y, communicator: $0) }
    #expect(threaded[0] == Standardization.fit(inputs: x, targets: y))
  }

  @Test("K = 2…6 ranks agree with Standardization.fit within the documented bound, and with each other bit for bit")
  func ranks() async {
    await propertyCheck(count: 60, input: Gen<UInt64>.value(), Gen.int(in: 2...6), Gen.int(in: 1...300)) { seed, k, m in
      let x = Self.samples(seed, rows: 4, columns: m)
      let y = Self.samples(seed &+ 1, rows: 1, columns: m)
      let single = Standardization.fit(inputs: x, targets: y)
      let results = onRanks(k) { communicator in
        Standardization.fit(
          inputs: Self.columns(x, rank: communicator.rank, of: k),
          targets: Self.columns(y, rank: communicator.rank, of: k),
          communicator: communicator)
      }
      #expect(results.allSatisfy { $0 == results[0] })
      let sharded = results[0]
      let means = single.inputMean + single.targetMean!
      let scales = single.inputScale + single.targetScale!
      let bounds = standardizationBounds([x, y], means: means, scales: scales)
      let shardedMeans = sharded.inputMean + sharded.targetMean!
      let shardedScales = sharded.inputScale + sharded.targetScale!
      for i in means.indices {
        #expect(abs(shardedMeans[i] - means[i]) <= bounds.mean[i], "mean \(i), seed \(seed), K \(k), m \(m)")
        #expect(abs(shardedScales[i] - scales[i]) <= bounds.scale[i], "scale \(i), seed \(seed), K \(k), m \(m)")
      }
    }
  }

  @Test("ranks without samples contribute nothing; no samples at all give mean 0 and scale 1")
  func emptyShards() {
    let x = Self.samples(8, rows: 3, columns: 2)
    let results = onRanks(5) { Standardization.fit(inputs: Self.columns(x, rank: $0.rank, of: 5), communicator: $0) }
    #expect(results.allSatisfy { $0 == results[0] })
    let bounds = standardizationBounds(
      [x], means: Standardization.fit(inputs: x).inputMean, scales: Standardization.fit(inputs: x).inputScale)
    for i in 0..<3 {
      #expect(abs(results[0].inputMean[i] - Standardization.fit(inputs: x).inputMean[i]) <= bounds.mean[i])
    }
    let none = onRanks(2) { Standardization.fit(inputs: Matrix(rows: 2, columns: 0), communicator: $0) }
    #expect(none[0] == Standardization(inputMean: [0, 0], inputScale: [1, 1]))
  }
}
