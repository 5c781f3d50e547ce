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
      least squares (mse) or use the generalized Gauss–Newton matrix (bce, ce). The summary of each epoch or \
      iteration goes to --history; the final report gives the training and validation loss and accuracy \
      (bce, ce) or R² (mse). --checkpoint saves the whole state every --checkpoint-every iterations and when \
      the run ends (also on SIGINT or SIGTERM); --resume continues from it and, with the same flags, ends bit \
      for bit where an uninterrupted run ends. The budget (--epochs, --max-iterations, --time-limit, --goal, \
      --patience) may change on resume, to extend or shorten a run; the settings that decide the trajectory \
      may not.
      """)

  @Option(help: "gd, sgd, minibatch, momentum, nesterov, adam, gauss-newton or levenberg-marquardt.")
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
  }

  func run() throws {
    // Every output is checked before the data is read, so that no run is lost to a mistyped folder.
    for path in [out, history, plot, checkpoint].compactMap({ $0 }) { try AtomicFile.checkWritable(path) }
    let setup = try TrainingSetup(options)
    let plan = options.plan(solver)
    if let problem = plan.incompatibility(with: setup.network) { throw ValidationError(problem.description + ".") }
    let m = setup.training.inputs.columns
    let budget = plan.iterationBudget(sampleCount: m)
    let perEpoch =
      solver.isFirstOrder
      ? (m + plan.effectiveBatchSize(sampleCount: m) - 1) / plan.effectiveBatchSize(sampleCount: m) : nil

    var resumeState: TrainingState?
    if let resume {
      let saved = try Checkpoint.contents(try ModelFile.read(path: resume), path: resume)
      if let mismatch = checkpointMismatch(saved, plan: plan, identity: setup.identity) {
        throw InputError(file: resume, mismatch)
      }
      resumeState = saved.state
    }
    var checkpointFailure: InputError?
    let checkpointing = checkpoint.map { path in
      TrainingCheckpointing(every: checkpointEvery) { state in
        do {
          let contents = CheckpointContents(plan: plan, identity: setup.identity, state: state)
          try Checkpoint.model(contents, base: setup.template).write(path: path)
        } catch {
          checkpointFailure = error as? InputError ?? InputError(file: path, "\(error)")
        }
      }
    }

    let table = output.format == .table && !quiet
    if output.format == .table {
      let validationCount = setup.validation?.inputs.columns ?? 0
      print(
        "\(setup.network.architecture), loss \(setup.network.loss) on \(options.data.data): \(m) training, \(validationCount) validation samples; \(describe(plan, m))"
      )
    }
    var logger = SolverLogger(stepControlName: stepControlName, showsTime: !noTiming)
    var progress = ProgressLine(
      quiet: quiet || output.format == .json, budget: budget, perEpoch: perEpoch, timeLimit: plan.timeLimit)
    // At most about 40 rows of epochs in the table; every iteration of the Gauss–Newton family.
    let every = perEpoch.map { max(1, (budget / $0) / 40) } ?? 1
    let signals = StopSignals()
    let trained: TrainingResult
    do {
      defer { signals.stop() }
      trained = try plan.run(
        network: setup.network, inputs: setup.training.inputs, targets: setup.training.targets,
        validation: setup.validation, resume: resumeState, checkpointing: checkpointing,
        interruption: signals.interruption
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
    if let checkpointFailure { throw checkpointFailure }
    let result = trained.solverResult
    if let number = signals.signalNumber {
      FileHandle.standardError.write(
        Data(
          "kktnet: \(describeTermination(result.termination, firstOrder: solver.isFirstOrder, checkpointed: checkpoint != nil))\n"
            .utf8))
      throw ExitCode(128 + number)
    }
    if result.termination == .nonFiniteStart {
      throw InputError(
        "the loss is not finite at the starting point (J = \(result.loss)); nothing was written; check the data, its standardization and the initial parameters"
      )
    }

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

    let report = TrainReport(setup: setup, solver: solver, result: result, out: out, checkpointed: checkpoint != nil)
    switch output.format {
    case .json: try printJSON(report)
    case .table: print(report.text(timing: !noTiming))
    }
  }

  var stepControlName: String {
    solver.isFirstOrder
      ? "η" : solver == .gaussNewton ? "step" : options.secondOrder.damping == .trustRegion ? "Δ" : "μ"
  }

  func describe(_ plan: TrainingPlan, _ m: Int) -> String {
    if plan.solver.isFirstOrder {
      return
        "\(plan.solver), η = \(plan.effectiveLearningRate), batch \(plan.effectiveBatchSize(sampleCount: m)), \(plan.iterationBudget(sampleCount: m)) updates"
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
    return plot
  }
}

/// The final report of a training run.
struct TrainReport: Encodable {
  let solver: String
  let finalLoss: Double
  let validationLoss: Double?
  let trainingMetric: Double
  let validationMetric: Double?
  let metricName: String
  let iterations: Int
  let epochs: Int?
  let termination: String
  let terminationMessage: String
  let functionEvaluations: Int
  let jacobianEvaluations: Int
  let wallTime: Double
  let out: String?
  let history: [IterationSummary]

  init(setup: TrainingSetup, solver: SolverKind, result: SolverResult, out: String?, checkpointed: Bool) {
    self.solver = solver.rawValue
    finalLoss = result.loss
    let network = setup.network
    validationLoss = setup.validation.map { dataLoss(network, result.parameters, $0) }
    let training = metric(network, result.parameters, setup.training)
    metricName = training.name
    trainingMetric = training.value
    validationMetric = setup.validation.map { metric(network, result.parameters, $0).value }
    iterations = result.iterations
    epochs = result.history.last?.epoch
    termination = result.termination.name
    terminationMessage = describeTermination(
      result.termination, firstOrder: solver.isFirstOrder, checkpointed: checkpointed)
    functionEvaluations = result.functionEvaluations
    jacobianEvaluations = result.jacobianEvaluations
    wallTime = result.elapsed
    self.out = out
    history = result.history
  }

  func text(timing: Bool) -> String {
    var lines = ["", terminationMessage]
    lines.append("training loss    \(decimal(finalLoss))   \(metricName) \(formatMetric(trainingMetric))")
    if let validationLoss, let validationMetric {
      lines.append("validation loss  \(decimal(validationLoss))   \(metricName) \(formatMetric(validationMetric))")
    }
    lines.append(
      "\(iterations) iterations\(epochs.map { ", \($0) epochs" } ?? ""), \(functionEvaluations) loss and \(jacobianEvaluations) gradient/Jacobian evaluations"
        + (timing ? ", \(String(format: "%.3f", wallTime)) s" : ""))
    if let out { lines.append("wrote \(out)") }
    return lines.joined(separator: "\n")
  }

  func formatMetric(_ value: Double) -> String {
    metricName == "accuracy" ? String(format: "%.2f%%", 100 * value) : String(format: "%.4f", value)
  }

  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: AnyKey.self)
    try c.encode(solver, forKey: "solver")
    try c.encode(finalLoss, forKey: "final_loss")
    try c.encode(validationLoss, forKey: "validation_loss")
    try c.encode(trainingMetric, forKey: "training_\(metricName)")
    try c.encode(validationMetric, forKey: "validation_\(metricName)")
    try c.encode(iterations, forKey: "iterations")
    try c.encodeIfPresent(epochs, forKey: "epochs")
    try c.encode(termination, forKey: "termination")
    try c.encode(terminationMessage, forKey: "termination_message")
    try c.encode(functionEvaluations, forKey: "function_evaluations")
    try c.encode(jacobianEvaluations, forKey: "jacobian_evaluations")
    try c.encode(wallTime, forKey: "wall_time_s")
    try c.encodeIfPresent(out, forKey: "out")
    try c.encode(history, forKey: "history")
  }
}
