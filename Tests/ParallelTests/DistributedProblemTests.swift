import Foundation
import KKTNet
import Solvers
import Testing

/// The network problems with their samples split over K ranks (threads here, with ``ThreadedCommunicator``)
/// against the same problem in one process. The ranks add the same per-sample terms in another order, so
/// the sums agree to rounding: 1e-12 relative (a few hundred samples, each term a product of a handful of
/// layers, Higham's γₙ bound with n ≈ 10³ and a margin for the products). Every rank must hold the same
/// bits, since each takes the step from them.
@Suite("Problems split over ranks")
struct DistributedProblemTests {
  static let samples = 301

  /// A 3-5-2 tanh network and `samples` samples for `loss`, with an L2 (and optionally L1) penalty.
  static func problem(_ loss: Loss, l1: Double = 0) throws -> (Network, Matrix, Matrix) {
    let architecture = try Architecture(
      layerSizes: [3, 5, 2], activations: [.tanh, loss == .meanSquaredError ? .identity : .sigmoid])
    let network = try Network(
      architecture: architecture, loss: loss, regularization: Regularization(l1: l1, l2: 0.01), seed: 7)
    let data = SyntheticData.batch(architecture: architecture, loss: loss, sampleCount: samples, seed: 8)
    return (network, data.inputs, data.targets)
  }

  /// Columns `range` of `m`.
  static func columns(_ m: Matrix, _ range: Range<Int>) -> Matrix {
    Matrix(
      rows: m.rows, columns: range.count,
      elements: Array(m.elements[(range.lowerBound * m.rows)..<(range.upperBound * m.rows)]))
  }

  /// Rank r's rows of m samples over K ranks.
  static func rows(_ r: Int, of k: Int) -> Range<Int> { (r * samples / k)..<((r + 1) * samples / k) }

  static func relative(_ a: [Double], _ b: [Double]) -> Double {
    let scale = max(a.map(abs).max() ?? 0, 1e-300)
    return zip(a, b).map { abs($0 - $1) }.max()! / scale
  }

  @Test(
    "f, JᵀJ and Jᵀr summed over 3 ranks equal the single process's, the same bits on every rank",
    arguments: [Loss.meanSquaredError, .binaryCrossEntropy])
  func normalEquations(_ loss: Loss) throws {
    let (network, x, y) = try Self.problem(loss)
    let p = network.architecture.parameterCount
    @Sendable func make(_ x: Matrix, _ y: Matrix, _ c: any Communicator) -> any GaussNewtonObjective {
      loss == .meanSquaredError
        ? NetworkLeastSquaresProblem(network: network, inputs: x, targets: y, blockSize: 64, communicator: c)
        : NetworkGaussNewtonProblem(network: network, inputs: x, targets: y, blockSize: 64, communicator: c)
    }
    var g = Matrix(rows: p, columns: p)
    var gradient = [Double](repeating: 0, count: p)
    let single = make(x, y, SingleProcessCommunicator())
    let f = single.normalEquations(at: network.parameters, normalMatrix: &g, gradient: &gradient)
    let results = onRanks(3) { communicator in
      let range = Self.rows(communicator.rank, of: 3)
      let problem = make(Self.columns(x, range), Self.columns(y, range), communicator)
      var normal = Matrix(rows: p, columns: p)
      var gradient = [Double](repeating: 0, count: p)
      let f = problem.normalEquations(at: network.parameters, normalMatrix: &normal, gradient: &gradient)
      return [f, problem.objective(at: network.parameters)] + gradient + normal.elements
    }
    for result in results { #expect(result == results[0]) }
    let reduced = results[0]
    #expect(abs(reduced[0] - f) <= 1e-12 * f)
    #expect(reduced[1] == reduced[0], "the objective is summed as the normal equations' f")
    #expect(Self.relative(Array(reduced[2..<(2 + p)]), gradient) <= 1e-12)
    #expect(Self.relative(Array(reduced[(2 + p)...]), g.elements) <= 1e-12)
  }

  @Test("a global mini-batch's gradient over 3 ranks (with L1 and L2) is the single process's")
  func miniBatch() throws {
    let (network, x, y) = try Self.problem(.binaryCrossEntropy, l1: 0.001)
    let p = network.architecture.parameterCount
    let batch = [5, 299, 100, 101, 0, 200, 150]  // members on every rank, in shuffled order
    let single = NetworkTrainingProblem(network: network, inputs: x, targets: y)
    var gradient = [Double](repeating: 0, count: p)
    let f = single.gradient(at: network.parameters, batch: batch[...], into: &gradient)
    let full = single.objective(at: network.parameters)
    let results = onRanks(3) { communicator in
      let range = Self.rows(communicator.rank, of: 3)
      let problem = NetworkTrainingProblem(
        network: network, inputs: Self.columns(x, range), targets: Self.columns(y, range),
        communicator: communicator, sampleOffset: range.lowerBound)
      var gradient = [Double](repeating: 0, count: p)
      let f = problem.gradient(at: network.parameters, batch: batch[...], into: &gradient)
      return [f, problem.objective(at: network.parameters), Double(problem.sampleCount)] + gradient
    }
    for result in results { #expect(result == results[0]) }
    #expect(results[0][2] == Double(Self.samples))
    #expect(abs(results[0][0] - f) <= 1e-12 * f)
    #expect(abs(results[0][1] - full) <= 1e-12 * full)
    #expect(Self.relative(Array(results[0][3...]), gradient) <= 1e-12)
  }

  @Test("Levenberg–Marquardt over 3 ranks takes the single process's iterations, to rounding")
  func levenbergMarquardt() throws {
    let (network, x, y) = try Self.problem(.meanSquaredError)
    let plan = {
      var plan = TrainingPlan(solver: .levenbergMarquardt)
      plan.maximumIterations = 15
      return plan
    }()
    let single = try plan.run(network: network, inputs: x, targets: y)
    let results = onRanks(3) { communicator in
      let range = Self.rows(communicator.rank, of: 3)
      let result = try! plan.run(
        network: network, inputs: Self.columns(x, range), targets: Self.columns(y, range),
        communicator: communicator, trainingOffset: range.lowerBound)
      return [result.loss, Double(result.iterations)] + result.parameters
    }
    for result in results { #expect(result == results[0]) }
    #expect(results[0][1] == Double(single.iterations))
    // Near the minimum the loss is flat to first order: its rounding-level difference stays small.
    #expect(abs(results[0][0] - single.loss) <= 1e-10 * single.loss)
  }

  @Test("an interruption requested on one rank stops every rank at the same iteration")
  func interruptionOnOneRank() throws {
    let (network, x, y) = try Self.problem(.binaryCrossEntropy)
    let plan = {
      var plan = TrainingPlan(solver: .adam)
      plan.batchSize = 16
      plan.epochs = 50
      return plan
    }()
    let results = onRanks(3) { communicator in
      let range = Self.rows(communicator.rank, of: 3)
      let interruption = Interruption()
      let result = try! plan.run(
        network: network, inputs: Self.columns(x, range), targets: Self.columns(y, range),
        interruption: interruption, communicator: communicator, trainingOffset: range.lowerBound
      ) { summary in
        if communicator.rank == 1 && summary.epoch == 3 { interruption.request() }
      }
      return [result.termination == .interrupted ? 1 : 0, Double(result.iterations)] + result.parameters
    }
    for result in results { #expect(result == results[0]) }
    #expect(results[0][0] == 1)
    #expect(results[0][1] == Double(3 * ((Self.samples + 15) / 16)), "three epochs of ⌈301/16⌉ global batches")
  }
}
