/// A seedable pseudo-random generator whose stream is the same on every machine: xoshiro256** (Blackman &
/// Vigna 2018), seeded through SplitMix64, with normal deviates by Marsaglia's polar method over a logarithm
/// computed from +, −, ×, ÷ only (IEEE-754 rounds those identically everywhere; the C library's `log`
/// may differ in the last bit between systems).
///
/// Its whole state is four words (``state``), so a run can be checkpointed and resumed exactly.
public struct RandomSource: RandomNumberGenerator, Hashable, Sendable {
  /// The xoshiro256** state.
  public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

  /// A generator seeded with `seed` (SplitMix64 expands it into the state).
  public init(seed: UInt64) {
    var splitMix = seed
    func next() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (next(), next(), next(), next())
  }

  /// A generator resumed from a saved ``state``.
  public init(state: (UInt64, UInt64, UInt64, UInt64)) {
    precondition(state != (0, 0, 0, 0), "the xoshiro256** state must not be all zeros")
    self.state = state
  }

  public static func == (lhs: RandomSource, rhs: RandomSource) -> Bool { lhs.state == rhs.state }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(state.0)
    hasher.combine(state.1)
    hasher.combine(state.2)
    hasher.combine(state.3)
  }

  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, 45)
    return result
  }

  /// A uniform deviate in [0, 1) with 53 random bits.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform deviate in [a, b).
  public mutating func nextUniform(in range: Range<Double>) -> Double {
    range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
  }

  /// A standard normal deviate N(0, 1) by the polar method (the second deviate of each pair is dropped,
  /// so the state alone determines the stream).
  public mutating func nextNormal() -> Double {
    while true {
      let u = 2 * nextUniform() - 1
      let v = 2 * nextUniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        return u * (-2 * portableLogarithm(s) / s).squareRoot()
      }
    }
  }

  /// A uniform integer in 0..<n (Lemire's nearly divisionless method, deterministic).
  public mutating func nextIndex(below n: Int) -> Int {
    precondition(n > 0, "the range must not be empty")
    return Int(next(upperBound: UInt64(n)))
  }

  /// Fisher–Yates shuffle of `values`, the same permutation on every machine for the same state.
  public mutating func shuffle<T>(_ values: inout [T]) {
    if values.count < 2 { return }
    for i in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(i, nextIndex(below: i + 1))
    }
  }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// ln x for 0 < x < ∞ from basic arithmetic: x = 2ᵉ·f with f ∈ [√½, √2), ln f = 2 artanh t,
/// t = (f − 1)/(f + 1), |t| ≤ 0.172, summed until the terms vanish. Accurate to a few ulp.
package func portableLogarithm(_ x: Double) -> Double {
  precondition(x > 0 && x.isFinite, "the logarithm needs a positive finite number")
  var exponent = Double(x.exponent)
  var fraction = x.significand  // in [1, 2)
  if fraction > 1.4142135623730951 {
    fraction /= 2
    exponent += 1
  }
  let t = (fraction - 1) / (fraction + 1)
  let t2 = t * t
  var term = t
  var sum = 0.0
  var k = 1.0
  while true {
    let next = sum + term / k
    if next == sum { break }
    sum = next
    term *= t2
    k += 2
  }
  return 2 * sum + exponent * 0.6931471805599453
}

extension RandomSource: Codable {
  /// The four words of the state, as decimal strings (exact in any JSON reader).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode([state.0, state.1, state.2, state.3].map { String($0) })
  }

  /// Reads what ``encode(to:)`` wrote; a damaged or all-zero state is a decoding error, not a trap.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let words = try container.decode([String].self).compactMap { UInt64($0) }
    guard words.count == 4, words != [0, 0, 0, 0] else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "the generator's state must be four words, not all zero")
    }
    self.init(state: (words[0], words[1], words[2], words[3]))
  }
}
