import KKTNet

extension DampedLinearSolver {
  /// The linearization at the current point: the gradient g, the curvature G ⪰ 0 standing in for the
  /// Hessian, and — for least squares, when formed — the Jacobian J and residuals r with G = JᵀJ, g = Jᵀr.
  ///
  /// When J has fewer rows than columns (M < P: fewer samples than parameters) G is not formed at all: the
  /// steps come from J through the M × M dual system, and P × P memory is never needed.
  public struct System {
    /// G (P × P, both triangles), or nil when only J is formed.
    public var normalMatrix: Matrix?
    /// diag(G).
    public var diagonal: [Double]
    /// g.
    public var gradient: [Double]
    /// J (M × P) and r, when the problem forms them; required by QR and by SVD on the stacked system. For
    /// a generalized Gauss–Newton problem with fewer rows than parameters, J is the factor F of its
    /// curvature G = FᵀF + diag(ridge), and r is nil.
    public var jacobian: Matrix?
    /// r (M values) beside J; nil when J is a curvature factor.
    public var residuals: [Double]?
    /// The diagonal R of G = FᵀF + R when G is held as a factor F (the L2 penalty's λ₂ on the weights).
    public var ridge: [Double]?

    /// A system with G formed.
    public init(normalMatrix: Matrix, gradient: [Double], jacobian: Matrix? = nil, residuals: [Double]? = nil) {
      precondition(normalMatrix.rows == gradient.count && normalMatrix.columns == gradient.count, "G must be P × P")
      self.normalMatrix = normalMatrix
      self.diagonal = (0..<gradient.count).map { normalMatrix[$0, $0] }
      self.gradient = gradient
      self.jacobian = jacobian
      self.residuals = residuals
    }

    /// A least-squares system from J and r alone: g = Jᵀr, diag(G) = the squared column norms of J, G not
    /// formed.
    public init(jacobian: Matrix, residuals: [Double]) {
      precondition(jacobian.rows == residuals.count, "J must have a row per residual")
      let (m, p) = (jacobian.rows, jacobian.columns)
      var g = [Double](repeating: 0, count: p)
      BLAS.gemv(jacobian, residuals, transpose: .transpose, into: &g)
      normalMatrix = nil
      diagonal = (0..<p).map { c in
        jacobian.elements[(c * m)..<((c + 1) * m)].reduce(0) { $0 + $1 * $1 }
      }
      gradient = g
      self.jacobian = jacobian
      self.residuals = residuals
    }

    /// A curvature held as a factor: G = FᵀF + diag(ridge), g given, G not formed (F has fewer rows than
    /// columns).
    public init(factor: Matrix, ridge: [Double]?, gradient: [Double]) {
      precondition(factor.columns == gradient.count, "F must have a column per parameter")
      let m = factor.rows
      normalMatrix = nil
      diagonal = (0..<gradient.count).map { c in
        factor.elements[(c * m)..<((c + 1) * m)].reduce(0) { $0 + $1 * $1 } + (ridge?[c] ?? 0)
      }
      self.gradient = gradient
      jacobian = factor
      residuals = nil
      self.ridge = ridge
    }

    /// P.
    public var parameterCount: Int { gradient.count }

    /// Whether every number of the linearization is finite.
    public var isFinite: Bool {
      gradient.allSatisfy(\.isFinite) && diagonal.allSatisfy(\.isFinite)
        && (normalMatrix?.elements.allSatisfy(\.isFinite) ?? true)
        && (jacobian?.elements.allSatisfy(\.isFinite) ?? true)
    }

    /// δᵀGδ, as ‖Jδ‖² when J is formed.
    public func curvature(along step: [Double]) -> Double {
      if let j = jacobian {
        var jd = [Double](repeating: 0, count: j.rows)
        BLAS.gemv(j, step, into: &jd)
        var total = BLAS.dot(jd, jd)
        if let ridge { for i in step.indices { total += ridge[i] * step[i] * step[i] } }
        return total
      }
      var gd = [Double](repeating: 0, count: step.count)
      BLAS.gemv(normalMatrix!, step, into: &gd)
      return BLAS.dot(step, gd)
    }

    /// −gᵀδ − ½δᵀGδ, the decrease of f the quadratic model predicts for the step δ.
    public func predictedDecrease(_ step: [Double]) -> Double {
      -BLAS.dot(gradient, step) - 0.5 * curvature(along: step)
    }
  }
}
