import Foundation
import Solvers

/// K ranks as K threads of the test process, to run collective code without MPI. Every collective is an
/// exchange at a cyclic barrier: each rank leaves its contribution and, once all K have, takes all of
/// them. Sums are added in rank order by every rank alike, so every rank gets the same bits.
final class ThreadedCommunicator: Communicator, @unchecked Sendable {
  /// The meeting point of the K ranks.
  final class Hub: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[Double]]
    private var arrived = 0
    private var generation = 0
    private var result: [[Double]] = []

    init(size: Int) {
      self.size = size
      slots = Array(repeating: [], count: size)
    }

    /// Every rank's contribution, once every rank has given one.
    func exchange(_ contribution: [Double], rank: Int) -> [[Double]] {
      condition.lock()
      defer { condition.unlock() }
      let mine = generation
      slots[rank] = contribution
      arrived += 1
      if arrived == size {
        result = slots
        arrived = 0
        generation += 1
        condition.broadcast()
      } else {
        while generation == mine { condition.wait() }
      }
      // The next exchange cannot complete before this rank joins it, so `result` is still this one's.
      return result
    }
  }

  let rank: Int
  let hub: Hub
  var size: Int { hub.size }

  init(rank: Int, hub: Hub) {
    self.rank = rank
    self.hub = hub
  }

  func allreduceSum(_ values: inout [Double]) {
    let all = hub.exchange(values, rank: rank)
    precondition(all.allSatisfy { $0.count == values.count }, "every rank must sum a vector of the same length")
    for i in values.indices {
      var sum = all[0][i]
      for r in 1..<size { sum += all[r][i] }
      values[i] = sum
    }
  }

  func broadcast(_ values: inout [Double], from root: Int) {
    let all = hub.exchange(values, rank: rank)
    precondition(all[root].count == values.count, "every rank must broadcast a vector of the same length")
    values = all[root]
  }

  func barrier() { _ = hub.exchange([], rank: rank) }

  /// The tests never abort: a call is a bug in the code under test.
  func abort(_ message: String) -> Never { fatalError("rank \(rank) aborted: \(message)") }
}

/// Runs `body` on `size` ranks, each on its own thread, and returns their results in rank order.
func onRanks<T: Sendable>(_ size: Int, _ body: @escaping @Sendable (ThreadedCommunicator) -> T) -> [T] {
  let hub = ThreadedCommunicator.Hub(size: size)
  let results = ResultBox<T>(size: size)
  let done = DispatchGroup()
  for rank in 0..<size {
    done.enter()
    let thread = Thread {
      results.set(rank, body(ThreadedCommunicator(rank: rank, hub: hub)))
      done.leave()
    }
    thread.stackSize = 8 << 20
    thread.start()
  }
  done.wait()
  return results.values
}

/// The ranks' results, written from their threads.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [T?]
  init(size: Int) { slots = Array(repeating: nil, count: size) }
  func set(_ rank: Int, _ value: T) {
    lock.lock()
    slots[rank] = value
    lock.unlock()
  }
  var values: [T] {
    lock.lock()
    defer { lock.unlock() }
    return slots.map { $0! }
  }
}
