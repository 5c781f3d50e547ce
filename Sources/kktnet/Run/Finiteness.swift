import KKTNet

/// The checks that keep a non-finite number out of every report: J, the states, the multipliers, ∇J,
/// the partials of L behind the KKT certificate, predictions. Each failure is one sentence saying where
/// the value arose — which pass, which layer, which sample — so that a NaN is never printed as a number,
/// reported as "passed", or lost inside a max-norm.
struct Finiteness: Sendable {
  /// "sample 3 (line 4 of data.csv)" for a sample's index.
  let sample: @Sendable (Int) -> String

  /// For the rows of a CSV file: sample j is on line j + 2 (line 1 is the header, and a data file has
  /// no blank lines before its end).
  static func rows(of file: String) -> Finiteness {
    Finiteness { "sample \($0 + 1) (line \($0 + 2) of \(InputError.quotedPath(file)))" }
  }

  /// For a random batch.
  static let randomBatch = Finiteness { "random sample \($0 + 1)" }

  /// The first (layer k, sample j) of matrices xᵏ (nₖ × m, one column per sample) holding a value that is
  /// not finite, taking the layers in `order`.
  static func firstNonFinite(_ matrices: [Matrix], order: [Int]) -> (layer: Int, sample: Int)? {
    for k in order where k < matrices.count && matrices[k].rows > 0 {
      if let index = matrices[k].elements.firstIndex(where: { !$0.isFinite }) {
        return (k, index / matrices[k].rows)
      }
    }
    return nil
  }

  /// The tensor of θ (or of a gradient) whose entry `index` is.
  static func tensor(_ architecture: Architecture, _ index: Int) -> String {
    architecture.tensors.first { $0.range.contains(index) }?.name ?? "θ"
  }

  /// Checks a KKT solution in the order its passes compute it: the inputs, the states (forward), J, the
  /// multipliers (adjoint, from the output back), the gradient; then the partials of L at the point and
  /// the certificate made from them.
  ///
  /// - Returns: the certificate, every number in it finite.
  func check(_ solution: KKTSolution, _ lagrangian: Lagrangian) throws(InputError) -> KKTCertificate {
    let architecture = lagrangian.architecture
    let n = architecture.layerCount
    if let (_, j) = Self.firstNonFinite([solution.states[0]], order: [0]) {
      throw InputError("the inputs of \(sample(j)) are not finite after standardization; check the model's input_scale")
    }
    if let (k, j) = Self.firstNonFinite(solution.states, order: Array(1...n)) {
      throw InputError(
        "the forward pass overflows: layer \(k)'s states x\(superscript(k)) are not finite for \(sample(j))")
    }
    guard solution.objective.isFinite else {
      throw InputError(
        "the objective J(θ) is \(solution.objective) although every state is finite: the loss or the penalty overflows")
    }
    if let (k, j) = Self.firstNonFinite(solution.multipliers, order: Array((1...n).reversed())) {
      throw InputError(
        "the adjoint pass overflows: layer \(k)'s multipliers λ\(superscript(k)) are not finite for \(sample(j))")
    }
    try checkGradient(solution.gradient, architecture, "the gradient ∂L/∂θ")
    let partials = lagrangian.partials(at: solution.point)
    if let (k, j) = Self.firstNonFinite(partials.withRespectToMultipliers, order: Array(1...n)) {
      throw InputError(
        "the primal residual ∂L/∂λ\(superscript(k)) of the KKT certificate is not finite for \(sample(j))")
    }
    if let (k, j) = Self.firstNonFinite(partials.withRespectToStates, order: Array(1...n)) {
      throw InputError(
        "the adjoint residual ∂L/∂x\(superscript(k)) of the KKT certificate is not finite for \(sample(j))")
    }
    try checkGradient(partials.withRespectToParameters, architecture, "the certificate's ∂L/∂θ")
    let certificate = lagrangian.certificate(at: solution.point)
    let norms =
      [certificate.primalResidual, certificate.adjointResidual, certificate.gradientNorm]
      + certificate.multiplierNorms
    guard norms.allSatisfy(\.isFinite) else { throw InputError("a norm of the KKT certificate overflows") }
    return certificate
  }

  /// Checks that every entry of a P-vector is finite, naming the tensor of the first that is not.
  func checkGradient(_ values: [Double], _ architecture: Architecture, _ what: String) throws(InputError) {
    if let index = values.firstIndex(where: { !$0.isFinite }) {
      throw InputError("\(what) is \(values[index]) in \(Self.tensor(architecture, index)) (entry \(index))")
    }
  }

  /// Checks the network's outputs (n_N × m); when one is not finite, finds where it arose: the inputs,
  /// the first layer whose pre-activations are not finite, or else the output activation or the
  /// conversion back to the targets' units.
  func checkOutputs(_ outputs: Matrix, _ lagrangian: Lagrangian, parameters: [Double]) throws(InputError) {
    guard let (_, j) = Self.firstNonFinite([outputs], order: [0]) else { return }
    if let (_, j) = Self.firstNonFinite([lagrangian.inputs], order: [0]) {
      throw InputError("the inputs of \(sample(j)) are not finite after standardization; check the model's input_scale")
    }
    let z = lagrangian.preActivations(parameters: parameters)
    if let (k, j) = Self.firstNonFinite(z, order: Array(1...lagrangian.layerCount)) {
      throw InputError(
        "the forward pass overflows: layer \(k)'s pre-activations z\(superscript(k)) are not finite for \(sample(j))")
    }
    throw InputError(
      "the outputs of \(sample(j)) are not finite: the output activation or the conversion back to the targets' units overflows"
    )
  }
}

/// ‖v‖∞ with NaN propagated: a NaN is never hidden inside a max-norm (`max` drops it, as a NaN compares
/// false).
func maximumMagnitude<C: Collection>(_ values: C) -> Double where C.Element == Double {
  var largest = 0.0
  for x in values {
    if x.isNaN { return .nan }
    largest = max(largest, abs(x))
  }
  return largest
}
