import ArgumentParser
import KKTNet

/// A new network's layer sizes and how its weights are drawn.
struct ArchitectureOptions: ParsableArguments {
  @Option(help: "Layer sizes n₀-n₁-…-n_N of a new network, e.g. 3-8-8-2.")
  var architecture: String?

  @Option(
    name: .customLong("init"),
    help: "How a new network's weights are drawn: xavier-uniform (default), xavier-normal, he or zeros.")
  var initialization: Initialization?

  /// The scheme to draw a new network's weights with.
  var scheme: Initialization { initialization ?? .xavierUniform }
}

/// `--seed`.
struct SeedOptions: ParsableArguments {
  @Option(
    help:
      "The seed of every random choice: a new network's weights, a random batch, the validation split, the shuffling.")
  var seed: UInt64 = 1
}
