import Foundation
import KKTNet
import PropertyBased
import Solvers
import Testing

/// Random formulas in a, b, c (parameters) and x, z (predictors): the forward-mode derivatives against
/// central differences of the formula's own values, and the values against an independent recursive
/// evaluator.
///
/// The formulas are built from every operator and function, arranged to stay inside their domains: log and
/// sqrt take 1 + u², a denominator is 1 + u², tan takes ½·sin(u), a non-integer power is (1 + u²)^sin(v).
/// Leaves are in [−1, 1] (parameters and data) or [0.5, 2] (numbers).
@Suite("Fitting: derivative properties")
struct FittingDerivativePropertyTests {
  static let cases = 400
  static let parameters = ["a", "b", "c"]

  /// A random formula of depth ≤ `depth`.
  static func formula(_ random: inout RandomSource, depth: Int) -> String {
    if depth == 0 || random.nextUniform() < 0.2 {
      switch random.nextIndex(below: 6) {
      case 0, 1, 2: return parameters[random.nextIndex(below: 3)]
      case 3, 4: return ["x", "z"][random.nextIndex(below: 2)]
      default: return String(format: "%.3f", 0.5 + 1.5 * random.nextUniform())
      }
    }
    let u = formula(&random, depth: depth - 1)
    let v = formula(&random, depth: depth - 1)
    let (open, close) = random.nextUniform() < 0.3 ? ("[", "]") : ("(", ")")
    let power = random.nextUniform() < 0.5 ? "^" : "**"
    switch random.nextIndex(below: 14) {
    case 0: return "\(u) + \(v)"
    case 1: return "\(u) - (\(v))"
    case 2: return "(\(u))*(\(v))"
    case 3: return "(\(u))/(1 + (\(v))\(power)2)"
    case 4: return "(\(u))\(power)\(2 + random.nextIndex(below: 2))"
    case 5: return "-(\(u))"
    case 6: return "exp\(open)\(u)\(close)"
    case 7: return "log\(open)1 + (\(u))^2\(close)"
    case 8: return "sqrt(1 + (\(u))^2)"
    case 9: return "sin\(open)\(u)\(close)"
    case 10: return "cos(\(u))"
    case 11: return "tan(0.5*sin(\(u)))"
    case 12: return random.nextUniform() < 0.5 ? "arctan(\(u))" : "atan(\(u))"
    default: return "(1 + (\(u))^2)\(power)sin(\(v))"
    }
  }

  struct Case: CustomStringConvertible {
    let text: String
    let theta: [Double]
    let x: [Double]
    let z: [Double]
    var description: String { "\(text) at θ = \(theta)" }
  }

  static let formulaCases = Gen<UInt64>.value().map { seed -> Case in
    var random = RandomSource(seed: seed)
    let text = formula(&random, depth: 2 + random.nextIndex(below: 3))
    let theta = (0..<3).map { _ in 2 * random.nextUniform() - 1 }
    let x = (0..<4).map { _ in 2 * random.nextUniform() - 1 }
    let z = (0..<4).map { _ in 2 * random.nextUniform() - 1 }
    return Case(text: text, theta: theta, x: x, z: z)
  }

  /// The value, a running bound on its rounding error (Higham 2002, §3.3: e_c ≤ |∂c/∂a|e_a + |∂c/∂b|e_b +
  /// u|c|), and the same bound for each tangent, computed recursively, sample by sample.
  struct Scalar {
    var value: Double
    var error: Double
    var tangentMagnitude: [Double]
  }

  static func scalar(_ e: FormulaExpression, _ theta: [Double], x: Double, z: Double) -> (Double, Double) {
    let u = Double.ulpOfOne / 2
    /// |∂c/∂a|·e_a, 0 when e_a = 0 whatever the partial (0·∞ would be NaN).
    func carry(_ partial: Double, _ error: Double) -> Double { error == 0 ? 0 : abs(partial) * error }
    func go(_ e: FormulaExpression) -> (Double, Double) {
      switch e {
      case .number(let v, _): return (v, v == v.rounded() ? 0 : u * abs(v))  // integers are exact
      case .name(let name, _):
        if let j = parameters.firstIndex(of: name) { return (theta[j], 0) }
        return (name == "x" ? x : z, 0)
      case .negate(let a, _):
        let (v, err) = go(a)
        return (-v, err)
      case .call(let f, let a, _):
        let (v, err) = go(a)
        let (c, d): (Double, Double)
        switch f {
        case .exp: (c, d) = (exp(v), exp(v))
        case .log: (c, d) = (log(v), 1 / v)
        case .sqrt: (c, d) = (v.squareRoot(), 0.5 / v.squareRoot())
        case .sin: (c, d) = (sin(v), cos(v))
        case .cos: (c, d) = (cos(v), -sin(v))
        case .tan: (c, d) = (tan(v), 1 + tan(v) * tan(v))
        case .arctan: (c, d) = (atan(v), 1 / (1 + v * v))
        }
        return (c, carry(d, err) + 2 * u * abs(c))
      case .binary(let op, let a, let b, _):
        let (p, ep) = go(a)
        let (q, eq) = go(b)
        switch op {
        case .add: return (p + q, ep + eq + u * abs(p + q))
        case .subtract: return (p - q, ep + eq + u * abs(p - q))
        case .multiply: return (p * q, carry(q, ep) + carry(p, eq) + u * abs(p * q))
        case .divide: return (p / q, carry(1 / q, ep) + carry(p / (q * q), eq) + u * abs(p / q))
        case .power:
          let c = pow(p, q)
          return (c, carry(q * pow(p, q - 1), ep) + carry(c * log(abs(p)), eq) + 4 * u * abs(c))
        }
      }
    }
    return go(e)
  }

