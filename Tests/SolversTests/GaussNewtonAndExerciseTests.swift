import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

@Suite("Gauss–Newton and the course exercise")
struct GaussNewtonAndExerciseTests {
  @Test("Gauss–Newton converges quadratically on a zero-residual problem")
  func quadraticConvergence() {
    // y = 2e^{−x/2} + 0.5 sampled exactly: the residual is zero at b* = (2, 0.5, 0.5).
    let x = (0..<12).map { Double($0) * 0.75 }
    let truth = [2.0, 0.5, 0.5]
    let y = x.map { truth[0] * exp(-truth[1] * $0) + truth[2] }
    let problem = CurveFittingProblem(
      x: x, y: y, parameterCount: 3, derivative: { x, b in [exp(-b[1] * x), -b[0] * x * exp(-b[1] * x), 1] },
      model: { x, b in b[0] * exp(-b[1] * x) + b[2] })
    var options = GaussNewton.Options()
    options.stopping = StoppingCriteria(
      maximumIterations: 30, gradientTolerance: 0, stepTolerance: 0, functionTolerance: 0, goal: 0)
    // For a zero-residual problem f = ½‖J(θ − b*)‖² + O(‖θ − b*‖³), so e = √f measures the error.
    var losses: [Double] = []
    let result = GaussNewton(options: options).minimize(
      problem, from: [1.5, 0.7, 0.2], observer: { losses.append($0.loss) })
    let errors = losses.map { $0.squareRoot() }.filter { $0 > 1e-12 }
    #expect(errors.count >= 4)
    // e_{k+1} ≤ C e_k² with a modest C once in the quadratic regime (the last three steps).
    for k in (errors.count - 3)..<(errors.count - 1) {
      let ratio = errors[k + 1] / (errors[k] * errors[k])
      #expect(ratio < 10, "e\(k + 1)/e\(k)² = \(ratio) over \(errors)")
    }
    #expect(relativeDifference(result.parameters, truth) <= 1e-13)
  }

  /// The course's single-neuron least-squares exercise: r(β) = y − σ(Xβ), with the Jacobian
  /// J_r = −diag(σ′(Xβ))·X and the gradient ∇f = J_rᵀr of f = ½‖r‖².
  struct SingleNeuron {
    let x: Matrix  // m × p, a column of ones for the bias
    let y: [Double]

    func residuals(_ beta: [Double]) -> [Double] {
      (0..<x.rows).map { i in y[i] - Activation.sigmoid.value((0..<x.columns).map { x[i, $0] * beta[$0] }.reduce(0, +))
      }
    }

    func jacobian(_ beta: [Double]) -> Matrix {
      var j = Matrix(rows: x.rows, columns: x.columns)
      for i in 0..<x.rows {
        let z = (0..<x.columns).map { x[i, $0] * beta[$0] }.reduce(0, +)
        for c in 0..<x.columns { j[i, c] = -Activation.sigmoid.derivative(z) * x[i, c] }
      }
      return j
    }
  }

  static func neuronData() -> SingleNeuron {
    var random = RandomSource(seed: 12)
    let truth = [1.5, -2.0, 0.5]
    let m = 40
    var x = Matrix(rows: m, columns: 3)
    var y: [Double] = []
    for i in 0..<m {
      x[i, 0] = random.nextNormal()
      x[i, 1] = random.nextNormal()
      x[i, 2] = 1
      y.append(Activation.sigmoid.value(truth[0] * x[i, 0] + truth[1] * x[i, 1] + truth[2]))
    }
    return SingleNeuron(x: x, y: y)
  }

  @Test("∇f = J_rᵀr equals finite differences of ½‖r‖²")
  func neuronGradient() {
    let neuron = Self.neuronData()
    let beta = [0.3, 0.1, -0.2]
    var g = [Double](repeating: 0, count: 3)
    BLAS.gemv(neuron.jacobian(beta), neuron.residuals(beta), transpose: .transpose, into: &g)
    let fd = FiniteDifference.gradient(at: beta) { b in 0.5 * neuron.residuals(b).map { $0 * $0 }.reduce(0, +) }
    #expect(relativeDifference(g, fd) <= 1e-10)
  }

  @Test("Gauss–Newton and Levenberg–Marquardt recover β from noise-free data, as does the 2-1 sigmoid network")
  func neuronFit() throws {
    let neuron = Self.neuronData()
    let problem = CurveFittingProblem(
      parameterCount: 3, residualCount: 40, jacobian: neuron.jacobian, residuals: neuron.residuals)
    let stopping = StoppingCriteria(maximumIterations: 200, gradientTolerance: 1e-15, stepTolerance: 1e-14)
    for result in [
      GaussNewton(options: .init(stopping: stopping)).minimize(problem, from: [0, 0, 0]),
      LevenbergMarquardt(options: .init(stopping: stopping)).minimize(problem, from: [0, 0, 0]),
    ] {
      #expect(relativeDifference(result.parameters, [1.5, -2.0, 0.5]) <= 1e-10, "\(result.termination)")
    }
    // The same neuron as a KKTNet network: W = [β₁ β₂], b = β₃, mse on 40 samples.
    let network = try Network(
      architecture: Architecture(layerSizes: [2, 1], activations: [.sigmoid]), loss: .meanSquaredError,
      parameters: [0, 0, 0])
    var inputs = Matrix(rows: 2, columns: 40)
    for i in 0..<40 {
      inputs[0, i] = neuron.x[i, 0]
      inputs[1, i] = neuron.x[i, 1]
    }
    let fit = LevenbergMarquardt(options: .init(stopping: stopping)).minimize(
      NetworkLeastSquaresProblem(
        network: network, inputs: inputs, targets: Matrix(rows: 1, columns: 40, elements: neuron.y)),
      from: network.parameters)
    #expect(relativeDifference(fit.parameters, [1.5, -2.0, 0.5]) <= 1e-10)
  }
}
