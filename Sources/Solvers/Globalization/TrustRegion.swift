import KKTNet

/// The trust region of Levenberg–Marquardt as MINPACK's `lmder` keeps it (Moré 1978, "The
/// Levenberg–Marquardt algorithm: implementation and theory", §4–§8; Garbow, Hillstrom & Moré 1980): a
/// radius Δ on ‖Dp‖, D = diag(d) from the norms of J's columns with a running maximum, λ carried from one
/// subproblem to the next, and the step judged by the ratio of the actual to the predicted reduction.
///
/// The loop calls, in lmder's order:
/// 1. ``start(at:linearization:)`` at θ₀: dⱼ = ‖Jⱼ‖ (1 for a zero column), Δ₀ = factor·‖Dθ₀‖ (factor itself
///    when that is 0), λ = 0; then the gradient test of every new linearization (below).
/// 2. ``propose(_:)``: λ and p from the subproblem (`lmpar`); on the first iteration Δ ← min(Δ, ‖Dp‖).
/// 3. ``judge(_:objective:trialObjective:trialParameters:)`` once f(θ + p) is known: ρ, the new Δ and λ,
///    whether the step is taken (ρ ≥ 10⁻⁴), and the convergence tests. After a rejection, back to 2 at
///    the same linearization.
/// 4. ``relinearized(_:)`` at each accepted point: the gradient test (gtol), then dⱼ ← max(dⱼ, ‖Jⱼ‖).
///
/// Reductions are relative to f, the objective: f = ½‖r‖² for least squares, so that every formula below is
/// MINPACK's (which writes them with ‖r‖); for the generalized Gauss–Newton problems (bce, ce), which have
/// a gradient g and a curvature G but no residual vector, the same formulas in f are the natural ones, with
/// the quadratic model m(p) = f + gᵀp + ½pᵀGp:
///
///     actual     = (f − f₊)/f                 (1 − ‖r₊‖²/‖r‖²; −1 when f₊ ≥ 100f or f₊ is not finite)
///     predicted  = (pᵀGp + 2λ‖Dp‖²)/(2f)      ((‖Jp‖/‖r‖)² + 2(√λ‖Dp‖/‖r‖)² = (m(0) − m(p))/f)
///     dirder     = −(pᵀGp + λ‖Dp‖²)/(2f)      (gᵀp/(2f), half the directional derivative of f/f)
///     ρ          = actual/predicted           (0 when predicted = 0)
///
/// ρ ≤ ¼: Δ ← t·min(Δ, 10‖Dp‖) and λ ← λ/t, with t = ½ when actual ≥ 0, else the minimizer of the
/// quadratic through f, the directional derivative and f₊, t = ½·dirder/(dirder + ½·actual), clamped to
/// t ≥ 0.1 (and t = 0.1 when f₊ ≥ 100f). ρ ≥ ¾ or λ = 0: Δ ← 2‖Dp‖, λ ← λ/2. The step is taken when
/// ρ ≥ 10⁻⁴; f₊ < f then follows, since predicted > 0.
public struct TrustRegion: Sendable, Codable, Equatable {
  /// How D is chosen.
  public enum Scaling: String, Sendable, Codable, CaseIterable {
    /// MINPACK's mode 1: dⱼ = ‖Jⱼ‖ at θ₀ (1 for a zero column), then the running maximum over iterations.
    case columnNorms
    /// dⱼ = ‖Jⱼ‖ at the current point, without the running maximum (1 for a zero column): the region follows
    /// the curvature as it changes, as Nielsen's damping with Marquardt's diagonal does not.
    case currentColumnNorms
    /// D = I (MINPACK's mode 2 with diag = 1): the radius on ‖p‖ itself.
    case identity
  }

  /// The settings. The defaults are MINPACK's as `lmder1` and SciPy's `leastsq` pass them: ftol = xtol =
  /// √ε ≈ 1.49012·10⁻⁸ (MINPACK's recommended tol), gtol = 0, factor = 100, mode 1. MINPACK's budget,
  /// maxfev = 100·(P + 1) function evaluations, belongs to the loop.
  public struct Options: Sendable, Codable, Equatable {
    /// ftol: stop when the actual and the predicted relative reductions of f are both at most this.
    public var functionTolerance: Double
    /// xtol: stop when Δ ≤ xtol·‖Dθ‖, the relative change of θ the region still allows.
    public var stepTolerance: Double
    /// gtol: stop when maxⱼ |gⱼ|/(‖Jⱼ‖·‖r‖) ≤ gtol, the cosine between r and every column of J.
    public var gradientTolerance: Double
    /// factor: Δ₀ = factor·‖Dθ₀‖, or factor when θ₀ = 0.
    public var initialRadiusFactor: Double
    /// D: the column norms of J with MINPACK's running maximum (mode 1), or the identity.
    public var scaling: Scaling

