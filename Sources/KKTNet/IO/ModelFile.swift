/// A network stored PyTorch-style in a safetensors file.
///
/// Layer k (from 0) is `layers.{k}.weight`, shape [nₖ₊₁, nₖ] (out × in, row-major, like
/// `torch.nn.Linear.weight`), and `layers.{k}.bias`, shape [nₖ₊₁]. `__metadata__` holds `"activations"`
/// (comma-separated, one per layer), `"loss"`, `"l1"`, `"l2"`, and when present the standardization
/// (`"input_mean"`, `"input_scale"`, `"target_mean"`, `"target_scale"`) and the class labels of a
/// classifier (`"classes"`), each a comma-separated list of numbers. Tensors named `state.…` and other
/// metadata keys are carried along untouched (a training checkpoint keeps its optimizer there).
public struct ModelFile: Sendable {
  /// The network: architecture, loss, penalty and θ.
  public var network: Network
  /// The standardization the network was trained with, reapplied by `predict(_:)`; nil for none.
  public var standardization: Standardization?
  /// The labels that the outputs of a `ce` (or single-output `bce`) classifier stand for, sorted.
  public var classes: [Double]?
  /// Metadata beyond the keys above.
  public var extraMetadata: [String: String]
  /// `state.…` tensors (a checkpoint's optimizer state).
  public var stateTensors: [SafetensorsFile.Tensor]

  /// A model from its parts.
  public init(
    network: Network, standardization: Standardization? = nil, classes: [Double]? = nil,
    extraMetadata: [String: String] = [:], stateTensors: [SafetensorsFile.Tensor] = []
  ) {
    self.network = network
    self.standardization = standardization
    self.classes = classes
    self.extraMetadata = extraMetadata
    self.stateTensors = stateTensors
  }

  /// Settings given on the command line that take precedence over the file's metadata.
  public struct Overrides: Sendable {
    /// The activations, one per layer, instead of the file's `activations`.
    public var activations: [Activation]?
    /// The loss instead of the file's `loss`.
    public var loss: Loss?
    /// λ₁ instead of the file's `l1`.
    public var l1: Double?
    /// λ₂ instead of the file's `l2`.
    public var l2: Double?
    /// Overrides of the settings given; nil keeps the file's.
    public init(activations: [Activation]? = nil, loss: Loss? = nil, l1: Double? = nil, l2: Double? = nil) {
      self.activations = activations
      self.loss = loss
      self.l1 = l1
      self.l2 = l2
    }
  }

  static let reservedKeys: Set<String> = [
    "activations", "loss", "l1", "l2", "input_mean", "input_scale", "target_mean", "target_scale", "classes", "format",
  ]

  // MARK: Reading

  /// Reads a model, checking that its tensors form a chain of layers.
  public static func read(path: String, overrides: Overrides = Overrides()) throws(InputError) -> ModelFile {
    let file = try SafetensorsFile.read(path: path)
    do {
      return try decode(file, overrides: overrides)
    } catch {
      throw error.inFile(path)
    }
  }

