import ArgumentParser

@main
struct KKTNetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
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
}
