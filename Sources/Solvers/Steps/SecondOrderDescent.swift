import KKTNet

/// A step proposal of the Gauss–Newton family (optimistix's descent): from the linearization (G, g) at θ
/// and the control c that the search keeps — μ for the damped step, nothing for the Gauss–Newton step —
/// the step δ(c). Its state is what it carries from one linearization to the next (the scaling D).
public protocol SecondOrderDescent: Sendable {
  /// What a checkpoint keeps of the descent (D of Marquardt's scaling, or nothing).
  associatedtype State: Codable, Sendable

  /// The state at the first linearization.
  func start(_ system: DampedLinearSolver.System) -> State

  /// The state after a step was accepted, given the linearization at the new point.
  func accepted(_ state: State, _ system: DampedLinearSolver.System) -> State

  /// δ(c), or the linear solver's error.
  func step(_ system: DampedLinearSolver.System, control: Double, state: State) throws(LAPACKError) -> [Double]

  /// The solution of the same damped system for another right-hand side −b (geodesic acceleration).
  func solve(_ system: DampedLinearSolver.System, control: Double, state: State, rightHandSide b: [Double])
    throws(LAPACKError) -> [Double]

  /// The scaling D = diag(d) of the damping term μD (all ones without one).
  func scaling(_ state: State) -> [Double]

  /// Whether the step needs J and r, not only G and g (QR and SVD on the stacked system).
  var needsJacobian: Bool { get }

  /// Whether its control μ is positive (so that G + μD is positive definite whatever G).
  var isDamped: Bool { get }
}

/// The state of a part that keeps none.
public struct NoState: Codable, Sendable, Equatable {
  /// The empty state.
  public init() {}
}
