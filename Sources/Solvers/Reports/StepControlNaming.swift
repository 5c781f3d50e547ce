/// A solver, method or plan whose iteration summaries a ``SolverLogger`` prints: it names the summaries'
/// step-control column (``IterationSummary/damping``), so that a logger made `for:` it needs no label.
public protocol StepControlNaming {
  /// The column's label: μ (a damping schedule), Δ (a trust region's radius), step (a line search's step
  /// length), η (a learning rate).
  var stepControlName: String { get }
}

extension LevenbergMarquardt: StepControlNaming {}

extension TrustRegionLevenbergMarquardt: StepControlNaming {
  /// Δ, the trust region's radius.
  public var stepControlName: String { "Δ" }
}

extension GaussNewton: StepControlNaming {
  /// step, the line search's step length.
  public var stepControlName: String { "step" }
}

extension FirstOrderSolver: StepControlNaming {
  /// η, the learning rate of the update.
  public var stepControlName: String { "η" }
}

extension TrainingPlan: StepControlNaming {
  /// The label of the plan's solver: η for a first-order solver, step for Gauss–Newton, Δ or μ for
  /// Levenberg–Marquardt with the trust region or a damping schedule, ρ_AL or μ_pen for training through
  /// the constraints.
  public var stepControlName: String {
    switch solver {
    case .gaussNewton: return "step"
    case .levenbergMarquardt: return damping.strategy == nil ? "Δ" : "μ"
    case .augmentedLagrangian: return "ρ_AL"
    case .penalty: return "μ_pen"
    case .admm: return "ρ_ADMM"
    default: return "η"
    }
  }
}