    /// MINPACK's settings by default.
    public init(
      functionTolerance: Double = 1.49012e-8, stepTolerance: Double = 1.49012e-8, gradientTolerance: Double = 0,
      initialRadiusFactor: Double = 100, scaling: Scaling = .columnNorms
    ) {
      precondition(
        functionTolerance >= 0 && stepTolerance >= 0 && gradientTolerance >= 0, "tolerances cannot be negative")
      precondition(initialRadiusFactor > 0 && initialRadiusFactor.isFinite, "the radius factor must be positive")
      self.functionTolerance = functionTolerance
      self.stepTolerance = stepTolerance
      self.gradientTolerance = gradientTolerance
      self.initialRadiusFactor = initialRadiusFactor
      self.scaling = scaling
    }
  }

  /// Everything the trust region carries between iterations, for a checkpoint.
  public struct State: Sendable, Codable, Equatable {
    /// Δ, the radius on ‖Dp‖.
    public var radius: Double = 0
    /// λ, the Levenberg–Marquardt parameter: the next subproblem's starting guess.
    public var damping: Double = 0
    /// d, D's diagonal (empty before ``TrustRegion/start(at:linearization:)``).
    public var scaling: [Double] = []
    /// ‖Dθ‖ at the last accepted point, with the D of that moment (lmder's xnorm).
    public var scaledParameterNorm: Double = 0
    /// maxⱼ |gⱼ|/(‖Jⱼ‖·‖r‖) at the current linearization (lmder's gnorm).
    public var gradientCosine: Double = 0
    /// Steps taken.
    public var acceptedSteps = 0
    /// Steps judged and not taken.
    public var rejectedSteps = 0

    /// The state before the first step.
    public init() {}
  }

  /// The settings.
  public var options: Options
  /// Δ, D and the step counts so far.
  public var state = State()

  /// A trust region with the given settings, before its first step.
  public init(options: Options = Options()) { self.options = options }

  /// D, Δ₀ and λ = 0 at θ₀, then ``relinearized(_:)``'s gradient test.
  ///
  /// - Returns: `.gradientOrthogonal` when θ₀ already passes the gtol test (as when r = 0), else nil.
  public mutating func start(at parameters: [Double], linearization: TrustRegionSubproblem) -> TrustRegionConvergence? {
    precondition(parameters.count == linearization.parameterCount, "θ₀ and the linearization differ in length")
    state = State()
    switch options.scaling {
    case .columnNorms, .currentColumnNorms: state.scaling = linearization.columnNorms.map { $0 == 0 ? 1 : $0 }
    case .identity: state.scaling = [Double](repeating: 1, count: parameters.count)
    }
    state.scaledParameterNorm = scaledNorm(parameters)
    state.radius = options.initialRadiusFactor * state.scaledParameterNorm
    if state.radius == 0 { state.radius = options.initialRadiusFactor }
    return relinearized(linearization)
  }

  /// The gradient test at a new linearization (lmder's gnorm ≤ gtol), then D's running maximum.
  ///
  /// - Returns: `.gradientOrthogonal` when maxⱼ |gⱼ|/(‖Jⱼ‖·‖r‖) ≤ gtol (columns with ‖Jⱼ‖ = 0 skipped; 0
  ///   when r = 0), else nil.
  public mutating func relinearized(_ linearization: TrustRegionSubproblem) -> TrustRegionConvergence? {
    precondition(!state.scaling.isEmpty, "start(at:linearization:) comes first")
    var cosine = 0.0
    if linearization.residualNorm != 0 {
      for (g, norm) in zip(linearization.gradient, linearization.columnNorms) where norm != 0 {
        cosine = max(cosine, abs((g / linearization.residualNorm) / norm))
      }
    }
    state.gradientCosine = cosine
    if cosine <= options.gradientTolerance { return .gradientOrthogonal }
    if options.scaling == .currentColumnNorms {
      state.scaling = linearization.columnNorms.map { $0 == 0 ? 1 : $0 }
    }
    if options.scaling == .columnNorms {
      for j in state.scaling.indices { state.scaling[j] = max(state.scaling[j], linearization.columnNorms[j]) }
    }
    return nil
  }

