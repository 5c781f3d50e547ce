import KKTNet

extension TrainingState {
  /// Checks that this saved state can continue `plan` on `network` with m training samples — that it is
  /// a state such a run could have saved, whatever was edited in the file that held it:
  ///
  /// - the solver's kind (Levenberg–Marquardt, Gauss–Newton, first-order) and, for a first-order run, the
  ///   step rule's state (none, a velocity, Adam's two moments) match the plan;
  /// - θ and every P-vector (the epoch's start, the moments, the scaling, the best validated θ) have P
  ///   entries, all finite; the loss is finite;
  /// - the counters are in range: iterations, evaluations and failures not negative; for a first-order
  ///   run the batch within the epoch below the data's ⌈m/B⌉ batches per epoch and the iterations equal to
  ///   epochs·⌈m/B⌉ + batch (the counters a run keeps); a cosine horizon of at least 1; the damping μ
  ///   positive and finite; the time spent finite and not negative; the history's iterations within the
  ///   run's.
  ///
  /// - Throws: ``TrainingError/stateMismatch(_:)`` with a sentence naming the first field that is wrong.
  public func validate(plan: TrainingPlan, network: Network, sampleCount m: Int) throws(TrainingError) {
    let p = network.architecture.parameterCount
    func fail(_ sentence: String) -> TrainingError { .stateMismatch("the saved state is damaged: " + sentence) }
    func vector(_ values: [Double], _ name: String, allowEmpty: Bool = false) throws(TrainingError) {
      guard values.count == p || (allowEmpty && values.isEmpty) else {
        throw fail("\(name) has \(values.count) values, the network \(p) parameters")
      }
      guard values.allSatisfy(\.isFinite) else { throw fail("\(name) holds a value that is not finite") }
    }
    func counters(
      iteration: Int, evaluations: EvaluationCounts, history: [IterationSummary], validation: ValidationRecord,
      elapsed: Double
    ) throws(TrainingError) {
      guard (0...Self.counterLimit).contains(iteration) else { throw fail("the iteration count is \(iteration)") }
      guard (0...Self.counterLimit).contains(evaluations.function),
        (0...Self.counterLimit).contains(evaluations.jacobian)
      else { throw fail("an evaluation count is out of range") }
      guard elapsed >= 0 && elapsed.isFinite else { throw fail("the time spent is \(elapsed) s") }
      if let summary = history.first(where: { !(0...iteration).contains($0.iteration) }) {
        throw fail("the history holds iteration \(summary.iteration) of a run at iteration \(iteration)")
      }
      guard (0...Self.counterLimit).contains(validation.failures) else {
        throw fail("the count of validation failures is \(validation.failures)")
      }
      guard !validation.best.isNaN else { throw fail("the best validation loss is not a number") }
      try vector(validation.bestParameters, "the best validated θ", allowEmpty: true)
    }

    switch self {
    case .levenbergMarquardt(let run):
      guard plan.solver == .levenbergMarquardt else { throw wrongKind("levenberg-marquardt", plan) }
      try counters(
        iteration: run.iteration, evaluations: run.evaluations, history: run.history, validation: run.validation,
        elapsed: run.elapsed)
      switch run.method {
      case .schedule(let state):
        guard plan.damping != .trustRegion else { throw fail("it is a damping schedule's, the plan a trust region's") }
        try vector(state.parameters, "θ")
        guard state.loss.isFinite else { throw fail("the loss is not finite") }
        try vector(state.descent, "the scaling d")
        guard state.descent.allSatisfy({ $0 > 0 }) else { throw fail("the scaling d is not positive") }
        let search = state.search
        guard search.damping > 0 && search.damping.isFinite && search.growth >= 1 && search.growth.isFinite else {
          throw fail("the damping μ = \(search.damping) (growth \(search.growth)) is out of range")
        }
      case .trustRegion(let state):
        guard plan.damping == .trustRegion else { throw fail("it is a trust region's, the plan a damping schedule's") }
        try vector(state.parameters, "θ")
        guard state.loss.isFinite else { throw fail("the loss is not finite") }
        let region = state.region.state
        try vector(region.scaling, "the scaling D")
        guard region.scaling.allSatisfy({ $0 > 0 }) else { throw fail("the scaling D is not positive") }
        guard region.radius > 0 && region.radius.isFinite else { throw fail("the radius Δ = \(region.radius)") }
        guard region.damping >= 0 && region.damping.isFinite else { throw fail("λ = \(region.damping)") }
        guard region.acceptedSteps >= 0 && region.rejectedSteps >= 0 else { throw fail("a step count is negative") }
      }
    case .bayesianRegularization(let run):
      guard plan.solver == .bayesianRegularization else { throw wrongKind("bayesian-regularization", plan) }
      try counters(
        iteration: run.iteration, evaluations: run.evaluations, history: run.history, validation: run.validation,
        elapsed: run.elapsed)
      let state = run.method.trustRegion
      try vector(state.parameters, "θ")
      guard state.loss.isFinite else { throw fail("the loss is not finite") }
      let region = state.region.state
      try vector(region.scaling, "the scaling D")
      guard region.scaling.allSatisfy({ $0 > 0 }) else { throw fail("the scaling D is not positive") }
      guard region.radius > 0 && region.radius.isFinite else { throw fail("the radius Δ = \(region.radius)") }
      guard region.damping >= 0 && region.damping.isFinite else { throw fail("λ = \(region.damping)") }
      let h = run.method.hyperparameters
      guard h.alpha >= 0 && h.alpha.isFinite && h.beta > 0 && h.beta.isFinite && h.effectiveParameters.isFinite else {
        throw fail("α = \(h.alpha), β = \(h.beta) are out of range")
      }
    case .constrained(let run):
      guard plan.solver.isConstrained else { throw wrongKind("a constrained trainer", plan) }
      try counters(
        iteration: run.iteration, evaluations: run.evaluations, history: run.history, validation: run.validation,
        elapsed: run.elapsed)
      let state = run.method
      try vector(state.parameters, "θ")
      guard state.loss.isFinite else { throw fail("the loss is not finite") }
      let sizes = network.architecture.layerSizes
      let hidden = sizes.count - 2
      guard state.states.count == hidden && state.multipliers.count == hidden else {
        throw fail("it holds \(state.states.count) layers of states, the network \(hidden) hidden layers")
      }
      for k in 0..<hidden {
        guard state.states[k].count == sizes[k + 1] * m && state.multipliers[k].count == sizes[k + 1] * m else {
          throw fail("the states of layer \(k + 1) are not \(sizes[k + 1]) × \(m)")
        }
        guard state.states[k].allSatisfy(\.isFinite) && state.multipliers[k].allSatisfy(\.isFinite) else {
          throw fail("the states or multipliers of layer \(k + 1) hold a value that is not finite")
        }
      }
      guard state.rho > 0 && state.rho.isFinite else { throw fail("ρ = \(state.rho) is out of range") }
      guard state.damping >= 0 && state.damping.isFinite && state.dampingGrowth >= 1 && state.dampingGrowth.isFinite,
        state.residual >= 0 && state.residual.isFinite
      else { throw fail("the damping μ = \(state.damping) or the residual is out of range") }
    case .admm(let run):
      guard plan.solver == .admm else { throw wrongKind("admm", plan) }
      try counters(
        iteration: run.iteration, evaluations: run.evaluations, history: run.history, validation: run.validation,
        elapsed: run.elapsed)
      let state = run.method
      try vector(state.parameters, "θ")
      guard state.loss.isFinite else { throw fail("the loss is not finite") }
      let sizes = network.architecture.layerSizes
      let layers = sizes.count - 1
      guard state.preActivations.count == layers && state.activations.count == layers - 1,
        state.multiplier.count == sizes[layers] * m,
        (0..<layers).allSatisfy({ state.preActivations[$0].count == sizes[$0 + 1] * m }),
        (0..<(layers - 1)).allSatisfy({ state.activations[$0].count == sizes[$0 + 1] * m }),
        (state.preActivations + state.activations + [state.multiplier, state.costs]).allSatisfy({
          $0.allSatisfy(\.isFinite)
        })
      else { throw fail("the free variables do not fit the network and the data, or are not finite") }
      guard state.rho > 0 && state.rho.isFinite && state.tau > 0 && state.tau.isFinite && state.curvature > 0,
        state.curvature.isFinite, state.costs.count <= 4
      else { throw fail("ρ = \(state.rho), τ or θ is out of range") }
    case .gaussNewton(let run):
      guard plan.solver == .gaussNewton else { throw wrongKind("gauss-newton", plan) }
      try counters(
        iteration: run.iteration, evaluations: run.evaluations, history: run.history, validation: run.validation,
        elapsed: run.elapsed)
      try vector(run.method.parameters, "θ")
      guard run.method.loss.isFinite else { throw fail("the loss is not finite") }
    case .firstOrder(let run):
      guard plan.solver.isFirstOrder else { throw wrongKind("a first-order solver", plan) }
      try counters(
        iteration: run.iteration, evaluations: run.evaluations, history: run.history, validation: run.validation,
        elapsed: run.elapsed)
      let state = run.method
      try vector(state.parameters, "θ")
      try vector(state.epochStart, "θ at the epoch's start")
      guard state.loss.isFinite else { throw fail("the loss is not finite") }
      guard state.gradientNormSum >= 0 && state.gradientNormSum.isFinite else {
        throw fail("the sum of gradient norms is \(state.gradientNormSum)")
      }
      let batch = max(plan.effectiveBatchSize(sampleCount: m), 1)
      let perEpoch = m / batch + (m % batch == 0 ? 0 : 1)
      guard state.epoch >= 0 else { throw fail("the epoch is \(state.epoch)") }
      guard (0..<perEpoch).contains(state.batchInEpoch) else {
        throw fail(
          "the batch within the epoch is \(state.batchInEpoch), but the data has \(perEpoch) batches per epoch")
      }
      let (updates, overflow1) = state.epoch.multipliedReportingOverflow(by: perEpoch)
      let (expected, overflow2) = updates.addingReportingOverflow(state.batchInEpoch)
      guard !overflow1 && !overflow2 && expected == run.iteration else {
        throw fail(
          "epoch \(state.epoch) and batch \(state.batchInEpoch) of \(perEpoch) do not make iteration \(run.iteration)")
      }
      if let horizon = state.horizon, horizon < 1 { throw fail("the cosine horizon is \(horizon)") }
      switch (plan.solver, state.step) {
      case (.momentum, .velocity(let v)), (.nesterov, .velocity(let v)):
        try vector(v, "the velocity")
      case (.adam, .moments(let first, let second)):
        try vector(first, "Adam's first moment")
        try vector(second, "Adam's second moment")
        guard second.allSatisfy({ $0 >= 0 }) else { throw fail("Adam's second moment is negative") }
      case (.gradientDescent, .none), (.stochastic, .none), (.miniBatch, .none):
        break
      default:
        throw fail("the step rule's state does not belong to \(plan.solver)")
      }
    }
  }

  /// 2⁵³: more iterations or evaluations than any run makes, and far from overflowing when counted on.
  static let counterLimit = 1 << 53

  private func wrongKind(_ saved: String, _ plan: TrainingPlan) -> TrainingError {
    .stateMismatch("the saved state belongs to \(saved), not to \(plan.solver)")
  }
}
