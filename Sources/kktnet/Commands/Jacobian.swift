import ArgumentParser
import KKTNet

struct Jacobian: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The residuals r = ŷ − y and their Jacobian ∂r/∂θ, from the Lagrangian's adjoint rows.",
    discussion: """
      JSON: {"residuals": […], "jacobian": [[…], …]}: row i·n_N + j is sample i, output j; the columns are \
      the parameters in file order (layers.0.weight row-major, layers.0.bias, layers.1.weight, …). \
      The rows come from one batched adjoint pass per output unit; the result is checked against the \
      tangent (forward-mode) pass along three random directions, and the command fails (exit 1) if they \
      differ by more than 1e-12 relative. Residuals are in the model's units (standardized targets stay \
      standardized).
      """)

  @OptionGroup var model: ModelOptions
  @OptionGroup var network: NetworkOptions
  @OptionGroup var data: DataOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let loaded = try ModelAndData(model, network, data)
    let lagrangian = loaded.lagrangian
    let parameters = loaded.network.parameters
    let (residuals, jacobian) = lagrangian.residualJacobian(parameters: parameters)
    let check = tangentCheck(lagrangian, parameters, jacobian)
    switch output.format {
    case .json:
      try printJSON(
        JacobianReport(
          residuals: residuals, jacobian: jacobian.rowMajorRows, tangentCheck: check,
          parameters: loaded.network.architecture.tensors.map(\.name)))
    case .table:
      print(
        "residuals r = ŷ − y: \(residuals.count) (\(loaded.dataset.sampleCount) samples × \(loaded.network.architecture.outputSize) outputs), ‖r‖₂ = \(scientific(BLAS.nrm2(residuals)))"
      )
      print(
        "Jacobian ∂r/∂θ: \(jacobian.rows) × \(jacobian.columns), ‖J‖_max = \(scientific(jacobian.maxAbsoluteValue))")
      print("tangent-pass check, 3 random directions: largest relative difference \(scientific(check))")
      print("(--format json prints every residual and every row)")
    }
    if !(check <= 1e-12) {
      throw InputError("the adjoint rows and the tangent pass disagree by \(check) (relative), more than 1e-12")
    }
  }

  /// max over three seeded directions v of ‖J·v − tangent(v)‖∞ / ‖tangent(v)‖∞.
  func tangentCheck(_ lagrangian: Lagrangian, _ parameters: [Double], _ jacobian: Matrix) -> Double {
    var random = RandomSource(seed: 0x7A46)
    let workspace = lagrangian.makeWorkspace()
    var worst = 0.0
    for _ in 0..<3 {
      let v = parameters.map { _ in random.nextNormal() }
      let forward = lagrangian.tangent(parameters: parameters, direction: v, workspace: workspace).elements
      var product = [Double](repeating: 0, count: jacobian.rows)
      BLAS.gemv(jacobian, v, into: &product)
      let scale = forward.map(abs).max() ?? 0
      let difference = zip(forward, product).map { abs($0 - $1) }.max() ?? 0
      worst = max(worst, scale == 0 ? difference : difference / scale)
    }
    return worst
  }
}

struct JacobianReport: Encodable {
  let residuals: [Double]
  let jacobian: [[Double]]
  let tangentCheck: Double
  let parameters: [String]

  enum CodingKeys: String, CodingKey {
    case residuals, jacobian
    case tangentCheck = "tangent_check"
    case parameters = "tensors"
  }
}
