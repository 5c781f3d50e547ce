import Foundation

/// Runs a ``FormulaProgram`` over all samples at once: values f(xᵢ; θ) and, in forward mode, the exact
/// derivatives ∂f(xᵢ; θ)/∂θⱼ, block by block of samples.
///
/// Each vector node holds one block of values and one block per parameter it depends on; a scalar node one
/// number of each. A block is evaluated by one loop per instruction (`instructions × (1 + dependencies)`
/// loops of `blockSize` iterations), so no per-sample dispatch remains, and the buffers stay in cache.
struct FormulaEvaluator {
  /// A strided read-only view: element i is `base[i · stride]`, stride 0 for a scalar broadcast over a
  /// block.
  struct View {
    let base: UnsafePointer<Double>
    let stride: Int
    @inline(__always) subscript(i: Int) -> Double { base[i &* stride] }
  }

  let program: FormulaProgram
  let blockSize: Int

  init(program: FormulaProgram, blockSize: Int = 1024) {
    precondition(blockSize >= 1, "the block size must be positive")
    self.program = program
    self.blockSize = blockSize
  }

  /// Evaluates the formula for m samples.
  ///
  /// - Parameters:
  ///   - parameters: θ (P values).
  ///   - predictors: one column of m values per predictor, in the program's order.
  ///   - values: receives f, m values.
  ///   - jacobian: when given, receives ∂f/∂θ column-major with leading dimension m (m × P); columns of
  ///     parameters the formula does not depend on are zero.
  func evaluate(
    parameters: [Double], predictors: [[Double]], count m: Int, values: UnsafeMutablePointer<Double>,
    jacobian: UnsafeMutablePointer<Double>?
  ) {
    precondition(
      parameters.count == program.parameterCount, "θ has \(parameters.count) values, not \(program.parameterCount)")
    precondition(
      predictors.count == program.predictorCount && predictors.allSatisfy { $0.count == m },
      "one column of m values per predictor")
    let instructions = program.instructions
    let block = max(1, min(blockSize, m))
    let derivatives = jacobian != nil
    // Storage: per node its value and tangents (block or 1 each), then scratch for two partials, then ±1.
    var offsets: [Int] = []
    var total = 0
    for instruction in instructions {
      offsets.append(total)
      total += (1 + (derivatives ? instruction.dependencies.count : 0)) * (instruction.isVector ? block : 1)
    }
    let storage = UnsafeMutablePointer<Double>.allocate(capacity: total + 2 * block + 2)
    defer { storage.deallocate() }
    let scratchA = storage + total
    let scratchB = scratchA + block
    let one = scratchB + block
    one[0] = 1
    one[1] = -1
    let unit = View(base: one, stride: 0)
    let minusUnit = View(base: one + 1, stride: 0)
    for (k, instruction) in instructions.enumerated() {
      switch instruction.operation {
      case .parameter(let j): storage[offsets[k]] = parameters[j]
      case .constant(let bits): storage[offsets[k]] = Double(bitPattern: bits)
      default: break
      }
    }
    predictors.withUnsafeBufferPointers { columns in
      var start = 0
      while start < m {
        let n = min(block, m - start)
        func length(_ k: Int) -> Int { instructions[k].isVector ? n : 1 }
        func value(_ k: Int) -> View {
          if case .predictor(let c) = instructions[k].operation { return View(base: columns[c] + start, stride: 1) }
          return View(base: storage + offsets[k], stride: instructions[k].isVector ? 1 : 0)
        }
        func tangent(_ k: Int, _ slot: Int) -> View {
          if case .parameter = instructions[k].operation { return unit }
          let stride = instructions[k].isVector ? 1 : 0
          return View(base: storage + offsets[k] + (slot + 1) * (stride == 1 ? block : 1), stride: stride)
        }
        for (k, instruction) in instructions.enumerated() {
          switch instruction.operation {
          case .constant, .parameter, .predictor: continue
          default: break
          }
          let count = length(k)
          let out = storage + offsets[k]
          let a = value(instruction.a)
          let b = instruction.b >= 0 ? value(instruction.b) : unit
          let needA = derivatives && !instructions[instruction.a].dependencies.isEmpty
          let needB = derivatives && instruction.b >= 0 && !instructions[instruction.b].dependencies.isEmpty
          var alpha = unit
          var beta = unit
          switch instruction.operation {
          case .add:
            for i in 0..<count { out[i] = a[i] + b[i] }
          case .subtract:
            for i in 0..<count { out[i] = a[i] - b[i] }
            beta = minusUnit
          case .multiply:
            for i in 0..<count { out[i] = a[i] * b[i] }
            (alpha, beta) = (b, a)
          case .divide:
            for i in 0..<count { out[i] = a[i] / b[i] }
            if needA {
              for i in 0..<count { scratchA[i] = 1 / b[i] }
              alpha = View(base: scratchA, stride: 1)
            }
            if needB {
              for i in 0..<count { scratchB[i] = -out[i] / b[i] }
              beta = View(base: scratchB, stride: 1)
            }
          case .power:
            for i in 0..<count { out[i] = FormulaKernels.power(a[i], b[i]) }
            if needA {
              for i in 0..<count { scratchA[i] = b[i] * FormulaKernels.power(a[i], b[i] - 1) }
              alpha = View(base: scratchA, stride: 1)
            }
            if needB {
              for i in 0..<count { scratchB[i] = out[i] * Foundation.log(a[i]) }
              beta = View(base: scratchB, stride: 1)
            }
          case .integerPower(let p):
            for i in 0..<count { out[i] = FormulaKernels.integerPower(a[i], p) }
            if needA {
              let factor = Double(p)
              for i in 0..<count { scratchA[i] = factor * FormulaKernels.integerPower(a[i], p - 1) }
              alpha = View(base: scratchA, stride: 1)
            }
          case .negate:
            for i in 0..<count { out[i] = -a[i] }
            alpha = minusUnit
          case .function(let f):
            for i in 0..<count { out[i] = FormulaKernels.apply(f, a[i]) }
            if needA {
              for i in 0..<count { scratchA[i] = FormulaKernels.derivative(f, a[i], out[i]) }
              alpha = View(base: scratchA, stride: 1)
            }
          case .constant, .parameter, .predictor:
            preconditionFailure("leaves are not computed")
          }
          guard derivatives else { continue }
          let stride = instruction.isVector ? block : 1
          for slot in instruction.dependencies.indices {
            let target = out + (slot + 1) * stride
            let (sa, sb) = (instruction.slotsInA[slot], instruction.slotsInB[slot])
            if sa >= 0 && sb >= 0 {
              let (da, db) = (tangent(instruction.a, sa), tangent(instruction.b, sb))
              for i in 0..<count { target[i] = alpha[i] * da[i] + beta[i] * db[i] }
            } else if sa >= 0 {
              let da = tangent(instruction.a, sa)
              for i in 0..<count { target[i] = alpha[i] * da[i] }
            } else {
              let db = tangent(instruction.b, sb)
              for i in 0..<count { target[i] = beta[i] * db[i] }
            }
          }
        }
        let result = program.output
        let f = value(result)
        for i in 0..<n { values[start + i] = f[i] }
        if let jacobian {
          let dependencies = instructions[result].dependencies
          for j in 0..<program.parameterCount {
            let column = jacobian + j * m + start
            if let slot = dependencies.firstIndex(of: j) {
              let d = tangent(result, slot)
              for i in 0..<n { column[i] = d[i] }
            } else {
              for i in 0..<n { column[i] = 0 }
            }
          }
        }
        start += n
      }
    }
  }
}

extension Array where Element == [Double] {
  /// Calls `body` with a base address for every inner array.
  fileprivate func withUnsafeBufferPointers<R>(_ body: ([UnsafePointer<Double>]) -> R) -> R {
    func recurse(_ index: Int, _ pointers: inout [UnsafePointer<Double>]) -> R {
      if index == count { return body(pointers) }
      return self[index].withUnsafeBufferPointer { buffer in
        pointers.append(buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!)
        return recurse(index + 1, &pointers)
      }
    }
    var pointers: [UnsafePointer<Double>] = []
    return recurse(0, &pointers)
  }
}
