extension Lagrangian {
  /// ∂L/∂θ at the states and multipliers in `workspace`:
  ///
  ///     ∂L/∂Wᵏ = −μᵏ(xᵏ⁻¹)ᵀ + λ₂Wᵏ + λ₁ sign(Wᵏ),   ∂L/∂bᵏ = −μᵏ𝟙,   μᵏ = J_σₖ(zᵏ)ᵀλᵏ.
  ///
  /// After ``solveStates(parameters:workspace:)`` and ``solveMultipliers(parameters:workspace:)`` this is
  /// ∇J(θ). `gradient` must have P elements; it is overwritten.
  ///
  /// - Complexity: one gemm and one gemv per layer, 2m Σₖ nₖ(nₖ₋₁ + 1) flops.
  public func parameterGradient(parameters: [Double], workspace: Workspace, into gradient: inout [Double]) {
    checkShapes(parameters: parameters, workspace: workspace)
    precondition(gradient.count == architecture.parameterCount, "the gradient must have P elements")
    parameters.withUnsafeBufferPointer { theta in
      gradient.withUnsafeMutableBufferPointer { g in
        parameterGradient(theta: theta.baseAddress!, workspace: workspace, into: g.baseAddress!)
      }
    }
  }

  package func parameterGradient(
    theta: UnsafePointer<Double>, workspace: Workspace, into g: UnsafeMutablePointer<Double>
  ) {
    accumulateMultiplierProducts(alpha: -1, workspace: workspace, into: g)
    regularization.addGradient(parameters: theta, architecture: architecture, into: g)
  }

  /// g ← α·[μᵏ(xᵏ⁻¹)ᵀ, μᵏ𝟙]ₖ in file order (overwrites g). With α = −1 this is the data part of ∂L/∂θ; with
  /// α = 1 and λᴺ = c it is the pullback (∂xᴺ/∂θ)ᵀc.
  package func accumulateMultiplierProducts(alpha: Double, workspace: Workspace, into g: UnsafeMutablePointer<Double>) {
    let m = sampleCount
    inputs.elements.withUnsafeBufferPointer { x0 in
      for k in 1...layerCount {
        let n = architecture.layerSizes[k]
        let nPrevious = architecture.layerSizes[k - 1]
        let previous = k == 1 ? x0.baseAddress! : UnsafePointer(workspace.x[k - 1])
        // Row-major ∂L/∂Wᵏ is column-major (∂L/∂Wᵏ)ᵀ = α·xᵏ⁻¹(μᵏ)ᵀ, nₖ₋₁ × nₖ.
        BLAS.gemm(
          .none, .transpose, m: nPrevious, n: n, k: m, alpha: alpha, a: previous, lda: nPrevious,
          b: workspace.mu[k], ldb: n, beta: 0, c: g + architecture.weightOffset(layer: k), ldc: nPrevious)
        BLAS.gemv(
          .none, m: n, n: m, alpha: alpha, a: workspace.mu[k], lda: n, x: workspace.ones, beta: 0,
          y: g + architecture.biasOffset(layer: k))
      }
    }
  }

  /// J(θ) and ∇J(θ) = ∂L/∂θ at the KKT point: forward solve, adjoint solve, parameter gradient, all in the
  /// workspace's buffers. This is the hot path of every first-order solver.
  ///
  /// - Returns: J(θ).
  @discardableResult
  public func gradient(at parameters: [Double], workspace: Workspace, into gradient: inout [Double]) -> Double {
    checkShapes(parameters: parameters, workspace: workspace)
    precondition(gradient.count == architecture.parameterCount, "the gradient must have P elements")
    return parameters.withUnsafeBufferPointer { theta in
      gradient.withUnsafeMutableBufferPointer { g in
        self.gradient(theta: theta.baseAddress!, workspace: workspace, into: g.baseAddress!)
      }
    }
  }

  package func gradient(theta: UnsafePointer<Double>, workspace: Workspace, into g: UnsafeMutablePointer<Double>)
    -> Double
  {
    solveStates(theta: theta, workspace: workspace)
    solveMultipliers(theta: theta, workspace: workspace)
    parameterGradient(theta: theta, workspace: workspace, into: g)
    return objective(theta: theta, workspace: workspace)
  }

  /// J(θ) and ∇J(θ), with a fresh workspace.
  public func gradient(at parameters: [Double]) -> (objective: Double, gradient: [Double]) {
    var g = [Double](repeating: 0, count: architecture.parameterCount)
    let j = gradient(at: parameters, workspace: makeWorkspace(), into: &g)
    return (j, g)
  }

  /// Solves the three stationarity conditions at θ and returns the KKT point: states, multipliers,
  /// objective and gradient.
  public func solve(parameters: [Double]) -> KKTSolution {
    let workspace = makeWorkspace()
    var g = [Double](repeating: 0, count: architecture.parameterCount)
    let j = gradient(at: parameters, workspace: workspace, into: &g)
    return KKTSolution(
      states: [inputs] + (1...layerCount).map { matrix(workspace.x[$0], rows: architecture.layerSizes[$0]) },
      multipliers: [Matrix(rows: 0, columns: sampleCount)]
        + (1...layerCount).map { matrix(workspace.lambda[$0], rows: architecture.layerSizes[$0]) },
      parameters: parameters, objective: j, gradient: g)
  }
}

/// The KKT point of the Lagrangian at θ: the states solve ∂L/∂λ = 0, the multipliers ∂L/∂x = 0, and the
/// gradient is ∂L/∂θ = ∇J(θ) there.
public struct KKTSolution: Equatable, Sendable {
  /// xᵏ for 0 ≤ k ≤ N (`states[0]` is the inputs).
  public let states: [Matrix]
  /// λᵏ for 1 ≤ k ≤ N (`multipliers[0]` is empty). At the KKT point λᵏ = −∂J/∂xᵏ.
  public let multipliers: [Matrix]
  /// θ.
  public let parameters: [Double]
  /// J(θ), which equals L here (every constraint term vanishes).
  public let objective: Double
  /// ∇J(θ) = ∂L/∂θ, in file order.
  public let gradient: [Double]

  /// (x, λ, θ) as a point of the Lagrangian.
  public var point: LagrangianPoint {
    LagrangianPoint(states: states, multipliers: multipliers, parameters: parameters)
  }
}
