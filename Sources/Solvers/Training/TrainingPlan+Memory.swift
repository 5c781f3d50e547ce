import KKTNet

extension TrainingPlan {
  /// Whether the Gauss–Newton family solves its steps from J (or the curvature factor F) alone, through
  /// the M × M dual system (see `DualSystem`), rather than from the P × P normal matrix — the tests of
  /// `GaussNewtonFamily.linearize` and of ``effectiveDamping(network:sampleCount:)``:
  /// - least squares (mse) with fewer residuals than parameters, M = m·n_N (+ one row per weight when
  ///   λ₂ > 0) < P: J and r (the trust region then factors J by QR, which allows M < P);
  /// - otherwise, with m·n_N < P: the factor F (m·n_N × P) of G = FᵀF + λ₂I_W, for Levenberg–Marquardt's
  ///   damping schedules, and for Gauss–Newton when λ₂ = 0.
  ///
  /// Never in a data-parallel run (`distributed`): JJᵀ couples samples held by different ranks, so the
  /// ranks sum the normal equations instead.
  public func usesDualSystem(network: Network, sampleCount m: Int, distributed: Bool = false) -> Bool {
    // A robust loss forms G = J̃ᵀJ̃ from the whole corrected J̃ (RobustLeastSquaresProblem).
    guard !solver.isFirstOrder, !distributed, robustLoss == nil, solver != .bayesianRegularization else {
      return false
    }
    let p = network.architecture.parameterCount
    if network.loss == .meanSquaredError && residualCount(network: network, sampleCount: m) < p { return true }
    let factorRows = MemoryEstimate.saturatingProduct(m, network.architecture.outputSize)
    guard factorRows < p else { return false }
    return solver == .levenbergMarquardt || network.regularization.l2 == 0
  }

  /// The largest P for which the trust region factors a short J (M < P rows) by pivoted QR: MINPACK's
  /// `qrfac` and `qrsolv` keep R and S, P × P each (128 MiB apiece at this bound). Beyond it the trust
  /// region gives way to Nielsen's schedule on the M × M dual system (``effectiveDamping(network:sampleCount:)``).
  /// A fixed count, not the machine's memory, so that the same flags take the same path everywhere.
  public static let largestShortQRTrustRegion = 4096

  /// The damping Levenberg–Marquardt runs with: the plan's, except that the trust region, whose subproblem
  /// needs G or J and r, gives way to Nielsen's schedule when there are fewer samples than parameters,
  /// unless the problem is least squares whose J has fewer rows than columns (M < P) and P is at most
  /// ``largestShortQRTrustRegion`` (the QR subproblem's R and S are P × P). Then the M × M dual system
  /// serves the steps and no P × P matrix is formed.
  public func effectiveDamping(network: Network, sampleCount m: Int) -> DampingKind {
    guard solver == .levenbergMarquardt, damping == .trustRegion, robustLoss == nil else { return damping }
    let p = network.architecture.parameterCount
    let factorRows = MemoryEstimate.saturatingProduct(m, network.architecture.outputSize)
    let shortQR =
      network.loss == .meanSquaredError && residualCount(network: network, sampleCount: m) < p
      && p <= Self.largestShortQRTrustRegion
    return factorRows < p && !shortQR ? .nielsen : .trustRegion
  }

  /// M for least squares: m·n_N residual rows, plus one per weight when λ₂ > 0 (saturating).
  func residualCount(network: Network, sampleCount m: Int) -> Int {
    let architecture = network.architecture
    let weights = (1...architecture.layerCount).reduce(0) { $0 + architecture.weightCount(layer: $1) }
    return MemoryEstimate.saturatingSum([
      MemoryEstimate.saturatingProduct(m, architecture.outputSize), network.regularization.l2 > 0 ? weights : 0,
    ])
  }

