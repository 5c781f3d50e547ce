/// How Levenberg–Marquardt controls its damping, by name: a damping schedule, or a trust region.
public enum DampingKind: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
  /// ``NielsenDamping``: the gain-ratio rule of Madsen, Nielsen & Tingleff.
  case nielsen
  /// ``MultiplicativeDamping``: MATLAB trainlm's ×0.1 / ×10 schedule.
  case trainlm
  /// No schedule: λ follows a trust region on ‖Dp‖ (``TrustRegionLevenbergMarquardt``, Moré 1978, as
  /// MINPACK's lmder).
  case trustRegion = "trust-region"

  /// The schedule with its default settings; nil for the trust region, which has none.
  public var strategy: (any DampingStrategy)? {
    switch self {
    case .nielsen: return NielsenDamping()
    case .trainlm: return MultiplicativeDamping()
    case .trustRegion: return nil
    }
  }

  public var description: String { rawValue }
}
