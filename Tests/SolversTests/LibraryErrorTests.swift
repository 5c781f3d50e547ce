import KKTNet
import Solvers
import TestSupport
import Testing

/// Misuse a user can reach with settings or data of their own: a typed error with a sentence in the
/// library's terms, never a trap; and loggers that take their columns from the solver.
@Suite("library errors and loggers")
struct LibraryErrorTests {
  let network = try! Network(
    architecture: Architecture(layerSizes: [2, 3, 1], activations: [.tanh, .identity]), loss: .meanSquaredError,
    seed: 1)
  let inputs = Matrix(rows: 2, columns: 4, elements: [0, 1, 1, 0, 1, 1, 0, 0])
  let targets = Matrix(rows: 1, columns: 4, elements: [1, 0, 1, 0])

  @Test(
    "a plan setting out of its range throws invalidSetting naming the property",
    arguments: ["learningRate", "learningRate NaN", "batchSize", "momentum", "epochs", "patience", "stepTolerance"])
  func invalidSetting(_ setting: String) throws {
    var plan = TrainingPlan(solver: .adam)
    switch setting {
    case "learningRate": plan.learningRate = -1
    case "learningRate NaN": plan.learningRate = .nan
    case "batchSize": plan.batchSize = 0
    case "momentum": plan.momentum = 1
    case "epochs": plan.epochs = -1
    case "patience": plan.patience = 0
    default: plan.stepTolerance = -1
    }
    let property = String(setting.split(separator: " ")[0])
    let error = #expect(throws: TrainingError.self) {
      try plan.run(network: network, inputs: inputs, targets: targets)
    }
    guard case .invalidSetting(let sentence) = error else {
      Issue.record("expected invalidSetting, got \(String(describing: error))")
      return
    }
    #expect(sentence.hasPrefix(property))
    #expect(!sentence.contains("--"))
  }

  @Test("L1 with Levenberg–Marquardt throws before any work, in the library's terms")
  func l1WithLevenbergMarquardt() throws {
    var sparse = network
    sparse.regularization = Regularization(l1: 1e-3)
    let error = #expect(throws: TrainingError.self) {
      try TrainingPlan(solver: .levenbergMarquardt).run(network: sparse, inputs: inputs, targets: targets)
    }
    #expect(error == .l1NeedsFirstOrder(.levenbergMarquardt))
    #expect(error.map { !$0.description.contains("--") } == true)
  }

  @Test("class labels given to a ce network: the error says to load one-hot targets")
  func labelsForClassifier() throws {
    let classifier = try Network(
      architecture: Architecture(layerSizes: [4, 3], activations: [.softmax]), loss: .softmaxCrossEntropy, seed: 1)
    let data = try Dataset.load(path: datasetPath("iris"), loss: .meanSquaredError)
    let error = #expect(throws: TrainingError.self) {
      try TrainingPlan(solver: .adam).run(network: classifier, inputs: data.inputs, targets: data.targets)
    }
    #expect(error?.description.contains("loss: .softmaxCrossEntropy") == true)
  }

  @Test("no termination's sentence names a command-line flag")
  func terminationsSpeakOfTheLibrary() {
    let all: [Termination] = [
      .gradientTolerance(1e-12), .stepTolerance(1e-12), .functionTolerance(1e-12), .goalReached(0),
      .maximumIterations(100), .dampingTooLarge(1e32), .timeLimit(10), .validationStop(6), .nonFiniteStart,
      .singularSystem("the matrix is singular"), .noDescent(30), .nonFiniteLoss, .interrupted,
      .relativeReduction(1e-8), .trustRegionRadius(1e-8), .relativeReductionAndRadius(reduction: 1e-8, radius: 1e-8),
      .residualOrthogonality(0), .reductionBelowRounding, .radiusBelowRounding, .orthogonalityBelowRounding,
    ]
    for termination in all {
      #expect(!termination.description.contains("--"), "\(termination.name)")
    }
  }

  @Test("a logger made for a solver or a plan labels the step-control column as the solver does")
  func loggerColumns() {
    func label(_ solver: some StepControlNaming) -> String {
      SolverLogger(for: solver, showsTime: false).header(validation: false).split(separator: " ").last.map(String.init)
        ?? ""
    }
    #expect(label(LevenbergMarquardt()) == "Δ")
    #expect(label(LevenbergMarquardt(options: .init(control: .schedule(NielsenDamping())))) == "μ")
    #expect(label(GaussNewton()) == "step")
    #expect(label(TrainingPlan(solver: .adam)) == "η")
    var schedule = TrainingPlan(solver: .levenbergMarquardt)
    #expect(label(schedule) == "Δ")
    schedule.damping = .nielsen
    #expect(label(schedule) == "μ")
  }

  @Test("a logger passed as the trailing closure prints the header and one line per summary")
  func loggerMatchesRun() {
    let problem = CurveFittingProblem(x: [0, 1, 2, 3], y: [1, 3, 5, 7], parameterCount: 2) { x, b in b[0] * x + b[1] }
    var lines: [String] = []
    var logger = SolverLogger(for: LevenbergMarquardt(), showsTime: false) { lines.append($0) }
    let fit = LevenbergMarquardt().minimize(problem, from: [0, 0]) { logger.log($0) }
    #expect(lines.count == fit.history.count + 1)
    #expect(abs(fit.parameters[0] - 2) <= 1e-10 && abs(fit.parameters[1] - 1) <= 1e-10)
  }
}