  /// λ and p for the current D, Δ and λ (MINPACK's `lmpar`); on the first iteration Δ ← min(Δ, ‖Dp‖).
  ///
  /// - Throws: the subproblem's error (a non-finite step or a failed factorization), for the loop to turn
  ///   into a termination.
  public mutating func propose(_ linearization: TrustRegionSubproblem) throws(TrustRegionSubproblemError)
    -> TrustRegionStep
  {
    precondition(!state.scaling.isEmpty, "start(at:linearization:) comes first")
    let step = try linearization.solve(
      scaling: state.scaling, radius: state.radius, initialDamping: state.damping)
    state.damping = step.damping
    if state.acceptedSteps == 0 { state.radius = min(state.radius, step.scaledNorm) }
    return step
  }

  /// ρ for the trial θ + p, the updates of Δ and λ, acceptance (ρ ≥ 10⁻⁴) and lmder's convergence tests.
  ///
  /// - Parameters:
  ///   - step: the proposal of ``propose(_:)``.
  ///   - objective: f at the linearization point (> 0: f = 0 already ended the run at the gradient test).
  ///   - trialObjective: f(θ + p); NaN or ±∞ count as +∞ (the step is rejected and Δ shrinks tenfold).
  ///   - trialParameters: θ + p, for ‖Dθ‖ when the step is taken.
  ///   - directionalDerivative: gᵀp when p is not the subproblem's solution (a step projected onto bounds,
  ///     whose `curvature` is then pᵀGp of the projected step): the predicted reduction is the model's
  ///     −gᵀp − ½pᵀGp instead of lmder's (pᵀGp + 2λ‖Dp‖²)/2, which holds only for (G + λD²)p = −g; a
  ///     predicted reduction ≤ 0 then rejects the step. nil for the subproblem's own step.
  public mutating func judge(
    _ step: TrustRegionStep, objective f: Double, trialObjective: Double, trialParameters: [Double],
    directionalDerivative: Double? = nil
  ) -> TrustRegionJudgement {
    precondition(f > 0 && f.isFinite, "the trust region judges steps from a finite f > 0")
    let fTrial = trialObjective.isFinite ? trialObjective : .infinity
    let pnorm = step.scaledNorm
    let lambda = step.damping
    let farAbove = !(fTrial < 100 * f)  // lmder: 0.1·‖r₊‖ ≥ ‖r‖
    let actual = farAbove ? -1 : 1 - fTrial / f
    let curvature = step.curvature / (2 * f)
    let damped = lambda * pnorm * pnorm / (2 * f)
    var predicted = curvature + 2 * damped
    var dirder = -(curvature + damped)
    var ratio = predicted != 0 ? actual / predicted : 0
    if let slope = directionalDerivative {
      dirder = slope / (2 * f)
      predicted = -slope / f - curvature
      ratio = predicted > 0 ? actual / predicted : 0
    }

    if ratio <= 0.25 {
      var temp = actual >= 0 ? 0.5 : 0.5 * dirder / (dirder + 0.5 * actual)
      if farAbove || temp < 0.1 { temp = 0.1 }
      state.radius = temp * min(state.radius, pnorm / 0.1)
      state.damping = lambda / temp
    } else if lambda == 0 || ratio >= 0.75 {
      state.radius = pnorm / 0.5
      state.damping = 0.5 * lambda
    }
    let accepted = ratio >= 1e-4
    if accepted {
      state.acceptedSteps += 1
      state.scaledParameterNorm = scaledNorm(trialParameters)
    } else {
      state.rejectedSteps += 1
    }
    return TrustRegionJudgement(
      accepted: accepted, ratio: ratio, actualReduction: actual, predictedReduction: predicted,
      directionalDerivative: dirder,
      convergence: TrustRegionConvergence.test(
        actual: actual, predicted: predicted, ratio: ratio, state: state, options: options))
  }

  /// ‖Dθ‖.
  private func scaledNorm(_ parameters: [Double]) -> Double {
    BLAS.nrm2(zip(state.scaling, parameters).map { $0 * $1 })
  }
}

/// What ``TrustRegion/judge(_:objective:trialObjective:trialParameters:)`` found.
public struct TrustRegionJudgement: Sendable, Equatable, Codable {
  /// Whether θ + p is taken (ρ ≥ 10⁻⁴).
  public var accepted: Bool
  /// ρ = actual/predicted.
  public var ratio: Double
  /// (f − f₊)/f, or −1 when f₊ ≥ 100f.
  public var actualReduction: Double
  /// (pᵀGp + 2λ‖Dp‖²)/(2f).
  public var predictedReduction: Double
  /// −(pᵀGp + λ‖Dp‖²)/(2f).
  public var directionalDerivative: Double
  /// A convergence test that holds after this trial (the loop stops), else nil.
  public var convergence: TrustRegionConvergence?
}
