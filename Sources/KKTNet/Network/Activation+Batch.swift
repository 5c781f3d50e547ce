import CVectorMath

/// The batched forms of each activation, over an n × m column-major batch (columns are samples).
///
/// These are the hot paths of every pass: one loop over the whole batch, with the transcendental functions
/// vectorized by `CVectorMath`.
extension Activation {
  /// σ(Z) for a batch whose columns are samples (softmax normalizes each column).
  public func apply(to z: Matrix) -> Matrix {
    var x = Matrix(rows: z.rows, columns: z.columns)
    z.elements.withUnsafeBufferPointer { pz in
      x.elements.withUnsafeMutableBufferPointer { px in
        apply(rows: z.rows, columns: z.columns, z: pz.baseAddress!, x: px.baseAddress!)
      }
    }
    return x
  }

  /// x = σ(z) over an n × m batch. `x` must not be `z`.
  package func apply(rows n: Int, columns m: Int, z: UnsafePointer<Double>, x: UnsafeMutablePointer<Double>) {
    precondition(UnsafePointer(x) != z, "apply: x must not alias z")
    let count = n * m
    switch self {
    case .identity:
      x.update(from: z, count: count)
    case .tanh:
      kkt_vector_tanh(count, z, x)
    case .sigmoid:
      for i in 0..<count { x[i] = -Swift.abs(z[i]) }
      kkt_vector_exp(count, x, x)
      for i in 0..<count {
        let t = x[i]
        x[i] = z[i] >= 0 ? 1 / (1 + t) : t / (1 + t)
      }
    case .relu:
      for i in 0..<count { x[i] = z[i] > 0 ? z[i] : 0 }
    case .leakyReLU(let slope):
      for i in 0..<count { x[i] = z[i] > 0 ? z[i] : slope * z[i] }
    case .elu(let alpha):
      for i in 0..<count { x[i] = Swift.min(z[i], 0) }
      kkt_vector_expm1(count, x, x)
      for i in 0..<count { x[i] = z[i] > 0 ? z[i] : alpha * x[i] }
    case .softplus:
      for i in 0..<count { x[i] = -Swift.abs(z[i]) }
      kkt_vector_exp(count, x, x)
      kkt_vector_log1p(count, x, x)
      for i in 0..<count { x[i] += Swift.max(z[i], 0) }
    case .softmax:
      for j in 0..<m {
        let column = z + j * n
        var largest = -Double.infinity
        for i in 0..<n { largest = Swift.max(largest, column[i]) }
        for i in 0..<n { x[i + j * n] = column[i] - largest }
      }
      kkt_vector_exp(count, x, x)
      for j in 0..<m {
        let column = x + j * n
        var sum = 0.0
        for i in 0..<n { sum += column[i] }
        let inverse = 1 / sum
        for i in 0..<n { column[i] *= inverse }
      }
    }
  }

  /// out = J_σ(z)·u for every sample: σ′(z) ⊙ u for an elementwise σ, s ⊙ (u − ⟨s, u⟩) for softmax.
  ///
  /// J_σ is symmetric for every activation here, so this is also Jᵀ_σ·u: the adjoint pass uses it as
  /// μᵏ = σ′ₖ(zᵏ) ⊙ λᵏ and the tangent pass as δxᵏ = σ′ₖ(zᵏ) ⊙ δzᵏ. `x` must be σ(z). `out` must not be `u`.
  package func multiplyByJacobian(
    rows n: Int, columns m: Int, z: UnsafePointer<Double>, x: UnsafePointer<Double>, u: UnsafePointer<Double>,
    out: UnsafeMutablePointer<Double>
  ) {
    precondition(UnsafePointer(out) != u, "multiplyByJacobian: out must not alias u")
    let count = n * m
    switch self {
    case .identity:
      out.update(from: u, count: count)
    case .tanh:
      for i in 0..<count { out[i] = (1 - x[i] * x[i]) * u[i] }
    case .softmax:
      for j in 0..<m {
        let s = x + j * n
        let v = u + j * n
        var inner = 0.0
        for i in 0..<n { inner += s[i] * v[i] }
        for i in 0..<n { out[i + j * n] = s[i] * (v[i] - inner) }
      }
    default:
      derivative(count: count, z: z, x: x, out: out)
      for i in 0..<count { out[i] *= u[i] }
    }
  }

  /// out = σ′(z) elementwise over `count` values (not for softmax, whose Jacobian is not diagonal).
  /// `x` must be σ(z); `out` must be a buffer of its own.
  package func derivative(
    count: Int, z: UnsafePointer<Double>, x: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>
  ) {
    precondition(UnsafePointer(out) != z && UnsafePointer(out) != x, "derivative: out must not alias z or x")
    switch self {
    case .identity:
      out.update(repeating: 1, count: count)
    case .tanh:
      for i in 0..<count { out[i] = 1 - x[i] * x[i] }
    case .sigmoid:
      // σ′ = e^−|z| / (1 + e^−|z|)², exact where σ(1 − σ) would round to 0.
      for i in 0..<count { out[i] = -Swift.abs(z[i]) }
      kkt_vector_exp(count, out, out)
      for i in 0..<count {
        let t = out[i]
        out[i] = t / ((1 + t) * (1 + t))
      }
    case .softplus:
      // softplus′ = sigmoid.
      Activation.sigmoid.apply(rows: count, columns: 1, z: z, x: out)
    case .relu:
      for i in 0..<count { out[i] = z[i] > 0 ? 1 : 0 }
    case .leakyReLU(let slope):
      for i in 0..<count { out[i] = z[i] > 0 ? 1 : slope }
    case .elu(let alpha):
      for i in 0..<count { out[i] = Swift.min(z[i], 0) }
      kkt_vector_exp(count, out, out)
      for i in 0..<count { out[i] = z[i] > 0 ? 1 : alpha * out[i] }
    case .softmax:
      preconditionFailure("softmax has no elementwise derivative; use multiplyByJacobian")
    }
  }
}
