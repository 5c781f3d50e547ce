import KKTNet

/// What the Gauss–Newton family needs of a problem: the objective f(θ), and at a point its gradient
/// g = ∇f and a curvature matrix G ⪰ 0 standing in for the Hessian — JᵀJ for least squares, the
/// generalized Gauss–Newton matrix JᵀHJ for a classifier.
public protocol GaussNewtonObjective: AnyObject {
  /// P, the number of parameters.
  var parameterCount: Int { get }

  /// f(θ); non-finite where f is undefined (the solvers then reject the point).
  func objective(at parameters: [Double]) -> Double

  /// Fills G (P × P; at least its lower triangle) and g, and returns f(θ).
  func normalEquations(at parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double]) -> Double

  /// f(θ), with what the evaluation computed kept for a linearization at the same point (a network keeps
  /// its forward pass). The default is ``objective(at:)``.
  func evaluate(at parameters: [Double]) -> EvaluationPoint

  /// ``normalEquations(at:normalMatrix:gradient:)`` at a point ``evaluate(at:)`` returned, reusing what that
  /// evaluation computed when the problem still holds it. The default recomputes.
  func normalEquations(at point: EvaluationPoint, normalMatrix: inout Matrix, gradient: inout [Double]) -> Double

  /// Whether the problem accumulates G and g itself more cheaply than it forms J (a network: JᵀJ by blocks
  /// of samples with syrk), so that a solver free to choose takes the normal equations. The default is
  /// false: J is formed and factored (QR), as MINPACK does for a curve.
  var prefersNormalEquations: Bool { get }

  /// The ranks over which the problem's samples are split. With more than one, f, G and g are sums over
  /// every rank's samples, the same on every rank, while r, J and a curvature factor F would be one rank's
  /// rows: the solvers then take the normal equations and never the QR, the stacked SVD or the dual
  /// system. The default is the single process.
  var communicator: any Communicator { get }
}

/// A point θ where a problem evaluated f, and a token for what it kept of that evaluation.
///
/// The solvers pass it back to the same problem to linearize there. A problem that holds one evaluation's
/// intermediate results (a network's states xᵏ) reuses them when the token is still current, so the loss
/// at a trial point and the linearization there, once the point is accepted, share one forward pass.
public struct EvaluationPoint: Sendable {
  /// θ.
  public let parameters: [Double]
  /// f(θ).
  public let objective: Double
  /// Which of the problem's evaluations this is, when it keeps one; nil otherwise.
  public let pass: UInt64?

  /// A point with its f and, when the problem keeps the evaluation, its token.
  public init(parameters: [Double], objective: Double, pass: UInt64? = nil) {
    self.parameters = parameters
    self.objective = objective
    self.pass = pass
  }
}

extension GaussNewtonObjective {
  public var prefersNormalEquations: Bool { false }

  public var communicator: any Communicator { SingleProcessCommunicator.shared }

  /// Whether the samples are split over several ranks (``communicator``), so that only f, G and g are whole.
  public var isDistributed: Bool { communicator.size > 1 }

  public func evaluate(at parameters: [Double]) -> EvaluationPoint {
    EvaluationPoint(parameters: parameters, objective: objective(at: parameters))
  }

  public func normalEquations(at point: EvaluationPoint, normalMatrix: inout Matrix, gradient: inout [Double])
    -> Double
  {
    normalEquations(at: point.parameters, normalMatrix: &normalMatrix, gradient: &gradient)
  }
}

/// A nonlinear least-squares problem: minimize f(θ) = ½‖r(θ)‖², r: ℝᴾ → ℝᴹ, with g = Jᵀr and G = JᵀJ.
///
/// The ½ is part of f: every `loss` a solver reports for a least-squares problem is ½‖r‖², half the
/// residual sum of squares (``residualSumOfSquares(at:)`` is ‖r‖² itself).
///
/// ## What a conformer writes
/// A class with four members — ``GaussNewtonObjective/parameterCount`` (P), ``residualCount`` (M),
/// ``residuals(at:into:)`` and ``jacobian(at:into:)`` — gets everything else from the defaults: f, G = JᵀJ,
/// g = Jᵀr and the products J·v, Jᵀu. A problem whose J is too large to hold instead overrides
/// ``GaussNewtonObjective/normalEquations(at:normalMatrix:gradient:)`` to accumulate JᵀJ and Jᵀr over
/// blocks of rows, and returns false from ``providesJacobian``. For example, y = a·e^(b·x):
///
/// ```swift
/// final class Exponential: LeastSquaresProblem {
///   let x: [Double], y: [Double]
///   init(x: [Double], y: [Double]) { (self.x, self.y) = (x, y) }
///   var parameterCount: Int { 2 }
///   var residualCount: Int { x.count }
///   // rᵢ = a·e^(b·xᵢ) − yᵢ
///   func residuals(at p: [Double], into r: inout [Double]) {
///     for i in x.indices { r[i] = p[0] * exp(p[1] * x[i]) - y[i] }
///   }
///   // ∂rᵢ/∂a = e^(b·xᵢ), ∂rᵢ/∂b = a·xᵢ·e^(b·xᵢ)
///   func jacobian(at p: [Double], into j: inout Matrix) {
///     for i in x.indices {
///       j[i, 0] = exp(p[1] * x[i])
///       j[i, 1] = p[0] * x[i] * exp(p[1] * x[i])
///     }
///   }
/// }
/// let fit = LevenbergMarquardt().minimize(Exponential(x: x, y: y), from: [1, 0.1])
/// ```
public protocol LeastSquaresProblem: GaussNewtonObjective {
  /// M, the number of residuals.
  var residualCount: Int { get }

