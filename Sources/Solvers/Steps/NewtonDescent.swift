import KKTNet

/// The Gauss–Newton step δ = argmin ‖Jδ + r‖ (for a generalized Gauss–Newton problem, the solution of
/// Gδ = −g), by the chosen linear solver — the SVD's is the minimum-norm one, also when J is rank
/// deficient. It ignores the control: a line search scales it instead.
public struct NewtonDescent: SecondOrderDescent {
  /// How Gδ = −g (or min ‖Jδ + r‖) is solved.
  public var solver: DampedLinearSolver

  /// The descent solved by `linearSolver`.
  public init(linearSolver: LinearSolverKind) { solver = DampedLinearSolver(kind: linearSolver) }

  public func start(_ system: DampedLinearSolver.System) -> NoState { NoState() }

  public func accepted(_ state: NoState, _ system: DampedLinearSolver.System) -> NoState { state }

  public func step(_ system: DampedLinearSolver.System, control: Double, state: NoState) throws(LAPACKError)
    -> [Double]
  {
    try solver.solve(system, damping: 0, scaling: ones(system))
  }

  public func solve(
    _ system: DampedLinearSolver.System, control: Double, state: NoState, rightHandSide b: [Double]
  ) throws(LAPACKError) -> [Double] {
    try solver.solve(system, damping: 0, scaling: ones(system), rightHandSide: b)
  }

  public func scaling(_ state: NoState) -> [Double] { [] }

  public var needsJacobian: Bool { solver.kind != .cholesky }

  public var isDamped: Bool { false }

  private func ones(_ system: DampedLinearSolver.System) -> [Double] {
    [Double](repeating: 1, count: system.gradient.count)
  }
}
