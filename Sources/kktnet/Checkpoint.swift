import KKTNet
import Solvers

/// A solver's state saved in a model file: the layers hold the current θ (so a checkpoint is also a
/// usable model), `state.*` tensors the optimizer's vectors, and `state.*` metadata the counters, the
/// generator, the numbers, the history and the flags that determine the run.
enum Checkpoint {
  /// The model file of a state.
  static func model(_ state: SolverState, base: ModelFile, configuration: String) -> ModelFile {
    var model = base
    model.network.parameters = state.parameters
    model.stateTensors = state.vectors.keys.sorted().map {
      SafetensorsFile.Tensor(name: "state.\($0)", shape: [state.vectors[$0]!.count], values: state.vectors[$0]!)
    }
    var metadata = base.extraMetadata.filter { !$0.key.hasPrefix("state.") }
    metadata["state.configuration"] = configuration
    metadata["state.iteration"] = "\(state.iteration)"
    metadata["state.epoch"] = "\(state.epoch)"
    metadata["state.batch_in_epoch"] = "\(state.batchInEpoch)"
    metadata["state.function_evaluations"] = "\(state.functionEvaluations)"
    metadata["state.jacobian_evaluations"] = "\(state.jacobianEvaluations)"
    if let generator = state.generator {
      let s = generator.state
      metadata["state.generator"] = "\(s.0),\(s.1),\(s.2),\(s.3)"
    }
    metadata["state.scalars"] =
      "{"
      + state.scalars.keys.sorted().map { "\"\($0)\":\"\(HistoryFile.number(state.scalars[$0]!))\"" }.joined(
        separator: ",") + "}"
    metadata["state.history"] = "[" + state.history.map(HistoryFile.json).joined(separator: ",") + "]"
    model.extraMetadata = metadata
    return model
  }

  /// The state saved in a model file, checking that it was made with the same run-determining flags.
  static func state(_ model: ModelFile, path: String, configuration: String) throws -> SolverState {
    let m = model.extraMetadata
    guard let saved = m["state.configuration"] else {
      throw InputError(file: path, "holds no training state (it is a model, not a checkpoint)")
    }
    guard saved == configuration else {
      throw InputError(
        file: path,
        "the checkpoint was made with '\(saved)', but this run has '\(configuration)'; resume with the same flags")
    }
    func integer(_ key: String) throws -> Int {
      guard let text = m[key], let value = Int(text), value >= 0 else {
        throw InputError(file: path, "the checkpoint's '\(key)' is missing or not a count")
      }
      return value
    }
    var state = SolverState(
      iteration: try integer("state.iteration"), epoch: try integer("state.epoch"),
      batchInEpoch: try integer("state.batch_in_epoch"), parameters: model.network.parameters,
      functionEvaluations: try integer("state.function_evaluations"),
      jacobianEvaluations: try integer("state.jacobian_evaluations"))
    for tensor in model.stateTensors { state.vectors[String(tensor.name.dropFirst("state.".count))] = tensor.values }
    if let text = m["state.generator"] {
      let words = text.split(separator: ",").compactMap { UInt64($0) }
      guard words.count == 4, words != [0, 0, 0, 0] else {
        throw InputError(file: path, "the checkpoint's generator state is damaged")
      }
      state.generator = RandomSource(state: (words[0], words[1], words[2], words[3]))
    }
    if let text = m["state.scalars"] {
      guard case .object(let members)? = try? JSONValue.parse(Array(text.utf8)) else {
        throw InputError(file: path, "the checkpoint's numbers are damaged")
      }
      for (key, value) in members {
        guard case .string(let number) = value, let parsed = Double(number) else {
          throw InputError(file: path, "the checkpoint's number '\(key)' is damaged")
        }
        state.scalars[key] = parsed
      }
    }
    if let text = m["state.history"] {
      guard case .array(let rows)? = try? JSONValue.parse(Array(text.utf8)) else {
        throw InputError(file: path, "the checkpoint's history is damaged")
      }
      state.history = rows.compactMap(HistoryFile.summary)
    }
    guard !state.history.isEmpty else { throw InputError(file: path, "the checkpoint's history is empty") }
    return state
  }
}
