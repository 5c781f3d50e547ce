import KKTNet

extension Standardization {
  /// Collective: the statistics of ``Standardization/fit(inputs:targets:)`` over the training samples of
  /// every rank, each rank passing its own (n × m_r; a rank may hold none).
  ///
  /// Two passes, as the single process takes them, each ending in one all-reduce: the row sums Σⱼ xᵢⱼ
  /// (and the sample count) give the mean x̄ᵢ = Σⱼ xᵢⱼ / m; then the sums of squared deviations Σⱼ (xᵢⱼ − x̄ᵢ)²
  /// give the population deviation sᵢ = √(Σⱼ (xᵢⱼ − x̄ᵢ)² / m), 1 for a constant row. Each rank sums its
  /// samples in column order as the single process does, so with one rank the result is bit-identical to
  /// ``Standardization/fit(inputs:targets:)`` on the same samples. With K ranks the sums are the same
  /// numbers added in another order; by Higham's bound for any summation order (*Accuracy and Stability of
  /// Numerical Algorithms*, 2nd ed., §4.2), with γₙ = nu/(1 − nu) and u = 2⁻⁵³:
  ///
  ///     |x̄ᵢ − x̄ᵢ′| ≤ (2γ_{m−1} + 2u) · (1/m)Σⱼ|xᵢⱼ|
  ///     |sᵢ − sᵢ′| / sᵢ ≤ γ_{m−1} + γ₃ + 2u + m·δᵢ² / (2Sᵢ)
  ///
  /// where δᵢ is the bound on the means' difference and Sᵢ = Σⱼ (xᵢⱼ − x̄ᵢ)²: S depends on the mean only to
  /// second order, S(x̄ + δ) = S(x̄) + mδ², and each squared deviation is rounded three times.
  ///
  /// - Parameters:
  ///   - inputs: this rank's training inputs, n₀ × m_r (n₀ the same on every rank).
  ///   - targets: this rank's training targets when they are standardized too (on every rank or none).
  /// - Complexity: O((n₀ + n_N)·m_r) per rank and two all-reduces of n₀ + n_N (+ 1) doubles.
  public static func fit(inputs: Matrix, targets: Matrix? = nil, communicator: any Communicator) -> Standardization {
    precondition(targets == nil || targets!.columns == inputs.columns, "inputs and targets need the same samples")
    let rows = [inputs] + (targets.map { [$0] } ?? [])
    // Pass 1: row sums and the sample count, in one vector.
    var sums = rows.flatMap { rowSums($0, minus: nil) } + [Double(inputs.columns)]
    communicator.allreduceSum(&sums)
    let count = sums.removeLast()
    guard count > 0 else {
      let target = targets.map { ([Double](repeating: 0, count: $0.rows), [Double](repeating: 1, count: $0.rows)) }
      return Standardization(
        inputMean: [Double](repeating: 0, count: inputs.rows), inputScale: [Double](repeating: 1, count: inputs.rows),
        targetMean: target?.0, targetScale: target?.1)
    }
    let means = sums.map { $0 / count }
    // Pass 2: sums of squared deviations from the global means.
    var offset = 0
    var squares: [Double] = []
    for m in rows {
      squares += rowSums(m, minus: Array(means[offset..<(offset + m.rows)]))
      offset += m.rows
    }
    communicator.allreduceSum(&squares)
    let scales = squares.map { (($0 / count).squareRoot()) }.map { $0 > 0 ? $0 : 1 }
    let n = inputs.rows
    return Standardization(
      inputMean: Array(means[..<n]), inputScale: Array(scales[..<n]),
      targetMean: targets == nil ? nil : Array(means[n...]), targetScale: targets == nil ? nil : Array(scales[n...]))
  }

  /// Σⱼ xᵢⱼ per row, or Σⱼ (xᵢⱼ − cᵢ)² when `center` is given, each summed in column order.
  private static func rowSums(_ m: Matrix, minus center: [Double]?) -> [Double] {
    var result = [Double](repeating: 0, count: m.rows)
    for i in 0..<m.rows {
      var sum = 0.0
      if let center {
        for j in 0..<m.columns { sum += (m[i, j] - center[i]) * (m[i, j] - center[i]) }
      } else {
        for j in 0..<m.columns { sum += m[i, j] }
      }
      result[i] = sum
    }
    return result
  }
}
