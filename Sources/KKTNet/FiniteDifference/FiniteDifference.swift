/// Central finite differences, the derivative-free oracle for gradients and Jacobians.
///
/// Two stencils, with hᵢ scaled by max(1, |θᵢ|):
/// - ``Order/second``: f′ ≈ [f(θ + h) − f(θ − h)] / 2h, h = ε^{1/3}: truncation O(h²), rounding O(ε/h),
///   about 10 correct digits of a smooth f relative to |f|;
/// - ``Order/fourth`` (the default): f′ ≈ [−f(θ + 2h) + 8f(θ + h) − 8f(θ − h) + f(θ − 2h)] / 12h,
///   h = ε^{1/5}: truncation O(h⁴), rounding O(ε/h), about 12 correct digits. It reaches 2h from θ, so
///   kinks (ReLU at z = 0, |w| at w = 0) must be farther than that.
///
/// The step actually taken, (θᵢ + hᵢ) − θᵢ rounded, divides the difference, so the representation error of
/// θᵢ ± hᵢ does not enter.
public enum FiniteDifference {
  /// The stencil.
  public enum Order: Sendable {
    /// The two-point stencil (f(θ + h) − f(θ − h))/2h, error O(h²).
    case second
    /// The four-point stencil, error O(h⁴): for a smooth f.
    case fourth

    /// The stencil for a function that is smooth (fourth order) or only piecewise smooth (second order,
    /// whose short reach rarely straddles a kink).
    public static func suited(smooth: Bool) -> Order { smooth ? .fourth : .second }

    /// A bound on the stencil's rounding error when each evaluation of f errs by up to `functionError`:
    /// (Σ|stencil coefficients|)·functionError/h — 1× for second order, 1.5× for fourth — at h for |θᵢ| ≤ 1.
    public func roundingError(functionError: Double) -> Double {
      (self == .second ? 1 : 1.5) * functionError / relativeStep
    }

    /// ε^{1/3} ≈ 6.06e-6 or ε^{1/5} ≈ 7.40e-4.
    public var relativeStep: Double {
      switch self {
      case .second: return 6.0554544523933395e-06
      case .fourth: return 7.40095979741405e-04
      }
    }
  }

  /// hᵢ = relativeStep · scale, scale = max(1, |θᵢ|) unless given, rounded so that θᵢ + hᵢ − θᵢ = hᵢ
  /// exactly. Pass a smaller scale for a coordinate near a singularity of f (log x near x = 0).
  public static func step(for value: Double, order: Order = .fourth, scale: Double? = nil) -> Double {
    let h = order.relativeStep * (scale ?? max(1, abs(value)))
    return (value + h) - value
  }

  /// ∂f/∂θᵢ for one i by the stencil, with θ restored afterwards.
  private static func partial(
    _ i: Int, of function: ([Double]) -> Double, theta: inout [Double], order: Order, scale: Double?
  ) -> Double {
    let value = theta[i]
    let h = step(for: value, order: order, scale: scale)
    func f(at offset: Double) -> Double {
      theta[i] = value + offset
      return function(theta)
    }
    defer { theta[i] = value }
    switch order {
    case .second:
      return (f(at: h) - f(at: -h)) / (2 * h)
    case .fourth:
      return (-f(at: 2 * h) + 8 * f(at: h) - 8 * f(at: -h) + f(at: -2 * h)) / (12 * h)
    }
  }

  /// ∇f(θ) by central differences: 2P (second order) or 4P (fourth order) evaluations of f.
  ///
  /// - Parameter scales: the distance over which each coordinate's f changes shape, when not max(1, |θᵢ|).
  public static func gradient(
    at parameters: [Double], order: Order = .fourth, scales: [Double]? = nil, of f: ([Double]) -> Double
  ) -> [Double] {
    precondition(scales == nil || scales!.count == parameters.count, "one scale per coordinate")
    var theta = parameters
    return parameters.indices.map { partial($0, of: f, theta: &theta, order: order, scale: scales?[$0]) }
  }

  /// The Jacobian ∂r/∂θ (M × P) of r: ℝᴾ → ℝᴹ by central differences, one column per parameter.
  public static func jacobian(
    at parameters: [Double], order: Order = .fourth, of residuals: ([Double]) -> [Double]
  ) -> Matrix {
    var theta = parameters
    var elements: [Double] = []
    var rows = -1
    for i in parameters.indices {
      let value = theta[i]
      let h = step(for: value, order: order)
      func r(at offset: Double) -> [Double] {
        theta[i] = value + offset
        let result = residuals(theta)
        precondition(rows < 0 || result.count == rows, "the residual function changed its length")
        rows = result.count
        return result
      }
      switch order {
      case .second:
        let (plus, minus) = (r(at: h), r(at: -h))
        for j in plus.indices { elements.append((plus[j] - minus[j]) / (2 * h)) }
      case .fourth:
        let (plus2, plus1, minus1, minus2) = (r(at: 2 * h), r(at: h), r(at: -h), r(at: -2 * h))
        for j in plus1.indices {
          elements.append((-plus2[j] + 8 * plus1[j] - 8 * minus1[j] + minus2[j]) / (12 * h))
        }
      }
      theta[i] = value
    }
    return Matrix(rows: max(rows, 0), columns: parameters.count, elements: elements)
  }
}
