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
  /// M: this rank's residuals (every residual in a single process).
  public let residualCount: Int
  /// The ranks over which the observations are split (``shard(communicator:)``); f, JᵀJ, Jᵀr and SST are
  /// then sums over every rank's.
  public let communicator: any Communicator
  private let evaluator: FormulaEvaluator

  /// - Precondition: every column has m ≥ 1 values; every σᵢ is positive and finite (the command line
  ///   checks the user's data first).
  public init(
    model: FormulaModel, predictors: [[Double]], response: [Double], sigma: [Double]? = nil,
    communicator: any Communicator = SingleProcessCommunicator.shared
  ) {
    let m = response.count
    precondition(m >= 1 || communicator.size > 1, "a fit needs data")
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
    self.communicator = communicator
    evaluator = FormulaEvaluator(program: model.program)
  }

  /// Σᵢ wᵢ(yᵢ − ȳ)², wᵢ = 1/σᵢ², ȳ = Σwy/Σw: the total sum of squares that R² compares SSR with.
  /// Collective when distributed: Σwy and Σw, then Σw(y − ȳ)², each summed over the ranks.
  public var totalSumOfSquares: Double {
    let w = sigma.map { $0.map { 1 / ($0 * $0) } } ?? [Double](repeating: 1, count: residualCount)
    guard isDistributed else {
      let mean = zip(w, response).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
      return zip(w, response).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
    }
    var sums = [zip(w, response).reduce(0) { $0 + $1.0 * $1.1 }, w.reduce(0, +)]
    communicator.allreduceSum(&sums)
    let mean = sums[0] / sums[1]
    return communicator.allreduceSum(zip(w, response).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) })
  }

  /// ½‖r‖², over every rank's residuals (collective when distributed).
  public func objective(at parameters: [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    residuals(at: parameters, into: &r)
    let f = 0.5 * BLAS.dot(r, r)
    return isDistributed ? communicator.allreduceSum(f) : f
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
    var f = 0.5 * BLAS.dot(r, r)
    if isDistributed {  // one all-reduce for G, one for g and f
      communicator.allreduceSum(&normalMatrix)
      gradient.append(f)
      communicator.allreduceSum(&gradient)
      f = gradient.removeLast()
    }
    return f
  }

  /// This rank's share of the observations, rows ⌊r·m/K⌋ ..< ⌊(r+1)·m/K⌋, as a problem whose f, JᵀJ, Jᵀr
  /// and SST are sums over the ranks of `communicator` (so that the solvers take the normal equations).
  public func shard(communicator: any Communicator) -> FormulaProblem {
    let (r, k, m) = (communicator.rank, communicator.size, residualCount)
    let rows = (r * m / k)..<((r + 1) * m / k)
    return FormulaProblem(
      model: model, predictors: predictors.map { Array($0[rows]) }, response: Array(response[rows]),
      sigma: sigma.map { Array($0[rows]) }, communicator: communicator)
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
