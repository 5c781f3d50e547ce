import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// Where one rank's training samples sit in a data-parallel run.
struct ShardPlacement {
  /// The position of the rank's first training sample in the single process's training set.
  let trainingOffset: Int
  /// The training samples of every rank.
  let trainingCount: Int
  /// The validation samples of every rank.
  let validationCount: Int
}

extension TrainingSetup {
  /// The training samples of the whole run (of every rank).
  var trainingSampleCount: Int { placement?.trainingCount ?? training.inputs.columns }
  /// The validation samples of the whole run.
  var validationSampleCount: Int { placement?.validationCount ?? validation?.inputs.columns ?? 0 }

  /// The setup of `kktnet train` (or `compare-solvers`) over the ranks of `communicator`, each holding
  /// only its share of the rows: the data read by ``ShardedDataset``, the validation split by
  /// ``ValidationSplit`` (the single process's, seen from the rank's rows) or a validation file read in
  /// shards too, and the standardization fitted over every rank's training samples. Every rank gets the
  /// same network, classes, statistics and run identity as the single process; its training samples are
  /// samples ``ShardPlacement/trainingOffset``… of the single process's training set, in its order.
  ///
  /// Collective. A failure on one rank is agreed on (``DataParallel/agreeing(_:)`` around it, or
  /// ``CollectiveFailure`` from the reading itself); every check that does not read the data gives the
  /// same answer on every rank.
  init(sharded options: TrainingOptions, communicator: any Communicator) throws {
    let (start, loss) = try Self.startModel(options)
    let dataPath = options.data.data
    let shard = try ShardedDataset.load(
      path: dataPath, targets: options.data.targetNames, loss: loss, classes: start?.classes,
      communicator: communicator)
    var dataset = shard.dataset
    let network = try Self.startNetwork(options, start: start, loss: loss)
    try Self.checkShape(dataset, fits: network, file: dataPath)

    var validationData: Dataset?
    var validationIdentity = "none"
    var trainingOffset = shard.rows.lowerBound
    var trainingCount = shard.sampleCount
    var validationCount = 0
    if let fraction = options.preparation.validationSplit {
      guard shard.sampleCount >= 2 else {
        throw InputError(file: dataPath, "a validation split needs at least two samples")
      }
      let split = try ValidationSplit(
        sampleCount: shard.sampleCount, fraction: fraction, seed: options.seed.seed, rows: shard.rows)
      (dataset, validationData) = split.partition(dataset)
      trainingOffset = split.trainingOffset
      trainingCount = split.trainingCount
      validationCount = split.validationCount
      validationIdentity = "split \(fraction) seed \(options.seed.seed)"
    } else if let path = options.preparation.validation {
      let v = try ShardedDataset.load(
        path: path, targets: options.data.targetNames, loss: loss, classes: dataset.classes,
        communicator: communicator)
      guard v.dataset.inputs.rows == dataset.inputs.rows && v.dataset.targets.rows == dataset.targets.rows else {
        throw InputError(file: path, "the validation data's columns do not match the training data's")
      }
      validationData = v.dataset
      validationCount = v.sampleCount
      validationIdentity = "file \(try streamedFileDigest(path))"
    }
    if let empty = communicator.firstRank(where: dataset.sampleCount == 0) {
      throw InputError(
        file: dataPath,
        "rank \(empty) of \(communicator.size) holds no training sample (\(trainingCount) in all); run on fewer ranks")
    }

    let prepared = try Self.standardization(options, start: start, loss: loss, dataset: dataset) {
      Standardization.fit(inputs: $0, targets: $1, communicator: communicator)
    }
    try self.init(
      network: network, start: start, dataset: dataset, validationData: validationData, prepared: prepared,
      identity: RunIdentity(
        options, network: network, data: streamedFileDigest(dataPath),
        start: options.model.model.map(streamedFileDigest), trainingSamples: trainingCount,
        validation: validationIdentity, validationSamples: validationCount),
      placement: ShardPlacement(
        trainingOffset: trainingOffset, trainingCount: trainingCount, validationCount: validationCount))
  }

  /// The setup of this run: sharded over the installed ranks with `kktnet-mpi`, whole otherwise.
  static func make(_ options: TrainingOptions) throws -> TrainingSetup {
    guard DataParallel.isDistributed else { return try TrainingSetup(options) }
    return try TrainingSetup(sharded: options, communicator: DataParallel.communicator)
  }
}

/// ``fileDigest(_:)`` read in pieces of 1 MiB, so that no rank holds the whole file.
func streamedFileDigest(_ path: String) throws(InputError) -> String {
  guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError(file: path, "cannot be read") }
  defer { try? handle.close() }
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  while true {
    let piece: Data
    do { piece = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
      throw InputError(file: path, "cannot be read: \(error.localizedDescription)")
    }
    if piece.isEmpty { break }
    for byte in piece {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
  }
  let hex = String(hash, radix: 16)
  return String(repeating: "0", count: 16 - hex.count) + hex
}

/// ``metric(_:_:_:)`` over every rank's samples (a rank may hold none). Collective.
func distributedMetric(_ network: Network, _ parameters: [Double], _ data: (inputs: Matrix, targets: Matrix)) -> (
  name: String, value: Double
) {
  let communicator = DataParallel.communicator
  let outputs =
    data.inputs.columns > 0
    ? Lagrangian(network: network, inputs: data.inputs, targets: data.targets).outputs(parameters: parameters)
    : Matrix(rows: data.targets.rows, columns: 0)
  if network.loss == .meanSquaredError {
    return (
      "r2", Metrics.coefficientOfDetermination(outputs: outputs, targets: data.targets, communicator: communicator)
    )
  }
  return (
    "accuracy",
    Metrics.accuracy(outputs: outputs, targets: data.targets, loss: network.loss, communicator: communicator)
  )
}
