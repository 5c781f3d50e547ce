import KKTNet

/// A network and its training data, for the first-order solvers: the objective J over all samples and
/// the gradient over any mini-batch, both from the Lagrangian's passes, with the batch buffers and
/// workspaces allocated once.
///
/// A mini-batch's gradient is ∇J_B(θ) = (1/|B|) Σ_{i∈B} ∇ℓᵢ + ∇R(θ), the Lagrangian gradient over the
/// batch's columns gathered into a reused buffer.
public final class NetworkTrainingProblem {
  /// The network: architecture, loss and penalty (its θ is the solver's start, not used here).
  public let network: Network
  /// x⁰, n₀ × m.
  public let inputs: Matrix
  /// y, n_N × m.
  public let targets: Matrix
  private let full: Lagrangian
  private let fullWorkspace: Lagrangian.Workspace
  private var batchInputs: Matrix
  private var batchTargets: Matrix
  private var batchWorkspace: Lagrangian.Workspace?
  private var batchCapacity = 0

  /// The objective J of `network` over the samples (columns) of `inputs` and `targets`.
  public init(network: Network, inputs: Matrix, targets: Matrix) {
    self.network = network
    self.inputs = inputs
    self.targets = targets
    full = Lagrangian(network: network, inputs: inputs, targets: targets)
    fullWorkspace = full.makeWorkspace()
    batchInputs = Matrix(rows: 0, columns: 0)
    batchTargets = Matrix(rows: 0, columns: 0)
  }

  /// m.
  public var sampleCount: Int { inputs.columns }
  /// P.
  public var parameterCount: Int { network.architecture.parameterCount }

  /// J(θ) over all samples.
  public func objective(at parameters: [Double]) -> Double {
    full.objective(parameters: parameters, workspace: fullWorkspace)
  }

  /// J(θ) and ∇J(θ) over all samples; `gradient` is overwritten.
  @discardableResult
  public func gradient(at parameters: [Double], into gradient: inout [Double]) -> Double {
    full.gradient(at: parameters, workspace: fullWorkspace, into: &gradient)
  }

  /// J_B(θ) and ∇J_B(θ) over the samples `batch` (indices into the data), gathered column by column.
  @discardableResult
  public func gradient(at parameters: [Double], batch: ArraySlice<Int>, into gradient: inout [Double]) -> Double {
    let b = batch.count
    precondition(b >= 1, "a mini-batch needs at least one sample")
    if b > batchCapacity {
      batchCapacity = b
      batchWorkspace = Lagrangian.Workspace(architecture: network.architecture, sampleCapacity: b)
    }
    let (n0, nN) = (inputs.rows, targets.rows)
    if batchInputs.columns != b {
      batchInputs = Matrix(rows: n0, columns: b)
      batchTargets = Matrix(rows: nN, columns: b)
    }
    inputs.elements.withUnsafeBufferPointer { x in
      targets.elements.withUnsafeBufferPointer { y in
        batchInputs.elements.withUnsafeMutableBufferPointer { bx in
          batchTargets.elements.withUnsafeMutableBufferPointer { by in
            for (column, sample) in batch.enumerated() {
              (bx.baseAddress! + column * n0).update(from: x.baseAddress! + sample * n0, count: n0)
              (by.baseAddress! + column * nN).update(from: y.baseAddress! + sample * nN, count: nN)
            }
          }
        }
      }
    }
    let lagrangian = Lagrangian(network: network, inputs: batchInputs, targets: batchTargets)
    return lagrangian.gradient(at: parameters, workspace: batchWorkspace!, into: &gradient)
  }
}
