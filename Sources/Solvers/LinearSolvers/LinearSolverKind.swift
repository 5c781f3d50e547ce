/// How the damped Gauss–Newton system is solved.
public enum LinearSolverKind: String, CaseIterable, Sendable, Codable {
  /// Cholesky on the normal equations (JᵀJ + μD)δ = −Jᵀr (LAPACK posv): n³/3 flops, fastest; squares
  /// the condition number. When M < P it solves the M × M dual system instead.
  case cholesky
  /// QR on the stacked system min ‖[J; √μ·D^½]δ + [r; 0]‖ (LAPACK gels): needs J; keeps the condition
  /// number of J. When M < P (and μ > 0), the thin SVD of J instead, never a (M + P) × P matrix.
  case qr
  /// The SVD of the stacked system, or of the normal matrix when J is not formed (LAPACK gelsd), both
  /// equilibrated by D^−½: the step of minimum D-norm ‖D^½δ‖, even for rank-deficient systems. When M < P,
  /// the thin SVD of J·D^−½.
  case svd
}
