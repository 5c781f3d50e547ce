import Foundation
import KKTNet
import Solvers
import Testing

/// The 27 NIST StRD problems read by ``NISTFile`` and fitted through the formula path that `kktnet fit
/// --nist` takes (``FormulaProblem`` and ``FitSolver``), scored by the log relative error (LRE) of the
/// parameters, of the certified standard deviations and of the residual standard deviation.
@Suite("Fitting: NIST StRD files through the formula path")
struct FittingNISTTests {
  static let names = NISTProblem.names + NISTProblem.higherDifficulty

  static func file(_ name: String) throws -> NISTFile {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("NIST/\(name).dat")
    return try NISTFile.read(path: url.path)
  }

  struct Score {
    let parameters: Double
    let standardDeviations: Double
    let residualStandardDeviation: Double
    let result: SolverResult
  }

  static func score(_ nist: NISTFile, start: Int) throws -> Score {
    let problem = try nist.problem()
    let result = FitSolver().minimize(problem, from: nist.starts[start])
    let statistics = FitStatistics(problem: problem, parameters: result.parameters)
    let lre = NISTProblem.logRelativeError
    let se = try #require(statistics.standardErrors)
    return Score(
      parameters: zip(result.parameters, nist.certifiedParameters).map(lre).min()!,
      standardDeviations: zip(se, nist.certifiedStandardDeviations).map(lre).min()!,
      residualStandardDeviation: lre(statistics.residualStandardDeviation, nist.certifiedResidualStandardDeviation),
      result: result)
  }

