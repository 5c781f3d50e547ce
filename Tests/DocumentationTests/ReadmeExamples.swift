import Foundation
import KKTNet
import Solvers
import Testing

// The code of README.md's section "The library", block for block (SnippetTests checks that the two are
// the same text). Each test runs its blocks from the repository's root, as `swift test` does.

@Suite("README: the library")
struct ReadmeExamples {
  @Test("iris with Adam, then its multipliers and certificate, then a safetensors round trip")
  func iris() throws {
    // snippet: readme-iris
    let iris = try Dataset.load(path: "datasets/iris.csv", loss: .softmaxCrossEntropy)
    let (training, validation) = try iris.split(validationFraction: 0.2, seed: 1)
    let standardization = Standardization.fit(training)
    let train = try standardization.apply(to: training)
    let network = try Network(
      architecture: Architecture(layerSizes: [4, 8, 3], activations: [.tanh, .softmax]),
      loss: .softmaxCrossEntropy, seed: 1)
    var plan = TrainingPlan(solver: .adam)
    plan.learningRate = 0.01
    plan.epochs = 200
    let result = try plan.run(network: network, inputs: train.inputs, targets: train.targets)
    print(result.termination, "loss", result.loss)  // J(θ): the mean cross-entropy
    // end snippet
    #expect(result.loss < 0.2)

    // snippet: readme-certificate
    let lagrangian = try Lagrangian(network: result.network, dataset: train)
    let kkt = lagrangian.solve(parameters: result.network.parameters)
    let certificate = lagrangian.certificate(at: kkt.point)
    for k in 1...result.network.architecture.layerCount {  // layers count from 1: λ¹ … λᴺ
      let lambda = kkt.multipliers[k]
      print("λ\(k): \(lambda.rows)×\(lambda.columns), ‖λ\(k)‖ = \(certificate.multiplierNorms[k])")
    }
    print("primal", certificate.primalResidual, "adjoint", certificate.adjointResidual)
    print("‖∂L/∂θ‖∞", certificate.gradientNorm)
    // end snippet
    #expect(certificate.primalResidual == 0)
    #expect(certificate.adjointResidual <= 1e-12)

    // snippet: readme-round-trip
    let model = ModelFile(network: result.network, standardization: standardization, classes: iris.classes)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("iris-readme.safetensors").path
    try model.write(path: path)
    let loaded = try ModelFile.read(path: path)
    let prediction = try loaded.predict(validation)  // standardizes the raw inputs itself
    let labels = prediction.labels!  // the iris classes 0, 1, 2
    let truth = validation.targets  // one-hot
    let right = labels.indices.filter { truth[Int(labels[$0]), $0] == 1 }.count
    print("validation accuracy \(right) of \(labels.count)")
    // end snippet
    #expect(Double(right) >= 0.85 * Double(labels.count))
    #expect(prediction == (try model.predict(validation)))
    try? FileManager.default.removeItem(atPath: path)
  }

  @Test("Misra1a with Levenberg–Marquardt and standard errors")
  func misra1a() throws {
    // snippet: readme-misra1a
    let misra = try NISTFile.read(path: "Tests/SolversTests/NIST/Misra1a.dat")
    let (y, x) = (misra.columns[0], misra.columns[1])
    let problem = CurveFittingProblem(
      x: x, y: y, parameterCount: 2,
      derivative: { x, b in [1 - exp(-b[1] * x), b[0] * x * exp(-b[1] * x)] },
      model: { x, b in b[0] * (1 - exp(-b[1] * x)) })
    let fit = LevenbergMarquardt().minimize(problem, from: [500, 1e-4])
    // fit.loss is ½‖r‖²: the residual sum of squares is 2·fit.loss.
    let statistics = FitStatistics(problem: problem, parameters: fit.parameters)
    print(fit.termination)
    print("b =", fit.parameters, "standard errors", statistics.standardErrors!)
    print("RSS", statistics.residualSumOfSquares, "=", 2 * fit.loss)
    // end snippet
    // NIST's certified values, to about 6 significant digits from a start that far away.
    for (value, certified) in zip(fit.parameters, misra.certifiedParameters) {
      #expect(abs(value - certified) <= 1e-6 * abs(certified))
    }
    for (value, certified) in zip(statistics.standardErrors!, misra.certifiedStandardDeviations) {
      #expect(abs(value - certified) <= 1e-5 * abs(certified))
    }
  }

  @Test("a least-squares problem of one's own")
  func customProblem() throws {
    // snippet: readme-custom
    /// y ≈ a·e^(b·x): four members, and the solvers do the rest.
    final class Exponential: LeastSquaresProblem {
      let x: [Double]
      let y: [Double]
      init(x: [Double], y: [Double]) { (self.x, self.y) = (x, y) }
      var parameterCount: Int { 2 }
      var residualCount: Int { x.count }
      // rᵢ = a·e^(b·xᵢ) − yᵢ
      func residuals(at p: [Double], into r: inout [Double]) {
        for i in x.indices { r[i] = p[0] * exp(p[1] * x[i]) - y[i] }
      }
      // ∂rᵢ/∂a = e^(b·xᵢ), ∂rᵢ/∂b = a·xᵢ·e^(b·xᵢ)
      func jacobian(at p: [Double], into j: inout Matrix) {
        for i in x.indices {
          j[i, 0] = exp(p[1] * x[i])
          j[i, 1] = p[0] * x[i] * exp(p[1] * x[i])
        }
      }
    }
    let x = (0..<10).map(Double.init)
    let problem = Exponential(x: x, y: x.map { 2 * exp(0.3 * $0) })
    var logger = SolverLogger(for: LevenbergMarquardt(), showsTime: false)
    let fit = LevenbergMarquardt().minimize(problem, from: [1, 0.1]) { logger.log($0) }
    print(fit.termination, fit.parameters)  // a = 2, b = 0.3
    // end snippet
    // Exact data: the fit is exact to rounding of the residuals (size 2e^2.7 ≈ 30).
    #expect(abs(fit.parameters[0] - 2) <= 1e-9)
    #expect(abs(fit.parameters[1] - 0.3) <= 1e-10)
  }
}
