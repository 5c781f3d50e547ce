/// A network description that cannot be built, with the sentence to show the user.
public enum NetworkError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The architecture has fewer than two layer sizes, or a size below 1.
  case invalidLayerSizes([Int])
  /// The number of activations differs from the number of layers.
  case activationCountMismatch(layers: Int, activations: Int)
  /// An activation name that is not known.
  case unknownActivation(String)
  /// A loss name that is not known.
  case unknownLoss(String)
  /// Softmax somewhere other than the last layer.
  case softmaxNotLast(layer: Int)
  /// The loss cannot follow the last layer's activation.
  case lossNeedsOutputActivation(loss: Loss, output: Activation)
  /// A parameter vector of the wrong length.
  case parameterCountMismatch(expected: Int, actual: Int)

  public var description: String {
    switch self {
    case .invalidLayerSizes(let sizes):
      return
        "the architecture \(sizes.map(String.init).joined(separator: "-")) needs at least two layer sizes, each at least 1"
    case .activationCountMismatch(let layers, let activations):
      return
        "the network has \(layers) layer\(layers == 1 ? "" : "s") but \(activations) activation\(activations == 1 ? "" : "s") were given"
    case .unknownActivation(let name):
      return "unknown activation '\(name)'; expected one of \(Activation.names)"
    case .unknownLoss(let name):
      return "unknown loss '\(name)'; expected mse, bce or ce"
    case .softmaxNotLast(let layer):
      return "softmax may only be the last layer's activation, but layer \(layer) uses it"
    case .lossNeedsOutputActivation(let loss, let output):
      return
        "the loss \(loss) needs a \(loss.naturalOutputActivation) output layer, but the last activation is \(output)"
    case .parameterCountMismatch(let expected, let actual):
      return "the network has \(expected) parameters, but \(actual) values were given"
    }
  }
}
