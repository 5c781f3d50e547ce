/// The outcome of a solver run: the last good parameters, why it stopped, and every iteration.
public struct SolverResult: Sendable {
  /// θ at the end: the last accepted point (after early stopping, the best validated one; after a
  /// non-finite loss, the last finite one).
  public var parameters: [Double]
  /// f(θ) at ``parameters``, as the solver last evaluated it there. For a ``LeastSquaresProblem`` this is
  /// f = ½‖r(θ)‖², half the residual sum of squares (so SSR = 2·loss). For a network it is J(θ): the data
  /// term plus the penalty, over the training samples. The Gauss–Newton family reports the value computed
  /// with the linearization at θ (the same forward pass and summation as ``GaussNewtonObjective/objective(at:)``,
  /// so the two agree to the bit); first-order solvers report the full-data objective at the end of the last
  /// epoch (or, when a gradient tolerance stops them, the objective computed with that gradient).
  public var loss: Double
  /// The iterations done (trial steps, accepted or not, for the Gauss–Newton family; updates for
  /// first-order solvers).
  public var iterations: Int
  /// Why it stopped.
  public var termination: Termination
  /// One summary per reported iteration, the start (iteration 0) first.
  public var history: [IterationSummary]
  /// How often the problem was evaluated.
  public var evaluations: EvaluationCounts
  /// Seconds from start to stop (over every session of a resumed run).
  public var elapsed: Double

  /// A result from its values.
  public init(
    parameters: [Double], loss: Double, iterations: Int, termination: Termination, history: [IterationSummary],
    evaluations: EvaluationCounts, elapsed: Double
  ) {
    self.parameters = parameters
    self.loss = loss
    self.iterations = iterations
    self.termination = termination
    self.history = history
    self.evaluations = evaluations
    self.elapsed = elapsed
  }

  /// Evaluations of the objective or residuals.
  public var functionEvaluations: Int { evaluations.function }
  /// Evaluations of the Jacobian, of JᵀJ and Jᵀr, or of a gradient.
  public var jacobianEvaluations: Int { evaluations.jacobian }
}
