/// The memory of KKTNet's own buffers, each estimate mirroring the allocation it describes.
extension MemoryEstimate {
  /// θ: P doubles.
  public static func parameters(_ architecture: Architecture) -> MemoryEstimate {
    doubles(architecture.parameterCount)
  }

  /// Σₖ nₖ·m over the layers k = 1…N: one state-sized matrix per layer for m samples (saturating).
  static func layerCells(_ architecture: Architecture, sampleCount m: Int) -> Int {
    saturatingProduct(saturatingSum(Array(architecture.layerSizes.dropFirst())), m)
  }

  /// A batch of m samples: inputs and targets, (n₀ + n_N)·m doubles.
  public static func batch(_ architecture: Architecture, sampleCount m: Int) -> MemoryEstimate {
    doubles(saturatingSum([architecture.inputSize, architecture.outputSize]), m)
  }

  /// A ``Lagrangian/Workspace`` for m samples: zᵏ, xᵏ, λᵏ, μᵏ for every layer, two scratch buffers of
  /// max nₖ × m and m ones — (4Σₖ nₖ + 2·max nₖ + 1)·m doubles.
  public static func workspace(_ architecture: Architecture, sampleCount m: Int) -> MemoryEstimate {
    let widest = saturatingProduct(architecture.layerSizes.max() ?? 0, m)
    return MemoryEstimate(
      bytes: saturatingProduct(
        8,
        saturatingSum([saturatingProduct(4, layerCells(architecture, sampleCount: m)), saturatingProduct(2, widest), m])
      ))
  }

  /// A KKT solution over m samples and its certificate: a workspace, the states and multipliers copied
  /// out of it (2Σnₖ·m), the partials of L at the point with their intermediates (zᵏ, σ(zᵏ), μᵏ, ∂L/∂λᵏ,
  /// ∂L/∂xᵏ: 5Σnₖ·m), the inputs' copy (n₀·m) and two gradients (2P).
  public static func kktSolution(_ architecture: Architecture, sampleCount m: Int) -> MemoryEstimate {
    workspace(architecture, sampleCount: m) + 7 * doubles(layerCells(architecture, sampleCount: m))
      + doubles(architecture.inputSize, m) + 2 * parameters(architecture)
  }
}
