import ArgumentParser
import Foundation
import KKTNet
import Solvers

/// `kktnet-mpi bench`: the time of one Levenberg–Marquardt iteration split over the ranks, in its parts —
/// the forward pass for the loss, JᵀJ and Jᵀr accumulated on each rank's m/K samples, their sum over the
/// ranks (P² + P + 1 doubles, reduced to rank 0 and broadcast) and the P × P Cholesky solve — with the
/// bytes each rank sends and its peak memory.
struct DataParallelBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time Levenberg–Marquardt iterations over the ranks (synthetic mse data, m/K samples per rank).",
    discussion: """
      Each rank draws its own m/K samples (X, y ~ N(0, 1)) and builds the normal equations of the network on \
      them; --iterations times, the ranks evaluate the loss, accumulate JᵀJ and Jᵀr and sum them over the \
      ranks, and solve (G + μI)δ = −g. The medians over the iterations are printed; run with \
      OPENBLAS_NUM_THREADS=1 for one core per rank.
      """)

  @Option(help: "m, the samples over all ranks.")
  var samples: Int = 100_000

  @Option(help: "The layer sizes (the default has P = 961 parameters).")
  var architecture: String = "10-80-1"

  @Option(help: "The timed iterations (after one untimed).")
  var iterations: Int = 3

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if samples < 1 { throw ValidationError("--samples must be at least 1, not \(samples).") }
    if iterations < 1 { throw ValidationError("--iterations must be at least 1, not \(iterations).") }
  }

  func run() throws {
    let communicator = DataParallel.communicator
    let (rank, size) = (communicator.rank, communicator.size)
    let sizes = architecture.split(separator: "-").compactMap { Int($0) }
    let shape = try Architecture(
      layerSizes: sizes, activations: Array(repeating: .tanh, count: max(sizes.count - 2, 0)) + [.identity])
    guard samples >= size else { throw ValidationError("--samples must be at least the \(size) ranks.") }
    let local = (rank + 1) * samples / size - rank * samples / size
    let network = try Network(architecture: shape, loss: .meanSquaredError, seed: 1)
    let data = SyntheticData.batch(
      architecture: shape, loss: .meanSquaredError, sampleCount: local, seed: 2 + UInt64(rank))
    let problem = NetworkLeastSquaresProblem(
      network: network, inputs: data.inputs, targets: data.targets, communicator: communicator)
    let p = shape.parameterCount
    var normal = Matrix(rows: p, columns: p)
    var gradient = [Double](repeating: 0, count: p)
    let clock = ContinuousClock()
    func seconds(_ body: () -> Void) -> Double {
      let duration = clock.measure(body)
      return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    var times: [[Double]] = []
    for iteration in 0...iterations {
      communicator.barrier()
      var parts = [0.0, 0.0, 0.0, 0.0]
      parts[0] = seconds { _ = problem.evaluate(at: network.parameters) }
      parts[1] = seconds {
        _ = problem.normalEquations(at: network.parameters, normalMatrix: &normal, gradient: &gradient)
      }
      // The sum over ranks alone, on a copy of the same size (the accumulation above includes one).
      var copy = normal.elements + gradient + [0]
      communicator.barrier()
      parts[2] = seconds { communicator.allreduceSum(&copy) }
      parts[3] = seconds {
        var a = normal
        for i in 0..<p { a[i, i] += 1e-3 * (1 + a[i, i]) }
        _ = try? LAPACK.posv(a, Matrix(column: gradient.map { -$0 }))
      }
      if iteration > 0 { times.append(parts) }
    }
    func median(_ k: Int) -> Double {
      let sorted = times.map { $0[k] }.sorted()
      return sorted[sorted.count / 2]
    }
    let forward = median(0)
    let accumulate = median(1)
    let allreduce = median(2)
    let solve = median(3)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let peaks = communicator.allGather([Double(usage.ru_maxrss) * 1024])
    let bytes = (p * p + p + 1) * 8
    let report = DataParallelBenchReport(
      ranks: size, samples: samples, samplesPerRank: local, parameters: p,
      iterationSeconds: forward + accumulate + solve, forwardSeconds: forward,
      accumulateSeconds: accumulate - (size > 1 ? allreduce : 0), allreduceSeconds: size > 1 ? allreduce : 0,
      solveSeconds: solve, bytesSentPerRank: size > 1 ? 2 * bytes : 0, peakBytesPerRank: peaks.map { Int($0[0]) })
    guard DataParallel.writesOutput else { return }
    switch output.format {
    case .json: try printJSON(report)
    case .table: print(report.text)
    }
  }
}

/// One `kktnet-mpi bench` measurement.
struct DataParallelBenchReport: Encodable {
  let ranks: Int
  let samples: Int
  let samplesPerRank: Int
  let parameters: Int
  /// Loss + normal equations (with their sum over ranks) + solve.
  let iterationSeconds: Double
  let forwardSeconds: Double
  /// JᵀJ and Jᵀr on the rank's samples, without the sum over ranks.
  let accumulateSeconds: Double
  /// The sum of P² + P + 1 doubles over the ranks (reduce to rank 0, then broadcast).
  let allreduceSeconds: Double
  let solveSeconds: Double
  /// A rank's bytes through the network per iteration: the reduce and the broadcast of (P² + P + 1)·8 bytes
  /// (for two ranks; a tree of K ranks sends this on each of ⌈log₂K⌉ levels from its inner nodes).
  let bytesSentPerRank: Int
  /// ru_maxrss of each rank.
  let peakBytesPerRank: [Int]

  var text: String {
    let mib = { (b: Int) in String(format: "%.1f MiB", Double(b) / 1_048_576) }
    return """
      \(ranks) rank(s), m = \(samples) (\(samplesPerRank) on rank 0), P = \(parameters)
      LM iteration      \(String(format: "%.4f", iterationSeconds)) s  (median of the timed iterations)
        loss (forward)  \(String(format: "%.4f", forwardSeconds)) s
        JᵀJ, Jᵀr        \(String(format: "%.4f", accumulateSeconds)) s
        sum over ranks  \(String(format: "%.4f", allreduceSeconds)) s  (\(mib(bytesSentPerRank)) sent per rank)
        solve           \(String(format: "%.4f", solveSeconds)) s
      peak memory per rank: \(peakBytesPerRank.map(mib).joined(separator: ", "))
      """
  }
}
