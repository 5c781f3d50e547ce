import KKTNet

/// Training a classifier (bce with a sigmoid output, ce with a softmax output) with the generalized
/// Gauss–Newton matrix (Schraudolph 2002):
///
///     G = (1/m) Σᵢ Jᵢᵀ Hᵢ Jᵢ + λ₂ I_W,   g = ∇J(θ),   f = J(θ),
///
/// where Jᵢ = ∂zᴺᵢ/∂θ is the Jacobian of sample i's output pre-activation and Hᵢ the loss's Hessian in
/// zᴺ: diag(s(1 − s)) for bce, (Σy)(diag(s) − ssᵀ) for ce. H = AᵀA with A = diag(√s) − √s·sᵀ for ce, so G
/// is accumulated as (1/m) J̃ᵀJ̃ with J̃ = AJ, block by block (syrk). G ⪰ 0, so Levenberg–Marquardt's
/// damped system is always positive definite. The gradient is the Lagrangian's. λ₁ must be 0.
public final class NetworkGaussNewtonProblem: GaussNewtonObjective {
  /// Layer sizes and activations.
  public let architecture: Architecture
  /// bce or ce.
  public let loss: Loss
  /// λ₂.
  public let l2: Double
  public let parameterCount: Int
  let data: NetworkBlocks

  /// The problem of `network` over the samples (columns) of `inputs` and `targets`. With a
  /// `communicator` of several ranks, `inputs` and `targets` are this rank's samples and f, G and g are sums
  /// over every rank's (one all-reduce per quantity). Collective then.
  ///
  /// - Precondition: the loss is bce or ce and λ₁ = 0 (a ``TrainingPlan`` checks and throws instead).
  public init(
    network: Network, inputs: Matrix, targets: Matrix, blockSize: Int = 2048,
    communicator: any Communicator = SingleProcessCommunicator.shared
  ) {
    precondition(network.loss != .meanSquaredError, "mse is least squares: use NetworkLeastSquaresProblem")
    precondition(network.regularization.l1 == 0, "the L1 penalty is not smooth; λ₁ must be 0 for Gauss–Newton")
    architecture = network.architecture
    loss = network.loss
    l2 = network.regularization.l2
    parameterCount = architecture.parameterCount
    data = NetworkBlocks(
      architecture: architecture, loss: loss, inputs: inputs, targets: targets, blockSize: blockSize,
      communicator: communicator)
  }

  /// m, over every rank.
  public var sampleCount: Int { data.totalSampleCount }

  /// The ranks that hold the samples.
  public var communicator: any Communicator { data.communicator }

  /// J(θ) = (1/m) Σ_b m_b·J_b(θ) + (λ₂/2)‖W‖², by one forward pass; the same summation as the value
  /// ``normalEquations(at:normalMatrix:gradient:)`` returns, so the two agree to the bit.
  public func objective(at parameters: [Double]) -> Double { evaluate(at: parameters).objective }

