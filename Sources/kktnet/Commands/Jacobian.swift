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
    let architecture = loaded.network.architecture
    let m = loaded.dataset.sampleCount
    let (rows, p) = (MemoryEstimate.saturatingProduct(m, architecture.outputSize), architecture.parameterCount)
    // J is held once (as Jᵀ, P × M: each row of J contiguous) and JSON is written row by row.
    try loaded.checkMemory(
      MemoryEstimate.kktSolution(architecture, sampleCount: m) + MemoryEstimate.doubles(rows, p)
        + MemoryEstimate.doubles(rows), "for its \(rows) × \(p) Jacobian")
    _ = try loaded.solve()
    let lagrangian = loaded.lagrangian
    let parameters = loaded.network.parameters
    var transposed = Matrix(rows: p, columns: rows)
    var residuals: [Double] = []
    transposed.elements.withUnsafeMutableBufferPointer { jt in
      lagrangian.residualJacobian(
        parameters: parameters, workspace: lagrangian.makeWorkspace(), into: jt.baseAddress!, residuals: &residuals)
    }
    if let index = residuals.firstIndex(where: { !$0.isFinite }) {
      throw InputError("the residual r = ŷ − y of \(loaded.samples.sample(index / architecture.outputSize)) overflows")
    }
    if let index = transposed.elements.firstIndex(where: { !$0.isFinite }) {
      let (column, row) = (index % p, index / p)
      throw InputError(
        "the Jacobian's row for \(loaded.samples.sample(row / architecture.outputSize)) is not finite in \(Finiteness.tensor(architecture, column))"
      )
    }
    let check = tangentCheck(lagrangian, parameters, transposed)
    guard check.isFinite else {
      throw InputError("the tangent pass along a random direction overflows, so the Jacobian cannot be checked")
    }
    switch output.format {
    case .json:
      printJSON(transposed, residuals, check, architecture.tensors.map(\.name))
    case .table:
      guard BLAS.nrm2(residuals).isFinite else { throw InputError("the norm ‖r‖₂ of the residuals overflows") }
      print(
        "residuals r = ŷ − y: \(residuals.count) (\(m) samples × \(architecture.outputSize) outputs), ‖r‖₂ = \(scientific(BLAS.nrm2(residuals)))"
      )
      print(
        "Jacobian ∂r/∂θ: \(rows) × \(p), ‖J‖_max = \(scientific(maximumMagnitude(transposed.elements)))"
      )
      print("tangent-pass check, 3 random directions: largest relative difference \(scientific(check))")
      print("(--format json prints every residual and every row)")
    }
    if !(check <= 1e-12) {
      throw InputError("the adjoint rows and the tangent pass disagree by \(check) (relative), more than 1e-12")
    }
  }

  /// The JSON report, `{"jacobian": [[…], …], "residuals": […], "tangent_check": …, "tensors": […]}` (keys
  /// sorted, as ``JSONCoding`` writes them), written a row at a time so that J is never held twice.
  func printJSON(_ transposed: Matrix, _ residuals: [Double], _ check: Double, _ tensors: [String]) {
    let p = transposed.rows
    func list<C: Collection>(_ values: C) -> String where C.Element == Double {
      "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
    }
    var chunk = "{\"jacobian\":["
    transposed.elements.withUnsafeBufferPointer { jt in
      for row in 0..<transposed.columns {
        if row > 0 { chunk += "," }
        chunk += list(jt[(row * p)..<((row + 1) * p)])
        if chunk.utf8.count > 1 << 20 {
          print(chunk, terminator: "")
          chunk = ""
        }
      }
    }
    chunk += "],\"residuals\":" + list(residuals) + ",\"tangent_check\":\(check),\"tensors\":["
    chunk += tensors.map { JSONValue.quoted($0) }.joined(separator: ",") + "]}"
    print(chunk)
  }

  /// max over three seeded directions v of ‖J·v − tangent(v)‖∞ / ‖tangent(v)‖∞, for J given as Jᵀ (P × M).
  func tangentCheck(_ lagrangian: Lagrangian, _ parameters: [Double], _ transposed: Matrix) -> Double {
    var random = RandomSource(seed: 0x7A46)
    let workspace = lagrangian.makeWorkspace()
    var worst = 0.0
    for _ in 0..<3 {
      let v = parameters.map { _ in random.nextNormal() }
      let forward = lagrangian.tangent(parameters: parameters, direction: v, workspace: workspace).elements
      var product = [Double](repeating: 0, count: transposed.columns)
      BLAS.gemv(transposed, v, transpose: .transpose, into: &product)
      let scale = maximumMagnitude(forward)
      let difference = maximumMagnitude(zip(forward, product).map { $0 - $1 })
      let relative = scale == 0 ? difference : difference / scale
      worst = relative.isNaN || worst.isNaN ? .nan : max(worst, relative)
    }
    return worst
  }
}
