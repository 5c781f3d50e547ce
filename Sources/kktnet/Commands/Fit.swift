import ArgumentParser
import Foundation
import KKTNet
import Solvers

struct Fit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fit a model written as a formula to CSV data (or a NIST StRD file), with its statistics.",
    discussion: """
      The formula uses + - * / ^ (or **), unary minus, ( ) or [ ], exp, log, sqrt, sin, cos, tan, arctan \
      (atan) and pi. Its names that are columns of --data are predictors, the names in --start are the \
      parameters; 'g(y) = f' fits a transformed response. Derivatives are exact (forward mode). The report \
      gives the estimates, standard errors from s²(JᵀJ)⁻¹ (the SVD of J), t-based confidence intervals, the \
      residual sum of squares SSR = ‖r‖² (twice the solver's loss ½‖r‖²), s = √(SSR/(m − p)), R² and the \
      correlations; --sigma weights as SciPy's curve_fit does (rᵢ = (f − yᵢ)/σᵢ; --absolute-sigma: σ are \
      standard deviations, not relative weights). --robust fits SciPy least_squares's losses through the \
      Triggs correction; its statistics are those of the reweighted fit. --bounds keeps parameters in a box \
      (Levenberg–Marquardt: a projected active-set trust region); a parameter that ends on its bound is \
      reported as such and held fixed there for the statistics (standard error 0, not counted in m − p).
      """)

  @Option(help: "The data (CSV with a header row).")
  var data: String?

  @Option(help: "A NIST StRD nonlinear-regression file (model, data, starting and certified values).")
  var nist: String?

  @Option(help: "The model: a formula, or 'g(y) = formula' for a transformed response.")
  var model: String?

  @Option(name: .customLong("y"), help: "The response column (default: y, when there is one).")
  var response: String?

  @Option(help: "The parameters and their starting values, 'a=1,b=1,c=0'; with --nist, 1 or 2.")
  var start: String

  @Option(help: "A column of standard deviations σᵢ of the responses, as weights 1/σᵢ².")
  var sigma: String?

  @Flag(help: "σ are absolute standard deviations: Cov = (JᵀJ)⁻¹, not scaled by s².")
  var absoluteSigma = false

  @Option(help: "The confidence level of the intervals and bands.")
  var confidence: Double = 0.95

  @Option(
    help: "A CSV file of predictor values (and σ for a weighted fit) where to give confidence and prediction bands.")
  var predictAt: String?

  @Option(help: "Bands on a grid of one predictor, 'x=0:10:101' (from, to, points).")
  var grid: String?

  @Option(help: "Write the bands as CSV here (atomically).")
  var out: String?

  @Option(help: "Draw the data, the fit and its bands as SVG here (a model of one predictor).")
  var plot: String?

  @OptionGroup var robustLoss: RobustLossOptions

  @Option(help: "Bounds on parameters, 'b=0:inf,c=-1:1' (lower:upper, inf or -inf for none); Levenberg–Marquardt.")
  var bounds: String?

  @Option(help: "levenberg-marquardt or gauss-newton.")
  var solver: FitSolver.Method = .levenbergMarquardt

  @Option(help: "The iteration budget.")
  var maxIterations: Int = FitSolver.defaultMaximumIterations

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard (data == nil) != (nist == nil) else { throw ValidationError("give either --data (with --model) or --nist.") }
    if data != nil && model == nil { throw ValidationError("--data needs --model, the formula to fit.") }
    if nist != nil {
      guard model == nil, response == nil, sigma == nil else {
        throw ValidationError("--nist brings its own model, response and data: leave out --model, --y and --sigma.")
      }
      guard start == "1" || start == "2" else {
        throw ValidationError("with --nist, --start is 1 or 2 (NIST's starting points), not '\(start.prefix(60))'.")
      }
    } else {
      _ = try StartValues(start)
    }
    if absoluteSigma && sigma == nil { throw ValidationError("--absolute-sigma needs --sigma.") }
    guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must lie between 0 and 1.") }
    guard maxIterations >= 1 && maxIterations <= 100_000_000 else {
      throw ValidationError("--max-iterations must lie between 1 and 100000000.")
    }
    if let bounds {
      _ = try BoundsSpecification(bounds)
      guard solver == .levenbergMarquardt else { throw ValidationError("--bounds needs --solver levenberg-marquardt.") }
    }
    if predictAt != nil && grid != nil { throw ValidationError("give --predict-at or --grid, not both.") }
    if out != nil && predictAt == nil && grid == nil {
      throw ValidationError("--out writes bands: give --predict-at or --grid.")
    }
    if let grid { _ = try GridSpecification(grid) }
    if let plot, !plot.lowercased().hasSuffix(".svg") {
      throw ValidationError("--plot writes SVG: give a file name ending in .svg.")
    }
  }

  func run() throws {
    for path in [out, plot].compactMap({ $0 }) { try AtomicFile.checkWritable(path) }
    let setup = try FitSetup(self)
    if DataParallel.writesOutput {
      for note in setup.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    }
    // With kktnet-mpi: every rank read the file, each fits with its share of the rows.
    let base = DataParallel.isDistributed ? setup.problem.shard(communicator: DataParallel.communicator) : setup.problem
    if DataParallel.isDistributed {
      if robustLoss.robust != nil { throw ValidationError("--robust is not data-parallel; fit it with kktnet.") }
      if bounds != nil { throw ValidationError("--bounds is not data-parallel; fit it with kktnet.") }
      if let empty = DataParallel.communicator.firstRank(where: base.residualCount == 0) {
        throw ValidationError(
          "rank \(empty) of \(DataParallel.communicator.size) holds no observation (\(setup.problem.residualCount) in all); run on fewer ranks."
        )
      }
    }
    let result: SolverResult
    let statistics: FitStatistics
    let fitSolver = FitSolver(method: solver, maximumIterations: maxIterations, bounds: setup.bounds)
    if let robust = robustLoss.robust {
      let problem = RobustLeastSquaresProblem(base, loss: robust, scale: robustLoss.scale)
      result = fitSolver.minimize(problem, from: setup.start)
      statistics = FitStatistics(
        problem: problem, parameters: result.parameters, absoluteSigma: absoluteSigma,
        parameterNames: setup.parameterNames, held: setup.held(at: result.parameters))
    } else {
      result = fitSolver.minimize(base, from: setup.start)
      statistics = FitStatistics(
        problem: base, parameters: result.parameters, totalSumOfSquares: base.totalSumOfSquares,
        absoluteSigma: absoluteSigma, parameterNames: setup.parameterNames, held: setup.held(at: result.parameters))
    }
    if result.termination == .nonFiniteStart {
      throw InputError("the model is not finite at the starting values \(setup.startText); choose other --start values")
    }
    let bands = try setup.bands(statistics: statistics, confidence: confidence, weighted: sigma != nil)
    guard DataParallel.writesOutput else { return }
    if let out, let bands { try AtomicFile.write(bands.csv, to: out) }
    if let plot {
      let drawing = try setup.plot(statistics: statistics, confidence: confidence, weighted: sigma != nil)
      try AtomicFile.write(drawing.rendered, to: plot)
    }
    let report = FitReport(
      setup: setup, result: result, statistics: statistics, confidence: confidence, robust: robustLoss.robust,
      robustScale: robustLoss.scale, bands: bands, solver: solver)
    switch output.format {
    case .json: try printJSON(report)
    case .table: print(report.text)
    }
  }
}

