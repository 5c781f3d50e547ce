import Foundation
import KKTNet
import Solvers

/// The report of `kktnet fit`: a statistics package's coefficient table for people, the issue's keys in JSON.
struct FitReport: Encodable {
  let setup: FitSetup
  let result: SolverResult
  let statistics: FitStatistics
  let confidence: Double
  let robust: RobustLoss?
  let robustScale: Double
  let bands: BandTable?
  let solver: FitSolver.Method

  var names: [String] { setup.parameterNames }
  var intervals: [(lower: Double, upper: Double)]? { statistics.confidenceIntervals(confidence: confidence) }

  /// tⱼ = θ̂ⱼ/seⱼ and Pr(>|t|) = 2·P(T > |tⱼ|); NaN for a parameter held at its bound (no estimate to test).
  var tValues: [Double]? {
    statistics.standardErrors.map { se in
      statistics.parameters.indices.map { statistics.held[$0] ? .nan : statistics.parameters[$0] / se[$0] }
    }
  }

  /// Which bound each parameter ended on, when --bounds was given.
  var sides: [BoxConstraints.Side]? { setup.bounds.map { $0.sides(statistics.parameters) } }
  var pValues: [Double]? {
    guard statistics.degreesOfFreedom > 0 else { return nil }
    let nu = Double(statistics.degreesOfFreedom)
    return tValues?.map { $0.isNaN ? .nan : 2 * StudentT.upperTail(abs($0), degreesOfFreedom: nu) }
  }

  /// The LRE of each estimate against NIST's certified value.
  func logRelativeErrors(_ estimates: [Double], _ certified: [Double]) -> [Double] {
    zip(estimates, certified).map { e, c in
      guard e != c else { return 11 }
      guard e.isFinite else { return 0 }
      return min(11, max(0, -log10(abs(e - c) / abs(c))))
    }
  }

  var text: String {
    var lines: [String] = []
    let m = statistics.observationCount
    lines.append(
      "\(setup.modelText), fitted to \(setup.source) (\(m) observations, \(names.count) parameters\(robust.map { ", \($0.rawValue) loss with C = \(robustScale)" } ?? ""))"
    )
    lines.append(
      "\(solver.rawValue): \(result.termination) (\(result.iterations) iterations, \(result.functionEvaluations) function and \(result.jacobianEvaluations) Jacobian evaluations)"
    )
    lines.append("")
    let level = String(format: "%g%%", 100 * confidence)
    var table =
      setup.nist == nil
      ? Table("parameter", "estimate", "std. error", "t value", "Pr(>|t|)", "\(level) lower", "\(level) upper")
      : Table(
        "parameter", "estimate", "std. error", "t value", "Pr(>|t|)", "\(level) lower", "\(level) upper", "certified",
        "LRE", "certified sd", "sd LRE")
    if setup.bounds != nil { table.headers.append("bound") }
    let se = statistics.standardErrors
    let (t, p, ci) = (tValues, pValues, intervals)
    let sides = self.sides
    let lre = setup.nist.map { logRelativeErrors(statistics.parameters, $0.certifiedParameters) }
    let sdLRE = setup.nist.flatMap { nist in se.map { logRelativeErrors($0, nist.certifiedStandardDeviations) } }
    for (j, name) in names.enumerated() {
      var cells = [
        name, number(statistics.parameters[j]), se.map { number($0[j]) } ?? "-",
        t.flatMap { $0[j].isNaN ? nil : String(format: "%.2f", $0[j]) } ?? "-",
        p.flatMap { $0[j].isNaN ? nil : probability($0[j]) } ?? "-",
        ci.map { number($0[j].lower) } ?? "-", ci.map { number($0[j].upper) } ?? "-",
      ]
      if let nist = setup.nist, let lre {
        cells += [
          number(nist.certifiedParameters[j]), String(format: "%.1f", lre[j]),
          number(nist.certifiedStandardDeviations[j]), sdLRE.map { String(format: "%.1f", $0[j]) } ?? "-",
        ]
      }
      if let sides, let bounds = setup.bounds {
        cells.append(
          sides[j] == .inside
            ? "[\(number(bounds.lower[j])), \(number(bounds.upper[j]))]" : "at \(sides[j].rawValue) bound")
      }
      table.rows.append(cells)
    }
    lines.append(table.rendered)
    if let sides, sides.contains(where: { $0 != .inside }) {
      let names = zip(self.names, sides).filter { $0.1 != .inside }.map(\.0)
      lines.append(
        "\(names.joined(separator: ", ")) ended on \(names.count == 1 ? "its bound" : "their bounds"), held fixed there: standard error 0, not counted in the degrees of freedom"
      )
    }
    lines.append("")
    if robust == nil {
      lines.append(
        "residual sum of squares      \(number(statistics.residualSumOfSquares))  (SSR = ‖r‖²; the solver's loss is ½‖r‖² = \(number(result.loss)))"
      )
    } else {
      lines.append(
        "reweighted sum of squares    \(number(statistics.residualSumOfSquares))  (‖r̃‖² of the corrected residuals; the robust cost is \(number(result.loss)))"
      )
    }
    lines.append(
      "residual standard deviation  \(number(statistics.residualStandardDeviation)) on \(statistics.degreesOfFreedom) degrees of freedom"
        + (setup.nist.map {
          "  (certified \(number($0.certifiedResidualStandardDeviation)), LRE \(String(format: "%.1f", logRelativeErrors([statistics.residualStandardDeviation], [$0.certifiedResidualStandardDeviation])[0])))"
        } ?? ""))
    if let r2 = statistics.rSquared, let adjusted = statistics.adjustedRSquared {
      lines.append(
        "R²                           \(String(format: "%.6f", r2))   adjusted R² \(String(format: "%.6f", adjusted))")
    }
    if let problem = statistics.covarianceProblem { lines.append("no covariance: \(problem)") }
    if let correlation = statistics.correlation, names.count > 1 {
      lines.append("")
      var table = Table("correlation")
      table.headers += names.dropLast()
      for j in 1..<names.count {
        table.rows.append(
          [names[j]] + (0..<(names.count - 1)).map { $0 < j ? String(format: "%.4f", correlation[j, $0]) : "" })
      }
      lines.append(table.rendered)
    }
    if let bands {
      lines.append("")
      lines.append(
        "fitted values\(bands.bands.map { " with \(String(format: "%g%%", 100 * $0.confidence)) bands" } ?? "")")
      lines.append(bandsTable(bands).rendered)
    }
    return lines.joined(separator: "\n")
  }

