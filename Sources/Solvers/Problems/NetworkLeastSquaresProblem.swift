import KKTNet

/// Training a network with the mse loss as nonlinear least squares:
///
///     r(θ) = [ (xᴺ(θ) − y)/√m ;  √λ₂·vec(W) ],   ½‖r‖² = (1/2m) Σᵢ ‖xᴺᵢ − yᵢ‖² + (λ₂/2) Σₖ ‖Wᵏ‖²_F = J(θ).
///
/// Rows i·n_N + j are sample i, output j; the penalty rows follow, one per weight (only when λ₂ > 0). The
/// Jacobian comes from the Lagrangian: one batched adjoint pass per output unit gives its rows; products
/// J·v come from the tangent pass, Jᵀu from the adjoint pass. JᵀJ and Jᵀr are accumulated block by block of
/// samples (syrk, gemv), so the whole Jacobian is only formed when a QR or SVD solver asks for it.
/// The L1 penalty is not a least-squares term: λ₁ must be 0.
public final class NetworkLeastSquaresProblem: LeastSquaresProblem {
  /// Layer sizes and activations.
  public let architecture: Architecture
  /// λ₂.
  public let l2: Double
  public let parameterCount: Int
  public let residualCount: Int
  let data: NetworkBlocks

  /// The samples per block when JᵀJ is accumulated (2048 by default: a block's Jᵀ is P × 2048·n_N).
  ///
  /// With a `communicator` of several ranks, `inputs` and `targets` are this rank's samples and f, JᵀJ and
  /// Jᵀr are sums over every rank's (one all-reduce per quantity); r and J are this rank's rows, so the
  /// solvers take the normal equations (``GaussNewtonObjective/communicator``). Collective then.
  public init(
    network: Network, inputs: Matrix, targets: Matrix, blockSize: Int = 2048,
    communicator: any Communicator = SingleProcessCommunicator.shared
  ) {
    precondition(
      network.loss == .meanSquaredError, "least squares needs the mse loss; bce and ce use NetworkGaussNewtonProblem")
    precondition(network.regularization.l1 == 0, "the L1 penalty is not a least-squares term; λ₁ must be 0")
    architecture = network.architecture
    l2 = network.regularization.l2
    parameterCount = architecture.parameterCount
    data = NetworkBlocks(
      architecture: architecture, loss: .meanSquaredError, inputs: inputs, targets: targets, blockSize: blockSize,
      communicator: communicator)
    residualCount = inputs.columns * architecture.outputSize + (l2 > 0 ? data.weightIndices.count : 0)
  }

  /// m, over every rank.
  public var sampleCount: Int { data.totalSampleCount }

  /// The ranks that hold the samples.
  public var communicator: any Communicator { data.communicator }

  /// True: JᵀJ and Jᵀr are accumulated block by block, J is formed only when asked for.
  public var prefersNormalEquations: Bool { true }
  private var scale: Double { 1 / Double(data.totalSampleCount).squareRoot() }

  /// J(θ) = (1/2m) Σᵢ ‖xᴺᵢ − yᵢ‖² + (λ₂/2)‖W‖², by one forward pass; the same summation as the value
  /// ``normalEquations(at:normalMatrix:gradient:)`` returns, so the two agree to the bit.
  public func objective(at parameters: [Double]) -> Double { evaluate(at: parameters).objective }

  /// J(θ), keeping the forward pass (with a single block) for a linearization at the same point.
  public func evaluate(at parameters: [Double]) -> EvaluationPoint {
    precondition(parameters.count == parameterCount, "θ has the wrong length")
    var sum = 0.0
    parameters.withUnsafeBufferPointer { theta in
      for (b, block) in data.blocks.enumerated() {
        data.solveStates(b, theta: theta)
        let x = data.workspace.x[architecture.layerCount]
        block.targets.elements.withUnsafeBufferPointer { y in
          for i in 0..<y.count {
            let d = x[i] - y[i]
            sum += d * d
          }
        }
      }
      sum = 0.5 * data.sumOverRanks(sum) / Double(data.totalSampleCount)
      if l2 > 0 { sum += 0.5 * l2 * data.weightSquares(theta.baseAddress!) }
    }
    return data.point(parameters, objective: sum)
  }

