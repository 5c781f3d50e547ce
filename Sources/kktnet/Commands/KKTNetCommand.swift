import ArgumentParser
import Foundation
import KKTNet

/// `kktnet`'s root command (its `main` is in the `kktnet` executable target).
public struct KKTNetCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "kktnet",
    abstract: "Feed-forward networks as constrained problems: every pass from the Lagrangian's KKT conditions.",
    discussion: """
      The forward pass solves ∂L/∂λ = 0, the adjoint (backward) pass ∂L/∂x = 0, and the gradient is ∂L/∂θ,
      for L = J + Σₖ ⟨λᵏ, xᵏ − σₖ(Wᵏxᵏ⁻¹ + bᵏ)⟩.
      """,
    subcommands: [
      Compare.self, Init.self, Gradient.self, Jacobian.self, Check.self, Predict.self, Train.self, CompareSolvers.self,
      Fit.self,
    ])

  /// ArgumentParser's `main()`, with two guarantees of its own: SIGINT and SIGTERM end any command with
  /// 130/143 and no temporary file left (a training run instead stops between iterations), and every
  /// message is short — a value the user typed is quoted to about 60 characters, whatever its length.
  public init() {}

  public static func main() {
    AtomicFile.exitOnTerminationSignals()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        print(message)
      } else if !message.isEmpty {
        FileHandle.standardError.write(Data((shortened(message) + "\n").utf8))
      }
      Foundation.exit(code.rawValue)
    }
    Foundation.exit(0)
  }
}
