import Foundation
import KKTNet
import Solvers

/// One NIST StRD nonlinear-regression problem: its data, two starting points, certified parameters and
/// residual sum of squares, read from NIST's own file, with the model and its analytic Jacobian.
struct NISTProblem: Sendable, CustomStringConvertible {
  let name: String
  let starts: [[Double]]
  let certified: [Double]
  let certifiedResidualSumOfSquares: Double
  /// Predictor values per observation (one or two), and the response.
  let x: [[Double]]
  let y: [Double]
  let model: NISTModel

  var description: String { name }

  static let names = [
    "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b", "Kirby2", "Hahn1",
    "Nelson",
    "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c", "Misra1d", "Roszman1", "ENSO",
  ]

  /// The eight problems of higher difficulty.
  static let higherDifficulty = ["MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10", "Eckerle4", "Rat43", "Bennett5"]

  /// Reads `NIST/NAME.dat`; `raw` skips the errata.
  static func load(_ name: String, raw: Bool = false) -> NISTProblem {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("NIST/\(name).dat")
    let text = try! String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\r", with: "")
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var starts: [[Double]] = [[], []]
    var certified: [Double] = []
    var ssr = Double.nan
    for line in lines {
      let parts = line.split(separator: " ").map(String.init)
      if parts.count >= 6, parts[0].hasPrefix("b"), Int(parts[0].dropFirst()) != nil, parts[1] == "=" {
        starts[0].append(Double(parts[2])!)
        starts[1].append(Double(parts[3])!)
        certified.append(Double(parts[4])!)
      }
      if line.hasPrefix("Residual Sum of Squares:") { ssr = Double(parts.last!)! }
    }
    let dataStart = lines.lastIndex { $0.hasPrefix("Data:") }! + 1
    var x: [[Double]] = []
    var y: [Double] = []
    for line in lines[dataStart...] {
      let values = line.split(separator: " ").compactMap { Double($0) }
      guard !values.isEmpty else { continue }
      y.append(values[0])
      x.append(Array(values.dropFirst()))
    }
    for (index, value) in errata[name] ?? [:] where raw == false { certified[index] = value }
    return NISTProblem(
      name: name, starts: starts, certified: certified, certifiedResidualSumOfSquares: ssr, x: x, y: y,
      model: NISTModel.named(name))
  }

  /// Certified values misprinted in the copies of the files we were given, with NIST's published values.
  /// Roszman1's b1 reads `1.20196866396E-0`; NIST certifies 2.0196866396E-01 — the misprint gives a
  /// residual sum of squares of 25.0005 instead of the certified 4.9484847331E-04, which is how the
  /// consistency test finds it, and our fit lands on 0.20196866396….
  static let errata: [String: [Int: Double]] = ["Roszman1": [0: 2.0196866396E-01]]

  /// r(b) = f(x; b) − y (Nelson: f − log y), with the analytic Jacobian.
  func problem() -> CurveFittingProblem {
    let (x, y, model) = (self.x, self.y, self.model)
    let response = name == "Nelson" ? y.map { Foundation.log($0) } : y
    return CurveFittingProblem(
      parameterCount: certified.count, residualCount: y.count,
      jacobian: { b in
        var j = Matrix(rows: x.count, columns: b.count)
        for (i, xi) in x.enumerated() {
          for (c, value) in model.gradient(xi, b).enumerated() { j[i, c] = value }
        }
        return j
      },
      residuals: { b in zip(x, response).map { model.value($0, b) - $1 } })
  }

  /// The log relative error −log₁₀(|estimate − certified| / |certified|), capped at 11 (the certified
  /// values have 11 significant digits).
  static func logRelativeError(_ estimate: Double, _ certified: Double) -> Double {
    guard estimate != certified else { return 11 }
    guard estimate.isFinite else { return 0 }
    return min(11, max(0, -Foundation.log10(abs(estimate - certified) / abs(certified))))
  }
}

/// f(x; b) and ∂f/∂b for each NIST model.
struct NISTModel: Sendable {
  let value: @Sendable ([Double], [Double]) -> Double
  let gradient: @Sendable ([Double], [Double]) -> [Double]