  public func residuals(at parameters: [Double], into residuals: inout [Double]) {
    precondition(residuals.count == residualCount, "the residual vector must have M elements")
    let n = architecture.outputSize
    parameters.withUnsafeBufferPointer { theta in
      for (b, block) in data.blocks.enumerated() {
        data.solveStates(b, theta: theta)
        let x = data.workspace.x[architecture.layerCount]
        let offset = data.start(of: b) * n
        block.targets.elements.withUnsafeBufferPointer { y in
          for i in 0..<y.count { residuals[offset + i] = (x[i] - y[i]) * scale }
        }
      }
    }
    if l2 > 0 {
      let root = l2.squareRoot()
      let base = data.sampleCount * n
      for (row, index) in data.weightIndices.enumerated() { residuals[base + row] = root * parameters[index] }
    }
  }

  public func jacobian(at parameters: [Double], into jacobian: inout Matrix) {
    fillJacobian(parameters, point: nil, jacobian: &jacobian) { _ in }
  }

  /// r and J from one forward pass per block (none at all when `point` still holds its states).
  public func residualsAndJacobian(at point: EvaluationPoint, residuals: inout [Double], jacobian: inout Matrix) {
    precondition(residuals.count == residualCount, "the residual vector must have M elements")
    let n = architecture.outputSize
    fillJacobian(point.parameters, point: point, jacobian: &jacobian) { b in
      let x = data.workspace.x[architecture.layerCount]
      let offset = data.start(of: b) * n
      data.blocks[b].targets.elements.withUnsafeBufferPointer { y in
        for i in 0..<y.count { residuals[offset + i] = (x[i] - y[i]) * scale }
      }
    }
    if l2 > 0 {
      let root = l2.squareRoot()
      let base = data.sampleCount * n
      for (row, index) in data.weightIndices.enumerated() { residuals[base + row] = root * point.parameters[index] }
    }
  }

  /// J block by block; `afterBlock(b)` runs while the workspace holds block b's states.
  private func fillJacobian(
    _ parameters: [Double], point: EvaluationPoint?, jacobian: inout Matrix, afterBlock: (Int) -> Void
  ) {
    precondition(jacobian.rows == residualCount && jacobian.columns == parameterCount, "J must be M × P")
    let n = architecture.outputSize
    let p = parameterCount
    let m = residualCount
    jacobian.elements.withUnsafeMutableBufferPointer { jBuffer in
      let j = jBuffer.baseAddress!
      parameters.withUnsafeBufferPointer { theta in
        for b in data.blocks.indices {
          let rows = fillBlock(b, theta: theta, point: point)
          let first = data.start(of: b) * n
          let jt = data.transposedJacobian
          for r in 0..<rows {
            for c in 0..<p { j[first + r + c * m] = jt[c + r * p] * scale }
          }
          afterBlock(b)
        }
      }
      if l2 > 0 {
        let root = l2.squareRoot()
        let base = data.sampleCount * n
        for (row, index) in data.weightIndices.enumerated() {
          for c in 0..<p { j[base + row + c * m] = 0 }
          j[base + row + index * m] = root
        }
      }
    }
  }

  /// Fills the block's Jᵀ (unscaled) after solving its states; returns its number of rows, m_b·n_N.
  ///
  /// The rows come from n_N adjoint passes. Forming J by tangent passes would take one per parameter, and
  /// a layered network always has P ≥ n_N(n_{N−1} + 1) > n_N parameters, so the adjoint rows are always
  /// the cheaper way to the whole Jacobian; the tangent pass serves the products J·v instead.
  @discardableResult
  private func fillBlock(_ b: Int, theta: UnsafeBufferPointer<Double>, point: EvaluationPoint?) -> Int {
    if let point { data.solveStates(b, at: point, theta: theta) } else { data.solveStates(b, theta: theta) }
    let block = data.blocks[b]
    block.residualJacobianTransposed(
      theta: theta.baseAddress!, workspace: data.workspace, into: data.transposedJacobian,
      leadingDimension: parameterCount)
    return block.sampleCount * architecture.outputSize
  }

