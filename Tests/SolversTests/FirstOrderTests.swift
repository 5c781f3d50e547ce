import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

@Suite("First-order solvers")
struct FirstOrderTests {
  /// The network and data of `References/adam_reference.py`.
  static func referenceProblem() throws -> (NetworkTrainingProblem, [Double]) {
    let network = try Network(
      architecture: Architecture(layerSizes: [2, 3, 1], activations: [.tanh, .identity]), loss: .meanSquaredError,
      parameters: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.01, -0.02, 0.03, 0.7, -0.8, 0.9, 0.05])
    let x = Matrix(rowMajor: [[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0]])
    let y = Matrix(rowMajor: [[1.0, -0.5, 0.25, 2.0]])
    return (NetworkTrainingProblem(network: network, inputs: x, targets: y), network.parameters)
  }

  @Test("Adam's first three steps equal NumPy's (References/adam_reference.py)")
  func adamReference() throws {
    let reference: [[Double]] = [
      [
        0.19999999839198074, -0.10000000221987607, 0.2000000015359515, 0.30000000265363724, -0.4000000026572853,
        0.6999999977898974, 0.10999999783736816, -0.11999999760899382, 0.1299999970780564, 0.6000000308938028,
        -0.7000000020176459, 0.9999999609592783, 0.14999999859171487,
      ],
      [
        0.29572926306199687, -0.00984117073611035, 0.10201433961203998, 0.20732913225585414, -0.3000804335147057,
        0.7862201700387903, 0.1931971538877868, -0.2089619284188986, 0.20936731699447803, 0.6561007759765299,
        -0.6103978152344847, 0.9656819783825653, 0.23686530648550028,
      ],
      [
        0.38624616570422743, 0.06523302126189341, 0.01147423855408504, 0.12994035915716473, -0.2028933604037618,
        0.854428739643906, 0.2437077447559601, -0.26777837065737864, 0.2479944256473973, 0.7275707579666553,
        -0.532537145122426, 0.8968656416749834, 0.29205734067872846,
      ],
    ]
    let (problem, start) = try Self.referenceProblem()
    for steps in 1...3 {
      let solver = FirstOrderSolver(
        options: .init(method: .adam, learningRate: 0.1, stopping: StoppingCriteria(maximumIterations: steps)))
      let result = solver.minimize(problem, from: start)
      // NumPy's tanh and KKTNet's vectorized one may differ in the last bit; the steps amplify nothing.
      #expect(zip(result.parameters, reference[steps - 1]).allSatisfy { abs($0 - $1) <= 1e-14 }, "step \(steps)")
    }
  }

  @Test("heavy ball and Nesterov follow their update rules")
  func momentumRules() throws {
    let (problem, start) = try Self.referenceProblem()
    let (eta, beta) = (0.05, 0.9)
    var g0 = [Double](repeating: 0, count: 13)
    problem.gradient(at: start, into: &g0)
    // Heavy ball: v₁ = g₀, θ₁ = θ₀ − ηg₀; v₂ = βv₁ + g₁, θ₂ = θ₁ − ηv₂.
    let theta1 = zip(start, g0).map { $0 - eta * $1 }
    var g1 = [Double](repeating: 0, count: 13)
    problem.gradient(at: theta1, into: &g1)
    let heavy = (0..<13).map { theta1[$0] - eta * (beta * g0[$0] + g1[$0]) }
    let momentum = FirstOrderSolver(
      options: .init(method: .momentum(beta: beta), learningRate: eta, stopping: StoppingCriteria(maximumIterations: 2))
    )
    #expect(momentum.minimize(problem, from: start).parameters == heavy)
    // Nesterov: v₁ = g₀, θ₁ = θ₀ − η(g₀ + βg₀); v₂ = βv₁ + g₁, θ₂ = θ₁ − η(g₁ + βv₂).
    let n1 = (0..<13).map { start[$0] - eta * (g0[$0] + beta * g0[$0]) }
    var h1 = [Double](repeating: 0, count: 13)
    problem.gradient(at: n1, into: &h1)
    let n2 = (0..<13).map { n1[$0] - eta * (h1[$0] + beta * (beta * g0[$0] + h1[$0])) }
    let nesterov = FirstOrderSolver(
      options: .init(method: .nesterov(beta: beta), learningRate: eta, stopping: StoppingCriteria(maximumIterations: 2))
    )
    #expect(nesterov.minimize(problem, from: start).parameters == n2)
  }

  @Test("learning-rate schedules")
  func schedules() {
    #expect(LearningRateSchedule.constant.rate(base: 0.1, update: 50, epoch: 5, totalUpdates: 100) == 0.1)
    let step = LearningRateSchedule.stepDecay(every: 10, factor: 0.5)
    #expect(step.rate(base: 0.8, update: 0, epoch: 9, totalUpdates: 0) == 0.8)
    #expect(step.rate(base: 0.8, update: 0, epoch: 10, totalUpdates: 0) == 0.4)
    #expect(step.rate(base: 0.8, update: 0, epoch: 35, totalUpdates: 0) == 0.1)
    let cosine = LearningRateSchedule.cosine(minimum: 0.01)
    #expect(cosine.rate(base: 0.1, update: 0, epoch: 0, totalUpdates: 100) == 0.1)
    #expect(abs(cosine.rate(base: 0.1, update: 50, epoch: 0, totalUpdates: 100) - 0.055) < 1e-16)
    #expect(cosine.rate(base: 0.1, update: 100, epoch: 0, totalUpdates: 100) == 0.01)
  }

  @Test("a run resumed from a checkpoint ends bit for bit where the uninterrupted run ends")
  func resumeIsExact() throws {
    let data = try Dataset.load(path: datasetPath("wine"), loss: .softmaxCrossEntropy)
    let s = Standardization.fit(inputs: data.inputs)
    let network = try Network(
      architecture: Architecture(layerSizes: [13, 8, 3], activations: [.tanh, .softmax]), loss: .softmaxCrossEntropy,
      seed: 4)
    let problem = NetworkTrainingProblem(
      network: network, inputs: s.standardizeInputs(data.inputs), targets: data.targets)
    for method in [FirstOrderMethod.adam, .nesterov(beta: 0.9)] {
      let options = FirstOrderSolver.Options(
        method: method, learningRate: 0.01, schedule: .cosine(minimum: 0.001), batchSize: 16, seed: 9,
        stopping: StoppingCriteria(maximumIterations: 100))
      let solver = FirstOrderSolver(options: options)
      let whole = solver.minimize(problem, from: network.parameters)
      // The state an interrupted run (same flags) saved after 37 updates — mid-epoch, at 12 updates per
      // epoch — then resumed with the same flags.
      var saved: RunState<FirstOrderSolver.State>?
      _ = solver.minimize(
        problem, from: network.parameters, checkpointing: Checkpointing(every: 37) { if saved == nil { saved = $0 } })
      let state = try #require(saved)
      #expect(state.iteration == 37 && state.method.batchInEpoch == 1)
      let resumed = solver.minimize(problem, from: network.parameters, resume: state)
      #expect(resumed.parameters.map(\.bitPattern) == whole.parameters.map(\.bitPattern))
      // Every summary but its wall-clock time.
      func untimed(_ h: [IterationSummary]) -> [IterationSummary] {
        h.map {
          var s = $0
          s.time = 0
          return s
        }
      }
      #expect("\(untimed(resumed.history))" == "\(untimed(whole.history))")  // as text: ρ is NaN, and NaN ≠ NaN
      #expect(resumed.iterations == 100)
    }
  }

  @Test("Levenberg–Marquardt resumed from a checkpoint ends bit for bit where it would have")
  func levenbergMarquardtResume() throws {
    let network = try ModelFile.read(path: repositoryRoot.appendingPathComponent("bench/P1.safetensors").path).network
    let (x, y) = NetworkProblemTests.sine()
    let problem = NetworkLeastSquaresProblem(network: network, inputs: x, targets: y)
    var options = LevenbergMarquardt.Options(damping: NielsenDamping(), scaling: .marquardt)
    options.stopping = StoppingCriteria(maximumIterations: 60, goal: 0)
    let whole = LevenbergMarquardt(options: options).minimize(problem, from: network.parameters)
    var saved: RunState<LevenbergMarquardt.State>?
    _ = LevenbergMarquardt(options: options).minimize(
      problem, from: network.parameters, checkpointing: Checkpointing(every: 25) { if saved == nil { saved = $0 } })
    let state = try #require(saved)
    #expect(state.iteration == 25)
    let resumed = LevenbergMarquardt(options: options).minimize(problem, from: network.parameters, resume: state)
    #expect(resumed.parameters.map(\.bitPattern) == whole.parameters.map(\.bitPattern))
    #expect(resumed.history.map(\.loss) == whole.history.map(\.loss))
  }

  @Test("a learning rate that blows up ends with non_finite_loss and keeps the last finite parameters")
  func divergence() throws {
    let (problem, start) = try Self.referenceProblem()
    let solver = FirstOrderSolver(
      options: .init(method: .gradientDescent, learningRate: 1e6, stopping: StoppingCriteria(maximumIterations: 1000)))
    let result = solver.minimize(problem, from: start)
    #expect(result.termination == .nonFiniteLoss)
    #expect(result.parameters.allSatisfy { $0.isFinite })
    #expect(problem.objective(at: result.parameters).isFinite)
  }

  @Test("early stopping keeps the parameters of the best validation loss")
  func earlyStopping() throws {
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let s = Standardization.fit(inputs: data.inputs, targets: data.targets)
    let (x, y) = (s.standardizeInputs(data.inputs), s.standardizeTargets(data.targets))
    let train = Dataset(inputNames: [], targetNames: [], inputs: x, targets: y).samples(Array(0..<60))
    let validation = Dataset(inputNames: [], targetNames: [], inputs: x, targets: y).samples(Array(300..<442))
    let network = try Network(
      architecture: Architecture(layerSizes: [10, 40, 1], activations: [.tanh, .identity]), loss: .meanSquaredError,
      seed: 3)
    let problem = NetworkTrainingProblem(network: network, inputs: train.inputs, targets: train.targets)
    let check = NetworkTrainingProblem(network: network, inputs: validation.inputs, targets: validation.targets)
    let solver = FirstOrderSolver(
      options: .init(
        method: .adam, learningRate: 0.01,
        stopping: StoppingCriteria(maximumIterations: 5000, maximumValidationFailures: 20)))
    let result = solver.minimize(problem, from: network.parameters, validation: Validation { check.objective(at: $0) })
    guard case .validationStop(20) = result.termination else {
      Issue.record("expected early stopping, got \(result.termination)")
      return
    }
    let best = result.history.compactMap(\.validationLoss).min()!
    #expect(check.objective(at: result.parameters) == best)
  }
}
