/// The Lagrangian of training posed as a constrained problem, over one batch of data:
///
///     L(x, λ, θ) = J(xᴺ, θ) + Σₖ ⟨λᵏ, xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ)⟩,   k = 1…N,
///
/// with J = (1/m) Σᵢ ℓ(xᴺᵢ, yᵢ) + R(W), the inner product the Frobenius one over the nₖ × m batch, and x⁰
/// the inputs. Its stationarity conditions are the algorithms:
/// - ∂L/∂λ = 0 ⇔ xᵏ = σₖ(Wᵏxᵏ⁻¹ + bᵏ), the forward pass (``solveStates(parameters:workspace:)``);
/// - ∂L/∂x = 0 ⇔ λᴺ = −∂J/∂xᴺ, λᵏ = (Wᵏ⁺¹)ᵀ J_σₖ₊₁(zᵏ⁺¹)ᵀ λᵏ⁺¹, the adjoint pass
///   (``solveMultipliers(parameters:workspace:)``);
/// - ∂L/∂Wᵏ = −(J_σₖ(zᵏ)ᵀλᵏ)(xᵏ⁻¹)ᵀ + λ₂Wᵏ + λ₁ sign(Wᵏ), ∂L/∂bᵏ = −(J_σₖ(zᵏ)ᵀλᵏ)𝟙, the parameter
///   gradient (``parameterGradient(parameters:workspace:into:)``), which equals ∇J(θ) where the first two hold.
///
/// For an elementwise σ, J_σ(z)ᵀλ = σ′(z) ⊙ λ; for softmax it is the full Jacobian-transpose product.
/// ``value(at:)`` and ``partials(at:)`` evaluate L and all its partials at any point, not only at the KKT point.
public struct Lagrangian: Sendable {
  /// Layer sizes and activations.
  public let architecture: Architecture
  /// The per-sample loss ℓ.
  public let loss: Loss
  /// λ₁ and λ₂ of R(W).
  public let regularization: Regularization
  /// x⁰, the n₀ × m inputs (columns are samples).
  public let inputs: Matrix
  /// y, the n_N × m targets.
  public let targets: Matrix

  /// The Lagrangian of `network`'s objective over the batch (`inputs`, `targets`); the network's parameters
  /// are not part of it: every evaluation takes θ.
  public init(network: Network, inputs: Matrix, targets: Matrix) {
    self.init(
      architecture: network.architecture, loss: network.loss, regularization: network.regularization,
      inputs: inputs, targets: targets)
  }

  /// The Lagrangian of the objective given by its parts over the batch (`inputs` n₀ × m, `targets` n_N × m).
  ///
  /// - Precondition: the shapes fit the architecture and m ≥ 1; for data a user loaded, use
  ///   ``init(network:dataset:)``, which throws instead.
  public init(architecture: Architecture, loss: Loss, regularization: Regularization, inputs: Matrix, targets: Matrix) {
    precondition(
      loss.accepts(outputActivation: architecture.outputActivation),
      "\(loss) cannot follow \(architecture.outputActivation)")
    precondition(inputs.columns >= 1, "a batch needs at least one sample")
    precondition(
      inputs.rows == architecture.inputSize,
      "the inputs have \(inputs.rows) rows, the network takes \(architecture.inputSize)")
    precondition(
      targets.rows == architecture.outputSize && targets.columns == inputs.columns,
      "the targets must be \(architecture.outputSize)×\(inputs.columns), not \(targets.rows)×\(targets.columns)")
    self.architecture = architecture
    self.loss = loss
    self.regularization = regularization
    self.inputs = inputs
    self.targets = targets
  }

  /// m, the number of samples in the batch.
  public var sampleCount: Int { inputs.columns }
  /// N.
  public var layerCount: Int { architecture.layerCount }
}

/// A point (x, λ, θ) at which the Lagrangian can be evaluated; it need not satisfy any constraint.
public struct LagrangianPoint: Equatable, Sendable {
  /// `states[k]` is xᵏ (nₖ × m) for 0 ≤ k ≤ N; `states[0]` is the inputs x⁰, which are data, not variables.
  public var states: [Matrix]
  /// `multipliers[k]` is λᵏ (nₖ × m) for 1 ≤ k ≤ N; `multipliers[0]` is an empty 0 × m matrix (the input is
  /// not constrained).
  public var multipliers: [Matrix]
  /// θ in file order.
  public var parameters: [Double]

  /// A point from its parts, each with N + 1 entries (index 0: the inputs, and an empty λ⁰).
  public init(states: [Matrix], multipliers: [Matrix], parameters: [Double]) {
    precondition(states.count == multipliers.count, "states and multipliers must both have N + 1 entries")
    self.states = states
    self.multipliers = multipliers
    self.parameters = parameters
  }
}

/// All partial derivatives of L at a point.
public struct LagrangianPartials: Equatable, Sendable {
  /// `withRespectToMultipliers[k]` = ∂L/∂λᵏ = xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ), the constraint residual, 1 ≤ k ≤ N.
  public var withRespectToMultipliers: [Matrix]
  /// `withRespectToStates[k]` = ∂L/∂xᵏ = λᵏ − (Wᵏ⁺¹)ᵀJ_σₖ₊₁ᵀλᵏ⁺¹ (k < N), ∂J/∂xᴺ + λᴺ (k = N).
  public var withRespectToStates: [Matrix]
  /// ∂L/∂θ in file order.
  public var withRespectToParameters: [Double]
}
