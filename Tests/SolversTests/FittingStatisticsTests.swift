import Foundation
import KKTNet
import Solvers
import Testing

/// Student's t quantiles, the incomplete beta function, and the statistics of a fit: against values
/// computed by mpmath at 40 digits (bench/fitting has the SciPy comparisons), against closed forms, and
/// against a linear model whose covariance is known exactly.
@Suite("Fitting: t quantiles and fit statistics")
struct FittingStatisticsTests {
  /// (ν, p, t_p) from mpmath: findroot of ½·I_{ν/(ν+t²)}(ν/2, ½) = 1 − p, with p the double nearest the
  /// decimal.
  static let quantiles: [(Double, Double, Double)] = [
    (3, 0.975, 3.1824463052837084359), (3, 0.995, 5.8409093097333554113), (3, 0.9, 1.6377443536962103222),
    (3, 0.6, 0.27667066233268984701), (3, 0.999999, 103.29946777942897177), (5, 0.975, 2.5705818356363147828),
    (5, 0.995, 4.0321429835552271793), (5, 0.9, 1.4758840488244812516), (5, 0.6, 0.26718086570414506569),
    (5, 0.999999, 24.771029720372488564), (10, 0.975, 2.2281388519862742245), (10, 0.995, 3.1692726726169507118),
    (10, 0.9, 1.3721836411103357746), (10, 0.6, 0.26018482949208017615), (10, 0.999999, 9.7519954909098546085),
    (30, 0.975, 2.0422724563012378878), (30, 0.995, 2.7499956535672249664), (30, 0.9, 1.3104150253913957112),
    (30, 0.6, 0.25560536495191271444), (30, 0.999999, 5.8711171204086238133), (100, 0.975, 1.9839715185235518946),
    (100, 0.995, 2.625890521438017607), (100, 0.9, 1.2900747613465160976), (100, 0.6, 0.25402218245822775892),
    (100, 0.999999, 5.0488308772214468406), (1000, 0.975, 1.9623390808264081039), (1000, 0.995, 2.5807546980659507706),
    (1000, 0.9, 1.282398721460924564), (1000, 0.6, 0.25341451583949870728), (1000, 0.999999, 4.7816086204524386087),
  ]

  /// (x, a, b, I_x(a, b)) from mpmath's betainc.
  static let betas: [(Double, Double, Double, Double)] = [
    (0.3, 2, 3, 0.34829999999999998042), (0.9, 0.5, 0.5, 0.79516723530086657191),
    (0.01, 10, 0.5, 1.770034965528574304e-21), (0.999, 50, 2, 0.99876590960688291533), (0.5, 500, 500, 0.5),
    (0.2, 1, 1, 0.2000000000000000111),
  ]

  @Test("t quantiles to 1e-10 relative, ν = 3 … 1000, p from 0.6 to 1 − 10⁻⁶")
  func quantiles() {
    for (nu, p, expected) in Self.quantiles {
      let t = StudentT.quantile(p, degreesOfFreedom: nu)
      #expect(abs(t - expected) <= 1e-10 * expected, "ν = \(nu), p = \(p): \(t) vs \(expected)")
      let lower = StudentT.quantile(1 - p, degreesOfFreedom: nu)
      #expect(abs(lower + expected) <= 1e-10 * expected + 1e-15, "ν = \(nu), p = \(1 - p)")
    }
  }

