import ArgumentParser

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table
  case json
}

/// `--format`.
struct OutputOptions: ParsableArguments {
  @Option(help: "How to print the result: 'table' for people, 'json' for programs.")
  var format: OutputFormat = .table
}
