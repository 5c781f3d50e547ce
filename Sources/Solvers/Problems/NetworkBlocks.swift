import KKTNet

/// A dataset cut into blocks of samples, each with its own Lagrangian, sharing one workspace and one
/// buffer for a block of Jacobian rows — so that JᵀJ and Jᵀr can be accumulated block by block and the
/// whole Jacobian is never held.
final class NetworkBlocks {
  let architecture: Architecture
  let sampleCount: Int
  let blocks: [Lagrangian]
  let workspace: Lagrangian.Workspace
  let blockSize: Int
  /// Jᵀ of one block: P × (blockSize · n_N).
  private(set) var transposedJacobian: UnsafeMutablePointer<Double>
  let transposedJacobianColumns: Int

  init(architecture: Architecture, loss: Loss, inputs: Matrix, targets: Matrix, blockSize: Int) {
    precondition(blockSize >= 1, "the block size must be positive")
    precondition(inputs.columns == targets.columns && inputs.columns >= 1, "inputs and targets need the same samples")
    self.architecture = architecture
    sampleCount = inputs.columns
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
  }

  deinit { transposedJacobian.deallocate() }

  /// The θ whose states of block 0 the workspace holds, when there is a single block: the loss at a trial
  /// point and the linearization at the same point, once accepted, then share one forward pass.
  private var statesFor: [Double]?

  /// Forgets which θ the workspace's states belong to (call before anything else solves states in it).
  func invalidateStates() { statesFor = nil }

  /// Solves block b's states at θ, unless the workspace already holds them.
  func solveStates(_ b: Int, theta: UnsafeBufferPointer<Double>) {
    if blocks.count == 1, let cached = statesFor, cached.elementsEqual(theta, by: { $0.bitPattern == $1.bitPattern }) {
      return
    }
    blocks[b].solveStates(theta: theta.baseAddress!, workspace: workspace)
    statesFor = blocks.count == 1 ? Array(theta) : nil
  }

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

  /// Adds the L2 penalty's share to the normal equations and the objective: λ₂ to Gᵢᵢ, λ₂θᵢ to gᵢ and
  /// (λ₂/2)θᵢ² to f for every weight index i.
  static func addRidge(
    _ l2: Double, weightIndices: [Int], parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double],
    objective f: inout Double
  ) {
    let p = parameters.count
    for index in weightIndices {
      normalMatrix.elements[index + index * p] += l2
      gradient[index] += l2 * parameters[index]
      f += 0.5 * l2 * parameters[index] * parameters[index]
    }
  }

  /// The indices of the weights (not biases) in θ.
  var weightIndices: [Int] {
    (1...architecture.layerCount).flatMap { architecture.weightOffset(layer: $0)..<architecture.biasOffset(layer: $0) }
  }
}
