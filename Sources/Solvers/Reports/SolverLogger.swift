import Foundation

/// Prints iteration summaries as a fixed-width table, with its header once (Ceres's `LoggingCallback`).
///
///     iter        loss    Δloss    ‖g‖∞    ‖δ‖      ρ       μ     time
///        0  3.2145e-01        -  4.1e-01      -      -       -    0.000
///        1  1.0210e-01  2.2e-01  2.3e-01  1.4e+00  0.981  3.3e-04  0.001
public struct SolverLogger {
  private var printedHeader = false
  private let write: (String) -> Void
  /// The label of the step-control column: μ, Δ, step or η.
  public let stepControlName: String
  /// Whether to print the time column (off for output that must be the same on every run).
  public let showsTime: Bool

  /// A logger for the summaries of `solver` (a solver such as ``LevenbergMarquardt``, a ``TrainingPlan``,
  /// or an ``IterativeMethod``), which names the step-control column; each line goes to `write` (standard
  /// output by default).
  ///
  ///     var logger = SolverLogger(for: solver)
  ///     let result = solver.minimize(problem, from: start) { logger.log($0) }
  public init(
    for solver: some StepControlNaming, showsTime: Bool = true, write: @escaping (String) -> Void = { print($0) }
  ) {
    self.init(stepControlName: solver.stepControlName, showsTime: showsTime, write: write)
  }

  /// A logger whose step-control column is called `stepControlName`.
  public init(stepControlName: String, showsTime: Bool = true, write: @escaping (String) -> Void = { print($0) }) {
    self.stepControlName = stepControlName
    self.showsTime = showsTime
    self.write = write
  }

  /// The header line; `effectiveParameters` adds Bayesian regularization's γ column, `constraints` the
  /// constraint residual maxₖ‖cᵏ‖∞ and the multiplier gap of training through the constraints.
  public func header(validation: Bool, effectiveParameters: Bool = false, constraints: Bool = false) -> String {
    let columns = [
      pad("iter", 6), pad("loss", 12), pad("Δloss", 9), pad("‖g‖∞", 9), pad("‖δ‖", 9), pad("ρ", 7),
      pad(stepControlName, 9),
    ]
    return
      (columns + (effectiveParameters ? [pad("γ", 8)] : [])
      + (constraints ? [pad("‖c‖∞", 9), pad("λ gap", 9)] : []) + (validation ? [pad("val. loss", 12)] : [])
      + (showsTime ? [pad("time s", 8)] : [])).joined(separator: " ")
  }

  /// One line for a summary.
  public func line(_ s: IterationSummary) -> String {
    let first = s.iteration == 0
    var columns = [
      pad("\(s.iteration)", 6), pad(String(format: "%.4e", s.loss), 12),
      pad(first ? "-" : String(format: "%.1e", s.lossChange), 9), pad(String(format: "%.1e", s.gradientMaxNorm), 9),
      pad(first ? "-" : String(format: "%.1e", s.stepNorm), 9),
      pad(s.gainRatio.isNaN ? "-" : String(format: "%.3f", s.gainRatio), 7),
      pad(s.damping.isNaN ? "-" : String(format: "%.1e", s.damping), 9),
    ]
    if let gamma = s.effectiveParameters { columns.append(pad(String(format: "%.2f", gamma), 8)) }
    if let residual = s.constraintResidual {
      columns.append(pad(String(format: "%.1e", residual), 9))
      columns.append(pad(s.multiplierGap.map { String(format: "%.1e", $0) } ?? "-", 9))
    }
    if let v = s.validationLoss { columns.append(pad(String(format: "%.4e", v), 12)) }
    if showsTime { columns.append(pad(String(format: "%.3f", s.time), 8)) }
    return columns.joined(separator: " ") + (s.accepted || first ? "" : "  rejected")
  }

  /// Prints the header before the first summary, then one line per summary.
  public mutating func log(_ summary: IterationSummary) {
    if !printedHeader {
      write(
        header(
          validation: summary.validationLoss != nil, effectiveParameters: summary.effectiveParameters != nil,
          constraints: summary.constraintResidual != nil))
      printedHeader = true
    }
    write(line(summary))
  }

  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }
}
