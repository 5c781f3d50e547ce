import CVectorMath
import Foundation

/// The per-sample loss ℓ(xᴺ, y) of the objective J = (1/m) Σᵢ ℓ(xᴺᵢ, yᵢ) + R(W).
///
/// Each loss is written twice. At any point of the Lagrangian it is a function of the output state xᴺ
/// (`*AtOutputs`), because there xᴺ is a free variable. At the solution of the forward pass, where
/// xᴺ = σ(zᴺ), the cross-entropies are computed from the pre-activation zᴺ instead, which keeps them finite
/// and exact however saturated the output is (|z| up to 700 and beyond).
public enum Loss: String, Sendable, CaseIterable, CustomStringConvertible {
  /// ℓ = ½‖xᴺ − y‖², with any output activation.
  case meanSquaredError = "mse"
  /// ℓ = −Σⱼ [yⱼ log xⱼ + (1 − yⱼ) log(1 − xⱼ)] with a sigmoid output, computed as
  /// Σⱼ [max(zⱼ, 0) − yⱼzⱼ + log(1 + e^−|zⱼ|)]; ∂ℓ/∂z = σ(z) − y. Targets in [0, 1].
  case binaryCrossEntropy = "bce"
  /// ℓ = −Σⱼ yⱼ log sⱼ with a softmax output s, computed as Σⱼ yⱼ(logsumexp(z) − zⱼ);
  /// ∂ℓ/∂z = (Σⱼyⱼ)s − y. Targets one-hot or a probability vector.
  case softmaxCrossEntropy = "ce"

  public var description: String { rawValue }

  /// The output activation the loss is paired with by default: identity, sigmoid or softmax.
  public var naturalOutputActivation: Activation {
    switch self {
    case .meanSquaredError: return .identity
    case .binaryCrossEntropy: return .sigmoid
    case .softmaxCrossEntropy: return .softmax
    }
  }

  /// Whether the loss can follow this output activation: mse any, bce only sigmoid, ce only softmax.
  public func accepts(outputActivation: Activation) -> Bool {
    self == .meanSquaredError || outputActivation == naturalOutputActivation
  }

