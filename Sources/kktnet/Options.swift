import ArgumentParser
import KKTNet

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table
  case json
}

struct OutputOptions: ParsableArguments {
  @Option(help: "How to print the result: 'table' for people, 'json' for programs.")
  var format: OutputFormat = .table
}

/// The options that describe a network to build: architecture, activations, loss and penalty.
struct NetworkOptions: ParsableArguments {
  @Option(help: "Layer sizes n₀-n₁-…-n_N, e.g. 3-8-8-2.")
  var architecture: String = "3-8-8-2"

  @Option(
    help: ArgumentHelp(
      "One activation for every hidden layer, or one per layer, comma-separated.",
      discussion:
        "With one name the output layer takes the loss's natural activation (mse: identity, bce: sigmoid, ce: softmax). Names: \(Activation.names)."
    ))
  var activations: String = "tanh"

  @Option(help: "The loss: mse, bce (sigmoid output) or ce (softmax output).", transform: parseLoss)
  var loss: Loss = .meanSquaredError

  @Option(help: "λ₁, the weight of the L1 penalty on the weights.")
  var l1: Double = 0

  @Option(help: "λ₂, the weight of the L2 penalty on the weights.")
  var l2: Double = 0

  func validate() throws {
    guard l1 >= 0, l1.isFinite, l2 >= 0, l2.isFinite else {
      throw ValidationError("--l1 and --l2 must be finite and not negative.")
    }
    _ = try makeArchitecture()
  }

  /// The architecture the flags describe, or a ValidationError with the sentence to show.
  func makeArchitecture() throws -> Architecture {
    guard let sizes = Architecture.parseLayerSizes(architecture) else {
      throw ValidationError("--architecture must be layer sizes joined by '-', like 3-8-8-2, not '\(architecture)'.")
    }
    let names = activations.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var parsed: [Activation] = []
    for name in names {
      guard let activation = Activation(name) else {
        throw ValidationError("unknown activation '\(name)'; expected one of \(Activation.names).")
      }
      parsed.append(activation)
    }
    let layers = max(sizes.count - 1, 0)
    if parsed.count == 1 && layers > 1 {
      parsed = Array(repeating: parsed[0], count: layers - 1) + [loss.naturalOutputActivation]
    }
    do {
      let result = try Architecture(layerSizes: sizes, activations: parsed)
      guard loss.accepts(outputActivation: result.outputActivation) else {
        throw NetworkError.lossNeedsOutputActivation(loss: loss, output: result.outputActivation)
      }
      return result
    } catch let error as NetworkError {
      throw ValidationError(error.description + ".")
    }
  }

  var regularization: Regularization { Regularization(l1: l1, l2: l2) }
}

func parseLoss(_ text: String) throws -> Loss {
  guard let loss = Loss(name: text) else { throw ValidationError("unknown loss '\(text)'; expected mse, bce or ce.") }
  return loss
}

func parseInitialization(_ text: String) throws -> Initialization {
  guard let initialization = Initialization(rawValue: text.lowercased()) else {
    throw ValidationError(
      "unknown initialization '\(text)'; expected \(Initialization.allCases.map(\.rawValue).joined(separator: ", ")).")
  }
  return initialization
}
