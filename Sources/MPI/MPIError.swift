import CMPI

/// A call into MPI that did not return `MPI_SUCCESS`, with Open MPI's description of the code.
public struct MPIError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The MPI function that failed, `MPI_Reduce` say.
  public let function: String
  /// Its return code, or nil when the failure is not an MPI error code (too low a thread level).
  public let code: Int32?
  /// What went wrong, from `MPI_Error_string` for a code.
  public let message: String

  /// The error of `function` returning `code`, described by `MPI_Error_string`.
  public init(function: String, code: Int32) {
    self.function = function
    self.code = code
    var text = [CChar](repeating: 0, count: Int(kktnet_mpi_max_error_string()) + 1)
    var length: Int32 = 0
    if MPI_Error_string(code, &text, &length) == kktnet_mpi_success() {
      message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    } else {
      message = "MPI error code \(code)"
    }
  }

  /// A failure of `function` that is not an MPI return code.
  public init(function: String, message: String) {
    self.function = function
    self.code = nil
    self.message = message
  }

  /// `MPI_Reduce failed: MPI_ERR_COUNT: invalid count argument`.
  public var description: String { "\(function) failed: \(message)" }
}

/// Throws unless `code` is `MPI_SUCCESS`.
@inline(__always)
func check(_ code: Int32, _ function: String) throws(MPIError) {
  guard code == kktnet_mpi_success() else { throw MPIError(function: function, code: code) }
}