  /// J(θ), keeping the forward pass (with a single block) for a linearization at the same point.
  public func evaluate(at parameters: [Double]) -> EvaluationPoint {
    precondition(parameters.count == parameterCount, "θ has the wrong length")
    var sum = 0.0
    parameters.withUnsafeBufferPointer { theta in
      for (b, block) in data.blocks.enumerated() {
        data.solveStates(b, theta: theta)
        sum += block.objective(theta: theta.baseAddress!, workspace: data.workspace) * Double(block.sampleCount)
      }
      sum = data.sumOverRanks(sum) / Double(data.totalSampleCount)
      if l2 > 0 { sum += 0.5 * l2 * data.weightSquares(theta.baseAddress!) }
    }
    return data.point(parameters, objective: sum)
  }

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
    normalMatrix.elements.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    let weightedSum = normalMatrix.elements.withUnsafeMutableBufferPointer { gBuffer in
      sweep(parameters, point: point, gradient: &gradient) { _, jt, rows in
        BLAS.syrk(.none, n: p, k: rows, alpha: inverseM, a: jt, lda: p, beta: 1, c: gBuffer.baseAddress!, ldc: p)
      }
    }
    data.sumOverRanks(normalMatrix: &normalMatrix)
    normalMatrix.elements.withUnsafeMutableBufferPointer { BLAS.fillUpperTriangle($0.baseAddress!, n: p, ld: p) }
    var f = weightedSum / Double(data.totalSampleCount)
    if l2 > 0 {
      data.addRidge(l2, parameters: parameters, normalMatrix: &normalMatrix, gradient: &gradient, objective: &f)
    }
    return f
  }

  /// One pass over the blocks at θ: g (into `gradient`) and Σ_b m_b·J_b, and for each block the columns of
  /// J̃ᵀ = (∂zᴺ/∂θ)ᵀAᵀ (P × rows, leading dimension P) handed to `consume(b, J̃ᵀ, rows)`. g and the sum are
  /// over every rank (one all-reduce of P + 1 doubles); what `consume` sees is this rank's.
  private func sweep(
    _ parameters: [Double], point: EvaluationPoint?, gradient: inout [Double],
    consume: (Int, UnsafeMutablePointer<Double>, Int) -> Void
  ) -> Double {
    let p = parameterCount
    let n = architecture.outputSize
    let inverseM = 1 / Double(data.totalSampleCount)
    var weightedSum = 0.0
    var blockGradient = [Double](repeating: 0, count: p)
    var weights = [Double](repeating: 0, count: n)
    var average = [Double](repeating: 0, count: p)
    gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    parameters.withUnsafeBufferPointer { thetaBuffer in
      let theta = thetaBuffer.baseAddress!
      blockGradient.withUnsafeMutableBufferPointer { bg in
        for (b, block) in data.blocks.enumerated() {
          let share = Double(block.sampleCount) * inverseM
          if let point {
            data.solveStates(b, at: point, theta: thetaBuffer)
          } else {
            data.solveStates(b, theta: thetaBuffer)
          }
          block.solveMultipliers(theta: theta, workspace: data.workspace)
          block.parameterGradient(theta: theta, workspace: data.workspace, into: bg.baseAddress!)
          weightedSum += block.objective(theta: theta, workspace: data.workspace) * Double(block.sampleCount)
          for i in 0..<p { gradient[i] += share * bg[i] }
          // J̃ᵀ = (∂zᴺ/∂θ)ᵀ Aᵀ, column by column of samples.
          block.preActivationJacobianTransposed(
            theta: theta, workspace: data.workspace, into: data.transposedJacobian, leadingDimension: p)
          let s = data.workspace.x[architecture.layerCount]
          let jt = data.transposedJacobian
          block.targets.elements.withUnsafeBufferPointer { y in
            for i in 0..<block.sampleCount {
              let columns = jt + i * n * p
              switch loss {
              case .binaryCrossEntropy:
                for j in 0..<n {
                  let root = (s[j + i * n] * (1 - s[j + i * n])).squareRoot()
                  for c in 0..<p { columns[c + j * p] *= root }
                }
              case .softmaxCrossEntropy:
                var total = 0.0
                for j in 0..<n {
                  weights[j] = s[j + i * n]
                  total += y[j + i * n]
                }
                // J̄ = Σⱼ sⱼ Jⱼ, then J̃ⱼ = √(Σy·sⱼ)(Jⱼ − J̄).
                weights.withUnsafeBufferPointer { w in
                  average.withUnsafeMutableBufferPointer { a in
                    BLAS.gemv(
                      .none, m: p, n: n, alpha: 1, a: columns, lda: p, x: w.baseAddress!, beta: 0, y: a.baseAddress!)
                  }
                }
                for j in 0..<n {
                  let root = (total * s[j + i * n]).squareRoot()
                  for c in 0..<p { columns[c + j * p] = root * (columns[c + j * p] - average[c]) }
                }
              case .meanSquaredError:
                preconditionFailure("mse is least squares")
              }
            }
          }
          consume(b, jt, block.sampleCount * n)
        }
      }
    }
    data.sumOverRanks(gradient: &gradient, sum: &weightedSum)
    return weightedSum
  }
}

extension NetworkGaussNewtonProblem: CurvatureFactorization {
  /// m·n_N, the rows of F.
  public var curvatureFactorRows: Int { data.sampleCount * architecture.outputSize }

  /// F = J̃/√m (row i·n_N + j: sample i, output j), R = λ₂ on the weights, g and f, at `point`.
  public func curvatureFactor(
    at point: EvaluationPoint, factor: inout Matrix, ridge: inout [Double]?, gradient: inout [Double]
  ) -> Double {
    let p = parameterCount
    let rows = curvatureFactorRows
    precondition(factor.rows == rows && factor.columns == p && gradient.count == p, "F must be m·n_N × P")
    let scale = 1 / Double(data.totalSampleCount).squareRoot()
    let n = architecture.outputSize
    var f =
      factor.elements.withUnsafeMutableBufferPointer { fBuffer in
        sweep(point.parameters, point: point, gradient: &gradient) { b, jt, blockRows in
          let first = data.start(of: b) * n
          for r in 0..<blockRows {
            for c in 0..<p { fBuffer[first + r + c * rows] = jt[c + r * p] * scale }
          }
        }
      } / Double(data.totalSampleCount)
    ridge = l2 > 0 ? data.ridgeDiagonal(l2) : nil
    if l2 > 0 { data.addRidge(l2, parameters: point.parameters, gradient: &gradient, objective: &f) }
    return f
  }
}
