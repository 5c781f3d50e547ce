import Foundation
import KKTNet
import TestSupport
import Testing

/// `kktnet fit` end to end: SciPy's curve_fit and least_squares fits of bench/fitting reproduced from the
/// same CSV files, a NIST file with its certified values, bands, and bad input that gets one sentence.
@Suite("kktnet fit")
struct FitCommandTests {
  static let folder = repositoryRoot.appendingPathComponent("bench/fitting")

  static func references() throws -> [[String: Any]] {
    let data = try Data(contentsOf: folder.appendingPathComponent("references.json"))
    let json = try #require(foundationObject(try JSONValue.parse(Array(data))) as? [String: Any])
    return try #require(json["fits"] as? [[String: Any]])
  }

  static func arguments(_ fit: [String: Any]) -> [String] {
    var arguments = [
      "fit", "--data", folder.appendingPathComponent(fit["data"] as! String).path, "--model", fit["model"] as! String,
      "--y", fit["y"] as! String, "--start", fit["start"] as! String, "--format", "json",
    ]
    if let sigma = fit["sigma"] as? String { arguments += ["--sigma", sigma] }
    if fit["absolute_sigma"] as? Bool == true { arguments.append("--absolute-sigma") }
    if let bounds = fit["bounds"] as? String { arguments += ["--bounds", bounds] }
    if let robust = fit["robust"] as? String {
      arguments += ["--robust", robust, "--robust-scale", "\(fit["robust_scale"] as! Double)"]
    }
    return arguments
  }

  static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

  /// Parameters to 1e-6 relative, standard errors to 1e-4 (SciPy was given the analytic Jacobian).
  @Test("SciPy curve_fit(method='lm'): unweighted, relative and absolute σ, two predictors")
  func curveFit() throws {
    let fits = try Self.references().filter { $0["robust"] == nil && $0["bounds"] == nil }
    #expect(fits.count == 4)
    for fit in fits {
      let name = fit["name"] as! String
      let result = try runKKTNet(Self.arguments(fit))
      #expect(result.status == 0, "\(name): \(result.standardError)")
      let json = try #require(result.json)
      let parameters = try #require(json["parameters"] as? [String: Double])
      let errors = try #require(json["standard_errors"] as? [String: Double])
      for (key, expected) in fit["parameters"] as! [String: Double] {
        #expect(Self.relative(parameters[key]!, expected) <= 1e-6, "\(name) \(key): \(parameters[key]!) vs \(expected)")
      }
      for (key, expected) in fit["standard_errors"] as! [String: Double] {
        #expect(Self.relative(errors[key]!, expected) <= 1e-4, "\(name) se \(key): \(errors[key]!) vs \(expected)")
      }
      // A convergence test of the trust region (MINPACK's info 1–3 or 6–8), not the budget.
      let converged = [
        "relative_reduction", "trust_region_radius", "relative_reduction_and_radius", "reduction_below_rounding",
        "radius_below_rounding", "orthogonality_below_rounding",
      ]
      #expect(converged.contains(json["termination"] as? String ?? ""), "\(name): \(json["termination"] ?? "")")
      let ssr = try #require(json["residual_sum_of_squares"] as? Double)
      #expect(abs(ssr - 2 * (json["loss"] as! Double)) <= 1e-14 * ssr, "SSR is twice the solver's ½‖r‖²")
    }
  }

  @Test("SciPy least_squares(loss=…, f_scale=…): every robust loss at two scales, to 1e-6")
  func robust() throws {
    let fits = try Self.references().filter { $0["robust"] != nil && $0["bounds"] == nil }
    #expect(fits.count == 8)
    for fit in fits {
      let json = try Self.matchesSciPy(fit)
      #expect(json["robust_cost"] is Double, "\(fit["name"]!): the robust cost is reported")
    }
  }

