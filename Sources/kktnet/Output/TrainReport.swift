import Foundation
import KKTNet
import Solvers

/// The final report of a training run. Its losses are checked finite (a run that could not start, or a
/// validation loss that overflows, fails with a sentence); a metric that is not defined — R² over a
/// single sample — is reported as such (null), not as a number.
struct TrainReport: Encodable {
  let solver: String
  let finalLoss: Double
  let validationLoss: Double?
  let trainingMetric: Double?
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
  let standardization: [String: StandardizationSource]
  let history: [IterationSummary]
  /// Bayesian regularization: F = βE_D + αE_W at the end, and the last γ, α, β.
  let evidence: (objective: Double, gamma: Double, alpha: Double, beta: Double, parameterCount: Int)?
  /// Training through the constraints: maxₖ‖cᵏ‖∞, the multiplier gap and the relaxed objective L_ρ of the
  /// iteration whose θ is reported (the last, or after early stopping the best validated one).
  let constraints: (residual: Double, gap: Double?, relaxed: Double?)?

  init(setup: TrainingSetup, solver: SolverKind, result: SolverResult, out: String?, checkpointed: Bool) throws {
    self.solver = solver.rawValue
    guard result.loss.isFinite else { throw InputError("the final training loss is \(result.loss)") }
    let network = setup.network
    // Bayesian regularization minimizes F = βE_D + αE_W; its training loss is the mse loss, as other solvers'.
    if solver == .bayesianRegularization, let last = result.history.last, let gamma = last.effectiveParameters,
      let alpha = last.alpha, let beta = last.beta
    {
      evidence = (result.loss, gamma, alpha, beta, network.architecture.parameterCount)
      finalLoss = dataLoss(network, result.parameters, setup.training)
    } else {
      evidence = nil
      finalLoss = result.loss
    }
    validationLoss = setup.validation.map { dataLoss(network, result.parameters, $0) }
    if let validationLoss, !validationLoss.isFinite {
      throw InputError(
        "the validation loss is \(validationLoss) at the trained parameters: the validation data sends the network's outputs beyond a double; nothing was written"
      )
    }
    let training = metric(network, result.parameters, setup.training)
    metricName = training.name
    trainingMetric = training.value.isFinite ? training.value : nil
    validationMetric = setup.validation.flatMap { data in
      let value = metric(network, result.parameters, data).value
      return value.isFinite ? value : nil
    }
    iterations = result.iterations
    epochs = result.history.last?.epoch
    termination = result.termination.name
    terminationMessage = describeTermination(
      result.termination, firstOrder: solver.isFirstOrder, checkpointed: checkpointed)
    functionEvaluations = result.functionEvaluations
    jacobianEvaluations = result.jacobianEvaluations
    wallTime = result.elapsed
    self.out = out
    standardization = ["inputs": setup.inputStandardization, "targets": setup.targetStandardization]
    history = result.history
    constraints = Self.constraintSummary(result).map {
      ($0.constraintResidual ?? 0, $0.multiplierGap, $0.relaxedObjective)
    }
  }

  /// The summary of the iteration whose θ the result holds: the best validated one after early stopping
  /// (the first with the smallest validation loss, as ``ValidationRecord`` keeps it), else the last.
  static func constraintSummary(_ result: SolverResult) -> IterationSummary? {
    let reported = result.history.filter { $0.constraintResidual != nil }
    guard let last = reported.last else { return nil }
    guard case .validationStop = result.termination else { return last }
    var best: IterationSummary?
    for summary in reported {
      if let v = summary.validationLoss, v < (best?.validationLoss ?? .infinity) { best = summary }
    }
    return best ?? last
  }

  func text(timing: Bool) -> String {
    var lines = ["", terminationMessage]
    lines.append("training loss    \(decimal(finalLoss))   \(metricName) \(formatMetric(trainingMetric))")
    if let validationLoss {
      lines.append("validation loss  \(decimal(validationLoss))   \(metricName) \(formatMetric(validationMetric))")
    }
    lines.append(
      "\(iterations) iterations\(epochs.map { ", \($0) epochs" } ?? ""), \(functionEvaluations) loss and \(jacobianEvaluations) gradient/Jacobian evaluations"
        + (timing ? ", \(String(format: "%.3f", wallTime)) s" : ""))
    if let evidence {
      lines.append(
        "Bayesian regularization: γ = \(String(format: "%.3f", evidence.gamma)) effective parameters of P = \(evidence.parameterCount), α = \(decimal(evidence.alpha)), β = \(decimal(evidence.beta)), F = βE_D + αE_W = \(decimal(evidence.objective))"
      )
    }
    if let constraints {
      lines.append(
        "constraint residual maxₖ‖cᵏ‖∞ \(decimal(constraints.residual)), multiplier gap \(constraints.gap.map(decimal) ?? "-"), relaxed objective L_ρ \(constraints.relaxed.map(decimal) ?? "-") (the losses above are the feasible network's)"
      )
    }
    if let out { lines.append("wrote \(out)") }
    return lines.joined(separator: "\n")
  }

  func formatMetric(_ value: Double?) -> String {
    guard let value else { return "undefined" }
    return metricName == "accuracy" ? String(format: "%.2f%%", 100 * value) : String(format: "%.4f", value)
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
    try c.encode(standardization, forKey: "standardization")
    if let evidence {
      try c.encode(evidence.gamma, forKey: "effective_parameters")
      try c.encode(evidence.alpha, forKey: "alpha")
      try c.encode(evidence.beta, forKey: "beta")
      try c.encode(evidence.objective, forKey: "evidence_objective")
    }
    if let constraints {
      try c.encode(constraints.residual, forKey: "constraint_residual")
      try c.encodeIfPresent(constraints.gap, forKey: "multiplier_gap")
      try c.encodeIfPresent(constraints.relaxed, forKey: "relaxed_objective")
    }
    try c.encode(history, forKey: "history")
  }
}
