import ArgumentParser
import Foundation
import KKTNet

struct NotebookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notebook", abstract: "Re-run the cells of Markdown notebooks.", subcommands: [Run.self])

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-run every cell of the notebooks and write their outputs back, or check them.",
      discussion: """
        ```swift cells are compiled and run against the library in a generated package (as a user's package \
        would import KKTNet and Solvers), each followed by an ```output block of what it printed; ```console \
        cells run their `$ kktnet …` lines. With --check nothing is written and any difference in a checked \
        cell (one not marked `nocheck`) fails the command; numbers below 1e-9 in magnitude compare as equal. \
        SVG images that checked cells draw are written beside the notebook (or, with --check, compared).
        """)

    @Argument(help: "The notebooks (Markdown files).")
    var files: [String]

    @Flag(help: "Re-run without writing; exit 1 on any difference.")
    var check = false

    func run() throws {
      let urls = files.map { URL(fileURLWithPath: $0).standardizedFileURL }
      for url in urls where !FileManager.default.fileExists(atPath: url.path) {
        throw InputError(file: url.path, "no such file")
      }
      guard let root = NotebookRunner.packageRoot(of: urls[0]) else {
        throw InputError(file: files[0], "is not inside the KKTNet package (no Package.swift above it)")
      }
      let me =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
      let runner = NotebookRunner(root: root, kktnet: me) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
      let documents = try urls.map { url -> NotebookDocument in
        NotebookDocument(text: try String(contentsOf: url, encoding: .utf8))
      }
      let swiftCells = zip(urls, documents).map { url, document in
        (
          url,
          document.segments.compactMap { segment -> String? in
            if case .block(_, let info, let lines) = segment, NotebookDocument.kind(info).language == "swift" {
              return lines.joined(separator: "\n")
            }
            return nil
          }
        )
      }
      let programs = try runner.buildSwiftCells(swiftCells)
      var failures = 0
      for (url, document) in zip(urls, documents) {
        let folder = try runner.scratch(for: url)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let (results, images) = try runner.run(document, swiftProgram: programs[url], in: folder)
        let updated = NotebookRunner.updated(document, results)
        let name = url.lastPathComponent
        if check {
          var problems = NotebookRunner.differences(document, updated)
          for (image, checked) in images where checked {
            let committed = url.deletingLastPathComponent().appendingPathComponent(image)
            let fresh = try String(contentsOf: folder.appendingPathComponent(image), encoding: .utf8)
            if (try? String(contentsOf: committed, encoding: .utf8)) != fresh {
              problems.append("the image \(image) differs from the committed one")
            }
          }
          if problems.isEmpty {
            print("\(name): every checked cell reproduces its output")
          } else {
            failures += 1
            print("\(name): \(problems.count) difference(s)")
            for p in problems { print("  " + p) }
          }
        } else {
          try AtomicFile.write(updated.text, to: url.path)
          for image in images.keys {
            let data = try String(contentsOf: folder.appendingPathComponent(image), encoding: .utf8)
            try AtomicFile.write(data, to: url.deletingLastPathComponent().appendingPathComponent(image).path)
          }
          print(
            "\(name): \(results.count) cell(s) re-run\(images.isEmpty ? "" : ", images \(images.keys.sorted().joined(separator: ", "))")"
          )
        }
      }
      if failures > 0 {
        throw InputError(
          "\(failures) notebook(s) no longer reproduce their outputs; run `make notebooks` and review the diff")
      }
    }
  }
}
