import ArgumentParser
import Foundation
import KKTNet
import Solvers

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a network on a CSV dataset with a first-order or a Gauss–Newton-type solver.",
    discussion: """
      Every gradient comes from the Lagrangian's passes. First-order solvers (gd, sgd, minibatch, momentum, \
      nesterov, adam) run epochs of seeded, shuffled mini-batches; gauss-newton and levenberg-marquardt solve \
      least squares (mse) or use the generalized Gauss–Newton matrix (bce, ce); bayesian-regularization is LM \
      on βE_D + αE_W with α, β from the evidence (mse, MacKay 1992), --robust a robust loss for mse. The summary of each epoch or \
      iteration goes to --history; the final report gives the training and validation loss and accuracy \
      (bce, ce) or R² (mse). --checkpoint saves the whole state every --checkpoint-every iterations and when \
      the run ends (also on SIGINT or SIGTERM); --resume continues from it and, with the same flags, ends bit \
      for bit where an uninterrupted run ends. The budget (--epochs, --max-iterations, --time-limit, --goal, \
      --patience) may change on resume, to extend or shorten a run; the settings that decide the trajectory \
      may not.
      """)

  @Option(
    help:
      "gd, sgd, minibatch, momentum, nesterov, adam, gauss-newton, levenberg-marquardt or bayesian-regularization (trainbr: LM on βE_D + αE_W, γ reported)."
  )
  var solver: SolverKind = .adam

  @OptionGroup var options: TrainingOptions

  @Option(help: "Write the trained model here (atomically).")
  var out: String?

  @Option(help: "Write the summaries here: JSON lines for .jsonl or .json, CSV otherwise.")
  var history: String?

  @Option(help: "Write the training and validation loss curves here as SVG.")
  var plot: String?

  @Option(help: "Save the training state to this file (a model file that --resume reads).")
  var checkpoint: String?

  @Option(help: "Iterations (updates) between checkpoints.")
  var checkpointEvery: Int = 100

  @Option(help: "Continue from this checkpoint; give the same flags as the run that wrote it (the budget may differ).")
  var resume: String?

  @Flag(help: "No per-iteration table and no progress line.")
  var quiet = false

  @Flag(help: "Leave wall-clock times out of the table and the report, so that the output is the same on every run.")
  var noTiming = false

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1, not \(checkpointEvery).") }
    if let plot, !plot.lowercased().hasSuffix(".svg") {
      throw ValidationError("--plot writes SVG: give a file name ending in .svg.")
    }
    try options.validate(for: solver)
  }

  func run() throws {
    // Everything before the solver starts, agreed on by the ranks of a data-parallel run.
    let (setup, plan, resumeState) = try DataParallel.agreeing { try prepare() }
    try train(setup, plan, resumeState)
  }

  /// The paths checked, the data read, the plan and the state to resume.
  func prepare() throws -> (TrainingSetup, TrainingPlan, TrainingState?) {
    // Every path is checked before the data is read, so that no run is lost to a mistyped folder or an
    // output that would overwrite an input.
    try RunFiles(
      inputs: [
        ("--model", options.model.model), ("--data", options.data.data),
        ("--validation", options.preparation.validation), ("--resume", resume),
      ],
      outputs: [("--out", out), ("--history", history), ("--plot", plot), ("--checkpoint", checkpoint)]
    ).check()
    let setup = try TrainingSetup.make(options)
    let plan = options.plan(solver)
    if let problem = plan.incompatibility(with: setup.network) {
      let flag = problem == .robustNeedsLeastSquares(setup.network.loss) ? "--robust: " : ""
      throw ValidationError(flag + problem.description + ".")
    }
    let m = setup.trainingSampleCount
    try checkMemory(setup, plan)
    var resumeState: TrainingState?
    if let resume {
      let saved = try Checkpoint.contents(try ModelFile.read(path: resume), path: resume)
      if let mismatch = checkpointMismatch(saved, plan: plan, identity: setup.identity) {
        throw InputError(file: resume, mismatch)
      }
      do { try saved.state.validate(plan: plan, network: setup.network, sampleCount: m) } catch {
        throw InputError(file: resume, error.description)
      }
      resumeState = saved.state
    }
    return (setup, plan, resumeState)
  }

  /// Trains, reports and writes the outputs (on rank 0 alone, with `kktnet-mpi`).
  func train(_ setup: TrainingSetup, _ plan: TrainingPlan, _ resumeState: TrainingState?) throws {
    let m = setup.trainingSampleCount
    let budget = plan.iterationBudget(sampleCount: m)
    let perEpoch =
      solver.isFirstOrder
      ? (m + plan.effectiveBatchSize(sampleCount: m) - 1) / plan.effectiveBatchSize(sampleCount: m) : nil
    // Checkpoints after iterations are written as they come; one at iteration 0 (the run's end before its
    // first step) only once the run is known to have started: a run that cannot start writes nothing.
    var checkpointFailure: InputError?
    var pendingStart: TrainingState?
    func save(_ state: TrainingState, to path: String) {
      guard DataParallel.writesOutput else { return }
      do {
        let contents = CheckpointContents(plan: plan, identity: setup.identity, state: state)
        try Checkpoint.model(contents, base: setup.template).write(path: path)
      } catch {
        checkpointFailure = error as? InputError ?? InputError(file: path, "\(error)")
      }
    }
    let checkpointing = checkpoint.map { path in
      TrainingCheckpointing(every: checkpointEvery) { state in
        if state.iteration == 0 { pendingStart = state } else { save(state, to: path) }
      }
    }

    let table = output.format == .table && !quiet
    if output.format == .table {
      let validationCount = setup.validationSampleCount
      print(
        "\(setup.network.architecture), loss \(setup.network.loss) on \(options.data.data): \(m) training, \(validationCount) validation samples; \(describe(plan, m))"
      )
      if let line = standardizationLine(setup) { print(line) }
    }
    var logger = SolverLogger(stepControlName: stepControlName, showsTime: !noTiming)
    var progress = ProgressLine(
      quiet: quiet || output.format == .json || !DataParallel.writesOutput, budget: budget, perEpoch: perEpoch,
      timeLimit: plan.timeLimit)
    // At most about 40 rows of epochs in the table; every iteration of the Gauss–Newton family.
    let every = perEpoch.map { max(1, (budget / $0) / 40) } ?? 1
    let signals = StopSignals()
    let trained: TrainingResult
    do {
      defer { signals.stop() }
      trained = try plan.run(
        network: setup.network, inputs: setup.training.inputs, targets: setup.training.targets,
        validation: setup.validation, resume: resumeState, checkpointing: checkpointing,
        interruption: signals.interruption, communicator: DataParallel.communicator,
        trainingOffset: setup.placement?.trainingOffset ?? 0
      ) { summary in
        progress.update(summary)
        if table && (summary.epoch.map { $0 % every == 0 || summary.iteration >= budget } ?? true) {
          progress.finish()
          logger.log(summary)
        }
      }
    } catch {
      throw ValidationError(error.description + ".")
    }
    progress.finish()
    let result = trained.solverResult
    if result.termination == .nonFiniteStart {
      let where_ = startDiagnosis(setup)
      throw InputError(
        "the loss is not finite at the starting point (J = \(result.loss))\(where_); nothing was written; check the data, its standardization and the initial parameters"
      )
    }
    if let pendingStart, let path = checkpoint { save(pendingStart, to: path) }
    // Rank 0 alone writes checkpoints: its failure is every rank's.
    try DataParallel.agreeing { if let checkpointFailure { throw checkpointFailure } }
    // With several ranks the interruption is agreed on, though the signal may have reached one of them.
    if signals.signalNumber != nil || result.termination == .interrupted {
      if DataParallel.writesOutput {
        FileHandle.standardError.write(
          Data(
            "kktnet: \(describeTermination(result.termination, firstOrder: solver.isFirstOrder, checkpointed: checkpoint != nil))\n"
              .utf8))
      }
      throw ExitCode(128 + (signals.signalNumber ?? SIGINT))
    }

    let report = try TrainReport(
      setup: setup, solver: solver, result: result, out: out, checkpointed: checkpoint != nil)
    guard DataParallel.writesOutput else { return }
    var model = setup.template
    model.network = trained.network
    if let out { try model.write(path: out) }
    if let path = history {
      let lower = path.lowercased()
      try AtomicFile.write(
        lower.hasSuffix(".jsonl") || lower.hasSuffix(".json")
          ? HistoryFile.jsonLines(result.history) : HistoryFile.csv(result.history),
        to: path)
    }
    if let path = plot { try AtomicFile.write(lossPlot(result).rendered, to: path) }

    switch output.format {
    case .json: try printJSON(report)
    case .table: print(report.text(timing: !noTiming))
    }
  }

  /// Checks that the run fits in memory: the solver's buffers (``TrainingPlan/memoryEstimate(network:sampleCount:validationSampleCount:distributed:)``),
  /// the report's passes over the data, and a checkpoint's copies of the state.
  func checkMemory(_ setup: TrainingSetup, _ plan: TrainingPlan) throws {
    let architecture = setup.network.architecture
    let m = setup.training.inputs.columns  // this rank's share: what this process allocates
    let v = setup.validation?.inputs.columns ?? 0
    let distributed = DataParallel.communicator.size > 1
    let solverBytes = MemoryEstimate(
      bytes: plan.memoryEstimate(
        network: setup.network, sampleCount: m, validationSampleCount: v, distributed: distributed))
    let report = MemoryEstimate.workspace(architecture, sampleCount: max(m, v))
    let saving = checkpoint == nil ? .zero : 16 * MemoryEstimate.parameters(architecture)
    let dual = plan.usesDualSystem(network: setup.network, sampleCount: m, distributed: distributed)
    let shortQR =
      dual && !distributed && solver == .levenbergMarquardt
      && plan.effectiveDamping(network: setup.network, sampleCount: m) == .trustRegion
    try (solverBytes + report + saving).check(
      "\(solver) on a \(quoted(architecture.layerSizes.map(String.init).joined(separator: "-"))) network with \(m) samples",
      shortQR
        ? "for its QR trust region's P × P factors"
        : dual
          ? "for its M × M dual systems"
          : solver.isFirstOrder ? "for its workspaces" : "for its P × P normal matrices")
  }

  /// Where the starting loss stops being finite: the first layer of the forward pass that overflows.
  func startDiagnosis(_ setup: TrainingSetup) -> String {
    let lagrangian = Lagrangian(network: setup.network, inputs: setup.training.inputs, targets: setup.training.targets)
    let z = lagrangian.preActivations(parameters: setup.network.parameters)
    if let (k, _) = Finiteness.firstNonFinite(z, order: Array(1...lagrangian.layerCount)) {
      return ": the forward pass overflows in layer \(k)"
    }
    return ": the loss or the penalty overflows"
  }

  /// With a start model, which standardization the run uses, for the table's header.
  func standardizationLine(_ setup: TrainingSetup) -> String? {
    guard options.model.model != nil else { return nil }
    func said(_ source: StandardizationSource, _ what: String) -> String {
      switch source {
      case .none: return "\(what) as they are"
      case .model: return "\(what) standardized with the model's statistics"
      case .fitted: return "\(what) standardized with statistics fitted to the training data"
      }
    }
    return
      "standardization: \(said(setup.inputStandardization, "inputs")), \(said(setup.targetStandardization, "targets"))"
  }

  var stepControlName: String {
    if solver.isConstrained { return options.plan(solver).stepControlName }
    return solver.isFirstOrder
      ? "η"
      : solver == .gaussNewton
        ? "step"
        : solver == .bayesianRegularization || options.secondOrder.damping == .trustRegion ? "Δ" : "μ"
  }

  func describe(_ plan: TrainingPlan, _ m: Int) -> String {
    if plan.solver.isFirstOrder {
      return
        "\(plan.solver), η = \(plan.effectiveLearningRate), batch \(plan.effectiveBatchSize(sampleCount: m)), \(plan.iterationBudget(sampleCount: m)) updates"
    }
    if plan.solver == .admm {
      return "admm (dlADMM), ρ₀ = \(plan.rho ?? 1e-6), up to \(plan.iterationBudget(sampleCount: m)) iterations"
    }
    if plan.solver.isConstrained {
      return
        "\(plan.solver), \(plan.solver == .penalty ? "μ₀" : "ρ₀") = \(plan.rho ?? 100), growth \(plan.rhoGrowth ?? 10), \(plan.innerIterations ?? 5) inner steps, up to \(plan.iterationBudget(sampleCount: m)) outer iterations"
    }
    return "\(plan.solver), up to \(plan.iterationBudget(sampleCount: m)) iterations"
  }

  func lossPlot(_ result: SolverResult) -> SVGPlot {
    let firstOrder = solver.isFirstOrder
    var plot = SVGPlot(
      title: "\(solver) on \(URL(fileURLWithPath: options.data.data).lastPathComponent)",
      xLabel: firstOrder ? "epoch" : "iteration", yLabel: "loss")
    let x = { (s: IterationSummary) in Double(firstOrder ? (s.epoch ?? 0) : s.iteration) }
    plot.series.append(.init(name: "training loss", points: result.history.map { (x($0), $0.loss) }, dashed: false))
    let validation = result.history.compactMap { s in s.validationLoss.map { (x(s), $0) } }
    if !validation.isEmpty { plot.series.append(.init(name: "validation loss", points: validation, dashed: true)) }
    // Training through the constraints: maxₖ‖cᵏ‖∞ beside the loss (the axis is logarithmic; the start's 0 is
    // left out).
    let residual = result.history.compactMap { s in s.constraintResidual.map { (x(s), $0) } }
    if !residual.isEmpty {
      plot.series.append(.init(name: "constraint residual ‖c‖∞", points: residual, dashed: true))
      plot.yLabel = "loss, ‖c‖∞"
    }
    return plot
  }
}
