import Foundation
import KKTNet
import _Differentiation

/// The objective J(θ) written a third time, as plain differentiable Swift over scalars, so that Swift's
/// own automatic differentiation (`gradient(at:of:)`) is an oracle independent of both the Lagrangian and
/// backprop. It shares nothing with KKTNet but the layout of θ.
///
/// `_Differentiation` cannot differentiate element writes, `for x in array`, `map` or `reduce`, so arrays
/// are built with `append` and loops run over `0..<withoutDerivative(at: n)`.
struct DifferentiableNetwork {
  let sizes: [Int]
  let activations: [Activation]
  let loss: Loss
  let l1: Double
  let l2: Double
  /// Samples as rows: inputs[i] is sample i.
  let inputs: [[Double]]
  let targets: [[Double]]

  @differentiable(reverse)
  func objective(_ theta: [Double]) -> Double {
    var total = 0.0
    let m = withoutDerivative(at: inputs.count)
    for i in 0..<m {
      total = total + sampleLoss(theta, sample: i)
    }
    return total / Double(m) + penalty(theta)
  }

  @differentiable(reverse)
  func sampleLoss(_ theta: [Double], sample: Int) -> Double {
    var x: [Double] = withoutDerivative(at: inputs[sample])
    var offset = 0
    let layers = withoutDerivative(at: sizes.count - 1)
    for k in 1...layers {
      let (n, nIn) = (withoutDerivative(at: sizes[k]), withoutDerivative(at: sizes[k - 1]))
      var z: [Double] = []
      for r in 0..<n {
        var sum = theta[offset + n * nIn + r]  // bᵏ_r
        for c in 0..<nIn { sum = sum + theta[offset + r * nIn + c] * x[c] }  // Wᵏ row-major
        z.append(sum)
      }
      offset += n * nIn + n
      x = activate(z, withoutDerivative(at: activations[k - 1]))
    }
    return lossValue(x, withoutDerivative(at: targets[sample]))
  }

  @differentiable(reverse)
  func activate(_ z: [Double], _ activation: Activation) -> [Double] {
    var x: [Double] = []
    let n = withoutDerivative(at: z.count)
    if activation == .softmax {
      var sum = 0.0
      for i in 0..<n { sum = sum + exp(z[i]) }
      for i in 0..<n { x.append(exp(z[i]) / sum) }
      return x
    }
    for i in 0..<n { x.append(scalar(z[i], activation)) }
    return x
  }

  @differentiable(reverse)
  func scalar(_ z: Double, _ activation: Activation) -> Double {
    switch activation {
    case .identity: return z
    case .sigmoid: return 1 / (1 + exp(-z))
    case .tanh: return tanh(z)
    case .relu: if z > 0 { return z } else { return 0 * z }
    case .leakyReLU(let slope): if z > 0 { return z } else { return slope * z }
    case .elu(let alpha): if z > 0 { return z } else { return alpha * (exp(z) - 1) }
    case .softplus: return log(1 + exp(z))
    case .softmax: return z
    }
  }

  @differentiable(reverse)
  func lossValue(_ x: [Double], _ y: [Double]) -> Double {
    var sum = 0.0
    let n = withoutDerivative(at: x.count)
    for j in 0..<n {
      switch loss {
      case .meanSquaredError: sum = sum + 0.5 * (x[j] - y[j]) * (x[j] - y[j])
      case .binaryCrossEntropy: sum = sum - (y[j] * log(x[j]) + (1 - y[j]) * log(1 - x[j]))
      case .softmaxCrossEntropy: sum = sum - y[j] * log(x[j])
      }
    }
    return sum
  }

  @differentiable(reverse)
  func penalty(_ theta: [Double]) -> Double {
    var sum = 0.0
    var offset = 0
    let layers = withoutDerivative(at: sizes.count - 1)
    for k in 1...layers {
      let count = withoutDerivative(at: sizes[k] * sizes[k - 1])
      for i in 0..<count {
        let w = theta[offset + i]
        var magnitude = w
        if w < 0 { magnitude = -w }
        sum = sum + 0.5 * l2 * w * w + l1 * magnitude
      }
      offset += count + withoutDerivative(at: sizes[k])
    }
    return sum
  }
}
