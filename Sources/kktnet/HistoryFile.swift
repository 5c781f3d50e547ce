import KKTNet
import Solvers

/// Iteration summaries as CSV rows or JSON lines, numbers in shortest round-trip form, non-finite ones as
/// `nan`/`inf` (CSV) or strings (JSON).
enum HistoryFile {
  static let columns = [
    "iteration", "epoch", "loss", "loss_change", "gradient_max_norm", "step_norm", "gain_ratio", "damping", "accepted",
    "validation_loss", "time",
  ]

  static func number(_ value: Double) -> String {
    value.isFinite ? "\(value)" : (value.isNaN ? "nan" : value > 0 ? "inf" : "-inf")
  }

  static func fields(_ s: IterationSummary) -> [String] {
    [
      "\(s.iteration)", s.epoch.map(String.init) ?? "", number(s.loss), number(s.lossChange), number(s.gradientMaxNorm),
      number(s.stepNorm), number(s.gainRatio), number(s.damping), s.accepted ? "true" : "false",
      s.validationLoss.map(number) ?? "", number(s.time),
    ]
  }

  static func csv(_ history: [IterationSummary]) -> String {
    ([columns.joined(separator: ",")] + history.map { fields($0).joined(separator: ",") }).joined(separator: "\n")
      + "\n"
  }

  /// One JSON object.
  static func json(_ s: IterationSummary) -> String {
    let values = fields(s)
    let pairs = zip(columns, values).compactMap { key, value -> String? in
      if value.isEmpty { return nil }
      if key == "accepted" { return "\"\(key)\":\(value)" }
      let isNumber = Double(value).map(\.isFinite) ?? false
      return "\"\(key)\":" + (isNumber ? value : "\"\(value)\"")
    }
    return "{" + pairs.joined(separator: ",") + "}"
  }

  static func jsonLines(_ history: [IterationSummary]) -> String {
    history.map(json).joined(separator: "\n") + "\n"
  }

  /// Reads back what ``json(_:)`` wrote (numbers exactly).
  static func summary(from value: JSONValue) -> IterationSummary? {
    guard case .object(let members) = value else { return nil }
    var map: [String: JSONValue] = [:]
    for (key, v) in members { map[key] = v }
    func double(_ key: String) -> Double? {
      switch map[key] {
      case .number(let text)?: return Double(text)
      case .string(let text)?:
        return text == "nan" ? .nan : text == "inf" ? .infinity : text == "-inf" ? -.infinity : nil
      default: return nil
      }
    }
    guard let iteration = map["iteration"]?.nonNegativeInteger, let loss = double("loss") else { return nil }
    var accepted = true
    if case .bool(let flag)? = map["accepted"] { accepted = flag }
    return IterationSummary(
      iteration: iteration, loss: loss, lossChange: double("loss_change") ?? 0,
      gradientMaxNorm: double("gradient_max_norm") ?? .nan, stepNorm: double("step_norm") ?? .nan,
      gainRatio: double("gain_ratio") ?? .nan, damping: double("damping") ?? .nan, accepted: accepted,
      validationLoss: double("validation_loss"), time: double("time") ?? 0, epoch: map["epoch"]?.nonNegativeInteger)
  }
}
