import KKTNet

/// Why a training plan cannot run with the network, data or saved state it was given: a sentence that
/// says what to change, in the library's terms.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The Gauss–Newton family handles λ₂ but not the L1 penalty.
  case l1NeedsFirstOrder(SolverKind)
  /// QR on the stacked system needs residuals, which the cross-entropies do not have.
  case qrNeedsResiduals(Loss)
  /// Geodesic acceleration needs Levenberg–Marquardt and the residuals of the mse loss.
  case geodesicNeedsLeastSquares
  /// A robust loss needs the residuals of the mse loss.
  case robustNeedsLeastSquares(Loss)
  /// A robust loss is applied through the Triggs correction of the Gauss–Newton family.
  case robustNeedsSecondOrder(SolverKind)
  /// Bayesian regularization needs an mse network without a penalty of its own.
  case bayesianNeedsLeastSquares(String)
  /// A setting of a damping schedule given with the trust region.
  case trustRegionSetting(String)
  /// The data does not fit the network.
  case shapeMismatch(String)
  /// A saved state that this plan cannot continue.
  case stateMismatch(String)
  /// A setting that needs every sample's rows on one rank (J and r), given to a data-parallel run.
  case needsWholeJacobian(String)
  /// A setting of the plan out of its range (a learning rate that is not positive, a batch of no samples,
  /// a negative budget): the sentence names the ``TrainingPlan`` property.
  case invalidSetting(String)
  /// A network or setting that training through the constraints (augmented Lagrangian, penalty) cannot
  /// take: no hidden layer, a robust loss, a data-parallel run.
  case constrainedSetting(String)

  /// The sentence to show.
  public var description: String {
    switch self {
    case .l1NeedsFirstOrder(let solver):
      return
        "\(solver) handles λ₂ as least-squares rows but not the L1 penalty; use a first-order solver when λ₁ > 0"
    case .qrNeedsResiduals(let loss):
      return "QR needs the residual Jacobian, which \(loss) does not have; use the Cholesky or SVD linear solver"
    case .geodesicNeedsLeastSquares:
      return "geodesic acceleration needs Levenberg–Marquardt and the residuals of the mse loss"
    case .robustNeedsLeastSquares(let loss):
      return "a robust loss acts on the residuals of the mse loss, which \(loss) does not have"
    case .robustNeedsSecondOrder(let solver):
      return
        "a robust loss is applied through the Triggs correction of Gauss–Newton and Levenberg–Marquardt, not by \(solver)"
    case .bayesianNeedsLeastSquares(let sentence):
      return sentence
    case .trustRegionSetting(let setting):
      return "\(setting) goes with a damping schedule, not with the trust region; choose the Nielsen or trainlm damping"
    case .needsWholeJacobian(let setting):
      return
        "\(setting) needs the whole Jacobian on one rank; a data-parallel run sums JᵀJ and Jᵀr over the ranks, so use the Cholesky or SVD linear solver without geodesic acceleration"
    case .shapeMismatch(let sentence), .stateMismatch(let sentence), .invalidSetting(let sentence),
      .constrainedSetting(let sentence):
      return sentence
    }
  }
}
