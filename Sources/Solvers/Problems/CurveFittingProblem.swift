import KKTNet

/// A user-written least-squares model, the way one fits a curve: closures for the residuals r(θ) and,
/// optionally, the Jacobian J(θ); without one, J comes from central finite differences (fourth order).
///
///     let problem = CurveFittingProblem(parameterCount: 2, residualCount: x.count) { b in
///       zip(x, y).map { b[0] * (1 - exp(-b[1] * $0)) - $1 }
///     }
public final class CurveFittingProblem: LeastSquaresProblem {
  public let parameterCount: Int
  public let residualCount: Int
  private let residualFunction: ([Double]) -> [Double]
  private let jacobianFunction: (([Double]) -> Matrix)?

  /// - Parameters:
  ///   - residuals: θ ↦ r(θ), M values.
  ///   - jacobian: θ ↦ J(θ), M × P; nil for finite differences.
  public init(
    parameterCount: Int, residualCount: Int, jacobian: (([Double]) -> Matrix)? = nil,
    residuals: @escaping ([Double]) -> [Double]
  ) {
    precondition(parameterCount >= 1 && residualCount >= 1, "a problem needs parameters and residuals")
    self.parameterCount = parameterCount
    self.residualCount = residualCount
    self.residualFunction = residuals
    self.jacobianFunction = jacobian
  }

  /// The model y ≈ f(x; θ) over data points (xᵢ, yᵢ): rᵢ = f(xᵢ; θ) − yᵢ, with ∂f/∂θ when given.
  public convenience init(
    x: [Double], y: [Double], parameterCount: Int, derivative: ((Double, [Double]) -> [Double])? = nil,
    model: @escaping (Double, [Double]) -> Double
  ) {
    precondition(x.count == y.count, "x and y must have the same length")
    let jacobian: (([Double]) -> Matrix)? = derivative.map { derivative in
      { theta in
        var j = Matrix(rows: x.count, columns: parameterCount)
        for (i, xi) in x.enumerated() {
          for (c, value) in derivative(xi, theta).enumerated() { j[i, c] = value }
        }
        return j
      }
    }
    self.init(parameterCount: parameterCount, residualCount: x.count, jacobian: jacobian) { theta in
      zip(x, y).map { model($0, theta) - $1 }
    }
  }

  /// Whether J comes from the user (rather than from finite differences).
  public var hasAnalyticJacobian: Bool { jacobianFunction != nil }

  public func residuals(at parameters: [Double], into residuals: inout [Double]) {
    let r = residualFunction(parameters)
    precondition(r.count == residualCount, "the residual function returned \(r.count) values, not \(residualCount)")
    residuals = r
  }

  public func jacobian(at parameters: [Double], into jacobian: inout Matrix) {
    let j = jacobianFunction?(parameters) ?? FiniteDifference.jacobian(at: parameters, of: residualFunction)
    precondition(j.rows == residualCount && j.columns == parameterCount, "the Jacobian must be M × P")
    jacobian = j
  }
}
