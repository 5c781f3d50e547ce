import KKTNet

/// The bounds of the sharded `Standardization.fit(inputs:targets:communicator:)`'s documentation, per row, on
/// the statistics of `Standardization.fit(inputs:targets:)` (`means`, `scales`) of the rows of `matrices`:
/// |Δx̄| ≤ (2γ_{m−1} + 2u)·mean|x| and |Δs|/s ≤ γ_{m−1} + γ₃ + 2u + mδ²/(2S), with a factor (1 + γ_m) for the
/// rounding of the bounds' own first-order terms.
public func standardizationBounds(_ matrices: [Matrix], means: [Double], scales: [Double]) -> (
  mean: [Double], scale: [Double]
) {
  let u = Double.ulpOfOne / 2
  func gamma(_ n: Int) -> Double { Double(n) * u / (1 - Double(n) * u) }
  var meanBounds: [Double] = []
  var scaleBounds: [Double] = []
  var index = 0
  for matrix in matrices {
    let m = matrix.columns
    for i in 0..<matrix.rows {
      let absoluteMean = matrix.row(i).reduce(0) { $0 + abs($1) } / Double(m)
      let delta = (2 * gamma(m - 1) + 2 * u) * absoluteMean * (1 + gamma(m))
      let squares = matrix.row(i).reduce(0) { $0 + ($1 - means[index]) * ($1 - means[index]) }
      let constant = squares == 0
      let relative = gamma(m - 1) + gamma(3) + 2 * u + (constant ? 0 : Double(m) * delta * delta / (2 * squares))
      meanBounds.append(delta)
      // A constant row has scale 1 in both; a row that is constant to rounding may have 1 in one only.
      scaleBounds.append(constant ? 0 : relative * scales[index] * (1 + gamma(m)))
      index += 1
    }
  }
  return (meanBounds, scaleBounds)
}