  @Test("∂f/∂θ by forward mode equals central differences within their truncation and rounding error")
  func derivativesMatchCentralDifferences() async {
    let counter = Counter()
    await propertyCheck(count: Self.cases, input: Self.formulaCases) { c in
      // The parameters the formula uses, in the order a, b, c (a formula without any is skipped).
      guard let parsed = try? FormulaParser.parse(c.text) else {
        Issue.record("the generated formula does not parse: \(c)")
        return
      }
      let used = Self.parameters.filter { name in parsed.names.contains { $0.name == name } }
      guard !used.isEmpty else { return }
      let model: FormulaModel
      do {
        model = try FormulaModel(c.text, columns: ["x", "z"], parameters: used)
      } catch {
        Issue.record("\(error) in \(c)")
        return
      }
      let theta = used.map { c.theta[Self.parameters.firstIndex(of: $0)!] }
      let columns = model.predictorNames.map { $0 == "x" ? c.x : c.z }
      let (values, jacobian) = model.evaluate(parameters: theta, predictors: columns, count: 4)
      guard values.allSatisfy(\.isFinite), let j = jacobian else {
        Issue.record("non-finite value of \(c)")
        return
      }
      counter.increment()
      let expression = model.expression
      for i in 0..<4 {
        let (reference, error) = Self.scalar(expression, c.theta, x: c.x[i], z: c.z[i])
        // Values: the two evaluators round each operation once, but x³ is x·x·x on one side and pow on
        // the other, so they agree within the running error bound.
        #expect(abs(values[i] - reference) <= 4 * error + Double.leastNormalMagnitude, "value at sample \(i) of \(c)")
      }
      for (p, name) in used.enumerated() {
        let full = Self.parameters.firstIndex(of: name)!
        let h = pow(Double.ulpOfOne, 1.0 / 3) * max(1, abs(theta[p]))
        func central(_ step: Double) -> (derivative: [Double], noise: [Double]) {
          var plus = theta
          var minus = theta
          plus[p] += step
          minus[p] -= step
          var plusFull = c.theta
          var minusFull = c.theta
          plusFull[full] += step
          minusFull[full] -= step
          let up = model.evaluate(parameters: plus, predictors: columns, count: 4, derivatives: false).values
          let down = model.evaluate(parameters: minus, predictors: columns, count: 4, derivatives: false).values
          let noise = (0..<4).map { i in
            (Self.scalar(expression, plusFull, x: c.x[i], z: c.z[i]).1
              + Self.scalar(expression, minusFull, x: c.x[i], z: c.z[i]).1) / (2 * step)
          }
          return ((0..<4).map { (up[$0] - down[$0]) / (2 * step) }, noise)
        }
        let (d1, noise1) = central(h)
        let (d2, noise2) = central(2 * h)
        for i in 0..<4 {
          // Truncation: D(h) − f′ ≈ h²f‴/6 and D(2h) − D(h) ≈ 3·(D(h) − f′), so |D(2h) − D(h)|/3 estimates
          // it (Richardson); rounding: the error bounds of the two values over 2h, for both steps; the
          // analytic tangent's own rounding, a few ulps of the terms, is below 1e-12 relative.
          let tolerance = abs(d2[i] - d1[i]) + 2 * (noise1[i] + noise2[i]) + 1e-12 * abs(d1[i])
          #expect(abs(j[i, p] - d1[i]) <= tolerance, "∂f/∂\(name) at sample \(i) of \(c)")
        }
      }
    }
    // Most random formulas use a parameter; the property must not be vacuous.
    #expect(counter.value >= 3 * Self.cases / 5, "only \(counter.value) of \(Self.cases) formulas were checked")
  }
}

/// A count shared with a property closure.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  func increment() { lock.withLock { count += 1 } }
  var value: Int { lock.withLock { count } }
}
