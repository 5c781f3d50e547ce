import KKTNet

/// Collectives built from the protocol's four operations. Each is collective: every rank calls it.
extension Communicator {
  /// Σ_r x_r, the same bits on every rank.
  public func allreduceSum(_ value: Double) -> Double {
    var values = [value]
    allreduceSum(&values)
    return values[0]
  }

  /// A ← Σ_r A_r elementwise (JᵀJ, a gradient stored as a matrix), in place.
  public func allreduceSum(_ matrix: inout Matrix) {
    allreduceSum(&matrix.elements)
  }

  /// Whether `condition` holds on any rank: true on every rank or false on every rank. The primitive for
  /// a local fact that must end the run for all, such as a non-finite value that was not summed. (A
  /// non-finite partial sum needs no flag: NaN and ±∞ propagate through ``allreduceSum(_:)`` to every
  /// rank alike, NaN + x = NaN and ∞ + x ∈ {∞, NaN}.)
  public func anyRank(_ condition: Bool) -> Bool {
    allreduceSum(condition ? 1 : 0) > 0
  }

  /// The lowest rank on which `condition` holds, the same on every rank; nil when it holds on none.
  public func firstRank(where condition: Bool) -> Int? {
    var flags = [Double](repeating: 0, count: size)
    flags[rank] = condition ? 1 : 0
    allreduceSum(&flags)
    return flags.firstIndex { $0 != 0 }
  }

  /// Every rank's vector, in rank order, on every rank, bit for bit (each is broadcast from its rank; the
  /// lengths may differ between ranks).
  ///
  /// - Complexity: one all-reduce of K lengths and K broadcasts: for small vectors, such as class labels.
  public func allGather(_ values: [Double]) -> [[Double]] {
    var counts = [Double](repeating: 0, count: size)
    counts[rank] = Double(values.count)
    allreduceSum(&counts)
    return (0..<size).map { root in
      var buffer = root == rank ? values : [Double](repeating: 0, count: Int(counts[root]))
      broadcast(&buffer, from: root)
      return buffer
    }
  }
}
