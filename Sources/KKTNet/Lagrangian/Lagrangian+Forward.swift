extension Lagrangian {
  /// Solves ∂L/∂λᵏ = xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ) = 0 for the states, layer by layer (the forward pass):
  ///
  ///     zᵏ = Wᵏxᵏ⁻¹ + bᵏ,   xᵏ = σₖ(zᵏ),   k = 1…N.
  ///
  /// zᵏ and xᵏ are left in `workspace`.
  ///
  /// - Complexity: one gemm per layer, 2m Σₖ nₖnₖ₋₁ flops, plus the activations.
  public func solveStates(parameters: [Double], workspace: Workspace) {
    checkShapes(parameters: parameters, workspace: workspace)
    parameters.withUnsafeBufferPointer { theta in
      solveStates(theta: theta.baseAddress!, workspace: workspace)
    }
  }

  package func solveStates(theta: UnsafePointer<Double>, workspace: Workspace) {
    inputs.elements.withUnsafeBufferPointer { x0 in
      for k in 1...layerCount {
        let previous = k == 1 ? x0.baseAddress! : UnsafePointer(workspace.x[k - 1])
        computePreActivation(layer: k, theta: theta, previous: previous, into: workspace.z[k])
        architecture.activation(layer: k).apply(
          rows: architecture.layerSizes[k], columns: sampleCount, z: workspace.z[k], x: workspace.x[k])
      }
    }
  }

  /// zᵏ = Wᵏ·previous + bᵏ over the m samples: bᵏ copied into every column, then one gemm with β = 1.
  ///
  /// θ stores Wᵏ row-major, that is (Wᵏ)ᵀ column-major with leading dimension nₖ₋₁, so the gemm reads it
  /// transposed. Every evaluation of zᵏ (forward pass, partials at any point, tangent pass) goes through
  /// here, so they agree to the bit.
  @inline(__always)
  package func computePreActivation(
    layer k: Int, theta: UnsafePointer<Double>, previous: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>
  ) {
    let n = architecture.layerSizes[k]
    let nPrevious = architecture.layerSizes[k - 1]
    let m = sampleCount
    let b = theta + architecture.biasOffset(layer: k)
    if n == 1 {
      z.update(repeating: b[0], count: m)
    } else if n < 32 {
      // Narrow layers: a plain loop beats a memcpy call per column.
      for j in 0..<m {
        let column = z + j * n
        for i in 0..<n { column[i] = b[i] }
      }
    } else {
      for j in 0..<m { (z + j * n).update(from: b, count: n) }
    }
    BLAS.gemm(
      .transpose, .none, m: n, n: m, k: nPrevious, alpha: 1, a: theta + architecture.weightOffset(layer: k),
      lda: nPrevious, b: previous, ldb: nPrevious, beta: 1, c: z, ldc: n)
  }

  /// J(θ) = (1/m) Σᵢ ℓ(xᴺᵢ, yᵢ) + R(W) after ``solveStates(parameters:workspace:)``; the cross-entropies are
  /// computed from zᴺ, so J is finite and exact however saturated the output.
  package func objective(theta: UnsafePointer<Double>, workspace: Workspace) -> Double {
    let n = architecture.outputSize
    let dataTerm = targets.elements.withUnsafeBufferPointer { y in
      loss.total(
        rows: n, columns: sampleCount, z: workspace.z[layerCount], x: workspace.x[layerCount], y: y.baseAddress!)
    }
    return dataTerm / Double(sampleCount) + regularization.value(parameters: theta, architecture: architecture)
  }

  /// J(θ), by one forward pass.
  public func objective(parameters: [Double], workspace: Workspace? = nil) -> Double {
    let workspace = workspace ?? makeWorkspace()
    solveStates(parameters: parameters, workspace: workspace)
    return parameters.withUnsafeBufferPointer { objective(theta: $0.baseAddress!, workspace: workspace) }
  }

  /// zᵏ(θ) for k = 1…N (index 0 is an empty 0 × m matrix), by one forward pass.
  public func preActivations(parameters: [Double], workspace: Workspace? = nil) -> [Matrix] {
    let workspace = workspace ?? makeWorkspace()
    solveStates(parameters: parameters, workspace: workspace)
    return [Matrix(rows: 0, columns: sampleCount)]
      + (1...layerCount).map { matrix(workspace.z[$0], rows: architecture.layerSizes[$0]) }
  }

  /// xᴺ(θ), the network's outputs for the batch (n_N × m), by one forward pass.
  public func outputs(parameters: [Double], workspace: Workspace? = nil) -> Matrix {
    let workspace = workspace ?? makeWorkspace()
    solveStates(parameters: parameters, workspace: workspace)
    return matrix(workspace.x[layerCount], rows: architecture.outputSize)
  }

  package func checkShapes(parameters: [Double], workspace: Workspace) {
    precondition(
      parameters.count == architecture.parameterCount,
      "θ has \(parameters.count) values, the network has \(architecture.parameterCount) parameters")
    precondition(
      workspace.fits(architecture, sampleCount: sampleCount),
      "the workspace was made for another network or a smaller batch")
  }
}
