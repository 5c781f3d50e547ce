import CVectorMath
import Foundation
import KKTNet
import PropertyBased
import Testing

/// KKTNet's own tanh (`Sources/CVectorMath/tanh.c`) against the C library's tanhl, whose 64-bit significand
/// makes it exact to about 2⁻¹¹ ulp of a double: at most 2 ulp everywhere, over every binade of the double
/// range and the edge cases, and the vector routine returns the scalar routine's bits.
@Suite("tanh within 2 ulp")
struct TanhAccuracyTests {
  /// The bound tanh.c states.
  static let bound = 2.0

  /// |ours − tanh x| in ulps of the double below the true value (the smaller ulp where the true value sits
  /// at the bottom of a binade).
  static func ulpError(_ x: Double, _ ours: Double) -> Double {
    let truth = tanhl(Float80(x))
    let nearest = Double(truth).magnitude
    let ulp = nearest == 0 ? Double.leastNonzeroMagnitude : nearest.nextDown.ulp
    return Double(abs(Float80(ours) - truth) / Float80(ulp))
  }

  /// tanh over the array by the vector routine, each value checked against the scalar routine bit for bit.
  static func vectorTanh(_ x: [Double]) -> [Double] {
    var y = [Double](repeating: .nan, count: x.count)
    x.withUnsafeBufferPointer { px in
      y.withUnsafeMutableBufferPointer { py in kkt_vector_tanh(px.count, px.baseAddress, py.baseAddress) }
    }
    for (xi, yi) in zip(x, y) {
      #expect(yi.bitPattern == kkt_tanh(xi).bitPattern, "vector and scalar tanh differ at \(xi)")
    }
    return y
  }

  /// The worst error over the samples, with its x.
  static func worst(_ x: [Double]) -> (error: Double, at: Double) {
    zip(x, vectorTanh(x)).reduce((0.0, 0.0)) { worst, pair in
      let error = ulpError(pair.0, pair.1)
      return error > worst.0 ? (error, pair.0) : worst
    }
  }

  @Test("every binade from the smallest subnormal to the largest double, both signs")
  func everyBinade() {
    var random = RandomSource(seed: 1)
    var samples: [Double] = []
    for exponent in -1074...1023 {
      var significands: [Double] = [1, Double(2).nextDown]
      for _ in 0..<24 { significands.append(Double.random(in: 1..<2, using: &random)) }
      for significand in significands {
        let magnitude = Double(sign: .plus, exponent: exponent, significand: significand)
        samples += [magnitude, -magnitude]
      }
    }
    let (error, x) = Self.worst(samples)
    #expect(error <= Self.bound, "\(error) ulp at x = \(x)")
  }

  @Test("densely where the formulas change: [0, 25], and ±0.01 around the switch at 0.625")
  func denseWhereItMatters() {
    var random = RandomSource(seed: 2)
    let samples =
      (0..<100_000).map { _ in Double.random(in: 0..<25, using: &random) }
      + (0..<100_000).map { _ in Double.random(in: 0..<1, using: &random) }
      + (0..<20_000).map { _ in Double.random(in: 0.615..<0.635, using: &random) }
    let (error, x) = Self.worst(samples)
    #expect(error <= Self.bound, "\(error) ulp at x = \(x)")
  }

  @Test("edge cases: ±0 keep their sign, ±∞ give ±1, NaN stays NaN, subnormals are returned, the switches")
  func edgeCases() {
    let zeros = Self.vectorTanh([0, -0.0])
    #expect(zeros[0].bitPattern == Double(0).bitPattern && zeros[1].bitPattern == (-0.0).bitPattern)
    #expect(Self.vectorTanh([.infinity, -.infinity]) == [1, -1])
    #expect(Self.vectorTanh([.nan, -.nan, .signalingNaN]).allSatisfy { $0.isNaN })
    let subnormals = [
      Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, Double.leastNormalMagnitude.nextDown,
    ]
    #expect(Self.vectorTanh(subnormals) == subnormals)
    #expect(Self.vectorTanh([.greatestFiniteMagnitude, -.greatestFiniteMagnitude]) == [1, -1])
    var switches: [Double] = []
    for point in [0.625, 22, 19.0, 19.1, 1e-8, 0.5] {
      var below = point
      var above = point
      for _ in 0..<64 {
        switches += [below, above, -below]
        below = below.nextDown
        above = above.nextUp
      }
    }
    let (error, x) = Self.worst(switches)
    #expect(error <= Self.bound, "\(error) ulp at x = \(x)")
    #expect(Self.vectorTanh([19.1, 30, 700]) == [1, 1, 1])
  }

  @Test("every length of array goes through the same routine (tails included)")
  func tails() {
    for length in 0...11 {
      let x = (0..<length).map { Double($0) * 0.37 - 1.5 }
      let y = Self.vectorTanh(x)
      #expect(y == x.map(kkt_tanh))
    }
  }

  @Test("random bit patterns: within 2 ulp, odd bit for bit, |tanh x| ≤ 1")
  func randomBitPatterns() async {
    await propertyCheck(count: 5000, input: Gen<UInt64>.value().map(Double.init(bitPattern:))) { x in
      let y = kkt_tanh(x)
      if x.isNaN {
        #expect(y.isNaN)
      } else {
        #expect(Self.ulpError(x, y) <= Self.bound, "at x = \(x)")
        #expect(kkt_tanh(-x).bitPattern == (-y).bitPattern, "tanh(−x) ≠ −tanh(x) at \(x)")
        #expect(y.magnitude <= 1)
      }
    }
  }
}
