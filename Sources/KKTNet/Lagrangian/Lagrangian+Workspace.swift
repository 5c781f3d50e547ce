extension Lagrangian {
  /// The buffers of every pass over a batch of up to `sampleCapacity` samples, allocated once and reused.
  ///
  /// For 1 ≤ k ≤ N it holds zᵏ, xᵏ, λᵏ and μᵏ = J_σₖ(zᵏ)ᵀλᵏ, each nₖ × m column-major, so a batch of
  /// m′ < m samples uses the leading m′ columns. A workspace is not thread-safe: give each thread its own.
  public final class Workspace {
    /// n₀…n_N of the architecture it was made for.
    public let layerSizes: [Int]
    /// The largest batch it holds.
    public let sampleCapacity: Int

    package let z: [UnsafeMutablePointer<Double>]
    package let x: [UnsafeMutablePointer<Double>]
    package let lambda: [UnsafeMutablePointer<Double>]
    package let mu: [UnsafeMutablePointer<Double>]
    /// Two scratch buffers of max(nₖ) × m for the tangent pass and the derivative arrays of backprop.
    package let scratch: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    /// m ones, to sum the columns of μᵏ with one gemv.
    package let ones: UnsafeMutablePointer<Double>
    private let storage: UnsafeMutablePointer<Double>

    /// Buffers for `architecture` and batches of up to `sampleCapacity` samples.
    public init(architecture: Architecture, sampleCapacity: Int) {
      precondition(sampleCapacity >= 1, "a workspace needs room for at least one sample")
      layerSizes = architecture.layerSizes
      self.sampleCapacity = sampleCapacity
      let perLayer = layerSizes.dropFirst().reduce(0, +) * sampleCapacity
      let widest = layerSizes.max()! * sampleCapacity
      let total = 4 * perLayer + 2 * widest + sampleCapacity
      storage = .allocate(capacity: total)
      storage.initialize(repeating: 0, count: total)
      var cursor = storage
      func take(_ count: Int) -> UnsafeMutablePointer<Double> {
        defer { cursor += count }
        return cursor
      }
      var zs = [storage]
      var xs = [storage]
      var lambdas = [storage]
      var mus = [storage]
      for n in layerSizes.dropFirst() {
        zs.append(take(n * sampleCapacity))
        xs.append(take(n * sampleCapacity))
        lambdas.append(take(n * sampleCapacity))
        mus.append(take(n * sampleCapacity))
      }
      z = zs
      x = xs
      lambda = lambdas
      mu = mus
      scratch = (take(widest), take(widest))
      ones = take(sampleCapacity)
      ones.update(repeating: 1, count: sampleCapacity)
    }

    deinit { storage.deallocate() }

    /// Whether this workspace fits `architecture` and `sampleCount` samples.
    public func fits(_ architecture: Architecture, sampleCount: Int) -> Bool {
      layerSizes == architecture.layerSizes && sampleCount <= sampleCapacity
    }
  }

  /// A workspace sized for this Lagrangian's batch.
  public func makeWorkspace() -> Workspace {
    Workspace(architecture: architecture, sampleCapacity: sampleCount)
  }

  /// Copies an nₖ × m buffer of the workspace into a matrix.
  package func matrix(_ buffer: UnsafePointer<Double>, rows: Int) -> Matrix {
    Matrix(
      rows: rows, columns: sampleCount, elements: Array(UnsafeBufferPointer(start: buffer, count: rows * sampleCount)))
  }
}
