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
    let lagrangian = loaded.lagrangian
    let objective: Double
    let gradient: [Double]
    var lambdas: [Matrix] = []
    switch method {
    case .lagrangian:
      let solution = lagrangian.solve(parameters: network.parameters)
      (objective, gradient) = (solution.objective, solution.gradient)
      lambdas = solution.multipliers
    case .backprop:
      (objective, gradient) = Backpropagation(
        network: network, inputs: loaded.dataset.inputs, targets: loaded.dataset.targets
      ).gradient()
    case .finiteDifference:
      objective = lagrangian.objective(parameters: network.parameters)
      let workspace = lagrangian.makeWorkspace()
      gradient = FiniteDifference.gradient(at: network.parameters, order: .suited(smooth: network.isSmooth)) {
        lagrangian.objective(parameters: $0, workspace: workspace)
      }
    }
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
      print("J(θ) = \(decimal(objective))   (\(method.rawValue), \(loaded.dataset.sampleCount) samples)")
      var table = Table("tensor", "shape", "‖g‖∞", "‖g‖₂")
      for tensor in tensors {
        let values = Array(gradient[tensor.range])
        table.append(
          tensor.name, tensor.shape.map(String.init).joined(separator: "×"),
          scientific(values.map(abs).max() ?? 0), scientific(BLAS.nrm2(values)))
      }
      print(table.rendered)
      if multipliers {
        for k in 1..<lambdas.count {
          print(
            "‖λ\(superscript(k))‖ = \(scientific(BLAS.nrm2(lambdas[k].elements)))  (\(lambdas[k].rows) × \(lambdas[k].columns))"
          )
        }
      }
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
