import KKTNet
import MPI
import Solvers

/// A rank's test vector: standard normal deviates from a seed of its own, with exact values, a signed zero
/// and large and tiny magnitudes mixed in so that the sums round.
func testVector(rank: Int, count: Int) -> [Double] {
  var random = RandomSource(seed: 1000 + UInt64(rank))
  return (0..<count).map { i in
    switch i % 5 {
    case 0: return Double(rank + 1) * Double(i + 1)  // sums exactly
    case 1: return random.nextNormal() * 1e12
    case 2: return random.nextNormal() * 1e-12
    default: return random.nextNormal()
    }
  }
}

/// Sums, broadcasts, the barrier, the flags and the failure agreement across every rank.
func checkCollectives() {
  let (r, k) = (world.rank, world.size)
  let count = 1001
  // Sum: exact where exact, within (K − 1)u·Σ|v_r| of the sum in rank order, identical bits on every rank.
  var sum = testVector(rank: r, count: count)
  communicator.allreduceSum(&sum)
  let vectors = (0..<k).map { testVector(rank: $0, count: count) }
  for i in 0..<count {
    let reference = vectors.reduce(0) { $0 + $1[i] }
    let magnitude = vectors.reduce(0) { $0 + abs($1[i]) }
    let bound = Double(k - 1) * Double.ulpOfOne / 2 * magnitude / (1 - Double(k) * Double.ulpOfOne)
    require(abs(sum[i] - reference) <= bound, "sum element \(i) is \(sum[i]), the rank-order sum \(reference)")
    if i % 5 == 0 { require(sum[i] == Double(k * (k + 1) / 2 * (i + 1)), "the exact sum \(i) is \(sum[i])") }
  }
  if k == 2 { require(sum == zip(vectors[0], vectors[1]).map { $0 + $1 }, "with two ranks the sum is v₀ + v₁") }
  var fromZero = sum
  communicator.broadcast(&fromZero, from: 0)
  require(fromZero.map(\.bitPattern) == sum.map(\.bitPattern), "the sum differs in its bits from rank 0's")
  report("sum of \(count) doubles identical to rank 0's, within \(k - 1)u·Σ|v| of the rank-order sum")

  // Broadcast from every root; a scalar sum; a matrix sum.
  for root in 0..<k {
    var values = r == root ? testVector(rank: root, count: 7) : [Double](repeating: .nan, count: 7)
    communicator.broadcast(&values, from: root)
    require(values.map(\.bitPattern) == testVector(rank: root, count: 7).map(\.bitPattern), "broadcast from \(root)")
  }
  require(communicator.allreduceSum(Double(r + 1)) == Double(k * (k + 1) / 2), "the scalar sum")
  var matrix = Matrix(rows: 2, columns: 3, repeating: Double(r))
  communicator.allreduceSum(&matrix)
  require(matrix.elements.allSatisfy { $0 == Double(k * (k - 1) / 2) }, "the matrix sum")
  communicator.barrier()
  report("broadcast from each of \(k) roots, scalar and matrix sums, barrier")

  // Flags, gathering (bits kept, lengths differing), and the agreement on the first failure.
  require(communicator.anyRank(r == k - 1), "anyRank of the last rank's flag")
  require(!communicator.anyRank(false), "anyRank of no flag")
  require(communicator.firstRank(where: r >= 1) == (k > 1 ? 1 : nil), "firstRank(where: r ≥ 1)")
  let mine = [-0.0, Double(bitPattern: 0x7FF8_0000_0000_0123), Double(r)] + [Double](repeating: 1.5, count: r)
  let gathered = communicator.allGather(mine)
  for (source, values) in gathered.enumerated() {
    let expected =
      [-0.0, Double(bitPattern: 0x7FF8_0000_0000_0123), Double(source)] + Array(repeating: 1.5, count: source)
    require(values.map(\.bitPattern) == expected.map(\.bitPattern), "allGather of rank \(source)'s vector")
  }
  // Every rank but 0 fails; the keys put the last rank first, so it reports.
  let failure = r == 0 ? nil : RankFailure(order: [1, k - r], sentence: "rank \(r)'s sentence")
  let agreed = communicator.firstFailure(failure, keyCount: 2)
  if k > 1 {
    require(agreed?.reportingRank == k - 1, "the first failure is the last rank's, not \(String(describing: agreed))")
    require(agreed?.sentence == (r == k - 1 ? "rank \(r)'s sentence" : nil), "the sentence stays on its rank")
  }
  require(communicator.firstFailure(nil, keyCount: 2) == nil, "no failure when no rank fails")
  report("anyRank, firstRank, allGather, firstFailure")
}

/// A non-finite value on one rank becomes the same termination on every rank.
func checkNonFinite(on failing: Int) {
  let loss = world.rank == failing ? Double.nan : 1.0
  if let first = communicator.firstRank(where: !loss.isFinite) {
    report("terminated: a non-finite loss on rank \(first)")
  } else {
    report("no rank met a non-finite loss")
  }
  // Summed, the NaN reaches every rank by itself.
  let total = communicator.allreduceSum(loss)
  report("the summed loss is \(total.isFinite ? "finite" : "not finite")")
}

/// A broadcast whose lengths differ between ranks is caught from MPI's return code, not ignored.
func checkMPIError() {
  var values = [Double](repeating: 1, count: world.rank == 0 ? 4 : 2)
  do {
    try world.broadcast(&values, from: 0)
    report("the broadcast returned")
  } catch {
    communicator.abort("Error: rank \(world.rank): \(error)")
  }
  communicator.barrier()
}
