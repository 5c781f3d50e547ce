import Foundation
import TestSupport
import Testing

@testable import kktnet

@Suite("kktnet notebook run")
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
  }

  @Test("rounding-level numbers compare as equal, and only they")
  func normalization() {
    #expect(NotebookRunner.normalize("residual 4.16e-17  x") == NotebookRunner.normalize("residual 0.00e+00  x"))
    #expect(NotebookRunner.normalize("-0.0000 0.0000") == NotebookRunner.normalize("0.0000 -0.0000"))
    #expect(NotebookRunner.normalize("J = 1.25710712969") != NotebookRunner.normalize("J = 1.25710712968"))
    #expect(NotebookRunner.normalize("loss 1.2e-8") != NotebookRunner.normalize("loss 1.3e-8"))
    #expect(NotebookRunner.normalize("layers.0.weight 8×3") == "layers.0.weight 8×3")
    #expect(NotebookRunner.normalize("trailing   ") == "trailing")
  }

  @Test("--check fails on a stale output and names it; a run writes the fresh one; then --check passes")
  func staleOutput() throws {
    let folder = repositoryRoot.appendingPathComponent(".build/notebook-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebook = folder.appendingPathComponent("stale.md")
    try """
    # A notebook

    ```console
    $ kktnet init --architecture 2-3-1 --seed 4 --out m.safetensors
    wrote something else
    ```
    """.write(to: notebook, atomically: true, encoding: .utf8)
    let stale = try runKKTNet(["notebook", "run", "--check", notebook.path])
    #expect(stale.status == 1)
    #expect(stale.standardOutput.contains("console block 1, line 2: the notebook has 'wrote something else'"))
    #expect(try runKKTNet(["notebook", "run", notebook.path]).status == 0)
    let text = try String(contentsOf: notebook, encoding: .utf8)
    #expect(text.contains("wrote m.safetensors: 2-3-1 tanh,identity, loss mse, 13 parameters, xavier-uniform seed 4"))
    #expect(try runKKTNet(["notebook", "run", "--check", notebook.path]).status == 0)
    // The cell ran in a scratch folder: nothing but the notebook was written.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["stale.md"])
  }
}
