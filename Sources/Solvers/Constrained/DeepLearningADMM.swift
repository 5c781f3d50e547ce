import Foundation
import KKTNet

/// dlADMM (Wang, Yu, Chen & Zhao, "ADMM for Efficient Deep Learning with Global Convergence", KDD 2019),
/// transcribed from the authors' code (github.com/xianggebenben/dlADMM, `MLP/pytorch_version/dlADMM/common.py`
/// and `main.py`) and generalized from three layers to N. With pre-activations zᵏ and activations aᵏ free, it
/// minimizes
///
///     R(zᴺ; y) + ⟨u, zᴺ − Wᴺaᴺ⁻¹ − bᴺ⟩ + (ρ/2)‖zᴺ − Wᴺaᴺ⁻¹ − bᴺ‖² + (ρ/2)Σₖ<N(‖zᵏ − Wᵏaᵏ⁻¹ − bᵏ‖² + ‖aᵏ − f(zᵏ)‖²)
///
/// (R the summed softmax cross-entropy, f = ReLU) by one backward and one forward sweep per iteration of
/// prox-linear W and a steps with backtracking (×2), exact b steps, the closed-form ReLU z step and a FISTA
/// zᴺ step (η = 4, tolerance 10⁻³, at most 500 steps), then u ← u + ρ(zᴺ − Wᴺaᴺ⁻¹ − bᴺ). Their defaults:
/// ρ₀ = 10⁻⁶, τ = θ = 1; ρ ← min(10ρ, 0.1) after the training cost rose three times in a row (and τ, θ ×10
/// for layers of ≥ 100 neurons). Their guards are kept: softmax clamps e^z at e^88.6 and adds 10⁻¹⁰ to the
/// sum, a zero probability counts as 10⁻¹⁰. It needs ReLU hidden layers and the ce loss (its closed forms).
///
/// As c → 0, u/m tends to the adjoint's μᴺ = −(1/m)∂ℓ/∂zᴺ (``Lagrangian/solveMultipliers(parameters:workspace:)``):
/// each summary reports ‖u/m − μᴺ‖/‖μᴺ‖ as the multiplier gap.
public struct DeepLearningADMM: IterativeMethod {
  /// The settings of a run.
  public struct Options: Sendable, Codable, Equatable {
    /// ρ₀ (their default 10⁻⁶).
    public var rho = 1e-6
    /// The budget and the tolerances.
    public var stopping: StoppingCriteria

    /// Their defaults with `stopping`.
    public init(stopping: StoppingCriteria = StoppingCriteria()) { self.stopping = stopping }
  }

  /// θ, the free zᵏ and aᵏ, u, ρ, τ, θ_W and the training costs so far (their ρ rule reads the last four).
  public struct State: Codable, Sendable, Equatable {
    /// θ.
    public var parameters: [Double]
    /// J(θ) of the feasible network.
    public var loss: Double
    /// zᵏ, k = 1…N (nₖ × m column-major).
    public var preActivations: [[Double]]
    /// aᵏ, k = 1…N − 1.
    public var activations: [[Double]]
    /// u, n_N × m.
    public var multiplier: [Double]
    /// ρ.
    public var rho: Double
    /// τ, the a steps' first curvature.
    public var tau: Double
    /// θ_W, the W steps' first curvature.
    public var curvature: Double
    /// Their training cost (1/m)R(zᴺ(θ); y) after each iteration.
    public var costs: [Double]
  }

  /// Nothing is kept beside the state.
  public struct Workspace {}

  let lagrangian: Lagrangian
  /// The settings.
  public let options: Options

  /// dlADMM on `network` (ReLU hidden layers, softmax cross-entropy output) over the samples.
  public init(network: Network, inputs: Matrix, targets: Matrix, options: Options) {
    lagrangian = Lagrangian(network: network, inputs: inputs, targets: targets)
    self.options = options
  }

  /// ρ of dlADMM.
  public var stepControlName: String { "ρ_ADMM" }

  public func parameters(of state: State) -> [Double] { state.parameters }

  public func loss(of state: State) -> Double { state.loss }

  public func workspace(resuming state: State) -> Workspace { Workspace() }

  public func closingSummary(
    of state: State, workspace: inout Workspace, iteration: Int, evaluations: inout EvaluationCounts
  ) -> IterationOutcome? { nil }

  public func termination(
    of state: State, workspace: Workspace, stopping: StoppingCriteria, last: IterationSummary
  ) -> Termination? { nil }

  var architecture: Architecture { lagrangian.architecture }
  var layerCount: Int { architecture.layerCount }
  var m: Int { lagrangian.sampleCount }