  /// Runs one SciPy reference fit and checks the parameters to 1e-6 relative and the cost (robust, or ½‖r‖²)
  /// to 1e-9; the JSON result for further checks.
  static func matchesSciPy(_ fit: [String: Any]) throws -> [String: Any] {
    let name = fit["name"] as! String
    let result = try runKKTNet(arguments(fit))
    #expect(result.status == 0, "\(name): \(result.standardError)")
    let json = try #require(result.json)
    let parameters = try #require(json["parameters"] as? [String: Double])
    for (key, expected) in fit["parameters"] as! [String: Double] {
      #expect(relative(parameters[key]!, expected) <= 1e-6, "\(name) \(key): \(parameters[key]!) vs \(expected)")
    }
    let cost = try #require((json["robust_cost"] ?? json["loss"]) as? Double)
    #expect(relative(cost, fit["cost"] as! Double) <= 1e-9, "\(name): cost \(cost)")
    return json
  }

  /// SciPy's trf (Coleman–Li's reflective trust region, a different method) reaches the same first-order
  /// point: parameters to 1e-6 relative, the cost to 1e-9, and the same parameters on a bound.
  @Test("SciPy least_squares(bounds=…, method='trf'): active and inactive bounds, weighted and robust")
  func bounded() throws {
    let fits = try Self.references().filter { $0["bounds"] != nil }
    #expect(fits.count == 6)
    for fit in fits {
      let name = fit["name"] as! String
      let json = try Self.matchesSciPy(fit)
      // SciPy's active_mask: −1 on the lower bound, 1 on the upper, 0 free.
      let atBound = try #require(json["at_bound"] as? [String: Any])
      for (key, mask) in fit["active_mask"] as! [String: Int] {
        let expected: String? = mask == -1 ? "lower" : mask == 1 ? "upper" : nil
        #expect(atBound[key] as? String == expected, "\(name) \(key): \(atBound[key] ?? "free")")
      }
      let errors = try #require(json["standard_errors"] as? [String: Double])
      for key in atBound.keys { #expect(errors[key] == 0, "\(name): \(key) is held at its bound") }
    }
  }

  @Test("--bounds: a start outside, an unknown name, a bad range and Gauss–Newton get one sentence each")
  func badBounds() throws {
    let data = Self.folder.appendingPathComponent("decay.csv").path
    let base = ["fit", "--data", data, "--model", "a*exp(-b*x) + c", "--start", "a=1,b=1,c=0"]
    let cases: [([String], String)] = [
      (["--bounds", "b=1.35:2"], "the start b = 1"),
      (["--bounds", "d=0:1"], "--bounds names d, which is not a parameter"),
      (["--bounds", "b=2:1"], "need lower ≤ upper"),
      (["--bounds", "b=0"], "name=lower:upper"),
      (["--bounds", "b=0:inf", "--solver", "gauss-newton"], "--bounds needs --solver levenberg-marquardt"),
    ]
    for (extra, sentence) in cases {
      let result = try runKKTNet(base + extra)
      #expect(result.status != 0, "\(extra)")
      #expect(result.standardError.contains(sentence), "\(extra): \(result.standardError)")
    }
  }

  @Test("--nist: the certified values beside the estimates, and Roszman1's misprint noticed on standard error")
  func nist() throws {
    let path = repositoryRoot.appendingPathComponent("Tests/SolversTests/NIST/Roszman1.dat").path
    let result = try runKKTNet(["fit", "--nist", path, "--start", "2", "--format", "json"])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardError.hasPrefix("note: Roszman1: the certified b1 is printed as 1.20196866396"))
    let json = try #require(result.json)
    let lre = try #require(json["parameter_lre"] as? [String: Double])
    #expect(lre.count == 4 && lre.values.allSatisfy { $0 >= 6 })
    let sdLRE = try #require(json["standard_deviation_lre"] as? [String: Double])
    #expect(sdLRE.values.allSatisfy { $0 >= 4 })
    #expect(try #require(json["residual_standard_deviation_lre"] as? Double) >= 6)
    #expect(json["degrees_of_freedom"] as? Int == 21)
    let table = try runKKTNet(["fit", "--nist", path, "--start", "1"])
    #expect(table.status == 0)
    let lines = table.standardOutput.split(separator: "\n").map(String.init)
    #expect(lines[2].hasPrefix("parameter") && lines[2].contains("certified") && lines[2].hasSuffix("sd LRE"))
    #expect(lines[3].hasPrefix("b1") && lines[3].contains("0.201968664"))
  }

