import KKTNet

/// The globalization of a Gauss–Newton-family method (optimistix's search, Ceres's trust-region strategy):
/// it keeps the control c of the step (μ of a damping schedule, the radius of a trust region), and judges
/// each trial point θ + αδ — accept it, reject it (the next iteration tries again with another c), try a
/// shorter step within the same iteration, or stop.
public protocol SecondOrderSearch: Sendable {
  /// What a checkpoint keeps of the search (μ and ν, or nothing).
  associatedtype State: Codable, Sendable

  /// The name of the summary's step-control column (μ, step).
  var controlName: String { get }

  /// The state at the start, from the curvature diagonal Gᵢᵢ/dᵢ in the descent's scaling.
  func start(scaledDiagonal: [Double]) -> State

  /// c, the control of the descent.
  func control(_ state: State) -> Double

  /// What the summary shows in the step-control column, after an iteration whose last trial step was
  /// α·δ (μ for a damping schedule, α for a line search).
  func shown(_ state: State, stepLength: Double) -> Double

  /// The verdict on a trial at f(θ) = `loss` with f(θ + αδ) = `trialLoss` and gain ratio ρ (the actual
  /// decrease over the model's, −∞ when there is no decrease to predict), after `halvings` shortenings
  /// of the step in this iteration.
  func judge(loss: Double, trialLoss: Double, gainRatio rho: Double, halvings: Int, state: inout State) -> Verdict

  /// What to do when the descent's linear system cannot be solved: reject the step (the next iteration
  /// tries another c) or stop.
  func unsolvable(_ error: LAPACKError, state: inout State) -> Verdict

  /// A stop after a rejected step (a damping past its limit), or nil.
  func terminationAfterRejection(_ state: State) -> Termination?

  /// Whether the control, not the curvature, holds some parameter back at this linearization, so that a
  /// short step or a small decrease is no sign of convergence (see ``DampingSearch``).
  func holdsBack(
    _ state: State, system: DampedLinearSolver.System, scaling d: [Double], step: Double, decrease: Double
  ) -> Bool
}

/// A search's verdict on a trial point.
public enum Verdict: Sendable, Equatable {
  /// Take the trial point.
  case accept
  /// Keep θ; the next iteration tries again.
  case reject
  /// Try θ + αδ with this shorter α within the same iteration.
  case retry(stepLength: Double)
  /// End the run.
  case stop(Termination)
}
