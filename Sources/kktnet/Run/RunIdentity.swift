import Foundation
import KKTNet
import Solvers

/// What a training run is made of besides its plan: the network it trains, the data (by content, not by
/// name) and how they were prepared. A checkpoint continues only a run with the same identity.
struct RunIdentity: Codable, Equatable {
  /// `30-16-1 tanh,sigmoid`, the loss and the penalty.
  var network: String
  /// How a new network was drawn (`xavier-uniform seed 1`), or the start model's file name.
  var start: String
  /// A 64-bit FNV-1a digest of the training data file, and its samples.
  var data: String
  var trainingSamples: Int
  /// The target columns as given (nil: the last column).
  var targets: [String]?
  /// `--standardize`, `--standardize-targets`.
  var standardization: String
  /// `split 0.2`, `file <digest>` or `none`, and the validation samples.
  var validation: String
  var validationSamples: Int

  /// The flags behind each field, for messages.
  static let flags: [String: String] = [
    "network": "--architecture, --activations, --loss, --l1, --l2 or --model",
    "start": "--init, --seed or --model",
    "data": "--data (its contents)",
    "trainingSamples": "--data or --validation-split",
    "targets": "--target",
    "standardization": "--standardize, --standardize-targets",
    "validation": "--validation-split or --validation",
    "validationSamples": "--validation-split or --validation",
  ]

  /// The fields in which `saved` and this identity differ: (field, saved value, current value).
  func differences(from saved: RunIdentity) -> [(field: String, saved: String, current: String)] {
    var result: [(String, String, String)] = []
    func compare<T: Equatable>(_ field: String, _ key: KeyPath<RunIdentity, T>) {
      if saved[keyPath: key] != self[keyPath: key] {
        result.append((field, "\(saved[keyPath: key])", "\(self[keyPath: key])"))
      }
    }
    compare("network", \.network)
    compare("start", \.start)
    compare("data", \.data)
    compare("trainingSamples", \.trainingSamples)
    compare("targets", \.targets)
    compare("standardization", \.standardization)
    compare("validation", \.validation)
    compare("validationSamples", \.validationSamples)
    return result
  }
}

/// The 64-bit FNV-1a digest of a file's bytes, as 16 hexadecimal digits.
func fileDigest(_ path: String) throws(InputError) -> String {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in try AtomicFile.read(path) {
    hash ^= UInt64(byte)
    hash = hash &* 0x0000_0100_0000_01b3
  }
  let hex = String(hash, radix: 16)
  return String(repeating: "0", count: 16 - hex.count) + hex
}

/// Why a checkpoint cannot continue this run, naming only the settings that differ, or nil.
func checkpointMismatch(_ saved: CheckpointContents, plan: TrainingPlan, identity: RunIdentity) -> String? {
  var parts: [String] = []
  for difference in plan.trajectoryDifferences(from: saved.plan) {
    let flag = TrainingOptions.flags[difference.field] ?? difference.field
    parts.append("\(flag) was \(quoted(difference.saved)), now \(quoted(difference.current))")
  }
  for difference in identity.differences(from: saved.identity) {
    let flag = RunIdentity.flags[difference.field] ?? difference.field
    parts.append("\(flag): \(quoted(difference.saved)) then, \(quoted(difference.current)) now")
  }
  guard !parts.isEmpty else { return nil }
  return "the checkpoint was made with other settings: " + parts.joined(separator: "; ")
    + "; resume with the same settings (only the budget may change: epochs, iterations, time limit, goal, patience)"
}

extension RunIdentity {
  /// The identity of a run of `options` from `network`: `data` and `start` are the digests of the data file
  /// and of the start model (nil: a network drawn from the flags).
  init(
    _ options: TrainingOptions, network: Network, data: String, start: String?, trainingSamples: Int,
    validation: String, validationSamples: Int
  ) {
    let regularization = network.regularization
    self.init(
      network: "\(network.architecture), loss \(network.loss), l1 \(regularization.l1), l2 \(regularization.l2)",
      start: start.map { "model \($0)" } ?? "\(options.architecture.scheme) seed \(options.seed.seed)",
      data: data, trainingSamples: trainingSamples, targets: options.data.targetNames,
      standardization: options.preparation.standardize
        ? (options.preparation.standardizeTargets ? "inputs and targets" : "inputs") : "none",
      validation: validation, validationSamples: validationSamples)
  }
}
