import KKTNet

/// Levenberg–Marquardt's step: the solution of the damped normal equations
///
///     (G + μD)δ = −g,
///
/// with μ the search's control and D = diag(d) the scaling — D = I (Levenberg 1944) or diag(JᵀJ) with
/// Moré's running maximum (Marquardt 1963, Moré 1978), so that the step does not depend on the
/// parameters' units. Its state is d.
public struct DampedNewtonDescent: SecondOrderDescent {
  /// D: the identity or Marquardt's diag(JᵀJ).
  public var scaling: DampingScaling
  /// How (G + μD)δ = −g is solved.
  public var solver: DampedLinearSolver

  /// The descent with scaling D, solved by `linearSolver`.
  public init(scaling: DampingScaling, linearSolver: LinearSolverKind) {
    self.scaling = scaling
    solver = DampedLinearSolver(kind: linearSolver)
  }

  public func start(_ system: DampedLinearSolver.System) -> [Double] {
    scaling.update([], diagonal: system.diagonal)
  }

  public func accepted(_ d: [Double], _ system: DampedLinearSolver.System) -> [Double] {
    scaling.update(d, diagonal: system.diagonal)
  }

  public func step(_ system: DampedLinearSolver.System, control mu: Double, state d: [Double]) throws(LAPACKError)
    -> [Double]
  {
    try solver.solve(system, damping: mu, scaling: d)
  }

  public func solve(
    _ system: DampedLinearSolver.System, control mu: Double, state d: [Double], rightHandSide b: [Double]
  ) throws(LAPACKError) -> [Double] {
    try solver.solve(system, damping: mu, scaling: d, rightHandSide: b)
  }

  public func scaling(_ d: [Double]) -> [Double] { d }

  public var needsJacobian: Bool { solver.kind != .cholesky }

  public var isDamped: Bool { true }
}
