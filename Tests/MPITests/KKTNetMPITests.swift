import Foundation
import KKTNet
import TestSupport
import Testing

/// `mpirun -np 2 kktnet-mpi train …` against `kktnet train …` with the same flags, resumed runs, and the
/// faults of a data-parallel run, through the built executables.
///
/// Tolerances. The two runs add the same per-sample terms in another order (each rank its half, then the
/// two halves), so every sum differs by rounding, about 1e-16 relative. Levenberg–Marquardt runs that end
/// near a minimum carry that through the iterations with little growth, and the loss is flat there to
/// first order: 1e-10 relative in the final loss, with the same iteration count. Adam's mini-batches are
/// the same samples (the global order, split over the ranks); 20 epochs of updates amplify the rounding
/// more, 1e-6 relative.
@Suite("kktnet-mpi under mpirun", .serialized)
struct KKTNetMPITests {
  static let leastSquares = [
    "--data", datasetPath("diabetes"), "--architecture", "10-5-1", "--activations", "tanh", "--loss", "mse",
    "--standardize", "--standardize-targets", "--solver", "levenberg-marquardt", "--seed", "3",
  ]
  static let classifier = [
    "--data", datasetPath("breast_cancer"), "--architecture", "30-3-1", "--activations", "tanh", "--loss", "bce",
    "--standardize", "--l2", "0.01", "--validation-split", "0.2", "--solver", "levenberg-marquardt",
    "--seed", "3",
  ]
  static let adam = [
    "--data", datasetPath("breast_cancer"), "--architecture", "30-8-1", "--activations", "tanh", "--loss", "bce",
    "--standardize", "--validation-split", "0.2", "--solver", "adam", "--batch-size", "32", "--seed", "5",
  ]

  @Test(
    "Levenberg–Marquardt on 2 ranks ends where the single process ends (mse, bce)",
    arguments: [("mse", leastSquares), ("bce", classifier)])
  func levenbergMarquardt(_ loss: String, _ flags: [String]) throws {
    let (single, parallel) = try both(flags + ["--max-iterations", "40"])
    #expect(single["iterations"] as? Int == parallel["iterations"] as? Int)
    #expect(single["termination"] as? String == parallel["termination"] as? String)
    let (a, b) = (try number(single, "final_loss"), try number(parallel, "final_loss"))
    #expect(abs(a - b) <= 1e-10 * abs(a), "\(loss): \(a) and \(b)")
  }

  @Test("Adam on 2 ranks with the global mini-batches agrees with the single process after 20 epochs")
  func adamAgrees() throws {
    let (single, parallel) = try both(Self.adam + ["--epochs", "20"])
    #expect(single["iterations"] as? Int == 20 * 15)  // 455 training samples in batches of 32
    #expect(parallel["iterations"] as? Int == single["iterations"] as? Int)
    for key in ["final_loss", "validation_loss"] {
      let (a, b) = (try number(single, key), try number(parallel, key))
      #expect(abs(a - b) <= 1e-6 * abs(a), "\(key): \(a) and \(b)")
    }
  }

  @Test(
    "a resumed 2-rank run writes the uninterrupted 2-rank run's model, bit for bit",
    arguments: [(leastSquares, "--max-iterations", "8", "20"), (adam, "--epochs", "4", "10")])
  func resume(_ flags: [String], _ budgetFlag: String, _ first: String, _ whole: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    let base = flags + ["--no-timing"]
    let uninterrupted = try mpirun(
      ["train"] + base + [budgetFlag, whole, "--out", path("whole.st")], executable: kktnetMPI())
    #expect(uninterrupted.status == 0, "\(uninterrupted)")
    let started = try mpirun(
      ["train"] + base + [budgetFlag, first, "--checkpoint", path("saved.st")], executable: kktnetMPI())
    #expect(started.status == 0, "\(started)")
    let resumed = try mpirun(
      ["train"] + base + [budgetFlag, whole, "--resume", path("saved.st"), "--out", path("resumed.st")],
      executable: kktnetMPI())
    #expect(resumed.status == 0, "\(resumed)")
    let a = try Data(contentsOf: URL(fileURLWithPath: path("whole.st")))
    let b = try Data(contentsOf: URL(fileURLWithPath: path("resumed.st")))
    #expect(a == b)
  }

