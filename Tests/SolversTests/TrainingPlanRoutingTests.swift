import Foundation
import KKTNet
import Solvers
import Testing

/// Which linear algebra a second-order run takes, and what the memory check counts for it: no route may
/// allocate a matrix the estimate left out.
@Suite("second-order routes and their memory estimates")
struct TrainingPlanRoutingTests {
  /// An mse network n₀-h-1 (tanh, identity): P = h·(n₀ + 2) + 1.
  static func network(inputs: Int, hidden: Int) throws -> Network {
    try Network(
      architecture: Architecture(layerSizes: [inputs, hidden, 1], activations: [.tanh, .identity]),
      loss: .meanSquaredError, parameters: [Double](repeating: 0, count: hidden * (inputs + 2) + 1))
  }

  @Test(
    "least squares with M < P keeps the QR trust region up to 4096 parameters, then takes Nielsen's dual system",
    arguments: [(127, 4065, DampingKind.trustRegion), (128, 4097, .nielsen), (20000, 640_001, .nielsen)])
  func shortJacobian(_ hidden: Int, _ parameterCount: Int, _ damping: DampingKind) throws {
    let network = try Self.network(inputs: 30, hidden: hidden)
    #expect(network.architecture.parameterCount == parameterCount)
    let plan = TrainingPlan(solver: .levenbergMarquardt)
    #expect(plan.usesDualSystem(network: network, sampleCount: 569))
    #expect(plan.effectiveDamping(network: network, sampleCount: 569) == damping)
    let bytes = Double(plan.memoryEstimate(network: network, sampleCount: 569))
    let square = 8 * Double(parameterCount) * Double(parameterCount)
    let jacobian = 8 * 569 * Double(parameterCount)
    if damping == .trustRegion {
      // dgeqp3's copy of J, R and S: at least two P × P matrices beside the two linearizations' J.
      #expect(bytes >= 2 * square + 3 * jacobian)
    } else {
      // J, J·D^−½ and two linearizations, and M × M Gram matrices: never a P × P matrix.
      #expect(bytes >= 3 * jacobian && bytes < 2 * square && bytes < 8 * jacobian, "\(bytes)")
    }
  }

  @Test("a run past the QR bound trains on the dual system: the loss falls, finite")
  func pastTheBound() throws {
    // 40 samples of a smooth function of the inputs, 3-1100-1: P = 5501 > 4096 > M = 40.
    let inputs = Matrix(rows: 3, columns: 40, elements: (0..<120).map { Double($0 % 17) / 8 - 1 })
    let targets = Matrix(
      rows: 1, columns: 40,
      elements: (0..<40).map { i in sin(2 * inputs[0, i]) + inputs[1, i] * inputs[2, i] })
    var network = try Network(
      architecture: Architecture(layerSizes: [3, 1100, 1], activations: [.tanh, .identity]),
      loss: .meanSquaredError, seed: 3)
    network.parameters = network.parameters.map { $0 * 0.5 }
    var plan = TrainingPlan(solver: .levenbergMarquardt)
    plan.epochs = 10  // Levenberg–Marquardt's iterations
    let result = try plan.run(network: network, inputs: inputs, targets: targets)
    let start = result.history[0].loss
    #expect(result.loss.isFinite && result.loss < start / 2, "\(start) → \(result.loss)")
  }
}
