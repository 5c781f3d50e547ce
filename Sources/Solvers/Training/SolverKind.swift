/// The solvers `kktnet train` offers, by their command-line names.
public enum SolverKind: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
  /// Batch gradient descent: every update uses all samples.
  case gradientDescent = "gd"
  /// Stochastic gradient descent: one sample per update.
  case stochastic = "sgd"
  /// Mini-batch SGD (32 samples per update unless --batch-size says otherwise).
  case miniBatch = "minibatch"
  /// Heavy-ball momentum.
  case momentum
  /// Nesterov momentum.
  case nesterov
  /// Adam.
  case adam
  /// Gauss–Newton with a halving line search.
  case gaussNewton = "gauss-newton"
  /// Levenberg–Marquardt.
  case levenbergMarquardt = "levenberg-marquardt"
  /// Levenberg–Marquardt on βE_D + αE_W with α, β from the evidence (MATLAB's trainbr; mse networks).
  case bayesianRegularization = "bayesian-regularization"
  /// The augmented Lagrangian (method of multipliers) on free hidden states: ``ConstrainedTraining``.
  case augmentedLagrangian = "augmented-lagrangian"
  /// The quadratic penalty (MAC) on free hidden states with a growing μ: ``ConstrainedTraining``.
  case penalty
  /// dlADMM (Wang et al. 2019) on free pre-activations and activations: ``DeepLearningADMM``.
  case admm

  public var description: String { rawValue }

  /// Whether this is a first-order (gradient) method rather than a Gauss–Newton-type one.
  public var isFirstOrder: Bool {
    self != .gaussNewton && self != .levenbergMarquardt && self != .bayesianRegularization && !isConstrained
  }

  /// Whether this trains through the constraints, with the hidden states free (augmented Lagrangian, penalty,
  /// dlADMM).
  public var isConstrained: Bool { self == .augmentedLagrangian || self == .penalty || self == .admm }

  /// The learning rate when none is given: 0.1 for full-batch descent, 0.01 for SGD, 0.05 for mini-batches
  /// and momentum, 0.001 for Adam (Kingma & Ba's default); nil for the Gauss–Newton family.
  public var defaultLearningRate: Double? {
    switch self {
    case .gradientDescent: return 0.1
    case .stochastic: return 0.01
    case .miniBatch, .momentum, .nesterov: return 0.05
    case .adam: return 0.001
    case .gaussNewton, .levenbergMarquardt, .bayesianRegularization, .augmentedLagrangian, .penalty, .admm: return nil
    }
  }

  /// Samples per update when none is given: 1 for SGD, 32 for mini-batches, all otherwise (nil).
  public var defaultBatchSize: Int? {
    switch self {
    case .stochastic: return 1
    case .miniBatch: return 32
    default: return nil
    }
  }
}