  /// Parses `mse`, `bce`, `ce` and the spelled-out names (`mean-squared-error`, `binary-cross-entropy`,
  /// `softmax-cross-entropy`, `cross-entropy`).
  public init?(name: String) {
    switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
    case "mse", "mean-squared-error", "meansquarederror": self = .meanSquaredError
    case "bce", "binary-cross-entropy", "binarycrossentropy": self = .binaryCrossEntropy
    case "ce", "cross-entropy", "softmax-cross-entropy", "softmaxcrossentropy": self = .softmaxCrossEntropy
    default: return nil
    }
  }

  // MARK: At the solution of the forward pass (from zᴺ)

  /// Σᵢ ℓ(xᴺᵢ, yᵢ) over the m samples of an n × m batch, with xᴺ = σ(zᴺ): the cross-entropies read zᴺ.
  package func total(
    rows n: Int, columns m: Int, z: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>
  ) -> Double {
    let count = n * m
    var sum = 0.0
    switch self {
    case .meanSquaredError:
      for i in 0..<count {
        let d = x[i] - y[i]
        sum += d * d
      }
      return 0.5 * sum
    case .binaryCrossEntropy:
      for i in 0..<count {
        let t = Foundation.exp(-abs(z[i]))
        sum += max(z[i], 0) - y[i] * z[i] + Foundation.log1p(t)
      }
      return sum
    case .softmaxCrossEntropy:
      for j in 0..<m {
        let zj = z + j * n
        let yj = y + j * n
        // lse − zᵢ = (z_max − zᵢ) + log1p(Σ_{i≠max} e^{zᵢ−z_max}): exact when one logit dominates.
        let (top, logOnePlusRest) = shiftedLogSumExp(zj, n)
        for i in 0..<n where yj[i] != 0 { sum += yj[i] * ((zj[top] - zj[i]) + logOnePlusRest) }
      }
      return sum
    }
  }

  /// out = scale · ∂ℓ/∂xᴺ at xᴺ = σ(zᴺ), computed from zᴺ so that it stays finite:
  /// bce −y(1 + e⁻ᶻ) + (1 − y)(1 + eᶻ); ce −yⱼ·exp(logsumexp(z) − zⱼ).
  package func outputGradientAtSolution(
    rows n: Int, columns m: Int, z: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
    scale: Double, out: UnsafeMutablePointer<Double>
  ) {
    let count = n * m
    switch self {
    case .meanSquaredError:
      for i in 0..<count { out[i] = scale * (x[i] - y[i]) }
    case .binaryCrossEntropy:
      for i in 0..<count {
        var g = 0.0
        if y[i] != 0 { g -= y[i] * (1 + Foundation.exp(-z[i])) }
        if y[i] != 1 { g += (1 - y[i]) * (1 + Foundation.exp(z[i])) }
        out[i] = scale * g
      }
    case .softmaxCrossEntropy:
      for j in 0..<m {
        let zj = z + j * n
        let (top, logOnePlusRest) = shiftedLogSumExp(zj, n)
        for i in 0..<n {
          let k = i + j * n
          // 1/sᵢ = exp(lse − zᵢ)
          out[k] = y[k] == 0 ? 0 : -scale * y[k] * Foundation.exp((zj[top] - zj[i]) + logOnePlusRest)
        }
      }
    }
  }

  /// out = scale · ∂ℓ/∂zᴺ for a cross-entropy with its natural output, the product σ′ᵀ·∂ℓ/∂x in closed
  /// form. Not defined for mse, whose output activation is arbitrary.
  ///
  /// - bce: σ(z) − y, computed as (1 − y) − σ(−z) for z ≥ 0, so that a confident right answer gives
  ///   −e^−|z| rather than 0;
  /// - ce: (Σy)s − y, computed per output j as sⱼ(Σy − yⱼ) − yⱼ(1 − sⱼ) with 1 − s summed from the other
  ///   probabilities for the largest one.
  package func preActivationGradient(
    rows n: Int, columns m: Int, z: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
    scale: Double, out: UnsafeMutablePointer<Double>
  ) {
    switch self {
    case .meanSquaredError:
      preconditionFailure("mse has no closed-form ∂ℓ/∂z; multiply ∂ℓ/∂x by the output activation's Jacobian")
    case .binaryCrossEntropy:
      for i in 0..<(n * m) {
        if z[i] >= 0 {
          let t = Foundation.exp(-z[i])
          out[i] = scale * ((1 - y[i]) - t / (1 + t))
        } else {
          out[i] = scale * (x[i] - y[i])
        }
      }
    case .softmaxCrossEntropy:
      for j in 0..<m {
        let s = x + j * n
        let yj = y + j * n
        var targetSum = 0.0
        var top = 0
        for i in 0..<n {
          targetSum += yj[i]
          if s[i] > s[top] { top = i }
        }
        var others = 0.0
        for i in 0..<n where i != top { others += s[i] }
        for i in 0..<n {
          let complement = i == top ? others : 1 - s[i]
          out[i + j * n] = scale * (s[i] * (targetSum - yj[i]) - yj[i] * complement)
        }
      }
    }
  }

  /// Whether the adjoint pass takes μᴺ = −(1/m)∂ℓ/∂zᴺ in closed form (the cross-entropies).
  public var hasClosedFormPreActivationGradient: Bool { self != .meanSquaredError }

  // MARK: At any point (from xᴺ)

  /// Σᵢ ℓ(xᴺᵢ, yᵢ) with xᴺ a free variable. The cross-entropies need 0 < x < 1 (bce) and x > 0 (ce);
  /// outside that they return +∞ or NaN.
  package func totalAtOutputs(rows n: Int, columns m: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double
  {
    var sum = 0.0
    for i in 0..<(n * m) {
      switch self {
      case .meanSquaredError:
        let d = x[i] - y[i]
        sum += 0.5 * d * d
      case .binaryCrossEntropy:
        if y[i] != 0 { sum -= y[i] * Foundation.log(x[i]) }
        if y[i] != 1 { sum -= (1 - y[i]) * Foundation.log1p(-x[i]) }
      case .softmaxCrossEntropy:
        if y[i] != 0 { sum -= y[i] * Foundation.log(x[i]) }
      }
    }
    return sum
  }

  /// out = scale · ∂ℓ/∂xᴺ with xᴺ a free variable: mse x − y; bce −y/x + (1 − y)/(1 − x); ce −y/x.
  package func outputGradientAtOutputs(
    rows n: Int, columns m: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>, scale: Double,
    out: UnsafeMutablePointer<Double>
  ) {
    for i in 0..<(n * m) {
      switch self {
      case .meanSquaredError:
        out[i] = scale * (x[i] - y[i])
      case .binaryCrossEntropy:
        var g = 0.0
        if y[i] != 0 { g -= y[i] / x[i] }
        if y[i] != 1 { g += (1 - y[i]) / (1 - x[i]) }
        out[i] = scale * g
      case .softmaxCrossEntropy:
        out[i] = y[i] == 0 ? 0 : -scale * y[i] / x[i]
      }
    }
  }
}

/// log Σᵢ exp(vᵢ), shifted by the largest vᵢ so that it neither overflows nor underflows.
@inlinable
package func logSumExp(_ v: UnsafePointer<Double>, _ n: Int) -> Double {
  let (top, logOnePlusRest) = shiftedLogSumExp(v, n)
  return v[top] + logOnePlusRest
}

/// The index of the largest vᵢ and log(1 + Σ_{i≠top} e^{vᵢ − v_top}) (by log1p), so that
/// logsumexp(v) − v_top keeps its digits when one term dominates.
@inlinable
package func shiftedLogSumExp(_ v: UnsafePointer<Double>, _ n: Int) -> (top: Int, logOnePlusRest: Double) {
  var top = 0
  for i in 1..<max(n, 1) where v[i] > v[top] { top = i }
  var rest = 0.0
  for i in 0..<n where i != top { rest += Foundation.exp(v[i] - v[top]) }
  return (top, Foundation.log1p(rest))
}
