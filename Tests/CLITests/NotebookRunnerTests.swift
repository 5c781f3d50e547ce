import Foundation
import KKTNet
import TestSupport
import Testing

@testable import kktnet_notebook

/// Runs the `kktnet-notebook` built beside `kktnet` with the arguments, and waits for it.
private func runNotebookTool(_ arguments: [String]) throws -> Subprocess {
  let tool = kktnetExecutable().deletingLastPathComponent().appendingPathComponent("kktnet-notebook")
  return try Subprocess.run(tool.path, arguments)
}

/// A scratch folder inside the package (the tool finds the package root above the notebook).
private func scratchFolder() throws -> URL {
  let folder = repositoryRoot.appendingPathComponent(".build/notebook-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder
}

private func compare(_ old: String, _ new: String, _ tolerance: Tolerance = .standard) -> LineComparison {
  LineComparison(notebook: old, rerun: new, tolerance: tolerance)
}

private func differs(_ comparison: LineComparison) -> Bool {
  if case .different = comparison { return true }
  return false
}

@Suite("kktnet-notebook run")
struct NotebookRunnerTests {
  @Test("a notebook's text survives parsing unchanged, fences and info strings included")
  func roundTrip() {
    let text = """
      # Title

      Prose with `code`.

      ```swift
      print(1)
      ```

      ```output
      1
      ```

      ````console nocheck
      $ kktnet compare
      ````
      """ + "\n"
    let document = NotebookDocument(text: text)
    #expect(document.text == text)
    let blocks = document.segments.compactMap { segment -> String? in
      if case .block(_, let info, _) = segment { return info }
      return nil
    }
    #expect(blocks == ["swift", "output", "console nocheck"])
    #expect(NotebookDocument.kind("console nocheck") == ("console", false))
    #expect(document.firstLines == [1, 5, 8, 9, 12, 13])
    #expect(document.cells == [1, 5])
    #expect(document.orphanOutputs.isEmpty)
  }

  @Test("printed numbers are cut out of a line with their last digit's unit; hyphens and names stay text")
  func numbers() {
    let pieces = PrintedNumber.pieces(of: "β₂ = 5.5015643180e-04, 30-16-1 layers.0.weight -0.25 98.90%")
    let numbers = pieces.compactMap { piece -> PrintedNumber? in
      if case .number(let number) = piece { return number }
      return nil
    }
    #expect(numbers.map(\.text) == ["5.5015643180e-04", "30", "16", "1", "0", "-0.25", "98.90"])
    #expect(numbers.map(\.exponent) == [-14, 0, 0, 0, 0, -2, -2])
    #expect(numbers.map(\.isCount) == [false, true, true, true, true, false, false])
    guard case .number(let next) = PrintedNumber.pieces(of: "5.5015643181e-04")[0] else {
      Issue.record("5.5015643181e-04 should be one number")
      return
    }
    #expect(numbers[0].distance(to: next) == 1)
  }

  @Test("a change of the last digit within 2 units passes, and is reported as within tolerance")
  func lastDigit() {
    #expect(compare("β₂ = 5.5015643180e-04", "β₂ = 5.5015643181e-04") != .same)
    #expect(!differs(compare("β₂ = 5.5015643180e-04", "β₂ = 5.5015643181e-04")))
    #expect(!differs(compare("training loss 0.1964", "training loss 0.1962")))
    #expect(!differs(compare("training loss    0.203898511445", "training loss    0.203898511446")))
    #expect(!differs(compare("9.99e-01", "1.00e+00")))
    guard case .withinTolerance(let pairs) = compare("loss 0.1964 and 0.2798", "loss 0.1963 and 0.2798") else {
      Issue.record("a one-unit change should be within tolerance")
      return
    }
    #expect(pairs.count == 1)
    #expect(pairs[0].notebook.text == "0.1964" && pairs[0].rerun.text == "0.1963" && pairs[0].units == 1)
  }

  @Test("a change of 3 units in the last digit fails, and the sentence gives both values and the tolerance")
  func largerChange() {
    let comparison = compare("validation loss 0.2798", "validation loss 0.2795")
    guard case .different(let sentence) = comparison else {
      Issue.record("3 units should fail under the default tolerance")
      return
    }
    #expect(sentence.contains("0.2798 became 0.2795"))
    #expect(sentence.contains("over the tolerance ±2.0e-04 (±2 units in the last digit)"))
    #expect(differs(compare("LRE 11.0", "LRE 9.5")))
  }

  @Test("words, counts and signs match exactly; rounding noise below 1e-9 always matches")
  func exactParts() {
    #expect(differs(compare("converged: the gradient's max-norm fell", "converged: the step became smaller")))
    #expect(differs(compare("12 iterations", "13 iterations")))
    #expect(differs(compare("|w| < 0.01: 342 of 352", "|w| < 0.01: 343 of 352")))
    #expect(differs(compare("δ = +0.0001", "δ = -0.0001")))
    #expect(!differs(compare("-0.0000 0.0000", "0.0000 -0.0000")))
    #expect(differs(compare("loss 0.5", "loss 1")))
    #expect(differs(compare("a  b", "a b")))
    #expect(compare("trailing   ", "trailing") == .same)
    #expect(compare("residual 4.16e-17  x", "residual 0.00e+00  x") == .same)
    #expect(differs(compare("residual 0.00e+00", "residual 1.0e-02")))
    #expect(differs(compare("loss 1.2e-8", "loss 1.5e-8")))
  }

  @Test("a declared tolerance loosens only its cell, is read from a visible prose line, and needs a reason")
  func declaredTolerance() throws {
    let text = """
      Prose.

      > **Tolerance:** ±5 units in the last digit — 2000 Adam steps on sign(w)
      > amplify last-bit differences.
      ```swift
      print(0.2798)
      ```

      ```output
      0.2798
      ```

      ```swift
      print(0.2798)
      ```

      ```output
      0.2798
      ```
      """ + "\n"
    let document = NotebookDocument(text: text)
    let tolerances = try document.declaredTolerances()
    #expect(tolerances.keys.sorted() == [1])
    #expect(tolerances[1]?.units == 5)
    #expect(tolerances[1]?.reason == "2000 Adam steps on sign(w) amplify last-bit differences.")
    var rerun = document
    rerun.segments[3] = .block(fence: "```", info: "output", lines: ["0.2795"])
    rerun.segments[7] = .block(fence: "```", info: "output", lines: ["0.2795"])
    let check = NotebookCheck(document, rerun: rerun, name: "n.md", tolerances: tolerances)
    #expect(check.failures.count == 1)
    #expect(check.failures.first?.hasPrefix("n.md:18 (cell 2, line 1): 0.2798 became 0.2795") == true)
    #expect(check.withinTolerance.count == 1)
    #expect(check.withinTolerance.first?.hasPrefix("n.md:10 (cell 1, line 1): 0.2798 in the notebook, 0.2795") == true)
    #expect(check.withinTolerance.first?.contains("within ±5 units in the last digit, declared: 2000 Adam") == true)
    for bad in [
      "> **Tolerance:** ±5 units in the last digit", "> **Tolerance:** 5 units in the last digit — why",
      "> **Tolerance:** ±5 percent — why", "> **Tolerance:** ±5 units in the last digit — 42",
    ] {
      #expect(throws: InputError.self) { try Tolerance(marker: bad) }
    }
    let misplaced = NotebookDocument(text: "> **Tolerance:** ±5 units in the last digit — why\n\nProse.\n")
    #expect(throws: InputError("line 1: a tolerance marker must stand right before the cell it loosens")) {
      try misplaced.declaredTolerances()
    }
  }

  @Test("a Swift cell that prints gets an output block, one that prints nothing loses its block")
  func outputBlocks() {
    let document = NotebookDocument(
      text: "```swift\nprint(1)\n```\n\n```swift\nlet a = 1\n```\n\n```output\nold\n```\n\nProse.\n")
    let cells = document.cells
    let results = [
      cells[0]: NotebookRunner.CellResult(output: ["1"], checked: true),
      cells[1]: NotebookRunner.CellResult(output: [], checked: true),
    ]
    let updated = NotebookRunner.updated(document, results)
    #expect(updated.text == "```swift\nprint(1)\n```\n\n```output\n1\n```\n\n```swift\nlet a = 1\n```\n\nProse.\n")
    let check = NotebookCheck(document, rerun: updated, name: "n.md", tolerances: [:])
    #expect(
      check.failures == [
        "n.md: the notebook has 1 output block(s), the re-run 1: a cell that prints has no output block, "
          + "or one that prints nothing has one"
      ])
  }

  @Test("an image is compared line by line like an output: coordinates as numbers, the rest exactly")
  func images() {
    let committed = "<svg>\n<polyline stroke=\"#1f77b4\" points=\"80.0,55.6 120.8,84.9\"/>\n</svg>\n"
    let moved = committed.replacingOccurrences(of: "84.9", with: "85.0")
    let recolored = committed.replacingOccurrences(of: "#1f77b4", with: "#d62728")
    let far = committed.replacingOccurrences(of: "84.9", with: "85.2")
    #expect(NotebookCheck(image: "a.svg", committed: committed, fresh: moved, tolerance: .standard).failures.isEmpty)
    #expect(
      NotebookCheck(image: "a.svg", committed: committed, fresh: recolored, tolerance: .standard).failures.count == 1)
    #expect(
      NotebookCheck(image: "a.svg", committed: committed, fresh: far, tolerance: .standard).failures.first?.hasPrefix(
        "a.svg:2: 84.9 became 85.2") == true)
    #expect(
      NotebookCheck(image: "a.svg", committed: nil, fresh: committed, tolerance: .standard).failures == [
        "a.svg: the cell draws this image, but it is not committed beside the notebook"
      ])
  }

  @Test("an output block that belongs to no cell fails the check and stops a run, naming its line")
  func orphanOutput() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebook = folder.appendingPathComponent("orphan.md")
    let text = """
      # A notebook

      ```console
      $ kktnet init --architecture 2-3-1 --seed 4 --out m.safetensors
      wrote m.safetensors: 2-3-1 tanh,identity, loss mse, 13 parameters, xavier-uniform seed 4
      ```

      Prose in between, then a stale block:

      ```output
      an output of nothing
      ```
      """ + "\n"
    try text.write(to: notebook, atomically: true, encoding: .utf8)
    #expect(NotebookDocument(text: text).orphanOutputs == [3])
    let checked = try runNotebookTool(["run", "--check", notebook.path])
    #expect(checked.status == 1)
    #expect(checked.output.contains("orphan.md:10: this output block belongs to no cell"))
    let written = try runNotebookTool(["run", notebook.path])
    #expect(written.status == 1)
    #expect(written.error.contains("line 10: this output block belongs to no cell"))
    #expect(try String(contentsOf: notebook, encoding: .utf8) == text)
  }

  @Test("--check fails on a stale output and names it; a run writes the fresh one; then --check passes")
  func staleOutput() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebook = folder.appendingPathComponent("stale.md")
    try """
    # A notebook

    ```console
    $ kktnet init --architecture 2-3-1 --seed 4 --out m.safetensors
    wrote something else
    ```
    """.write(to: notebook, atomically: true, encoding: .utf8)
    let stale = try runNotebookTool(["run", "--check", notebook.path])
    #expect(stale.status == 1)
    #expect(
      stale.output.contains(
        "stale.md:5 (cell 1, line 2): the notebook has 'wrote something else', the re-run gives 'wrote m.safetensors"))
    #expect(try runNotebookTool(["run", notebook.path]).status == 0)
    let text = try String(contentsOf: notebook, encoding: .utf8)
    #expect(text.contains("wrote m.safetensors: 2-3-1 tanh,identity, loss mse, 13 parameters, xavier-uniform seed 4"))
    #expect(try runNotebookTool(["run", "--check", notebook.path]).status == 0)
    // The cell ran in a scratch folder: nothing but the notebook was written.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["stale.md"])
  }

  @Test("kktnet no longer has a notebook command")
  func notInTheProduct() throws {
    let result = try runKKTNet(["notebook", "run", "x.md"])
    #expect(result.status == 64)
  }
}
