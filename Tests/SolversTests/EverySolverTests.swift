import KKTNet
import Solvers
import TestSupport
import Testing

/// Every solver against every bundled dataset from one start (optimistix's `test_least_squares.py` style).
@Suite("Every solver on every dataset")
struct EverySolverTests {
  struct Case: Sendable, CustomStringConvertible {
    let dataset: String
    let loss: Loss
    let hidden: Int
    var description: String { dataset }
  }

  static let datasets = [
    Case(dataset: "breast_cancer", loss: .binaryCrossEntropy, hidden: 8),
    Case(dataset: "diabetes", loss: .meanSquaredError, hidden: 8),
    Case(dataset: "digits", loss: .softmaxCrossEntropy, hidden: 16),
    Case(dataset: "iris", loss: .softmaxCrossEntropy, hidden: 6),
    Case(dataset: "wine", loss: .softmaxCrossEntropy, hidden: 6),
  ]

  @Test("each solver decreases the loss", arguments: datasets, SolverKind.allCases)
  func decreases(_ c: Case, _ solver: SolverKind) throws {
    // Bayesian regularization trains mse networks with a penalty of its own choosing (α).
    if solver == .bayesianRegularization && c.loss != .meanSquaredError { return }
    // dlADMM's closed-form steps are for ReLU hidden layers and ce, without a weight penalty.
    if solver == .admm && c.loss != .softmaxCrossEntropy { return }
    let data = try Dataset.load(path: datasetPath(c.dataset), loss: c.loss)
    let s = Standardization.fit(inputs: data.inputs, targets: c.loss == .meanSquaredError ? data.targets : nil)
    let (x, y) = (s.standardizeInputs(data.inputs), s.standardizeTargets(data.targets))
    let network = try Network(
      architecture: Architecture(
        layerSizes: [x.rows, c.hidden, y.rows],
        activations: [solver == .admm ? .relu : .tanh, c.loss.naturalOutputActivation]),
      loss: c.loss,
      regularization: Regularization(l2: solver == .bayesianRegularization || solver == .admm ? 0 : 1e-4), seed: 7)
    var plan = TrainingPlan(solver: solver)
    // Second-order iterations count rejected trials too: LM may reject a few while μ grows.
    plan.epochs = solver.isFirstOrder ? (solver == .stochastic ? 1 : 5) : 10
    let result = try plan.run(network: network, inputs: x, targets: y)
    if solver == .bayesianRegularization {
      // F = βE_D + αE_W changes with α and β: the data term is what must fall.
      let mse = { (theta: [Double]) in Lagrangian(network: network, inputs: x, targets: y).objective(parameters: theta)
      }
      #expect(mse(result.parameters) < mse(network.parameters), "\(result.termination)")
      return
    }
    let start = result.history[0].loss
    #expect(result.loss < start, "\(solver) on \(c.dataset): \(start) → \(result.loss), \(result.termination)")
    #expect(result.iterations >= 1)
  }
}