  @Test("ν = 1 and 2 have closed forms; the tail inverts the quantile")
  func closedForms() {
    for p in [0.6, 0.9, 0.975, 0.995, 0.999999] {
      #expect(
        abs(StudentT.quantile(p, degreesOfFreedom: 1) - tan(Double.pi * (p - 0.5))) <= 1e-12
          * tan(Double.pi * (p - 0.5)))
      let two = (2 * p - 1) / (2 * p * (1 - p)).squareRoot()
      #expect(abs(StudentT.quantile(p, degreesOfFreedom: 2) - two) <= 1e-12 * two)
      for nu in [1.0, 2, 7, 50] {
        let t = StudentT.quantile(p, degreesOfFreedom: nu)
        #expect(abs(StudentT.cumulativeProbability(t, degreesOfFreedom: nu) - p) <= 1e-13, "ν = \(nu), p = \(p)")
      }
    }
    #expect(StudentT.quantile(0.5, degreesOfFreedom: 4) == 0)
  }

  /// The prefactor xᵃ(1 − x)ᵇ/B(a, b) is exp of a sum of logarithms that cancel: its relative error is a few
  /// ε times the sum of their magnitudes (2.6·10⁻¹² for a = b = 500), on top of the fraction's 10⁻¹⁴.
  @Test("the regularized incomplete beta function to the rounding of its logarithms")
  func incompleteBeta() {
    for (x, a, b, expected) in Self.betas {
      let value = IncompleteBeta.regularized(x, a: a, b: b)
      let logs = abs(lgamma(a + b)) + abs(lgamma(a)) + abs(lgamma(b)) + abs(a * log(x)) + abs(b * log1p(-x))
      let tolerance = expected * (1e-14 + 4 * Double.ulpOfOne * logs)
      #expect(abs(value - expected) <= tolerance, "I_\(x)(\(a), \(b)) = \(value), expected \(expected)")
    }
  }

  /// A straight line y = a + b·x has Cov = s²(XᵀX)⁻¹ with XᵀX = [[m, Σx], [Σx, Σx²]].
  @Test("a straight line: estimates, covariance and R² equal the closed forms of linear regression")
  func straightLine() throws {
    let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7]
    let y: [Double] = [1.1, 2.9, 5.2, 7.1, 8.8, 11.2, 12.9, 15.1]
    let model = try FormulaModel("a + b*x", columns: ["x", "y"], parameters: ["a", "b"])
    let problem = FormulaProblem(model: model, predictors: [x], response: y)
    let result = FitSolver().minimize(problem, from: [0, 0])
    let m = Double(x.count)
    let (sx, sy) = (x.reduce(0, +), y.reduce(0, +))
    let sxx = x.reduce(0) { $0 + $1 * $1 }
    let sxy = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    let det = m * sxx - sx * sx
    let b = (m * sxy - sx * sy) / det
    let a = (sy - b * sx) / m
    #expect(abs(result.parameters[0] - a) <= 1e-12 && abs(result.parameters[1] - b) <= 1e-12)
    let statistics = FitStatistics(
      problem: problem, parameters: result.parameters, totalSumOfSquares: problem.totalSumOfSquares)
    let ssr = zip(x, y).reduce(0) { $0 + (a + b * $1.0 - $1.1) * (a + b * $1.0 - $1.1) }
    #expect(abs(statistics.residualSumOfSquares - ssr) <= 1e-12 * ssr)
    #expect(abs(statistics.residualSumOfSquares - 2 * result.loss) <= 1e-14 * ssr)
    let s2 = ssr / (m - 2)
    let covariance = try #require(statistics.covariance)
    let expected = [[s2 * sxx / det, -s2 * sx / det], [-s2 * sx / det, s2 * m / det]]
    for i in 0..<2 { for j in 0..<2 { #expect(abs(covariance[i, j] - expected[i][j]) <= 1e-12 * abs(expected[i][j])) } }
    let mean = sy / m
    let sst = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    #expect(abs(try #require(statistics.rSquared) - (1 - ssr / sst)) <= 1e-14)
    #expect(abs(try #require(statistics.adjustedRSquared) - (1 - (ssr / sst) * (m - 1) / (m - 2))) <= 1e-14)
    #expect(statistics.degreesOfFreedom == 6 && statistics.rank == 2)
    // The band at the data's mean x: se = s/√m exactly for a line.
    let (values, gradients) = model.evaluate(parameters: result.parameters, predictors: [[sx / m]])
    let bands = try #require(
      FitBands(statistics: statistics, values: values, gradients: gradients!, confidence: 0.95, weighted: false))
    #expect(abs(bands.meanStandardErrors[0] - (s2 / m).squareRoot()) <= 1e-12)
    #expect(abs(bands.predictionStandardDeviations![0] - (s2 * (1 + 1 / m)).squareRoot()) <= 1e-12)
    #expect(abs(bands.tQuantile - 2.4469118511449697) <= 1e-12)
  }

  @Test("a rank-deficient Jacobian is reported with its rank and the parameters it cannot separate")
  func rankDeficient() throws {
    // a·b·x: only the product a·b is determined.
    let model = try FormulaModel("a*b*x + c", columns: ["x"], parameters: ["a", "b", "c"])
    let problem = FormulaProblem(model: model, predictors: [[1, 2, 3, 4, 5]], response: [2.1, 3.9, 6.2, 8.1, 9.8])
    let result = FitSolver().minimize(problem, from: [1, 1, 0])
    let statistics = FitStatistics(problem: problem, parameters: result.parameters, parameterNames: ["a", "b", "c"])
    #expect(statistics.rank == 2)
    #expect(statistics.covariance == nil && statistics.standardErrors == nil)
    #expect(statistics.covarianceProblem?.contains("rank 2 of 3") == true)
    #expect(
      statistics.covarianceProblem?.hasSuffix("a, b cannot be determined separately") == true,
      "\(statistics.covarianceProblem ?? "")")
  }

  @Test("absolute σ: Cov = (JᵀJ)⁻¹; relative σ: s²(JᵀJ)⁻¹, as SciPy's curve_fit")
  func absoluteSigma() throws {
    let model = try FormulaModel("a + b*x", columns: ["x"], parameters: ["a", "b"])
    let sigma = [0.1, 0.2, 0.1, 0.3, 0.2]
    let problem = FormulaProblem(
      model: model, predictors: [[0, 1, 2, 3, 4]], response: [1, 3.1, 4.9, 7.2, 9], sigma: sigma)
    let result = FitSolver().minimize(problem, from: [0, 0])
    let relative = FitStatistics(problem: problem, parameters: result.parameters)
    let absolute = FitStatistics(problem: problem, parameters: result.parameters, absoluteSigma: true)
    let s2 = relative.residualVariance
    let (r, a) = (try #require(relative.covariance), try #require(absolute.covariance))
    for i in 0..<4 { #expect(abs(r.elements[i] - s2 * a.elements[i]) <= 1e-13 * abs(r.elements[i])) }
    // Weighted least squares: (XᵀWX)⁻¹ with W = diag(1/σ²).
    let w = sigma.map { 1 / ($0 * $0) }
    let x: [Double] = [0, 1, 2, 3, 4]
    let (s0, s1, s2w) = (
      w.reduce(0, +), zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }, zip(w, x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
    )
    let det = s0 * s2w - s1 * s1
    #expect(abs(a[0, 0] - s2w / det) <= 1e-13 * s2w / det && abs(a[1, 1] - s0 / det) <= 1e-13 * s0 / det)
  }
}
