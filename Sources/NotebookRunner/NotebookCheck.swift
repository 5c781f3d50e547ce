import Foundation

/// What `--check` found in one notebook: the differences that fail it, and the numbers that differ but
/// within their tolerance (reported, not failed). Every entry names the notebook and file line, the cell
/// and its output line, both values and the tolerance used.
struct NotebookCheck {
  var failures: [String] = []
  var withinTolerance: [String] = []

  /// At most this many differing lines are listed per block (the rest are counted).
  static let linesPerBlock = 20

  /// Compares every checked output of `notebook` with the same block of `rerun` (the notebook with fresh
  /// outputs, from ``NotebookRunner/updated(_:_:)``); `tolerances` are the cells' declared ones.
  init(_ notebook: NotebookDocument, rerun: NotebookDocument, name: String, tolerances: [Int: Tolerance]) {
    for orphan in notebook.orphanOutputs {
      failures.append(
        "\(name):\(notebook.firstLines[orphan]): this output block belongs to no cell (a stale output?); "
          + "delete it, or put it right after the Swift cell that prints it")
    }
    let (a, b) = (notebook.segments, rerun.segments)
    let blocks = { (document: NotebookDocument) in document.segments.indices.compactMap(document.language(of:)) }
    guard a.count == b.count, blocks(notebook) == blocks(rerun) else {
      let (old, new) = (blocks(notebook).filter { $0 == "output" }.count, blocks(rerun).filter { $0 == "output" }.count)
      failures.append(
        "\(name): the notebook has \(old) output block(s), the re-run \(new): a cell that prints has no output block, "
          + "or one that prints nothing has one")
      return
    }
    let lines = notebook.firstLines
    let cells = notebook.cells
    for (index, (x, y)) in zip(a, b).enumerated() {
      guard case .block(_, let info, let old) = x, case .block(_, _, let new) = y else { continue }
      let (language, checked) = NotebookDocument.kind(info)
      let cell = language == "console" ? index : language == "output" ? notebook.cell(ofOutput: index) : nil
      guard let cell, checked, let number = cells.firstIndex(of: cell) else { continue }
      compare(
        old, new, tolerance: tolerances[cell] ?? .standard,
        place: { "\(name):\(lines[index] + 1 + $0) (cell \(number + 1), line \($0 + 1))" })
    }
  }

  /// Compares a committed image with the one a cell drew, line by line like an output.
  init(image name: String, committed: String?, fresh: String, tolerance: Tolerance) {
    guard let committed else {
      failures.append("\(name): the cell draws this image, but it is not committed beside the notebook")
      return
    }
    compare(
      committed.components(separatedBy: "\n"), fresh.components(separatedBy: "\n"), tolerance: tolerance,
      place: { "\(name):\($0 + 1)" })
  }

  private mutating func compare(
    _ old: [String], _ new: [String], tolerance: Tolerance, place: (Int) -> String
  ) {
    var listed = 0
    var unlisted = 0
    func fail(_ line: Int, _ sentence: String) {
      if listed < Self.linesPerBlock {
        failures.append("\(place(line)): \(sentence)")
        listed += 1
      } else {
        unlisted += 1
      }
    }
    for line in 0..<max(old.count, new.count) {
      guard line < old.count else {
        fail(line, "the re-run prints an extra line '\(new[line])'")
        continue
      }
      guard line < new.count else {
        fail(line, "the re-run ends before the notebook's line '\(old[line])'")
        continue
      }
      switch LineComparison(notebook: old[line], rerun: new[line], tolerance: tolerance) {
      case .same: break
      case .different(let sentence): fail(line, sentence)
      case .withinTolerance(let pairs):
        for pair in pairs {
          withinTolerance.append(
            "\(place(line)): \(pair.notebook.text) in the notebook, \(pair.rerun.text) in the re-run: "
              + "\(String(format: "%.3g", pair.units)) unit(s) in the last digit, within \(tolerance.description)")
        }
      }
    }
    if unlisted > 0 { failures.append("\(place(0)) …: and \(unlisted) more differing line(s) in this block") }
  }
}
