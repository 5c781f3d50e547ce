/// One iterative method as ``Minimizer`` runs it: a typed state that holds everything needed to continue,
/// a start, and one iteration at a time (optimistix's `init` / `step` / `terminate`).
///
/// The minimizer owns what every method shares — the iteration budget, the goal, the time limit,
/// validation and early stopping, checkpoints and the stream of summaries — and asks the method only for
/// what is its own: how to start, how to take one iteration, and which of its own convergence tests hold.
///
/// A conformer writes all of the requirements. The Gauss–Newton family (``GaussNewtonFamily``: a descent
/// composed with a search) and the first-order solvers (``FirstOrderIteration``: a step rule composed with
/// a learning-rate schedule over shuffled epochs) are the two in this module.
public protocol IterativeMethod: StepControlNaming {
  /// What a checkpoint must hold to continue the run exactly.
  associatedtype State: Codable, Sendable
  /// What is recomputed from the state rather than saved (the linearization, buffers).
  associatedtype Workspace

  /// The name of the summary's step-control column: μ (damping), Δ (radius), step (line search), η (rate).
  var stepControlName: String { get }

  /// The ranks of a data-parallel run, which must all stop at the same iteration; the single process by
  /// default.
  var communicator: any Communicator { get }

  /// Evaluates the problem at θ₀: the state, the workspace, and the summary of iteration 0 (the minimizer
  /// fills in its validation loss and time). `isFinite` is false when the start cannot be used.
  func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace>

  /// The workspace of a saved state, recomputed bit for bit as the uninterrupted run had it (not counted
  /// as evaluations).
  func workspace(resuming state: State) -> Workspace

  /// θ of a state.
  func parameters(of state: State) -> [Double]

  /// f at θ, as the method last evaluated it.
  func loss(of state: State) -> Double

  /// The method's own stopping tests between iterations, in the order they apply: after a step (a small
  /// decrease, a damping past its limit), then before the next (a vanishing gradient). `last` is the latest
  /// summary.
  func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination?

  /// Iteration number `iteration` (from 1; `budget` is the run's maximum).
  func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome

  /// A summary for a run whose budget ends between two summaries (a first-order run that stops inside an
  /// epoch), or nil. It does not change the state, so that the run can be continued from it.
  func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome?
}

extension IterativeMethod {
  public var communicator: any Communicator { SingleProcessCommunicator.shared }
}

/// What ``IterativeMethod/start(at:evaluations:)`` returns.
public struct MethodStart<State, Workspace> {
  /// The method's state at θ₀.
  public var state: State
  /// What the method keeps beside the state (the linearization, buffers).
  public var workspace: Workspace
  /// Iteration 0.
  public var summary: IterationSummary
  /// Whether f and its derivatives are finite at θ₀.
  public var isFinite: Bool

  /// A start from its parts.
  public init(state: State, workspace: Workspace, summary: IterationSummary, isFinite: Bool) {
    self.state = state
    self.workspace = workspace
    self.summary = summary
    self.isFinite = isFinite
  }
}

/// What one iteration did.
public struct IterationOutcome {
  /// The iteration's summary, or nil when it ends no reporting unit (a first-order update inside an epoch).
  public var summary: IterationSummary?
  /// Whether θ moved to a new point with a summary there (the minimizer then evaluates the validation loss).
  public var moved: Bool
  /// Whether the iteration was taken; false when the method stopped before taking it (a step too small
  /// to try, a gradient that vanished), so that it does not count.
  public var counted: Bool
  /// Why the method stops, or nil to go on.
  public var termination: Termination?
  /// The result to report when it stops somewhere other than the state's θ and f (the last finite point).
  public var result: (parameters: [Double], loss: Double)?

  /// An outcome from its parts; by default the iteration counts and the method goes on.
  public init(
    summary: IterationSummary?, moved: Bool, counted: Bool = true, termination: Termination? = nil,
    result: (parameters: [Double], loss: Double)? = nil
  ) {
    self.summary = summary
    self.moved = moved
    self.counted = counted
    self.termination = termination
    self.result = result
  }

  /// A stop before the iteration was taken.
  public static func stopped(_ termination: Termination) -> IterationOutcome {
    IterationOutcome(summary: nil, moved: false, counted: false, termination: termination)
  }
}
