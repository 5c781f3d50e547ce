extension Lagrangian {
  /// L(x, λ, θ) = J(xᴺ, θ) + Σₖ ⟨λᵏ, xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ)⟩ at any point.
  ///
  /// Here xᴺ is a free variable, so the loss is evaluated from xᴺ (the cross-entropies need xᴺ inside
  /// their domain: 0 < x < 1 for bce, x > 0 for ce).
  public func value(at point: LagrangianPoint) -> Double {
    let terms = evaluate(at: point, withPartials: false)
    return terms.value
  }

  /// Every partial derivative of L at any point (x, λ, θ):
  ///
  ///     ∂L/∂λᵏ = xᵏ − σₖ(zᵏ),   zᵏ = Wᵏxᵏ⁻¹ + bᵏ
  ///     ∂L/∂xᵏ = λᵏ − (Wᵏ⁺¹)ᵀ J_σₖ₊₁(zᵏ⁺¹)ᵀ λᵏ⁺¹   (k < N),   ∂L/∂xᴺ = (1/m) ∂ℓ/∂xᴺ + λᴺ
  ///     ∂L/∂Wᵏ = −(J_σₖ(zᵏ)ᵀλᵏ)(xᵏ⁻¹)ᵀ + λ₂Wᵏ + λ₁ sign(Wᵏ),   ∂L/∂bᵏ = −(J_σₖ(zᵏ)ᵀλᵏ)𝟙
  ///
  /// with every zᵏ computed from the point's own xᵏ⁻¹ (not from a forward pass).
  public func partials(at point: LagrangianPoint) -> LagrangianPartials {
    evaluate(at: point, withPartials: true).partials!
  }

  /// The KKT certificate at a point: the max-norms of the three groups of partials, and ‖λᵏ‖_F. A NaN in
  /// any partial makes its norm NaN (it is never lost inside a max).
  public func certificate(at point: LagrangianPoint) -> KKTCertificate {
    let partials = partials(at: point)
    return KKTCertificate(
      primalResidual: largestValue(partials.withRespectToMultipliers.map(\.maxAbsoluteValue)),
      adjointResidual: largestValue(partials.withRespectToStates.map(\.maxAbsoluteValue)),
      gradientNorm: largestMagnitude(partials.withRespectToParameters),
      multiplierNorms: [0] + point.multipliers.dropFirst().map { BLAS.nrm2($0.elements) })
  }

  private func checkPoint(_ point: LagrangianPoint) {
    precondition(point.states.count == layerCount + 1, "a point needs N + 1 states (x⁰ … xᴺ)")
    precondition(point.multipliers.count == layerCount + 1, "a point needs N + 1 multiplier slots (λ⁰ unused)")
    precondition(point.parameters.count == architecture.parameterCount, "θ has the wrong length")
    for k in 0...layerCount {
      let n = architecture.layerSizes[k]
      precondition(
        point.states[k].rows == n && point.states[k].columns == sampleCount, "x\(k) must be \(n)×\(sampleCount)")
      if k > 0 {
        precondition(
          point.multipliers[k].rows == n && point.multipliers[k].columns == sampleCount,
          "λ\(k) must be \(n)×\(sampleCount)")
      }
    }
  }

  private func evaluate(at point: LagrangianPoint, withPartials: Bool) -> (value: Double, partials: LagrangianPartials?)
  {
    checkPoint(point)
    let m = sampleCount
    let sizes = architecture.layerSizes
    var value = 0.0
    var residuals = [Matrix(rows: 0, columns: m)]
    var mus = [Matrix(rows: 0, columns: m)]
    var gradient = [Double](repeating: 0, count: architecture.parameterCount)
    point.parameters.withUnsafeBufferPointer { thetaBuffer in
      let theta = thetaBuffer.baseAddress!
      for k in 1...layerCount {
        let n = sizes[k]
        var z = Matrix(rows: n, columns: m)
        var s = Matrix(rows: n, columns: m)
        point.states[k - 1].elements.withUnsafeBufferPointer { previous in
          z.elements.withUnsafeMutableBufferPointer { pz in
            computePreActivation(layer: k, theta: theta, previous: previous.baseAddress!, into: pz.baseAddress!)
          }
        }
        z.elements.withUnsafeBufferPointer { pz in
          s.elements.withUnsafeMutableBufferPointer { ps in
            architecture.activation(layer: k).apply(rows: n, columns: m, z: pz.baseAddress!, x: ps.baseAddress!)
          }
        }
        var residual = point.states[k]
        for i in residual.elements.indices { residual.elements[i] -= s.elements[i] }
        value += BLAS.dot(point.multipliers[k].elements, residual.elements)
        residuals.append(residual)
        guard withPartials else { continue }
        // μᵏ = J_σₖ(zᵏ)ᵀλᵏ, at the zᵏ of this point.
        var mu = Matrix(rows: n, columns: m)
        z.elements.withUnsafeBufferPointer { pz in
          s.elements.withUnsafeBufferPointer { ps in
            point.multipliers[k].elements.withUnsafeBufferPointer { pl in
              mu.elements.withUnsafeMutableBufferPointer { pm in
                architecture.activation(layer: k).multiplyByJacobian(
                  rows: n, columns: m, z: pz.baseAddress!, x: ps.baseAddress!, u: pl.baseAddress!, out: pm.baseAddress!)
              }
            }
          }
        }
        mus.append(mu)
        gradient.withUnsafeMutableBufferPointer { g in
          point.states[k - 1].elements.withUnsafeBufferPointer { previous in
            mu.elements.withUnsafeBufferPointer { pm in
              BLAS.gemm(
                .none, .transpose, m: sizes[k - 1], n: n, k: m, alpha: -1, a: previous.baseAddress!, lda: sizes[k - 1],
                b: pm.baseAddress!, ldb: n, beta: 0, c: g.baseAddress! + architecture.weightOffset(layer: k),
                ldc: sizes[k - 1])
              for j in 0..<m {
                for i in 0..<n { g[architecture.biasOffset(layer: k) + i] -= pm[i + j * n] }
              }
            }
          }
        }
      }
      gradient.withUnsafeMutableBufferPointer { g in
        regularization.addGradient(parameters: theta, architecture: architecture, into: g.baseAddress!)
      }
      let outputs = point.states[layerCount]
      let dataTerm = outputs.elements.withUnsafeBufferPointer { x in
        targets.elements.withUnsafeBufferPointer { y in
          loss.totalAtOutputs(rows: architecture.outputSize, columns: m, x: x.baseAddress!, y: y.baseAddress!)
        }
      }
      value += dataTerm / Double(m) + regularization.value(parameters: theta, architecture: architecture)
    }
    guard withPartials else { return (value, nil) }

    var stateGradients = [Matrix(rows: 0, columns: m)]
    for k in 1...layerCount {
      var dx = point.multipliers[k]
      if k < layerCount {
        // ∂L/∂xᵏ = λᵏ − (Wᵏ⁺¹)ᵀμᵏ⁺¹
        point.parameters.withUnsafeBufferPointer { theta in
          mus[k + 1].elements.withUnsafeBufferPointer { pm in
            dx.elements.withUnsafeMutableBufferPointer { pd in
              BLAS.gemm(
                .none, .none, m: sizes[k], n: m, k: sizes[k + 1], alpha: -1,
                a: theta.baseAddress! + architecture.weightOffset(layer: k + 1), lda: sizes[k], b: pm.baseAddress!,
                ldb: sizes[k + 1], beta: 1, c: pd.baseAddress!, ldc: sizes[k])
            }
          }
        }
      } else {
        // ∂L/∂xᴺ = (1/m)∂ℓ/∂xᴺ + λᴺ
        var lossGradient = Matrix(rows: sizes[k], columns: m)
        point.states[k].elements.withUnsafeBufferPointer { x in
          targets.elements.withUnsafeBufferPointer { y in
            lossGradient.elements.withUnsafeMutableBufferPointer { out in
              loss.outputGradientAtOutputs(
                rows: sizes[k], columns: m, x: x.baseAddress!, y: y.baseAddress!, scale: 1 / Double(m),
                out: out.baseAddress!)
            }
          }
        }
        for i in dx.elements.indices { dx.elements[i] += lossGradient.elements[i] }
      }
      stateGradients.append(dx)
    }
    return (
      value,
      LagrangianPartials(
        withRespectToMultipliers: residuals, withRespectToStates: stateGradients, withRespectToParameters: gradient)
    )
  }
}

/// How far a point is from satisfying the KKT conditions, with the multipliers' sizes.
public struct KKTCertificate: Equatable, Sendable {
  /// maxₖ ‖∂L/∂λᵏ‖∞ = maxₖ ‖xᵏ − σₖ(zᵏ)‖∞: how far the states are from the forward pass (0 after it).
  public let primalResidual: Double
  /// maxₖ ‖∂L/∂xᵏ‖∞: how far the multipliers are from the adjoint pass (rounding-level after it).
  public let adjointResidual: Double
  /// ‖∂L/∂θ‖∞: the gradient's max-norm, zero at a stationary point of J.
  public let gradientNorm: Double
  /// `multiplierNorms[k]` is ‖λᵏ‖_F for 1 ≤ k ≤ N: how much the objective feels each layer's states.
  /// Layers count from 1 here as in ``KKTSolution/multipliers`` and ``LagrangianPoint/multipliers``;
  /// `multiplierNorms[0]` is 0 (the input x⁰ is data, not constrained, and has no multiplier).
  public let multiplierNorms: [Double]
}
