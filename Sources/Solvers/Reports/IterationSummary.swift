/// What one iteration of a solver did (Ceres's `IterationSummary`). Iteration 0 describes the start.
public struct IterationSummary: Equatable, Sendable, Codable {
  /// The iteration, from 1 (0 is the starting point); for first-order solvers the number of updates so far.
  public var iteration: Int
  /// For first-order solvers, the epochs completed (passes over the training data); nil otherwise.
  public var epoch: Int?
  /// The objective f at the point the iteration ends on (the new point if the step was accepted): for a
  /// ``LeastSquaresProblem`` f = ½‖r‖², half the residual sum of squares; for a network J(θ), the data term
  /// plus the penalty.
  public var loss: Double
  /// f(before) − f(after): positive when the loss went down, 0 for a rejected step.
  public var lossChange: Double
  /// ‖∇f‖∞ at the point the iteration ends on (first-order solvers: the mean over the epoch of the
  /// max-norms of the gradients they used).
  public var gradientMaxNorm: Double
  /// ‖δ‖₂ of the step tried (for first-order solvers, of the update applied).
  public var stepNorm: Double
  /// ρ = actual decrease / the decrease the model predicted (NaN where there is no model).
  public var gainRatio: Double
  /// The step control after the iteration's update: μ for Levenberg–Marquardt, the step length for
  /// Gauss–Newton's line search, the learning rate for first-order solvers (the method's
  /// ``IterativeMethod/stepControlName`` names it).
  public var damping: Double
  /// Whether the step was taken.
  public var accepted: Bool
  /// The validation loss at the point the iteration ends on, when there is validation data.
  public var validationLoss: Double?
  /// Seconds since the solver started.
  public var time: Double
  /// Bayesian regularization: γ = P − α·tr((βc²JᵀJ + αI)⁻¹), the effective number of parameters, after the
  /// iteration's re-estimate; nil for other solvers.
  public var effectiveParameters: Double?
  /// Bayesian regularization: α, the weight of E_W = ½‖θ‖², after the iteration's re-estimate.
  public var alpha: Double?
  /// Bayesian regularization: β, the weight of E_D = ½Σe², after the iteration's re-estimate.
  public var beta: Double?
  /// Training through the constraints: maxₖ‖cᵏ‖∞ with cᵏ = xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ) at the free states after
  /// the iteration; nil for other solvers.
  public var constraintResidual: Double?
  /// Training through the constraints: ‖cᵏ‖∞ per hidden layer k = 1…N − 1.
  public var layerResiduals: [Double]?
  /// Training through the constraints: ‖λ − λ_adjoint‖_F / ‖λ_adjoint‖_F, the method's multiplier
  /// estimate against ``Lagrangian/solveMultipliers(parameters:workspace:)`` at the iteration's θ.
  public var multiplierGap: Double?
  /// Training through the constraints: the relaxed objective L_ρ at the free states and θ (the reported
  /// ``loss`` is J(θ) of the feasible network).
  public var relaxedObjective: Double?

  /// A summary from its values.
  public init(
    iteration: Int, loss: Double, lossChange: Double, gradientMaxNorm: Double, stepNorm: Double, gainRatio: Double,
    damping: Double, accepted: Bool, validationLoss: Double? = nil, time: Double, epoch: Int? = nil
  ) {
    self.iteration = iteration
    self.epoch = epoch
    self.loss = loss
    self.lossChange = lossChange
    self.gradientMaxNorm = gradientMaxNorm
    self.stepNorm = stepNorm
    self.gainRatio = gainRatio
    self.damping = damping
    self.accepted = accepted
    self.validationLoss = validationLoss
    self.time = time
  }

  /// The keys of its `Codable` form, in the order of a history file's columns.
  public enum CodingKeys: String, CodingKey, CaseIterable {
    /// `iteration`.
    case iteration
    /// `epoch`.
    case epoch
    /// `loss`.
    case loss
    /// `loss_change`.
    case lossChange = "loss_change"
    /// `gradient_max_norm`.
    case gradientMaxNorm = "gradient_max_norm"
    /// `step_norm`.
    case stepNorm = "step_norm"
    /// `gain_ratio`.
    case gainRatio = "gain_ratio"
    /// `damping`.
    case damping
    /// `accepted`.
    case accepted
    /// `validation_loss`.
    case validationLoss = "validation_loss"
    /// `time`.
    case time
    /// `effective_parameters`.
    case effectiveParameters = "effective_parameters"
    /// `alpha`.
    case alpha
    /// `beta`.
    case beta
    /// `constraint_residual`.
    case constraintResidual = "constraint_residual"
    /// `layer_residuals`.
    case layerResiduals = "layer_residuals"
    /// `multiplier_gap`.
    case multiplierGap = "multiplier_gap"
    /// `relaxed_objective`.
    case relaxedObjective = "relaxed_objective"
  }
}
