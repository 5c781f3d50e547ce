import CLAPACK
import Foundation
import KKTNet

/// The Gauss–Newton model of the relaxed objective m·Φ (``RelaxedNetwork``) in all its variables (x, θ) at
/// once, with the states eliminated sample by sample (a Schur complement, as bundle adjustment eliminates
/// its points):
///
///     m·Φ(x + δx, θ + δθ) ≈ m·Φ + gₓᵀδx + g_θᵀδθ + ½[δxᵀDδx + 2δxᵀBδθ + δθᵀCδθ],
///
/// from the residuals √ρ(cᵏ + Λᵏ/ρ) linearized in (x, θ) and the loss's second-order model in zᴺ (its
/// Gauss–Newton Hessian UᵀU: σ′² for mse, p(1 − p) for bce, diag(s) − ssᵀ for ce). Sample i's states
/// couple only with θ, so D is block diagonal and D_i = YₓᵢᵀYₓᵢ with Yₓᵢ the (nₓ + n_out) × nₓ Jacobian of
/// the sample's rows in its states. With Yₓᵢ = QᵢRᵢ (LAPACK dgeqrf, dorgqr) and Q⊥ᵢ its last n_out
/// columns, the reduced model in δθ is
///
///     S = Σᵢ (Y_θᵢᵀQ⊥ᵢ)(Y_θᵢᵀQ⊥ᵢ)ᵀ + mλ₂I_W,   g̃ = g_θ − BᵀD⁻¹gₓ,
///
/// so S is a sum of m·n_out rank-one terms, as many as Levenberg–Marquardt's JᵀJ on the data rows alone,
/// and each row Y_θᵢᵀq is built like a backprop gradient: per layer a delta ⊗ [xᵏ⁻¹ᵢ; 1]. Given δθ,
/// δxᵢ = −Dᵢ⁻¹(gₓᵢ + Bᵢδθ). As ρ → ∞ the reduced model tends to the Gauss–Newton model of J(θ).
struct StateEliminatedSystem {
  let problem: RelaxedNetwork
  /// S, P × P, lower triangle (column-major).
  var normalMatrix: [Double]
  /// g̃, P.
  var gradient: [Double]
  /// ½Σᵢ gₓᵢᵀDᵢ⁻¹gₓᵢ: the model's decrease from eliminating the states alone.
  var stateDecrease: Double
  /// Per sample: Yₓᵢ (r × nₓ), its QR factors (R in the upper triangle), gₓᵢ; and σ′ₖ(zᵏ) and U per sample.
  private var jacobians: [Double]
  private var factors: [Double]
  private var stateGradients: [Double]
  private var derivatives: [[Double]]
  private var outputFactors: [Double]
  let rho: Double

  var stateCount: Int { (1...problem.hiddenCount).reduce(0) { $0 + problem.size($1) } }

