/// The update rule of a first-order solver — its step proposal — applied to θ with the (mini-batch)
/// gradient g and the rate η of the schedule.
public enum FirstOrderMethod: Sendable, Equatable, Codable {
  /// θ ← θ − ηg (gradient descent; with mini-batches, SGD).
  case gradientDescent
  /// Heavy ball (Polyak 1964), PyTorch's form: v ← βv + g, θ ← θ − ηv.
  case momentum(beta: Double)
  /// Nesterov's accelerated gradient in the form of Sutskever et al. 2013 and PyTorch, which needs the
  /// gradient at θ only: v ← βv + g, θ ← θ − η(g + βv).
  case nesterov(beta: Double)
  /// Adam (Kingma & Ba 2015): m ← β₁m + (1 − β₁)g, s ← β₂s + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ),
  /// ŝ = s/(1 − β₂ᵗ), θ ← θ − η·m̂/(√ŝ + ε).
  case adam(beta1: Double, beta2: Double, epsilon: Double)

  /// Adam with its paper's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
  public static let adam = FirstOrderMethod.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)

  /// What a rule carries from one update to the next.
  public enum State: Sendable, Equatable, Codable {
    /// Gradient descent keeps nothing.
    case none
    /// v, of momentum and Nesterov.
    case velocity([Double])
    /// m and s, Adam's first and second moments.
    case moments(first: [Double], second: [Double])
  }

  /// The state before the first update (zeros), for P parameters.
  public func initialState(parameterCount p: Int) -> State {
    let zeros = [Double](repeating: 0, count: p)
    switch self {
    case .gradientDescent: return .none
    case .momentum, .nesterov: return .velocity(zeros)
    case .adam: return .moments(first: zeros, second: zeros)
    }
  }

  /// Applies one update to θ; `t` is the update's number from 1 (Adam's bias correction). Returns ‖Δθ‖₂.
  @discardableResult
  public func apply(to theta: inout [Double], gradient g: [Double], rate eta: Double, state: inout State, step t: Int)
    -> Double
  {
    var squares = 0.0
    switch (self, state) {
    case (.gradientDescent, _):
      for i in theta.indices {
        let delta = eta * g[i]
        theta[i] -= delta
        squares += delta * delta
      }
    case (.momentum(let beta), .velocity(var v)):
      state = .none  // v is now the only reference: updated in place
      for i in theta.indices {
        v[i] = beta * v[i] + g[i]
        let delta = eta * v[i]
        theta[i] -= delta
        squares += delta * delta
      }
      state = .velocity(v)
    case (.nesterov(let beta), .velocity(var v)):
      state = .none
      for i in theta.indices {
        v[i] = beta * v[i] + g[i]
        let delta = eta * (g[i] + beta * v[i])
        theta[i] -= delta
        squares += delta * delta
      }
      state = .velocity(v)
    case (.adam(let beta1, let beta2, let epsilon), .moments(var m, var s)):
      state = .none
      let correction1 = 1 - pow(beta1, t)
      let correction2 = 1 - pow(beta2, t)
      for i in theta.indices {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
        let delta = eta * (m[i] / correction1) / ((s[i] / correction2).squareRoot() + epsilon)
        theta[i] -= delta
        squares += delta * delta
      }
      state = .moments(first: m, second: s)
    default:
      preconditionFailure("the state \(state) does not belong to \(self)")
    }
    return squares.squareRoot()
  }
}

/// βᵗ by repeated squaring, the same on every machine (no `pow` from the C library).
func pow(_ base: Double, _ exponent: Int) -> Double {
  var result = 1.0
  var factor = base
  var n = exponent
  while n > 0 {
    if n & 1 == 1 { result *= factor }
    factor *= factor
    n >>= 1
  }
  return result
}
