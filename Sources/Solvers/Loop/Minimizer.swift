/// The one loop every solver runs (the role of Ceres's `TrustRegionMinimizer`, optimistix's `iterative_solve`):
///
///     start (or resume) → repeat { stopping rules; one iteration of the method; summary; checkpoint }
///
/// It owns the budget, the goal, the time limit, validation with early stopping, checkpoints and the
/// summaries; the ``IterativeMethod`` owns its step. Between two iterations the state is complete: every
/// stopping rule is tested there, in the order
///
///  1. an interruption (SIGINT/SIGTERM through `interruption`);
///  2. early stopping: the validation loss has not improved for `maximumValidationFailures` evaluations;
///  3. the method's own tests (a small decrease after a step, a damping past its limit, a vanishing gradient);
///  4. the goal f ≤ goal;
///  5. the budget (then a summary closes a partial epoch), and the time limit;
///
/// so a run continued from a checkpoint with a larger budget goes on exactly as an uninterrupted run would,
/// and one continued with the same settings stops where it stopped.
///
/// In a data-parallel run (the method's ``IterativeMethod/communicator`` has several ranks) every rank runs
/// this loop on the same reduced numbers, so every rule but two holds on all ranks alike. The two that
/// read a rank's own clock or signals — the interruption and the time limit — are agreed on by one
/// all-reduce of two flags per iteration: one rank's request stops every rank at the same iteration.
public struct Minimizer<Method: IterativeMethod> {
  /// The method whose iterations the loop runs.
  public let method: Method
  /// The budget and the tolerances.
  public let stopping: StoppingCriteria

  /// The loop around `method`, stopping by `stopping`.
  public init(method: Method, stopping: StoppingCriteria) {
    self.method = method
    self.stopping = stopping
  }

  /// Minimizes from `start`, or continues `resume`.
  ///
  /// - Parameters:
  ///   - validation: θ ↦ validation loss, evaluated at the start and wherever θ moves with a summary
  ///     (every accepted step of the Gauss–Newton family, every epoch of a first-order solver).
  ///   - checkpointing: saves the run's state every so many iterations and when the run ends.
  ///   - interruption: polled between iterations; once requested, the run ends with `.interrupted`.
  ///   - observer: called with every summary (iteration 0 first; a resumed run's earlier ones first).
  public func minimize(
    from start: [Double], resume: RunState<Method.State>? = nil, validation: Validation? = nil,
    checkpointing: Checkpointing<Method.State>? = nil, interruption: Interruption? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    let session = Session(
      clock: Stopwatch(offset: resume?.elapsed ?? 0), validation: validation, checkpointing: checkpointing,
      observer: observer)
    var run: RunState<Method.State>
    var workspace: Method.Workspace
    if let resume {
      run = resume
      workspace = method.workspace(resuming: resume.method)
      for summary in run.history { observer?(summary) }
    } else {
      precondition(!start.isEmpty, "θ₀ is empty")
      var evaluations = EvaluationCounts()
      let started = method.start(at: start, evaluations: &evaluations)
      run = RunState(evaluations: evaluations, method: started.state)
      workspace = started.workspace
      report(started.summary, moved: started.isFinite, into: &run, session)
      guard started.isFinite else { return finish(&run, .nonFiniteStart, session) }
    }

    let communicator = method.communicator
    while true {
      var stopRequests: (interrupted: Bool, outOfTime: Bool)?
      if communicator.size > 1 {
        var flags: [Double] = [
          interruption?.isRequested == true ? 1 : 0,
          stopping.timeLimit.map { session.clock.elapsed >= $0 ? 1 : 0 } ?? 0,
        ]
        communicator.allreduceSum(&flags)
        stopRequests = (flags[0] > 0, flags[1] > 0)
      }
      if stopRequests?.interrupted ?? (interruption?.isRequested == true) {
        return finish(&run, .interrupted, session)
      }
      if run.validation.failures >= stopping.maximumValidationFailures {
        return finish(&run, .validationStop(run.validation.failures), session)
      }
      if let last = run.history.last,
        let termination = method.termination(of: run.method, workspace: workspace, stopping: stopping, last: last)
      {
        return finish(&run, termination, session)
      }
      if method.loss(of: run.method) <= stopping.goal { return finish(&run, .goalReached(stopping.goal), session) }
      if run.iteration >= stopping.maximumIterations { return closeAtBudget(&run, &workspace, session) }
      if let limit = stopping.timeLimit, stopRequests?.outOfTime ?? (session.clock.elapsed >= limit) {
        return finish(&run, .timeLimit(limit), session)
      }

      run.iteration += 1
      let outcome = method.iterate(
        &run.method, workspace: &workspace, iteration: run.iteration, budget: stopping.maximumIterations,
        stopping: stopping, evaluations: &run.evaluations)
      if !outcome.counted { run.iteration -= 1 }
      if let summary = outcome.summary { report(summary, moved: outcome.moved, into: &run, session) }
      if let termination = outcome.termination { return finish(&run, termination, session, at: outcome.result) }
      if let checkpointing, run.iteration % checkpointing.every == 0 {
        run.elapsed = session.clock.elapsed
        checkpointing.save(run)
      }
    }
  }

