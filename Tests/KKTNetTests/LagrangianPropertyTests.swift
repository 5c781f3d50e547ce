import KKTNet
import PropertyBased
import TestSupport
import Testing

/// The stationarity conditions of the Lagrangian against independent oracles, over random networks:
/// depth 1–5, widths 1–12, batch 1–16, every activation and loss, with and without λ₁ and λ₂.
@Suite("Lagrangian properties")
struct LagrangianPropertyTests {
  static let cases = 500

  static let networkCases = zip(
    Gen.int(in: 1...5), Gen.int(in: 1...16), Gen.int(in: 0...2), Gen.int(in: 0...3), Gen<UInt64>.value()
  ).map { NetworkCase(depth: $0, sampleCount: $1, lossIndex: $2, regularizationMode: $3, seed: $4) }

  @Test("(a) after the forward solve ∂L/∂λ = 0 exactly")
  func forwardSolveIsExact() async {
    await propertyCheck(count: Self.cases, input: Self.networkCases) { c in
      let solution = c.lagrangian.solve(parameters: c.network.parameters)
      let partials = c.lagrangian.partials(at: solution.point)
      for k in 1...c.network.architecture.layerCount {
        #expect(partials.withRespectToMultipliers[k].elements.allSatisfy { $0 == 0 }, "layer \(k) of \(c)")
      }
    }
  }

  @Test("(b) after the adjoint solve ‖∂L/∂x‖∞ ≤ 1e-13 × scale")
  func adjointSolveIsStationary() async {
    await propertyCheck(count: Self.cases, input: Self.networkCases) { c in
      let lagrangian = c.lagrangian
      let solution = lagrangian.solve(parameters: c.network.parameters)
      let partials = lagrangian.partials(at: solution.point)
      let scales = adjointResidualScales(c, solution)
      for k in 1...c.network.architecture.layerCount {
        let residual = partials.withRespectToStates[k].maxAbsoluteValue
        #expect(residual <= 1e-13 * scales[k], "layer \(k): ‖∂L/∂x‖∞ = \(residual), scale \(scales[k]) in \(c)")
      }
    }
  }

  @Test("(c) ∂L/∂θ equals backprop's gradient to relative 1e-12")
  func gradientEqualsBackprop() async {
    await propertyCheck(count: Self.cases, input: Self.networkCases) { c in
      let (jL, gL) = c.lagrangian.gradient(at: c.network.parameters)
      let (jB, gB) = c.backpropagation.gradient()
      #expect(abs(jL - jB) <= 1e-14 * max(abs(jB), 1e-300), "J \(jL) vs \(jB) in \(c)")
      let difference = largestTensorDifference(gL, gB, architecture: c.network.architecture)
      #expect(difference <= 1e-12, "relative difference \(difference) in \(c)")
    }
  }

