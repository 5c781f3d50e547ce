import KKTNet

/// The Gauss–Newton (Laplace) approximation of a trained mse network's parameter uncertainty, and the
/// predictive standard deviation it implies by the delta method (MacKay 1992, "A practical Bayesian framework
/// for backpropagation networks"; Bishop 2006, §5.7.1).
///
/// Training minimized J(θ) = (1/2m) Σᵢ ‖ŷᵢ − yᵢ‖² + (λ₂/2)‖W‖², whose Gauss–Newton matrix is
/// G = (1/m) Σᵢ JᵢᵀJᵢ + λ₂I_W (``NetworkLeastSquaresProblem``'s normal matrix). With Gaussian noise of
/// variance s² on every output, the posterior of θ is approximately normal with
///
///     Cov(θ) = (s²/m)·G⁺,   s² = Σᵢ‖ŷᵢ − yᵢ‖² / (m·n_N − γ),   γ = tr((G − λ₂I_W)G⁺),
///
/// G⁺ the pseudo-inverse over G's numerical rank (eigenvalues ≤ P·ε·λ_max count as zero: directions the
/// data do not determine, such as a dead unit's weights, get no variance rather than an infinite one), and γ
/// the effective number of parameters (the rank when λ₂ = 0). At an input x* with g = ∂ŷ/∂θ,
///
///     Var ŷ(x*) ≈ (s²/m)·gᵀG⁺g  (the mean),     Var y* ≈ s² + (s²/m)·gᵀG⁺g  (a new observation).
///
/// Memory: G and its SVD hold 4·P² doubles (P = 971: 30 MB; P = 4 000: 512 MB); the prediction Jacobian
/// is formed 256 samples at a time.
public struct NetworkLaplaceApproximation: Sendable {
  /// The largest P accepted (4·P² doubles = 800 MB).
  public static let maximumParameterCount = 5000

  /// The network at θ, whose outputs the approximation describes.
  public let network: Network
  /// m, the training samples.
  public let sampleCount: Int
  /// The numerical rank of G.
  public let rank: Int
  /// γ.
  public let effectiveParameterCount: Double
  /// s², in the units the network was trained in (standardized targets when it was).
  public let residualVariance: Double
  /// The eigenvectors of G over its rank (columns, P × rank) and their eigenvalues.
  let vectors: Matrix
  let values: [Double]

  /// Builds the approximation from the training data (`inputs` n₀ × m and `targets` n_N × m, transformed as
  /// they were for training).
  ///
  /// - Throws: ``InputError`` when the network is not an mse network without λ₁, P is too large, or the data
  ///   leave no degrees of freedom.
  public init(network: Network, inputs: Matrix, targets: Matrix) throws(InputError) {
    guard network.loss == .meanSquaredError else {
      throw InputError("a predictive standard deviation needs an mse (regression) model, not \(network.loss)")
    }
    guard network.regularization.l1 == 0 else {
      throw InputError("the Laplace approximation needs a smooth objective; the model has λ₁ > 0")
    }
    let p = network.architecture.parameterCount
    guard p <= Self.maximumParameterCount else {
      throw InputError(
        "the model has \(p) parameters; the P × P covariance needs \(4 * p * p * 8 / 1_000_000) MB, and at most \(Self.maximumParameterCount) parameters are accepted"
      )
    }
    let m = inputs.columns
    let problem = NetworkLeastSquaresProblem(network: network, inputs: inputs, targets: targets)
    var g = Matrix(rows: p, columns: p)
    var gradient = [Double](repeating: 0, count: p)
    _ = problem.normalEquations(at: network.parameters, normalMatrix: &g, gradient: &gradient)
    var r = [Double](repeating: 0, count: problem.residualCount)
    problem.residuals(at: network.parameters, into: &r)
    let dataRows = m * network.architecture.outputSize
    let ssr = Double(m) * r[0..<dataRows].reduce(0) { $0 + $1 * $1 }
    let svd: (u: Matrix, singularValues: [Double], vt: Matrix)
    do { svd = try LAPACK.gesvd(g) } catch { throw InputError("the eigen-decomposition of JᵀJ failed: \(error)") }
    let threshold = Double(p) * Double.ulpOfOne * (svd.singularValues.first ?? 0)
    let rank = svd.singularValues.filter { $0 > threshold }.count
    var vectors = Matrix(rows: p, columns: rank)
    for k in 0..<rank { for i in 0..<p { vectors[i, k] = svd.vt[k, i] } }
    let values = Array(svd.singularValues.prefix(rank))
    // γ = rank − λ₂·Σ_{i∈W} (G⁺)ᵢᵢ.
    var gamma = Double(rank)
    let l2 = network.regularization.l2
    if l2 > 0 {
      let architecture = network.architecture
      for k in 1...architecture.layerCount {
        for i in architecture.weightOffset(layer: k)..<architecture.biasOffset(layer: k) {
          var diagonal = 0.0
          for c in 0..<rank { diagonal += vectors[i, c] * vectors[i, c] / values[c] }
          gamma -= l2 * diagonal
        }
      }
    }
    guard Double(dataRows) > gamma + 0.5 else {
      throw InputError(
        "the training data have \(dataRows) residuals for \(String(format: "%.1f", gamma)) effective parameters; s² needs more residuals than parameters"
      )
    }
    self.network = network
    sampleCount = m
    self.rank = rank
    effectiveParameterCount = gamma
    residualVariance = ssr / (Double(dataRows) - gamma)
    self.vectors = vectors
    self.values = values
  }

  /// The standard deviations at new inputs (n₀ × m*, transformed as for training): of the network's mean
  /// output and of a new observation, each n_N × m*, in the training units.
  public func standardDeviations(inputs: Matrix) -> (mean: Matrix, predictive: Matrix) {
    let n = network.architecture.outputSize
    let total = inputs.columns
    var mean = Matrix(rows: n, columns: total)
    var predictive = Matrix(rows: n, columns: total)
    var plain = network
    plain.regularization = .none
    let scale = residualVariance / Double(sampleCount)
    var start = 0
    while start < total {
      let count = min(256, total - start)
      let block = Matrix(
        rows: inputs.rows, columns: count,
        elements: Array(inputs.elements[(start * inputs.rows)..<((start + count) * inputs.rows)]))
      let problem = NetworkLeastSquaresProblem(
        network: plain, inputs: block, targets: Matrix(rows: n, columns: count))
      var j = Matrix(rows: count * n, columns: network.architecture.parameterCount)
      problem.jacobian(at: network.parameters, into: &j)
      // The problem's rows carry 1/√count; B = Vᵣᵀ·(√count·J)ᵀ is rank × rows.
      var b = Matrix(rows: rank, columns: count * n)
      BLAS.gemm(vectors, j, transposeA: .transpose, transposeB: .transpose, alpha: Double(count).squareRoot(), into: &b)
      for row in 0..<(count * n) {
        var quadratic = 0.0
        for k in 0..<rank { quadratic += b[k, row] * b[k, row] / values[k] }
        let variance = scale * quadratic
        let (sample, output) = (start + row / n, row % n)
        mean[output, sample] = variance.squareRoot()
        predictive[output, sample] = (residualVariance + variance).squareRoot()
      }
      start += count
    }
    return (mean, predictive)
  }
}
