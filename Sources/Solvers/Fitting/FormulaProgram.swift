import Foundation

/// A formula compiled to a list of instructions in evaluation order (a tape), with common subexpressions
/// merged and constant subexpressions folded.
///
/// Every instruction knows whether it depends on the data (a *vector* node: one value per sample) or only
/// on parameters and constants (a *scalar* node: one value for all samples), and the set of parameters it
/// depends on. Forward-mode differentiation carries, beside each node's value v, its tangents ∂v/∂θⱼ for
/// exactly those j; the chain rule of a node c = φ(a, b) is
///
///     ∂c/∂θⱼ = (∂φ/∂a)·∂a/∂θⱼ + (∂φ/∂b)·∂b/∂θⱼ,
///
/// with the local partials ∂φ/∂a, ∂φ/∂b computed once per sample. ``FormulaEvaluator`` runs the tape over
/// blocks of samples, each instruction a compiled loop over the block, so the interpretation costs one
/// dispatch per instruction and block, not per sample.
struct FormulaProgram: Sendable {
  enum Operation: Hashable, Sendable {
    /// A number; the bit pattern keeps 0 and −0 apart when instructions are merged.
    case constant(UInt64)
    /// Data column k.
    case predictor(Int)
    /// θⱼ.
    case parameter(Int)
    case add, subtract, multiply, divide, power
    /// aⁿ for a constant integer n (exact products for n = 2, 3; 1/a for n = −1).
    case integerPower(Int)
    case negate
    case function(FormulaFunction)
  }

  struct Instruction: Sendable {
    let operation: Operation
    /// Operand instructions (−1 when absent).
    let a: Int
    let b: Int
    /// Whether the node has one value per sample.
    let isVector: Bool
    /// The parameters the node depends on, increasing.
    let dependencies: [Int]
    /// For each dependency of the node, its slot among a's and b's dependencies (−1 when that operand
    /// does not depend on it).
    let slotsInA: [Int]
    let slotsInB: [Int]
  }

  private(set) var instructions: [Instruction] = []
  /// The instruction whose value is the formula's.
  private(set) var output = -1
  let parameterCount: Int
  let predictorCount: Int
  private var merged: [Key: Int] = [:]

  private struct Key: Hashable {
    let operation: Operation
    let a: Int
    let b: Int
  }

  /// Compiles `expression`; `resolve` turns a name into a predictor, a parameter or a constant.
  init(
    _ expression: FormulaExpression, parameterCount: Int, predictorCount: Int,
    resolve: (String, Int) throws(FormulaError) -> Operation
  ) throws(FormulaError) {
    self.parameterCount = parameterCount
    self.predictorCount = predictorCount
    output = try compile(expression, resolve)
  }

  /// The value of a constant instruction, if it is one.
  func constantValue(_ node: Int) -> Double? {
    if case .constant(let bits) = instructions[node].operation { return Double(bitPattern: bits) }
    return nil
  }

  /// Whether the formula's value depends on the data.
  var dependsOnData: Bool { instructions[output].isVector }

  /// The parameters the formula depends on.
  var dependencies: [Int] { instructions[output].dependencies }

  private mutating func compile(
    _ e: FormulaExpression, _ resolve: (String, Int) throws(FormulaError) -> Operation
  ) throws(FormulaError) -> Int {
    switch e {
    case .number(let value, _):
      return emit(.constant(value.bitPattern), -1, -1)
    case .name(let name, let position):
      return emit(try resolve(name, position), -1, -1)
    case .negate(let a, _):
      let x = try compile(a, resolve)
      if let c = constantValue(x) { return constant(-c) }
      return emit(.negate, x, -1)
    case .call(let f, let a, _):
      let x = try compile(a, resolve)
      if let c = constantValue(x) { return constant(FormulaKernels.apply(f, c)) }
      return emit(.function(f), x, -1)
    case .binary(let op, let a, let b, _):
      let x = try compile(a, resolve)
      let y = try compile(b, resolve)
      if let p = constantValue(x), let q = constantValue(y) { return constant(FormulaKernels.apply(op, p, q)) }
      if op == .power, let n = constantValue(y), n == n.rounded(), abs(n) <= 64 {
        switch Int(n) {
        case 0: return constant(1)
        case 1: return x
        default: return emit(.integerPower(Int(n)), x, -1)
        }
      }
      let operation: Operation
      switch op {
      case .add: operation = .add
      case .subtract: operation = .subtract
      case .multiply: operation = .multiply
      case .divide: operation = .divide
      case .power: operation = .power
      }
      return emit(operation, x, y)
    }
  }

  private mutating func constant(_ value: Double) -> Int { emit(.constant(value.bitPattern), -1, -1) }

  private mutating func emit(_ operation: Operation, _ a: Int, _ b: Int) -> Int {
    let key = Key(operation: operation, a: a, b: b)
    if let existing = merged[key] { return existing }
    var isVector = false
    var dependencies: [Int] = []
    switch operation {
    case .predictor: isVector = true
    case .parameter(let j): dependencies = [j]
    default: break
    }
    let depsA = a >= 0 ? instructions[a].dependencies : []
    let depsB = b >= 0 ? instructions[b].dependencies : []
    if a >= 0 { isVector = isVector || instructions[a].isVector }
    if b >= 0 { isVector = isVector || instructions[b].isVector }
    if a >= 0 || b >= 0 { dependencies = Array(Set(depsA).union(depsB)).sorted() }
    let instruction = Instruction(
      operation: operation, a: a, b: b, isVector: isVector, dependencies: dependencies,
      slotsInA: dependencies.map { depsA.firstIndex(of: $0) ?? -1 },
      slotsInB: dependencies.map { depsB.firstIndex(of: $0) ?? -1 })
    instructions.append(instruction)
    merged[key] = instructions.count - 1
    return instructions.count - 1
  }
}
