import KKTNet

/// A dataset cut into blocks of samples, each with its own Lagrangian, sharing one workspace and one
/// buffer for a block of Jacobian rows — so that JᵀJ and Jᵀr can be accumulated block by block and the
/// whole Jacobian is never held.
///
/// In a data-parallel run the blocks are one rank's samples: ``sampleCount`` counts them, ``totalSampleCount``
/// counts every rank's (m, the one the objective divides by), and ``communicator`` sums over the ranks.
final class NetworkBlocks {
  let architecture: Architecture
  /// m_r, this rank's samples.
  let sampleCount: Int
  /// m = Σ_r m_r, every rank's samples (m_r with one rank).
  let totalSampleCount: Int
  /// The ranks holding the other samples.
  let communicator: any Communicator
  let blocks: [Lagrangian]
  let workspace: Lagrangian.Workspace
  let blockSize: Int
  /// Jᵀ of one block: P × (blockSize · n_N).
  private(set) var transposedJacobian: UnsafeMutablePointer<Double>
  let transposedJacobianColumns: Int
  /// The indices of the weights (not biases) in θ, in file order.
  let weightIndices: [Int]

  /// Collective (one all-reduce of m_r) when `communicator` has several ranks.
  init(
    architecture: Architecture, loss: Loss, inputs: Matrix, targets: Matrix, blockSize: Int,
    communicator: any Communicator
  ) {
    precondition(blockSize >= 1, "the block size must be positive")
    precondition(inputs.columns == targets.columns && inputs.columns >= 1, "inputs and targets need the same samples")
    self.architecture = architecture
    sampleCount = inputs.columns
    self.communicator = communicator
    totalSampleCount = communicator.size > 1 ? Int(communicator.allreduceSum(Double(inputs.columns))) : inputs.columns
    let size = min(blockSize, inputs.columns)
    self.blockSize = size
    var blocks: [Lagrangian] = []
    var start = 0
    while start < inputs.columns {
      let end = min(start + size, inputs.columns)
      func columns(_ m: Matrix) -> Matrix {
        Matrix(rows: m.rows, columns: end - start, elements: Array(m.elements[(start * m.rows)..<(end * m.rows)]))
      }
      blocks.append(
        Lagrangian(
          architecture: architecture, loss: loss, regularization: .none, inputs: columns(inputs),
          targets: columns(targets)))
      start = end
    }
    self.blocks = blocks
    workspace = Lagrangian.Workspace(architecture: architecture, sampleCapacity: size)
    transposedJacobianColumns = size * architecture.outputSize
    transposedJacobian = .allocate(capacity: architecture.parameterCount * transposedJacobianColumns)
    weightIndices = (1...architecture.layerCount).flatMap {
      architecture.weightOffset(layer: $0)..<architecture.biasOffset(layer: $0)
    }
  }

  deinit { transposedJacobian.deallocate() }

  /// How many forward passes have run in the workspace, and the one whose states it holds (only with a
  /// single block: with several, each block's pass overwrites the last).
  private var passes: UInt64 = 0
  private var heldPass: UInt64?

  /// Solves block b's states at θ into the workspace; returns the pass's number.
  @discardableResult
  func solveStates(_ b: Int, theta: UnsafeBufferPointer<Double>) -> UInt64 {
    blocks[b].solveStates(theta: theta.baseAddress!, workspace: workspace)
    passes += 1
    heldPass = blocks.count == 1 ? passes : nil
    return passes
  }

  /// Block b's states at `point`: kept from the evaluation that made the point when the workspace still
  /// holds them, solved again otherwise.
  func solveStates(_ b: Int, at point: EvaluationPoint, theta: UnsafeBufferPointer<Double>) {
    if let pass = point.pass, pass == heldPass { return }
    solveStates(b, theta: theta)
  }

  /// Forgets the states the workspace holds (before something else overwrites it).
  func invalidateStates() { heldPass = nil }

  /// The first sample of block b.
  func start(of b: Int) -> Int { b * blockSize }

  /// Σ over weights of w², for the L2 penalty.
  func weightSquares(_ theta: UnsafePointer<Double>) -> Double {
    var sum = 0.0
    for k in 1...architecture.layerCount {
      let w = theta + architecture.weightOffset(layer: k)
      for i in 0..<architecture.weightCount(layer: k) { sum += w[i] * w[i] }
    }
    return sum
  }

  /// λ₂ on the weights and 0 on the biases: the L2 penalty's curvature R.
  func ridgeDiagonal(_ l2: Double) -> [Double] {
    var ridge = [Double](repeating: 0, count: architecture.parameterCount)
    for index in weightIndices { ridge[index] = l2 }
    return ridge
  }

  /// Adds the L2 penalty's share to the gradient and the objective: λ₂θᵢ to gᵢ for every weight index i
  /// and (λ₂/2)‖W‖² to f.
  func addRidge(_ l2: Double, parameters: [Double], gradient: inout [Double], objective f: inout Double) {
    for index in weightIndices { gradient[index] += l2 * parameters[index] }
    f += 0.5 * l2 * parameters.withUnsafeBufferPointer { weightSquares($0.baseAddress!) }
  }

  /// Adds the L2 penalty's share to the normal equations and the objective: λ₂ to Gᵢᵢ and λ₂θᵢ to gᵢ for
  /// every weight index i, and (λ₂/2)‖W‖² to f, summed as ``weightSquares(_:)`` sums it so that f is the
  /// objective's value to the bit.
  func addRidge(
    _ l2: Double, parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double], objective f: inout Double
  ) {
    let p = parameters.count
    for index in weightIndices {
      normalMatrix.elements[index + index * p] += l2
      gradient[index] += l2 * parameters[index]
    }
    f += 0.5 * l2 * parameters.withUnsafeBufferPointer { weightSquares($0.baseAddress!) }
  }

  /// Collective: G ← Σ_r G_r, one all-reduce of P² doubles; nothing with one rank.
  func sumOverRanks(normalMatrix: inout Matrix) {
    guard communicator.size > 1 else { return }
    communicator.allreduceSum(&normalMatrix)
  }

  /// Collective: g ← Σ_r g_r and s ← Σ_r s_r in one all-reduce of P + 1 doubles; nothing with one rank.
  func sumOverRanks(gradient: inout [Double], sum: inout Double) {
    guard communicator.size > 1 else { return }
    gradient.append(sum)
    communicator.allreduceSum(&gradient)
    sum = gradient.removeLast()
  }

  /// Collective: Σ_r s_r; s with one rank.
  func sumOverRanks(_ sum: Double) -> Double {
    communicator.size > 1 ? communicator.allreduceSum(sum) : sum
  }

  /// The point of an evaluation that ran the last forward pass.
  func point(_ parameters: [Double], objective: Double) -> EvaluationPoint {
    EvaluationPoint(parameters: parameters, objective: objective, pass: heldPass)
  }
}