  func bandsTable(_ bands: BandTable) -> Table {
    var headers = bands.names + ["fit"]
    let b = bands.bands
    if b != nil { headers += ["se fit", "confidence lower", "confidence upper"] }
    if b?.predictionStandardDeviations != nil { headers += ["prediction lower", "prediction upper"] }
    var table = Table(headers[0])
    table.headers = headers
    let confidence = b?.confidenceBand
    let prediction = b?.predictionBand
    for i in bands.values.indices {
      var row = bands.columns.map { number($0[i]) } + [number(bands.values[i])]
      if let b, let c = confidence?[i] { row += [number(b.meanStandardErrors[i]), number(c.lower), number(c.upper)] }
      if let p = prediction?[i] { row += [number(p.lower), number(p.upper)] }
      table.rows.append(row)
    }
    return table
  }

  func number(_ value: Double) -> String { String(format: "%.10g", value) }
  func probability(_ value: Double) -> String { value < 1e-16 ? "< 1e-16" : String(format: "%.3g", value) }

  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: AnyKey.self)
    func named(_ values: [Double]?) -> [String: Double]? {
      values.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) }
    }
    try c.encode(setup.modelText, forKey: "model")
    try c.encode(setup.source, forKey: "data")
    try c.encode(statistics.observationCount, forKey: "observations")
    try c.encode(named(statistics.parameters), forKey: "parameters")
    try c.encode(named(statistics.standardErrors), forKey: "standard_errors")
    try c.encode(statistics.covariance?.rowMajorRows, forKey: "covariance")
    try c.encode(statistics.correlation?.rowMajorRows, forKey: "correlation")
    try c.encode(
      intervals.map { Dictionary(uniqueKeysWithValues: zip(names, $0.map { [$0.lower, $0.upper] })) },
      forKey: "confidence_intervals")
    try c.encode(confidence, forKey: "confidence")
    func finite(_ values: [Double]?) -> [String: Double?]? {
      values.map { Dictionary(uniqueKeysWithValues: zip(names, $0.map { $0.isFinite ? $0 : nil })) }
    }
    try c.encode(finite(tValues), forKey: "t_values")
    try c.encode(finite(pValues), forKey: "p_values")
    if let bounds = setup.bounds, let sides {
      try c.encode(
        Dictionary(
          uniqueKeysWithValues: names.indices.map { j in
            (names[j], [bounds.lower[j], bounds.upper[j]].map { $0.isFinite ? $0 : nil })
          }), forKey: "bounds")
      try c.encode(
        Dictionary(uniqueKeysWithValues: zip(names, sides).filter { $0.1 != .inside }.map { ($0.0, $0.1.rawValue) }),
        forKey: "at_bound")
    }
    try c.encode(statistics.residualSumOfSquares, forKey: "residual_sum_of_squares")
    try c.encode(result.loss, forKey: "loss")
    try c.encode(statistics.residualStandardDeviation, forKey: "residual_standard_deviation")
    try c.encode(statistics.degreesOfFreedom, forKey: "degrees_of_freedom")
    try c.encode(statistics.rank, forKey: "rank")
    try c.encode(statistics.covarianceProblem, forKey: "covariance_problem")
    try c.encode(statistics.rSquared, forKey: "r2")
    try c.encode(statistics.adjustedRSquared, forKey: "adjusted_r2")
    try c.encode(statistics.absoluteSigma, forKey: "absolute_sigma")
    try c.encode(setup.sigmaColumn, forKey: "sigma")
    try c.encode(solver.rawValue, forKey: "solver")
    try c.encode(result.iterations, forKey: "iterations")
    try c.encode(result.functionEvaluations, forKey: "function_evaluations")
    try c.encode(result.jacobianEvaluations, forKey: "jacobian_evaluations")
    try c.encode(result.termination.name, forKey: "termination")
    try c.encode(result.termination.description, forKey: "termination_message")
    try c.encode(result.elapsed, forKey: "wall_time_s")
    if let robust {
      try c.encode(["loss": robust.rawValue], forKey: "robust")
      try c.encode(robustScale, forKey: "robust_scale")
      try c.encode(result.loss, forKey: "robust_cost")
    }
    if let nist = setup.nist {
      try c.encode(nist.name, forKey: "nist")
      try c.encode(named(nist.certifiedParameters), forKey: "certified_parameters")
      try c.encode(named(nist.certifiedStandardDeviations), forKey: "certified_standard_deviations")
      try c.encode(named(logRelativeErrors(statistics.parameters, nist.certifiedParameters)), forKey: "parameter_lre")
      try c.encode(
        named(statistics.standardErrors.map { logRelativeErrors($0, nist.certifiedStandardDeviations) }),
        forKey: "standard_deviation_lre")
      try c.encode(
        logRelativeErrors([statistics.residualStandardDeviation], [nist.certifiedResidualStandardDeviation])[0],
        forKey: "residual_standard_deviation_lre")
      try c.encode(nist.corrections, forKey: "corrections")
    }
    if let bands {
      let confidenceBand = bands.bands?.confidenceBand
      let predictionBand = bands.bands?.predictionBand
      let rows: [[String: JSONNumberOrPair]] = bands.values.indices.map { i in
        var row: [String: JSONNumberOrPair] = ["fit": .number(bands.values[i])]
        for (k, name) in bands.names.enumerated() { row[name] = .number(bands.columns[k][i]) }
        if let b = bands.bands, let ci = confidenceBand?[i] {
          row["se_fit"] = .number(b.meanStandardErrors[i])
          row["confidence"] = .pair(ci.lower, ci.upper)
        }
        if let sd = bands.bands?.predictionStandardDeviations, let pi = predictionBand?[i] {
          row["sd_prediction"] = .number(sd[i])
          row["prediction"] = .pair(pi.lower, pi.upper)
        }
        return row
      }
      try c.encode(rows, forKey: "predictions")
    }
  }
}

/// A number or a [lower, upper] pair in a JSON row.
enum JSONNumberOrPair: Encodable {
  case number(Double)
  case pair(Double, Double)

  func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .number(let value): try c.encode(value)
    case .pair(let a, let b): try c.encode([a, b])
    }
  }
}