  /// Builds the reduced model at (x, θ) evaluated as `evaluation`.
  init(
    problem: RelaxedNetwork, parameters: [Double], states: [[Double]], multipliers: [[Double]], rho: Double,
    evaluation: RelaxedNetwork.Evaluation, statesOnly: Bool = false, layerBlocks: Bool? = nil
  ) {
    self.problem = problem
    self.rho = rho
    let architecture = problem.architecture
    let m = problem.sampleCount
    let layers = architecture.layerCount
    let h = problem.hiddenCount
    let nOut = architecture.outputSize
    var offsets = [0]
    for k in 0..<h { offsets.append(offsets[k] + problem.size(k + 1)) }
    let nx = offsets[h]
    let r = nx + nOut
    let sqrtRho = rho.squareRoot()
    let P = architecture.parameterCount

    // σ′ₖ(zᵏ) for the hidden layers.
    derivatives = (0..<h).map { index in
      let k = index + 1
      var d = [Double](repeating: 0, count: problem.size(k) * m)
      evaluation.preActivations[index].withUnsafeBufferPointer { z in
        evaluation.activations[index].withUnsafeBufferPointer { x in
          d.withUnsafeMutableBufferPointer { out in
            architecture.activation(layer: k).derivative(
              count: z.count, z: z.baseAddress!, x: x.baseAddress!, out: out.baseAddress!)
          }
        }
      }
      return d
    }
    // The loss's gradient g and Gauss–Newton factor U (UᵀU = ∂²ℓ/∂z² in the Gauss–Newton sense) in zᴺ.
    let (outputGradient, outputFactor) = Self.outputModel(problem: problem, evaluation: evaluation)
    outputFactors = outputFactor

    jacobians = [Double](repeating: 0, count: m * r * nx)
    factors = [Double](repeating: 0, count: m * r * nx)
    stateGradients = [Double](repeating: 0, count: m * nx)
    // Deltas of the reduced gradient (per layer nₖ × m) and of the reduced rows (nₖ × m·n_out).
    var gradientDeltas = (1...layers).map { [Double](repeating: 0, count: problem.size($0) * m) }
    var rowDeltas = (1...layers).map { [Double](repeating: 0, count: problem.size($0) * m * nOut) }
    var decrease = 0.0

    let wOut = architecture.weightOffset(layer: layers)
    var yx = [Double](repeating: 0, count: r * nx)
    var q = [Double](repeating: 0, count: r * r)
    var tau = [Double](repeating: 0, count: max(nx, 1))
    var work = [Double](repeating: 0, count: 64 * max(r, 1))
    var t = [Double](repeating: 0, count: r)
    var w = [Double](repeating: 0, count: nx)
    var u = [Double](repeating: 0, count: r)
    for i in 0..<m {
      // Yₓᵢ: constraint rows of layer k: √ρI on xᵏ, −√ρ diag(σ′ₖ)Wᵏ on xᵏ⁻¹; data rows: U·Wᴺ on xᴺ⁻¹.
      for index in 0..<yx.count { yx[index] = 0 }
      for index in 0..<h {
        let k = index + 1
        let n = problem.size(k)
        let row0 = offsets[index]
        for j in 0..<n { yx[(row0 + j) + (row0 + j) * r] = sqrtRho }
        if k >= 2 {
          let nPrev = problem.size(k - 1)
          let col0 = offsets[index - 1]
          let wk = architecture.weightOffset(layer: k)
          for j in 0..<n {
            let scale = -sqrtRho * derivatives[index][j + i * n]
            for l in 0..<nPrev { yx[(row0 + j) + (col0 + l) * r] = scale * parameters[wk + j * nPrev + l] }
          }
        }
        let residual = evaluation.residuals[index]
        let lambda = multipliers[index]
        for j in 0..<n { t[row0 + j] = sqrtRho * residual[j + i * n] + lambda[j + i * n] / sqrtRho }
      }
      for j in 0..<nOut { t[nx + j] = 0 }
      let nLast = problem.size(layers - 1)
      let col0 = offsets[h - 1]
      let uBase = i * nOut * nOut
      for a in 0..<nOut {
        for l in 0..<nLast {
          var sum = 0.0
          for j in 0..<nOut { sum += outputFactor[uBase + a + j * nOut] * parameters[wOut + j * nLast + l] }
          yx[(nx + a) + (col0 + l) * r] = sum
        }
      }
      // gₓᵢ = Yₓᵢᵀt + (Wᴺ)ᵀg on xᴺ⁻¹.
      var gx = [Double](repeating: 0, count: nx)
      for c in 0..<nx {
        var sum = 0.0
        for row in 0..<r { sum += yx[row + c * r] * t[row] }
        gx[c] = sum
      }
      for l in 0..<nLast {
        var sum = 0.0
        for j in 0..<nOut { sum += parameters[wOut + j * nLast + l] * outputGradient[j + i * nOut] }
        gx[col0 + l] += sum
      }
      // Yₓᵢ = QᵢRᵢ; Q full (r × r).
      for index in 0..<yx.count { q[index] = yx[index] }
      var info = LAPACKE_dgeqrf_work(
        LAPACK_COL_MAJOR, Int32(r), Int32(nx), &q, Int32(r), &tau, &work, Int32(work.count))
      precondition(info == 0, "LAPACK dgeqrf: info \(info) (a bug in KKTNet)")
      for index in 0..<(r * nx) { factors[i * r * nx + index] = q[index] }
      if statesOnly {
        for index in 0..<(r * nx) { jacobians[i * r * nx + index] = yx[index] }
        for c in 0..<nx { stateGradients[i * nx + c] = gx[c] }
        continue
      }
      info = LAPACKE_dorgqr_work(
        LAPACK_COL_MAJOR, Int32(r), Int32(r), Int32(nx), &q, Int32(r), &tau, &work, Int32(work.count))
      precondition(info == 0, "LAPACK dorgqr: info \(info) (a bug in KKTNet)")
      // w = Dᵢ⁻¹gₓᵢ = R⁻¹R⁻ᵀgₓᵢ.
      for c in 0..<nx { w[c] = gx[c] }
      factors.withUnsafeBufferPointer { f in
        let rf = f.baseAddress! + i * r * nx
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(nx), rf, Int32(r), &w, 1)
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(nx), rf, Int32(r), &w, 1)
      }
      var gw = 0.0
      for c in 0..<nx { gw += gx[c] * w[c] }
      decrease += 0.5 * gw
      // u = t − Yₓᵢw: the reduced gradient is Y_θᵢᵀu + Kᵢᵀg.
      for row in 0..<r {
        var sum = 0.0
        for c in 0..<nx { sum += yx[row + c * r] * w[c] }
        u[row] = t[row] - sum
      }
      for index in 0..<h {
        let n = problem.size(index + 1)
        for j in 0..<n {
          gradientDeltas[index][j + i * n] = -sqrtRho * derivatives[index][j + i * n] * u[offsets[index] + j]
        }
      }
      for j in 0..<nOut {
        var sum = outputGradient[j + i * nOut]
        for a in 0..<nOut { sum += outputFactor[uBase + a + j * nOut] * u[nx + a] }
        gradientDeltas[layers - 1][j + i * nOut] = sum
      }
      // The reduced rows Y_θᵢᵀq for q in Q⊥ᵢ.
      for p in 0..<nOut {
        let qc = (nx + p) * r
        let column = i * nOut + p
        for index in 0..<h {
          let n = problem.size(index + 1)
          for j in 0..<n {
            rowDeltas[index][j + column * n] = -sqrtRho * derivatives[index][j + i * n] * q[qc + offsets[index] + j]
          }
        }
        for j in 0..<nOut {
          var sum = 0.0
          for a in 0..<nOut { sum += outputFactor[uBase + a + j * nOut] * q[qc + nx + a] }
          rowDeltas[layers - 1][j + column * nOut] = sum
        }
      }
      for index in 0..<(r * nx) { jacobians[i * r * nx + index] = yx[index] }
      for c in 0..<nx { stateGradients[i * nx + c] = gx[c] }
    }
    stateDecrease = decrease
    if statesOnly {
      normalMatrix = []
      gradient = [Double](repeating: 0, count: P)
      return
    }

    // g̃ per layer: the W block (row-major Wᵏ, i.e. nₖ₋₁ × nₖ column-major) is xᵏ⁻¹·Aᵏᵀ, the b block Aᵏ𝟙.
    var g = [Double](repeating: 0, count: P)
    for k in 1...layers {
      let n = problem.size(k)
      let nPrev = problem.size(k - 1)
      let previous = k == 1 ? problem.lagrangian.inputs.elements : states[k - 2]
      let a = gradientDeltas[k - 1]
      let wk = architecture.weightOffset(layer: k)
      let bk = architecture.biasOffset(layer: k)
      g.withUnsafeMutableBufferPointer { gp in
        cblas_dgemm(
          CblasColMajor, CblasNoTrans, CblasTrans, Int32(nPrev), Int32(n), Int32(m), 1, previous, Int32(nPrev), a,
          Int32(n), 0, gp.baseAddress! + wk, Int32(nPrev))
      }
      for i in 0..<m { for j in 0..<n { g[bk + j] += a[j + i * n] } }
    }
    let l2 = problem.lagrangian.regularization.l2
    if l2 > 0 {
      for k in 1...layers {
        let wk = architecture.weightOffset(layer: k)
        for index in 0..<architecture.weightCount(layer: k) {
          g[wk + index] += Double(m) * l2 * parameters[wk + index]
        }
      }
    }
    gradient = g

    let inputsOf = (1...layers).map { k in k == 1 ? problem.lagrangian.inputs.elements : states[k - 2] }
    var s =
      layerBlocks ?? Self.prefersLayerBlocks(architecture: architecture, sampleCount: m)
      ? Self.normalMatrixByLayerBlocks(
        architecture: architecture, rowDeltas: rowDeltas, inputs: inputsOf, sampleCount: m)
      : Self.normalMatrixByRows(architecture: architecture, rowDeltas: rowDeltas, inputs: inputsOf, sampleCount: m)
    if l2 > 0 {
      for k in 1...layers {
        let wk = architecture.weightOffset(layer: k)
        for index in 0..<architecture.weightCount(layer: k) {
          s[(wk + index) * (P + 1)] += Double(m) * l2
        }
      }
    }
    normalMatrix = s
  }

  /// Whether ``normalMatrixByLayerBlocks(architecture:rowDeltas:inputs:sampleCount:)`` takes fewer flops than
  /// ``normalMatrixByRows(architecture:rowDeltas:inputs:sampleCount:)``: Σₖ≤ₖ′ 2nₖ(nₖ₋₁ + 1)(nₖ′₋₁ + 1)nₖ′·m
  /// against P²·m·n_out. The choice depends only on the shapes, so a run (and its resumption) always takes
  /// the same path.
  static func prefersLayerBlocks(architecture: Architecture, sampleCount m: Int) -> Bool {
    let sizes = architecture.layerSizes
    let layers = architecture.layerCount
    let P = Double(architecture.parameterCount)
    var blocks = 0.0
    for k in 1...layers {
      for k2 in k...layers {
        blocks += 2 * Double(sizes[k] * (sizes[k - 1] + 1) * (sizes[k2 - 1] + 1) * sizes[k2])
      }
    }
    return blocks * Double(m) < P * P * Double(m * architecture.outputSize)
  }

  /// S = Σ rows rowsᵀ over the m·n_out reduced rows, each a P-vector built from its deltas (per layer
  /// dᵏ ⊗ [xᵏ⁻¹ᵢ; 1]), in chunks by dsyrk; lower triangle. P²·m·n_out flops.
  static func normalMatrixByRows(
    architecture: Architecture, rowDeltas: [[Double]], inputs: [[Double]], sampleCount m: Int
  ) -> [Double] {
    let P = architecture.parameterCount
    let nOut = architecture.outputSize
    let layers = architecture.layerCount
    var s = [Double](repeating: 0, count: P * P)
    let rowCount = m * nOut
    let chunk = max(1, min(rowCount, 2_000_000 / max(P, 1)))
    var block = [Double](repeating: 0, count: P * chunk)
    var start = 0
    while start < rowCount {
      let count = min(chunk, rowCount - start)
      for c in 0..<count {
        let column = start + c
        let i = column / nOut
        let base = c * P
        for k in 1...layers {
          let n = architecture.layerSizes[k]
          let nPrev = architecture.layerSizes[k - 1]
          let wk = architecture.weightOffset(layer: k)
          let bk = architecture.biasOffset(layer: k)
          let d = rowDeltas[k - 1]
          let previous = inputs[k - 1]
          for j in 0..<n {
            let a = d[j + column * n]
            let target = base + wk + j * nPrev
            for l in 0..<nPrev { block[target + l] = a * previous[l + i * nPrev] }
            block[base + bk + j] = a
          }
        }
      }
      block.withUnsafeBufferPointer { bp in
        cblas_dsyrk(
          CblasColMajor, CblasLower, CblasNoTrans, Int32(P), Int32(count), 1, bp.baseAddress!, Int32(P),
          start == 0 ? 0 : 1, &s, Int32(P))
      }
      start += count
    }
    return s
  }

  /// The same S by its layer blocks, both triangles: with x̃ᵏ⁻¹ᵢ = [xᵏ⁻¹ᵢ; 1] and
  /// Mᵢ[j, j′] = Σ_q dᵏⱼ(i, q)·dᵏ′ⱼ′(i, q), the block of neuron j of layer k and neuron j′ of layer k′ is
  /// Σᵢ Mᵢ[j, j′]·x̃ᵏ⁻¹ᵢ(x̃ᵏ′⁻¹ᵢ)ᵀ, one dgemm per (k, k′, j) over the samples.
  static func normalMatrixByLayerBlocks(
    architecture: Architecture, rowDeltas: [[Double]], inputs: [[Double]], sampleCount m: Int
  ) -> [Double] {
    let P = architecture.parameterCount
    let nOut = architecture.outputSize
    let layers = architecture.layerCount
    let sizes = architecture.layerSizes
    var s = [Double](repeating: 0, count: P * P)
    // x̃ᵏ⁻¹: (nₖ₋₁ + 1) × m.
    let augmented = (1...layers).map { k -> [Double] in
      let p = sizes[k - 1]
      var out = [Double](repeating: 1, count: (p + 1) * m)
      for i in 0..<m { for l in 0..<p { out[l + i * (p + 1)] = inputs[k - 1][l + i * p] } }
      return out
    }
    // The row of θ of entry l of neuron j of layer k (l = nₖ₋₁: the bias).
    func index(_ k: Int, _ j: Int, _ l: Int) -> Int {
      l < sizes[k - 1]
        ? architecture.weightOffset(layer: k) + j * sizes[k - 1] + l : architecture.biasOffset(layer: k) + j
    }
    for k in 1...layers {
      let (n1, p1) = (sizes[k], sizes[k - 1] + 1)
      let d1 = rowDeltas[k - 1]
      for k2 in k...layers {
        let (n2, p2) = (sizes[k2], sizes[k2 - 1] + 1)
        let d2 = rowDeltas[k2 - 1]
        var scaled = [Double](repeating: 0, count: p2 * n2 * m)
        var block = [Double](repeating: 0, count: p1 * p2 * n2)
        for j in 0..<n1 {
          // scaled[(l2, j2), i] = x̃ᵏ′⁻¹(l2, i)·Mᵢ[j, j2].
          for i in 0..<m {
            for j2 in 0..<n2 {
              var weight = 0.0
              for q in 0..<nOut { weight += d1[j + (i * nOut + q) * n1] * d2[j2 + (i * nOut + q) * n2] }
              let target = (j2 * p2) + i * p2 * n2
              let source = i * p2
              for l2 in 0..<p2 { scaled[target + l2] = augmented[k2 - 1][source + l2] * weight }
            }
          }
          augmented[k - 1].withUnsafeBufferPointer { a in
            cblas_dgemm(
              CblasColMajor, CblasNoTrans, CblasTrans, Int32(p1), Int32(p2 * n2), Int32(m), 1, a.baseAddress!,
              Int32(p1), scaled, Int32(p2 * n2), 0, &block, Int32(p1))
          }
          for j2 in 0..<n2 where k2 > k || j2 >= j {
            for l2 in 0..<p2 {
              let column = index(k2, j2, l2)
              for l in 0..<p1 {
                let row = index(k, j, l)
                let value = block[l + (j2 * p2 + l2) * p1]
                s[row + column * P] = value
                s[column + row * P] = value
              }
            }
          }
        }
      }
    }
    return s
  }

  /// g and U of the loss in zᴺ per sample: g n_out × m, U n_out × n_out per sample (column-major).
  private static func outputModel(problem: RelaxedNetwork, evaluation: RelaxedNetwork.Evaluation) -> (
    [Double], [Double]
  ) {
    let architecture = problem.architecture
    let m = problem.sampleCount
    let n = architecture.outputSize
    let last = architecture.layerCount
    let z = evaluation.preActivations[last - 1]
    let x = evaluation.activations[last - 1]
    let y = problem.lagrangian.targets.elements
    var g = [Double](repeating: 0, count: n * m)
    var u = [Double](repeating: 0, count: n * n * m)
    let loss = problem.lagrangian.loss
    let activation = architecture.outputActivation
    switch loss {
    case .binaryCrossEntropy, .softmaxCrossEntropy:
      z.withUnsafeBufferPointer { zp in
        x.withUnsafeBufferPointer { xp in
          y.withUnsafeBufferPointer { yp in
            g.withUnsafeMutableBufferPointer { gp in
              loss.preActivationGradient(
                rows: n, columns: m, z: zp.baseAddress!, x: xp.baseAddress!, y: yp.baseAddress!, scale: 1,
                out: gp.baseAddress!)
            }
          }
        }
      }
      if loss == .binaryCrossEntropy {
        var d = [Double](repeating: 0, count: n * m)
        z.withUnsafeBufferPointer { zp in
          x.withUnsafeBufferPointer { xp in
            d.withUnsafeMutableBufferPointer { dp in
              Activation.sigmoid.derivative(count: n * m, z: zp.baseAddress!, x: xp.baseAddress!, out: dp.baseAddress!)
            }
          }
        }
        for i in 0..<m { for j in 0..<n { u[i * n * n + j + j * n] = d[j + i * n].squareRoot() } }
      } else {
        // diag(s) − ssᵀ = UᵀU with U = diag(√s)(I − 𝟙sᵀ).
        for i in 0..<m {
          for a in 0..<n {
            let root = x[a + i * n].squareRoot()
            for l in 0..<n { u[i * n * n + a + l * n] = root * ((a == l ? 1 : 0) - x[l + i * n]) }
          }
        }
      }
    case .meanSquaredError:
      if activation.isElementwise {
        var d = [Double](repeating: 0, count: n * m)
        z.withUnsafeBufferPointer { zp in
          x.withUnsafeBufferPointer { xp in
            d.withUnsafeMutableBufferPointer { dp in
              activation.derivative(count: n * m, z: zp.baseAddress!, x: xp.baseAddress!, out: dp.baseAddress!)
            }
          }
        }
        for i in 0..<m {
          for j in 0..<n {
            g[j + i * n] = d[j + i * n] * (x[j + i * n] - y[j + i * n])
            u[i * n * n + j + j * n] = d[j + i * n]
          }
        }
      } else {
        // Softmax: J_σ = diag(s) − ssᵀ (symmetric); U = J_σ, g = J_σ(x − y).
        for i in 0..<m {
          for a in 0..<n {
            var sum = 0.0
            for l in 0..<n {
              let jacobian = x[a + i * n] * ((a == l ? 1 : 0) - x[l + i * n])
              u[i * n * n + a + l * n] = jacobian
              sum += jacobian * (x[l + i * n] - y[l + i * n])
            }
            g[a + i * n] = sum
          }
        }
      }
    }
    return (g, u)
  }

  /// δθ = −(S + μI)⁻¹g̃ by Cholesky (dposv), or nil when S + μI is not positive definite in floating point.
  func parameterStep(damping mu: Double) -> [Double]? {
    let P = gradient.count
    var a = normalMatrix
    for j in 0..<P { a[j * (P + 1)] += mu }
    var b = gradient.map { -$0 }
    let info = LAPACKE_dposv_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(P), 1, &a, Int32(P), &b, Int32(P))
    precondition(info >= 0, "LAPACK dposv: argument \(-info) had an illegal value (a bug in KKTNet)")
    return info == 0 ? b : nil
  }

  /// The decrease of m·Φ the model predicts for δθ with the states' best response: ½Σgₓᵀ D⁻¹gₓ − g̃ᵀδθ − ½δθᵀSδθ.
  func predictedDecrease(_ step: [Double]) -> Double {
    let P = step.count
    var product = [Double](repeating: 0, count: P)
    cblas_dsymv(CblasColMajor, CblasLower, Int32(P), 1, normalMatrix, Int32(P), step, 1, 0, &product, 1)
    var linear = 0.0
    var quadratic = 0.0
    for j in 0..<P {
      linear += gradient[j] * step[j]
      quadratic += step[j] * product[j]
    }
    return stateDecrease - linear - 0.5 * quadratic
  }

  /// δxᵢ = −Dᵢ⁻¹(gₓᵢ + Yₓᵢᵀ(Y_θᵢδθ)) for every sample, as states of the hidden layers (δθ = nil: 0, the
  /// Gauss–Newton step in the states alone).
  func stateStep(parameterStep given: [Double]?, states: [[Double]]) -> [[Double]] {
    let step = given ?? [Double](repeating: 0, count: problem.architecture.parameterCount)
    let architecture = problem.architecture
    let m = problem.sampleCount
    let layers = architecture.layerCount
    let h = problem.hiddenCount
    let nOut = architecture.outputSize
    let nx = stateCount
    let r = nx + nOut
    let sqrtRho = rho.squareRoot()
    var offsets = [0]
    for k in 0..<h { offsets.append(offsets[k] + problem.size(k + 1)) }
    // δzᵏ = δWᵏxᵏ⁻¹ + δbᵏ for every sample (the pre-activation code with δθ in place of θ).
    var dz: [[Double]] = []
    step.withUnsafeBufferPointer { theta in
      for k in 1...layers {
        var out = [Double](repeating: 0, count: problem.size(k) * m)
        let previous = k == 1 ? problem.lagrangian.inputs.elements : states[k - 2]
        previous.withUnsafeBufferPointer { p in
          out.withUnsafeMutableBufferPointer { o in
            problem.lagrangian.computePreActivation(
              layer: k, theta: theta.baseAddress!, previous: p.baseAddress!, into: o.baseAddress!)
          }
        }
        dz.append(out)
      }
    }
    var result = (0..<h).map { [Double](repeating: 0, count: problem.size($0 + 1) * m) }
    var y = [Double](repeating: 0, count: r)
    var v = [Double](repeating: 0, count: nx)
    for i in 0..<m {
      for index in 0..<h {
        let n = problem.size(index + 1)
        for j in 0..<n { y[offsets[index] + j] = -sqrtRho * derivatives[index][j + i * n] * dz[index][j + i * n] }
      }
      for a in 0..<nOut {
        var sum = 0.0
        for j in 0..<nOut { sum += outputFactors[i * nOut * nOut + a + j * nOut] * dz[layers - 1][j + i * nOut] }
        y[nx + a] = sum
      }
      for c in 0..<nx {
        var sum = stateGradients[i * nx + c]
        for row in 0..<r { sum += jacobians[i * r * nx + row + c * r] * y[row] }
        v[c] = -sum
      }
      factors.withUnsafeBufferPointer { f in
        let rf = f.baseAddress! + i * r * nx
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(nx), rf, Int32(r), &v, 1)
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(nx), rf, Int32(r), &v, 1)
      }
      for index in 0..<h {
        let n = problem.size(index + 1)
        for j in 0..<n { result[index][j + i * n] = v[offsets[index] + j] }
      }
    }
    return result
  }
}
