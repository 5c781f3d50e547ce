import ArgumentParser
import Foundation
import KKTNet

/// `kktnet-notebook run [--check] FILE…`: the tool that re-runs and checks the Markdown notebooks in
/// `notebooks-md/`. It is tooling for the repository, not part of the `kktnet` product; console cells run
/// the `kktnet` built beside it.
@main
struct NotebookTool: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kktnet-notebook", abstract: "Re-run the cells of KKTNet's Markdown notebooks.",
    subcommands: [Run.self])

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-run every cell of the notebooks and write their outputs back, or check them.",
      discussion: """
        ```swift cells are compiled and run against the library in a generated package (as a user's package \
        would import KKTNet and Solvers), each followed by an ```output block of what it printed; ```console \
        cells run their `$ kktnet …` lines. With --check nothing is written and any difference in a checked \
        cell (one not marked `nocheck`) fails the command. Numbers compare as numbers: within 2 units of the \
        notebook's last printed digit, or what a `> **Tolerance:** ±N units in the last digit — reason` line \
        right before the cell declares; numbers below 1e-9 in magnitude are rounding noise and always match; \
        words, signs, counts (numbers without a point or exponent) and layout must match exactly. An output \
        block that follows no Swift cell is an error. SVG images that cells draw are written beside the \
        notebook (with --check, compared the same way).
        """)

    @Argument(help: "The notebooks (Markdown files).")
    var files: [String]

    @Flag(help: "Re-run without writing; exit 1 on any difference.")
    var check = false

    @Option(help: "The kktnet that console cells run (default: the one beside this tool).")
    var kktnet: String?

    func run() throws {
      let urls = files.map { URL(fileURLWithPath: $0).standardizedFileURL }
      for url in urls where !FileManager.default.fileExists(atPath: url.path) {
        throw InputError(file: url.path, "no such file")
      }
      guard let root = NotebookRunner.packageRoot(of: urls[0]) else {
        throw InputError(file: files[0], "is not inside the KKTNet package (no Package.swift above it)")
      }
      let runner = NotebookRunner(root: root, kktnet: try kktnetPath()) {
        FileHandle.standardError.write(Data(($0 + "\n").utf8))
      }
      var documents: [NotebookDocument] = []
      var tolerances: [[Int: Tolerance]] = []
      for (url, file) in zip(urls, files) {
        let document = NotebookDocument(text: try String(contentsOf: url, encoding: .utf8))
        do { tolerances.append(try document.declaredTolerances()) } catch { throw error.inFile(file) }
        if !check, let orphan = document.orphanOutputs.first {
          throw InputError(
            file: file,
            "line \(document.firstLines[orphan]): this output block belongs to no cell (a stale output?); delete it, "
              + "or put it right after the Swift cell that prints it")
        }
        documents.append(document)
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
      for ((url, document), declared) in zip(zip(urls, documents), tolerances) {
        let folder = try runner.scratch(for: url)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let (results, images) = try runner.run(document, swiftProgram: programs[url], in: folder)
        let updated = NotebookRunner.updated(document, results)
        let name = url.lastPathComponent
        if check {
          var report = NotebookCheck(document, rerun: updated, name: name, tolerances: declared)
          for (image, cell) in images.sorted(by: { $0.key < $1.key }) where results[cell]?.checked ?? true {
            let committed = try? String(
              contentsOf: url.deletingLastPathComponent().appendingPathComponent(image), encoding: .utf8)
            let fresh = try String(contentsOf: folder.appendingPathComponent(image), encoding: .utf8)
            let imageReport = NotebookCheck(
              image: image, committed: committed, fresh: fresh, tolerance: declared[cell] ?? .standard)
            report.failures += imageReport.failures
            report.withinTolerance += imageReport.withinTolerance
          }
          if report.failures.isEmpty {
            print("\(name): every checked cell reproduces its output")
          } else {
            failures += 1
            print("\(name): \(report.failures.count) difference(s)")
            for line in report.failures { print("  " + line) }
          }
          for line in report.withinTolerance { print("  within tolerance: " + line) }
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

    /// `--kktnet`, or the `kktnet` in this tool's own folder (both are built into `.build/debug`).
    func kktnetPath() throws -> String {
      if let kktnet {
        guard FileManager.default.isExecutableFile(atPath: kktnet) else {
          throw InputError(file: kktnet, "--kktnet: not an executable file")
        }
        return kktnet
      }
      let me =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
      let beside = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("kktnet").path
      guard FileManager.default.isExecutableFile(atPath: beside) else {
        throw InputError(
          "there is no kktnet beside kktnet-notebook (\(beside)); build it with `swift build` or pass --kktnet")
      }
      return beside
    }
  }
}
