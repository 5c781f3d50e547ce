import Foundation
import KKTNet
import Solvers
import Testing

/// The collectives built on the protocol, on K threads and on the single process.
@Suite("Collectives")
struct CollectivesTests {
  @Test("firstFailure: lexicographic keys, then the lowest rank; the sentence stays on its rank")
  func firstFailure() {
    // Keys per rank: rank 1 (2, 5), rank 2 (1, 9), rank 3 (1, 9), rank 0 none: rank 2 is first.
    let keys: [[Int]?] = [nil, [2, 5], [1, 9], [1, 9]]
    let agreed = onRanks(4) { communicator in
      communicator.firstFailure(
        keys[communicator.rank].map { RankFailure(order: $0, sentence: "from \(communicator.rank)") }, keyCount: 2)
    }
    #expect(agreed.map { $0?.reportingRank } == [2, 2, 2, 2])
    #expect(agreed.map { $0?.sentence } == [nil, nil, "from 2", nil])
    #expect(onRanks(3) { $0.firstFailure(nil, keyCount: 2) }.allSatisfy { $0 == nil })
  }

  @Test("anyRank, firstRank and allGather on 3 ranks")
  func flags() {
    let results = onRanks(3) { c in
      (
        c.anyRank(c.rank == 2), c.anyRank(false), c.firstRank(where: c.rank > 0),
        c.allGather(Array(repeating: Double(c.rank), count: c.rank))
      )
    }
    for result in results {
      #expect(result.0 && !result.1 && result.2 == 1)
      #expect(result.3 == [[], [1], [2, 2]])
    }
  }

  @Test("the single process: sums and broadcasts leave the values, flags are its own, a failure is its own")
  func singleProcess() {
    let communicator = SingleProcessCommunicator()
    var values = [1.5, -0.0, .nan]
    communicator.allreduceSum(&values)
    #expect(values[0] == 1.5 && values[1].sign == .minus && values[2].isNaN)
    communicator.broadcast(&values, from: 0)
    communicator.barrier()
    #expect(communicator.allreduceSum(2.5) == 2.5)
    #expect(communicator.anyRank(true) && !communicator.anyRank(false))
    let failure = communicator.firstFailure(RankFailure(order: [0, 3], sentence: "bad"), keyCount: 2)
    #expect(failure == CollectiveFailure(reportingRank: 0, sentence: "bad"))
  }
}