  /// G = JᵀJ and g = Jᵀr accumulated over blocks of samples: G += (1/m)·Jᵀ_bJ_b (syrk), g += (1/m)·Jᵀ_b(x_b − y_b)
  /// (gemv), then λ₂ on the weights' diagonal and λ₂w in g. Jᵀr is ∇J(θ).
  public func normalEquations(at parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double]) -> Double {
    accumulateNormalEquations(parameters, point: nil, normalMatrix: &normalMatrix, gradient: &gradient)
  }

  /// The normal equations at `point`, reusing its forward pass when the workspace still holds it.
  public func normalEquations(at point: EvaluationPoint, normalMatrix: inout Matrix, gradient: inout [Double])
    -> Double
  {
    accumulateNormalEquations(point.parameters, point: point, normalMatrix: &normalMatrix, gradient: &gradient)
  }

  private func accumulateNormalEquations(
    _ parameters: [Double], point: EvaluationPoint?, normalMatrix: inout Matrix, gradient: inout [Double]
  ) -> Double {
    let p = parameterCount
    precondition(
      normalMatrix.rows == p && normalMatrix.columns == p && gradient.count == p, "G must be P × P, g P long")
    let inverseM = 1 / Double(data.totalSampleCount)
    var sum = 0.0
    var difference = [Double](repeating: 0, count: data.transposedJacobianColumns)
    normalMatrix.elements.withUnsafeMutableBufferPointer { g in g.update(repeating: 0) }
    gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    parameters.withUnsafeBufferPointer { theta in
      normalMatrix.elements.withUnsafeMutableBufferPointer { gBuffer in
        gradient.withUnsafeMutableBufferPointer { gradientBuffer in
          difference.withUnsafeMutableBufferPointer { dBuffer in
            for (b, block) in data.blocks.enumerated() {
              let rows = fillBlock(b, theta: theta, point: point)
              let x = data.workspace.x[architecture.layerCount]
              block.targets.elements.withUnsafeBufferPointer { y in
                for i in 0..<rows {
                  dBuffer[i] = x[i] - y[i]
                  sum += dBuffer[i] * dBuffer[i]
                }
              }
              BLAS.syrk(
                .none, n: p, k: rows, alpha: inverseM, a: data.transposedJacobian, lda: p, beta: 1,
                c: gBuffer.baseAddress!,
                ldc: p)
              BLAS.gemv(
                .none, m: p, n: rows, alpha: inverseM, a: data.transposedJacobian, lda: p, x: dBuffer.baseAddress!,
                beta: 1,
                y: gradientBuffer.baseAddress!)
            }
          }
        }
      }
    }
    data.sumOverRanks(normalMatrix: &normalMatrix)
    data.sumOverRanks(gradient: &gradient, sum: &sum)
    normalMatrix.elements.withUnsafeMutableBufferPointer { BLAS.fillUpperTriangle($0.baseAddress!, n: p, ld: p) }
    var f = 0.5 * sum / Double(data.totalSampleCount)
    if l2 > 0 {
      data.addRidge(l2, parameters: parameters, normalMatrix: &normalMatrix, gradient: &gradient, objective: &f)
    }
    return f
  }

  /// J·v from the tangent pass, block by block.
  public func jacobianProduct(at parameters: [Double], direction: [Double]) -> [Double] {
    let n = architecture.outputSize
    var product = [Double](repeating: 0, count: residualCount)
    parameters.withUnsafeBufferPointer { theta in
      direction.withUnsafeBufferPointer { v in
        for (b, block) in data.blocks.enumerated() {
          data.solveStates(b, theta: theta)
          block.tangent(theta: theta.baseAddress!, direction: v.baseAddress!, workspace: data.workspace)
          let offset = data.start(of: b) * n
          for i in 0..<(block.sampleCount * n) { product[offset + i] = data.workspace.scratch.1[i] * scale }
        }
      }
    }
    if l2 > 0 {
      let root = l2.squareRoot()
      let base = data.sampleCount * n
      for (row, index) in data.weightIndices.enumerated() { product[base + row] = root * direction[index] }
    }
    return product
  }

  /// Jᵀu from the adjoint pass seeded with u, block by block.
  public func transposedJacobianProduct(at parameters: [Double], vector: [Double]) -> [Double] {
    let n = architecture.outputSize
    var product = [Double](repeating: 0, count: parameterCount)
    data.invalidateStates()  // the pullback solves the states itself
    for (b, block) in data.blocks.enumerated() {
      let offset = data.start(of: b) * n
      let seed = Matrix(
        rows: n, columns: block.sampleCount,
        elements: vector[offset..<(offset + n * block.sampleCount)].map { $0 * scale })
      let part = block.pullback(parameters: parameters, outputCotangent: seed, workspace: data.workspace)
      for i in 0..<parameterCount { product[i] += part[i] }
    }
    if l2 > 0 {
      let root = l2.squareRoot()
      let base = data.sampleCount * n
      for (row, index) in data.weightIndices.enumerated() { product[index] += root * vector[base + row] }
    }
    return product
  }
}

