import Foundation
import KKTNet
import TestSupport
import Testing

/// Hostile input, category 2: no silent nonsense. A value that is not finite is never printed as a number
/// or "passed" (exit 1, a sentence saying where it arose); standardization neither overflows nor keeps a
/// column it cannot represent; metadata is checked in full; every numeric flag has a domain; a run that
/// cannot start writes nothing; retraining keeps a model's standardization and says so.
@Suite("Hostile input: no silent nonsense")
struct HostileNonsenseTests {
  /// A folder with `d.csv` (a, b → y, three rows) and `huge.safetensors`: a 2-3-1 identity network whose
  /// weights are all 1e200, so that its second layer overflows.
  static func overflowing() throws -> (folder: URL, data: String, model: String) {
    let folder = try temporaryFolder()
    let data = try writeCSV("a,b,y\n1,2,3\n4,5,6\n7,8,9\n", "d.csv", in: folder)
    let model = try writeModel(
      "huge.safetensors", in: folder, sizes: [2, 3, 1], activations: [.identity, .identity], weight: 1e200)
    return (folder, data, model)
  }

  @Test(
    "a forward pass that overflows fails every command that reports from it, naming the layer and the sample",
    arguments: [
      (["check"], "the forward pass overflows: layer 2's states x² are not finite for sample 1 (line 2 of"),
      (["gradient", "--format", "json"], "the forward pass overflows: layer 2's states x²"),
      (["gradient", "--method", "backprop"], "the forward pass overflows: layer 2's states x²"),
      (["jacobian", "--format", "json"], "the forward pass overflows: layer 2's states x²"),
      (["predict"], "the forward pass overflows: layer 2's pre-activations z² are not finite for sample 1"),
      (["predict", "--format", "json"], "the forward pass overflows: layer 2's pre-activations z²"),
    ] as [([String], String)])
  func overflowingForwardPass(_ command: [String], _ message: String) throws {
    let (folder, data, model) = try Self.overflowing()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKKTNet(command + ["--model", model, "--data", data])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty, "nothing is printed as if it were a number: \(result.standardOutput)")
  }

  @Test(
    "compare never passes a value that is not finite",
    arguments: [
      (["--l2", "1e308", "--init", "he"], "the objective J(θ) is inf although every state is finite"),
      (["--l2", "1e308", "--format", "json"], "the objective J(θ) is inf"),
      (["--architecture", "3-4-2", "--l1", "1e308"], "the objective J(θ) is inf"),
    ] as [([String], String)])
  func compareNeverPassesNonFinite(_ flags: [String], _ message: String) throws {
    let result = try runKKTNet(["compare", "--samples", "4"] + flags)
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(!result.standardOutput.contains("passed"))
  }

  @Test("standardizing values near ±1e300 gives their true deviation; a deviation below the normal range is refused")
  func standardization() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let huge = try writeCSV("a,b,y\n1e300,1,1\n1e300,2,2\n1e300,3,3\n-1e300,4,4\n", "huge.csv", in: folder)
    let model = folder.appendingPathComponent("m.safetensors").path
    let trained = try runKKTNet([
      "train", "--data", huge, "--architecture", "2-3-1", "--standardize", "--epochs", "1", "--quiet", "--out", model,
    ])
    #expect(trained.status == 0, "\(trained.standardError)")
    let scale = try #require(try ModelFile.read(path: model).standardization?.inputScale[0])
    // Mean 5e299; deviations 5e299 (three times) and −1.5e300: σ = √(7.5e599) = 8.660254037844386e299.
    #expect(abs(scale / 8.660254037844386e299 - 1) < 1e-14, "scale \(scale)")
    #expect(try runKKTNet(["check", "--model", model, "--data", huge]).status == 0)

    let tiny = try writeCSV("a,b,y\n1e-310,1,1\n2e-310,2,2\n", "tiny.csv", in: folder)
    let refused = try runKKTNet(["train", "--data", tiny, "--architecture", "2-3-1", "--standardize", "--epochs", "1"])
    #expect(refused.status == 1, "\(refused.standardError)")
    #expect(firstLine(refused.standardError).contains("tiny.csv: the input column 'a' cannot be standardized"))
  }

  @Test(
    "model metadata is checked in full",
    arguments: [
      (["input_mean": "0,0", "input_scale": "1e-310,1"], "metadata 'input_scale' holds 1e-310 for input 1"),
      (["input_mean": "0,0", "input_scale": "1,-2"], "every scale must be a positive normal number"),
      (["input_mean": "0,0"], "metadata 'input_mean' and 'input_scale' go together"),
      (["target_mean": "1", "target_scale": "2"], "come only with 'input_mean' and 'input_scale'"),
      (["classes": "0,1"], "metadata 'classes' labels a classifier's outputs, but the model's loss is mse"),
    ] as [([String: String], String)])
  func regressionMetadata(_ metadata: [String: String], _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = try writeCSV("a,b,y\n1,2,3\n", "d.csv", in: folder)
    let model = try writeModel(
      "bad.safetensors", in: folder, sizes: [2, 3, 1], activations: [.tanh, .identity], metadata: metadata)
    let result = try runKKTNet(["check", "--model", model, "--data", data])
    #expect(result.status == 1, "\(result.standardError)")
    let line = firstLine(result.standardError)
    #expect(line.contains("bad.safetensors: metadata") && line.contains(message), "\(line)")
  }

  @Test(
    "a classifier's classes are distinct, one per output, and it has no target statistics",
    arguments: [
      (["classes": "0,1,1"], "metadata 'classes' names a class twice: 0, 1, 1"),
      (["classes": "0,1"], "metadata 'classes' holds 2 labels, but the model's 3 outputs stand for 3"),
      (["classes": "0,1.5,2"], "metadata 'classes' holds 1.5, but class labels are integers"),
      (
        ["input_mean": "0,0,0,0", "input_scale": "1,1,1,1", "target_mean": "0,0,0", "target_scale": "1,1,1"],
        "standardize regression targets, but the model's loss is ce"
      ),
    ] as [([String: String], String)])
  func classifierMetadata(_ metadata: [String: String], _ message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let model = try writeModel(
      "bad.safetensors", in: folder, sizes: [4, 3, 3], activations: [.tanh, .softmax], loss: .softmaxCrossEntropy,
      weight: 0.1, metadata: metadata)
    let result = try runKKTNet(["check", "--model", model, "--data", datasetPath("iris")])
    #expect(result.status == 1, "\(result.standardError)")
    let line = firstLine(result.standardError)
    #expect(line.contains("bad.safetensors: metadata") && line.contains(message), "\(line)")
  }

  @Test(
    "every numeric flag has a domain, checked before any work",
    arguments: [
      (["train", "--schedule", "cosine", "--min-learning-rate", "0.5"], "--min-learning-rate (0.5) cannot exceed"),
      (["train", "--time-limit", "inf"], "--time-limit must be a positive number of seconds, not inf"),
      (["train", "--goal", "nan"], "--goal must be a number, not nan"),
      (["train", "--learning-rate", "0"], "--learning-rate must be positive and finite"),
      (["train", "--activations", "leaky-relu(1e308)"], "the slope of leaky-relu must lie in [0, 1]"),
      (["train", "--l2=-1"], "--l2 must be finite and not negative, not -1.0"),
      (["compare", "--backprop-tolerance", "nan"], "--backprop-tolerance must be positive and finite, not nan"),
      (["compare", "--activations", "elu(0)"], "the α of elu must lie in (0, 1000]"),
    ] as [([String], String)])
  func flagDomains(_ flags: [String], _ message: String) throws {
    let rest = flags[0] == "train" ? ["--data", datasetPath("iris"), "--architecture", "4-3-3", "--loss", "ce"] : []
    let result = try runKKTNet(flags + rest)
    #expect(result.status == 64, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }

  @Test(
    "a run that cannot start exits 1 and writes nothing: no model, checkpoint, history or plot",
    arguments: ["adam", "levenberg-marquardt", "gauss-newton"])
  func runThatCannotStart(_ solver: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = try writeCSV("a,b,y\n1e300,-1e300,1\n-1e300,1e300,2\n1e300,1e300,3\n", "huge.csv", in: folder)
    let outputs = ["m.safetensors", "state.safetensors", "history.csv", "loss.svg"]
    let paths = outputs.map { folder.appendingPathComponent($0).path }
    let result = try runKKTNet([
      "train", "--data", data, "--architecture", "2-1", "--activations", "identity", "--solver", solver, "--out",
      paths[0], "--checkpoint", paths[1], "--history", paths[2], "--plot", paths[3], "--quiet",
    ])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(firstLine(result.standardError).contains("the loss is not finite at the starting point"))
    #expect(firstLine(result.standardError).contains("nothing was written"))
    for path in paths { #expect(fileKind(path) == .missing, "\(path) was written") }
    #expect(temporaryFiles(in: folder).isEmpty)
  }

  @Test("retraining keeps a model's standardization unless it is replaced, and says which it used")
  func retrainingKeepsStandardization() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = folder.appendingPathComponent("first.safetensors").path
    let second = folder.appendingPathComponent("second.safetensors").path
    let base = ["train", "--data", datasetPath("diabetes"), "--epochs", "2", "--quiet"]
    let trained = try runKKTNet(
      base + ["--architecture", "10-4-1", "--standardize", "--standardize-targets", "--out", first])
    #expect(trained.status == 0, "\(trained.standardError)")
    let original = try #require(try ModelFile.read(path: first).standardization)

    // --standardize alone refits the inputs and keeps the targets' statistics the network was trained in.
    let refit = try runKKTNet(base + ["--model", first, "--standardize", "--out", second])
    #expect(refit.status == 0, "\(refit.standardError)")
    #expect(
      refit.standardOutput.contains(
        "standardization: inputs standardized with statistics fitted to the training data, targets standardized with the model's statistics"
      ), "\(refit.standardOutput)")
    let kept = try #require(try ModelFile.read(path: second).standardization)
    #expect(kept.targetMean == original.targetMean && kept.targetScale == original.targetScale)

    // Without --standardize, both are the model's; the JSON report says so.
    let same = try runKKTNet(base + ["--model", first, "--format", "json"])
    #expect(same.status == 0, "\(same.standardError)")
    let json = try #require(same.json)
    #expect(json["standardization"] as? [String: String] == ["inputs": "model", "targets": "model"])
    let classifier = try runKKTNet(
      base + ["--architecture", "10-4-1", "--loss", "bce", "--standardize", "--standardize-targets"])
    #expect(classifier.status == 64)
    #expect(firstLine(classifier.standardError).contains("--standardize-targets is for regression (mse)"))
  }
}
