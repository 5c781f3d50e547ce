import KKTNet

/// Gauss–Newton's globalization: the full step first, then halved until it lowers f (a step that raises the
/// loss is never taken), up to `maximumHalvings` times, after which the run stops with `.noDescent`. An
/// unsolvable system ends the run: without damping there is no other step to try.
public struct HalvingLineSearch: SecondOrderSearch {
  /// How many times the step may be halved in one iteration.
  public var maximumHalvings: Int

  /// A search that halves a rejected step at most `maximumHalvings` times.
  public init(maximumHalvings: Int = 30) {
    precondition(maximumHalvings >= 0, "the number of halvings cannot be negative")
    self.maximumHalvings = maximumHalvings
  }

  public var controlName: String { "step" }

  public func start(scaledDiagonal: [Double]) -> NoState { NoState() }

  public func control(_ state: NoState) -> Double { 0 }

  public func shown(_ state: NoState, stepLength: Double) -> Double { stepLength }

  public func judge(loss: Double, trialLoss: Double, gainRatio rho: Double, halvings: Int, state: inout NoState)
    -> Verdict
  {
    if trialLoss.isFinite && trialLoss < loss { return .accept }
    if halvings < maximumHalvings {
      return .retry(stepLength: Double(sign: .plus, exponent: -(halvings + 1), significand: 1))
    }
    return .stop(.noDescent(maximumHalvings))
  }

  public func unsolvable(_ error: LAPACKError, state: inout NoState) -> Verdict {
    .stop(.singularSystem(error.description))
  }

  public func terminationAfterRejection(_ state: NoState) -> Termination? { nil }

  public func holdsBack(
    _ state: NoState, system: DampedLinearSolver.System, scaling d: [Double], step: Double, decrease: Double
  ) -> Bool { false }
}
