import Foundation
import KKTNet

/// The iteration loop of Gauss–Newton and Levenberg–Marquardt (the role of Ceres's
/// `TrustRegionMinimizer`): linearize at θ, solve for a step, evaluate the trial point, accept it only
/// if the loss goes down, update the damping, check the stopping rules, report.
struct LeastSquaresMinimizer<Problem: GaussNewtonObjective> {
  enum Method {
    case levenbergMarquardt(LevenbergMarquardt.Options)
    case gaussNewton(GaussNewton.Options)
  }

  let problem: Problem
  let method: Method
  let stopping: StoppingCriteria
  var validation: ValidationTracker?
  let observer: ((IterationSummary) -> Void)?

  var history: [IterationSummary] = []
  var functionEvaluations = 0
  var jacobianEvaluations = 0
  let clock = ContinuousClock()
  let started: ContinuousClock.Instant

  init(
    problem: Problem, method: Method, stopping: StoppingCriteria, validation: (([Double]) -> Double)?,
    observer: ((IterationSummary) -> Void)?
  ) {
    self.problem = problem
    self.method = method
    self.stopping = stopping
    self.validation = validation.map { ValidationTracker(loss: $0) }
    self.observer = observer
    started = clock.now
  }

  var elapsed: Double {
    let duration = clock.now - started
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }

  var linearSolverKind: LinearSolverKind {
    switch method {
    case .levenbergMarquardt(let options): return options.linearSolver
    case .gaussNewton(let options): return options.linearSolver
    }
  }

  var geodesic: GeodesicAcceleration? {
    if case .levenbergMarquardt(let options) = method { return options.geodesicAcceleration }
    return nil
  }

  var leastSquares: (any LeastSquaresProblem)? {
    (problem as? any LeastSquaresProblem).flatMap { $0.providesJacobian ? $0 : nil }
  }

  /// f, G, g at θ; J and r too when the linear solver or the acceleration needs them and the problem forms J.
  mutating func linearize(_ theta: [Double]) -> (Double, DampedLinearSolver.System) {
    jacobianEvaluations += 1
    let p = problem.parameterCount
    var g = [Double](repeating: 0, count: p)
    var normal = Matrix(rows: p, columns: p)
    if let ls = leastSquares,
      linearSolverKind != .cholesky || geodesic != nil || ls.residualCount < p
    {
      var r = [Double](repeating: 0, count: ls.residualCount)
      ls.residuals(at: theta, into: &r)
      var j = Matrix(rows: ls.residualCount, columns: p)
      ls.jacobian(at: theta, into: &j)
      BLAS.syrk(j, transpose: .transpose, into: &normal)
      BLAS.gemv(j, r, transpose: .transpose, into: &g)
      return (0.5 * BLAS.dot(r, r), .init(normalMatrix: normal, gradient: g, jacobian: j, residuals: r))
    }
    let f = problem.normalEquations(at: theta, normalMatrix: &normal, gradient: &g)
    return (f, .init(normalMatrix: normal, gradient: g, jacobian: nil, residuals: nil))
  }

  mutating func evaluate(_ theta: [Double]) -> Double {
    functionEvaluations += 1
    return problem.objective(at: theta)
  }

  mutating func report(_ summary: IterationSummary) {
    history.append(summary)
    observer?(summary)
  }

  func finish(_ theta: [Double], _ f: Double, _ iterations: Int, _ termination: Termination) -> SolverResult {
    SolverResult(
      parameters: theta, loss: f, iterations: iterations, termination: termination, history: history,
      functionEvaluations: functionEvaluations, jacobianEvaluations: jacobianEvaluations, elapsed: elapsed)
  }