extension FitSolver.Method: ExpressibleByArgument {}

/// `--start a=1,b=2`: names and finite values, in order, each name once.
struct StartValues {
  let names: [String]
  let values: [Double]

  init(_ text: String) throws {
    var names: [String] = []
    var values: [Double] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2, let first = parts[0].first, first.isLetter || first == "_",
        parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
      else {
        throw ValidationError("--start takes name=value pairs, like a=1,b=0.5, not '\(item.prefix(60))'.")
      }
      guard let value = parseDecimal(parts[1]), value.isFinite else {
        throw ValidationError("--start: the value of \(parts[0]) is '\(parts[1].prefix(60))', not a finite number.")
      }
      guard !names.contains(parts[0]) else { throw ValidationError("--start names \(parts[0]) twice.") }
      guard FormulaFunction(name: parts[0]) == nil && parts[0] != "pi" else {
        throw ValidationError("--start: '\(parts[0])' is a function or constant of the formula, not a parameter name.")
      }
      names.append(parts[0])
      values.append(value)
    }
    self.names = names
    self.values = values
  }
}

/// `--bounds b=0:inf,c=-1:1`: for each named parameter a lower and an upper bound (±inf for none), l ≤ u.
struct BoundsSpecification {
  let names: [String]
  let lower: [Double]
  let upper: [Double]

