import Foundation
import KKTNet
import TestSupport
import Testing

/// The MPI communicator and the sharded reading, run for real: `mpirun` starts MPIRankChecks on 2 ranks
/// (3 for one case), each rank checks its part and prints `rank r: …`. Every run is bounded in time; a run
/// that has not ended by then is killed and the test fails.
@Suite("MPI runs under mpirun", .serialized)
struct MPIRunTests {
  @Test("sums give every rank rank 0's bits, broadcasts, barrier, flags, gathering and the failure agreement")
  func collectives() throws {
    let run = try mpirun(["collectives"])
    #expect(run.status == 0, "\(run)")
    for rank in 0..<2 {
      #expect(run.standardOutput.contains("rank \(rank): sum of 1001 doubles identical to rank 0's"), "\(run)")
      #expect(run.standardOutput.contains("rank \(rank): anyRank, firstRank, allGather, firstFailure"), "\(run)")
    }
  }

  @Test(
    "each rank's rows, classes, split and standardization are the single process's",
    arguments: [("iris", "ce", 2), ("breast_cancer", "bce", 2), ("diabetes", "mse", 2), ("digits", "ce", 3)])
  func shards(_ name: String, _ loss: String, _ ranks: Int) throws {
    let run = try mpirun(["shards", datasetPath(name), loss, "0.2", "11"], ranks: ranks)
    #expect(run.status == 0, "\(run)")
    #expect(!run.standardOutput.contains("FAILED"), "\(run)")
    let m = try Dataset.load(path: datasetPath(name), loss: loss == "ce" ? .softmaxCrossEntropy : .meanSquaredError)
      .sampleCount
    for rank in 0..<ranks {
      #expect(
        run.standardOutput.contains("rank \(rank): rows \(rank * m / ranks)..<\((rank + 1) * m / ranks) of \(m) equal"))
      #expect(run.standardOutput.contains("rank \(rank): standardization identical on every rank, within its bound"))
    }
  }

  @Test("a bad row in rank 1's share stops both ranks with the single process's sentence, once")
  func badRow() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var lines = try String(contentsOfFile: datasetPath("iris"), encoding: .utf8).split(separator: "\n").map(String.init)
    var cells = lines[121].split(separator: ",")  // line 122: row 120 of 150, in rank 1's rows 75..<150
    cells[1] = "abc"
    lines[121] = cells.joined(separator: ",")
    let path = folder.appendingPathComponent("bad.csv").path
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let expected = try singleProcessError(path)
    #expect(expected.contains("line 122, column 2"))

    let run = try mpirun(["read", path])
    #expect(!run.timedOut && run.status != 0, "\(run)")
    #expect(run.standardError.components(separatedBy: "Error: \(expected)\n").count == 2, "\(run)")
    #expect(!run.standardOutput.contains("read rows"), "no rank went on: \(run)")
  }

  @Test("a file that rank 1 cannot read stops both ranks with rank 1's sentence")
  func unreadableOnOneRank() throws {
    let missing = "/nonexistent-\(UUID().uuidString)/data.csv"
    let run = try mpirun(["read", datasetPath("iris"), missing])
    #expect(!run.timedOut && run.status != 0, "\(run)")
    #expect(run.standardError.components(separatedBy: "Error: \(missing): no such file\n").count == 2, "\(run)")
  }

  @Test("a non-finite value on rank 1 is a termination on every rank")
  func nonFinite() throws {
    let run = try mpirun(["nonfinite", "1"])
    #expect(run.status == 0, "\(run)")
    for rank in 0..<2 {
      #expect(run.standardOutput.contains("rank \(rank): terminated: a non-finite loss on rank 1"), "\(run)")
      #expect(run.standardOutput.contains("rank \(rank): the summed loss is not finite"), "\(run)")
    }
  }

  @Test("an MPI error code is thrown with its sentence and ends the job")
  func mpiError() throws {
    let run = try mpirun(["mpi-error"])
    #expect(!run.timedOut && run.status != 0, "\(run)")
    #expect(run.standardError.contains("Error: rank 1: MPI_Bcast failed: MPI_ERR_TRUNCATE"), "\(run)")
  }

  /// The sentence `kktnet` gives for the file: Dataset.load's error.
  func singleProcessError(_ path: String) throws -> String {
    do {
      _ = try Dataset.load(path: path, loss: .meanSquaredError)
      return "no error"
    } catch {
      return error.description
    }
  }
}
