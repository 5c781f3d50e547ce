import ArgumentParser
import KKTNet

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The KKT certificate at a model and dataset.",
    discussion: """
      Solves the forward and adjoint passes at the model's θ and reports the primal residual \
      max‖∂L/∂λᵏ‖∞ (0 after the forward pass), the adjoint residual max‖∂L/∂xᵏ‖∞ (rounding-level after the \
      adjoint pass), the gradient norm ‖∂L/∂θ‖∞ (0 at a stationary point of J) and ‖λᵏ‖ for each layer.
      """)

  @OptionGroup var model: ModelOptions
  @OptionGroup var network: NetworkOptions
  @OptionGroup var data: DataOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let loaded = try ModelAndData(model, network, data)
    let (solution, certificate) = try loaded.solve()
    let samples = loaded.dataset.sampleCount
    switch output.format {
    case .json:
      try printJSON(
        CheckReport(objective: solution.objective, samples: samples, certificate: CertificateReport(certificate)))
    case .table:
      print("J(θ) = \(decimal(solution.objective))   (\(samples) samples)")
      print(certificateText(certificate))
    }
  }
}

struct CheckReport: Encodable {
  let objective: Double
  let samples: Int
  let certificate: CertificateReport

  func encode(to encoder: any Encoder) throws {
    try certificate.encode(to: encoder)
    var container = encoder.container(keyedBy: Keys.self)
    try container.encode(objective, forKey: .objective)
    try container.encode(samples, forKey: .samples)
  }

  enum Keys: String, CodingKey { case objective, samples }
}
