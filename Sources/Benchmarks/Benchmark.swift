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
  /// For the scaling table: the flop model m·P² + P³/3 of one LM iteration.
  var modelFlops: Double?

  init(
    name: String, summary: String, flops: Double, modelFlops: Double? = nil,
    prepare: @escaping () -> (body: () -> Void, note: () -> String?)
  ) {
    self.name = name
    self.summary = summary
    self.flops = flops
    self.modelFlops = modelFlops
    self.prepare = prepare
  }
}

/// The networks of the gradient benchmarks (½-MSE, tanh hidden layers, identity output, full batch).
enum BenchmarkNetworks {
  static let gradientCases: [(label: String, sizes: [Int], samples: Int)] = [
    ("A", [1, 10, 1], 200), ("B", [10, 32, 32, 1], 442), ("C", [64, 128, 128, 10], 1024),
    ("D", [784, 256, 256, 10], 512),
  ]

  /// A tanh network with an identity output and weights U(−1/√fan-in, 1/√fan-in), as the peers' scripts use,
  /// with X, Y ~ N(0, 1).
  static func problem(_ sizes: [Int], samples m: Int) -> (Network, Matrix, Matrix) {
    let activations = Array(repeating: Activation.tanh, count: sizes.count - 2) + [.identity]
    let architecture = try! Architecture(layerSizes: sizes, activations: activations)
    var random = RandomSource(seed: 1)
    var theta = [Double](repeating: 0, count: architecture.parameterCount)
    for k in 1...architecture.layerCount {
      let bound = 1 / Double(sizes[k - 1]).squareRoot()
      for i in architecture.weightOffset(layer: k)..<(architecture.biasOffset(layer: k) + sizes[k]) {
        theta[i] = random.nextUniform(in: -bound..<bound)
      }
    }
    let network = try! Network(architecture: architecture, loss: .meanSquaredError, parameters: theta)
    let (x, y) = SyntheticData.batch(architecture: architecture, loss: .meanSquaredError, sampleCount: m, seed: 2)
    return (network, x, y)
  }

  /// The peers' LM problems from their exact starting weights (`bench/P1.safetensors`, `P2.safetensors`):
  /// sin(x) on linspace(−3, 3, 200), or the standardized diabetes data.
  static func peerProblem(_ name: String) -> (Network, Matrix, Matrix) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let network = try! ModelFile.read(path: root.appendingPathComponent("bench/\(name).safetensors").path).network
    if name == "P1" {
      let x = (0..<200).map { $0 == 199 ? 3 : -3 + Double($0) * (6.0 / 199) }
      return (network, Matrix(rows: 1, columns: 200, elements: x), Matrix(rows: 1, columns: 200, elements: x.map(sin)))
    }
    let data = try! Dataset.load(
      path: root.appendingPathComponent("datasets/diabetes.csv").path, loss: .meanSquaredError)
    let s = Standardization.fit(inputs: data.inputs, targets: data.targets)
    return (network, s.standardizeInputs(data.inputs), s.standardizeTargets(data.targets))
  }

  static func parameterCount(_ sizes: [Int]) -> Int {
    (1..<sizes.count).map { sizes[$0] * (sizes[$0 - 1] + 1) }.reduce(0, +)
  }

  /// 2m Σₖ nₖnₖ₋₁.
  static func forwardFlops(_ sizes: [Int], samples m: Int) -> Double {
    2 * Double(m) * (1..<sizes.count).map { Double(sizes[$0] * sizes[$0 - 1]) }.reduce(0, +)
  }

  /// One adjoint pass: 2m Σ_{k≥2} nₖnₖ₋₁.
  static func adjointFlops(_ sizes: [Int], samples m: Int) -> Double {
    2 * Double(m) * (2..<max(sizes.count, 2)).map { Double(sizes[$0] * sizes[$0 - 1]) }.reduce(0, +)
  }

  /// Flops of one gradient: forward, weight gradients (as many again) and one adjoint pass.
  static func gradientFlops(_ sizes: [Int], samples m: Int) -> Double {
    2 * forwardFlops(sizes, samples: m) + adjointFlops(sizes, samples: m)
  }
}
