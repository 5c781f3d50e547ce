import Foundation
import TestSupport
import Testing

/// The benchmark tool's output (never its timings: speed is measured in release builds by `make bench`).
@Suite("kktnet-bench")
struct BenchCommandTests {
  @Test("--list names every case the issue asks for, and --scaling its grid")
  func list() throws {
    let result = try runBench(["--list"])
    #expect(result.status == 0)
    for name in [
      "gradient-lagrangian-A", "gradient-lagrangian-D", "gradient-backprop-A", "gradient-backprop-D", "jacobian-A",
      "jacobian-B", "lm-iteration-sine", "lm-iteration-A", "lm-iteration-B", "lm-iteration-P1000", "lm-to-target-sine",
      "lm-to-target-diabetes",
    ] {
      #expect(result.standardOutput.contains(name + " "), "missing \(name)")
    }
    let scaling = try runBench(["--scaling", "--list"])
    #expect(scaling.standardOutput.split(separator: "\n").count == 10)
    #expect(scaling.standardOutput.contains("lm-scaling-m100000-P1000"))
  }

  @Test("--format json: the dgemm rate and, per selected case, median, minimum and GFLOP/s")
  func json() throws {
    let result = try runBench(["--cases", "gradient-*-A", "--seconds", "0.01", "--format", "json"])
    #expect(result.status == 0, "\(result.standardError)")
    let json = try #require(result.json)
    #expect(try #require(json["dgemm_gflops"] as? Double) > 0)
    let cases = try #require(json["cases"] as? [[String: Any]])
    #expect(cases.map { $0["name"] as? String } == ["gradient-lagrangian-A", "gradient-backprop-A"])
    for c in cases {
      let median = try #require(c["median_us"] as? Double)
      let minimum = try #require(c["min_us"] as? Double)
      #expect(minimum > 0 && minimum <= median)
      #expect(try #require(c["gflops"] as? Double) > 0)
    }
  }

  @Test("a pattern that matches nothing is a usage error")
  func noMatch() throws {
    let result = try runBench(["--cases", "nothing-like-this"])
    #expect(result.status == 64)
    #expect(result.standardError.contains("no case matches 'nothing-like-this'"))
  }

  @Test("the harness is not a subcommand of kktnet")
  func notInTheProduct() throws {
    let result = try runKKTNet(["bench", "--list"])
    #expect(result.status == 64)
  }

  func runBench(_ arguments: [String]) throws -> CommandResult {
    try runKKTNet(arguments, executable: "kktnet-bench")
  }
}
