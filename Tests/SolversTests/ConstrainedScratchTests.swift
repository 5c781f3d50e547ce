import Foundation
import KKTNet
import TestSupport
import Testing

@testable import Solvers

@Suite("scratch")
struct ConstrainedScratchTests {
  @Test func explore() throws {
    let (network, inputs, targets) = try ConstrainedTrainingTests.smoothCase(sizes: [2, 4, 3, 1], samples: 50, seed: 11)
    for inner in [5, 20] {
      for rho in [100.0, 1e4] {
        var options = ConstrainedTraining.Options(
          kind: .augmentedLagrangian, stopping: StoppingCriteria(maximumIterations: 40))
        options.innerIterations = inner
        options.rho = rho
        let method = ConstrainedTraining(network: network, inputs: inputs, targets: targets, options: options)
        let result = method.minimize(from: network.parameters)
        let last = result.history.last!
        print("inner", inner, "rho", rho, result.termination, result.iterations, last.loss, last.gradientMaxNorm,
          last.constraintResidual ?? -1, last.multiplierGap ?? -1, result.evaluations)
      }
    }
    var plan = TrainingPlan(solver: .levenbergMarquardt)
    plan.maximumIterations = 400
    let lm = try plan.run(network: network, inputs: inputs, targets: targets)
    print("LM", lm.termination, lm.iterations, lm.loss, lm.history.last!.gradientMaxNorm)
  }
}
