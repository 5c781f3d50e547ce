import KKTNet

/// The objective of Bayesian regularization (MacKay 1992) for a least-squares problem with errors eᵢ = c·rᵢ:
///
///     F(θ) = β·E_D + α·E_W,   E_D = ½ Σᵢ eᵢ²  (N errors),   E_W = ½ Σⱼ θⱼ²  (all P parameters),
///
/// with its Gauss–Newton curvature and gradient from the base problem's G_b = JᵀJ, g_b = Jᵀr:
///
///     G = βc²·G_b + αI,   g = βc²·g_b + αθ.
///
/// MacKay's ½ convention: Foresee & Hagan (1997) and MATLAB's `trainbr` write E_D = Σe², E_W = Σθ² and the
/// Hessian 2βJᵀJ + 2αI, which gives the same γ, α and β. c turns the base's residuals into the errors
/// (√m for ``NetworkLeastSquaresProblem``, whose rᵢ = eᵢ/√m). α and β are set by ``BayesianRegularizationMethod``
/// between iterations.
public final class BayesianRegularizationProblem<Base: LeastSquaresProblem>: GaussNewtonObjective {
  /// The least-squares problem whose residuals r give E_D.
  public let base: Base
  /// c, eᵢ = c·rᵢ.
  public let residualScale: Double
  /// α, the weight of E_W.
  public var alpha: Double
  /// β, the weight of E_D.
  public var beta: Double
  /// The base's G_b, g_b and ½‖r‖² of the latest linearization and the θ they belong to, so that the
  /// re-estimate of α and β at a point just linearized does not evaluate J again (compared by θ's bits).
  var latestBase: (parameters: [Double], normalMatrix: Matrix, gradient: [Double], objective: Double)?

  /// F over `base` with eᵢ = c·rᵢ and the starting α and β.
  public init(_ base: Base, residualScale: Double = 1, alpha: Double = 0, beta: Double = 1) {
    precondition(residualScale > 0 && residualScale.isFinite, "the residual scale c must be positive and finite")
    self.base = base
    self.residualScale = residualScale
    self.alpha = alpha
    self.beta = beta
  }

  public var parameterCount: Int { base.parameterCount }
  /// N, the number of errors.
  public var errorCount: Int { base.residualCount }
  public var prefersNormalEquations: Bool { base.prefersNormalEquations }

  /// E_D = ½c²‖r‖² from the base's ½‖r‖².
  func dataError(baseObjective: Double) -> Double { residualScale * residualScale * baseObjective }

  /// E_W = ½‖θ‖².
  public func weightError(_ parameters: [Double]) -> Double { 0.5 * BLAS.dot(parameters, parameters) }

  /// E_D(θ).
  public func dataError(at parameters: [Double]) -> Double { dataError(baseObjective: base.objective(at: parameters)) }

  /// F(θ) = βE_D + αE_W.
  public func objective(at parameters: [Double]) -> Double {
    beta * dataError(at: parameters) + alpha * weightError(parameters)
  }

  /// F at θ, keeping the base's evaluation (a network's forward pass) for the linearization there.
  public func evaluate(at parameters: [Double]) -> EvaluationPoint {
    let point = base.evaluate(at: parameters)
    let f = beta * dataError(baseObjective: point.objective) + alpha * weightError(parameters)
    return EvaluationPoint(parameters: parameters, objective: f, pass: point.pass)
  }

  public func normalEquations(at parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double]) -> Double {
    let fBase = base.normalEquations(at: parameters, normalMatrix: &normalMatrix, gradient: &gradient)
    return combine(parameters, fBase, &normalMatrix, &gradient)
  }

  public func normalEquations(at point: EvaluationPoint, normalMatrix: inout Matrix, gradient: inout [Double])
    -> Double
  {
    let fBase = base.normalEquations(at: point, normalMatrix: &normalMatrix, gradient: &gradient)
    return combine(point.parameters, fBase, &normalMatrix, &gradient)
  }

  /// G_b, g_b, ½‖r‖² ↦ βc²G_b + αI, βc²g_b + αθ, βE_D + αE_W (G's lower triangle, as the base fills it);
  /// the base's values are kept as ``latestBase``.
  func combine(_ theta: [Double], _ fBase: Double, _ g2: inout Matrix, _ g: inout [Double]) -> Double {
    latestBase = (theta, g2, g, fBase)
    let weight = beta * residualScale * residualScale
    for i in g2.elements.indices { g2.elements[i] *= weight }
    for j in 0..<parameterCount {
      g2[j, j] += alpha
      g[j] = weight * g[j] + alpha * theta[j]
    }
    return beta * dataError(baseObjective: fBase) + alpha * weightError(theta)
  }
}
