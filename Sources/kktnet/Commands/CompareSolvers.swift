import ArgumentParser
import Foundation
import KKTNet
import Solvers

struct CompareSolvers: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare-solvers",
    abstract: "Train one network from one start with several solvers under the same budget, and compare them.",
    discussion: """
      Every solver starts from the same initial network, data split and standardization, with the same \
      budget (--epochs/--max-iterations and/or --time-limit). The table gives each solver's final training \
      and validation loss, accuracy (bce, ce) or R² (mse), iterations, loss and gradient/Jacobian \
      evaluations and wall time; --plot draws every training loss curve against wall time.
      """)

  @Option(
    help:
      "Comma-separated solvers: gd, sgd, minibatch, momentum, nesterov, adam, gauss-newton, levenberg-marquardt, bayesian-regularization, augmented-lagrangian, penalty."
  )
  var solvers: String = "gd,adam,levenberg-marquardt"

  @OptionGroup var options: TrainingOptions

  @Option(help: "Write the loss curves against wall time here as SVG.")
  var plot: String?

  @OptionGroup var output: OutputOptions

  var kinds: [SolverKind] {
    solvers.split(separator: ",").compactMap { SolverKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
  }

  func validate() throws {
    let names = solvers.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    for name in names where SolverKind(rawValue: name) == nil {
      throw ValidationError(
        "unknown solver '\(quoted(name))'; expected \(SolverKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    if Set(names).count != names.count { throw ValidationError("--solvers names a solver twice.") }
    if let plot, !plot.lowercased().hasSuffix(".svg") {
      throw ValidationError("--plot writes SVG: give a file name ending in .svg.")
    }
    for kind in kinds { try options.validate(for: kind) }
  }

  func run() throws {
    let setup = try DataParallel.agreeing { try prepare() }
    try compare(setup)
  }

  /// The paths checked, the data read, every solver's plan checked against the network and the memory.
  func prepare() throws -> TrainingSetup {
    try RunFiles(
      inputs: [
        ("--model", options.model.model), ("--data", options.data.data),
        ("--validation", options.preparation.validation),
      ],
      outputs: [("--plot", plot)]
    ).check()
    let setup = try TrainingSetup.make(options)
    let m = setup.training.inputs.columns  // this rank's share: what this process allocates
    let v = setup.validation?.inputs.columns ?? 0
    let architecture = setup.network.architecture
    for kind in kinds {
      let plan = options.plan(kind)
      if let problem = plan.incompatibility(with: setup.network) {
        throw ValidationError("\(kind): \(problem).")
      }
      try
        (MemoryEstimate(
          bytes: plan.memoryEstimate(
            network: setup.network, sampleCount: m, validationSampleCount: v,
            distributed: DataParallel.communicator.size > 1))
        + MemoryEstimate.workspace(architecture, sampleCount: max(m, v))).check(
          "\(kind) on a \(quoted(architecture.layerSizes.map(String.init).joined(separator: "-"))) network with \(m) samples",
          "for its solver's buffers")
    }
    return setup
  }

  /// Runs every solver and reports (on rank 0 alone, with `kktnet-mpi`).
  func compare(_ setup: TrainingSetup) throws {
    var rows: [CompareSolversReport.Row] = []
    var curves = SVGPlot(
      title:
        "\(setup.network.architecture.layerSizes.map(String.init).joined(separator: "-")) on \(URL(fileURLWithPath: options.data.data).lastPathComponent)",
      xLabel: "wall time (s)", yLabel: "training loss")
    for kind in kinds {
      let result: SolverResult
      do {
        result = try options.plan(kind).run(
          network: setup.network, inputs: setup.training.inputs, targets: setup.training.targets,
          validation: setup.validation, communicator: DataParallel.communicator,
          trainingOffset: setup.placement?.trainingOffset ?? 0
        ).solverResult
      } catch {
        throw ValidationError("\(kind): \(error).")
      }
      if result.termination == .nonFiniteStart {
        throw InputError(
          "the loss is not finite at the starting point (J = \(result.loss)); check the data, its standardization and the initial parameters"
        )
      }
      let validationLoss = setup.validation.map { dataLoss(setup.network, result.parameters, $0) }
      guard result.loss.isFinite && (validationLoss?.isFinite ?? true) else {
        throw InputError("\(kind): the validation loss is not finite at the trained parameters")
      }
      let training = metric(setup.network, result.parameters, setup.training)
      // Bayesian regularization minimizes F = βE_D + αE_W; its row gives the mse loss, as the others'.
      let finalLoss =
        kind == .bayesianRegularization ? dataLoss(setup.network, result.parameters, setup.training) : result.loss
      rows.append(
        .init(
          solver: kind.rawValue, finalLoss: finalLoss,
          validationLoss: validationLoss,
          metric: training.name,
          trainingMetric: training.value.isFinite ? training.value : nil,
          validationMetric: setup.validation.map { metric(setup.network, result.parameters, $0).value }.flatMap {
            $0.isFinite ? $0 : nil
          },
          iterations: result.iterations, functionEvaluations: result.functionEvaluations,
          jacobianEvaluations: result.jacobianEvaluations, wallTime: result.elapsed,
          termination: result.termination.name,
          history: result.history))
      curves.series.append(.init(name: kind.rawValue, points: result.history.map { ($0.time, $0.loss) }, dashed: false))
    }
    guard DataParallel.writesOutput else { return }
    if let plot { try AtomicFile.write(curves.rendered, to: plot) }
    switch output.format {
    case .json:
      try printJSON(CompareSolversReport(rows: rows))
    case .table:
      let metricName = rows.first?.metric ?? "metric"
      var table = Table(
        "solver", "train loss", "val loss", "train \(metricName)", "val \(metricName)", "iterations", "f evals",
        "∇/J evals", "time s", "stopped by")
      for row in rows {
        let show = { (v: Double?) in
          v.map { metricName == "accuracy" ? String(format: "%.2f%%", 100 * $0) : String(format: "%.4f", $0) }
            ?? "undefined"
        }
        table.append(
          row.solver, String(format: "%.4e", row.finalLoss),
          row.validationLoss.map { String(format: "%.4e", $0) } ?? "-",
          show(row.trainingMetric), row.validationLoss == nil ? "-" : show(row.validationMetric), "\(row.iterations)",
          "\(row.functionEvaluations)",
          "\(row.jacobianEvaluations)", String(format: "%.3f", row.wallTime), row.termination)
      }
      print(table.rendered)
      if let plot { print("wrote \(plot)") }
    }
  }
}

struct CompareSolversReport: Encodable {
  struct Row: Encodable {
    let solver: String
    let finalLoss: Double
    let validationLoss: Double?
    let metric: String
    let trainingMetric: Double?
    let validationMetric: Double?
    let iterations: Int
    let functionEvaluations: Int
    let jacobianEvaluations: Int
    let wallTime: Double
    let termination: String
    let history: [IterationSummary]

    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: AnyKey.self)
      try c.encode(solver, forKey: "solver")
      try c.encode(finalLoss, forKey: "final_loss")
      try c.encode(validationLoss, forKey: "validation_loss")
      try c.encode(trainingMetric, forKey: "training_\(metric)")
      try c.encode(validationMetric, forKey: "validation_\(metric)")
      try c.encode(iterations, forKey: "iterations")
      try c.encode(functionEvaluations, forKey: "function_evaluations")
      try c.encode(jacobianEvaluations, forKey: "jacobian_evaluations")
      try c.encode(wallTime, forKey: "wall_time_s")
      try c.encode(termination, forKey: "termination")
      try c.encode(history, forKey: "history")
    }
  }

  let rows: [Row]

  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: AnyKey.self)
    try c.encode(rows, forKey: "solvers")
  }
}
