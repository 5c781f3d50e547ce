/// When a solver stops, besides numerical failure. Every rule can be switched off (0, nil or .infinity).
///
/// The budget rules (`maximumIterations`, `goal`, `timeLimit`, `maximumValidationFailures`) belong to the
/// run, not to its trajectory: a checkpoint may be continued with other values.
public struct StoppingCriteria: Sendable, Codable, Equatable {
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
  /// Stop after this many seconds (counted over every session of a resumed run).
  public var timeLimit: Double?
  /// With validation data: stop when the validation loss has not improved on its best value for this many
  /// evaluations in a row (trainlm's max_fail, 6).
  public var maximumValidationFailures: Int

  /// The budget and the tolerances; by default 100 iterations, tolerances of 10⁻¹², no goal, no time limit
  /// and max_fail 6.
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

/// The validation losses of a run: the best value, the parameters and training loss where it was seen,
/// and how many evaluations in a row failed to beat it (early stopping's count).
public struct ValidationRecord: Codable, Sendable, Equatable {
  /// The best validation loss so far (+∞ before the first).
  public var best = Double.infinity
  /// θ where it was seen.
  public var bestParameters: [Double] = []
  /// The training loss reported at that θ.
  public var bestTrainingLoss = Double.nan
  /// Evaluations since the best one.
  public var failures = 0
  /// The latest validation loss, nil before the first.
  public var latest: Double?

  /// A record before any validation.
  public init() {}

  /// Records the validation loss `value` at θ, whose training loss is `trainingLoss`.
  public mutating func record(_ value: Double, parameters: [Double], trainingLoss: Double) {
    latest = value
    if value < best {
      best = value
      bestParameters = parameters
      bestTrainingLoss = trainingLoss
      failures = 0
    } else {
      failures += 1
    }
  }
}
