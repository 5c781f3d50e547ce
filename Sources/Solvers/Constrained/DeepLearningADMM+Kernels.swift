import Foundation
import KKTNet

extension DeepLearningADMM {
  /// The update rules of dlADMM's `common.py`, one function each, in their order of operations (an empty
  /// multiplier is their u = 0).
  enum Kernels {
    /// W·a + b, b broadcast over the columns.
    static func affine(_ w: Matrix, _ a: Matrix, _ b: Matrix) -> Matrix {
      var out = w * a
      for j in 0..<out.columns { for i in 0..<out.rows { out.elements[i + j * out.rows] += b.elements[i] } }
      return out
    }

    static func relu(_ x: Matrix) -> Matrix {
      Matrix(rows: x.rows, columns: x.columns, elements: x.elements.map { max($0, 0) })
    }

    static func map(_ x: Matrix, _ y: Matrix, _ f: (Double, Double) -> Double) -> Matrix {
      Matrix(rows: x.rows, columns: x.columns, elements: zip(x.elements, y.elements).map(f))
    }

    static func sum(_ v: [Double]) -> Double { v.reduce(0, +) }

    /// z − W·a − b + u/ρ (u empty: 0).
    static func shifted(_ a: Matrix, _ w: Matrix, _ b: Matrix, _ z: Matrix, _ u: Matrix, _ rho: Double) -> Matrix {
      let fitted = affine(w, a, b)
      var out = map(z, fitted, -)
      if !u.elements.isEmpty { for i in out.elements.indices { out.elements[i] += u.elements[i] / rho } }
      return out
    }

    /// eq1: (ρ/2)‖z − W·a − b + u/ρ‖².
    static func phi(_ a: Matrix, _ w: Matrix, _ b: Matrix, _ z: Matrix, _ u: Matrix, _ rho: Double) -> Double {
      let t = shifted(a, w, b, z, u, rho)
      return rho / 2 * sum(t.elements.map { $0 * $0 })
    }

    /// softmax with their guards: e^z clamped at e^88.6 when it overflows, 10⁻¹⁰ added to the sum.
    static func softmax(_ x: Matrix) -> Matrix {
      var e = x.elements.map { Foundation.exp($0) }
      let cap = Foundation.exp(88.6)
      for i in e.indices where e[i] == .infinity { e[i] = cap }
      for j in 0..<x.columns {
        var total = 0.0
        for i in 0..<x.rows { total += e[i + j * x.rows] }
        for i in 0..<x.rows { e[i + j * x.rows] /= total + 1e-10 }
      }
      return Matrix(rows: x.rows, columns: x.columns, elements: e)
    }

    /// −Σ y log p, p = softmax(z) with a zero probability counted as 10⁻¹⁰.
    static func crossEntropyWithSoftmax(_ y: Matrix, _ z: Matrix) -> Double {
      let p = softmax(z).elements.map { $0 == 0 ? 1e-10 : $0 }
      return -sum(zip(y.elements, p).map { $0 * Foundation.log($1) })
    }

    /// update_W: a gradient step on eq1 with backtracking (×2) from curvature `alpha`.
    static func updateWeights(
      _ aLast: Matrix, _ b: Matrix, _ z: Matrix, _ wOld: Matrix, _ u: Matrix, _ rho: Double, _ alpha0: Double
    ) -> Matrix {
      // eq1_W = ρ(W·a + b − z − u/ρ)aᵀ = −ρ·shifted·aᵀ.
      let t = shifted(aLast, wOld, b, z, u, rho)
      var gradient = Matrix(rows: wOld.rows, columns: wOld.columns)
      BLAS.gemm(t, aLast, transposeB: .transpose, alpha: -rho, into: &gradient)
      let base = phi(aLast, wOld, b, z, u, rho)
      var alpha = alpha0
      while true {
        let zeta = map(wOld, gradient) { $0 - $1 / alpha }
        let d = map(zeta, wOld, -)
        let model =
          base + sum(zip(gradient.elements, d.elements).map(*)) + sum(d.elements.map { alpha * $0 * $0 }) / 2
        if !(phi(aLast, zeta, b, z, u, rho) > model) { return zeta }
        alpha *= 2
      }
    }

    /// update_b: b − mean over the samples of (W·a + b − z − u/ρ), their exact step.
    static func updateBias(
      _ aLast: Matrix, _ w: Matrix, _ z: Matrix, _ bOld: Matrix, _ u: Matrix, _ rho: Double
    ) -> Matrix {
      let t = shifted(aLast, w, bOld, z, u, rho)
      var out = bOld
      for i in 0..<t.rows {
        var total = 0.0
        for j in 0..<t.columns { total += rho * -t.elements[i + j * t.rows] }
        out.elements[i] = bOld.elements[i] - (total / Double(t.columns)) / rho
      }
      return out
    }

