/// The K processes (ranks 0..<K) of a data-parallel run, and the collective operations the solvers need.
///
/// Data parallelism splits the m samples over the ranks. Every quantity the solvers take from the data is
/// a sum over samples, so it is the sum of the ranks' partial sums: the loss m·J = Σ_r Σ_{i∈r} ℓᵢ, the
/// Gauss–Newton matrix JᵀJ = Σ_r J_rᵀJ_r, the gradient Jᵀr = Σ_r J_rᵀr_r, a validation metric's counts.
/// ``allreduceSum(_:)`` takes such a sum; every rank then computes the same step from the same numbers.
///
/// **The same bits on every rank.** Each rank must compute the identical step, so a sum must come back
/// bit for bit the same on every rank, not merely equal to rounding. The MPI standard does not promise
/// that of `MPI_Allreduce`: MPI-3.1 (the version Open MPI 4.1 implements) only recommends, in §5.9.1's
/// advice to implementors, that `MPI_REDUCE` give the same result for the same arguments in the same
/// order, and §5.9.6 allows an all-reduce other than a reduce and a broadcast. Open MPI's own algorithms happen to give every rank the same bits — recursive
/// doubling lets both partners of a pair add the same two operands, the ring reduces each block once and
/// then copies it (`ompi/mca/coll/base/coll_base_allreduce.c`) — but which algorithm runs depends on the
/// coll component the site selects (tuned, han, hcoll, in-network reduction), on which nothing here can
/// rely. So the MPI implementation reduces to rank 0 (`MPI_Reduce`) and then broadcasts rank 0's result
/// (`MPI_Bcast`): a broadcast copies bytes, so every rank holds rank 0's bits whatever algorithm the
/// reduction uses. Repeating a run with the same K repeats rank 0's summation order, as long as the MPI
/// library chooses its reduction algorithm from the message size and K alone (Open MPI's tuned rules do).
/// The price is a second pass over the network: about twice a bandwidth-optimal all-reduce for large
/// vectors.
///
/// A sum over ranks is not bit-identical to the single process's sum over the same samples: the order of
/// the additions differs. The two agree to rounding, |ŝ − s| ≤ 2γ_{m−1}·Σ|xᵢ| with γₙ = nu/(1 − nu) (Higham,
/// *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §4.2). With one rank the sums are identical.
///
/// Every operation here is collective: every rank must call it, in the same order, with vectors of the
/// same length. A rank that skips a call or passes another length is a programming error that deadlocks
/// or aborts the job. A communication failure ends the whole job through ``abort(_:)``: another rank may
/// be waiting in the same collective, so it cannot be a solver's termination reason.
public protocol Communicator: AnyObject, Sendable {
  /// r, this process's rank, in 0..<``size``.
  var rank: Int { get }
  /// K, the number of ranks.
  var size: Int { get }

  /// v ← Σ_r v_r, elementwise over the ranks, in place; the same bits on every rank.
  ///
  /// - Complexity: MPI: one `MPI_Reduce` to rank 0 and one `MPI_Bcast` of `values.count` doubles, with no
  ///   buffer besides `values`.
  func allreduceSum(_ values: inout [Double])

  /// v ← v_root on every rank; `values.count` must be the same on every rank.
  func broadcast(_ values: inout [Double], from root: Int)

  /// Returns when every rank has called it.
  func barrier()

  /// Ends the whole run from this rank: writes `message` and a line end to standard error, then stops
  /// every rank with exit status 1 (MPI: `MPI_Abort`), whatever the others are doing.
  func abort(_ message: String) -> Never
}
