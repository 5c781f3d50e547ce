/// Box constraints l ≤ θ ≤ u on the parameters (lⱼ may be −∞ and uⱼ +∞), the feasible set
///
///     B = { θ : lⱼ ≤ θⱼ ≤ uⱼ },   P(θ)ⱼ = min(max(θⱼ, lⱼ), uⱼ)   (the projection onto B),
///
/// with the first-order (KKT) conditions of min f over B at θ ∈ B: for every j, gⱼ = ∂f/∂θⱼ
///
///     gⱼ = 0 when lⱼ < θⱼ < uⱼ,   gⱼ ≥ 0 when θⱼ = lⱼ,   gⱼ ≤ 0 when θⱼ = uⱼ,
///
/// i.e. at a bound the descent direction −gⱼ points out of the box; equivalently θ = P(θ − g).
public struct BoxConstraints: Sendable, Codable, Equatable {
  /// l, one value per parameter (−∞ for none).
  public let lower: [Double]
  /// u, one value per parameter (+∞ for none).
  public let upper: [Double]

  /// - Precondition: as many lower as upper bounds, none NaN, lⱼ ≤ uⱼ, lⱼ < +∞ and uⱼ > −∞.
  public init(lower: [Double], upper: [Double]) {
    precondition(lower.count == upper.count, "one lower and one upper bound per parameter")
    precondition(
      zip(lower, upper).allSatisfy { l, u in l <= u && l < .infinity && u > -.infinity },
      "every bound pair needs l ≤ u, l < ∞ and u > −∞")
    self.lower = lower
    self.upper = upper
  }

  /// No bounds on `count` parameters.
  public static func unbounded(_ count: Int) -> BoxConstraints {
    BoxConstraints(
      lower: [Double](repeating: -.infinity, count: count), upper: [Double](repeating: .infinity, count: count))
  }

  /// P, the number of parameters.
  public var parameterCount: Int { lower.count }

  /// Whether some bound is finite.
  public var isBounding: Bool { lower.contains { $0 > -.infinity } || upper.contains { $0 < .infinity } }

  /// The first j with θⱼ outside [lⱼ, uⱼ], or nil when θ ∈ B.
  public func firstViolation(_ parameters: [Double]) -> Int? {
    precondition(parameters.count == parameterCount, "θ and the bounds differ in length")
    return parameters.indices.first { !(lower[$0] <= parameters[$0] && parameters[$0] <= upper[$0]) }
  }

  /// P(θ)ⱼ = min(max(θⱼ, lⱼ), uⱼ).
  public func project(_ parameters: [Double]) -> [Double] {
    precondition(parameters.count == parameterCount, "θ and the bounds differ in length")
    return parameters.indices.map { min(max(parameters[$0], lower[$0]), upper[$0]) }
  }

  /// Where θⱼ sits: strictly inside, or on its lower or upper bound.
  public enum Side: String, Sendable, Codable {
    /// lᵢ < θᵢ < uᵢ.
    case inside
    /// θᵢ = lᵢ.
    case lower
    /// θᵢ = uᵢ.
    case upper
  }

  /// Which bound each θⱼ is on (θⱼ = lⱼ or θⱼ = uⱼ exactly, as the projection leaves it).
  public func sides(_ parameters: [Double]) -> [Side] {
    parameters.indices.map { j in
      parameters[j] <= lower[j] ? .lower : parameters[j] >= upper[j] ? .upper : .inside
    }
  }

  /// The active set: θⱼ on a bound with the descent direction −gⱼ pointing out of the box (gⱼ > 0 at lⱼ,
  /// gⱼ < 0 at uⱼ). These parameters are held where they are for the next step; the others are free.
  public func activeSet(at parameters: [Double], gradient: [Double]) -> [Bool] {
    precondition(gradient.count == parameterCount, "g and the bounds differ in length")
    return zip(sides(parameters), gradient).map { side, g in
      (side == .lower && g > 0) || (side == .upper && g < 0)
    }
  }

  /// ‖θ − P(θ − g)‖∞, zero exactly at a first-order point of min f over B.
  public func projectedGradientMaxNorm(at parameters: [Double], gradient: [Double]) -> Double {
    let moved = project(zip(parameters, gradient).map { $0 - $1 })
    return zip(parameters, moved).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }
}
