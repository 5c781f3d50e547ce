import ArgumentParser
import Solvers

/// The settings of training through the constraints (`--solver augmented-lagrangian`, `penalty` or `admm`).
struct ConstrainedOptions: ParsableArguments {
  @Option(help: "ρ₀ of the augmented Lagrangian (μ₀ of the penalty), per sample, ρ > 0 (default 100; admm: 1e-6).")
  var rho: Double?

  @Option(help: "γ ≥ 1, the factor by which ρ (μ) grows, up to 1e8 (default 10).")
  var rhoGrowth: Double?

  @Option(help: "Joint Gauss–Newton steps on L_ρ per outer iteration, at least 1 (default 5).")
  var innerIterations: Int?

  func validate() throws {
    if let rho, !(rho > 0 && rho.isFinite) {
      throw ValidationError("--rho must be a positive finite number, not \(quoted(rho)).")
    }
    if let rhoGrowth, !(rhoGrowth >= 1 && rhoGrowth.isFinite) {
      throw ValidationError("--rho-growth must be a finite number ≥ 1, not \(quoted(rhoGrowth)).")
    }
    if let innerIterations, innerIterations < 1 {
      throw ValidationError("--inner-iterations must be at least 1, not \(innerIterations).")
    }
  }
}