  /// (W, b) of layer k (from 1) as matrices.
  func layer(_ theta: [Double], _ k: Int) -> (Matrix, Matrix) {
    let n = architecture.layerSizes[k]
    let p = architecture.layerSizes[k - 1]
    let w = architecture.weightOffset(layer: k)
    let rowMajor = Matrix(rows: p, columns: n, elements: Array(theta[w..<(w + n * p)]))
    let bo = architecture.biasOffset(layer: k)
    return (rowMajor.transposed, Matrix(rows: n, columns: 1, elements: Array(theta[bo..<(bo + n)])))
  }

  func store(_ w: Matrix, _ b: Matrix, layer k: Int, into theta: inout [Double]) {
    let wo = architecture.weightOffset(layer: k)
    let rowMajor = w.rowMajorElements
    for i in rowMajor.indices { theta[wo + i] = rowMajor[i] }
    let bo = architecture.biasOffset(layer: k)
    for i in b.elements.indices { theta[bo + i] = b.elements[i] }
  }

  public func start(at parameters: [Double], evaluations: inout EvaluationCounts) -> MethodStart<State, Workspace> {
    var z: [[Double]] = []
    var a: [[Double]] = []
    var previous = lagrangian.inputs
    for k in 1..<layerCount {
      let (w, b) = layer(parameters, k)
      let zk = Kernels.affine(w, previous, b)
      z.append(zk.elements)
      let ak = Kernels.relu(zk)
      a.append(ak.elements)
      previous = ak
    }
    let y = lagrangian.targets
    z.append(y.elements.map { $0 == 0 ? -1 : 1 })
    var state = State(
      parameters: parameters, loss: 0, preActivations: z, activations: a,
      multiplier: [Double](repeating: 0, count: y.elements.count), rho: options.rho, tau: 1, curvature: 1, costs: [])
    let summary = report(&state, iteration: 0, lossChange: 0, stepNorm: 0)
    evaluations.function += 1
    return MethodStart(
      state: state, workspace: Workspace(), summary: summary, isFinite: state.loss.isFinite)
  }

  /// J(θ), the residuals and the multiplier gap into the state and a summary.
  func report(_ state: inout State, iteration: Int, lossChange: Double, stepNorm: Double) -> IterationSummary {
    let workspace = lagrangian.makeWorkspace()
    let objective = lagrangian.objective(parameters: state.parameters, workspace: workspace)
    lagrangian.solveMultipliers(parameters: state.parameters, workspace: workspace)
    var gradient = [Double](repeating: 0, count: state.parameters.count)
    lagrangian.parameterGradient(parameters: state.parameters, workspace: workspace, into: &gradient)
    let n = architecture.outputSize
    let mu = Array(UnsafeBufferPointer(start: workspace.mu[layerCount], count: n * m))
    let gap = multiplierGap(estimate: [state.multiplier], scale: 1 / Double(m), adjoint: [mu])
    var layerResiduals: [Double] = []
    var previous = lagrangian.inputs
    var largest = 0.0
    for k in 1...layerCount {
      let (w, b) = layer(state.parameters, k)
      let fitted = Kernels.affine(w, previous, b)
      let z = state.preActivations[k - 1]
      var r = zip(z, fitted.elements).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
      if k < layerCount {
        let a = state.activations[k - 1]
        r = max(r, zip(a, z).reduce(0.0) { max($0, abs($1.0 - max($1.1, 0))) })
        layerResiduals.append(r)
        previous = Matrix(rows: architecture.layerSizes[k], columns: m, elements: a)
      }
      largest = max(largest, r)
    }
    state.loss = objective
    var summary = IterationSummary(
      iteration: iteration, loss: objective, lossChange: lossChange, gradientMaxNorm: maxNorm(gradient),
      stepNorm: stepNorm, gainRatio: .nan, damping: state.rho, accepted: true, time: 0)
    summary.constraintResidual = largest
    summary.layerResiduals = layerResiduals
    summary.multiplierGap = gap
    return summary
  }

