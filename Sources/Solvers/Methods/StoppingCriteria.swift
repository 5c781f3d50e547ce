/// When a solver stops, besides numerical failure. Every rule can be switched off (0, nil or .infinity).
public struct StoppingCriteria: Sendable {
  /// At most this many iterations.
  public var maximumIterations: Int
  /// Stop when ‖∇f‖∞ ≤ this (absolute).
  public var gradientTolerance: Double
  /// Stop when ‖δ‖ ≤ tol·(‖θ‖ + tol).
  public var stepTolerance: Double
  /// Stop when an accepted step reduces f by ≤ tol·f.
  public var functionTolerance: Double
  /// Stop when f ≤ goal (trainlm's goal).
  public var goal: Double
  /// Stop after this many seconds.
  public var timeLimit: Double?
  /// With validation data: stop when the validation loss has exceeded its best value this many
  /// evaluations in a row (trainlm's max_fail, 6).
  public var maximumValidationFailures: Int

  public init(
    maximumIterations: Int = 100, gradientTolerance: Double = 1e-12, stepTolerance: Double = 1e-12,
    functionTolerance: Double = 1e-12, goal: Double = 0, timeLimit: Double? = nil, maximumValidationFailures: Int = 6
  ) {
    precondition(maximumIterations >= 0, "the iteration budget cannot be negative")
    precondition(maximumValidationFailures >= 1, "max_fail must be at least 1")
    self.maximumIterations = maximumIterations
    self.gradientTolerance = gradientTolerance
    self.stepTolerance = stepTolerance
    self.functionTolerance = functionTolerance
    self.goal = goal
    self.timeLimit = timeLimit
    self.maximumValidationFailures = maximumValidationFailures
  }
}

/// Tracks the validation loss for early stopping: the best value, its parameters, and how many
/// evaluations in a row failed to beat it.
struct ValidationTracker {
  let loss: ([Double]) -> Double
  var best = Double.infinity
  var bestParameters: [Double] = []
  var failures = 0

  /// Records the validation loss at θ and returns it.
  mutating func record(_ parameters: [Double]) -> Double {
    let value = loss(parameters)
    if value < best {
      best = value
      bestParameters = parameters
      failures = 0
    } else {
      failures += 1
    }
    return value
  }
}
