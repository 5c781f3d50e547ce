import Foundation
import TestSupport
import Testing

@Suite("kktnet compare")
struct CompareCommandTests {
  @Test("the default comparison passes and prints the table and the certificate")
  func defaultRun() throws {
    let result = try runKKTNet(["compare"])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput.hasPrefix("3-8-8-2 tanh,tanh,identity, loss mse"))
    for name in ["layers.0.weight", "layers.2.bias", "KKT certificate", "primal residual", "passed"] {
      #expect(result.standardOutput.contains(name), "missing \(name)")
    }
  }

  @Test(
    "JSON output has the documented keys and every tensor",
    arguments: [
      ["--loss", "mse"], ["--loss", "bce", "--activations", "sigmoid"],
      ["--loss", "ce", "--activations", "leaky-relu", "--init", "he"],
      [
        "--architecture", "4-6-6-6-3", "--activations", "elu(0.5),softplus,leaky-relu,softmax", "--l1", "0.01", "--l2",
        "0.1",
      ],
    ])
  func json(_ flags: [String]) throws {
    let result = try runKKTNet(["compare", "--format", "json", "--samples", "16"] + flags)
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    #expect(json["passed"] as? Bool == true)
    let backprop = try #require(json["max_rel_diff_backprop"] as? Double)
    let finite = try #require(json["max_rel_diff_finite_difference"] as? Double)
    #expect(backprop <= 1e-12)
    #expect(finite <= 1e-6)
    let tensors = try #require(json["tensors"] as? [[String: Any]])
    let layers = ((json["architecture"] as? [Int])?.count ?? 1) - 1
    #expect(tensors.count == 2 * layers)
    #expect(tensors.first?["name"] as? String == "layers.0.weight")
    let certificate = try #require(json["certificate"] as? [String: Any])
    #expect(certificate["primal_residual"] as? Double == 0)
  }

  @Test("a comparison that fails exits with 1: finite differences straddle ReLU's kink at z = 0")
  func failingComparison() throws {
    // Zero weights and biases put every pre-activation exactly on the kink, where relu′(0) = 0 but the
    // central difference sees the average slope ½.
    let result = try runKKTNet([
      "compare", "--architecture", "3-2", "--activations", "relu", "--init", "zeros", "--format", "json",
    ])
    #expect(result.status == 1)
    let json = try #require(result.json)
    #expect(json["passed"] as? Bool == false)
    #expect(json["kinks_within_reach"] as? Int == 64)  // 2 units × 32 samples, all at z = 0
    #expect(json["max_rel_diff_backprop"] as? Double == 0)
  }

  @Test(
    "bad flags get one sentence and exit 64",
    arguments: [
      (["--loss", "hinge"], "The value 'hinge' is invalid for '--loss <loss>'"),
      (["--architecture", "3-x-2"], "--architecture must be layer sizes"),
      (["--activations", "swish"], "unknown activation 'swish'"),
      (
        ["--architecture", "3-4-2", "--activations", "softmax,softmax"],
        "softmax may only be the last layer's activation"
      ),
      (["--loss", "ce", "--activations", "tanh,tanh,tanh"], "the loss ce needs a softmax output layer"),
      (["--samples", "0"], "--samples must be at least 1"),
      (["--init", "orthogonal"], "The value 'orthogonal' is invalid for '--init <init>'"),
      (["--l2=-1"], "--l2 must be finite and not negative"),
    ])
  func badFlags(_ flags: [String], _ message: String) throws {
    let result = try runKKTNet(["compare"] + flags)
    #expect(result.status == 64)
    #expect(result.standardError.contains(message), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }
}