    /// update_z: the closed-form ReLU step, the better of min(W·a + b, 0) and max((W·a + b + a)/2, 0) per entry.
    static func updatePreActivation(_ aLast: Matrix, _ w: Matrix, _ b: Matrix, _ a: Matrix, _ rho: Double) -> Matrix {
      let fitted = affine(w, aLast, b)
      var out = fitted
      for i in out.elements.indices {
        let z1 = min(fitted.elements[i], 0)
        let z2 = max((fitted.elements[i] + a.elements[i]) / 2, 0)
        let v1 =
          (z1 - fitted.elements[i]) * (z1 - fitted.elements[i]) + (a.elements[i] - max(z1, 0))
          * (a.elements[i] - max(z1, 0))
        let v2 =
          (z2 - fitted.elements[i]) * (z2 - fitted.elements[i]) + (a.elements[i] - max(z2, 0))
          * (a.elements[i] - max(z2, 0))
        out.elements[i] = v1 > v2 ? z2 : z1
      }
      return out
    }

    /// update_zl: FISTA on R(zᴺ) + (ρ/2)‖zᴺ − W·a − b + u/ρ‖² with η = 4, at most 500 steps, until the
    /// objective changes by less than 10⁻³.
    static func updateOutput(
      _ aLast: Matrix, _ w: Matrix, _ b: Matrix, _ y: Matrix, _ zOld: Matrix, _ u: Matrix, _ rho: Double
    ) -> Matrix {
      var f = 10e10
      var zl = zOld
      var lambda = 1.0
      var zeta = zl
      let eta = 4.0
      let fitted = affine(w, aLast, b)
      for _ in 0..<500 {
        let fOld = f
        let t = shifted(aLast, w, b, zl, u, rho)
        f = crossEntropyWithSoftmax(y, zl) + rho / 2 * sum(t.elements.map { $0 * $0 })
        if abs(f - fOld) < 1e-3 { break }
        let lambdaOld = lambda
        lambda = (1 + (1 + 4 * lambda * lambda).squareRoot()) / 2
        let gamma = (1 - lambdaOld) / lambda
        let gradient = map(softmax(zl), y, -)
        let zetaOld = zeta
        var next = zl
        for i in next.elements.indices {
          let target = fitted.elements[i] - (u.elements.isEmpty ? 0 : u.elements[i] / rho)
          next.elements[i] = (rho * target + (zl.elements[i] - eta * gradient.elements[i]) / eta) / (rho + 1 / eta)
        }
        zeta = next
        zl = map(zeta, zetaOld) { (1 - gamma) * $0 + gamma * $1 }
      }
      return zl
    }

    /// a_obj: eq1 in a plus (ρ/2)‖a − relu(z)‖².
    static func activationObjective(
      _ a: Matrix, _ wNext: Matrix, _ bNext: Matrix, _ zNext: Matrix, _ uNext: Matrix, _ z: Matrix, _ rho: Double
    ) -> Double {
      let d = map(a, z) { $0 - max($1, 0) }
      return phi(a, wNext, bNext, zNext, uNext, rho) + rho / 2 * sum(d.elements.map { $0 * $0 })
    }

    /// update_a: a gradient step on a_obj with backtracking (×2) from curvature `t`.
    static func updateActivation(
      _ wNext: Matrix, _ bNext: Matrix, _ zNext: Matrix, _ z: Matrix, _ aOld: Matrix, _ uNext: Matrix,
      _ rho: Double, _ t0: Double
    ) -> Matrix {
      // eq1_a = ρWᵀ(W·a + b − z − u/ρ) = −ρWᵀ·shifted, plus ρ(a − relu(z)).
      let s = shifted(aOld, wNext, bNext, zNext, uNext, rho)
      var gradient = Matrix(rows: aOld.rows, columns: aOld.columns)
      BLAS.gemm(wNext, s, transposeA: .transpose, alpha: -rho, into: &gradient)
      for i in gradient.elements.indices { gradient.elements[i] += rho * (aOld.elements[i] - max(z.elements[i], 0)) }
      let base = activationObjective(aOld, wNext, bNext, zNext, uNext, z, rho)
      var t = t0
      while true {
        let beta = map(aOld, gradient) { $0 - $1 / t }
        let d = map(beta, aOld, -)
        let model = base + sum(zip(gradient.elements, d.elements).map(*)) + sum(d.elements.map { t * $0 * $0 }) / 2
        if !(activationObjective(beta, wNext, bNext, zNext, uNext, z, rho) > model) { return beta }
        t *= 2
      }
    }
  }
}
