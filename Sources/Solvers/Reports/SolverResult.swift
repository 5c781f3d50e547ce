/// The outcome of a solver run: the last good parameters, why it stopped, and every iteration.
public struct SolverResult: Sendable {
  /// θ at the end: the last accepted point (for early stopping, the best validated one).
  public var parameters: [Double]
  /// f(θ) at those parameters.
  public var loss: Double
  /// The iterations done (trial steps, accepted or not; epochs or updates for first-order solvers).
  public var iterations: Int
  /// Why it stopped.
  public var termination: Termination
  /// One summary per iteration, the start (iteration 0) first.
  public var history: [IterationSummary]
  /// Evaluations of the objective or residuals.
  public var functionEvaluations: Int
  /// Evaluations of the Jacobian, of JᵀJ, or of the gradient.
  public var jacobianEvaluations: Int
  /// Seconds from start to stop.
  public var elapsed: Double

  public init(
    parameters: [Double], loss: Double, iterations: Int, termination: Termination, history: [IterationSummary],
    functionEvaluations: Int, jacobianEvaluations: Int, elapsed: Double
  ) {
    self.parameters = parameters
    self.loss = loss
    self.iterations = iterations
    self.termination = termination
    self.history = history
    self.functionEvaluations = functionEvaluations
    self.jacobianEvaluations = jacobianEvaluations
    self.elapsed = elapsed
  }
}
