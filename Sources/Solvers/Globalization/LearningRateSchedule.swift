import Foundation

/// The learning rate ηₜ as training goes on: the globalization of a first-order solver (every step is
/// taken; the schedule decides how long it is).
public enum LearningRateSchedule: Sendable, Equatable, Codable {
  /// ηₜ = η.
  case constant
  /// ηₜ = η·γ^⌊epoch / every⌋ (PyTorch's StepLR).
  case stepDecay(every: Int, factor: Double)
  /// ηₜ = η_min + ½(η − η_min)(1 + cos(π·min(t/T, 1))) (Loshchilov & Hutter 2017, without restarts) over a
  /// horizon of T updates — by default the run's budget when training starts. The horizon is kept in the
  /// run's state, so a run continued with a larger budget keeps its past and holds η_min after T.
  case cosine(minimum: Double, horizon: Int? = nil)

  /// The same schedule with its horizon fixed: the given one, or `budget`.
  public func resolved(budget: Int) -> LearningRateSchedule {
    if case .cosine(let minimum, nil) = self { return .cosine(minimum: minimum, horizon: budget) }
    return self
  }

  /// η at update t (from 0) of epoch `epoch`, for a cosine horizon of `totalUpdates` when the schedule
  /// has none of its own.
  public func rate(base: Double, update t: Int, epoch: Int, totalUpdates: Int) -> Double {
    switch self {
    case .constant:
      return base
    case .stepDecay(let every, let factor):
      return base * pow(factor, epoch / max(every, 1))
    case .cosine(let minimum, let horizon):
      let total = horizon ?? totalUpdates
      let progress = total > 0 ? min(Double(t) / Double(total), 1) : 0
      return minimum + 0.5 * (base - minimum) * (1 + cos(Double.pi * progress))
    }
  }
}

extension LearningRateSchedule {
  /// The schedules by name, for a command line that gives their settings separately.
  public enum Shape: String, CaseIterable, Sendable {
    /// η throughout.
    case constant
    /// η multiplied by a factor every so many epochs.
    case step
    /// η annealed along a half cosine to a floor.
    case cosine
  }

  /// The schedule of a shape with its settings (the ones the shape does not use are ignored).
  public init(_ shape: Shape, every: Int, factor: Double, minimum: Double, horizon: Int?) {
    switch shape {
    case .constant: self = .constant
    case .step: self = .stepDecay(every: every, factor: factor)
    case .cosine: self = .cosine(minimum: minimum, horizon: horizon)
    }
  }
}
