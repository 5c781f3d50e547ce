import KKTNet
import PropertyBased
import TestSupport
import Testing

@Suite("Residual Jacobian")
struct JacobianTests {
  @Test("the adjoint rows equal the tangent columns and finite differences of r = xᴺ − y")
  func adjointRowsEqualTangentColumns() async {
    await propertyCheck(count: 200, input: LagrangianPropertyTests.networkCases.filter(\.isClearOfKinks)) { c in
      let lagrangian = c.lagrangian
      let theta = c.network.parameters
      let (residuals, rows) = lagrangian.residualJacobian(parameters: theta)
      let columns = lagrangian.residualJacobianByTangents(parameters: theta)
      #expect(relativeDifference(rows.elements, columns.elements) <= 1e-13, "\(c)")
      let outputs = lagrangian.outputs(parameters: theta)
      #expect(residuals == zip(outputs.elements, c.targets.elements).map { $0 - $1 })
      let workspace = lagrangian.makeWorkspace()
      let order = c.finiteDifferenceOrder
      let fd = FiniteDifference.jacobian(at: theta, order: order) {
        zip(lagrangian.outputs(parameters: $0, workspace: workspace).elements, c.targets.elements).map { $0 - $1 }
      }
      let floor = order.roundingError(functionError: 4 * Double.ulpOfOne * (outputs.maxAbsoluteValue + 1))
      let difference = zip(rows.elements, fd.elements).map { abs($0 - $1) }.max() ?? 0
      #expect(difference <= 1e-6 * max(rows.maxAbsoluteValue, fd.maxAbsoluteValue) + floor, "\(c)")
    }
  }

  @Test("Jᵀr equals the gradient of ½‖r‖²/m for mse with an identity output")
  func gradientIsJacobianTransposeResidual() throws {
    let architecture = try Architecture(layerSizes: [3, 7, 5, 2], activations: [.tanh, .sigmoid, .identity])
    let network = try Network(architecture: architecture, loss: .meanSquaredError, seed: 3)
    let (x, y) = SyntheticData.batch(architecture: architecture, loss: .meanSquaredError, sampleCount: 11, seed: 4)
    let lagrangian = Lagrangian(network: network, inputs: x, targets: y)
    let (r, jacobian) = lagrangian.residualJacobian(parameters: network.parameters)
    var jtr = [Double](repeating: 0, count: architecture.parameterCount)
    BLAS.gemv(jacobian, r, transpose: .transpose, alpha: 1 / 11, into: &jtr)
    #expect(relativeDifference(jtr, lagrangian.gradient(at: network.parameters).gradient) <= 1e-13)
  }
}
