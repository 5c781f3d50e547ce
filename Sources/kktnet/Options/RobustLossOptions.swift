import ArgumentParser
import Solvers

/// `--robust` and `--robust-scale`, shared by `fit` and the Gauss–Newton family of `train`: SciPy
/// least_squares's losses through the Triggs correction (``RobustLoss``).
struct RobustLossOptions: ParsableArguments {
  @Option(help: "A robust loss on the residuals: huber, soft-l1, cauchy or arctan (Gauss–Newton, LM; mse).")
  var robust: RobustLoss?

  @Option(
    help:
      "C, the residual size where the robust loss starts to discount (SciPy's f_scale; in the targets' units). Default 1."
  )
  var robustScale: Double?

  /// C, 1 when not given.
  var scale: Double { robustScale ?? 1 }

  func validate() throws {
    if let robustScale {
      guard robust != nil else { throw ValidationError("--robust-scale needs --robust.") }
      guard robustScale > 0 && robustScale.isFinite else {
        throw ValidationError("--robust-scale must be a positive number.")
      }
    }
  }
}

extension RobustLoss: ExpressibleByArgument {}