  @Test("every file parses, with the model, starts and certified values the test harness has", arguments: names)
  func parses(_ name: String) throws {
    let nist = try Self.file(name)
    let reference = NISTProblem.load(name)
    #expect(nist.name == name)
    #expect(nist.starts == reference.starts)
    #expect(nist.certifiedParameters == reference.certified)
    #expect(nist.certifiedResidualSumOfSquares == reference.certifiedResidualSumOfSquares)
    #expect(nist.columns[0] == reference.y)
    #expect(nist.inconsistency == nil, "\(nist.inconsistency ?? "")")
    #expect(nist.corrections.isEmpty == (name != "Roszman1" && name != "Rat43"), "\(nist.corrections)")
    #expect(nist.certifiedDegreesOfFreedom == reference.y.count - reference.certified.count)
    // The formula's residuals and Jacobian equal the hand-written model's at the certified values, to a
    // few ulps of the terms: the two evaluate the same expressions in different orders.
    let problem = try nist.problem()
    let handWritten = reference.problem()
    var r = [Double](repeating: 0, count: problem.residualCount)
    var expected = r
    problem.residuals(at: nist.certifiedParameters, into: &r)
    handWritten.residuals(at: nist.certifiedParameters, into: &expected)
    let scale = reference.y.map(abs).max()!
    #expect(zip(r, expected).allSatisfy { abs($0 - $1) <= 64 * Double.ulpOfOne * scale }, "\(name) residuals")
    var j = Matrix(rows: problem.residualCount, columns: problem.parameterCount)
    var jExpected = j
    problem.jacobian(at: nist.certifiedParameters, into: &j)
    handWritten.jacobian(at: nist.certifiedParameters, into: &jExpected)
    for c in 0..<j.columns {
      let column = j.column(c)
      let columnScale = max(column.map(abs).max()!, jExpected.column(c).map(abs).max()!)
      #expect(
        zip(column, jExpected.column(c)).allSatisfy { abs($0 - $1) <= 1e-13 * columnScale }, "\(name) column \(c + 1)")
    }
  }

  @Test("the multi-line models, pi, arctan and the transformed response are read as NIST writes them")
  func specialModels() throws {
    #expect(
      try Self.file("ENSO").modelText
        == "y = b1 + b2*cos( 2*pi*x/12 ) + b3*sin( 2*pi*x/12 ) + b5*cos( 2*pi*x/b4 ) + b6*sin( 2*pi*x/b4 ) + b8*cos( 2*pi*x/b7 ) + b9*sin( 2*pi*x/b7 )"
    )
    #expect(try Self.file("Hahn1").modelText == "y = (b1+b2*x+b3*x**2+b4*x**3) / (1+b5*x+b6*x**2+b7*x**3)")
    let roszman = try Self.file("Roszman1")
    #expect(roszman.constants == ["pi": 3.141592653589793238462643383279])
    #expect(roszman.modelText == "y =  b1 - b2*x - arctan[b3/(x-b4)]/pi")
    let nelson = try Self.file("Nelson")
    #expect(nelson.columnNames == ["y", "x1", "x2"])
    let model = try nelson.model()
    #expect(model.responseColumnNames == ["y"] && model.predictorNames == ["x1", "x2"])
    #expect(try nelson.problem().response == nelson.columns[0].map { Foundation.log($0) })
  }

  @Test("Roszman1's misprinted b1 is noticed and corrected to NIST's published value")
  func roszmanMisprint() throws {
    let nist = try Self.file("Roszman1")
    #expect(nist.certifiedParameters[0] == 2.0196866396E-01)
    #expect(nist.corrections.count == 1 && nist.corrections[0].contains("1.20196866396"))
    #expect(abs(try nist.residualSumOfSquaresAtCertifiedValues() - 4.9484847331E-04) < 1e-12)
  }

  @Test("Rat43's misprinted degrees of freedom (9 for 15 − 4) are noticed")
  func rat43DegreesOfFreedom() throws {
    let nist = try Self.file("Rat43")
    #expect(nist.certifiedDegreesOfFreedom == 11)
    #expect(
      nist.corrections == [
        "the file states 9 degrees of freedom; 15 observations and 4 parameters leave 11, which the certified residual standard deviation agrees with"
      ])
  }

  @Test("a certified value that disagrees with the certified residual sum of squares is reported")
  func inconsistentFile() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("NIST/Misra1a.dat")
    let text = try String(contentsOf: url, encoding: .utf8)
    let altered = text.replacingOccurrences(of: "2.3894212918E+02", with: "2.3994212918E+02")
    #expect(altered != text)
    let nist = try NISTFile.parse(altered)
    #expect(nist.inconsistency?.contains("not the certified 0.12455138894") == true, "\(nist.inconsistency ?? "nil")")
    #expect(nist.corrections.isEmpty)
  }

  /// The tally: all 54 starts reach LRE ≥ 6 in every parameter (so ≥ 4 too), the certified standard deviations
  /// LRE ≥ 4 and the residual standard deviation LRE ≥ 6 — except Lanczos1's two statistics. Its certified
  /// residual sum of squares, 1.4·10⁻²⁵, is the square of residuals of 8·10⁻¹⁴ on responses near 1: evaluating
  /// the model in double precision leaves about three correct digits of each residual, so of s and of the
  /// standard deviations (LRE 3.0–3.1 here; 2.5 is required).
  @Test(
    "all 54 starts: parameters LRE ≥ 6, certified standard deviations LRE ≥ 4, residual sd LRE ≥ 6", arguments: names)
  func tally(_ name: String) throws {
    let nist = try Self.file(name)
    for start in 0..<2 {
      let score = try Self.score(nist, start: start)
      #expect(score.result.termination.isConvergence, "\(name) start \(start + 1): \(score.result.termination)")
      #expect(score.parameters >= 6, "\(name) start \(start + 1): parameter LRE \(score.parameters)")
      let statisticsRequired = name == "Lanczos1" ? 2.5 : 4.0
      #expect(
        score.standardDeviations >= statisticsRequired, "\(name) start \(start + 1): sd LRE \(score.standardDeviations)"
      )
      #expect(
        score.residualStandardDeviation >= (name == "Lanczos1" ? 2.5 : 6),
        "\(name) start \(start + 1): residual sd LRE \(score.residualStandardDeviation)")
    }
  }

  /// `KKTNET_NIST_TABLE=1 swift test --filter FittingNIST` prints the tally as a Markdown table.
  @Test("the tally table", .enabled(if: ProcessInfo.processInfo.environment["KKTNET_NIST_TABLE"] != nil))
  func table() throws {
    print("| problem | start | parameters LRE | standard deviations LRE | residual sd LRE | iterations |")
    print("|---|---|---|---|---|---|")
    for name in Self.names {
      let nist = try Self.file(name)
      for start in 0..<2 {
        let s = try Self.score(nist, start: start)
        print(
          "| \(name) | \(start + 1) | \(String(format: "%.1f", s.parameters)) | \(String(format: "%.1f", s.standardDeviations)) | \(String(format: "%.1f", s.residualStandardDeviation)) | \(s.result.iterations) |"
        )
      }
    }
  }
}
