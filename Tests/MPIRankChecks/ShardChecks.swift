import KKTNet
import MPI
import Solvers
import TestSupport

/// Each rank reads its share of `path` and compares it with the single-process reading of the whole file
/// (held here only as the reference): the rows, the classes, the split and the standardization.
func checkShards(path: String, loss: Loss, split fraction: Double, seed: UInt64) {
  let (r, k) = (world.rank, world.size)
  let shard: ShardedDataset
  do { shard = try ShardedDataset.load(path: path, loss: loss, communicator: communicator) } catch {
    communicator.stop(after: error)
  }
  let whole: Dataset
  do { whole = try Dataset.load(path: path, loss: loss) } catch { communicator.abort("Error: \(error)") }
  let m = whole.sampleCount
  require(shard.sampleCount == m, "m is \(shard.sampleCount), the single process's \(m)")
  let expected = (r * m / k)..<((r + 1) * m / k)
  require(shard.rows == expected, "rows \(shard.rows), not \(expected)")
  // The ranges of all ranks partition 0..<m in rank order.
  let bounds = communicator.allGather([Double(shard.rows.lowerBound), Double(shard.rows.upperBound)])
  require(bounds.first![0] == 0 && bounds.last![1] == Double(m), "the shares do not cover 0..<\(m)")
  require(zip(bounds, bounds.dropFirst()).allSatisfy { $0[1] == $1[0] }, "the shares are not contiguous")
  // The same numbers (parsed by the same function: the same bits), names and classes.
  let reference = whole.samples(Array(shard.rows))
  require(shard.dataset.inputs == reference.inputs, "the inputs differ from the single process's rows")
  require(shard.dataset.targets == reference.targets, "the targets differ from the single process's rows")
  require(shard.dataset.inputNames == whole.inputNames && shard.dataset.targetNames == whole.targetNames, "names")
  require(shard.dataset.classes == whole.classes, "classes \(String(describing: shard.dataset.classes))")
  report("rows \(shard.rows) of \(m) equal the single process's, classes \(whole.classes?.count ?? 0)")

  // The split, as kktnet train makes it (Sources/kktnet/TrainingData.swift), on all m indices.
  var trainingData = shard.dataset
  var wholeTraining = whole
  if fraction > 0 {
    var order = Array(0..<m)
    var random = RandomSource(seed: seed ^ 0x5EED_5EED)
    random.shuffle(&order)
    let held = min(max(Int((fraction * Double(m)).rounded()), 1), m - 1)
    let validation = Array(order.suffix(held))
    let training = Array(order.prefix(m - held)).sorted()
    let split: ValidationSplit
    do { split = try ValidationSplit(sampleCount: m, fraction: fraction, seed: seed, rows: shard.rows) } catch {
      communicator.abort("Error: \(error)")
    }
    require(split.trainingRows == training.filter(shard.rows.contains), "the training rows differ")
    require(split.validationRows == validation.filter(shard.rows.contains), "the validation rows or their order differ")
    require(split.trainingOffset == training.filter { $0 < shard.rows.lowerBound }.count, "the training offset")
    let parts = split.partition(shard.dataset)
    trainingData = parts.training
    wholeTraining = whole.samples(training)
    let offset = split.trainingOffset
    require(
      parts.training.inputs == wholeTraining.samples(Array(offset..<(offset + split.trainingRows.count))).inputs,
      "the shard's training samples are not the single process's from position \(offset)")
    report(
      "split: \(split.trainingRows.count) training from position \(offset), \(split.validationRows.count) validation")
  }

  // Standardization over the training samples of every rank, against the single process's.
  let targets = loss == .meanSquaredError ? trainingData.targets : nil
  let sharded = Standardization.fit(inputs: trainingData.inputs, targets: targets, communicator: communicator)
  let single = Standardization.fit(inputs: wholeTraining.inputs, targets: targets == nil ? nil : wholeTraining.targets)
  let rows = [wholeTraining.inputs] + (targets == nil ? [] : [wholeTraining.targets])
  let means = sharded.inputMean + (sharded.targetMean ?? [])
  let scales = sharded.inputScale + (sharded.targetScale ?? [])
  let singleMeans = single.inputMean + (single.targetMean ?? [])
  let singleScales = single.inputScale + (single.targetScale ?? [])
  let bounds2 = standardizationBounds(rows, means: singleMeans, scales: singleScales)
  var worst = (mean: 0.0, scale: 0.0)
  for i in means.indices {
    let (dm, ds) = (abs(means[i] - singleMeans[i]), abs(scales[i] - singleScales[i]))
    require(dm <= bounds2.mean[i], "mean \(i): \(means[i]) vs \(singleMeans[i]), bound \(bounds2.mean[i])")
    require(ds <= bounds2.scale[i], "scale \(i): \(scales[i]) vs \(singleScales[i]), bound \(bounds2.scale[i])")
    worst = (max(worst.mean, bounds2.mean[i] > 0 ? dm / bounds2.mean[i] : 0), max(worst.scale, ds / bounds2.scale[i]))
  }
  var fromZero = means + scales
  communicator.broadcast(&fromZero, from: 0)
  require(fromZero.map(\.bitPattern) == (means + scales).map(\.bitPattern), "the statistics differ from rank 0's")
  report(
    "standardization identical on every rank, within its bound of the single process's (at most \(worst.mean) and \(worst.scale) of it)"
  )
}