  /// Builds the model from a decoded file.
  public static func decode(_ file: SafetensorsFile, overrides: Overrides = Overrides()) throws(InputError) -> ModelFile
  {
    var weights: [Int: SafetensorsFile.Tensor] = [:]
    var biases: [Int: SafetensorsFile.Tensor] = [:]
    var state: [SafetensorsFile.Tensor] = []
    for tensor in file.tensors {
      if tensor.name.hasPrefix("state.") {
        state.append(tensor)
        continue
      }
      let parts = tensor.name.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 3, parts[0] == "layers", let k = Int(parts[1]), k >= 0, String(k) == parts[1],
        parts[2] == "weight" || parts[2] == "bias"
      else {
        throw InputError(
          "tensor '\(InputError.quoted(tensor.name))' is not part of a KKTNet model (expected layers.{k}.weight and layers.{k}.bias)"
        )
      }
      if parts[2] == "weight" { weights[k] = tensor } else { biases[k] = tensor }
    }
    let count = weights.count
    guard count > 0 else { throw InputError("the file holds no layers.{k}.weight tensor") }
    for k in 0..<count {
      guard weights[k] != nil else {
        throw InputError("tensor 'layers.\(k).weight' is missing, but later layers are present")
      }
    }
    for k in biases.keys.sorted() where weights[k] == nil {
      throw InputError("tensor 'layers.\(k).bias' has no matching layers.\(k).weight")
    }

    var sizes: [Int] = []
    var theta: [Double] = []
    for k in 0..<count {
      let w = weights[k]!
      guard w.shape.count == 2 else {
        throw InputError(
          "tensor 'layers.\(k).weight' has shape \(InputError.quoted("\(w.shape)")); a weight must be 2-D [out, in]")
      }
      let (outputs, inputs) = (w.shape[0], w.shape[1])
      guard outputs >= 1 && inputs >= 1 else {
        throw InputError("tensor 'layers.\(k).weight' has an empty dimension: \(w.shape)")
      }
      if k == 0 {
        sizes.append(inputs)
      } else if inputs != sizes[k] {
        throw InputError(
          "tensor 'layers.\(k).weight' takes \(inputs) inputs, but layers.\(k - 1).weight gives \(sizes[k]) outputs")
      }
      sizes.append(outputs)
      guard let b = biases[k] else { throw InputError("tensor 'layers.\(k).bias' is missing") }
      guard b.shape == [outputs] else {
        throw InputError(
          "tensor 'layers.\(k).bias' has shape \(InputError.quoted("\(b.shape)")), but layers.\(k).weight has \(outputs) rows"
        )
      }
      try checkFinite(w)
      try checkFinite(b)
      theta += w.values
      theta += b.values
    }

    let metadata = file.metadata
    let activations: [Activation]
    if let given = overrides.activations {
      activations = given
    } else if let text = metadata["activations"] {
      activations = try parseActivations(text, layers: count)
    } else {
      throw InputError("the model has no 'activations' metadata; give them with --activations")
    }
    guard activations.count == count else {
      throw InputError("the model has \(count) layers but \(activations.count) activations")
    }
    let loss: Loss
    if let given = overrides.loss {
      loss = given
    } else if let name = metadata["loss"] {
      guard let parsed = Loss(name: name) else {
        throw InputError("metadata 'loss' is '\(InputError.quoted(name))', not mse, bce or ce")
      }
      loss = parsed
    } else {
      loss = .meanSquaredError
    }
    let storedL1 = try number(metadata, "l1")
    let storedL2 = try number(metadata, "l2")
    let l1 = overrides.l1 ?? storedL1 ?? 0
    let l2 = overrides.l2 ?? storedL2 ?? 0
    guard l1 >= 0 && l2 >= 0 else { throw InputError("metadata 'l1' and 'l2' must not be negative") }

    let network: Network
    do {
      let architecture = try Architecture(layerSizes: sizes, activations: activations)
      network = try Network(
        architecture: architecture, loss: loss, regularization: Regularization(l1: l1, l2: l2), parameters: theta)
    } catch {
      throw InputError(error.description)
    }

    let standardization = try Self.standardization(metadata, sizes: sizes, loss: loss)
    let classes = try Self.classes(metadata, outputs: sizes[count], loss: loss)
    return ModelFile(
      network: network, standardization: standardization, classes: classes,
      extraMetadata: metadata.filter { !reservedKeys.contains($0.key) }, stateTensors: state)
  }

  /// Parses a comma-separated list of activation names for `layers` layers.
  public static func parseActivations(_ text: String, layers: Int) throws(InputError) -> [Activation] {
    var result: [Activation] = []
    for name in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let activation = Activation(String(name)) else {
        throw InputError("unknown activation '\(InputError.quoted(name))'; expected one of \(Activation.names)")
      }
      result.append(activation)
    }
    return result
  }

  private static func checkFinite(_ tensor: SafetensorsFile.Tensor) throws(InputError) {
    if let index = tensor.values.firstIndex(where: { !$0.isFinite }) {
      let position =
        tensor.shape.count == 2 ? "row \(index / tensor.shape[1]), column \(index % tensor.shape[1])" : "index \(index)"
      throw InputError(
        "tensor '\(InputError.quoted(tensor.name))' holds \(tensor.values[index]) at \(position); every value must be finite"
      )
    }
  }

  static func number(_ metadata: [String: String], _ key: String) throws(InputError) -> Double? {
    guard let text = metadata[key] else { return nil }
    guard let value = parseDecimal(text), value.isFinite else {
      throw InputError("metadata '\(key)' is '\(InputError.quoted(text))', not a number")
    }
    return value
  }

  static func numbers(_ metadata: [String: String], _ key: String) throws(InputError) -> [Double]? {
    guard let text = metadata[key] else { return nil }
    var values: [Double] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let value = parseDecimal(String(part)), value.isFinite else {
        throw InputError("metadata '\(key)' holds '\(InputError.quoted(part))', not a number")
      }
      values.append(value)
    }
    return values
  }

  // MARK: Writing

  /// The safetensors file of this model: the layers' tensors, then the `state.…` tensors.
  public var safetensors: SafetensorsFile {
    let network = self.network
    let architecture = network.architecture
    var tensors = architecture.tensors.map {
      SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: Array(network.parameters[$0.range]))
    }
    tensors += stateTensors
    var metadata = extraMetadata
    metadata["format"] = "kktnet"
    metadata["activations"] = architecture.activations.map(\.description).joined(separator: ",")
    metadata["loss"] = network.loss.rawValue
    metadata["l1"] = "\(network.regularization.l1)"
    metadata["l2"] = "\(network.regularization.l2)"
    func list(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: ",") }
    if let s = standardization {
      metadata["input_mean"] = list(s.inputMean)
      metadata["input_scale"] = list(s.inputScale)
      if let mean = s.targetMean, let scale = s.targetScale {
        metadata["target_mean"] = list(mean)
        metadata["target_scale"] = list(scale)
      }
    }
    if let classes { metadata["classes"] = list(classes) }
    return SafetensorsFile(tensors: tensors, metadata: metadata)
  }

  /// Writes the model atomically.
  public func write(path: String) throws(InputError) {
    try safetensors.write(path: path)
  }
}
