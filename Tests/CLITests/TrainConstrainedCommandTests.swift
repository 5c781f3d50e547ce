import Foundation
import KKTNet
import TestSupport
import Testing

/// `kktnet train --solver augmented-lagrangian|penalty`: the constraint residual and the multiplier gap per
/// iteration (table, history, JSON) and at the end, the feasible network's losses, compare-solvers, resume
/// bit for bit, and one sentence for a bad setting.
@Suite("kktnet train --solver augmented-lagrangian|penalty")
struct TrainConstrainedCommandTests {
  static let diabetes = [
    "train", "--data", datasetPath("diabetes"), "--architecture", "10-5-1", "--standardize", "--standardize-targets",
    "--seed", "3",
  ]

  @Test("JSON: constraint_residual at the end and per iteration, the multiplier gap, the relaxed objective")
  func report() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("history.csv").path
    let out = folder.appendingPathComponent("out.safetensors").path
    let result = try runKKTNet(
      Self.diabetes + [
        "--solver", "augmented-lagrangian", "--max-iterations", "12", "--format", "json", "--history", csv, "--out",
        out,
      ])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    let residual = try #require(json["constraint_residual"] as? Double)
    let history = try #require(json["history"] as? [[String: Any]])
    #expect(history.count == 13)
    for summary in history {
      let c = try #require(summary["constraint_residual"] as? Double)
      #expect(c >= 0 && c < 1, "iteration \(summary["iteration"] ?? ""): ‖c‖∞ = \(c)")
      #expect(summary["multiplier_gap"] is Double && summary["relaxed_objective"] is Double)
      #expect((summary["layer_residuals"] as? [Double])?.count == 1)
    }
    #expect(history.last?["constraint_residual"] as? Double == residual)
    // After 12 outer iterations the constraints hold to 1e-6 and the multipliers meet the adjoint's.
    #expect(residual <= 1e-6)
    #expect(try #require(json["multiplier_gap"] as? Double) <= 1e-5)
    // The losses are the feasible network's: final_loss is J(θ) by the forward pass of the written model.
    let model = try ModelFile.read(path: out)
    let trained = model.network
    let data = try Dataset.load(path: datasetPath("diabetes"), loss: .meanSquaredError)
    let standardization = try #require(model.standardization)
    let inputs = standardization.standardizeInputs(data.inputs)
    let targets = standardization.standardizeTargets(data.targets)
    let j = Lagrangian(network: trained, inputs: inputs, targets: targets).objective(parameters: trained.parameters)
    let finalLoss = try #require(json["final_loss"] as? Double)
    // The same J from two codes (the written Float64 model, the CLI's data pipeline): equal to rounding.
    #expect(abs(j - finalLoss) <= 1e-12 * j)
    let header = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")[0]
    #expect(header.hasSuffix(",constraint_residual,multiplier_gap,relaxed_objective"), "\(header)")

    let table = try runKKTNet(Self.diabetes + ["--solver", "penalty", "--max-iterations", "3", "--no-timing"])
    #expect(table.status == 0, "\(table.standardError)")
    #expect(table.standardOutput.contains("‖c‖∞") && table.standardOutput.contains("μ_pen"), "\(table.standardOutput)")
    #expect(table.standardOutput.contains("constraint residual maxₖ‖cᵏ‖∞ "), "\(table.standardOutput)")
  }

  @Test("a checkpointed run resumed ends bit for bit where the uninterrupted one ends")
  func resume() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = { folder.appendingPathComponent($0).path }
    let flags = Self.diabetes + ["--solver", "augmented-lagrangian", "--max-iterations", "8", "--quiet"]
    #expect(try runKKTNet(flags + ["--out", path("whole.safetensors")]).status == 0)
    let checkpointed = try runKKTNet(
      Self.diabetes + [
        "--solver", "augmented-lagrangian", "--max-iterations", "5", "--quiet", "--checkpoint",
        path("state.safetensors"), "--checkpoint-every", "2",
      ])
    #expect(checkpointed.status == 0, "\(checkpointed.standardError)")
    let resumed = try runKKTNet(flags + ["--resume", path("state.safetensors"), "--out", path("resumed.safetensors")])
    #expect(resumed.status == 0, "\(resumed.standardError)")
    let a = try SafetensorsFile.read(path: path("whole.safetensors")).tensors
    let b = try SafetensorsFile.read(path: path("resumed.safetensors")).tensors
    #expect(a == b)
  }

  @Test("compare-solvers runs them beside Levenberg–Marquardt")
  func compareSolvers() throws {
    let result = try runKKTNet([
      "compare-solvers", "--data", datasetPath("diabetes"), "--architecture", "10-5-1", "--standardize",
      "--standardize-targets", "--solvers", "levenberg-marquardt,augmented-lagrangian,penalty", "--max-iterations", "5",
      "--format", "json",
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let rows = try #require(result.json?["solvers"] as? [[String: Any]])
    #expect(rows.compactMap { $0["solver"] as? String } == ["levenberg-marquardt", "augmented-lagrangian", "penalty"])
    for row in rows { #expect((row["final_loss"] as? Double).map { $0 > 0 && $0 < 0.5 } == true, "\(row)") }
  }

  @Test(
    "a bad setting is one sentence naming the flag, exit 64",
    arguments: [
      (["--rho", "0"], "--rho must be a positive finite number"),
      (["--rho=-2"], "--rho must be a positive finite number"),
      (["--rho", "nan"], "--rho must be a positive finite number"),
      (["--rho-growth", "0.5"], "--rho-growth must be a finite number ≥ 1"),
      (["--inner-iterations", "0"], "--inner-iterations must be at least 1"),
    ])
  func badSettings(_ flags: [String], _ message: String) throws {
    let result = try runKKTNet(Self.diabetes + ["--solver", "augmented-lagrangian"] + flags)
    #expect(result.status == 64)
    #expect(result.standardError.contains(message), "\(result.standardError)")
  }

  @Test("a network without a hidden layer is one sentence, not a trap")
  func noHiddenLayer() throws {
    let result = try runKKTNet([
      "train", "--data", datasetPath("diabetes"), "--architecture", "10-1", "--solver", "penalty",
    ])
    #expect(result.status != 0 && result.status < 128)
    #expect(result.standardError.contains("needs at least one hidden layer"), "\(result.standardError)")
  }

  @Test("admm (dlADMM) trains a ReLU/ce network; a tanh network is one sentence naming what it takes")
  func admm() throws {
    let flags = [
      "train", "--data", datasetPath("breast_cancer"), "--architecture", "30-8-2", "--activations", "relu", "--loss",
      "ce", "--standardize", "--solver", "admm", "--seed", "2",
    ]
    let result = try runKKTNet(flags + ["--rho", "0.1", "--max-iterations", "30", "--format", "json"])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    // dlADMM's 30 iterations from ρ₀ = 0.1 separate the classes (measured 97–98 %); the residual is reported.
    #expect(try #require(json["training_accuracy"] as? Double) >= 0.9)
    #expect(json["constraint_residual"] is Double)
    let history = try #require(json["history"] as? [[String: Any]])
    #expect(history.allSatisfy { $0["multiplier_gap"] is Double })
    let tanh = try runKKTNet([
      "train", "--data", datasetPath("breast_cancer"), "--architecture", "30-8-1", "--solver", "admm",
    ])
    #expect(tanh.status != 0 && tanh.status < 128)
    #expect(
      tanh.standardError.contains("admm (dlADMM) takes ReLU hidden layers and the ce loss"), "\(tanh.standardError)")
  }
}
