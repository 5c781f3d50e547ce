import Foundation
import KKTNet
import Solvers
import Testing

// The code of the DocC articles, block for block (SnippetTests checks that the two are the same text).

@Suite("DocC articles")
struct ArticleExamples {
  @Test("Computing a gradient three ways")
  func gradientThreeWays() throws {
    // snippet: gradient-network
    let architecture = try Architecture(layerSizes: [3, 8, 2], activations: [.tanh, .identity])
    let network = try Network(architecture: architecture, loss: .meanSquaredError, seed: 1)
    let (inputs, targets) = SyntheticData.batch(
      architecture: architecture, loss: .meanSquaredError, sampleCount: 32, seed: 2)
    // end snippet

    // snippet: gradient-lagrangian
    let lagrangian = Lagrangian(network: network, inputs: inputs, targets: targets)
    let kkt = lagrangian.solve(parameters: network.parameters)
    print("J(θ) =", kkt.objective)  // equals L at the KKT point
    print("λ² = −∂J/∂x²:", kkt.multipliers[2].rows, "×", kkt.multipliers[2].columns)
    let fromLagrangian = kkt.gradient  // ∂L/∂θ, in file order
    // end snippet

    // snippet: gradient-backprop
    let fromBackprop = Backpropagation(network: network, inputs: inputs, targets: targets).gradient().gradient
    // end snippet

    // snippet: gradient-finite-differences
    let workspace = lagrangian.makeWorkspace()
    let fromDifferences = FiniteDifference.gradient(at: network.parameters, order: .fourth) {
      lagrangian.objective(parameters: $0, workspace: workspace)
    }
    // end snippet

    // snippet: gradient-comparison
    let comparison = GradientComparison(network: network, inputs: inputs, targets: targets)
    print("backprop:", comparison.largestRelativeBackprop)
    print("finite differences:", comparison.largestRelativeFiniteDifference)
    print(comparison.passes() ? "the three gradients agree" : "they differ")
    let certificate = lagrangian.certificate(at: kkt.point)
    print("‖∂L/∂λ‖∞ =", certificate.primalResidual, " ‖∂L/∂x‖∞ =", certificate.adjointResidual)
    // end snippet

    // Two code paths for the same sums: agreement to rounding (relative 1e-12); finite differences to
    // their truncation and rounding error (relative 1e-6, as `passes` judges).
    let scale = fromLagrangian.map(abs).max()!
    for i in fromLagrangian.indices {
      #expect(abs(fromLagrangian[i] - fromBackprop[i]) <= 1e-12 * scale)
      #expect(abs(fromLagrangian[i] - fromDifferences[i]) <= 1e-6 * scale)
    }
    #expect(comparison.passes())
  }

  @Test("Fitting a model")
  func fittingAModel() throws {
    // snippet: fit-problem
    // BoxBOD (NIST): y = b₁(1 − e^(−b₂x)), six points.
    let x: [Double] = [1, 2, 3, 5, 7, 10]
    let y: [Double] = [109, 149, 149, 191, 213, 224]
    let problem = CurveFittingProblem(
      x: x, y: y, parameterCount: 2,
      derivative: { x, b in [1 - exp(-b[1] * x), b[0] * x * exp(-b[1] * x)] },
      model: { x, b in b[0] * (1 - exp(-b[1] * x)) })
    // end snippet

    // snippet: fit-solve
    var logger = SolverLogger(for: LevenbergMarquardt(), showsTime: false)
    let fit = LevenbergMarquardt().minimize(problem, from: [100, 0.75]) { logger.log($0) }
    print(fit.termination)
    print("½‖r‖² =", fit.loss, " RSS =", problem.residualSumOfSquares(at: fit.parameters))
    // end snippet

    // snippet: fit-statistics
    let statistics = FitStatistics(problem: problem, parameters: fit.parameters)
    let errors = statistics.standardErrors!
    for (i, b) in fit.parameters.enumerated() {
      print("b\(i + 1) = \(b) ± \(errors[i])")
    }
    let intervals = statistics.confidenceIntervals(confidence: 0.95)!
    print("95% interval of b1:", intervals[0].lower, "…", intervals[0].upper)
    // end snippet

    // NIST's certified BoxBOD values: b = 213.80940889, 0.54723748542; standard deviations 12.354515176,
    // 0.10455993237; RSS 1168.0088766.
    #expect(abs(fit.parameters[0] - 213.80940889) <= 1e-6 * 213.8)
    #expect(abs(fit.parameters[1] - 0.54723748542) <= 1e-6 * 0.547)
    #expect(abs(errors[0] - 12.354515176) <= 1e-5 * 12.35)
    #expect(abs(errors[1] - 0.10455993237) <= 1e-5 * 0.1046)
    #expect(abs(statistics.residualSumOfSquares - 1168.0088766) <= 1e-8 * 1168)
    #expect(abs(2 * fit.loss - statistics.residualSumOfSquares) <= 1e-12 * 1168)
  }

  @Test("Training a network")
  func trainingANetwork() throws {
    // snippet: train-data
    let data = try Dataset.load(path: "datasets/diabetes.csv", loss: .meanSquaredError)
    let (training, validation) = try data.split(validationFraction: 0.2, seed: 1)
    let standardization = Standardization.fit(training, standardizingTargets: true)
    let train = try standardization.apply(to: training)
    let check = try standardization.apply(to: validation)
    // end snippet

    // snippet: train-run
    let network = try Network(
      architecture: Architecture(layerSizes: [10, 8, 1], activations: [.tanh, .identity]),
      loss: .meanSquaredError, regularization: Regularization(l1: 0, l2: 1e-3), seed: 1)
    var plan = TrainingPlan(solver: .levenbergMarquardt)
    plan.maximumIterations = 30
    var logger = SolverLogger(for: plan, showsTime: false)
    let result = try plan.run(
      network: network, inputs: train.inputs, targets: train.targets,
      validation: (check.inputs, check.targets)
    ) { logger.log($0) }
    print(result.termination)
    // end snippet

    // snippet: train-errors
    var l1Plan = plan
    var sparse = network
    sparse.regularization = Regularization(l1: 1e-3, l2: 0)
    do {
      _ = try l1Plan.run(network: sparse, inputs: train.inputs, targets: train.targets)
    } catch {
      print(error)  // the L1 penalty needs a first-order solver
      l1Plan.solver = .adam
    }
    // end snippet
    #expect(l1Plan.solver == .adam)

    // snippet: train-predict
    let model = ModelFile(network: result.network, standardization: standardization)
    let predicted = try model.predict(validation).outputs  // in the targets' units
    let r2 = Metrics.coefficientOfDetermination(outputs: predicted, targets: validation.targets)
    print("validation R² =", r2)
    // end snippet
    #expect(r2 > 0.3)
    #expect(result.loss < 0.5)
  }
}
