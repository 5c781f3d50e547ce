import Foundation
import KKTNet

/// Times a closure: warm-up calls, then single timed calls until at least `minimumRepetitions` were timed
/// and `targetSeconds` have passed (so that the samples are spread over time), at most `maximumSeconds`.
struct Stopwatch {
  var warmup = 3
  var minimumRepetitions = 15
  var targetSeconds = 0.4
  var maximumSeconds = 6.0

  /// Median and minimum in microseconds, and the number of timed calls.
  struct Timing {
    let median: Double
    let minimum: Double
    let repetitions: Int
  }

  func time(_ body: () -> Void) -> Timing {
    for _ in 0..<warmup { body() }
    var samples: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
      let t0 = DispatchTime.now().uptimeNanoseconds
      body()
      let t1 = DispatchTime.now().uptimeNanoseconds
      samples.append(Double(t1 - t0) / 1000)
      let elapsed = Double(t1 - start) / 1e9
      if samples.count >= minimumRepetitions && elapsed >= targetSeconds { break }
      if elapsed >= maximumSeconds && samples.count >= 3 { break }
    }
    samples.sort()
    let n = samples.count
    let median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2
    return Timing(median: median, minimum: samples[0], repetitions: n)
  }
}

/// One benchmark case: a name, the floating-point work of one call, and the call itself (set up once).
struct BenchmarkCase {
  let name: String
  let summary: String
  /// Floating-point operations of one call (multiply and add counted apart), or 0 when not meaningful.
  let flops: Double
  /// Builds the data and returns the closure to time, plus an optional note (iterations, final loss, …).
  let prepare: () -> (body: () -> Void, note: () -> String?)
}

/// The networks of the gradient benchmarks (½-MSE, tanh hidden layers, identity output, full batch).
enum BenchmarkNetworks {
  static let gradientCases: [(label: String, sizes: [Int], samples: Int)] = [
    ("A", [1, 10, 1], 200), ("B", [10, 32, 32, 1], 442), ("C", [64, 128, 128, 10], 1024),
    ("D", [784, 256, 256, 10], 512),
  ]

  /// A tanh network with an identity output and weights U(−1/√fan-in, 1/√fan-in), as the peers' scripts use.
  static func network(_ sizes: [Int], seed: UInt64) -> Network {
    let activations = Array(repeating: Activation.tanh, count: sizes.count - 2) + [.identity]
    let architecture = try! Architecture(layerSizes: sizes, activations: activations)
    var random = RandomSource(seed: seed)
    var theta = [Double](repeating: 0, count: architecture.parameterCount)
    for k in 1...architecture.layerCount {
      let bound = 1 / Double(sizes[k - 1]).squareRoot()
      for i in architecture.weightOffset(layer: k)..<(architecture.biasOffset(layer: k) + sizes[k]) {
        theta[i] = random.nextUniform(in: -bound..<bound)
      }
    }
    return try! Network(architecture: architecture, loss: .meanSquaredError, parameters: theta)
  }

  /// Flops of one gradient: forward 2mΣnₖnₖ₋₁, weight gradients 2mΣnₖnₖ₋₁, multipliers 2mΣ_{k≥2}nₖnₖ₋₁.
  static func gradientFlops(_ sizes: [Int], samples m: Int) -> Double {
    let products = (1..<sizes.count).map { Double(sizes[$0] * sizes[$0 - 1]) }
    return 2 * Double(m) * (2 * products.reduce(0, +) + products.dropFirst().reduce(0, +))
  }
}
