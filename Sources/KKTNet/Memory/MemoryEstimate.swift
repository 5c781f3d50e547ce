/// A number of bytes that a computation will allocate, counted with saturating arithmetic: a count that
/// would overflow an `Int` becomes `Int.max`, which no machine allows. So sizes typed by a user
/// (`--architecture 3-9223372036854775807-1`, `--samples 9223372036854775807`) can be estimated safely and
/// compared with ``MemoryLimit/allowed`` before anything is allocated.
public struct MemoryEstimate: Sendable, Comparable, CustomStringConvertible {
  /// The bytes (`Int.max` for "more than an `Int` counts").
  public var bytes: Int

  /// An estimate of `bytes` (0 for a negative count).
  public init(bytes: Int) { self.bytes = max(bytes, 0) }

  /// Nothing.
  public static let zero = MemoryEstimate(bytes: 0)

  /// 8·Π `counts` bytes: the storage of that many `Double`s.
  public static func doubles(_ counts: Int...) -> MemoryEstimate {
    MemoryEstimate(bytes: counts.reduce(8, saturatingProduct))
  }

  /// The sum of two estimates, saturating at `Int.max` bytes.
  public static func + (a: MemoryEstimate, b: MemoryEstimate) -> MemoryEstimate {
    let (sum, overflow) = a.bytes.addingReportingOverflow(b.bytes)
    return MemoryEstimate(bytes: overflow ? Int.max : sum)
  }

  /// `factor` times an estimate, saturating at `Int.max` bytes.
  public static func * (factor: Int, a: MemoryEstimate) -> MemoryEstimate {
    MemoryEstimate(bytes: saturatingProduct(max(factor, 0), a.bytes))
  }

  public static func < (a: MemoryEstimate, b: MemoryEstimate) -> Bool { a.bytes < b.bytes }

  /// a·b for non-negative counts, `Int.max` when it overflows.
  public static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = max(a, 0).multipliedReportingOverflow(by: max(b, 0))
    return overflow ? Int.max : product
  }

  /// Σ of non-negative counts, `Int.max` when it overflows.
  public static func saturatingSum(_ counts: [Int]) -> Int {
    var total = 0
    for count in counts {
      let (sum, overflow) = total.addingReportingOverflow(max(count, 0))
      if overflow { return Int.max }
      total = sum
    }
    return total
  }

  /// `103 GB`, `1.5 MB`: three significant digits in units of 1024 (as `free -g` counts); "more than 8 EB"
  /// for `Int.max`.
  public var description: String {
    if bytes == Int.max { return "more than 8 EB" }
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(bytes) bytes" }
    let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
    var text = String(format: "%.\(digits)f", value)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return "\(text) \(units[unit])"
  }

  /// Throws unless this fits in what the process may allocate.
  ///
  /// - Parameters:
  ///   - subject: what needs the memory, as the sentence's subject: "a 3-4294967296-1 network".
  ///   - purpose: what for: "for its parameters".
  /// - Throws: ``MemoryError``: "a 3-4294967296-1 network needs 172 GB for its parameters; this machine
  ///   allows 23 GB".
  public func check(_ subject: String, _ purpose: String) throws(MemoryError) {
    let allowed = MemoryLimit.allowed
    if bytes > allowed {
      throw MemoryError(subject: subject, purpose: purpose, needed: self, allowed: MemoryEstimate(bytes: allowed))
    }
  }
}

/// A computation that needs more memory than the process may allocate, with the sentence to show.
public struct MemoryError: Error, Sendable, CustomStringConvertible {
  /// What needs the memory ("the 784-64-10 network on 60000 samples").
  public let subject: String
  /// What for ("for its Jacobian").
  public let purpose: String
  /// The memory it needs.
  public let needed: MemoryEstimate
  /// The memory the process may allocate.
  public let allowed: MemoryEstimate

  public var description: String {
    "\(subject) needs \(needed) \(purpose); this machine allows \(allowed)"
  }
}
