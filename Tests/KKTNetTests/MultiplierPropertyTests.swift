import KKTNet
import PropertyBased
import TestSupport
import Testing

/// (e) and (f): the multipliers are the sensitivities of J, and the partials of L hold at any point.
@Suite("Multipliers and partials at any point")
struct MultiplierPropertyTests {
  @Test("(e) at the KKT point λᵏ = −∂J/∂xᵏ, by finite differences through the layers above k")
  func multipliersAreSensitivities() async {
    let input = LagrangianPropertyTests.networkCases.filter(\.isClearOfKinks)
    await propertyCheck(count: LagrangianPropertyTests.cases, input: input) { c in
      let architecture = c.network.architecture
      let solution = c.lagrangian.solve(parameters: c.network.parameters)
      for k in 1...architecture.layerCount {
        let state = solution.states[k]
        // J as a function of xᵏ alone: L at λ = 0 with the states above k recomputed by the forward pass.
        let above = SubNetwork(case: c, from: k)
        // At the output the cross-entropies are log-singular at x = 0 (and 1): step within that distance.
        let scales: [Double]? =
          k < architecture.layerCount || c.network.loss == .meanSquaredError
          ? nil : state.elements.map { min($0, 1 - $0) }
        let order = c.finiteDifferenceOrder
        let sensitivity = FiniteDifference.gradient(at: state.elements, order: order, scales: scales) {
          above.objective(state: $0)
        }
        let lambda = solution.multipliers[k].elements
        let scale = (lambda + sensitivity).map(abs).max()!
        let difference = zip(lambda, sensitivity).map { abs($0 + $1) }.max()!
        let floor = order.roundingError(functionError: 4 * Double.ulpOfOne * abs(solution.objective))
        #expect(difference <= 1e-6 * scale + floor, "layer \(k): ‖λ + ∂J/∂x‖∞ = \(difference), scale \(scale) in \(c)")
      }
    }
  }

  @Test("(f) at random non-KKT points the partials of L equal finite differences of L")
  func partialsAtAnyPoint() async {
    await propertyCheck(count: LagrangianPropertyTests.cases, input: LagrangianPropertyTests.networkCases) { c in
      var random = RandomSource(seed: c.seed ^ 0xF00D)
      let lagrangian = c.lagrangian
      let point = randomPoint(c, using: &random)
      let partials = lagrangian.partials(at: point)
      let h = 1e-4
      for group in VariableGroup.allCases {
        for _ in 0..<3 {
          // A random direction in one group of variables; redrawn if the stencil would cross a kink.
          var direction = randomDirection(group, like: point, using: &random)
          var attempts = 0
          while crossesKink(c, point, direction, reach: 2 * h) && attempts < 20 {
            direction = randomDirection(group, like: point, using: &random)
            attempts += 1
          }
          if attempts == 20 { continue }
          func l(_ t: Double) -> Double { lagrangian.value(at: point.moved(by: direction, times: t)) }
          let fd = (-l(2 * h) + 8 * l(h) - 8 * l(-h) + l(-2 * h)) / (12 * h)
          let (analytic, magnitude) = directionalDerivative(partials, direction)
          let floor = 1.5 * 4 * Double.ulpOfOne * lagrangianMagnitude(lagrangian, point) / h
          #expect(
            abs(fd - analytic) <= 1e-6 * magnitude + floor,
            "\(group): finite difference \(fd), partials \(analytic), Σ|terms| \(magnitude) in \(c)")
        }
      }
    }
  }
}

/// The layers above k as a network of their own, whose input is xᵏ: J(xᵏ) with θ fixed.
struct SubNetwork {
  let lagrangian: Lagrangian?
  let parameters: [Double]
  let rows: Int
  let columns: Int
  let loss: Loss
  let targets: Matrix

  init(case c: NetworkCase, from k: Int) {
    let architecture = c.network.architecture
    rows = architecture.layerSizes[k]
    columns = c.inputs.columns
    loss = c.network.loss
    targets = c.targets
    if k == architecture.layerCount {
      lagrangian = nil
      parameters = []
    } else {
      let sub = try! Architecture(
        layerSizes: Array(architecture.layerSizes[k...]), activations: Array(architecture.activations[k...]))
      let lagrangian = Lagrangian(
        architecture: sub, loss: c.network.loss, regularization: .none,
        inputs: Matrix(rows: rows, columns: columns), targets: c.targets)
      self.lagrangian = lagrangian
      parameters = Array(c.network.parameters[architecture.weightOffset(layer: k + 1)...])
    }
  }

  /// J without its penalty (which does not depend on x) as a function of xᵏ.
  func objective(state: [Double]) -> Double {
    let x = Matrix(rows: rows, columns: columns, elements: state)
    guard let lagrangian else {
      // k = N: J(xᴺ) = (1/m) Σᵢ ℓ(xᴺᵢ) is L at λ = 0 of any one-layer network ending in xᴺ.
      let layer = try! Architecture(layerSizes: [rows, rows], activations: [loss.naturalOutputActivation])
      let direct = Lagrangian(architecture: layer, loss: loss, regularization: .none, inputs: x, targets: targets)
      let point = LagrangianPoint(
        states: [x, x], multipliers: [Matrix(rows: 0, columns: columns), Matrix(rows: rows, columns: columns)],
        parameters: [Double](repeating: 0, count: layer.parameterCount))
      return direct.value(at: point)
    }
    let shifted = Lagrangian(
      architecture: lagrangian.architecture, loss: loss, regularization: .none, inputs: x, targets: targets)
    return shifted.objective(parameters: parameters)
  }
}