extension NetworkLeastSquaresProblem: CurvatureFactorization {
  /// m·n_N: the data rows of J, without the penalty's rows.
  public var curvatureFactorRows: Int { data.sampleCount * architecture.outputSize }

  /// F = the data rows of J ((xᴺ − y)/√m's Jacobian), R = λ₂ on the weights (the penalty's rows as a
  /// diagonal), g = Jᵀr and f, at `point` — so that a network with an L2 penalty and fewer samples than
  /// weights needs no row per weight.
  public func curvatureFactor(
    at point: EvaluationPoint, factor: inout Matrix, ridge: inout [Double]?, gradient: inout [Double]
  ) -> Double {
    let p = parameterCount
    let n = architecture.outputSize
    let rows = curvatureFactorRows
    precondition(factor.rows == rows && factor.columns == p && gradient.count == p, "F must be m·n_N × P")
    let inverseM = 1 / Double(data.totalSampleCount)
    var sum = 0.0
    var difference = [Double](repeating: 0, count: data.transposedJacobianColumns)
    gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    point.parameters.withUnsafeBufferPointer { theta in
      factor.elements.withUnsafeMutableBufferPointer { fBuffer in
        gradient.withUnsafeMutableBufferPointer { gBuffer in
          difference.withUnsafeMutableBufferPointer { dBuffer in
            for (b, block) in data.blocks.enumerated() {
              let blockRows = fillBlock(b, theta: theta, point: point)
              let x = data.workspace.x[architecture.layerCount]
              block.targets.elements.withUnsafeBufferPointer { y in
                for i in 0..<blockRows {
                  dBuffer[i] = x[i] - y[i]
                  sum += dBuffer[i] * dBuffer[i]
                }
              }
              let jt = data.transposedJacobian
              let first = data.start(of: b) * n
              for r in 0..<blockRows {
                for c in 0..<p { fBuffer[first + r + c * rows] = jt[c + r * p] * scale }
              }
              BLAS.gemv(
                .none, m: p, n: blockRows, alpha: inverseM, a: jt, lda: p, x: dBuffer.baseAddress!, beta: 1,
                y: gBuffer.baseAddress!)
            }
          }
        }
      }
    }
    var f = 0.5 * sum / Double(data.totalSampleCount)
    ridge = l2 > 0 ? data.ridgeDiagonal(l2) : nil
    if l2 > 0 { data.addRidge(l2, parameters: point.parameters, gradient: &gradient, objective: &f) }
    return f
  }
}
