import ArgumentParser
import Foundation
import KKTNet

/// `--model`: a network read from a model file.
struct ModelOptions: ParsableArguments {
  @Option(help: "The model file (safetensors, layers.{k}.weight / layers.{k}.bias).")
  var model: String?
}

/// `--data` and `--target`.
struct DataOptions: ParsableArguments {
  @Option(help: "The data file (CSV with a header row).")
  var data: String

  @Option(help: "The target column(s), comma-separated (default: the last column).")
  var target: String?

  /// The target names, trimmed.
  var targetNames: [String]? {
    target.map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
  }

  func validate() throws {
    if let names = targetNames {
      if names.contains(where: \.isEmpty) { throw ValidationError("--target has an empty column name.") }
      if Set(names).count != names.count { throw ValidationError("--target names a column twice.") }
    }
  }
}
