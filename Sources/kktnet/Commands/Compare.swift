import ArgumentParser
import KKTNet

struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compute one gradient three ways — Lagrangian, backprop, finite differences — and compare them.",
    discussion: """
      Builds a network and a random batch from the seed, solves the KKT conditions of the Lagrangian, and \
      prints, per tensor, the largest absolute and relative differences from ordinary backprop and from \
      central differences (fourth order for a smooth network, second order when an activation or the L1 \
      penalty has a kink), then the KKT certificate. Exits with 0 when every difference is within \
      tolerance, 1 otherwise.
      """)

  @OptionGroup var architecture: ArchitectureOptions
  @OptionGroup var network: NetworkOptions
  @OptionGroup var seedOptions: SeedOptions

  @Option(help: "The number of random samples m.")
  var samples: Int = 32

  @Option(help: "The largest relative difference allowed between the Lagrangian and backprop.")
  var backpropTolerance: Double = 1e-12

  @Option(help: "The largest relative difference allowed between the Lagrangian and finite differences.")
  var finiteDifferenceTolerance: Double = 1e-6

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard samples >= 1 else { throw ValidationError("--samples must be at least 1, not \(samples).") }
    for (flag, value) in [
      ("--backprop-tolerance", backpropTolerance), ("--finite-difference-tolerance", finiteDifferenceTolerance),
    ] where !(value > 0 && value.isFinite) {
      throw ValidationError("\(flag) must be positive and finite, not \(quoted(value)).")
    }
  }

  var seed: UInt64 { seedOptions.seed }
  var loss: Loss { network.loss ?? .meanSquaredError }

  func run() throws {
    let architecture = try network.architecture(self.architecture.architecture ?? "3-8-8-2")
    // The batch, and two KKT solutions' worth: the Lagrangian's (with the certificate), backprop's, the
    // finite differences' workspace and the pre-activations; then the check of the solution here.
    try
      (MemoryEstimate.batch(architecture, sampleCount: samples)
      + 3 * MemoryEstimate.kktSolution(architecture, sampleCount: samples)
      + 6 * MemoryEstimate.parameters(architecture)).check(
        "a \(quoted(architecture.layerSizes.map(String.init).joined(separator: "-"))) network on \(samples) samples",
        "for its three gradients and the certificate")
    let net = try Network(
      architecture: architecture, loss: loss, regularization: network.regularization,
      initialization: self.architecture.scheme, seed: seed)
    let (inputs, targets) = SyntheticData.batch(
      architecture: architecture, loss: loss, sampleCount: samples, seed: seed &+ 1)
    // Every number below is finite before it is compared or printed: a NaN compares false, so it would
    // pass a tolerance or vanish inside a max-norm. The Lagrangian's solution first (it says where a
    // non-finite value arises), then the other two gradients.
    let lagrangian = Lagrangian(network: net, inputs: inputs, targets: targets)
    _ = try Finiteness.randomBatch.check(lagrangian.solve(parameters: net.parameters), lagrangian)
    let comparison = GradientComparison(network: net, inputs: inputs, targets: targets)
    for (gradient, name) in [
      (comparison.backpropGradient, "backprop's gradient"),
      (comparison.finiteDifferenceGradient, "the finite-difference gradient"),
    ] {
      try Finiteness.randomBatch.checkGradient(gradient, architecture, name)
    }
    let differences = comparison.tensors.flatMap {
      [$0.absoluteBackprop, $0.relativeBackprop, $0.absoluteFiniteDifference, $0.relativeFiniteDifference]
    }
    guard differences.allSatisfy(\.isFinite) && comparison.finiteDifferenceNoise.isFinite else {
      throw InputError("the differences between the three gradients overflow; the gradients are too large to compare")
    }
    let passed = comparison.passes(
      backpropTolerance: backpropTolerance, finiteDifferenceTolerance: finiteDifferenceTolerance)

    switch output.format {
    case .json:
      try printJSON(CompareReport(comparison: comparison, network: net, samples: samples, seed: seed, passed: passed))
    case .table:
      print(
        "\(architecture), loss \(loss), λ₁ = \(net.regularization.l1), λ₂ = \(net.regularization.l2), m = \(samples), seed \(seed)"
      )
      print("J(θ) = \(decimal(comparison.objective))\n")
      var table = Table("tensor", "shape", "max|Δ| backprop", "rel", "max|Δ| finite diff.", "rel")
      for t in comparison.tensors {
        table.append(
          t.name, t.shape.map(String.init).joined(separator: "×"), scientific(t.absoluteBackprop),
          scientific(t.relativeBackprop), scientific(t.absoluteFiniteDifference), scientific(t.relativeFiniteDifference)
        )
      }
      print(table.rendered)
      if comparison.kinkCount > 0 {
        print(
          "\nnote: \(comparison.kinkCount) pre-activations or penalized weights lie within \(GradientComparison.kinkReach) of a kink at 0, where finite differences see the average of the one-sided slopes and the gradient takes the z ≤ 0 branch; disagreement with finite differences there is expected."
        )
      }
      print("\n" + certificateText(comparison.certificate))
      print(
        "\n" + (passed ? "passed" : "FAILED")
          + ": backprop within \(scientific(backpropTolerance)), finite differences within \(scientific(finiteDifferenceTolerance))"
      )
    }
    if !passed { throw ExitCode(1) }
  }
}

