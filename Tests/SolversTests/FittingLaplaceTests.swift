import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// The Laplace approximation of a network against linear regression, where it is exact: a 1-1 identity
/// network is y = w·x + b, its Gauss–Newton matrix is XᵀX/m, and the delta method gives the textbook
/// standard error of the fitted line.
extension Matrix {
  /// The elements mapped into [0, 1] (bce targets).
  fileprivate var map01: Matrix { Matrix(rows: rows, columns: columns, elements: elements.map { $0 > 0 ? 1 : 0 }) }
}

@Suite("Fitting: Laplace approximation of a network")
struct FittingLaplaceTests {
  @Test("a linear network's predictive standard deviations are linear regression's")
  func linearNetwork() throws {
    var random = RandomSource(seed: 11)
    let m = 30
    let x = (0..<m).map { _ in random.nextNormal() }
    let y = x.map { 1.5 * $0 - 0.3 + 0.2 * random.nextNormal() }
    // The least-squares line, which the network is set to (its training optimum).
    let (sx, sy) = (x.reduce(0, +), y.reduce(0, +))
    let sxx = x.reduce(0) { $0 + $1 * $1 }
    let sxy = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    let det = Double(m) * sxx - sx * sx
    let w = (Double(m) * sxy - sx * sy) / det
    let b = (sy - w * sx) / Double(m)
    let architecture = try Architecture(layerSizes: [1, 1], activations: [.identity])
    let network = try Network(architecture: architecture, loss: .meanSquaredError, parameters: [w, b])
    let laplace = try NetworkLaplaceApproximation(
      network: network, inputs: Matrix(rows: 1, columns: m, elements: x),
      targets: Matrix(rows: 1, columns: m, elements: y))
    let ssr = zip(x, y).reduce(0) { $0 + (w * $1.0 + b - $1.1) * (w * $1.0 + b - $1.1) }
    let s2 = ssr / Double(m - 2)
    #expect(laplace.rank == 2 && abs(laplace.effectiveParameterCount - 2) <= 1e-12)
    #expect(abs(laplace.residualVariance - s2) <= 1e-12 * s2)
    let points: [Double] = [-2, 0, 0.5, 3]
    let (mean, predictive) = laplace.standardDeviations(inputs: Matrix(rows: 1, columns: 4, elements: points))
    for (k, p) in points.enumerated() {
      // Var(ŵp + b̂) = s²·[p 1](XᵀX)⁻¹[p 1]ᵀ = s²(m·p² − 2p·Σx + Σx²)/det.
      let variance = s2 * (Double(m) * p * p - 2 * p * sx + sxx) / det
      #expect(abs(mean[0, k] - variance.squareRoot()) <= 1e-10 * variance.squareRoot(), "at x = \(p)")
      #expect(abs(predictive[0, k] - (s2 + variance).squareRoot()) <= 1e-10 * (s2 + variance).squareRoot())
    }
  }

  @Test("a dead direction is left out of the pseudo-inverse, and λ₂ lowers the effective parameters")
  func rankAndRidge() throws {
    var random = RandomSource(seed: 4)
    let inputs = randomMatrix(rows: 3, columns: 25, using: &random)
    // The third input is zero: its weights do not change the output, so G has rank P − 4 (4 hidden units).
    var x = inputs
    for j in 0..<25 { x[2, j] = 0 }
    let targets = randomMatrix(rows: 1, columns: 25, using: &random)
    let architecture = try Architecture(layerSizes: [3, 4, 1], activations: [.tanh, .identity])
    var network = try Network(
      architecture: architecture, loss: .meanSquaredError, initialization: .xavierNormal, seed: 2)
    let plain = try NetworkLaplaceApproximation(network: network, inputs: x, targets: targets)
    #expect(plain.rank == architecture.parameterCount - 4)
    network.regularization = Regularization(l1: 0, l2: 0.05)
    let ridge = try NetworkLaplaceApproximation(network: network, inputs: x, targets: targets)
    #expect(ridge.rank == architecture.parameterCount)
    #expect(ridge.effectiveParameterCount < Double(plain.rank))
    let classifier = try Network(
      architecture: try Architecture(layerSizes: [3, 4, 1], activations: [.tanh, .sigmoid]), loss: .binaryCrossEntropy,
      initialization: .xavierNormal, seed: 2)
    #expect(throws: InputError.self) {
      try NetworkLaplaceApproximation(network: classifier, inputs: x, targets: targets.map01)
    }
  }
}
