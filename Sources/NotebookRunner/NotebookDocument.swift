import Foundation
import KKTNet

/// A Markdown notebook: prose and fenced code blocks. The cells are the ```` ```swift ```` blocks (each
/// followed by an ```` ```output ```` block of what it printed) and the ```` ```console ```` blocks (whose
/// `$ kktnet …` lines are followed by the command's output). A cell whose info string also says
/// `nocheck` is re-run but not compared (for timings). A prose line
/// `> **Tolerance:** ±N units in the last digit — reason` right before a cell loosens the comparison of
/// that cell's numbers (see ``Tolerance``).
struct NotebookDocument {
  enum Segment {
    case text([String])
    case block(fence: String, info: String, lines: [String])
  }

  var segments: [Segment]

  init(text: String) {
    var segments: [Segment] = []
    var prose: [String] = []
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    var index = 0
    while index < lines.count {
      let line = lines[index]
      if let fence = Self.fence(line) {
        var body: [String] = []
        var end = index + 1
        while end < lines.count
          && !(lines[end].hasPrefix(fence) && lines[end].trimmingCharacters(in: .whitespaces) == fence)
        {
          body.append(lines[end])
          end += 1
        }
        if !prose.isEmpty { segments.append(.text(prose)) }
        prose = []
        segments.append(
          .block(
            fence: fence, info: String(line.dropFirst(fence.count)).trimmingCharacters(in: .whitespaces), lines: body))
        index = end + 1
      } else {
        prose.append(line)
        index += 1
      }
    }
    if !prose.isEmpty { segments.append(.text(prose)) }
    self.segments = segments
  }

  init(segments: [Segment]) { self.segments = segments }

  /// The backticks that open a fenced block (three or more), or nil.
  static func fence(_ line: String) -> String? {
    let ticks = line.prefix { $0 == "`" }
    return ticks.count >= 3 ? String(ticks) : nil
  }

  var text: String {
    segments.map { segment in
      switch segment {
      case .text(let lines): return lines.joined(separator: "\n")
      case .block(let fence, let info, let lines): return ([fence + info] + lines + [fence]).joined(separator: "\n")
      }
    }.joined(separator: "\n") + "\n"
  }

  /// The kind of a block (`swift`, `console`, `output`, …) and whether it is marked `nocheck`.
  static func kind(_ info: String) -> (language: String, checked: Bool) {
    let words = info.split(separator: " ").map(String.init)
    return (words.first ?? "", !words.contains("nocheck"))
  }

  /// The language of segment `index` when it is a block, else nil.
  func language(of index: Int) -> String? {
    guard case .block(_, let info, _) = segments[index] else { return nil }
    return Self.kind(info).language
  }

  /// The file line (from 1) on which each segment starts; a block's first line is its opening fence.
  var firstLines: [Int] {
    var line = 1
    return segments.map { segment in
      defer {
        switch segment {
        case .text(let lines): line += lines.count
        case .block(_, _, let lines): line += lines.count + 2
        }
      }
      return line
    }
  }

  /// The segment indices of the cells (Swift and console blocks), in order.
  var cells: [Int] { segments.indices.filter { ["swift", "console"].contains(language(of: $0)) } }

  /// The Swift cell an output block at `index` belongs to: the block right before it, after at most one
  /// blank line. Nil for an output block that belongs to no cell.
  func cell(ofOutput index: Int) -> Int? {
    var previous = index - 1
    if previous >= 0, case .text(let lines) = segments[previous], lines.allSatisfy(\.isEmpty) { previous -= 1 }
    return previous >= 0 && language(of: previous) == "swift" ? previous : nil
  }

  /// The output blocks that follow no Swift cell (stale outputs left behind by an edit), by segment index.
  var orphanOutputs: [Int] {
    segments.indices.filter { language(of: $0) == "output" && cell(ofOutput: $0) == nil }
  }

  /// The tolerances that prose markers declare, by the segment index of the cell they precede.
  ///
  /// - Throws: ``InputError`` naming the line of a marker that cannot be read, gives no reason, or does
  ///   not stand right before a cell.
  func declaredTolerances() throws(InputError) -> [Int: Tolerance] {
    var tolerances: [Int: Tolerance] = [:]
    let starts = firstLines
    for (index, segment) in segments.enumerated() {
      guard case .text(let lines) = segment else { continue }
      for (offset, line) in lines.enumerated() where line.hasPrefix(Tolerance.markerPrefix) {
        let place = "line \(starts[index] + offset)"
        // The marker is a block quote: its reason may go on over the quote's following lines.
        let continuation = lines[(offset + 1)...].prefix { $0.hasPrefix("> ") && !$0.hasPrefix(Tolerance.markerPrefix) }
        let marker = ([line] + continuation.map { String($0.dropFirst(2)) }).joined(separator: " ")
        let tolerance: Tolerance
        do { tolerance = try Tolerance(marker: marker) } catch { throw InputError("\(place): \(error.message)") }
        guard index + 1 < segments.count, ["swift", "console"].contains(language(of: index + 1)) else {
          throw InputError("\(place): a tolerance marker must stand right before the cell it loosens")
        }
        tolerances[index + 1] = tolerance
      }
    }
    return tolerances
  }
}
