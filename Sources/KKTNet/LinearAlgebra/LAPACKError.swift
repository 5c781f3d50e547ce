/// A numerical fact that a LAPACK routine reported through `info > 0`.
///
/// `info < 0` (an illegal argument) is a bug in KKTNet and stops the program with a precondition failure;
/// `info > 0` describes the matrix, not the code, so it is this error, to be handled or reported.
public enum LAPACKError: Error, Equatable, Sendable, CustomStringConvertible {
  /// dpotrf / dposv: the leading minor of order `order` is not positive definite, so the Cholesky
  /// factorization could not be completed.
  case notPositiveDefinite(routine: String, order: Int)
  /// dgels: the `index`-th diagonal element (from 1) of the triangular factor is exactly zero, so A does
  /// not have full rank and the least-squares solution could not be computed.
  case rankDeficient(routine: String, index: Int)
  /// dgelsd / dgesvd: the singular value decomposition did not converge (`count` superdiagonal elements of
  /// the intermediate bidiagonal form did not converge to zero).
  case svdDidNotConverge(routine: String, count: Int)

  /// The routine that reported the failure.
  public var routine: String {
    switch self {
    case .notPositiveDefinite(let routine, _), .rankDeficient(let routine, _),
      .svdDidNotConverge(let routine, _):
      return routine
    }
  }

  public var description: String {
    switch self {
    case .notPositiveDefinite(let routine, let order):
      return "LAPACK \(routine): the leading minor of order \(order) is not positive definite"
    case .rankDeficient(let routine, let index):
      return
        "LAPACK \(routine): diagonal element \(index) of the triangular factor is zero, so the matrix is rank deficient"
    case .svdDidNotConverge(let routine, let count):
      return "LAPACK \(routine): the SVD did not converge (\(count) superdiagonals did not reach zero)"
    }
  }
}

/// Stops on an illegal-argument report (`info < 0`, a bug in the caller) and returns `info` otherwise.
@inlinable
func checkArguments(_ info: Int32, _ routine: String) -> Int32 {
  precondition(info >= 0, "LAPACK \(routine): argument \(-info) had an illegal value (a bug in KKTNet)")
  return info
}
