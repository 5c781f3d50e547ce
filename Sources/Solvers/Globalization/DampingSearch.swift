import KKTNet

/// Levenberg–Marquardt's globalization by a damping schedule (a ``DampingStrategy``): a trial point is
/// accepted when it lowers f and ρ > 0, after which μ falls; otherwise it is rejected and μ grows, until μ
/// passes the strategy's limit.
public struct DampingSearch: SecondOrderSearch {
  /// The schedule, with its settings; its state at the start.
  public var strategy: any DampingStrategy

  /// A search that controls μ by `strategy`.
  public init(strategy: any DampingStrategy) { self.strategy = strategy }

  public var controlName: String { "μ" }

  public func start(scaledDiagonal: [Double]) -> DampingState {
    var schedule = strategy
    schedule.start(scaledDiagonal: scaledDiagonal)
    return schedule.state
  }

  public func control(_ state: DampingState) -> Double { state.damping }

  public func shown(_ state: DampingState, stepLength: Double) -> Double { state.damping }

  public func judge(loss: Double, trialLoss: Double, gainRatio rho: Double, halvings: Int, state: inout DampingState)
    -> Verdict
  {
    var schedule = strategy
    schedule.state = state
    defer { state = schedule.state }
    if trialLoss.isFinite && trialLoss < loss && rho > 0 {
      schedule.stepAccepted(gainRatio: rho)
      return .accept
    }
    schedule.stepRejected()
    return .reject
  }

  public func unsolvable(_ error: LAPACKError, state: inout DampingState) -> Verdict {
    var schedule = strategy
    schedule.state = state
    schedule.stepRejected()
    state = schedule.state
    return .reject
  }

  public func terminationAfterRejection(_ state: DampingState) -> Termination? {
    state.damping > strategy.maximumDamping ? .dampingTooLarge(strategy.maximumDamping) : nil
  }

  /// Whether a short step or a small decrease is small only because μ is large, not because θ is near a
  /// stationary point: for some parameter i the damping at least matches the curvature, μdᵢ ≥ Gᵢᵢ, while
  /// the undamped step along it would not be small — its length |gᵢ|/Gᵢᵢ above the step tolerance
  /// `step`, or its decrease gᵢ²/(2Gᵢᵢ) above the decrease tolerance `decrease`. Stopping there would be
  /// a false convergence: on a badly scaled problem with D = I (NIST's Misra1c from start 2:
  /// μ₀ = τ·max Gᵢᵢ ≈ 10⁸ against G₁₁ ≈ 1; MGH10 from start 1) it means μ has not yet come down, and each
  /// good step lowers it.
  public func holdsBack(
    _ state: DampingState, system: DampedLinearSolver.System, scaling d: [Double], step: Double, decrease: Double
  ) -> Bool {
    let mu = state.damping
    guard mu > 0 else { return false }
    return d.indices.contains { i in
      let (curvature, g) = (system.diagonal[i], system.gradient[i])
      return mu * d[i] >= curvature && (abs(g) > step * curvature || g * g > 2 * decrease * curvature)
    }
  }
}
