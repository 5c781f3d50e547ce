/// Held-out data for early stopping: θ ↦ the validation loss, evaluated at the start and wherever θ moves
/// with a summary.
///
///     let check = NetworkTrainingProblem(network: network, inputs: heldOutX, targets: heldOutY)
///     solver.minimize(problem, from: θ₀, validation: Validation { check.objective(at: $0) })
public struct Validation {
  /// θ ↦ validation loss.
  public let loss: ([Double]) -> Double

  /// A validation loss θ ↦ loss (the unpenalized data term on the validation samples, for a network).
  public init(_ loss: @escaping ([Double]) -> Double) { self.loss = loss }
}