  /// r(θ) into `residuals` (M values).
  func residuals(at parameters: [Double], into residuals: inout [Double])

  /// Whether ``jacobian(at:into:)`` is available (QR and SVD on the stacked system need it).
  var providesJacobian: Bool { get }

  /// J(θ) into an M × P matrix.
  func jacobian(at parameters: [Double], into jacobian: inout Matrix)

  /// r and J at a point ``GaussNewtonObjective/evaluate(at:)`` returned, reusing that evaluation when the
  /// problem still holds it. The default calls ``residuals(at:into:)`` and ``jacobian(at:into:)``.
  func residualsAndJacobian(at point: EvaluationPoint, residuals: inout [Double], jacobian: inout Matrix)

  /// J(θ)·v (M values).
  func jacobianProduct(at parameters: [Double], direction: [Double]) -> [Double]

  /// J(θ)ᵀ·u (P values).
  func transposedJacobianProduct(at parameters: [Double], vector: [Double]) -> [Double]
}

extension LeastSquaresProblem {
  public var providesJacobian: Bool { true }

  public func residualsAndJacobian(at point: EvaluationPoint, residuals: inout [Double], jacobian: inout Matrix) {
    self.residuals(at: point.parameters, into: &residuals)
    self.jacobian(at: point.parameters, into: &jacobian)
  }

  /// f(θ) = ½‖r(θ)‖², half the residual sum of squares.
  public func objective(at parameters: [Double]) -> Double {
    0.5 * residualSumOfSquares(at: parameters)
  }

  /// ‖r(θ)‖² = Σᵢ rᵢ², the residual sum of squares (twice the objective f the solvers report as `loss`).
  public func residualSumOfSquares(at parameters: [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    residuals(at: parameters, into: &r)
    return BLAS.dot(r, r)
  }

  /// G = JᵀJ (syrk, both triangles) and g = Jᵀr (gemv) from the materialized Jacobian.
  public func normalEquations(at parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    residuals(at: parameters, into: &r)
    var j = Matrix(rows: residualCount, columns: parameterCount)
    jacobian(at: parameters, into: &j)
    BLAS.syrk(j, transpose: .transpose, into: &normalMatrix)
    BLAS.gemv(j, r, transpose: .transpose, into: &gradient)
    return 0.5 * BLAS.dot(r, r)
  }

  public func jacobianProduct(at parameters: [Double], direction: [Double]) -> [Double] {
    var j = Matrix(rows: residualCount, columns: parameterCount)
    jacobian(at: parameters, into: &j)
    var product = [Double](repeating: 0, count: residualCount)
    BLAS.gemv(j, direction, into: &product)
    return product
  }

  public func transposedJacobianProduct(at parameters: [Double], vector: [Double]) -> [Double] {
    var j = Matrix(rows: residualCount, columns: parameterCount)
    jacobian(at: parameters, into: &j)
    var product = [Double](repeating: 0, count: parameterCount)
    BLAS.gemv(j, vector, transpose: .transpose, into: &product)
    return product
  }
}

/// A problem whose curvature is G = FᵀF + R, with a factor F of ``curvatureFactorRows`` rows and R diagonal.
/// When F has fewer rows than there are parameters (fewer samples than weights), the Gauss–Newton family
/// takes its steps from F through the M × M dual system and never forms the P × P matrix G.
public protocol CurvatureFactorization: GaussNewtonObjective {
  /// The rows of F.
  var curvatureFactorRows: Int { get }

  /// F (``curvatureFactorRows`` × P), R (nil for none), g, and f, at a point ``GaussNewtonObjective/evaluate(at:)``
  /// returned.
  func curvatureFactor(
    at point: EvaluationPoint, factor: inout Matrix, ridge: inout [Double]?, gradient: inout [Double]
  ) -> Double
}