/// The KKT certificate as four lines.
func certificateText(_ certificate: KKTCertificate) -> String {
  var lines = [
    "KKT certificate",
    "  primal residual   max‖∂L/∂λᵏ‖∞  \(scientific(certificate.primalResidual))",
    "  adjoint residual  max‖∂L/∂xᵏ‖∞  \(scientific(certificate.adjointResidual))",
    "  gradient norm     ‖∂L/∂θ‖∞      \(scientific(certificate.gradientNorm))",
  ]
  let norms = certificate.multiplierNorms.enumerated().dropFirst().map {
    "‖λ\(superscript($0.offset))‖ = \(scientific($0.element))"
  }
  lines.append("  multipliers       " + norms.joined(separator: ", "))
  return lines.joined(separator: "\n")
}

/// 12 → ¹².
func superscript(_ n: Int) -> String {
  let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
  return String(String(n).map { digits[Int(String($0))!] })
}

struct CertificateReport: Encodable {
  let primalResidual: Double
  let adjointResidual: Double
  let gradientNorm: Double
  let multiplierNorms: [String: Double]

  init(_ certificate: KKTCertificate) {
    primalResidual = certificate.primalResidual
    adjointResidual = certificate.adjointResidual
    gradientNorm = certificate.gradientNorm
    multiplierNorms = Dictionary(
      uniqueKeysWithValues: certificate.multiplierNorms.enumerated().dropFirst().map { ("\($0.offset)", $0.element) })
  }

  enum CodingKeys: String, CodingKey {
    case primalResidual = "primal_residual"
    case adjointResidual = "adjoint_residual"
    case gradientNorm = "gradient_norm"
    case multiplierNorms = "multiplier_norms"
  }
}

struct CompareReport: Encodable {
  struct Tensor: Encodable {
    let name: String
    let shape: [Int]
    let maxAbsDiffBackprop: Double
    let maxRelDiffBackprop: Double
    let maxAbsDiffFiniteDifference: Double
    let maxRelDiffFiniteDifference: Double

    enum CodingKeys: String, CodingKey {
      case name, shape
      case maxAbsDiffBackprop = "max_abs_diff_backprop"
      case maxRelDiffBackprop = "max_rel_diff_backprop"
      case maxAbsDiffFiniteDifference = "max_abs_diff_finite_difference"
      case maxRelDiffFiniteDifference = "max_rel_diff_finite_difference"
    }
  }

  let passed: Bool
  let architecture: [Int]
  let activations: [String]
  let loss: String
  let l1: Double
  let l2: Double
  let samples: Int
  let seed: UInt64
  let objective: Double
  let maxRelDiffBackprop: Double
  let maxRelDiffFiniteDifference: Double
  let finiteDifferenceNoise: Double
  let finiteDifferenceOrder: Int
  let kinksWithinReach: Int
  let tensors: [Tensor]
  let certificate: CertificateReport

  init(comparison: GradientComparison, network: Network, samples: Int, seed: UInt64, passed: Bool) {
    self.passed = passed
    architecture = network.architecture.layerSizes
    activations = network.architecture.activations.map(\.description)
    loss = network.loss.rawValue
    l1 = network.regularization.l1
    l2 = network.regularization.l2
    self.samples = samples
    self.seed = seed
    objective = comparison.objective
    maxRelDiffBackprop = comparison.largestRelativeBackprop
    maxRelDiffFiniteDifference = comparison.largestRelativeFiniteDifference
    finiteDifferenceNoise = comparison.finiteDifferenceNoise
    finiteDifferenceOrder = comparison.finiteDifferenceOrder == .second ? 2 : 4
    kinksWithinReach = comparison.kinkCount
    tensors = comparison.tensors.map {
      Tensor(
        name: $0.name, shape: $0.shape, maxAbsDiffBackprop: $0.absoluteBackprop,
        maxRelDiffBackprop: $0.relativeBackprop,
        maxAbsDiffFiniteDifference: $0.absoluteFiniteDifference, maxRelDiffFiniteDifference: $0.relativeFiniteDifference
      )
    }
    certificate = CertificateReport(comparison.certificate)
  }

  enum CodingKeys: String, CodingKey {
    case passed, architecture, activations, loss, l1, l2, samples, seed, objective, tensors, certificate
    case maxRelDiffBackprop = "max_rel_diff_backprop"
    case maxRelDiffFiniteDifference = "max_rel_diff_finite_difference"
    case finiteDifferenceNoise = "finite_difference_noise"
    case finiteDifferenceOrder = "finite_difference_order"
    case kinksWithinReach = "kinks_within_reach"
  }
}