  /// The bytes that ``run(network:inputs:targets:validation:resume:checkpointing:interruption:observer:)``
  /// allocates beyond the data it is given, for m training and `validationSampleCount` validation
  /// samples — an estimate from above, counted with saturating arithmetic (a count that overflows is
  /// `Int.max`), to compare with what the process may use before the run starts. It counts:
  ///
  /// - first-order solvers: a Lagrangian workspace for all m samples (the epoch's loss) and one for a
  ///   mini-batch, the batch's inputs and targets, the shuffled order (m indices), and six P-vectors (θ, the
  ///   gradient, the epoch's start, the best validated θ, and the step rule's two: Adam's moments or the
  ///   velocity);
  /// - Gauss–Newton and Levenberg–Marquardt: the data cut into blocks (a copy, (n₀ + n_N)·m), the block's
  ///   workspace and Jᵀ (P × 2048·n_N at most), a few P-vectors, and two linearizations (the current one
  ///   and the new point's, alive together when a step is accepted) with the linear solver's copies:
  ///   - the dual system (``usesDualSystem(network:sampleCount:distributed:)``, never for a rank of a
  ///     data-parallel run, `distributed`): J and r (M·P + M) each, and for the
  ///     step J·D^−½ and the M × M Gram matrix with its factor (and, for QR/SVD, U and Vᵀ);
  ///   - otherwise the P × P normal matrix each, plus J (M × P) when the linear solver (QR, SVD) or
  ///     geodesic acceleration needs it, and for the step the damped matrix and LAPACK's copy of it (the
  ///     stacked (M + P) × P system for QR and SVD);
  /// - validation: a workspace for the validation samples.
  public func memoryEstimate(
    network: Network, sampleCount m: Int, validationSampleCount v: Int = 0, distributed: Bool = false
  ) -> Int {
    let architecture = network.architecture
    let p = architecture.parameterCount
    var total = MemoryEstimate.workspace(architecture, sampleCount: v > 0 ? v : 0)
    if solver.isFirstOrder {
      let batch = max(effectiveBatchSize(sampleCount: m), 1)
      total =
        total + MemoryEstimate.workspace(architecture, sampleCount: m)
        + MemoryEstimate.workspace(architecture, sampleCount: batch)
        + MemoryEstimate.batch(architecture, sampleCount: batch) + MemoryEstimate.doubles(m)
        + 6 * MemoryEstimate.doubles(p)
      return total.bytes
    }
    let block = min(m, 2048)
    let residuals = residualCount(network: network, sampleCount: m)
    total =
      total + MemoryEstimate.batch(architecture, sampleCount: m)
      + MemoryEstimate.workspace(architecture, sampleCount: block)
      + MemoryEstimate.doubles(p, block, architecture.outputSize) + 8 * MemoryEstimate.doubles(p)
    let jacobian = MemoryEstimate.doubles(residuals, p) + MemoryEstimate.doubles(residuals)
    // A network's trust region takes the normal equations (Cholesky), as the damping schedules do.
    let kind = linearSolver ?? (solver == .gaussNewton ? .svd : .cholesky)
    if usesDualSystem(network: network, sampleCount: m, distributed: distributed) {
      if !distributed && solver == .levenbergMarquardt
        && effectiveDamping(network: network, sampleCount: m) == .trustRegion
      {
        // The QR trust region: dgeqp3's copy of J, R and one λ's S (P × P each) and their P-vectors.
        let square = MemoryEstimate.doubles(p, p)
        return (total + 2 * jacobian + MemoryEstimate.doubles(residuals, p) + 2 * square).bytes
      }
      let gram = MemoryEstimate.doubles(residuals, residuals)
      var step = MemoryEstimate.doubles(residuals, p) + 2 * gram
      if kind != .cholesky { step = step + gram + MemoryEstimate.doubles(residuals, p) }
      return (total + 2 * jacobian + step).bytes
    }
    let normal = MemoryEstimate.doubles(p, p)
    let needsJacobian =
      network.loss == .meanSquaredError && (kind != .cholesky || geodesicAcceleration || robustLoss != nil)
    var system = normal + MemoryEstimate.doubles(p)
    var step = 2 * normal
    if needsJacobian {
      system = system + jacobian
      step = step + 2 * MemoryEstimate.doubles(MemoryEstimate.saturatingSum([residuals, p]), p)
    }
    return (total + 2 * system + step).bytes
  }
}
