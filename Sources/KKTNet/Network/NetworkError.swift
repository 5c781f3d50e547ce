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
  /// The layer sizes give more parameters than an `Int` counts.
  case tooManyParameters([Int])
  /// An activation whose parameter (leaky-relu's slope, elu's α) is out of its domain.
  case activationParameterOutOfRange(layer: Int, Activation)
  /// Inputs with another number of rows (features) than the network's n₀.
  case inputCountMismatch(expected: Int, actual: Int)
  /// Data that does not fit the network: the sentence says what to change.
  case dataMismatch(String)

  /// The sentence to show.
  public var description: String {
    switch self {
    case .invalidLayerSizes(let sizes):
      return "the architecture \(Self.spelled(sizes)) needs at least two layer sizes, each at least 1"
    case .activationCountMismatch(let layers, let activations):
      return
        "the network has \(layers) layer\(layers == 1 ? "" : "s") but \(activations) activation\(activations == 1 ? "" : "s") were given"
    case .unknownActivation(let name):
      return "unknown activation '\(InputError.quoted(name))'; expected one of \(Activation.names)"
    case .unknownLoss(let name):
      return "unknown loss '\(InputError.quoted(name))'; expected mse, bce or ce"
    case .softmaxNotLast(let layer):
      return "softmax may only be the last layer's activation, but layer \(layer) uses it"
    case .lossNeedsOutputActivation(let loss, let output):
      return
        "the loss \(loss) needs a \(loss.naturalOutputActivation) output layer, but the last activation is \(output)"
    case .parameterCountMismatch(let expected, let actual):
      return "the network has \(expected) parameters, but \(actual) values were given"
    case .tooManyParameters(let sizes):
      return "the architecture \(Self.spelled(sizes)) has more parameters than a 64-bit count holds"
    case .activationParameterOutOfRange(let layer, let activation):
      let problem = Architecture.parameterProblem(of: activation) ?? "its parameter is out of range"
      return "layer \(layer)'s activation \(InputError.quoted(activation.description)): \(problem)"
    case .inputCountMismatch(let expected, let actual):
      return
        "the inputs have \(actual) row\(actual == 1 ? "" : "s") (features), but the network takes \(expected); give one row per input and one column per sample"
    case .dataMismatch(let sentence):
      return sentence
    }
  }

  /// `3-8-2`, cut to about 60 characters.
  static func spelled(_ sizes: [Int]) -> String {
    InputError.quoted(sizes.map(String.init).joined(separator: "-"))
  }
}