  init(_ text: String) throws {
    var (names, lower, upper) = ([String](), [Double](), [Double]())
    func bound(_ text: Substring) -> Double? {
      let t = text.trimmingCharacters(in: .whitespaces).lowercased()
      if t == "inf" || t == "+inf" || t == "infinity" { return .infinity }
      if t == "-inf" || t == "-infinity" { return -.infinity }
      return parseDecimal(t).flatMap { $0.isFinite ? $0 : nil }
    }
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: "=", maxSplits: 1)
      let range = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false) : []
      guard parts.count == 2, range.count == 2, let l = bound(range[0]), let u = bound(range[1]) else {
        throw ValidationError(
          "--bounds takes name=lower:upper pairs, like b=0:inf,c=-1:1, not '\(item.prefix(60))'.")
      }
      let name = parts[0].trimmingCharacters(in: .whitespaces)
      guard l <= u, l < .infinity, u > -.infinity else {
        throw ValidationError(
          "--bounds: the bounds of \(name.prefix(60)) need lower ≤ upper, not '\(parts[1].prefix(60))'.")
      }
      guard !names.contains(name) else { throw ValidationError("--bounds names \(name.prefix(60)) twice.") }
      names.append(name)
      lower.append(l)
      upper.append(u)
    }
    (self.names, self.lower, self.upper) = (names, lower, upper)
  }

  /// The box of the parameters `parameterNames` (unbounded where not named).
  func constraints(parameterNames: [String]) throws -> BoxConstraints {
    if let unknown = names.first(where: { !parameterNames.contains($0) }) {
      throw ValidationError(
        "--bounds names \(unknown.prefix(60)), which is not a parameter; the parameters are \(parameterNames.joined(separator: ", "))."
      )
    }
    var box = (
      lower: [Double](repeating: -.infinity, count: parameterNames.count),
      upper: [Double](
        repeating: .infinity, count: parameterNames.count)
    )
    for (k, name) in names.enumerated() {
      let j = parameterNames.firstIndex(of: name)!
      box.lower[j] = lower[k]
      box.upper[j] = upper[k]
    }
    return BoxConstraints(lower: box.lower, upper: box.upper)
  }
}

/// `--grid x=0:10:101`.
struct GridSpecification {
  let name: String
  let values: [Double]

  init(_ text: String) throws {
    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
    let range = parts.count == 2 ? parts[1].split(separator: ":").map(String.init) : []
    guard parts.count == 2, range.count == 3, let from = parseDecimal(range[0]), let to = parseDecimal(range[1]),
      from.isFinite, to.isFinite, let count = Int(range[2]), count >= 2, count <= 1_000_000
    else {
      throw ValidationError(
        "--grid takes name=from:to:points with 2 to 1000000 points, like x=0:10:101, not '\(text.prefix(60))'.")
    }
    name = parts[0].trimmingCharacters(in: .whitespaces)
    values = (0..<count).map { from + (to - from) * Double($0) / Double(count - 1) }
  }
}
