import KKTNet

/// A formula fitted to data by (weighted) least squares:
///
///     rᵢ(θ) = (f(xᵢ; θ) − yᵢ) / σᵢ,   f(θ) = ½‖r‖² = ½ Σᵢ ((f(xᵢ; θ) − yᵢ)/σᵢ)²,
///
/// σᵢ = 1 without weights. SSR = ‖r‖² is *twice* the solver's loss. The Jacobian Jᵢⱼ = (∂f(xᵢ; θ)/∂θⱼ)/σᵢ is
/// exact (forward mode over the compiled formula), evaluated over all samples at once.
public final class FormulaProblem: LeastSquaresProblem {
  /// The formula and the names of its parameters and predictors.
  public let model: FormulaModel
  /// One column of m values per name of `model.predictorNames`.
  public let predictors: [[Double]]
  /// y (the transformed response g(y) for an equation), m values.
  public let response: [Double]
  /// σᵢ, the standard deviation of each yᵢ (SciPy `curve_fit`'s `sigma`); nil for σ = 1.
  public let sigma: [Double]?
  public let parameterCount: Int
  public let residualCount: Int
  private let evaluator: FormulaEvaluator

  /// - Precondition: every column has m ≥ 1 values; every σᵢ is positive and finite (the command line
  ///   checks the user's data first).
  public init(model: FormulaModel, predictors: [[Double]], response: [Double], sigma: [Double]? = nil) {
    let m = response.count
    precondition(m >= 1, "a fit needs data")
    precondition(predictors.count == model.predictorNames.count, "one column per predictor")
    precondition(predictors.allSatisfy { $0.count == m }, "every predictor column needs m values")
    precondition(
      sigma.map { $0.count == m && $0.allSatisfy { $0 > 0 && $0.isFinite } } ?? true, "σ must be m positive numbers")
    self.model = model
    self.predictors = predictors
    self.response = response
    self.sigma = sigma
    parameterCount = model.parameterCount
    residualCount = m
    evaluator = FormulaEvaluator(program: model.program)
  }

  /// Σᵢ wᵢ(yᵢ − ȳ)², wᵢ = 1/σᵢ², ȳ = Σwy/Σw: the total sum of squares that R² compares SSR with.
  public var totalSumOfSquares: Double {
    let w = sigma.map { $0.map { 1 / ($0 * $0) } } ?? [Double](repeating: 1, count: residualCount)
    let mean = zip(w, response).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
    return zip(w, response).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
  }

  public func residuals(at parameters: [Double], into residuals: inout [Double]) {
    precondition(residuals.count == residualCount, "the residual vector must have M elements")
    residuals.withUnsafeMutableBufferPointer { r in
      evaluator.evaluate(
        parameters: parameters, predictors: predictors, count: residualCount, values: r.baseAddress!, jacobian: nil)
    }
    finish(&residuals)
  }

  public func jacobian(at parameters: [Double], into jacobian: inout Matrix) {
    precondition(jacobian.rows == residualCount && jacobian.columns == parameterCount, "J must be M × P")
    var values = [Double](repeating: 0, count: residualCount)
    evaluate(parameters, &values, &jacobian)
    finish(&values)
    finish(&jacobian)
  }

  /// One forward-mode evaluation gives r and J together; G = JᵀJ (syrk) and g = Jᵀr (gemv).
  public func normalEquations(at parameters: [Double], normalMatrix: inout Matrix, gradient: inout [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    var j = Matrix(rows: residualCount, columns: parameterCount)
    evaluate(parameters, &r, &j)
    finish(&r)
    finish(&j)
    BLAS.syrk(j, transpose: .transpose, into: &normalMatrix)
    BLAS.gemv(j, r, transpose: .transpose, into: &gradient)
    return 0.5 * BLAS.dot(r, r)
  }

  private func evaluate(_ parameters: [Double], _ values: inout [Double], _ jacobian: inout Matrix) {
    values.withUnsafeMutableBufferPointer { v in
      jacobian.elements.withUnsafeMutableBufferPointer { j in
        evaluator.evaluate(
          parameters: parameters, predictors: predictors, count: residualCount, values: v.baseAddress!,
          jacobian: j.baseAddress)
      }
    }
  }

  /// f ↦ (f − y)/σ, sample by sample.
  private func finish(_ values: inout [Double]) {
    if let sigma {
      for i in 0..<residualCount { values[i] = (values[i] - response[i]) / sigma[i] }
    } else {
      for i in 0..<residualCount { values[i] -= response[i] }
    }
  }

  /// J ↦ J/σ, row by row.
  private func finish(_ jacobian: inout Matrix) {
    guard let sigma else { return }
    let m = residualCount
    jacobian.elements.withUnsafeMutableBufferPointer { j in
      for c in 0..<parameterCount { for i in 0..<m { j[i + c * m] /= sigma[i] } }
    }
  }
}
