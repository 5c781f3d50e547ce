extension Lagrangian {
  /// The residuals r = xᴺ − y and their Jacobian J = ∂r/∂θ (M × P, M = m·n_N), row i·n_N + j for sample i,
  /// output j, columns in file order.
  ///
  /// Row (i, j) of J is the pullback of the output unit j: the adjoint pass seeded with λᴺ = eⱼ (for every
  /// sample at once, one batched pass per output unit) gives μᵏ = J_σₖᵀλᵏ, and the row holds the outer
  /// products μᵏᵢ(xᵏ⁻¹ᵢ)ᵀ and μᵏᵢ for each layer — the parameter gradient of ∂L/∂θ without its sign.
  ///
  /// - Complexity: one forward pass, n_N adjoint passes, and M·P products to fill J.
  public func residualJacobian(parameters: [Double], workspace: Workspace? = nil) -> (
    residuals: [Double], jacobian: Matrix
  ) {
    let workspace = workspace ?? makeWorkspace()
    solveStates(parameters: parameters, workspace: workspace)
    let p = architecture.parameterCount
    let rowCount = architecture.outputSize * sampleCount
    var transposed = Matrix(rows: p, columns: rowCount)
    parameters.withUnsafeBufferPointer { theta in
      transposed.elements.withUnsafeMutableBufferPointer { jt in
        residualJacobianTransposed(
          theta: theta.baseAddress!, workspace: workspace, into: jt.baseAddress!, leadingDimension: p)
      }
    }
    return (residuals(workspace: workspace), transposed.transposed)
  }

  /// r and J into caller-owned buffers: J as M rows of P contiguous values (Jᵀ column-major, the layout of
  /// NumPy's row-major M × P array), `residuals` resized to M. For loops that reuse their buffers.
  public func residualJacobian(
    parameters: [Double], workspace: Workspace, into jacobianRows: UnsafeMutablePointer<Double>,
    residuals: inout [Double]
  ) {
    solveStates(parameters: parameters, workspace: workspace)
    parameters.withUnsafeBufferPointer { theta in
      residualJacobianTransposed(
        theta: theta.baseAddress!, workspace: workspace, into: jacobianRows,
        leadingDimension: architecture.parameterCount)
    }
    residuals = self.residuals(workspace: workspace)
  }

  /// r = xᴺ − y from the states in `workspace`, flattened column by column (index i·n_N + j).
  package func residuals(workspace: Workspace) -> [Double] {
    let count = architecture.outputSize * sampleCount
    let x = workspace.x[layerCount]
    return targets.elements.withUnsafeBufferPointer { y in (0..<count).map { x[$0] - y[$0] } }
  }

  /// Jᵀ (P × M) into `jt` with leading dimension ≥ P: column i·n_N + j is row (i, j) of J. Needs the states
  /// of ``solveStates(parameters:workspace:)``; overwrites the workspace's multipliers.
  package func residualJacobianTransposed(
    theta: UnsafePointer<Double>, workspace: Workspace, into jt: UnsafeMutablePointer<Double>, leadingDimension ld: Int
  ) {
    outputJacobianTransposed(
      theta: theta, workspace: workspace, into: jt, leadingDimension: ld, throughOutputActivation: true)
  }

  /// (∂zᴺ/∂θ)ᵀ (P × M): like ``residualJacobianTransposed(theta:workspace:into:leadingDimension:)`` but for the
  /// last pre-activation, seeding μᴺ = eⱼ directly. The generalized Gauss–Newton matrix of a classifier is
  /// built from it.
  package func preActivationJacobianTransposed(
    theta: UnsafePointer<Double>, workspace: Workspace, into jt: UnsafeMutablePointer<Double>, leadingDimension ld: Int
  ) {
    outputJacobianTransposed(
      theta: theta, workspace: workspace, into: jt, leadingDimension: ld, throughOutputActivation: false)
  }

  private func outputJacobianTransposed(
    theta: UnsafePointer<Double>, workspace: Workspace, into jt: UnsafeMutablePointer<Double>, leadingDimension ld: Int,
    throughOutputActivation: Bool
  ) {
    let last = layerCount
    let outputs = architecture.outputSize
    let m = sampleCount
    let sizes = architecture.layerSizes
    inputs.elements.withUnsafeBufferPointer { x0Buffer in
      let x0 = x0Buffer.baseAddress!
      for j in 0..<outputs {
        // λᴺ = eⱼ for every sample, μᴺ = J_σ_N(zᴺ)ᵀλᴺ (or μᴺ = eⱼ for zᴺ), then back through the layers.
        let seed = throughOutputActivation ? workspace.lambda[last] : workspace.mu[last]
        seed.update(repeating: 0, count: outputs * m)
        for i in 0..<m { seed[j + i * outputs] = 1 }
        if throughOutputActivation {
          architecture.outputActivation.multiplyByJacobian(
            rows: outputs, columns: m, z: workspace.z[last], x: workspace.x[last], u: seed, out: workspace.mu[last])
        }
        propagateMultipliers(theta: theta, workspace: workspace)
        for k in 1...last {
          // Layer k's block of every row: (μᵏᵢ(xᵏ⁻¹ᵢ)ᵀ row-major, μᵏᵢ), sample after sample.
          let (n, nPrevious) = (sizes[k], sizes[k - 1])
          let weightOffset = architecture.weightOffset(layer: k)
          let biasOffset = architecture.biasOffset(layer: k)
          let mus = UnsafePointer(workspace.mu[k])
          let previousStates = k == 1 ? x0 : UnsafePointer(workspace.x[k - 1])
          for i in 0..<m {
            let row = jt + (i * outputs + j) * ld
            let mu = mus + i * n
            let previous = previousStates + i * nPrevious
            let w = row + weightOffset
            if nPrevious == 1 {
              let p0 = previous[0]
              for a in 0..<n { w[a] = mu[a] * p0 }
            } else {
              for a in 0..<n {
                let s = mu[a]
                let block = w + a * nPrevious
                for b in 0..<nPrevious { block[b] = s * previous[b] }
              }
            }
            (row + biasOffset).update(from: mu, count: n)
          }
        }
      }
    }
  }

  /// J column by column from the tangent pass, J·eᵢ for each parameter i: forward mode, cheaper than
  /// the adjoint rows only when P < n_N. Used to check the adjoint rows.
  public func residualJacobianByTangents(parameters: [Double], workspace: Workspace? = nil) -> Matrix {
    let workspace = workspace ?? makeWorkspace()
    let p = architecture.parameterCount
    let rowCount = architecture.outputSize * sampleCount
    var jacobian = Matrix(rows: rowCount, columns: p)
    var direction = [Double](repeating: 0, count: p)
    for c in 0..<p {
      direction[c] = 1
      let column = tangent(parameters: parameters, direction: direction, workspace: workspace)
      for r in 0..<rowCount { jacobian.elements[r + c * rowCount] = column.elements[r] }
      direction[c] = 0
    }
    return jacobian
  }
}