  mutating func run(from start: [Double], resume: SolverState? = nil, checkpointing: Checkpointing? = nil)
    -> SolverResult
  {
    precondition(
      start.count == problem.parameterCount, "θ₀ has \(start.count) values, the problem \(problem.parameterCount)")
    var theta = resume?.parameters ?? start
    var (f, system) = linearize(theta)
    var damping: (any DampingStrategy)?
    var scaling: DampingScaling = .identity
    var d = [Double](repeating: 1, count: problem.parameterCount)
    if case .levenbergMarquardt(let options) = method {
      damping = options.damping
      scaling = options.scaling
    }
    func diagonal(_ s: DampedLinearSolver.System) -> [Double] {
      (0..<problem.parameterCount).map { s.normalMatrix[$0, $0] }
    }
    var validationLoss: Double?
    var iteration = 0
    if let resume {
      // The linearization is recomputed from θ, bit for bit as the uninterrupted run had it.
      history = resume.history
      functionEvaluations = resume.functionEvaluations
      jacobianEvaluations = resume.jacobianEvaluations
      iteration = resume.iteration
      d = resume.vectors["scaling"] ?? d
      damping?.restore(resume.scalars)
      validation?.best = resume.scalars["best_validation"] ?? .infinity
      validation?.bestParameters = resume.vectors["best_parameters"] ?? []
      validation?.failures = Int(resume.scalars["validation_failures"] ?? 0)
      validationLoss = history.last?.validationLoss
      for summary in history { observer?(summary) }
    } else {
      functionEvaluations += 1
      let finiteStart =
        f.isFinite && system.gradient.allSatisfy(\.isFinite) && system.normalMatrix.elements.allSatisfy(\.isFinite)
      validationLoss = finiteStart ? validation?.record(theta) : nil
      report(
        IterationSummary(
          iteration: 0, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(system.gradient), stepNorm: 0, gainRatio: .nan,
          damping: .nan, accepted: true, validationLoss: validationLoss, time: elapsed))
      guard finiteStart else { return finish(theta, f, 0, .nonFiniteStart) }
      if damping != nil {
        d = scaling.update([], diagonal: diagonal(system))
        damping!.start(scaledDiagonal: zip(diagonal(system), d).map { $0 / $1 })
        history[0].damping = damping!.damping
      }
    }
    func save() {
      guard let checkpointing, iteration % checkpointing.every == 0 else { return }
      var state = SolverState(
        iteration: iteration, parameters: theta, vectors: ["scaling": d], scalars: damping?.savedState ?? [:],
        history: history, functionEvaluations: functionEvaluations, jacobianEvaluations: jacobianEvaluations)
      if let tracker = validation {
        state.scalars["best_validation"] = tracker.best
        state.scalars["validation_failures"] = Double(tracker.failures)
        state.vectors["best_parameters"] = tracker.bestParameters
      }
      checkpointing.save(state)
    }
    let solver = DampedLinearSolver(kind: linearSolverKind)

    while true {
      // Rules that need no new step.
      if maxNorm(system.gradient) <= stopping.gradientTolerance {
        return finish(theta, f, iteration, .gradientTolerance(stopping.gradientTolerance))
      }
      if f <= stopping.goal { return finish(theta, f, iteration, .goalReached(stopping.goal)) }
      if iteration >= stopping.maximumIterations {
        return finish(theta, f, iteration, .maximumIterations(stopping.maximumIterations))
      }
      if let limit = stopping.timeLimit, elapsed >= limit { return finish(theta, f, iteration, .timeLimit(limit)) }
      iteration += 1
      let mu = damping?.damping ?? 0

      // The step.
      var step: [Double]
      do {
        step = try solver.solve(system, damping: mu, scaling: d)
      } catch {
        guard damping != nil else { return finish(theta, f, iteration - 1, .singularSystem(error.description)) }
        damping!.stepRejected()
        report(
          IterationSummary(
            iteration: iteration, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(system.gradient), stepNorm: .nan,
            gainRatio: .nan, damping: damping!.damping, accepted: false, validationLoss: validationLoss, time: elapsed))
        if damping!.damping > damping!.maximumDamping {
          return finish(theta, f, iteration, .dampingTooLarge(damping!.maximumDamping))
        }
        save()
        continue
      }
      let thetaNorm = BLAS.nrm2(theta)
      let shortStep = stopping.stepTolerance * (thetaNorm + stopping.stepTolerance)
      if BLAS.nrm2(step) <= shortStep && !dampingHoldsBack(mu, d, system, step: shortStep) {
        return finish(theta, f, iteration - 1, .stepTolerance(stopping.stepTolerance))
      }
      if let geodesic, let ls = leastSquares, let r = system.residuals {
        step = accelerated(step, geodesic, ls, theta, r, system, solver, mu, d)
      }

      // The trial point, with a line search for Gauss–Newton.
      var trial = zip(theta, step).map { $0 + $1 }
      var fTrial = evaluate(trial)
      var stepSize = 1.0
      if case .gaussNewton(let options) = method {
        var halvings = 0
        while !(fTrial < f) && halvings < options.maximumHalvings {
          stepSize /= 2
          halvings += 1
          trial = zip(theta, step).map { $0 + stepSize * $1 }
          fTrial = evaluate(trial)
        }
        if !(fTrial < f) {
          report(
            IterationSummary(
              iteration: iteration, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(system.gradient),
              stepNorm: BLAS.nrm2(step), gainRatio: .nan, damping: stepSize, accepted: false,
              validationLoss: validationLoss, time: elapsed))
          return finish(theta, f, iteration, .noDescent(options.maximumHalvings))
        }
        step = step.map { $0 * stepSize }
      }
      let predicted = predictedDecrease(step, system)
      let rho = fTrial.isFinite && predicted > 0 ? (f - fTrial) / predicted : -.infinity
      let accepted = fTrial.isFinite && fTrial < f && (damping == nil || rho > 0)

      if accepted {
        let change = f - fTrial
        let previous = f
        theta = trial
        (f, system) = linearize(theta)
        if !(f.isFinite && system.gradient.allSatisfy(\.isFinite)) {
          return finish(trial, fTrial, iteration, .singularSystem("the Jacobian is not finite at the new point"))
        }
        if damping != nil {
          d = scaling.update(d, diagonal: diagonal(system))
          damping!.stepAccepted(gainRatio: rho)
        }
        validationLoss = validation != nil ? validation!.record(theta) : nil
        report(
          IterationSummary(
            iteration: iteration, loss: f, lossChange: change, gradientMaxNorm: maxNorm(system.gradient),
            stepNorm: BLAS.nrm2(step), gainRatio: rho, damping: damping?.damping ?? stepSize, accepted: true,
            validationLoss: validationLoss, time: elapsed))
        if let tracker = validation, tracker.failures >= stopping.maximumValidationFailures {
          let best = tracker.bestParameters
          return finish(best, problem.objective(at: best), iteration, .validationStop(tracker.failures))
        }
        if change <= stopping.functionTolerance * previous
          && !dampingHoldsBack(
            damping?.damping ?? 0, d, system, decrease: stopping.functionTolerance * previous)
        {
          return finish(theta, f, iteration, .functionTolerance(stopping.functionTolerance))
        }
        save()
      } else {
        damping!.stepRejected()
        report(
          IterationSummary(
            iteration: iteration, loss: f, lossChange: 0, gradientMaxNorm: maxNorm(system.gradient),
            stepNorm: BLAS.nrm2(step), gainRatio: rho.isFinite ? rho : .nan, damping: damping!.damping, accepted: false,
            validationLoss: validationLoss, time: elapsed))
        if damping!.damping > damping!.maximumDamping {
          return finish(theta, f, iteration, .dampingTooLarge(damping!.maximumDamping))
        }
        save()
      }
    }
  }