  /// What one call of ``minimize(from:resume:validation:checkpointing:interruption:observer:)`` carries.
  private struct Session {
    let clock: Stopwatch
    let validation: Validation?
    let checkpointing: Checkpointing<Method.State>?
    let observer: ((IterationSummary) -> Void)?
  }

  /// Records the validation loss where θ moved, stamps the time, keeps and passes on the summary.
  private func report(
    _ summary: IterationSummary, moved: Bool, into run: inout RunState<Method.State>, _ session: Session
  ) {
    var summary = summary
    if moved, let validation = session.validation {
      let parameters = method.parameters(of: run.method)
      run.validation.record(validation.loss(parameters), parameters: parameters, trainingLoss: summary.loss)
    }
    summary.validationLoss = run.validation.latest
    summary.time = session.clock.elapsed
    run.history.append(summary)
    session.observer?(summary)
  }

  /// Saves the final state and reports the result: the state's θ and f, the given point, or — after early
  /// stopping — the best validated point.
  private func finish(
    _ run: inout RunState<Method.State>, _ termination: Termination, _ session: Session,
    at point: (parameters: [Double], loss: Double)? = nil
  ) -> SolverResult {
    run.elapsed = session.clock.elapsed
    session.checkpointing?.save(run)
    var result = point ?? (method.parameters(of: run.method), method.loss(of: run.method))
    if case .validationStop = termination, !run.validation.bestParameters.isEmpty {
      result = (run.validation.bestParameters, run.validation.bestTrainingLoss)
    }
    return SolverResult(
      parameters: result.parameters, loss: result.loss, iterations: run.iteration, termination: termination,
      history: run.history, evaluations: run.evaluations, elapsed: run.elapsed)
  }

  /// The end of the budget. A partial epoch gets its summary — in the result, not in the saved state, which
  /// stays where an uninterrupted run with a larger budget continues from — and that summary may still stop
  /// the run early or reach the goal.
  private func closeAtBudget(
    _ run: inout RunState<Method.State>, _ workspace: inout Method.Workspace, _ session: Session
  ) -> SolverResult {
    let budget = Termination.maximumIterations(stopping.maximumIterations)
    var closed = run
    guard
      let outcome = method.closingSummary(
        of: run.method, workspace: &workspace, iteration: run.iteration, evaluations: &closed.evaluations)
    else { return finish(&run, budget, session) }
    if let summary = outcome.summary { report(summary, moved: outcome.moved, into: &closed, session) }
    let loss = outcome.summary?.loss ?? method.loss(of: run.method)
    var result = finish(&run, budget, session, at: (method.parameters(of: run.method), loss))
    result.history = closed.history
    result.evaluations = closed.evaluations
    if let termination = outcome.termination {
      result.termination = termination
      if let point = outcome.result { (result.parameters, result.loss) = point }
    } else if closed.validation.failures >= stopping.maximumValidationFailures,
      !closed.validation.bestParameters.isEmpty
    {
      result.termination = .validationStop(closed.validation.failures)
      (result.parameters, result.loss) = (closed.validation.bestParameters, closed.validation.bestTrainingLoss)
    } else if loss <= stopping.goal {
      result.termination = .goalReached(stopping.goal)
    }
    return result
  }
}

/// Seconds since a start, plus an offset carried over from earlier sessions of the same run.
struct Stopwatch {
  let clock = ContinuousClock()
  let started: ContinuousClock.Instant
  let offset: Double

  init(offset: Double = 0) {
    started = clock.now
    self.offset = offset
  }

  var elapsed: Double {
    let duration = clock.now - started
    return offset + Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }
}
