import KKTNet

/// The relaxed training problem of a network whose hidden states are free variables:
///
///     Φ(x, θ; Λ, ρ) = (1/m)[Σᵢ ℓ(zᴺᵢ, yᵢ) + Σₖ₌₁ᴺ⁻¹ (⟨Λᵏ, cᵏ⟩ + (ρ/2)‖cᵏ‖²)] + R(W),
///     cᵏ = xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ),   zᴺ = Wᴺxᴺ⁻¹ + bᴺ,
///
/// the augmented Lagrangian L_ρ = J + Σₖ⟨λᵏ, cᵏ⟩ + (ρ/2m)Σₖ‖cᵏ‖² of ``Lagrangian`` with the multipliers per
/// sample, Λᵏ = m·λᵏ, and ρ per sample like J's 1/m. The output constraint stays exact (the loss reads zᴺ,
/// so the cross-entropies stay finite): the free variables are x¹ … xᴺ⁻¹ and θ.
struct RelaxedNetwork: Sendable {
  let lagrangian: Lagrangian

  init(network: Network, inputs: Matrix, targets: Matrix) {
    lagrangian = Lagrangian(network: network, inputs: inputs, targets: targets)
  }

  var architecture: Architecture { lagrangian.architecture }
  var sampleCount: Int { lagrangian.sampleCount }
  /// N − 1, the layers whose states are free.
  var hiddenCount: Int { lagrangian.layerCount - 1 }
  func size(_ k: Int) -> Int { architecture.layerSizes[k] }

  /// zᵏ, σₖ(zᵏ) (k = 1…N, index k − 1), cᵏ (k = 1…N − 1, index k − 1), Σℓ and Φ at one point.
  struct Evaluation {
    var preActivations: [[Double]]
    var activations: [[Double]]
    var residuals: [[Double]]
    /// Σᵢ ℓ(zᴺᵢ, yᵢ).
    var dataSum: Double
    /// Φ, the relaxed objective.
    var value: Double
    /// maxₖ ‖cᵏ‖∞.
    var residualMaxNorm: Double { residuals.map(maxNorm).max() ?? 0 }
    /// ‖cᵏ‖∞ per hidden layer.
    var layerResiduals: [Double] { residuals.map(maxNorm) }
  }

  /// The states at θ by the forward pass: xᵏ = σₖ(Wᵏxᵏ⁻¹ + bᵏ), k = 1…N − 1.
  func forwardStates(parameters: [Double]) -> [[Double]] {
    let workspace = lagrangian.makeWorkspace()
    lagrangian.solveStates(parameters: parameters, workspace: workspace)
    let m = sampleCount
    return (0..<hiddenCount).map { Array(UnsafeBufferPointer(start: workspace.x[$0 + 1], count: size($0 + 1) * m)) }
  }

  /// Evaluates Φ and its parts at (x, θ) with multipliers Λ and penalty ρ.
  func evaluate(parameters: [Double], states: [[Double]], multipliers: [[Double]], rho: Double) -> Evaluation {
    let m = sampleCount
    let layers = lagrangian.layerCount
    var z: [[Double]] = []
    var s: [[Double]] = []
    var residuals: [[Double]] = []
    var penalty = 0.0
    parameters.withUnsafeBufferPointer { theta in
      for k in 1...layers {
        var zk = [Double](repeating: 0, count: size(k) * m)
        let previous = k == 1 ? lagrangian.inputs.elements : states[k - 2]
        previous.withUnsafeBufferPointer { p in
          zk.withUnsafeMutableBufferPointer { zp in
            lagrangian.computePreActivation(
              layer: k, theta: theta.baseAddress!, previous: p.baseAddress!, into: zp.baseAddress!)
          }
        }
        var sk = [Double](repeating: 0, count: zk.count)
        zk.withUnsafeBufferPointer { zp in
          sk.withUnsafeMutableBufferPointer { sp in
            architecture.activation(layer: k).apply(
              rows: size(k), columns: m, z: zp.baseAddress!, x: sp.baseAddress!)
          }
        }
        if k < layers {
          var c = [Double](repeating: 0, count: zk.count)
          let x = states[k - 1]
          let lambda = multipliers[k - 1]
          for i in 0..<c.count {
            c[i] = x[i] - sk[i]
            penalty += lambda[i] * c[i] + 0.5 * rho * c[i] * c[i]
          }
          residuals.append(c)
        }
        z.append(zk)
        s.append(sk)
      }
    }
    let dataSum = z[layers - 1].withUnsafeBufferPointer { zp in
      s[layers - 1].withUnsafeBufferPointer { xp in
        lagrangian.targets.elements.withUnsafeBufferPointer { yp in
          lagrangian.loss.total(
            rows: size(layers), columns: m, z: zp.baseAddress!, x: xp.baseAddress!, y: yp.baseAddress!)
        }
      }
    }
    let regularization = parameters.withUnsafeBufferPointer {
      lagrangian.regularization.value(parameters: $0.baseAddress!, architecture: architecture)
    }
    return Evaluation(
      preActivations: z, activations: s, residuals: residuals, dataSum: dataSum,
      value: (dataSum + penalty) / Double(m) + regularization)
  }

  /// J(θ) of the feasible network (the exact forward pass), its gradient's max-norm, and the adjoint's
  /// multipliers λᵏ (k = 1…N − 1) at θ, by ``Lagrangian/solveMultipliers(parameters:workspace:)``.
  func feasible(parameters: [Double]) -> (objective: Double, gradientMaxNorm: Double, multipliers: [[Double]]) {
    let workspace = lagrangian.makeWorkspace()
    let objective = lagrangian.objective(parameters: parameters, workspace: workspace)
    lagrangian.solveMultipliers(parameters: parameters, workspace: workspace)
    var gradient = [Double](repeating: 0, count: parameters.count)
    lagrangian.parameterGradient(parameters: parameters, workspace: workspace, into: &gradient)
    let m = sampleCount
    let lambdas = (0..<hiddenCount).map {
      Array(UnsafeBufferPointer(start: workspace.lambda[$0 + 1], count: size($0 + 1) * m))
    }
    return (objective, maxNorm(gradient), lambdas)
  }
}

/// ‖λ_method − λ_adjoint‖_F / ‖λ_adjoint‖_F over the hidden layers, with λ_method = Λ/m (0 when both vanish).
func multiplierGap(estimate: [[Double]], scale: Double, adjoint: [[Double]]) -> Double {
  var difference = 0.0
  var reference = 0.0
  for (e, a) in zip(estimate, adjoint) {
    for i in 0..<a.count {
      let d = e[i] * scale - a[i]
      difference += d * d
      reference += a[i] * a[i]
    }
  }
  if reference == 0 { return difference == 0 ? 0 : .infinity }
  return (difference / reference).squareRoot()
}
