import ArgumentParser
import KKTNet
import Solvers

// The library's enums as option types, so that the CLI has no mirror enums.

extension Loss: ExpressibleByArgument {
  public init?(argument: String) { self.init(name: argument) }
  public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Initialization: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

extension SolverKind: ExpressibleByArgument {}
extension DampingScaling: ExpressibleByArgument {}
extension LinearSolverKind: ExpressibleByArgument {}
extension DampingKind: ExpressibleByArgument {}
extension LearningRateSchedule.Shape: ExpressibleByArgument {}
