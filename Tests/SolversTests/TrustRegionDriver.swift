import KKTNet
import Solvers

/// A compact driver that composes the trust-region parts (``TrustRegionSubproblem``, ``TrustRegion``) in
/// exactly the control flow of MINPACK's `lmder`: evaluate r at θ₀; outer loop: the Jacobian, the gradient
/// test and D's rescaling; inner loop: lmpar, r at the trial point, the judgement, the convergence tests,
/// the budget (maxfev = 100·(P + 1) function evaluations by default), until a step is taken.
///
/// It mirrors lmder for these tests only, until the minimizer loop of issue 12 runs the same parts; keep it
/// as small as lmder's loop.
struct TrustRegionDriver {
  enum Linearization {
    /// J and r (the problem must form J): pivoted QR.
    case qr
    /// G, g and f from the problem's normal equations: Cholesky.
    case normalEquations
  }

  enum Stop: Equatable {
    case converged(TrustRegionConvergence)
    /// maxfev reached (MINPACK info 5).
    case budget
    case failed(TrustRegionSubproblemError)
    case nonFiniteStart
  }

  /// One judged trial.
  struct Trial {
    let objective: Double
    let trialObjective: Double
    let judgement: TrustRegionJudgement
    let step: TrustRegionStep
  }

  struct Run {
    var parameters: [Double]
    var objective: Double
    var stop = Stop.budget
    /// The points where r (or f) was evaluated, in order: θ₀, then every trial point (MINPACK's nfev).
    var functionPoints: [[Double]] = []
    /// The points where J (or G, g) was evaluated: θ₀ and every accepted point (MINPACK's njev).
    var jacobianPoints: [[Double]] = []
    var trials: [Trial] = []
    /// The trust region at the end.
    var region = TrustRegion()
    var functionEvaluations: Int { functionPoints.count }
    var jacobianEvaluations: Int { jacobianPoints.count }
  }

  var options = TrustRegion.Options()
  var linearization = Linearization.qr
  var maximumFunctionEvaluations: Int?

  func run(_ problem: some GaussNewtonObjective, from start: [Double]) -> Run {
    let budget = maximumFunctionEvaluations ?? 100 * (problem.parameterCount + 1)
    var run = Run(parameters: start, objective: problem.objective(at: start))
    run.functionPoints.append(start)
    guard run.objective.isFinite else {
      run.stop = .nonFiniteStart
      return run
    }
    do {
      var subproblem = try linearize(problem, at: start, &run)
      run.region = TrustRegion(options: options)
      if let converged = run.region.start(at: start, linearization: subproblem) {
        run.stop = .converged(converged)
        return run
      }
      while true {
        let step = try run.region.propose(subproblem)
        let trial = zip(run.parameters, step.step).map { $0 + $1 }
        let fTrial = problem.objective(at: trial)
        run.functionPoints.append(trial)
        let judgement = run.region.judge(step, objective: run.objective, trialObjective: fTrial, trialParameters: trial)
        run.trials.append(Trial(objective: run.objective, trialObjective: fTrial, judgement: judgement, step: step))
        if judgement.accepted { (run.parameters, run.objective) = (trial, fTrial) }
        if let converged = judgement.convergence {
          run.stop = .converged(converged)
          return run
        }
        if run.functionEvaluations >= budget { return run }
        if judgement.accepted {
          subproblem = try linearize(problem, at: run.parameters, &run)
          if let converged = run.region.relinearized(subproblem) {
            run.stop = .converged(converged)
            return run
          }
        }
      }
    } catch {
      run.stop = .failed(error)
      return run
    }
  }

  private func linearize(_ problem: some GaussNewtonObjective, at theta: [Double], _ run: inout Run)
    throws(TrustRegionSubproblemError) -> TrustRegionSubproblem
  {
    run.jacobianPoints.append(theta)
    let p = problem.parameterCount
    switch linearization {
    case .qr:
      guard let ls = problem as? any LeastSquaresProblem, ls.providesJacobian else {
        preconditionFailure("the QR path needs a least-squares problem that forms J")
      }
      var r = [Double](repeating: 0, count: ls.residualCount)
      ls.residuals(at: theta, into: &r)
      var j = Matrix(rows: ls.residualCount, columns: p)
      ls.jacobian(at: theta, into: &j)
      return try TrustRegionSubproblem(jacobian: j, residuals: r)
    case .normalEquations:
      var g = [Double](repeating: 0, count: p)
      var normal = Matrix(rows: p, columns: p)
      let f = problem.normalEquations(at: theta, normalMatrix: &normal, gradient: &g)
      return try TrustRegionSubproblem(normalMatrix: normal, gradient: g, objective: f)
    }
  }
}
