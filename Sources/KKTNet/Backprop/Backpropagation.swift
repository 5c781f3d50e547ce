/// Ordinary backpropagation by the textbook delta rule, written independently of the Lagrangian as the
/// reference it is checked against. It shares only the network, activation and loss definitions.
///
///     aᵏ = σₖ(Wᵏaᵏ⁻¹ + bᵏ), a⁰ = X
///     δᴺ = ∂ℓ/∂zᴺ / m,   δᵏ = ((Wᵏ⁺¹)ᵀδᵏ⁺¹) ⊙ σ′ₖ(zᵏ)
///     ∂J/∂Wᵏ = δᵏ(aᵏ⁻¹)ᵀ + λ₂Wᵏ + λ₁ sign(Wᵏ),   ∂J/∂bᵏ = Σ over samples of δᵏ
///
/// (Rumelhart, Hinton & Williams 1986.) For mse, δᴺ = σ′(zᴺ) ⊙ (aᴺ − y)/m, or the softmax Jacobian times
/// (aᴺ − y)/m; for the cross-entropies δᴺ = (aᴺ − y)/m directly.
public struct Backpropagation: Sendable {
  /// The network whose gradient is computed, with its θ.
  public let network: Network
  /// a⁰ = X, n₀ × m.
  public let inputs: Matrix
  /// Y, n_N × m.
  public let targets: Matrix

  /// The delta rule for `network` over the batch: `inputs` n₀ × m and `targets` n_N × m.
  public init(network: Network, inputs: Matrix, targets: Matrix) {
    precondition(inputs.rows == network.architecture.inputSize && inputs.columns >= 1, "X must be n₀ × m")
    precondition(
      targets.rows == network.architecture.outputSize && targets.columns == inputs.columns, "Y must be n_N × m")
    self.network = network
    self.inputs = inputs
    self.targets = targets
  }

  /// The buffers of one backpropagation: zᵏ, aᵏ, δᵏ per layer and one derivative buffer.
  public final class Workspace {
    let sizes: [Int]
    let m: Int
    let z: [UnsafeMutablePointer<Double>]
    let a: [UnsafeMutablePointer<Double>]
    let delta: [UnsafeMutablePointer<Double>]
    let derivative: UnsafeMutablePointer<Double>
    private var owned: [UnsafeMutablePointer<Double>] = []

    /// Buffers for a batch of `sampleCount` samples of `network`.
    public init(network: Network, sampleCount: Int) {
      sizes = network.architecture.layerSizes
      m = sampleCount
      var zs: [UnsafeMutablePointer<Double>] = []
      var activations: [UnsafeMutablePointer<Double>] = []
      var deltas: [UnsafeMutablePointer<Double>] = []
      var all: [UnsafeMutablePointer<Double>] = []
      func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        all.append(p)
        return p
      }
      for n in sizes {
        zs.append(allocate(n * sampleCount))
        activations.append(allocate(n * sampleCount))
        deltas.append(allocate(n * sampleCount))
      }
      derivative = allocate(sizes.max()! * sampleCount)
      z = zs
      a = activations
      delta = deltas
      owned = all
    }

