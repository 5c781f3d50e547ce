/// Why a solver stopped. Each case carries a sentence a user can act on (Ceres's `TerminationType`,
/// optimistix's `RESULTS`).
public enum Termination: Equatable, Sendable, CustomStringConvertible {
  /// ‖∇f‖∞ ≤ the gradient tolerance: a stationary point.
  case gradientTolerance(Double)
  /// The step was tiny relative to θ: ‖δ‖ ≤ tol·(‖θ‖ + tol).
  case stepTolerance(Double)
  /// The accepted step reduced f by less than tol·f.
  case functionTolerance(Double)
  /// f fell to the goal.
  case goalReached(Double)
  /// The iteration budget ran out.
  case maximumIterations(Int)
  /// The damping μ grew past its limit: no step along which the model is trusted reduces f.
  case dampingTooLarge(Double)
  /// The time budget ran out.
  case timeLimit(Double)
  /// The validation loss rose this many times in a row (trainlm's max_fail), or did not improve for
  /// this many evaluations (early stopping's patience).
  case validationStop(Int)
  /// The objective or residuals are not finite at the starting point.
  case nonFiniteStart
  /// The linear system of a step could not be solved (LAPACK's sentence).
  case singularSystem(String)
  /// Gauss–Newton's direction did not reduce f even after halving the step this many times.
  case noDescent(Int)
  /// A first-order solver's update produced a non-finite loss; the last finite parameters are kept.
  case nonFiniteLoss
  /// The run was asked to stop (SIGINT or SIGTERM in the command line); the state is complete and can be
  /// continued.
  case interrupted
  /// Trust region (MINPACK info 1): the actual and the predicted relative reductions of f were both at most
  /// this (ftol).
  case relativeReduction(Double)
  /// Trust region (MINPACK info 2): the radius fell to this (xtol) times ‖Dθ‖.
  case trustRegionRadius(Double)
  /// Trust region (MINPACK info 3): both of the above.
  case relativeReductionAndRadius(reduction: Double, radius: Double)
  /// Trust region (MINPACK info 4): maxⱼ |gⱼ|/(‖Jⱼ‖·‖r‖), the cosine between the residuals and every column
  /// of the Jacobian, fell to this (gtol).
  case residualOrthogonality(Double)
  /// Trust region (MINPACK info 6): the reductions are at the rounding level; f cannot be reduced further in
  /// double precision (the reduction tolerance is below ε).
  case reductionBelowRounding
  /// Trust region (MINPACK info 7): the radius is at the rounding level of θ; θ cannot be improved further.
  case radiusBelowRounding
  /// Trust region (MINPACK info 8): the residuals are orthogonal to the Jacobian's columns to machine
  /// precision.
  case orthogonalityBelowRounding

  /// Whether this is convergence (a tolerance or the goal) rather than a budget or a failure.
  public var isConvergence: Bool {
    switch self {
    case .gradientTolerance, .stepTolerance, .functionTolerance, .goalReached: return true
    case .relativeReduction, .trustRegionRadius, .relativeReductionAndRadius, .residualOrthogonality,
      .reductionBelowRounding, .radiusBelowRounding, .orthogonalityBelowRounding:
      return true
    default: return false
    }
  }

  /// A short machine-readable name: `gradient_tolerance`, `maximum_iterations`, ….
  public var name: String {
    switch self {
    case .gradientTolerance: return "gradient_tolerance"
    case .stepTolerance: return "step_tolerance"
    case .functionTolerance: return "function_tolerance"
    case .goalReached: return "goal_reached"
    case .maximumIterations: return "maximum_iterations"
    case .dampingTooLarge: return "damping_too_large"
    case .timeLimit: return "time_limit"
    case .validationStop: return "validation_stop"
    case .nonFiniteStart: return "non_finite_start"
    case .singularSystem: return "singular_system"
    case .noDescent: return "no_descent"
    case .nonFiniteLoss: return "non_finite_loss"
    case .interrupted: return "interrupted"
    case .relativeReduction: return "relative_reduction"
    case .trustRegionRadius: return "trust_region_radius"
    case .relativeReductionAndRadius: return "relative_reduction_and_radius"
    case .residualOrthogonality: return "residual_orthogonality"
    case .reductionBelowRounding: return "reduction_below_rounding"
    case .radiusBelowRounding: return "radius_below_rounding"
    case .orthogonalityBelowRounding: return "orthogonality_below_rounding"
    }
  }

  /// The sentence to show.
  public var description: String {
    switch self {
    case .gradientTolerance(let tolerance):
      return "converged: the gradient's max-norm fell to \(tolerance) or below"
    case .stepTolerance(let tolerance):
      return "converged: the step became smaller than \(tolerance) relative to the parameters"
    case .functionTolerance(let tolerance):
      return "converged: an accepted step reduced the loss by less than \(tolerance) of its value"
    case .goalReached(let goal):
      return "the loss reached the goal \(goal)"
    case .maximumIterations(let count):
      return "maximum iterations (\(count)) reached"
    case .dampingTooLarge(let limit):
      return
        "the damping μ passed \(limit): no step the model trusts reduces the loss; the point may be a minimum, or the problem is badly scaled"
    case .timeLimit(let seconds):
      return "the time limit of \(seconds) s was reached"
    case .validationStop(let count):
      return
        "stopped early: the validation loss did not improve for \(count) evaluations in a row; the best parameters are kept"
    case .nonFiniteStart:
      return "the loss is not finite at the starting point; check the data and the initial parameters"
    case .singularSystem(let reason):
      return
        "the step's linear system could not be solved (\(reason)); the SVD solver or Levenberg–Marquardt may get past it"
    case .noDescent(let halvings):
      return
        "the Gauss–Newton direction did not reduce the loss even after \(halvings) halvings; try Levenberg–Marquardt"
    case .nonFiniteLoss:
      return "the loss became non-finite; the last finite parameters are kept; a smaller learning rate may avoid it"
    case .interrupted:
      return "interrupted; the state so far is kept and can be continued"
    case .relativeReduction(let tolerance):
      return "converged: the actual and predicted relative reductions of the loss were both at most \(tolerance)"
    case .trustRegionRadius(let tolerance):
      return "converged: the trust region shrank to \(tolerance) of the scaled parameters' norm"
    case .relativeReductionAndRadius(let reduction, let radius):
      return
        "converged: the relative reductions of the loss were at most \(reduction) and the trust region shrank to \(radius) of the scaled parameters' norm"
    case .residualOrthogonality(let tolerance):
      return
        "converged: the residuals are orthogonal to every column of the Jacobian to within a cosine of \(tolerance)"
    case .reductionBelowRounding:
      return
        "converged: the loss cannot be reduced further in double precision (the reduction tolerance is below rounding)"
    case .radiusBelowRounding:
      return
        "converged: the trust region shrank to the rounding level of the parameters (the step tolerance is below rounding)"
    case .orthogonalityBelowRounding:
      return "converged: the residuals are orthogonal to the Jacobian's columns to machine precision"
    }
  }
}
