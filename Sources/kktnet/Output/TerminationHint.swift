import Solvers

/// The flag that acts on a termination, as the command line adds it to the library's sentence; with a
/// checkpoint, how to continue from it.
func hint(_ termination: Termination, firstOrder: Bool, checkpointed: Bool) -> String? {
  let resume = checkpointed ? " and continue with --resume" : " to continue"
  switch termination {
  case .maximumIterations: return (firstOrder ? "raise --epochs" : "raise --max-iterations") + resume
  case .timeLimit: return "raise --time-limit" + resume
  case .validationStop: return "raise --patience to train longer"
  case .singularSystem: return "try --linear-solver svd, or --solver levenberg-marquardt"
  case .noDescent: return "try --solver levenberg-marquardt"
  case .nonFiniteLoss: return "lower --learning-rate"
  case .interrupted: return checkpointed ? "continue with --resume" : nil
  default: return nil
  }
}

/// The library's sentence, with the flag to use when there is one.
func describeTermination(_ termination: Termination, firstOrder: Bool, checkpointed: Bool = false) -> String {
  hint(termination, firstOrder: firstOrder, checkpointed: checkpointed).map { "\(termination.description); \($0)" }
    ?? termination.description
}