  public func iterate(
    _ state: inout State, workspace: inout Workspace, iteration: Int, budget: Int, stopping: StoppingCriteria,
    evaluations: inout EvaluationCounts
  ) -> IterationOutcome {
    let before = state.parameters
    let beforeLoss = state.loss
    let last = layerCount
    let sizes = architecture.layerSizes
    var w: [Matrix] = []
    var b: [Matrix] = []
    for k in 1...last {
      let (wk, bk) = layer(state.parameters, k)
      w.append(wk)
      b.append(bk)
    }
    var z = (1...last).map { Matrix(rows: sizes[$0], columns: m, elements: state.preActivations[$0 - 1]) }
    var a = (1..<last).map { Matrix(rows: sizes[$0], columns: m, elements: state.activations[$0 - 1]) }
    var u = Matrix(rows: sizes[last], columns: m, elements: state.multiplier)
    let zero = Matrix(rows: 0, columns: 0)
    let (rho, tau, theta) = (state.rho, state.tau, state.curvature)
    let x = lagrangian.inputs
    let y = lagrangian.targets
    let input = { (k: Int, a: [Matrix]) -> Matrix in k == 0 ? x : a[k - 1] }
    let L = last - 1
    // The backward sweep.
    z[L] = Kernels.updateOutput(a[L - 1], w[L], b[L], y, z[L], u, rho)
    b[L] = Kernels.updateBias(a[L - 1], w[L], z[L], b[L], u, rho)
    w[L] = Kernels.updateWeights(a[L - 1], b[L], z[L], w[L], u, rho, theta)
    a[L - 1] = Kernels.updateActivation(w[L], b[L], z[L], z[L - 1], a[L - 1], u, rho, tau)
    for k in stride(from: L - 1, through: 1, by: -1) {
      z[k] = Kernels.updatePreActivation(input(k, a), w[k], b[k], a[k], rho)
      b[k] = Kernels.updateBias(input(k, a), w[k], z[k], b[k], zero, rho)
      w[k] = Kernels.updateWeights(input(k, a), b[k], z[k], w[k], zero, rho, theta)
      a[k - 1] = Kernels.updateActivation(w[k], b[k], z[k], z[k - 1], a[k - 1], zero, rho, tau)
    }
    z[0] = Kernels.updatePreActivation(x, w[0], b[0], a[0], rho)
    b[0] = Kernels.updateBias(x, w[0], z[0], b[0], zero, rho)
    w[0] = Kernels.updateWeights(x, b[0], z[0], w[0], zero, rho, theta)
    // The forward sweep.
    for k in 0..<L {
      w[k] = Kernels.updateWeights(input(k, a), b[k], z[k], w[k], zero, rho, theta)
      b[k] = Kernels.updateBias(input(k, a), w[k], z[k], b[k], zero, rho)
      z[k] = Kernels.updatePreActivation(input(k, a), w[k], b[k], a[k], rho)
      a[k] = Kernels.updateActivation(w[k + 1], b[k + 1], z[k + 1], z[k], a[k], k + 1 == L ? u : zero, rho, tau)
    }
    w[L] = Kernels.updateWeights(a[L - 1], b[L], z[L], w[L], u, rho, theta)
    b[L] = Kernels.updateBias(a[L - 1], w[L], z[L], b[L], u, rho)
    z[L] = Kernels.updateOutput(a[L - 1], w[L], b[L], y, z[L], u, rho)
    let fitted = Kernels.affine(w[L], a[L - 1], b[L])
    for i in u.elements.indices { u.elements[i] += rho * (z[L].elements[i] - fitted.elements[i]) }

    var parameters = state.parameters
    for k in 0...L { store(w[k], b[k], layer: k + 1, into: &parameters) }
    state.parameters = parameters
    state.preActivations = z.map(\.elements)
    state.activations = a.map(\.elements)
    state.multiplier = u.elements
    // Their ρ rule, on their training cost at θ.
    var hidden = x
    for k in 0..<L { hidden = Kernels.relu(Kernels.affine(w[k], hidden, b[k])) }
    let cost = Kernels.crossEntropyWithSoftmax(y, Kernels.affine(w[L], hidden, b[L])) / Double(m)
    state.costs.append(cost)
    let c = state.costs
    let i = c.count - 1
    if i > 2 && c[i] > c[i - 1] && c[i - 1] > c[i - 2] && c[i - 2] > c[i - 3] {
      state.rho = min(10 * state.rho, 0.1)
      if sizes[1..<last].max()! >= 100 {
        state.tau *= 10
        state.curvature *= 10
      }
    }
    if state.costs.count > 4 { state.costs.removeFirst(state.costs.count - 4) }
    evaluations.function += 1
    evaluations.jacobian += 1
    let step = zip(parameters, before).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    var summary = report(&state, iteration: iteration, lossChange: 0, stepNorm: step)
    summary.lossChange = beforeLoss - state.loss
    return IterationOutcome(summary: summary, moved: true, termination: state.loss.isFinite ? nil : .nonFiniteLoss)
  }

  /// Minimizes from `start`, or continues `resume`, through ``Minimizer``.
  public func minimize(
    from start: [Double], resume: RunState<State>? = nil, validation: Validation? = nil,
    checkpointing: Checkpointing<State>? = nil, interruption: Interruption? = nil,
    observer: ((IterationSummary) -> Void)? = nil
  ) -> SolverResult {
    Minimizer(method: self, stopping: options.stopping).minimize(
      from: start, resume: resume, validation: validation, checkpointing: checkpointing, interruption: interruption,
      observer: observer)
  }
}
