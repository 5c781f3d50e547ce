/// How the damping μ of Levenberg–Marquardt responds to each step's gain ratio ρ (the Ceres
/// `TrustRegionStrategy` role: the search tells it `stepAccepted` or `stepRejected`).
///
/// A conformer keeps its settings in stored properties and its changing numbers in a ``DampingState``,
/// which is what a checkpoint saves:
///
///     struct HalvingDamping: DampingStrategy {
///       var state = DampingState(damping: 1)
///       var maximumDamping = 1e16
///       mutating func start(scaledDiagonal: [Double]) { state.damping = scaledDiagonal.max() ?? 1 }
///       mutating func stepAccepted(gainRatio: Double) { state.damping /= 2 }
///       mutating func stepRejected() { state.damping *= 2 }
///     }
public protocol DampingStrategy: Sendable {
  /// μ and the strategy's other changing numbers.
  var state: DampingState { get set }
  /// μ past which the run stops with `.dampingTooLarge`.
  var maximumDamping: Double { get }
  /// Sets μ for the start from the scaled curvature diagonal Gᵢᵢ/dᵢ.
  mutating func start(scaledDiagonal: [Double])
  /// The step was taken (ρ > 0).
  mutating func stepAccepted(gainRatio: Double)
  /// The step was not taken (ρ ≤ 0, a non-finite loss, or an unsolvable system).
  mutating func stepRejected()
}

extension DampingStrategy {
  /// μ now.
  public var damping: Double { state.damping }
}

/// The changing numbers of a damping strategy.
public struct DampingState: Codable, Sendable, Equatable {
  /// μ.
  public var damping: Double
  /// ν, the growth factor of the next rejection (Nielsen's rule; 1 where a strategy has none).
  public var growth: Double

  /// μ = `damping`, with the growth factor ν of Nielsen's rule (1 for a schedule that keeps none).
  public init(damping: Double, growth: Double = 1) {
    self.damping = damping
    self.growth = growth
  }
}
