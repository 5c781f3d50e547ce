import ArgumentParser
import KKTNet

/// What a network computes, beyond its layer sizes: the activations, the loss and the penalty. For a new
/// network these are its settings (defaults tanh, mse, 0, 0); with a model file they override its metadata.
struct NetworkOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "One activation for every hidden layer, or one per layer, comma-separated (default tanh; overrides a model's).",
      discussion:
        "With one name the output layer takes the loss's natural activation (mse: identity, bce: sigmoid, ce: softmax). Names: \(Activation.names)."
    ))
  var activations: String?

  @Option(help: "The loss: mse, bce (sigmoid output) or ce (softmax output) (default mse; overrides a model's).")
  var loss: Loss?

  @Option(help: "λ₁, the weight of the L1 penalty on the weights (default 0; overrides a model's).")
  var l1: Double?

  @Option(help: "λ₂, the weight of the L2 penalty on the weights (default 0; overrides a model's).")
  var l2: Double?

  func validate() throws {
    for (flag, value) in [("--l1", l1), ("--l2", l2)] {
      if let value, !(value >= 0 && value.isFinite) {
        throw ValidationError("\(flag) must be finite and not negative, not \(quoted(value)).")
      }
    }
    if let activations {
      for name in activations.split(separator: ",", omittingEmptySubsequences: false) {
        guard let activation = Activation(String(name)) else {
          throw ValidationError("unknown activation '\(quoted(String(name)))'; expected one of \(Activation.names).")
        }
        if let problem = Architecture.parameterProblem(of: activation) {
          throw ValidationError("--activations \(quoted(String(name))): \(problem).")
        }
      }
    }
  }

  /// The activations given, one per name (nil when none are).
  var activationList: [Activation]? {
    activations.map { $0.split(separator: ",", omittingEmptySubsequences: false).compactMap { Activation(String($0)) } }
  }

  /// The settings that override a model file's metadata.
  var overrides: ModelFile.Overrides {
    ModelFile.Overrides(activations: activationList, loss: loss, l1: l1, l2: l2)
  }

  /// λ₁ and λ₂ (0 unless given).
  var regularization: Regularization { Regularization(l1: l1 ?? 0, l2: l2 ?? 0) }

  /// The architecture of a new network with layer sizes `sizes` (as `--architecture` spells them): one
  /// activation name means every hidden layer, with the loss's natural output.
  func architecture(_ sizes: String) throws -> Architecture {
    guard let layerSizes = Architecture.parseLayerSizes(sizes) else {
      throw ValidationError("--architecture must be layer sizes joined by '-', like 3-8-8-2, not '\(quoted(sizes))'.")
    }
    let loss = self.loss ?? .meanSquaredError
    var parsed = activationList ?? [.tanh]
    let layers = max(layerSizes.count - 1, 0)
    if parsed.count == 1 && layers > 1 {
      parsed = Array(repeating: parsed[0], count: layers - 1) + [loss.naturalOutputActivation]
    }
    do {
      let result = try Architecture(layerSizes: layerSizes, activations: parsed)
      guard loss.accepts(outputActivation: result.outputActivation) else {
        throw NetworkError.lossNeedsOutputActivation(loss: loss, output: result.outputActivation)
      }
      return result
    } catch let error as NetworkError {
      throw ValidationError(error.description + ".")
    }
  }
}
