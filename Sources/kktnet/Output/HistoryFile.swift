import KKTNet
import Solvers

/// Iteration summaries as CSV rows or JSON lines, both from the summaries' `Codable` form: the CSV's
/// columns are its keys in the order of ``IterationSummary/CodingKeys``; a missing value, or one that does
/// not apply (a NaN: the gain ratio of a step without a model), is an empty cell or null.
enum HistoryFile {
  static var columns: [String] { IterationSummary.CodingKeys.allCases.map(\.stringValue) }

  /// The columns of a history: Bayesian regularization's γ, α and β, and the constraint residual, the
  /// multiplier gap and the relaxed objective of training through the constraints, only when a summary
  /// has them. The per-layer residuals (a list) are in the JSON lines only.
  static func columns(_ history: [IterationSummary]) -> [String] {
    var left: [IterationSummary.CodingKeys] = [.layerResiduals]
    if !history.contains(where: { $0.effectiveParameters != nil }) { left += [.effectiveParameters, .alpha, .beta] }
    if !history.contains(where: { $0.constraintResidual != nil }) {
      left += [.constraintResidual, .multiplierGap, .relaxedObjective]
    }
    return columns.filter { key in !left.map(\.stringValue).contains(key) }
  }

  static func csv(_ history: [IterationSummary]) throws -> String {
    let columns = columns(history)
    var lines = [columns.joined(separator: ",")]
    for summary in history {
      guard case .object(let members) = try JSONValue.parse(Array(try JSONCoding.output(summary).utf8)) else {
        preconditionFailure("a summary encodes as a JSON object")
      }
      let values = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
      lines.append(
        columns.map { key in
          switch values[key] {
          case .number(let text)?, .string(let text)?: return text
          case .bool(let flag)?: return flag ? "true" : "false"
          default: return ""
          }
        }.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func jsonLines(_ history: [IterationSummary]) throws -> String {
    try history.map(JSONCoding.output).joined(separator: "\n") + "\n"
  }
}
