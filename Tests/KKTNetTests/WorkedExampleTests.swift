import Foundation
import KKTNet
import Testing

/// The course notes' worked example: a 1–2–1 sigmoid network, W¹ = [0.3, 0.4]ᵀ, b¹ = [0.1, 0.2]ᵀ,
/// W² = [1, −3], b² = 0.2, x = 1, y = 1, ℓ = ½(a − y)². The notes write a⁽ˡ⁾ for our xˡ⁻¹ and round to two
/// digits; the full-precision references were computed with mpmath at 40 digits.
@Suite("Worked example")
struct WorkedExampleTests {
  static func network(loss: Loss = .meanSquaredError) -> Network {
    let architecture = try! Architecture(layerSizes: [1, 2, 1], activations: [.sigmoid, .sigmoid])
    // θ = [W¹ (2×1) row-major, b¹, W² (1×2), b²]
    return try! Network(architecture: architecture, loss: loss, parameters: [0.3, 0.4, 0.1, 0.2, 1, -3, 0.2])
  }

  static let lagrangian = Lagrangian(
    network: network(), inputs: Matrix(rows: 1, columns: 1, elements: [1]),
    targets: Matrix(rows: 1, columns: 1, elements: [1]))

  /// |a − b| ≤ 2 ulp of b.
  func expectClose(_ a: Double, _ b: Double, _ what: String) {
    #expect(abs(a - b) <= 2 * b.ulp.magnitude, "\(what): \(a) vs \(b)")
  }

  func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

  @Test("forward pass: a⁽²⁾ = [0.60, 0.65], a⁽³⁾ = 0.24")
  func forward() {
    let solution = Self.lagrangian.solve(parameters: Self.network().parameters)
    let hidden = solution.states[1].elements
    let output = solution.states[2].elements[0]
    expectClose(hidden[0], 0.59868766011245200037, "a⁽²⁾₁")
    expectClose(hidden[1], 0.64565630622579545291, "a⁽²⁾₂")
    expectClose(output, 0.24263606373471068816, "a⁽³⁾")
    #expect(hidden.map(rounded) == [0.60, 0.65])
    #expect(rounded(output) == 0.24)
    expectClose(solution.objective, 0.28680006597762660543, "J")
  }

  @Test("backward pass: δ⁽³⁾ = −0.14, δ₁⁽²⁾ = −0.03, and the multipliers λᵏ = −∂J/∂xᵏ")
  func backward() {
    let solution = Self.lagrangian.solve(parameters: Self.network().parameters)
    let g = solution.gradient
    // δ⁽³⁾ = ∂J/∂z at the output = ∂J/∂b², and δ⁽²⁾ = ∂J/∂b¹.
    expectClose(g[6], -0.13917607817533327893, "δ⁽³⁾")
    expectClose(g[2], -0.033438548331786933228, "δ₁⁽²⁾")
    expectClose(g[3], 0.095523880005239949479, "δ₂⁽²⁾")
    #expect(rounded(g[6]) == -0.14)
    #expect(rounded(g[2]) == -0.03)
    expectClose(solution.multipliers[2].elements[0], 0.75736393626528931184, "λ² = −(a⁽³⁾ − y)")
    expectClose(solution.multipliers[1].elements[0], 0.13917607817533327893, "λ¹₁")
    expectClose(solution.multipliers[1].elements[1], -0.41752823452599983678, "λ¹₂")
  }

  @Test("gradients: ∂J/∂W⁽²⁾₁₁ = −0.14 × 0.60, ∂J/∂W⁽¹⁾₁₁ = −0.03")
  func gradients() {
    let g = Self.lagrangian.gradient(at: Self.network().parameters).gradient
    expectClose(g[4], -0.083323000586417978876, "∂J/∂W⁽²⁾₁₁")
    expectClose(g[5], -0.089859912549678230797, "∂J/∂W⁽²⁾₁₂")
    expectClose(g[0], -0.033438548331786933228, "∂J/∂W⁽¹⁾₁₁")
    expectClose(g[1], 0.095523880005239949479, "∂J/∂W⁽¹⁾₂₁")
    #expect(rounded(g[4]) == rounded(-0.14 * 0.60))
    #expect(rounded(g[0]) == -0.03)
  }

  @Test("sigmoid with binary cross-entropy: ∂ℓ/∂zᴺ = ŷ − y")
  func crossEntropyOutputDelta() {
    let network = Self.network(loss: .binaryCrossEntropy)
    let lagrangian = Lagrangian(
      network: network, inputs: Matrix(rows: 1, columns: 1, elements: [1]),
      targets: Matrix(rows: 1, columns: 1, elements: [1]))
    let g = lagrangian.gradient(at: network.parameters).gradient
    expectClose(g[6], 0.24263606373471068816 - 1, "∂ℓ/∂z² = ŷ − y")
    #expect(g[6] == lagrangian.outputs(parameters: network.parameters).elements[0] - 1)
  }
}

@Suite("Losses at saturation")
struct SaturationTests {
  /// A one-layer identity-weight network whose pre-activation is exactly z.
  func objective(z: Double, y: Double, loss: Loss, outputs: Int = 1) -> (Double, [Double]) {
    let architecture = try! Architecture(layerSizes: [1, outputs], activations: [loss.naturalOutputActivation])
    // W = 0, b = z in the first output (and 0 elsewhere).
    var theta = [Double](repeating: 0, count: architecture.parameterCount)
    theta[outputs] = z
    var targets = Matrix(rows: outputs, columns: 1)
    targets[0, 0] = y
    if outputs > 1 && y == 0 { targets[1, 0] = 1 }
    let lagrangian = Lagrangian(
      architecture: architecture, loss: loss, regularization: .none, inputs: Matrix(rows: 1, columns: 1, elements: [1]),
      targets: targets)
    let (j, g) = lagrangian.gradient(at: theta)
    return (j, g)
  }

  @Test("binary cross-entropy stays finite and exact for |z| = 700", arguments: [700.0, -700.0])
  func binaryCrossEntropy(z: Double) {
    // ℓ(z, y) = softplus(z) − yz: exactly |z| when the label disagrees, e^−|z| when it agrees.
    let (wrong, gWrong) = objective(z: z, y: z > 0 ? 0 : 1, loss: .binaryCrossEntropy)
    let (right, gRight) = objective(z: z, y: z > 0 ? 1 : 0, loss: .binaryCrossEntropy)
    #expect(wrong == 700)
    #expect(right == exp(-700.0))
    // ∂ℓ/∂z = σ(z) − y: ±1 when wrong, ∓e^−700 when right.
    #expect(abs(gWrong[1]) == 1)
    #expect(abs(gRight[1]) == Activation.sigmoid.value(-700))
  }

  @Test("softmax cross-entropy uses log-sum-exp: finite for logits of ±700")
  func softmaxCrossEntropy() {
    // z = (700, 0): ℓ = lse − z_y; y = class 1 gives 700 exactly, class 0 gives log1p(e^−700).
    let (wrong, g) = objective(z: 700, y: 0, loss: .softmaxCrossEntropy, outputs: 2)
    #expect(wrong == 700)
    #expect(g.allSatisfy { $0.isFinite })
    let (right, _) = objective(z: 700, y: 1, loss: .softmaxCrossEntropy, outputs: 2)
    #expect(right == exp(-700.0))
  }
}
