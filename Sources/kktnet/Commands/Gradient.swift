import ArgumentParser
import KKTNet

struct Gradient: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The objective J and its gradient at a model and dataset.",
    discussion: """
      JSON: {"loss": J, "method": …, "gradients": {"layers.0.weight": [[…]], "layers.0.bias": […], …}}, each \
      gradient in its tensor's shape (weights as row-major nested lists). --multipliers adds \
      "multipliers": {"1": [[…]], …}: for layer k, one list of the nₖ values of λᵏ per sample.
      """)

  enum Method: String, ExpressibleByArgument, CaseIterable {
    case lagrangian
    case backprop
    case finiteDifference = "finite-difference"
  }

  @OptionGroup var model: ModelOptions
  @OptionGroup var overrides: NetworkOptions
  @OptionGroup var data: DataOptions

  @Option(help: "lagrangian (the KKT passes), backprop (the delta rule) or finite-difference (central).")
  var method: Method = .lagrangian

  @Flag(help: "Also print the multipliers λᵏ of every layer (lagrangian only).")
  var multipliers = false

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if multipliers && method != .lagrangian {
      throw ValidationError("--multipliers needs --method lagrangian: the multipliers belong to the Lagrangian.")
    }
  }

  func run() throws {
    let loaded = try ModelAndData(model, overrides, data)
    let network = loaded.network
    let architecture = network.architecture
    let m = loaded.dataset.sampleCount
    // The Lagrangian's solution is checked in every method: it says where a non-finite value arises.
    // JSON holds each number again in nested lists and as text (about 25 bytes): 4 doubles' worth.
    var extra = output.format == .json ? 4 * MemoryEstimate.doubles(architecture.parameterCount) : .zero
    if multipliers && output.format == .json {
      extra = extra + 6 * MemoryEstimate.doubles(MemoryEstimate.saturatingSum(architecture.layerSizes), m)
    }
    try loaded.checkMemory(
      2 * MemoryEstimate.kktSolution(architecture, sampleCount: m) + extra, "for its passes and their output")
    let (solution, _) = try loaded.solve()
    let objective: Double
    let gradient: [Double]
    var lambdas: [Matrix] = []
    switch method {
    case .lagrangian:
      (objective, gradient) = (solution.objective, solution.gradient)
      lambdas = solution.multipliers
    case .backprop:
      (objective, gradient) = Backpropagation(
        network: network, inputs: loaded.dataset.inputs, targets: loaded.dataset.targets
      ).gradient()
    case .finiteDifference:
      let lagrangian = loaded.lagrangian
      objective = lagrangian.objective(parameters: network.parameters)
      let workspace = lagrangian.makeWorkspace()
      gradient = FiniteDifference.gradient(at: network.parameters, order: .suited(smooth: network.isSmooth)) {
        lagrangian.objective(parameters: $0, workspace: workspace)
      }
    }
    guard objective.isFinite else {
      throw InputError("the objective J(θ) by \(method.rawValue) is \(objective), although the Lagrangian's is finite")
    }
    try loaded.samples.checkGradient(gradient, architecture, "the \(method.rawValue) gradient")
    let tensors = network.architecture.tensors
    switch output.format {
    case .json:
      var report = GradientReport(loss: objective, method: method.rawValue, gradients: [:], multipliers: nil)
      for tensor in tensors {
        let values = Array(gradient[tensor.range])
        report.gradients[tensor.name] =
          tensor.isWeight
          ? .matrix((0..<tensor.shape[0]).map { Array(values[($0 * tensor.shape[1])..<(($0 + 1) * tensor.shape[1])]) })
          : .vector(values)
      }
      if multipliers {
        report.multipliers = Dictionary(
          uniqueKeysWithValues: (1..<lambdas.count).map { k in ("\(k)", lambdas[k].transposed.rowMajorRows) })
      }
      try printJSON(report)
    case .table:
      print("J(θ) = \(decimal(objective))   (\(method.rawValue), \(m) samples)")
      var table = Table("tensor", "shape", "‖g‖∞", "‖g‖₂")
      for tensor in tensors {
        let values = Array(gradient[tensor.range])
        let norm = BLAS.nrm2(values)
        guard norm.isFinite else { throw InputError("the norm ‖g‖₂ of \(tensor.name) overflows") }
        table.append(
          tensor.name, tensor.shape.map(String.init).joined(separator: "×"),
          scientific(maximumMagnitude(values)), scientific(norm))
      }
      var lines = [table.rendered]
      if multipliers {
        for k in 1..<lambdas.count {
          let norm = BLAS.nrm2(lambdas[k].elements)
          guard norm.isFinite else { throw InputError("the norm ‖λ\(superscript(k))‖ overflows") }
          lines.append("‖λ\(superscript(k))‖ = \(scientific(norm))  (\(lambdas[k].rows) × \(lambdas[k].columns))")
        }
      }
      print(lines.joined(separator: "\n"))
    }
  }
}

/// A tensor's values in its own shape.
enum NestedValues: Encodable {
  case vector([Double])
  case matrix([[Double]])

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .vector(let values): try container.encode(values)
    case .matrix(let rows): try container.encode(rows)
    }
  }
}

struct GradientReport: Encodable {
  let loss: Double
  let method: String
  var gradients: [String: NestedValues]
  var multipliers: [String: [[Double]]]?
}
