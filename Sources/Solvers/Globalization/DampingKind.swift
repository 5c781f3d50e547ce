/// The damping schedules of Levenberg–Marquardt, by name.
public enum DampingKind: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
  /// ``NielsenDamping``: the gain-ratio rule of Madsen, Nielsen & Tingleff.
  case nielsen
  /// ``MultiplicativeDamping``: MATLAB trainlm's ×0.1 / ×10 schedule.
  case trainlm

  /// The strategy with its default settings.
  public var strategy: any DampingStrategy {
    switch self {
    case .nielsen: return NielsenDamping()
    case .trainlm: return MultiplicativeDamping()
    }
  }

  public var description: String { rawValue }
}