  /// Whether a short step or a small decrease is small only because μ is large, not because θ is near a
  /// stationary point: for some parameter i the damping at least matches the curvature, μdᵢ ≥ Gᵢᵢ, while
  /// the undamped step along it would not be small — its length |gᵢ|/Gᵢᵢ above the step tolerance
  /// `step`, or its decrease gᵢ²/(2Gᵢᵢ) above the decrease tolerance `decrease`. Stopping there would be
  /// a false convergence: on a badly scaled problem with D = I (NIST's Misra1c from start 2:
  /// μ₀ = τ·max Gᵢᵢ ≈ 10⁸ against G₁₁ ≈ 1; MGH10 from start 1) it means μ has not yet come down, and each
  /// good step lowers it. After a rejected step the tests apply as usual, so a run that has reached the
  /// rounding level of f still ends.
  func dampingHoldsBack(
    _ mu: Double, _ d: [Double], _ system: DampedLinearSolver.System, step: Double = .infinity,
    decrease: Double = .infinity
  ) -> Bool {
    guard mu > 0, history.last?.accepted != false else { return false }
    return d.indices.contains { i in
      let (curvature, g) = (system.normalMatrix[i, i], system.gradient[i])
      return mu * d[i] >= curvature && (abs(g) > step * curvature || g * g > 2 * decrease * curvature)
    }
  }

  /// −gᵀδ − ½δᵀGδ, the decrease the quadratic model predicts (δᵀGδ as ‖Jδ‖² when J is formed).
  func predictedDecrease(_ step: [Double], _ system: DampedLinearSolver.System) -> Double {
    -BLAS.dot(system.gradient, step) - 0.5 * curvature(step, system)
  }

  /// δᵀGδ, as ‖Jδ‖² when J is formed.
  func curvature(_ step: [Double], _ system: DampedLinearSolver.System) -> Double {
    if let j = system.jacobian {
      var jd = [Double](repeating: 0, count: j.rows)
      BLAS.gemv(j, step, into: &jd)
      return BLAS.dot(jd, jd)
    }
    var gd = [Double](repeating: 0, count: step.count)
    BLAS.gemv(system.normalMatrix, step, into: &gd)
    return BLAS.dot(step, gd)
  }

  /// v + a/2 when the acceleration is small enough relative to v, else v (Transtrum & Sethna 2012).
  mutating func accelerated(
    _ v: [Double], _ geodesic: GeodesicAcceleration, _ ls: any LeastSquaresProblem, _ theta: [Double], _ r: [Double],
    _ system: DampedLinearSolver.System, _ solver: DampedLinearSolver, _ mu: Double, _ d: [Double]
  ) -> [Double] {
    let h = geodesic.step
    var rAhead = [Double](repeating: 0, count: ls.residualCount)
    ls.residuals(at: zip(theta, v).map { $0 + h * $1 }, into: &rAhead)
    functionEvaluations += 1
    var jv = [Double](repeating: 0, count: ls.residualCount)
    BLAS.gemv(system.jacobian!, v, into: &jv)
    let second = (0..<r.count).map { (2 / h) * ((rAhead[$0] - r[$0]) / h - jv[$0]) }
    guard second.allSatisfy(\.isFinite) else { return v }
    var rhs = [Double](repeating: 0, count: v.count)
    BLAS.gemv(system.jacobian!, second, transpose: .transpose, into: &rhs)
    guard let a = try? solver.solve(system, damping: mu, scaling: d, rightHandSide: rhs) else { return v }
    guard 2 * BLAS.nrm2(a) <= geodesic.maximumRatio * BLAS.nrm2(v) else { return v }
    return zip(v, a).map { $0 + 0.5 * $1 }
  }
}

/// ‖v‖∞.
func maxNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