  @Test("a bad row in rank 1's share stops both ranks with one sentence, the single process's")
  func badRow() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var lines = try String(contentsOfFile: datasetPath("diabetes"), encoding: .utf8).split(separator: "\n")
      .map(String.init)
    var cells = lines[400].split(separator: ",")  // line 401: row 399 of 442, in rank 1's rows 221..<442
    cells[2] = "abc"
    lines[400] = cells.joined(separator: ",")
    let data = folder.appendingPathComponent("bad.csv").path
    try lines.joined(separator: "\n").write(toFile: data, atomically: true, encoding: .utf8)
    let flags = ["--data", data] + Self.leastSquares.dropFirst(2) + ["--max-iterations", "5"]
    let single = try runKKTNet(["train"] + flags)
    let sentence = single.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(single.status != 0 && sentence.contains("line 401"), "\(single.standardError)")
    let run = try mpirun(["train"] + flags, executable: kktnetMPI())
    #expect(!run.timedOut && run.status != 0, "\(run)")
    #expect(run.standardError.components(separatedBy: sentence).count == 2, "once: \(run)")
    #expect(run.standardOutput.isEmpty, "\(run)")
  }

  @Test("a rank's memory check counts the P × P normal matrix it sums, not the single process's dual system")
  func memoryCheckUnderMPI() throws {
    // 30-20000-1 on 569 samples: P = 640 001 > m, so one process takes the M × M dual system (a few GB at
    // most), while the ranks sum JᵀJ, P² doubles = 3.3 TB: refused before any allocation, on every rank.
    let flags = [
      "train", "--data", datasetPath("breast_cancer"), "--architecture", "30-20000-1", "--loss", "mse",
      "--solver", "levenberg-marquardt", "--max-iterations", "1",
    ]
    let run = try mpirun(flags, executable: kktnetMPI())
    #expect(!run.timedOut && run.status == 1, "\(run)")
    #expect(run.standardError.contains("for its P × P normal matrices"), "\(run)")
    #expect(run.standardError.components(separatedBy: "TB").count == 2, "one sentence: \(run)")
  }

  @Test("a data file no rank can read stops every rank with one sentence")
  func unreadable() throws {
    let missing = "/nonexistent-\(UUID().uuidString)/data.csv"
    let run = try mpirun(
      ["train", "--data", missing] + Self.leastSquares.dropFirst(2) + ["--max-iterations", "5"], executable: kktnetMPI()
    )
    #expect(!run.timedOut && run.status != 0, "\(run)")
    #expect(run.standardError.components(separatedBy: "\(missing): no such file").count == 2, "\(run)")
  }

  @Test("a target that overflows the loss in rank 1's share ends the run on every rank, with one sentence")
  func nonFiniteOnOneRank() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var lines = try String(contentsOfFile: datasetPath("diabetes"), encoding: .utf8).split(separator: "\n")
      .map(String.init)
    var cells = lines[400].split(separator: ",").map(String.init)
    cells[cells.count - 1] = "1e300"  // (ŷ − y)² overflows on rank 1 alone
    lines[400] = cells.joined(separator: ",")
    let data = folder.appendingPathComponent("huge.csv").path
    try lines.joined(separator: "\n").write(toFile: data, atomically: true, encoding: .utf8)
    // Without --standardize-targets, so that the huge target reaches the loss as it is.
    let flags = [
      "train", "--data", data, "--architecture", "10-5-1", "--loss", "mse", "--standardize", "--solver",
      "levenberg-marquardt", "--max-iterations", "5", "--format", "json",
    ]
    let run = try mpirun(flags, executable: kktnetMPI())
    #expect(!run.timedOut && run.status != 0, "\(run)")
    #expect(
      run.standardError.components(separatedBy: "the loss is not finite at the starting point").count == 2, "\(run)")
    #expect(run.standardOutput.isEmpty, "\(run)")
  }

  @Test(
    "fit on 2 ranks (JᵀJ summed over the ranks) reaches NIST's certified values and standard deviations",
    arguments: ["Misra1a", "Chwirut2", "Roszman1"])
  func fit(_ name: String) throws {
    // The normal equations square J's condition number, which costs digits that QR keeps: LRE ≥ 6 for
    // the estimates and ≥ 4 for the standard deviations is the single process's bar in FitCommandTests.
    let path = repositoryRoot.appendingPathComponent("Tests/SolversTests/NIST/\(name).dat").path
    let run = try mpirun(["fit", "--nist", path, "--start", "1", "--format", "json"], executable: kktnetMPI())
    #expect(run.status == 0, "\(run)")
    let report = try #require(foundationObject(try JSONValue.parse(Array(run.standardOutput.utf8))) as? [String: Any])
    let single = try #require(try runKKTNet(["fit", "--nist", path, "--start", "1", "--format", "json"]).json)
    #expect(report["observations"] as? Int == single["observations"] as? Int)
    let lre = try #require(report["parameter_lre"] as? [String: Double])
    #expect(!lre.isEmpty && lre.values.allSatisfy { $0 >= 6 }, "\(lre)")
    let sdLRE = try #require(report["standard_deviation_lre"] as? [String: Double])
    #expect(!sdLRE.isEmpty && sdLRE.values.allSatisfy { $0 >= 4 }, "\(sdLRE)")
  }

  /// `kktnet train flags --format json` and the same under `mpirun -np 2 kktnet-mpi`.
  func both(_ flags: [String]) throws -> ([String: Any], [String: Any]) {
    let single = try runKKTNet(["train"] + flags + ["--format", "json"])
    #expect(single.status == 0, "\(single.standardError)")
    let run = try mpirun(["train"] + flags + ["--format", "json"], executable: kktnetMPI())
    #expect(run.status == 0, "\(run)")
    let parallel = try JSONValue.parse(Array(run.standardOutput.utf8))
    return (try #require(single.json), try #require(foundationObject(parallel) as? [String: Any]))
  }

  func number(_ report: [String: Any], _ key: String) throws -> Double {
    try #require((report[key] as? NSNumber)?.doubleValue, "\(key) in the report")
  }

  func kktnetMPI() -> URL { kktnetExecutable(named: "kktnet-mpi") }
}