  @Test("(d) ∂L/∂θ equals central finite differences to relative 1e-6")
  func gradientEqualsFiniteDifferences() async {
    await propertyCheck(count: Self.cases, input: Self.networkCases.filter(\.isClearOfKinks)) { c in
      let lagrangian = c.lagrangian
      let workspace = lagrangian.makeWorkspace()
      let (j, g) = lagrangian.gradient(at: c.network.parameters)
      let order = c.finiteDifferenceOrder
      let fd = FiniteDifference.gradient(at: c.network.parameters, order: order) {
        lagrangian.objective(parameters: $0, workspace: workspace)
      }
      // The stencil cannot resolve less than its own rounding error, for ε_J ≈ 4ε|J| the error of one
      // evaluation of J: that is the absolute floor (it matters for tensors whose gradient is 0 or nearly so).
      let floor = order.roundingError(functionError: 4 * Double.ulpOfOne * abs(j))
      for tensor in c.network.architecture.tensors {
        let (a, b) = (Array(g[tensor.range]), Array(fd[tensor.range]))
        let difference = zip(a, b).map { abs($0 - $1) }.max()!
        let scale = (a + b).map(abs).max()!
        #expect(
          difference <= 1e-6 * scale + floor, "\(tensor.name): ‖Δ‖∞ = \(difference), scale \(scale), J \(j) in \(c)")
      }
    }
  }

  @Test("(g) dot-product test ⟨J·t, c⟩ = ⟨t, Jᵀc⟩ between the tangent and adjoint passes")
  func tangentAndAdjointAreTransposes() async {
    await propertyCheck(count: Self.cases, input: Self.networkCases) { c in
      var random = RandomSource(seed: c.seed ^ 0xD07)
      let lagrangian = c.lagrangian
      let t = (0..<c.network.architecture.parameterCount).map { _ in random.nextNormal() }
      let cotangent = randomMatrix(rows: c.targets.rows, columns: c.targets.columns, using: &random)
      let jt = lagrangian.tangent(parameters: c.network.parameters, direction: t)
      let jtc = lagrangian.pullback(parameters: c.network.parameters, outputCotangent: cotangent)
      let left = BLAS.dot(jt.elements, cotangent.elements)
      let right = BLAS.dot(t, jtc)
      let scale = max(BLAS.nrm2(jt.elements) * BLAS.nrm2(cotangent.elements), BLAS.nrm2(t) * BLAS.nrm2(jtc))
      #expect(abs(left - right) <= 1e-12 * scale, "⟨Jt, c⟩ = \(left), ⟨t, Jᵀc⟩ = \(right) in \(c)")
    }
  }

  @Test("(h) the gradient computed twice is bit-identical")
  func gradientIsReproducible() async {
    await propertyCheck(count: Self.cases, input: Self.networkCases) { c in
      let lagrangian = c.lagrangian
      let workspace = lagrangian.makeWorkspace()
      var first = [Double](repeating: 0, count: c.network.architecture.parameterCount)
      var second = first
      let j1 = lagrangian.gradient(at: c.network.parameters, workspace: workspace, into: &first)
      let j2 = lagrangian.gradient(at: c.network.parameters, workspace: workspace, into: &second)
      let (j3, third) = lagrangian.gradient(at: c.network.parameters)
      #expect(j1.bitPattern == j2.bitPattern && j1.bitPattern == j3.bitPattern, "\(c)")
      #expect(first.map(\.bitPattern) == second.map(\.bitPattern), "\(c)")
      #expect(first.map(\.bitPattern) == third.map(\.bitPattern), "\(c)")
    }
  }
}

/// The size of the terms that cancel in ∂L/∂xᵏ, the scale its rounding error is measured against:
///
/// - k < N: ∂L/∂xᵏ = λᵏ − (Wᵏ⁺¹)ᵀμᵏ⁺¹ (recomputed), scale ‖λᵏ‖∞ + ‖|Wᵏ⁺¹|ᵀ|μᵏ⁺¹|‖∞, the standard bound
///   of a matrix product's rounding error;
/// - k = N: ∂L/∂xᴺ = (1/m)∂ℓ/∂x(xᴺ) + λᴺ, where λᴺ is computed from zᴺ and ∂ℓ/∂x from the rounded xᴺ, so the
///   scale adds the loss derivative's sensitivity to that rounding, (1/m)‖∂²ℓ/∂x² ⊙ xᴺ‖∞.
func adjointResidualScales(_ c: NetworkCase, _ solution: KKTSolution) -> [Double] {
  let architecture = c.network.architecture
  let count = architecture.layerCount
  let m = Double(c.inputs.columns)
  var scales = [Double](repeating: 0, count: count + 1)
  for k in 1...count {
    let lambda = solution.multipliers[k]
    var scale = lambda.maxAbsoluteValue
    if k < count {
      let w = c.network.weights(layer: k + 1)
      let next = solution.multipliers[k + 1]
      // |μᵏ⁺¹| ≤ |J_σ|·|λᵏ⁺¹|; bound |J_σ| elementwise by the derivative at the state (or 1 for softmax terms).
      var bound = 0.0
      for j in 0..<lambda.columns {
        for i in 0..<lambda.rows {
          var term = 0.0
          for r in 0..<w.rows { term += abs(w[r, i]) * abs(next[r, j]) * 2 }
          bound = max(bound, term)
        }
      }
      scale += bound
    } else {
      let x = solution.states[count]
      let y = c.targets
      var sensitivity = 0.0
      for i in x.elements.indices {
        let (xi, yi) = (x.elements[i], y.elements[i])
        let curvature: Double
        switch c.network.loss {
        case .meanSquaredError: curvature = 1
        case .binaryCrossEntropy: curvature = yi / (xi * xi) + (1 - yi) / ((1 - xi) * (1 - xi))
        case .softmaxCrossEntropy: curvature = yi / (xi * xi)
        }
        sensitivity = max(sensitivity, curvature * abs(xi) / m)
      }
      scale += sensitivity
    }
    scales[k] = scale
  }
  return scales
}
