extension Lagrangian {
  /// Solves ∂L/∂xᵏ = 0 for the multipliers, from the last layer back (the adjoint pass):
  ///
  ///     λᴺ = −∂J/∂xᴺ = −(1/m) ∂ℓ/∂xᴺ,   λᵏ = (Wᵏ⁺¹)ᵀ μᵏ⁺¹,   μᵏ = J_σₖ(zᵏ)ᵀ λᵏ   (k = N−1 … 1),
  ///
  /// where μᵏ = σ′ₖ(zᵏ) ⊙ λᵏ for an elementwise σ. For the cross-entropies μᴺ = −(1/m) ∂ℓ/∂zᴺ is taken in
  /// closed form (σ(z) − y, s − y), and λᴺ is computed from zᴺ, so both stay finite when the output
  /// saturates. Needs the states of ``solveStates(parameters:workspace:)``; leaves λᵏ and μᵏ in `workspace`.
  ///
  /// - Complexity: one gemm per layer after the first, 2m Σₖ₌₂ nₖnₖ₋₁ flops.
  public func solveMultipliers(parameters: [Double], workspace: Workspace) {
    checkShapes(parameters: parameters, workspace: workspace)
    parameters.withUnsafeBufferPointer { theta in
      solveMultipliers(theta: theta.baseAddress!, workspace: workspace)
    }
  }

  package func solveMultipliers(theta: UnsafePointer<Double>, workspace: Workspace) {
    let last = layerCount
    let n = architecture.outputSize
    let m = sampleCount
    let scale = -1 / Double(m)
    targets.elements.withUnsafeBufferPointer { yBuffer in
      let y = yBuffer.baseAddress!
      let (z, x) = (workspace.z[last], workspace.x[last])
      loss.outputGradientAtSolution(rows: n, columns: m, z: z, x: x, y: y, scale: scale, out: workspace.lambda[last])
      if loss.hasClosedFormPreActivationGradient {
        loss.preActivationGradient(rows: n, columns: m, z: z, x: x, y: y, scale: scale, out: workspace.mu[last])
      } else {
        architecture.outputActivation.multiplyByJacobian(
          rows: n, columns: m, z: z, x: x, u: workspace.lambda[last], out: workspace.mu[last])
      }
    }
    propagateMultipliers(theta: theta, workspace: workspace)
  }

  /// Given λᴺ and μᴺ in `workspace`, computes λᵏ = (Wᵏ⁺¹)ᵀμᵏ⁺¹ and μᵏ = J_σₖ(zᵏ)ᵀλᵏ for k = N−1 … 1.
  package func propagateMultipliers(theta: UnsafePointer<Double>, workspace: Workspace) {
    let m = sampleCount
    for k in stride(from: layerCount - 1, through: 1, by: -1) {
      let n = architecture.layerSizes[k]
      let nNext = architecture.layerSizes[k + 1]
      // (Wᵏ⁺¹)ᵀ is nₖ × nₖ₊₁ column-major with leading dimension nₖ: θ's row-major Wᵏ⁺¹ read as stored.
      BLAS.gemm(
        .none, .none, m: n, n: m, k: nNext, alpha: 1, a: theta + architecture.weightOffset(layer: k + 1), lda: n,
        b: workspace.mu[k + 1], ldb: nNext, beta: 0, c: workspace.lambda[k], ldc: n)
      architecture.activation(layer: k).multiplyByJacobian(
        rows: n, columns: m, z: workspace.z[k], x: workspace.x[k], u: workspace.lambda[k], out: workspace.mu[k])
    }
  }
}
