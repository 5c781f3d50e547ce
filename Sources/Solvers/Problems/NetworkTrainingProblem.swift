import KKTNet

/// A network and its training data, for the first-order solvers: the objective J over all samples and
/// the gradient over any mini-batch, both from the Lagrangian's passes, with the batch buffers and
/// workspaces allocated once.
///
/// A mini-batch's gradient is ∇J_B(θ) = (1/|B|) Σ_{i∈B} ∇ℓᵢ + ∇R(θ), the Lagrangian gradient over the
/// batch's columns gathered into a reused buffer.
///
/// **Data-parallel.** With a communicator of K > 1 ranks, `inputs` and `targets` are this rank's samples,
/// which are samples `sampleOffset ..< sampleOffset + m_r` of the whole training set (m = Σ_r m_r; a rank
/// may hold none). Sample indices — of a batch, of the shuffled order — are global. Each rank sums ∇ℓᵢ and
/// ℓᵢ over the batch members it holds, one all-reduce of P + 1 doubles adds the ranks' sums, and every
/// rank adds ∇R and R to the same reduced numbers: the same batches as the single process, summed in
/// another order.
public final class NetworkTrainingProblem {
  /// The network: architecture, loss and penalty (its θ is the solver's start, not used here).
  public let network: Network
  /// x⁰, n₀ × m.
  public let inputs: Matrix
  /// y, n_N × m.
  public let targets: Matrix
  /// The ranks that hold the samples.
  public let communicator: any Communicator
  /// The global index of this rank's first sample.
  public let sampleOffset: Int
  /// m, over every rank.
  public let sampleCount: Int
  /// The Lagrangian of the single process's objective, or of one rank's data term (no penalty) when
  /// distributed; nil for a rank without samples.
  private let full: Lagrangian?
  private let fullWorkspace: Lagrangian.Workspace?
  private var batchInputs: Matrix
  private var batchTargets: Matrix
  private var batchWorkspace: Lagrangian.Workspace?
  private var batchCapacity = 0

  /// The objective J of `network` over the samples (columns) of `inputs` and `targets`. Collective (one
  /// all-reduce of m_r) when `communicator` has several ranks.
  public init(
    network: Network, inputs: Matrix, targets: Matrix,
    communicator: any Communicator = SingleProcessCommunicator.shared, sampleOffset: Int = 0
  ) {
    self.network = network
    self.inputs = inputs
    self.targets = targets
    self.communicator = communicator
    self.sampleOffset = sampleOffset
    let distributed = communicator.size > 1
    sampleCount = distributed ? Int(communicator.allreduceSum(Double(inputs.columns))) : inputs.columns
    var dataTerm = network
    if distributed { dataTerm.regularization = .none }
    full = inputs.columns > 0 ? Lagrangian(network: dataTerm, inputs: inputs, targets: targets) : nil
    fullWorkspace = full?.makeWorkspace()
    batchInputs = Matrix(rows: 0, columns: 0)
    batchTargets = Matrix(rows: 0, columns: 0)
  }

  /// P.
  public var parameterCount: Int { network.architecture.parameterCount }

  private var isDistributed: Bool { communicator.size > 1 }

  /// J(θ) over all samples (of every rank: collective when distributed).
  public func objective(at parameters: [Double]) -> Double {
    guard isDistributed else { return full!.objective(parameters: parameters, workspace: fullWorkspace!) }
    let local = full.map { $0.objective(parameters: parameters, workspace: fullWorkspace!) * Double(inputs.columns) }
    return communicator.allreduceSum(local ?? 0) / Double(sampleCount) + penalty(parameters)
  }

  /// J(θ) and ∇J(θ) over all samples; `gradient` is overwritten (collective when distributed).
  @discardableResult
  public func gradient(at parameters: [Double], into gradient: inout [Double]) -> Double {
    guard isDistributed else { return full!.gradient(at: parameters, workspace: fullWorkspace!, into: &gradient) }
    var f = 0.0
    if let full {
      f = full.gradient(at: parameters, workspace: fullWorkspace!, into: &gradient)
    } else {
      gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
    return sumOverRanks(parameters, &gradient, objective: f, share: Double(inputs.columns) / Double(sampleCount))
  }

  /// J_B(θ) and ∇J_B(θ) over the samples `batch` (global indices), gathered column by column (collective
  /// when distributed: each rank takes the members it holds).
  @discardableResult
  public func gradient(at parameters: [Double], batch: ArraySlice<Int>, into gradient: inout [Double]) -> Double {
    precondition(batch.count >= 1, "a mini-batch needs at least one sample")
    guard isDistributed else { return batchGradient(parameters, batch, &gradient) }
    let local = sampleOffset..<(sampleOffset + inputs.columns)
    let members = batch.filter { local.contains($0) }.map { $0 - sampleOffset }
    var f = 0.0
    if members.isEmpty {
      gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    } else {
      f = batchGradient(parameters, members[...], &gradient)
    }
    return sumOverRanks(parameters, &gradient, objective: f, share: Double(members.count) / Double(batch.count))
  }

  /// (1/|B|)Σ∇ℓᵢ + ∇R over the local samples `batch` (the penalty only in the single process).
  private func batchGradient(_ parameters: [Double], _ batch: ArraySlice<Int>, _ gradient: inout [Double]) -> Double {
    let b = batch.count
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
    let lagrangian = Lagrangian(
      architecture: network.architecture, loss: network.loss,
      regularization: isDistributed ? .none : network.regularization, inputs: batchInputs, targets: batchTargets)
    return lagrangian.gradient(at: parameters, workspace: batchWorkspace!, into: &gradient)
  }

  /// Collective: the rank's mean data gradient and loss weighted by its `share` of the samples, summed over
  /// the ranks in one all-reduce of P + 1 doubles, then ∇R and R added.
  private func sumOverRanks(_ parameters: [Double], _ gradient: inout [Double], objective f: Double, share: Double)
    -> Double
  {
    var sums = gradient.map { $0 * share } + [f * share]
    communicator.allreduceSum(&sums)
    let total = sums.removeLast()
    gradient = sums
    parameters.withUnsafeBufferPointer { theta in
      gradient.withUnsafeMutableBufferPointer { g in
        network.regularization.addGradient(
          parameters: theta.baseAddress!, architecture: network.architecture, into: g.baseAddress!)
      }
    }
    return total + penalty(parameters)
  }

  /// R(θ).
  private func penalty(_ parameters: [Double]) -> Double {
    parameters.withUnsafeBufferPointer {
      network.regularization.value(parameters: $0.baseAddress!, architecture: network.architecture)
    }
  }
}
