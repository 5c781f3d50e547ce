/// How the damping μ of Levenberg–Marquardt responds to each step's gain ratio ρ (the Ceres
/// `TrustRegionStrategy` role: the minimizer tells it `stepAccepted` or `stepRejected`).
public protocol DampingStrategy: Sendable {
  /// μ now.
  var damping: Double { get }
  /// μ past which the minimizer stops with `.dampingTooLarge`.
  var maximumDamping: Double { get }
  /// Sets μ for the start from the scaled curvature diagonal Gᵢᵢ/dᵢ.
  mutating func start(scaledDiagonal: [Double])
  /// The step was taken (ρ > 0).
  mutating func stepAccepted(gainRatio: Double)
  /// The step was not taken (ρ ≤ 0, a non-finite loss, or an unsolvable system).
  mutating func stepRejected()
  /// Its numbers, to save in a checkpoint.
  var savedState: [String: Double] { get }
  /// Takes back the numbers of ``savedState``.
  mutating func restore(_ saved: [String: Double])
}

/// The scaling D of the damping term μD.
public enum DampingScaling: String, CaseIterable, Sendable {
  /// D = I: Levenberg's damping.
  case identity
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
