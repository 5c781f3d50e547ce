import Foundation
import KKTNet
import TestSupport
import Testing

/// `kktnet train --solver bayesian-regularization`: γ per iteration in the table, the history and the JSON,
/// and at the end; a checkpointed run resumed bit for bit; one sentence for what it cannot train.
@Suite("kktnet train --solver bayesian-regularization")
struct TrainBayesianCommandTests {
  static let diabetes = [
    "train", "--data", datasetPath("diabetes"), "--architecture", "10-4-1", "--standardize", "--standardize-targets",
    "--solver", "bayesian-regularization", "--seed", "3",
  ]

  @Test("γ, α and β per iteration (table, history CSV, JSON) and at the end; 0 < γ ≤ P, α, β > 0")
  func report() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("history.csv").path
    let result = try runKKTNet(Self.diabetes + ["--max-iterations", "25", "--format", "json", "--history", csv])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    let p = 10 * 4 + 4 + 4 + 1
    let gamma = try #require(json["effective_parameters"] as? Double)
    #expect(gamma > 0 && gamma <= Double(p))
    #expect(try #require(json["alpha"] as? Double) > 0 && (try #require(json["beta"] as? Double)) > 0)
    let history = try #require(json["history"] as? [[String: Any]])
    #expect(history.count >= 2)
    for summary in history {
      let g = try #require(summary["effective_parameters"] as? Double)
      #expect(g > 0 && g <= Double(p), "iteration \(summary["iteration"] ?? ""): γ = \(g)")
      #expect(try #require(summary["alpha"] as? Double) > 0 && (try #require(summary["beta"] as? Double)) > 0)
    }
    #expect(history.last?["effective_parameters"] as? Double == gamma)
    let objective = try #require(json["evidence_objective"] as? Double)
    #expect(objective > 0)
    // The training loss is the mse loss, (1/2m)Σe², not F.
    #expect(try #require(json["final_loss"] as? Double) < objective)
    let header = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")[0]
    #expect(header.hasSuffix(",effective_parameters,alpha,beta"), "\(header)")

    let table = try runKKTNet(Self.diabetes + ["--max-iterations", "5", "--no-timing"])
    #expect(table.status == 0, "\(table.standardError)")
    #expect(table.standardOutput.contains(" γ "), "\(table.standardOutput)")
    #expect(table.standardOutput.contains("Bayesian regularization: γ = "), "\(table.standardOutput)")
  }

  @Test("a checkpointed run resumed ends bit for bit where the uninterrupted one ends")
  func resume() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = { folder.appendingPathComponent($0).path }
    let flags = Self.diabetes + ["--max-iterations", "20", "--quiet"]
    #expect(try runKKTNet(flags + ["--out", path("whole.safetensors")]).status == 0)
    let checkpointed = try runKKTNet(flags + ["--checkpoint", path("state.safetensors"), "--checkpoint-every", "7"])
    #expect(checkpointed.status == 0, "\(checkpointed.standardError)")
    let resumed = try runKKTNet(flags + ["--resume", path("state.safetensors"), "--out", path("resumed.safetensors")])
    #expect(resumed.status == 0, "\(resumed.standardError)")
    let a = try SafetensorsFile.read(path: path("whole.safetensors")).tensors
    let b = try SafetensorsFile.read(path: path("resumed.safetensors")).tensors
    #expect(a.map { $0.values.map(\.bitPattern) } == b.map { $0.values.map(\.bitPattern) })
  }

  @Test("a classifier, λ₂ or a robust loss: one sentence")
  func refusals() throws {
    let cases: [([String], String)] = [
      (
        [
          "train", "--data", datasetPath("wine"), "--architecture", "13-4-3", "--loss", "ce", "--solver",
          "bayesian-regularization",
        ], "fits the sum of squared errors of an mse network"
      ),
      (Self.diabetes + ["--l2", "0.01"], "chooses its own weight penalty α"),
      (Self.diabetes + ["--robust", "huber"], "assumes Gaussian errors"),
    ]
    for (flags, sentence) in cases {
      let result = try runKKTNet(flags)
      #expect(result.status != 0, "\(flags)")
      #expect(result.standardError.contains(sentence), "\(flags): \(result.standardError)")
    }
  }
}
