import CVectorMath
import Foundation

/// An activation σ applied to a layer's pre-activation: xᵏ = σₖ(zᵏ).
///
/// Every activation but softmax acts elementwise, so its Jacobian is the diagonal matrix diag(σ′(z)).
/// Softmax acts on a whole column (one sample): s = exp(z) / Σⱼ exp(zⱼ), with the symmetric Jacobian
/// diag(s) − ssᵀ; it may only be the last layer's activation.
///
/// At a kink (z = 0) the ReLU family takes the derivative of its z ≤ 0 branch: relu′(0) = 0,
/// leakyReLU′(0) = α, elu′(0) = α.
public enum Activation: Hashable, Sendable {
  /// σ(z) = z.
  case identity
  /// σ(z) = 1 / (1 + e⁻ᶻ), σ′ = σ(1 − σ).
  case sigmoid
  /// σ(z) = tanh z, σ′ = 1 − σ² (KKTNet's own tanh, within 2 ulp: `CVectorMath/tanh.c`).
  case tanh
  /// σ(z) = max(z, 0).
  case relu
  /// σ(z) = z for z > 0, αz otherwise.
  case leakyReLU(slope: Double)
  /// σ(z) = z for z > 0, α(eᶻ − 1) otherwise (Clevert et al. 2016).
  case elu(alpha: Double)
  /// σ(z) = log(1 + eᶻ), σ′ = 1 / (1 + e⁻ᶻ).
  case softplus
  /// sᵢ = exp(zᵢ) / Σⱼ exp(zⱼ) over one sample; last layer only.
  case softmax

  /// The slope of `leakyReLU` when none is given.
  public static let defaultLeakySlope = 0.01
  /// The α of `elu` when none is given.
  public static let defaultELUAlpha = 1.0

  /// Whether σ acts elementwise (every activation but softmax).
  public var isElementwise: Bool { self != .softmax }

  /// Whether σ is infinitely differentiable (identity, sigmoid, tanh, softplus, softmax). The ReLU family
  /// is not: relu and leakyReLU have a kink at z = 0, and elu's second derivative jumps there (its first
  /// too unless α = 1), so finite differences must not straddle z = 0.
  public var isSmooth: Bool {
    switch self {
    case .relu, .leakyReLU, .elu: return false
    default: return true
    }
  }

  /// σ(z) for an elementwise activation.
  public func value(_ z: Double) -> Double {
    switch self {
    case .identity: return z
    case .sigmoid:
      let t = Foundation.exp(-abs(z))
      return z >= 0 ? 1 / (1 + t) : t / (1 + t)
    case .tanh: return kkt_tanh(z)
    case .relu: return z > 0 ? z : 0
    case .leakyReLU(let slope): return z > 0 ? z : slope * z
    case .elu(let alpha): return z > 0 ? z : alpha * Foundation.expm1(z)
    case .softplus: return max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z)))
    case .softmax: preconditionFailure("softmax acts on a whole sample, not on one number")
    }
  }

  /// σ′(z) for an elementwise activation.
  public func derivative(_ z: Double) -> Double {
    switch self {
    case .identity: return 1
    case .sigmoid:
      let t = Foundation.exp(-abs(z))
      return t / ((1 + t) * (1 + t))
    case .softplus:
      return Activation.sigmoid.value(z)
    case .tanh:
      let x = kkt_tanh(z)
      return 1 - x * x
    case .relu: return z > 0 ? 1 : 0
    case .leakyReLU(let slope): return z > 0 ? 1 : slope
    case .elu(let alpha): return z > 0 ? 1 : alpha * Foundation.exp(z)
    case .softmax: preconditionFailure("softmax acts on a whole sample, not on one number")
    }
  }
}

// MARK: - Names

extension Activation: CustomStringConvertible, LosslessStringConvertible {
  /// The name used on the command line and in model files: `tanh`, `leaky-relu(0.01)`, `elu(1.0)`, ….
  public var description: String {
    switch self {
    case .identity: return "identity"
    case .sigmoid: return "sigmoid"
    case .tanh: return "tanh"
    case .relu: return "relu"
    case .leakyReLU(let slope): return "leaky-relu(\(slope))"
    case .elu(let alpha): return "elu(\(alpha))"
    case .softplus: return "softplus"
    case .softmax: return "softmax"
    }
  }

  /// The names every activation answers to, for help texts and error messages.
  public static let names =
    "identity, sigmoid, tanh, relu, leaky-relu[(slope)], elu[(alpha)], softplus, softmax"

  /// Parses `tanh`, `relu`, `leaky-relu`, `leaky-relu(0.2)`, `elu(0.5)`, … (case-insensitive; `linear`
  /// means identity, `leakyrelu` and `leaky_relu` mean leaky-relu). Returns nil for anything else.
  public init?(_ text: String) {
    let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
    var name = lowered
    var parameter: Double?
    if let open = lowered.firstIndex(of: "("), lowered.hasSuffix(")") {
      name = String(lowered[..<open])
      let inside = lowered[lowered.index(after: open)..<lowered.index(before: lowered.endIndex)]
      guard let value = Double(inside), value.isFinite else { return nil }
      parameter = value
    }
    let canonical = name.replacingOccurrences(of: "_", with: "-")
    switch canonical {
    case "leaky-relu", "leakyrelu":
      self = .leakyReLU(slope: parameter ?? Activation.defaultLeakySlope)
      return
    case "elu":
      self = .elu(alpha: parameter ?? Activation.defaultELUAlpha)
      return
    default:
      guard parameter == nil else { return nil }
    }
    switch canonical {
    case "identity", "linear": self = .identity
    case "sigmoid": self = .sigmoid
    case "tanh": self = .tanh
    case "relu": self = .relu
    case "softplus": self = .softplus
    case "softmax": self = .softmax
    default: return nil
    }
  }
}
