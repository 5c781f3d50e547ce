#ifndef KKTNET_CSMALLKERNELS_H
#define KKTNET_CSMALLKERNELS_H

/// Kernels for BLAS shapes too small for OpenBLAS's packing to pay off, chosen by measurement
/// (`BLAS.smallSyrkLimit`).

/// C ← α·A·Aᵀ + β·C on the lower triangle of the n × n matrix C (leading dimension ldc), A n × k column-major
/// (leading dimension lda); β = 0 does not read C. Each entry is Σₗ A[i,l]·A[j,l] accumulated in l order with
/// one fused multiply–add per term, then α·sum + β·C in one more: the AVX2 + FMA routine and the scalar one
/// return the same bits.
void kkt_small_syrk(long n, long k, double alpha, const double *a, long lda, double beta, double *c, long ldc);

/// The scalar routine of `kkt_small_syrk`, for tests.
void kkt_small_syrk_scalar(long n, long k, double alpha, const double *a, long lda, double beta, double *c,
                           long ldc);

#endif
