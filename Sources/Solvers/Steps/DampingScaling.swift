/// The scaling D of the damping term μD.
public enum DampingScaling: String, CaseIterable, Sendable, Codable {
  /// D = I: Levenberg's damping.
  case identity = "levenberg"
  /// D = diag(JᵀJ), kept as the running maximum of the diagonal over the iterations (Moré 1978), so that
  /// the step is invariant to the parameters' units: Marquardt's damping.
  case marquardt

  /// The updated scaling for the curvature diagonal `diagonal` (d ← max(d, diag G) for Marquardt), with a
  /// floor of ε·max(d) so that D stays positive definite.
  public func update(_ d: [Double], diagonal: [Double]) -> [Double] {
    switch self {
    case .identity:
      return [Double](repeating: 1, count: diagonal.count)
    case .marquardt:
      var next = d.isEmpty ? diagonal : zip(d, diagonal).map { max($0, $1) }
      let largest = next.max() ?? 1
      let floor = largest > 0 ? largest * Double.ulpOfOne : 1
      for i in next.indices { next[i] = max(next[i], floor) }
      return next
    }
  }
}
