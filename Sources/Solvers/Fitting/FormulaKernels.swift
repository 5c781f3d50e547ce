import Foundation

/// The scalar operations of a formula and their local derivatives, shared by constant folding and by the
/// evaluator's loops, so that a folded constant and a computed value round the same way.
enum FormulaKernels {
  @inline(__always)
  static func apply(_ f: FormulaFunction, _ a: Double) -> Double {
    switch f {
    case .exp: return Foundation.exp(a)
    case .log: return Foundation.log(a)
    case .sqrt: return a.squareRoot()
    case .sin: return Foundation.sin(a)
    case .cos: return Foundation.cos(a)
    case .tan: return Foundation.tan(a)
    case .arctan: return Foundation.atan(a)
    }
  }

  /// f′(a), given also c = f(a): exp′ = c, log′ = 1/a, sqrt′ = 1/(2c), sin′ = cos a, cos′ = −sin a,
  /// tan′ = 1 + c², arctan′ = 1/(1 + a²).
  @inline(__always)
  static func derivative(_ f: FormulaFunction, _ a: Double, _ c: Double) -> Double {
    switch f {
    case .exp: return c
    case .log: return 1 / a
    case .sqrt: return 0.5 / c
    case .sin: return Foundation.cos(a)
    case .cos: return -Foundation.sin(a)
    case .tan: return 1 + c * c
    case .arctan: return 1 / (1 + a * a)
    }
  }

  @inline(__always)
  static func apply(_ op: FormulaOperator, _ a: Double, _ b: Double) -> Double {
    switch op {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    case .power: return power(a, b)
    }
  }

  /// aᵇ; `pow` returns 1 for 1^NaN and NaN^0, which would hide an undefined value, so NaN stays NaN.
  @inline(__always)
  static func power(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    return Foundation.pow(a, b)
  }

  /// aⁿ: exact products for n = 2 and 3 and 1/a for n = −1, else `pow`.
  @inline(__always)
  static func integerPower(_ a: Double, _ n: Int) -> Double {
    switch n {
    case 0: return 1
    case 1: return a
    case 2: return a * a
    case 3: return a * a * a
    case -1: return 1 / a
    case -2: return 1 / (a * a)
    default: return Foundation.pow(a, Double(n))
    }
  }
}