enum VariableGroup: CaseIterable { case states, multipliers, parameters }

/// A point with random states (inside the loss's domain at the output), random multipliers and the case's θ.
func randomPoint(_ c: NetworkCase, using random: inout RandomSource) -> LagrangianPoint {
  let architecture = c.network.architecture
  let m = c.inputs.columns
  var states = [c.inputs]
  var multipliers = [Matrix(rows: 0, columns: m)]
  for k in 1...architecture.layerCount {
    let n = architecture.layerSizes[k]
    var x = randomMatrix(rows: n, columns: m, using: &random)
    if k == architecture.layerCount && c.network.loss != .meanSquaredError {
      for i in x.elements.indices { x.elements[i] = random.nextUniform(in: 0.05..<0.95) }
    }
    states.append(x)
    multipliers.append(randomMatrix(rows: n, columns: m, using: &random))
  }
  return LagrangianPoint(states: states, multipliers: multipliers, parameters: c.network.parameters)
}

/// A direction that moves only one group (x⁰ never moves: it is data). Output states move by at most 0.01.
func randomDirection(_ group: VariableGroup, like point: LagrangianPoint, using random: inout RandomSource)
  -> LagrangianPoint
{
  var direction = point
  let zero = { (m: Matrix) in Matrix(rows: m.rows, columns: m.columns) }
  direction.states = point.states.map(zero)
  direction.multipliers = point.multipliers.map(zero)
  direction.parameters = point.parameters.map { _ in 0 }
  switch group {
  case .states:
    for k in 1..<point.states.count {
      direction.states[k] = randomMatrix(rows: point.states[k].rows, columns: point.states[k].columns, using: &random)
    }
  case .multipliers:
    for k in 1..<point.multipliers.count {
      direction.multipliers[k] = randomMatrix(
        rows: point.multipliers[k].rows, columns: point.multipliers[k].columns, using: &random)
    }
  case .parameters:
    direction.parameters = point.parameters.map { _ in random.nextNormal() }
  }
  return direction
}

extension LagrangianPoint {
  func moved(by direction: LagrangianPoint, times t: Double) -> LagrangianPoint {
    var moved = self
    for k in states.indices {
      for i in states[k].elements.indices { moved.states[k].elements[i] += t * direction.states[k].elements[i] }
      for i in multipliers[k].elements.indices {
        moved.multipliers[k].elements[i] += t * direction.multipliers[k].elements[i]
      }
    }
    for i in parameters.indices { moved.parameters[i] += t * direction.parameters[i] }
    return moved
  }
}

/// ⟨∂L, d⟩ and Σ|∂Lᵢ dᵢ|.
func directionalDerivative(_ partials: LagrangianPartials, _ d: LagrangianPoint) -> (Double, Double) {
  var sum = 0.0
  var magnitude = 0.0
  func add(_ a: [Double], _ b: [Double]) {
    for (x, y) in zip(a, b) {
      sum += x * y
      magnitude += abs(x * y)
    }
  }
  for k in 1..<d.states.count {
    add(partials.withRespectToStates[k].elements, d.states[k].elements)
    add(partials.withRespectToMultipliers[k].elements, d.multipliers[k].elements)
  }
  add(partials.withRespectToParameters, d.parameters)
  return (sum, magnitude)
}

/// Σ of the magnitudes of L's terms at a point, the scale of its rounding error.
func lagrangianMagnitude(_ lagrangian: Lagrangian, _ point: LagrangianPoint) -> Double {
  var absolute = point
  for k in absolute.multipliers.indices {
    absolute.multipliers[k].elements = absolute.multipliers[k].elements.map(abs)
  }
  return abs(lagrangian.value(at: point)) + abs(lagrangian.value(at: absolute)) + 1
}

/// Whether moving by up to `reach` along `direction` changes the sign of some zᵏ in a kinked layer or of a
/// penalized weight under λ₁.
func crossesKink(_ c: NetworkCase, _ point: LagrangianPoint, _ direction: LagrangianPoint, reach: Double) -> Bool {
  let architecture = c.network.architecture
  func preActivations(_ p: LagrangianPoint, layer k: Int) -> Matrix {
    var network = c.network
    network.parameters = p.parameters
    var z = network.weights(layer: k) * p.states[k - 1]
    let b = network.biases(layer: k)
    for j in 0..<z.columns { for i in 0..<z.rows { z[i, j] += b[i] } }
    return z
  }
  for t in [-reach, reach] {
    let moved = point.moved(by: direction, times: t)
    for k in 1...architecture.layerCount where !architecture.activation(layer: k).isSmooth {
      let (z0, z1) = (preActivations(point, layer: k), preActivations(moved, layer: k))
      if zip(z0.elements, z1.elements).contains(where: { ($0 > 0) != ($1 > 0) }) { return true }
    }
    if c.network.regularization.l1 > 0 {
      for k in 1...architecture.layerCount {
        for i in architecture.weightOffset(layer: k)..<architecture.biasOffset(layer: k)
        where (point.parameters[i] > 0) != (moved.parameters[i] > 0) || point.parameters[i] == 0 {
          return true
        }
      }
    }
  }
  return false
}
