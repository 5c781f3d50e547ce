/// A Markdown notebook: prose and fenced code blocks. The cells are the ```` ```swift ```` blocks (each
/// followed by an ```` ```output ```` block of what it printed) and the ```` ```console ```` blocks (whose
/// `$ kktnet …` lines are followed by the command's output). A cell whose info string also says
/// `nocheck` is re-run but not compared (for timings).
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
}