    deinit { for p in owned { p.deallocate() } }
  }

  /// A workspace sized for this batch, to reuse between calls.
  public func makeWorkspace() -> Workspace { Workspace(network: network, sampleCount: inputs.columns) }

  /// J(θ) and ∂J/∂θ in file order, with the network's own θ.
  public func gradient(workspace: Workspace? = nil) -> (objective: Double, gradient: [Double]) {
    var g = [Double](repeating: 0, count: network.architecture.parameterCount)
    let j = gradient(at: network.parameters, workspace: workspace ?? makeWorkspace(), into: &g)
    return (j, g)
  }

  /// J(θ) and ∂J/∂θ for the given θ, into `gradient`, reusing `workspace`.
  @discardableResult
  public func gradient(at parameters: [Double], workspace: Workspace, into gradient: inout [Double]) -> Double {
    let arch = network.architecture
    precondition(
      parameters.count == arch.parameterCount && gradient.count == arch.parameterCount,
      "θ and the gradient need P elements")
    precondition(workspace.sizes == arch.layerSizes && workspace.m == inputs.columns, "the workspace does not fit")
    return parameters.withUnsafeBufferPointer { thetaBuffer in
      gradient.withUnsafeMutableBufferPointer { gBuffer in
        inputs.elements.withUnsafeBufferPointer { xBuffer in
          targets.elements.withUnsafeBufferPointer { yBuffer in
            run(
              theta: thetaBuffer.baseAddress!, x: xBuffer.baseAddress!, y: yBuffer.baseAddress!, workspace: workspace,
              g: gBuffer.baseAddress!)
          }
        }
      }
    }
  }

  private func run(
    theta: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>, workspace w: Workspace,
    g: UnsafeMutablePointer<Double>
  ) -> Double {
    let arch = network.architecture
    let sizes = arch.layerSizes
    let count = arch.layerCount
    let m = inputs.columns
    w.a[0].update(from: x, count: sizes[0] * m)

    // Forward: zᵏ = Wᵏaᵏ⁻¹ + bᵏ (gemm, then the bias added column by column), aᵏ = σₖ(zᵏ).
    for k in 1...count {
      let (n, nIn) = (sizes[k], sizes[k - 1])
      BLAS.gemm(
        .transpose, .none, m: n, n: m, k: nIn, alpha: 1, a: theta + arch.weightOffset(layer: k), lda: nIn,
        b: w.a[k - 1], ldb: nIn, beta: 0, c: w.z[k], ldc: n)
      let bias = theta + arch.biasOffset(layer: k)
      for j in 0..<m {
        let column = w.z[k] + j * n
        for i in 0..<n { column[i] += bias[i] }
      }
      arch.activation(layer: k).apply(rows: n, columns: m, z: w.z[k], x: w.a[k])
    }

    // Output delta δᴺ = ∂ℓ/∂zᴺ / m.
    let nOut = sizes[count]
    let inverseM = 1 / Double(m)
    let output = arch.outputActivation
    switch network.loss {
    case .binaryCrossEntropy, .softmaxCrossEntropy:
      network.loss.preActivationGradient(
        rows: nOut, columns: m, z: w.z[count], x: w.a[count], y: y, scale: inverseM, out: w.delta[count])
    case .meanSquaredError:
      for i in 0..<(nOut * m) { w.derivative[i] = (w.a[count][i] - y[i]) * inverseM }
      if output.isElementwise {
        output.derivative(count: nOut * m, z: w.z[count], x: w.a[count], out: w.delta[count])
        for i in 0..<(nOut * m) { w.delta[count][i] *= w.derivative[i] }
      } else {
        output.multiplyByJacobian(
          rows: nOut, columns: m, z: w.z[count], x: w.a[count], u: w.derivative, out: w.delta[count])
      }
    }

    // Backward: ∂J/∂Wᵏ = δᵏ(aᵏ⁻¹)ᵀ, ∂J/∂bᵏ = Σⱼ δᵏ₍ⱼ₎, δᵏ⁻¹ = ((Wᵏ)ᵀδᵏ) ⊙ σ′(zᵏ⁻¹).
    for k in stride(from: count, through: 1, by: -1) {
      let (n, nIn) = (sizes[k], sizes[k - 1])
      // Row-major ∂J/∂Wᵏ (n × nIn) is column-major aᵏ⁻¹(δᵏ)ᵀ (nIn × n).
      BLAS.gemm(
        .none, .transpose, m: nIn, n: n, k: m, alpha: 1, a: w.a[k - 1], lda: nIn, b: w.delta[k], ldb: n, beta: 0,
        c: g + arch.weightOffset(layer: k), ldc: nIn)
      let gb = g + arch.biasOffset(layer: k)
      for i in 0..<n { gb[i] = 0 }
      for j in 0..<m {
        let column = w.delta[k] + j * n
        for i in 0..<n { gb[i] += column[i] }
      }
      if k > 1 {
        BLAS.gemm(
          .none, .none, m: nIn, n: m, k: n, alpha: 1, a: theta + arch.weightOffset(layer: k), lda: nIn,
          b: w.delta[k], ldb: n, beta: 0, c: w.delta[k - 1], ldc: nIn)
        arch.activation(layer: k - 1).derivative(count: nIn * m, z: w.z[k - 1], x: w.a[k - 1], out: w.derivative)
        for i in 0..<(nIn * m) { w.delta[k - 1][i] *= w.derivative[i] }
      }
    }
    network.regularization.addGradient(parameters: theta, architecture: arch, into: g)

    let dataLoss = network.loss.total(rows: nOut, columns: m, z: w.z[count], x: w.a[count], y: y)
    return dataLoss * inverseM + network.regularization.value(parameters: theta, architecture: arch)
  }
}
