extension Lagrangian {
  /// The directional derivative of the outputs, δxᴺ = (∂xᴺ/∂θ)·v, from the linearized constraints
  /// (forward mode):
  ///
  ///     δx⁰ = 0,   δxᵏ = J_σₖ(zᵏ)(δWᵏxᵏ⁻¹ + Wᵏδxᵏ⁻¹ + δbᵏ),   k = 1…N,
  ///
  /// with δWᵏ, δbᵏ the blocks of v. Solves the states at θ first.
  ///
  /// - Returns: δxᴺ, n_N × m.
  /// - Complexity: a forward pass and two gemms per layer.
  public func tangent(parameters: [Double], direction: [Double], workspace: Workspace? = nil) -> Matrix {
    precondition(direction.count == architecture.parameterCount, "the direction must have P elements")
    let workspace = workspace ?? makeWorkspace()
    solveStates(parameters: parameters, workspace: workspace)
    parameters.withUnsafeBufferPointer { theta in
      direction.withUnsafeBufferPointer { v in
        tangent(theta: theta.baseAddress!, direction: v.baseAddress!, workspace: workspace)
      }
    }
    return matrix(workspace.scratch.1, rows: architecture.outputSize)
  }

  /// The tangent pass at the states in `workspace`; leaves δxᴺ in `workspace.scratch.1`.
  package func tangent(theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>, workspace: Workspace) {
    let m = sampleCount
    let (dz, dx) = workspace.scratch
    inputs.elements.withUnsafeBufferPointer { x0 in
      for k in 1...layerCount {
        let n = architecture.layerSizes[k]
        let nPrevious = architecture.layerSizes[k - 1]
        let previous = k == 1 ? x0.baseAddress! : UnsafePointer(workspace.x[k - 1])
        // δzᵏ = δWᵏxᵏ⁻¹ + δbᵏ  (the pre-activation map with θ replaced by v) …
        computePreActivation(layer: k, theta: v, previous: previous, into: dz)
        // … + Wᵏδxᵏ⁻¹
        if k > 1 {
          BLAS.gemm(
            .transpose, .none, m: n, n: m, k: nPrevious, alpha: 1, a: theta + architecture.weightOffset(layer: k),
            lda: nPrevious, b: dx, ldb: nPrevious, beta: 1, c: dz, ldc: n)
        }
        architecture.activation(layer: k).multiplyByJacobian(
          rows: n, columns: m, z: workspace.z[k], x: workspace.x[k], u: dz, out: dx)
      }
    }
  }

  /// The vector–Jacobian product (∂xᴺ/∂θ)ᵀc: the adjoint pass seeded with λᴺ = c instead of −∂J/∂xᴺ,
  /// and the products μᵏ(xᵏ⁻¹)ᵀ, μᵏ𝟙 without the sign of ∂L/∂θ or the penalty.
  ///
  /// With ``tangent(parameters:direction:workspace:)`` it satisfies the dot-product test
  /// ⟨(∂xᴺ/∂θ)t, c⟩ = ⟨t, (∂xᴺ/∂θ)ᵀc⟩.
  public func pullback(parameters: [Double], outputCotangent c: Matrix, workspace: Workspace? = nil) -> [Double] {
    precondition(
      c.rows == architecture.outputSize && c.columns == sampleCount, "the cotangent must be n_N × m like xᴺ")
    let workspace = workspace ?? makeWorkspace()
    solveStates(parameters: parameters, workspace: workspace)
    let last = layerCount
    let n = architecture.outputSize
    c.elements.withUnsafeBufferPointer { pc in
      workspace.lambda[last].update(from: pc.baseAddress!, count: n * sampleCount)
    }
    architecture.outputActivation.multiplyByJacobian(
      rows: n, columns: sampleCount, z: workspace.z[last], x: workspace.x[last], u: workspace.lambda[last],
      out: workspace.mu[last])
    var result = [Double](repeating: 0, count: architecture.parameterCount)
    parameters.withUnsafeBufferPointer { theta in
      propagateMultipliers(theta: theta.baseAddress!, workspace: workspace)
    }
    result.withUnsafeMutableBufferPointer { g in
      accumulateMultiplierProducts(alpha: 1, workspace: workspace, into: g.baseAddress!)
    }
    return result
  }
}
