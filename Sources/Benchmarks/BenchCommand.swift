import ArgumentParser
import Foundation
import KKTNet

/// `kktnet-bench`: the benchmark harness, a tool of its own beside the `kktnet` command (`make bench`).
@main
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kktnet-bench",
    abstract: "Time gradients, Jacobians and Levenberg–Marquardt fits beside the machine's dgemm rate.",
    discussion: """
      Each case is timed after warm-up calls; the median and the minimum of the timed calls are printed with \
      the GFLOP/s they achieve and, first, the GFLOP/s of one dgemm (n = 1024) measured in the same run. \
      Build in release (`make bench`). Set OPENBLAS_NUM_THREADS=1 for stable figures; `kktnet-bench --list` names \
      the cases.
      """)

  @Option(help: "Run only the cases whose name contains this text, or matches it with * wildcards.")
  var cases: String?

  @Option(help: "Seconds to spend timing each case (at least 15 calls are timed, 3 for a case slower than the budget).")
  var seconds: Double = 0.4

  @Flag(help: "List the cases and exit.")
  var list = false

  @Flag(
    help:
      "Time one LM iteration for m ∈ {1e3, 1e4, 1e5} and P ∈ {100, 500, 2000} (and P ≈ 1000 at m = 1e5) beside the flop model m·P² + P³/3, instead of the usual cases."
  )
  var scaling = false

  @Option(help: "How to print the result: 'table' for people, 'json' for programs.")
  var format: BenchFormat = .table

  @Option(
    help: ArgumentHelp(
      "Make exactly this many calls of each selected case, untimed, and no dgemm measurement.",
      discussion:
        "For instruction counts that do not depend on the machine's load: `valgrind --tool=callgrind kktnet-bench --cases gradient-lagrangian-C --calls 10`."
    ))
  var calls: Int?

  @Option(
    help: ArgumentHelp(
      "Time with this OpenBLAS kernel (Haswell, Sandybridge, SkylakeX, …) instead of the environment's choice.",
      discussion:
        "OpenBLAS picks its kernels once, when it loads, from OPENBLAS_CORETYPE; the tool starts itself again with that variable set, so one `make bench-peers` can compare kernel choices."
    ))
  var openblasCoretype: String?

  func validate() throws {
    guard seconds > 0 && seconds <= 60 else { throw ValidationError("--seconds must be between 0 and 60.") }
    if let calls, !(1...1_000_000).contains(calls) {
      throw ValidationError("--calls must be between 1 and 1000000.")
    }
    if let core = openblasCoretype {
      guard !core.isEmpty && core.allSatisfy({ $0.isLetter || $0.isNumber }) else {
        throw ValidationError("--openblas-coretype takes a kernel name such as Sandybridge, not '\(core.prefix(60))'.")
      }
    }
  }

  func run() throws {
    if let core = openblasCoretype, ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != core {
      try restart(withCoreType: core)
    }
    let all = scaling ? BenchmarkCatalog.scalingCases() : BenchmarkCatalog.cases()
    let selected = all.filter { cases.map(matcher)?($0.name) ?? true }
    if list {
      for c in all { print("\(c.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(c.summary)") }
      return
    }
    guard !selected.isEmpty else {
      throw ValidationError("no case matches '\(cases ?? "")'; `kktnet-bench --list` shows them.")
    }
    if let calls {
      for c in selected {
        let (body, _) = c.prepare()
        for _ in 0..<calls { body() }
        print("\(c.name): \(calls) calls")
      }
      return
    }
    let stopwatch = Stopwatch(targetSeconds: seconds)
    let dgemm = measureDgemm(stopwatch)
    var results: [BenchReport.Case] = []
    var table = Table(
      "case", "median µs", "min µs", "GFLOP/s", "% dgemm", "runs", scaling ? "m·P² + P³/3 at dgemm rate, µs" : "note")
    if format == .table {
      print(
        "dgemm (n = 1024): \(String(format: "%.1f", dgemm)) GFLOP/s, \(BLAS.threadCount) thread(s), \(BLAS.configuration)"
      )
    }
    for c in selected {
      let (body, note) = c.prepare()
      let timing = stopwatch.time(body)
      let gflops = c.flops > 0 ? c.flops / (timing.median * 1e3) : nil
      var result = BenchReport.Case(
        name: c.name, medianMicroseconds: timing.median, minimumMicroseconds: timing.minimum, gflops: gflops,
        repetitions: timing.repetitions, note: note())
      if scaling, let model = c.modelFlops {
        result.note = String(format: "%.0f", model / (dgemm * 1e3))
      }
      results.append(result)
      table.append(
        c.name, String(format: "%.1f", timing.median), String(format: "%.1f", timing.minimum),
        gflops.map { String(format: "%.1f", $0) } ?? "-",
        gflops.map { String(format: "%.0f", 100 * $0 / dgemm) } ?? "-",
        "\(timing.repetitions)", result.note ?? "")
    }
    switch format {
    case .json:
      try printJSON(
        BenchReport(
          dgemmGflops: dgemm, threads: BLAS.threadCount, openblas: BLAS.configuration,
          coreType: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], cases: results))
    case .table:
      print(table.rendered)
    }
  }

  /// Replaces this process by the same command with OPENBLAS_CORETYPE = `core` (the flag stays, and is then
  /// already satisfied).
  func restart(withCoreType core: String) throws {
    setenv("OPENBLAS_CORETYPE", core, 1)
    let arguments = CommandLine.arguments
    var pointers = arguments.map { strdup($0) } + [nil]
    execv("/proc/self/exe", &pointers)
    throw ValidationError("could not start the benchmark again with OPENBLAS_CORETYPE=\(core): errno \(errno).")
  }

  /// `gradient` matches names containing it; `gradient-*-D` is a wildcard pattern.
  func matcher(_ pattern: String) -> (String) -> Bool {
    if !pattern.contains("*") { return { $0.contains(pattern) } }
    let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
    return { name in
      var rest = Substring(name)
      for (index, part) in parts.enumerated() {
        if index == 0 {
          guard rest.hasPrefix(part) else { return false }
          rest = rest.dropFirst(part.count)
        } else if index == parts.count - 1 {
          return part.isEmpty || rest.hasSuffix(part)
        } else if let range = rest.range(of: part) {
          rest = rest[range.upperBound...]
        } else {
          return false
        }
      }
      return rest.isEmpty
    }
  }

  /// GFLOP/s of C = A·B for n = 1024 (2n³ flops), median of the timed calls.
  func measureDgemm(_ stopwatch: Stopwatch) -> Double {
    let n = 1024
    var random = RandomSource(seed: 7)
    let a = Matrix(rows: n, columns: n, elements: (0..<(n * n)).map { _ in random.nextUniform() })
    let b = Matrix(rows: n, columns: n, elements: (0..<(n * n)).map { _ in random.nextUniform() })
    var c = Matrix(rows: n, columns: n)
    var short = stopwatch
    short.minimumRepetitions = 5
    let timing = short.time { BLAS.gemm(a, b, into: &c) }
    return 2 * Double(n * n * n) / (timing.median * 1e3)
  }
}
