import Foundation
import KKTNet
import Solvers

/// What a checkpoint holds: the training state, the plan that made it, and what the run was made of (the
/// network, the data, their preparation). A run continues a checkpoint when the plans agree on every
/// setting that decides the trajectory and the identities agree; the budget may differ.
struct CheckpointContents: Codable {
  /// The format's version.
  var version = 1
  var plan: TrainingPlan
  var identity: RunIdentity
  var state: TrainingState
}

/// A checkpoint in a model file: its layers hold the current θ, so a checkpoint is also a usable model;
/// `state.checkpoint` metadata holds ``CheckpointContents`` as JSON, with every long list of numbers moved
/// into an F64 tensor `state.<path>` (exact, and readable with any safetensors reader) and replaced by the
/// string `"@state.<path>"`.
enum Checkpoint {
  static let key = "state.checkpoint"
  /// Lists of at least this many numbers become tensors.
  static let tensorThreshold = 8

  /// The model file of a checkpoint.
  static func model(_ contents: CheckpointContents, base: ModelFile) throws -> ModelFile {
    var model = base
    model.network.parameters = contents.state.parameters
    var tensors: [SafetensorsFile.Tensor] = []
    let json = try JSONValue.parse(Array(try JSONCoding.text(contents).utf8))
    let moved = tensorize(json, path: "state", into: &tensors)
    model.stateTensors = tensors
    model.extraMetadata = base.extraMetadata.filter { !$0.key.hasPrefix("state.") }
    model.extraMetadata[key] = moved.text
    return model
  }

  /// The contents of a checkpoint file.
  static func contents(_ model: ModelFile, path: String) throws(InputError) -> CheckpointContents {
    guard let text = model.extraMetadata[key] else {
      throw InputError(file: path, "holds no training state (it is a model, not a checkpoint)")
    }
    let tensors = Dictionary(model.stateTensors.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
    let restored: JSONValue
    do {
      restored = try untensorize(try JSONValue.parse(Array(text.utf8)), tensors)
    } catch {
      throw InputError(file: path, "the checkpoint's state is damaged: \(error.message)")
    }
    do {
      return try JSONCoding.decoder.decode(CheckpointContents.self, from: Data(restored.text.utf8))
    } catch {
      throw InputError(file: path, "the checkpoint's state is damaged or from another version of kktnet")
    }
  }

  private static func tensorize(_ value: JSONValue, path: String, into tensors: inout [SafetensorsFile.Tensor])
    -> JSONValue
  {
    switch value {
    case .object(let members):
      return .object(members.map { ($0.key, tensorize($0.value, path: path + "." + $0.key, into: &tensors)) })
    case .array(let elements):
      let numbers = elements.compactMap { element -> Double? in
        if case .number(let text) = element { return Double(text) }
        return nil
      }
      if numbers.count == elements.count && numbers.count >= tensorThreshold {
        tensors.append(SafetensorsFile.Tensor(name: path, shape: [numbers.count], values: numbers))
        return .string("@" + path)
      }
      return .array(elements.enumerated().map { tensorize($0.element, path: path + ".\($0.offset)", into: &tensors) })
    default:
      return value
    }
  }

  private static func untensorize(_ value: JSONValue, _ tensors: [String: [Double]]) throws(InputError) -> JSONValue {
    switch value {
    case .object(let members):
      var restored: [(key: String, value: JSONValue)] = []
      for member in members { restored.append((member.key, try untensorize(member.value, tensors))) }
      return .object(restored)
    case .array(let elements):
      var restored: [JSONValue] = []
      for element in elements { restored.append(try untensorize(element, tensors)) }
      return .array(restored)
    case .string(let text) where text.hasPrefix("@state."):
      guard let values = tensors[String(text.dropFirst())] else {
        throw InputError("the tensor \(quoted(String(text.dropFirst()))) is missing")
      }
      guard values.allSatisfy(\.isFinite) else {
        throw InputError("the tensor \(quoted(String(text.dropFirst()))) holds a value that is not finite")
      }
      return .array(values.map { .number("\($0)") })
    default:
      return value
    }
  }
}
