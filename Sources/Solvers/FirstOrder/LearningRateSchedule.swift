import Foundation

/// The learning rate ηₜ as training goes on.
public enum LearningRateSchedule: Sendable, Equatable {
  /// ηₜ = η.
  case constant
  /// ηₜ = η·γ^⌊epoch / every⌋ (PyTorch's StepLR).
  case stepDecay(every: Int, factor: Double)
  /// ηₜ = η_min + ½(η − η_min)(1 + cos(π·t/T)) over the T updates of the run (Loshchilov & Hutter 2017,
  /// without restarts).
  case cosine(minimum: Double)

  /// η at update t (from 0) of epoch `epoch`, for a run of `totalUpdates` updates.
  public func rate(base: Double, update t: Int, epoch: Int, totalUpdates: Int) -> Double {
    switch self {
    case .constant:
      return base
    case .stepDecay(let every, let factor):
      return base * pow(factor, epoch / max(every, 1))
    case .cosine(let minimum):
      let progress = totalUpdates > 0 ? min(Double(t) / Double(totalUpdates), 1) : 0
      return minimum + 0.5 * (base - minimum) * (1 + cos(Double.pi * progress))
    }
  }
}
