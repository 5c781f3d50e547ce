/// The update rule of a first-order solver, applied to θ with the (mini-batch) gradient g and the rate η.
public enum FirstOrderMethod: Sendable, Equatable {
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

  /// The names of its state vectors.
  var vectorNames: [String] {
    switch self {
    case .gradientDescent: return []
    case .momentum, .nesterov: return ["velocity"]
    case .adam: return ["first_moment", "second_moment"]
    }
  }

  /// Applies one update to θ; `state` holds the vectors above (zero at the start) and `t` is the update's
  /// number from 1 (Adam's bias correction). Returns ‖Δθ‖₂.
  func apply(
    to theta: inout [Double], gradient g: [Double], rate eta: Double, state: inout [String: [Double]], step t: Int
  ) -> Double {
    var squares = 0.0
    switch self {
    case .gradientDescent:
      for i in theta.indices {
        let delta = eta * g[i]
        theta[i] -= delta
        squares += delta * delta
      }
    case .momentum(let beta):
      var v = state["velocity"]!
      for i in theta.indices {
        v[i] = beta * v[i] + g[i]
        let delta = eta * v[i]
        theta[i] -= delta
        squares += delta * delta
      }
      state["velocity"] = v
    case .nesterov(let beta):
      var v = state["velocity"]!
      for i in theta.indices {
        v[i] = beta * v[i] + g[i]
        let delta = eta * (g[i] + beta * v[i])
        theta[i] -= delta
        squares += delta * delta
      }
      state["velocity"] = v
    case .adam(let beta1, let beta2, let epsilon):
      var m = state["first_moment"]!
      var s = state["second_moment"]!
      let correction1 = 1 - pow(beta1, t)
      let correction2 = 1 - pow(beta2, t)
      for i in theta.indices {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
        let delta = eta * (m[i] / correction1) / ((s[i] / correction2).squareRoot() + epsilon)
        theta[i] -= delta
        squares += delta * delta
      }
      state["first_moment"] = m
      state["second_moment"] = s
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