  @Test("bands on a grid and at the rows of a file; --out writes them as CSV")
  func bands() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = Self.folder.appendingPathComponent("logistic.csv").path
    let out = folder.appendingPathComponent("bands.csv").path
    let grid = try runKKTNet([
      "fit", "--data", data, "--model", "k/(1 + exp(-(x - m)/s))", "--start", "k=2,m=0,s=1", "--grid", "x=-3:5:9",
      "--format", "json", "--out", out,
    ])
    #expect(grid.status == 0, "\(grid.standardError)")
    let rows = try #require(grid.json?["predictions"] as? [[String: Any]])
    #expect(rows.count == 9)
    let middle = rows[4]
    let fit = middle["fit"] as! Double
    let confidence = middle["confidence"] as! [Double]
    let prediction = middle["prediction"] as! [Double]
    #expect(middle["x"] as? Double == 1)
    #expect(
      confidence[0] < fit && fit < confidence[1] && prediction[0] < confidence[0] && confidence[1] < prediction[1])
    let plot = folder.appendingPathComponent("decay.svg").path
    let drawn = try runKKTNet([
      "fit", "--data", Self.folder.appendingPathComponent("decay.csv").path, "--model", "a*exp(-b*x) + c", "--start",
      "a=1,b=1,c=0", "--plot", plot,
    ])
    #expect(drawn.status == 0, "\(drawn.standardError)")
    let svg = try String(contentsOfFile: plot, encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("95% confidence") && svg.contains("95% prediction"))
    #expect(svg.components(separatedBy: "<circle").count - 1 == 40 + 1, "40 data points and the legend's marker")
    let csv = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 10)
    #expect(csv[0] == "x,fit,se_fit,lower_confidence,upper_confidence,sd_prediction,lower_prediction,upper_prediction")
    // A weighted fit's prediction band needs σ at the points: given in --predict-at's sigma column.
    let points = folder.appendingPathComponent("points.csv")
    try "x,sigma\n0,0.05\n1,0.1\n".write(to: points, atomically: true, encoding: .utf8)
    let weighted = try runKKTNet([
      "fit", "--data", data, "--model", "k/(1 + exp(-(x - m)/s))", "--start", "k=2,m=0,s=1", "--sigma", "sigma",
      "--predict-at", points.path, "--format", "json",
    ])
    #expect(weighted.status == 0, "\(weighted.standardError)")
    let weightedRows = try #require(weighted.json?["predictions"] as? [[String: Any]])
    let sd = weightedRows.map { $0["sd_prediction"] as! Double }
    let se = weightedRows.map { $0["se_fit"] as! Double }
    let s2 = pow(try #require(weighted.json?["residual_standard_deviation"] as? Double), 2)
    #expect(abs(sd[1] * sd[1] - (se[1] * se[1] + s2 * 0.01)) <= 1e-12 * sd[1] * sd[1])
  }

  @Test(
    "bad input: one sentence (a formula error adds the formula and a caret) and a non-zero exit",
    arguments: [
      (["--model", "a*exp(-q*x) + c", "--start", "a=1,b=1,c=0"], 1, "unknown name 'q'", 3),
      (["--model", "a*exp(-b*x + c", "--start", "a=1,b=1,c=0"], 1, "column 6: the '(' opened here is never closed", 3),
      (["--model", "a*exp(-b*x) + c", "--start", "a=1,b=one"], 64, "the value of b is 'one'", 0),
      (["--model", "a*exp(-b*x) + c", "--start", "a=1,b=1,c=0", "--sigma", "x"], 1, "every σ must be positive", 1),
      (["--model", "a*exp(-b*x) + c", "--start", "a=1,b=1,c=0", "--y", "w"], 1, "there is no column 'w'", 1),
      (["--model", "a*exp(-b*x) + c", "--start", "a=1,b=1,c=0", "--confidence", "1.5"], 64, "--confidence", 0),
      (["--model", "a*exp(-b*x) + c", "--start", "a=1,b=1,c=0", "--plot", "fit.png"], 64, "--plot writes SVG", 0),
      (["--model", "a*x^2", "--start", "a=1,b=2"], 1, "does not use the parameter 'b'", 3),
      (["--model", "a*exp(-b*x) + c", "--start", "a=1e300,b=-1e3,c=0"], 1, "not finite at the starting values", 1),
    ])
  func badInput(_ extra: [String], _ status: Int32, _ message: String, _ lines: Int) throws {
    let data = Self.folder.appendingPathComponent("decay.csv").path
    let result = try runKKTNet(["fit", "--data", data] + extra)
    #expect(result.status == status, "\(result.standardError)")
    #expect(result.standardError.contains(message), "\(result.standardError)")
    if lines > 0 { #expect(result.standardError.split(separator: "\n").count == lines, "\(result.standardError)") }
    #expect(result.standardOutput.isEmpty)
  }

  @Test("bad data: NaN, too few rows, a non-number; each named by file and line")
  func badData() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for (text, message) in [
      ("x,y\n1,2\n2,nan\n3,4\n4,5\n", "line 3, column 2 ('y') holds 'nan', which is not a number"),
      ("x,y\n1,2\n2,3\n", "the data has 2 rows for 3 parameters"),
      ("x,y\n1,2\n2,abc\n3,4\n4,5\n", "holds 'abc'"),
    ] {
      let file = folder.appendingPathComponent("d.csv")
      try text.write(to: file, atomically: true, encoding: .utf8)
      let result = try runKKTNet(["fit", "--data", file.path, "--model", "a*exp(-b*x) + c", "--start", "a=1,b=1,c=0"])
      #expect(result.status == 1)
      #expect(
        result.standardError.contains(message) && result.standardError.contains("d.csv"), "\(result.standardError)")
      #expect(result.standardError.split(separator: "\n").count == 1)
    }
  }

  @Test("predict --std: predictive and mean standard deviations from the training data's Gauss–Newton matrix")
  func predictStandardDeviation() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = folder.appendingPathComponent("curve.csv")
    var text = "x,y\n"
    for i in 0..<60 {
      let x = -2 + 4 * Double(i) / 59
      text += "\(x),\(3 * sin(x) + 0.1 * sin(37 * x))\n"
    }
    try text.write(to: data, atomically: true, encoding: .utf8)
    let model = folder.appendingPathComponent("m.safetensors").path
    let train = try runKKTNet([
      "train", "--data", data.path, "--architecture", "1-4-1", "--activations", "tanh", "--loss", "mse",
      "--standardize", "--standardize-targets", "--solver", "levenberg-marquardt", "--max-iterations", "40", "--out",
      model, "--quiet", "--format", "json",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    let result = try runKKTNet([
      "predict", "--model", model, "--data", data.path, "--std", "--training-data", data.path,
    ])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardError.hasPrefix("note: --std: s = "))
    let lines = result.standardOutput.split(separator: "\n")
    #expect(lines[0] == "y0,std0,mean_std0")
    let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
    #expect(rows.count == 60)
    // std² − mean_std² = s² (in the targets' units) at every point.
    let s2 = rows.map { $0[1] * $0[1] - $0[2] * $0[2] }
    #expect(s2.allSatisfy { abs($0 - s2[0]) <= 1e-9 * s2[0] } && s2[0] > 0)
    #expect(rows.allSatisfy { $0[2] > 0 && $0[1] > $0[2] })
    let missing = try runKKTNet(["predict", "--model", model, "--data", data.path, "--std"])
    #expect(missing.status == 64 && missing.standardError.contains("--std needs --training-data"))
  }
}
