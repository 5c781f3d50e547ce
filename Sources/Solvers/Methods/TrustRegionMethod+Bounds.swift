import KKTNet

/// The linearization of a bounded trust-region step: a projected active-set Levenberg–Marquardt method in
/// the manner of Bertsekas's projected Newton method ("Projected Newton methods for optimization problems
/// with simple constraints", SIAM J. Control Optim. 20, 1982) and the projected LM methods of Kanzow,
/// Yamashita & Fukushima ("Levenberg–Marquardt methods with strong local convergence properties for solving
/// nonlinear equations with convex constraints", J. Comput. Appl. Math. 172, 2004), with Moré's trust region
/// in place of their line search. At each linearization θ ∈ B:
///
///  1. the active set A = { j : θⱼ = lⱼ and gⱼ > 0, or θⱼ = uⱼ and gⱼ < 0 } (``BoxConstraints/activeSet(at:gradient:)``)
///     is held: J's columns (or G's rows and columns) and g's entries of A are set to zero, so that `lmpar`'s
///     step has pⱼ = 0 there — the trust-region subproblem of the free parameters alone;
///  2. the trial is the projection θ₊ = P(θ + p) onto the box, the step s = θ₊ − θ;
///  3. a step the projection changed is judged by the model's own reduction −gᵀs − ½sᵀGs
///     (``TrustRegion/judge(_:objective:trialObjective:trialParameters:directionalDerivative:)``), so that ρ
///     compares f's decrease with the decrease the model predicts for the step actually taken.
///
/// Every iterate is feasible and f never increases. As Δ shrinks, p tends to −D⁻²g restricted to the free
/// parameters, whose projection is a descent direction unless θ is a first-order point, so a step is found;
/// once the active set is the solution's, the iteration is lmder's on the free parameters, with its local
/// convergence. At the end every parameter on a bound has gⱼ pointing out of the box and the free ones have
/// gⱼ ≈ 0. The gradient the summaries and MINPACK's gtol test see is g with A's entries zeroed.
struct BoundedLinearization {
  /// A: the parameters held at their bound for the next step.
  let active: [Bool]
  /// g with A's entries zeroed.
  let gradient: [Double]
  /// J with A's columns zeroed (the QR path), for ‖Js‖².
  let jacobian: Matrix?
  /// G with A's rows and columns zeroed (the normal-equation path), for sᵀGs.
  let normalMatrix: Matrix?

  /// Holds A in J and g.
  init(holding bounds: BoxConstraints, at parameters: [Double], jacobian j: inout Matrix, gradient g: inout [Double]) {
    active = bounds.activeSet(at: parameters, gradient: g)
    let m = j.rows
    for c in active.indices where active[c] {
      g[c] = 0
      for i in 0..<m { j.elements[i + c * m] = 0 }
    }
    gradient = g
    jacobian = j
    normalMatrix = nil
  }

  /// Holds A in G and g.
  init(
    holding bounds: BoxConstraints, at parameters: [Double], normalMatrix g2: inout Matrix, gradient g: inout [Double]
  ) {
    active = bounds.activeSet(at: parameters, gradient: g)
    let p = g2.rows
    for c in active.indices where active[c] {
      g[c] = 0
      for i in 0..<p {
        g2[i, c] = 0
        g2[c, i] = 0
      }
    }
    gradient = g
    jacobian = nil
    normalMatrix = g2
  }

  /// θ₊ = P(θ + p) with A held; when the projection changed the step, s = θ₊ − θ as a step of the trust
  /// region (its ‖Ds‖ and sᵀGs) and gᵀs; otherwise θ + p, the step itself and nil.
  func project(_ step: TrustRegionStep, from theta: [Double], bounds: BoxConstraints, scaling: [Double]) -> (
    trial: [Double], step: TrustRegionStep, slope: Double?
  ) {
    var trial = zip(theta, step.step).map { $0 + $1 }
    var changed = false
    for j in trial.indices {
      let projected = active[j] ? theta[j] : min(max(trial[j], bounds.lower[j]), bounds.upper[j])
      if projected != trial[j] {
        trial[j] = projected
        changed = true
      }
    }
    guard changed else { return (trial, step, nil) }
    let s = zip(trial, theta).map { $0 - $1 }
    let curvature: Double
    if let jacobian {
      var js = [Double](repeating: 0, count: jacobian.rows)
      BLAS.gemv(jacobian, s, into: &js)
      curvature = BLAS.dot(js, js)
    } else {
      var gs = [Double](repeating: 0, count: s.count)
      BLAS.gemv(normalMatrix!, s, into: &gs)
      curvature = BLAS.dot(s, gs)
    }
    let scaledNorm = BLAS.nrm2(zip(scaling, s).map { $0 * $1 })
    let projected = TrustRegionStep(
      step: s, damping: step.damping, scaledNorm: scaledNorm, curvature: curvature, iterations: step.iterations)
    return (trial, projected, BLAS.dot(gradient, s))
  }
}
