import Foundation
import Testing

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The documents whose ```swift blocks are compiled here: README.md and the DocC articles.
let documents = [
  "README.md", "Sources/KKTNet/KKTNet.docc/ComputingAGradientThreeWays.md",
  "Sources/Solvers/Solvers.docc/FittingAModel.md", "Sources/Solvers/Solvers.docc/TrainingANetwork.md",
]

/// The blocks of a Markdown document marked `<!-- snippet: NAME -->` on the line before its ```swift fence.
func markedBlocks(inMarkdown text: String) -> [(name: String, code: String)] {
  let lines = text.components(separatedBy: "\n")
  var blocks: [(String, String)] = []
  var index = 0
  while index < lines.count {
    let line = lines[index].trimmingCharacters(in: .whitespaces)
    if line.hasPrefix("<!-- snippet:"), line.hasSuffix("-->"), index + 1 < lines.count,
      lines[index + 1].trimmingCharacters(in: .whitespaces) == "```swift"
    {
      let name = line.dropFirst("<!-- snippet:".count).dropLast(3).trimmingCharacters(in: .whitespaces)
      var body: [String] = []
      index += 2
      while index < lines.count && lines[index].trimmingCharacters(in: .whitespaces) != "```" {
        body.append(lines[index])
        index += 1
      }
      blocks.append((name, dedented(body)))
    }
    index += 1
  }
  return blocks
}

/// The regions of Swift source between `// snippet: NAME` and `// end snippet`, dedented.
func markedRegions(inSwift text: String) -> [(name: String, code: String)] {
  var regions: [(String, String)] = []
  var current: (name: String, lines: [String])?
  for line in text.components(separatedBy: "\n") {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("// snippet:") {
      current = (trimmed.dropFirst("// snippet:".count).trimmingCharacters(in: .whitespaces), [])
    } else if trimmed == "// end snippet", let region = current {
      regions.append((region.name, dedented(region.lines)))
      current = nil
    } else if current != nil {
      current!.lines.append(line)
    }
  }
  return regions
}

/// The lines without their common leading spaces, joined, without trailing blank lines.
func dedented(_ lines: [String]) -> String {
  let indent =
    lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    .map { $0.prefix { $0 == " " }.count }.min() ?? 0
  var result = lines.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : String($0.dropFirst(indent)) }
  while result.last == "" { result.removeLast() }
  return result.joined(separator: "\n")
}

@Suite("documentation snippets")
struct SnippetTests {
  func read(_ path: String) throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
  }

  func regions() throws -> [String: String] {
    let folder = repositoryRoot.appendingPathComponent("Tests/DocumentationTests")
    var result: [String: String] = [:]
    for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    where file.hasSuffix(".swift") && file != "SnippetTests.swift" {
      for region in markedRegions(inSwift: try read("Tests/DocumentationTests/\(file)")) {
        #expect(result[region.name] == nil, "the snippet \(region.name) is marked twice")
        result[region.name] = region.code
      }
    }
    return result
  }

  @Test("every marked ```swift block of README.md and the articles is its compiled region, character for character")
  func blocksAreCompiled() throws {
    let regions = try regions()
    var used = Set<String>()
    for document in documents {
      let blocks = markedBlocks(inMarkdown: try read(document))
      #expect(!blocks.isEmpty, "\(document) has no marked swift block")
      for block in blocks {
        used.insert(block.name)
        let region = try #require(regions[block.name], "\(document): no region // snippet: \(block.name)")
        #expect(block.code == region, "\(document): the block \(block.name) differs from its compiled region")
      }
    }
    #expect(Set(regions.keys) == used, "regions that no document shows: \(Set(regions.keys).subtracting(used))")
  }

  @Test("every ```swift block of the articles and of README.md's library section is marked")
  func noUnmarkedBlock() throws {
    for document in documents {
      var text = try read(document)
      if document == "README.md" {
        // Only the library section's blocks are compiled; the CLI's examples are shell.
        guard let start = text.range(of: "<!-- library-section -->"),
          let end = text.range(of: "<!-- end library-section -->")
        else {
          Issue.record("README.md lacks its library section markers")
          continue
        }
        text = String(text[start.upperBound..<end.lowerBound])
      }
      let fences = text.components(separatedBy: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == "```swift" }
      #expect(fences.count == markedBlocks(inMarkdown: text).count, "\(document) has an unmarked swift block")
    }
  }
}
