import Foundation
import KKTNet
import Solvers
import TestSupport
import Testing

/// `kktnet train --robust`: the Triggs-corrected least squares of an mse network, the same run as the
/// library's ``TrainingPlan`` with a robust loss, and one sentence for the settings it cannot take.
@Suite("kktnet train --robust")
struct TrainRobustCommandTests {
  @Test(
    "--robust huber|cauchy with LM and Gauss–Newton: the library's robust fit, and a robust cost below the start's",
    // Gauss–Newton's halving line search on these unstandardized data is chaotic from its sixth iteration
    // (measured: one BLAS thread against two moves its eighth iterate's loss by 2e-8 relative), so it is
    // compared after five, where both thread counts give the same bits; LM's damped steps stay within 1e-11.
    arguments: [("levenberg-marquardt", "huber", 8), ("gauss-newton", "cauchy", 5)])
  func libraryEquality(_ solver: String, _ loss: String, _ iterations: Int) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let start = folder.appendingPathComponent("start.safetensors").path
    let out = folder.appendingPathComponent("out.safetensors").path
    let initialized = try runKKTNet([
      "init", "--architecture", "10-4-1", "--loss", "mse", "--seed", "5", "--out", start,
    ])
    #expect(initialized.status == 0, "\(initialized.standardError)")
    let result = try runKKTNet([
      "train", "--model", start, "--data", datasetPath("diabetes"), "--solver", solver, "--robust", loss,
      "--robust-scale", "40", "--max-iterations", "\(iterations)", "--format", "json", "--out", out,
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)

    // The library: the same start, data and plan.
    let network = try ModelFile.read(path: start).network
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    var plan = TrainingPlan(solver: solver == "gauss-newton" ? .gaussNewton : .levenbergMarquardt)
    plan.maximumIterations = iterations
    plan.robustLoss = RobustLoss(rawValue: loss)
    plan.robustScale = 40
    let library = try plan.run(network: network, inputs: data.inputs, targets: data.targets)
    let trained = try ModelFile.read(path: out).network
    // The same computation in two processes on one machine: equal to rounding, far below the fit's scale.
    for (a, b) in zip(trained.parameters, library.network.parameters) {
      #expect(abs(a - b) <= 1e-10 * max(abs(b), 1), "\(solver) \(loss): \(a) vs \(b)")
    }
    let finalLoss = try #require(json["final_loss"] as? Double)
    #expect(abs(finalLoss - library.solverResult.loss) <= 1e-12 * library.solverResult.loss)
    // The reported loss is the robust cost (1/2m)ΣC²ρ(((x − y)/C)²), recomputed here from the predictions.
    let m = data.inputs.columns
    let predictions = Lagrangian(network: trained, inputs: data.inputs, targets: data.targets).outputs(
      parameters: trained.parameters)
    let robust = RobustLoss(rawValue: loss)!
    var cost = 0.0
    for i in 0..<m {
      let r = predictions.elements[i] - data.targets.elements[i]
      cost += robust.scaled(squaredResidual: r * r, scale: 40).value
    }
    cost /= 2 * Double(m)
    #expect(abs(cost - finalLoss) <= 1e-9 * cost, "\(cost) vs \(finalLoss)")
    let history = try #require(json["history"] as? [[String: Any]])
    #expect(finalLoss < history[0]["loss"] as! Double)
  }

  @Test("--robust with a first-order solver, a classifier, or without a scale's --robust: one sentence")
  func refusals() throws {
    let diabetes = ["train", "--data", datasetPath("diabetes"), "--architecture", "10-4-1"]
    let cases: [([String], String)] = [
      (diabetes + ["--solver", "adam", "--robust", "huber"], "--robust huber needs --solver gauss-newton or"),
      (
        [
          "train", "--data", datasetPath("wine"), "--architecture", "13-4-3", "--loss", "ce", "--solver",
          "levenberg-marquardt", "--robust", "huber",
        ],
        "--robust: a robust loss acts on the residuals of the mse loss"
      ),
      (diabetes + ["--solver", "gauss-newton", "--robust-scale", "2"], "--robust-scale needs --robust"),
      (
        diabetes + ["--solver", "gauss-newton", "--robust", "huber", "--robust-scale", "0"],
        "--robust-scale must be a positive number"
      ),
    ]
    for (flags, sentence) in cases {
      let result = try runKKTNet(flags)
      #expect(result.status != 0, "\(flags)")
      #expect(result.standardError.contains(sentence), "\(flags): \(result.standardError)")
    }
  }
}
