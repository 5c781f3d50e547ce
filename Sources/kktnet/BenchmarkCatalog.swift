import KKTNet

/// Every case `kktnet bench` knows, in the order it runs them.
enum BenchmarkCatalog {
  static func cases() -> [BenchmarkCase] {
    gradientCases()
  }

  /// gradient-lagrangian-X and gradient-backprop-X for X = A…D.
  static func gradientCases() -> [BenchmarkCase] {
    BenchmarkNetworks.gradientCases.flatMap { label, sizes, m -> [BenchmarkCase] in
      let flops = BenchmarkNetworks.gradientFlops(sizes, samples: m)
      let shape = "\(sizes.map(String.init).joined(separator: "-")), m = \(m)"
      return [
        BenchmarkCase(
          name: "gradient-lagrangian-\(label)", summary: "J and ∇J via the Lagrangian, \(shape)", flops: flops
        ) {
          let network = BenchmarkNetworks.network(sizes, seed: 1)
          let architecture = network.architecture
          let (x, y) = SyntheticData.batch(architecture: architecture, loss: .meanSquaredError, sampleCount: m, seed: 2)
          let lagrangian = Lagrangian(network: network, inputs: x, targets: y)
          let workspace = lagrangian.makeWorkspace()
          var gradient = [Double](repeating: 0, count: architecture.parameterCount)
          return ({ lagrangian.gradient(at: network.parameters, workspace: workspace, into: &gradient) }, { nil })
        },
        BenchmarkCase(name: "gradient-backprop-\(label)", summary: "J and ∇J by the delta rule, \(shape)", flops: flops)
        {
          let network = BenchmarkNetworks.network(sizes, seed: 1)
          let architecture = network.architecture
          let (x, y) = SyntheticData.batch(architecture: architecture, loss: .meanSquaredError, sampleCount: m, seed: 2)
          let backprop = Backpropagation(network: network, inputs: x, targets: y)
          let workspace = backprop.makeWorkspace()
          var gradient = [Double](repeating: 0, count: architecture.parameterCount)
          return ({ backprop.gradient(at: network.parameters, workspace: workspace, into: &gradient) }, { nil })
        },
      ]
    }
  }
}
