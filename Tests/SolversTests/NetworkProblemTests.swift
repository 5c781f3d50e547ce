import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

@Suite("Network problems")
struct NetworkProblemTests {
  static func sine() -> (Matrix, Matrix) {
    // NumPy's linspace(−3, 3, 200): −3 + i·(6/199), the last point exactly 3.
    let x = (0..<200).map { $0 == 199 ? 3 : -3 + Double($0) * (6.0 / 199) }
    return (Matrix(rows: 1, columns: 200, elements: x), Matrix(rows: 1, columns: 200, elements: x.map(sin)))
  }

  /// The peers' starting weights of problem P1 or P2 (`bench/`).
  static func peerStart(_ name: String) throws -> Network {
    try ModelFile.read(path: repositoryRoot.appendingPathComponent("bench/\(name).safetensors").path).network
  }

  static func network(
    _ sizes: [Int], output: Activation = .identity, loss: Loss = .meanSquaredError, l2: Double = 0, seed: UInt64
  ) -> Network {
    let activations = Array(repeating: Activation.tanh, count: sizes.count - 2) + [output]
    return try! Network(
      architecture: Architecture(layerSizes: sizes, activations: activations), loss: loss,
      regularization: Regularization(l2: l2),
      seed: seed)
  }

  @Test("Jᵀr equals the Lagrangian gradient to 1e-12, and blocks of 7 samples give the same JᵀJ as the whole Jacobian")
  func normalEquations() {
    let network = Self.network([3, 6, 5, 2], l2: 0.05, seed: 4)
    let (x, y) = SyntheticData.batch(
      architecture: network.architecture, loss: .meanSquaredError, sampleCount: 30, seed: 5)
    let whole = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
    let blocked = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y, blockSize: 7)
    let p = network.architecture.parameterCount
    var g = [Double](repeating: 0, count: p)
    var normal = Matrix(rows: p, columns: p)
    let f = blocked.normalEquations(at: network.parameters, normalMatrix: &normal, gradient: &g)
    let lagrangian = Lagrangian(network: network, inputs: x, targets: y).gradient(at: network.parameters)
    #expect(relativeDifference(g, lagrangian.gradient) <= 1e-12)
    #expect(abs(f - lagrangian.objective) <= 1e-14 * lagrangian.objective)
    #expect(abs(whole.objective(at: network.parameters) - lagrangian.objective) <= 1e-14 * lagrangian.objective)
    // From the materialized Jacobian with its penalty rows.
    var j = Matrix(rows: whole.residualCount, columns: p)
    whole.jacobian(at: network.parameters, into: &j)
    var r = [Double](repeating: 0, count: whole.residualCount)
    whole.residuals(at: network.parameters, into: &r)
    var jtj = Matrix(rows: p, columns: p)
    BLAS.syrk(j, transpose: .transpose, into: &jtj)
    var jtr = [Double](repeating: 0, count: p)
    BLAS.gemv(j, r, transpose: .transpose, into: &jtr)
    #expect(relativeDifference(jtj.elements, normal.elements) <= 1e-13)
    #expect(relativeDifference(jtr, lagrangian.gradient) <= 1e-12)
    #expect(abs(0.5 * BLAS.dot(r, r) - lagrangian.objective) <= 1e-14 * lagrangian.objective)
    // J·v from the tangent pass and Jᵀu from the adjoint pass equal the products with J.
    var random = RandomSource(seed: 6)
    let v = (0..<p).map { _ in random.nextNormal() }
    let u = (0..<whole.residualCount).map { _ in random.nextNormal() }
    var jv = [Double](repeating: 0, count: whole.residualCount)
    BLAS.gemv(j, v, into: &jv)
    var jtu = [Double](repeating: 0, count: p)
    BLAS.gemv(j, u, transpose: .transpose, into: &jtu)
    #expect(relativeDifference(blocked.jacobianProduct(at: network.parameters, direction: v), jv) <= 1e-13)
    #expect(relativeDifference(blocked.transposedJacobianProduct(at: network.parameters, vector: u), jtu) <= 1e-13)
  }

  @Test(
    "sin(x) on 200 points of [−3, 3] with a 1-10-1 tanh network reaches mean ½(ŷ − y)² ≤ 1e-7",
    arguments: ["seed 1", "P1"], ["trust region", "Nielsen"])
  func sine(_ start: String, _ control: String) throws {
    let (x, y) = Self.sine()
    let network = start == "P1" ? try Self.peerStart("P1") : Self.network([1, 10, 1], seed: 1)
    let problem = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
    var options =
      control == "Nielsen" ? LevenbergMarquardt.Options(damping: NielsenDamping()) : LevenbergMarquardt.Options()
    options.stopping = StoppingCriteria(maximumIterations: 2000, goal: 1e-7)
    let result = LevenbergMarquardt(options: options).minimize(problem, from: network.parameters)
    #expect(result.termination == .goalReached(1e-7))
    #expect(result.loss <= 1e-7)
    // The reported loss comes from the normal equations, ½Σr²·(1/m), the objective from ½Σr²/m: the same sum
    // scaled two ways, so at most 2 ulp apart (equal only by luck).
    #expect(abs(problem.objective(at: result.parameters) - result.loss) <= 2 * result.loss.ulp)
    #expect(zip(result.history, result.history.dropFirst()).allSatisfy { $1.loss <= $0.loss })
  }

  @Test(
    "diabetes (standardized) with a 10-10-1 tanh network from the peers' start: Nielsen's damping (D = I) reaches mean ½(ŷ − y)² ≤ 0.095 (MSE 0.19), where MINPACK's trust region stalls"
  )
  func diabetes() throws {
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let s = Standardization.fit(inputs: data.inputs, targets: data.targets)
    let network = try Self.peerStart("P2")
    let problem = NetworkLeastSquaresProblem(
      network: network, inputs: s.standardizeInputs(data.inputs), targets: s.standardizeTargets(data.targets))
    var options = LevenbergMarquardt.Options(damping: NielsenDamping())
    options.stopping = StoppingCriteria(maximumIterations: 1000, goal: 0.095)
    let result = LevenbergMarquardt(options: options).minimize(problem, from: network.parameters)
    #expect(result.loss <= 0.095, "\(result.termination)")
    #expect(result.termination == .goalReached(0.095))
  }

  @Test(
    "the generalized Gauss–Newton matrix equals (1/m) Σ JᵢᵀHᵢJᵢ built from finite differences",
    arguments: [Loss.binaryCrossEntropy, .softmaxCrossEntropy])
  func generalizedGaussNewton(_ loss: Loss) throws {
    let outputs = loss == .softmaxCrossEntropy ? 3 : 2
    let network = Self.network([2, 4, outputs], output: loss.naturalOutputActivation, loss: loss, l2: 0.1, seed: 7)
    let (x, y) = SyntheticData.batch(architecture: network.architecture, loss: loss, sampleCount: 9, seed: 8)
    let problem = NetworkGaussNewtonProblem(network: network, inputs: x, targets: y, blockSize: 4)
    let p = network.architecture.parameterCount
    var normal = Matrix(rows: p, columns: p)
    var g = [Double](repeating: 0, count: p)
    let f = problem.normalEquations(at: network.parameters, normalMatrix: &normal, gradient: &g)
    let lagrangian = Lagrangian(network: network, inputs: x, targets: y).gradient(at: network.parameters)
    #expect(relativeDifference(g, lagrangian.gradient) <= 1e-13)
    #expect(abs(f - lagrangian.objective) <= 1e-14 * f)
    // Jᵢ = ∂zᴺᵢ/∂θ by finite differences of an identity-output copy of the network.
    let linear = try Network(
      architecture: Architecture(layerSizes: [2, 4, outputs], activations: [.tanh, .identity]), loss: .meanSquaredError,
      parameters: network.parameters)
    let zLagrangian = Lagrangian(network: linear, inputs: x, targets: Matrix(rows: outputs, columns: 9))
    let jz = FiniteDifference.jacobian(at: network.parameters) { zLagrangian.outputs(parameters: $0).elements }
    let s = Lagrangian(network: network, inputs: x, targets: y).outputs(parameters: network.parameters)
    var expected = Matrix(rows: p, columns: p)
    for i in 0..<9 {
      var h = Matrix(rows: outputs, columns: outputs)
      for a in 0..<outputs {
        for b in 0..<outputs {
          h[a, b] =
            loss == .binaryCrossEntropy
            ? (a == b ? s[a, i] * (1 - s[a, i]) : 0) : (a == b ? s[a, i] : 0) - s[a, i] * s[b, i]
        }
      }
      var ji = Matrix(rows: outputs, columns: p)
      for a in 0..<outputs { for c in 0..<p { ji[a, c] = jz[i * outputs + a, c] } }
      let contribution = ji.transposed * (h * ji)
      for k in expected.elements.indices { expected.elements[k] += contribution.elements[k] / 9 }
    }
    for tensor in network.architecture.tensors where tensor.isWeight {
      for c in tensor.range { expected[c, c] += 0.1 }
    }
    #expect(relativeDifference(normal.elements, expected.elements) <= 1e-8)
  }

  @Test("Levenberg–Marquardt trains a classifier on the generalized Gauss–Newton matrix")
  func classifier() throws {
    let data = try Dataset.load(path: datasetPath("iris"), loss: .softmaxCrossEntropy)
    let s = Standardization.fit(inputs: data.inputs)
    let network = Self.network([4, 6, 3], output: .softmax, loss: .softmaxCrossEntropy, seed: 3)
    let problem = NetworkGaussNewtonProblem(
      network: network, inputs: s.standardizeInputs(data.inputs), targets: data.targets)
    var options = LevenbergMarquardt.Options()
    options.stopping.maximumIterations = 100
    let result = LevenbergMarquardt(options: options).minimize(problem, from: network.parameters)
    #expect(result.loss < 0.1 * result.history[0].loss)
    #expect(zip(result.history, result.history.dropFirst()).allSatisfy { $1.loss <= $0.loss })
    let outputs = Lagrangian(network: network, inputs: s.standardizeInputs(data.inputs), targets: data.targets)
      .outputs(parameters: result.parameters)
    let correct = (0..<150).filter { j in
      (0..<3).max { outputs[$0, j] < outputs[$1, j] } == (0..<3).first { data.targets[$0, j] == 1 }
    }.count
    #expect(correct >= 145)
  }

  @Test("trainlm's validation stop keeps the best validated parameters")
  func validationStop() {
    let (x, y) = Self.sine()
    // Noisy training targets, clean validation: the fit eventually over-trains on the noise.
    var random = RandomSource(seed: 9)
    var noisy = y
    for i in noisy.elements.indices { noisy.elements[i] += 0.3 * random.nextNormal() }
    let network = Self.network([1, 30, 1], seed: 5)
    let problem = NetworkLeastSquaresProblem(network: network, inputs: x, targets: noisy)
    let validation = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
    var options = LevenbergMarquardt.Options(damping: MultiplicativeDamping())
    options.stopping = StoppingCriteria(maximumIterations: 2000, goal: 0, maximumValidationFailures: 6)
    let result = LevenbergMarquardt(options: options).minimize(
      problem, from: network.parameters, validation: Validation { validation.objective(at: $0) })
    guard case .validationStop(let failures) = result.termination else {
      Issue.record("expected a validation stop, got \(result.termination)")
      return
    }
    #expect(failures == 6)
    let best = result.history.compactMap(\.validationLoss).min()!
    #expect(validation.objective(at: result.parameters) == best)
    #expect(result.history.last!.validationLoss! > best)
  }

  @Test("the time limit ends a run with its reason")
  func timeLimit() {
    let (x, y) = Self.sine()
    let network = Self.network([1, 10, 1], seed: 1)
    var options = LevenbergMarquardt.Options()
    options.stopping = StoppingCriteria(maximumIterations: 1_000_000, goal: 0, timeLimit: 0.05)
    let result = LevenbergMarquardt(options: options).minimize(
      NetworkLeastSquaresProblem(network: network, inputs: x, targets: y), from: network.parameters)
    #expect(result.termination == .timeLimit(0.05))
    #expect(result.elapsed >= 0.05)
  }
}