  static func named(_ name: String) -> NISTModel {
    switch name {
    case "Misra1a":
      // b1(1 − e^{−b2x})
      return NISTModel(
        value: { x, b in b[0] * (1 - exp(-b[1] * x[0])) },
        gradient: { x, b in [1 - exp(-b[1] * x[0]), b[0] * x[0] * exp(-b[1] * x[0])] })
    case "Chwirut1", "Chwirut2":
      // e^{−b1x} / (b2 + b3x)
      return NISTModel(
        value: { x, b in exp(-b[0] * x[0]) / (b[1] + b[2] * x[0]) },
        gradient: { x, b in
          let (e, q) = (exp(-b[0] * x[0]), b[1] + b[2] * x[0])
          return [-x[0] * e / q, -e / (q * q), -x[0] * e / (q * q)]
        })
    case "Lanczos1", "Lanczos2", "Lanczos3":
      // b1e^{−b2x} + b3e^{−b4x} + b5e^{−b6x}
      return NISTModel(
        value: { x, b in b[0] * exp(-b[1] * x[0]) + b[2] * exp(-b[3] * x[0]) + b[4] * exp(-b[5] * x[0]) },
        gradient: { x, b in
          let (e1, e2, e3) = (exp(-b[1] * x[0]), exp(-b[3] * x[0]), exp(-b[5] * x[0]))
          return [e1, -b[0] * x[0] * e1, e2, -b[2] * x[0] * e2, e3, -b[4] * x[0] * e3]
        })
    case "Gauss1", "Gauss2", "Gauss3":
      // b1e^{−b2x} + b3e^{−(x−b4)²/b5²} + b6e^{−(x−b7)²/b8²}
      return NISTModel(
        value: { x, b in
          b[0] * exp(-b[1] * x[0]) + b[2] * exp(-(x[0] - b[3]) * (x[0] - b[3]) / (b[4] * b[4])) + b[5]
            * exp(-(x[0] - b[6]) * (x[0] - b[6]) / (b[7] * b[7]))
        },
        gradient: { x, b in
          let e1 = exp(-b[1] * x[0])
          let (u, v) = (x[0] - b[3], x[0] - b[6])
          let e2 = exp(-u * u / (b[4] * b[4]))
          let e3 = exp(-v * v / (b[7] * b[7]))
          return [
            e1, -b[0] * x[0] * e1, e2, b[2] * e2 * 2 * u / (b[4] * b[4]), b[2] * e2 * 2 * u * u / (b[4] * b[4] * b[4]),
            e3,
            b[5] * e3 * 2 * v / (b[7] * b[7]), b[5] * e3 * 2 * v * v / (b[7] * b[7] * b[7]),
          ]
        })
    case "DanWood":
      // b1·x^b2
      return NISTModel(
        value: { x, b in b[0] * pow(x[0], b[1]) },
        gradient: { x, b in [pow(x[0], b[1]), b[0] * pow(x[0], b[1]) * log(x[0])] })
    case "Misra1b":
      // b1(1 − (1 + b2x/2)^−2)
      return NISTModel(
        value: { x, b in b[0] * (1 - pow(1 + b[1] * x[0] / 2, -2)) },
        gradient: { x, b in [1 - pow(1 + b[1] * x[0] / 2, -2), b[0] * x[0] * pow(1 + b[1] * x[0] / 2, -3)] })
    case "Kirby2":
      // (b1 + b2x + b3x²) / (1 + b4x + b5x²)
      return NISTModel(
        value: { x, b in (b[0] + b[1] * x[0] + b[2] * x[0] * x[0]) / (1 + b[3] * x[0] + b[4] * x[0] * x[0]) },
        gradient: { x, b in
          let t = x[0]
          let (n, d) = (b[0] + b[1] * t + b[2] * t * t, 1 + b[3] * t + b[4] * t * t)
          return [1 / d, t / d, t * t / d, -n * t / (d * d), -n * t * t / (d * d)]
        })
    case "Hahn1":
      // (b1 + b2x + b3x² + b4x³) / (1 + b5x + b6x² + b7x³)
      return NISTModel(
        value: { x, b in
          let t = x[0]
          return (b[0] + b[1] * t + b[2] * t * t + b[3] * t * t * t) / (1 + b[4] * t + b[5] * t * t + b[6] * t * t * t)
        },
        gradient: { x, b in
          let t = x[0]
          let n = b[0] + b[1] * t + b[2] * t * t + b[3] * t * t * t
          let d = 1 + b[4] * t + b[5] * t * t + b[6] * t * t * t
          return [
            1 / d, t / d, t * t / d, t * t * t / d, -n * t / (d * d), -n * t * t / (d * d), -n * t * t * t / (d * d),
          ]
        })
    case "Nelson":
      // log y = b1 − b2x₁e^{−b3x₂}
      return NISTModel(
        value: { x, b in b[0] - b[1] * x[0] * exp(-b[2] * x[1]) },
        gradient: { x, b in
          let e = exp(-b[2] * x[1])
          return [1, -x[0] * e, b[1] * x[0] * x[1] * e]
        })
    case "MGH17":
      // b1 + b2e^{−xb4} + b3e^{−xb5}
      return NISTModel(
        value: { x, b in b[0] + b[1] * exp(-x[0] * b[3]) + b[2] * exp(-x[0] * b[4]) },
        gradient: { x, b in
          let (e4, e5) = (exp(-x[0] * b[3]), exp(-x[0] * b[4]))
          return [1, e4, e5, -x[0] * b[1] * e4, -x[0] * b[2] * e5]
        })
    case "Misra1c":
      // b1(1 − (1 + 2b2x)^−½)
      return NISTModel(
        value: { x, b in b[0] * (1 - pow(1 + 2 * b[1] * x[0], -0.5)) },
        gradient: { x, b in [1 - pow(1 + 2 * b[1] * x[0], -0.5), b[0] * x[0] * pow(1 + 2 * b[1] * x[0], -1.5)] })
    case "Misra1d":
      // b1b2x / (1 + b2x)
      return NISTModel(
        value: { x, b in b[0] * b[1] * x[0] / (1 + b[1] * x[0]) },
        gradient: { x, b in
          let q = 1 + b[1] * x[0]
          return [b[1] * x[0] / q, b[0] * x[0] / (q * q)]
        })
    case "Roszman1":
      // b1 − b2x − arctan(b3/(x − b4))/π
      return NISTModel(
        value: { x, b in b[0] - b[1] * x[0] - atan(b[2] / (x[0] - b[3])) / Double.pi },
        gradient: { x, b in
          let u = x[0] - b[3]
          let q = u * u + b[2] * b[2]
          return [1, -x[0], -u / (Double.pi * q), -b[2] / (Double.pi * q)]
        })
    case "ENSO":
      // b1 + b2cos(2πx/12) + b3sin(2πx/12) + b5cos(2πx/b4) + b6sin(2πx/b4) + b8cos(2πx/b7) + b9sin(2πx/b7)
      return NISTModel(
        value: { x, b in
          let w = 2 * Double.pi * x[0]
          return b[0] + b[1] * cos(w / 12) + b[2] * sin(w / 12) + b[4] * cos(w / b[3]) + b[5] * sin(w / b[3]) + b[7]
            * cos(w / b[6]) + b[8] * sin(w / b[6])
        },
        gradient: { x, b in
          let w = 2 * Double.pi * x[0]
          let (c4, s4, c7, s7) = (cos(w / b[3]), sin(w / b[3]), cos(w / b[6]), sin(w / b[6]))
          let d4 = w / (b[3] * b[3])
          let d7 = w / (b[6] * b[6])
          return [
            1, cos(w / 12), sin(w / 12), (b[4] * s4 - b[5] * c4) * d4, c4, s4, (b[7] * s7 - b[8] * c7) * d7, c7, s7,
          ]
        })
    case "MGH09":
      // b1(x² + xb2) / (x² + xb3 + b4)
      return NISTModel(
        value: { x, b in
          let t = x[0]
          return b[0] * (t * t + t * b[1]) / (t * t + t * b[2] + b[3])
        },
        gradient: { x, b in
          let t = x[0]
          let (n, d) = (t * t + t * b[1], t * t + t * b[2] + b[3])
          return [n / d, b[0] * t / d, -b[0] * n * t / (d * d), -b[0] * n / (d * d)]
        })
    case "Thurber":
      // (b1 + b2x + b3x² + b4x³) / (1 + b5x + b6x² + b7x³), Hahn1's model
      return named("Hahn1")
    case "BoxBOD":
      // b1(1 − e^{−b2x}), Misra1a's model
      return named("Misra1a")
    case "Rat42":
      // b1 / (1 + e^{b2 − b3x})
      return NISTModel(
        value: { x, b in b[0] / (1 + exp(b[1] - b[2] * x[0])) },
        gradient: { x, b in
          let e = exp(b[1] - b[2] * x[0])
          let q = 1 + e
          return [1 / q, -b[0] * e / (q * q), b[0] * x[0] * e / (q * q)]
        })
    case "MGH10":
      // b1e^{b2/(x + b3)}
      return NISTModel(
        value: { x, b in b[0] * exp(b[1] / (x[0] + b[2])) },
        gradient: { x, b in
          let u = x[0] + b[2]
          let e = exp(b[1] / u)
          return [e, b[0] * e / u, -b[0] * b[1] * e / (u * u)]
        })
    case "Eckerle4":
      // (b1/b2)e^{−½((x − b3)/b2)²}
      return NISTModel(
        value: { x, b in
          let z = (x[0] - b[2]) / b[1]
          return b[0] / b[1] * exp(-0.5 * z * z)
        },
        gradient: { x, b in
          let z = (x[0] - b[2]) / b[1]
          let f = b[0] / b[1] * exp(-0.5 * z * z)
          let g = exp(-0.5 * z * z) / b[1]
          return [g, f * (z * z - 1) / b[1], f * z / b[1]]
        })
    case "Rat43":
      // b1 / (1 + e^{b2 − b3x})^{1/b4}
      return NISTModel(
        value: { x, b in b[0] / pow(1 + exp(b[1] - b[2] * x[0]), 1 / b[3]) },
        gradient: { x, b in
          let e = exp(b[1] - b[2] * x[0])
          let q = 1 + e
          let f = b[0] / pow(q, 1 / b[3])
          return [pow(q, -1 / b[3]), -f * e / (b[3] * q), f * x[0] * e / (b[3] * q), f * log(q) / (b[3] * b[3])]
        })
    case "Bennett5":
      // b1(b2 + x)^{−1/b3}
      return NISTModel(
        value: { x, b in b[0] * pow(b[1] + x[0], -1 / b[2]) },
        gradient: { x, b in
          let u = b[1] + x[0]
          let f = b[0] * pow(u, -1 / b[2])
          return [pow(u, -1 / b[2]), -f / (b[2] * u), f * log(u) / (b[2] * b[2])]
        })
    default:
      preconditionFailure("no model for \(name)")
    }
  }
}
