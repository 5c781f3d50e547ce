// A register-blocked syrk for small n: 8 × 4 blocks of C held in eight AVX2 registers while the k columns of A
// stream past (two loads and four broadcasts per column). It beats OpenBLAS's dsyrk for n ≤ 32 at k = 200,
// 442 and 2048 on AMD EPYC (Zen 2: 0.3–0.8 of its time) and loses from n ≈ 40 on; `BLAS.smallSyrkLimit`
// holds the measured threshold.

#include "CSmallKernels.h"

#include <math.h>
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// α·sum + β·C with one rounding for the product α·sum; β = 0 leaves the old C unread.
static double finish(double alpha, double sum, double beta, double old) {
  return fma(alpha, sum, beta == 0 ? 0.0 : beta * old);
}

static void syrk_scalar(long n, long k, double alpha, const double *a, long lda, double beta, double *c, long ldc) {
  for (long j = 0; j < n; j++)
    for (long i = j; i < n; i++) {
      double sum = 0;
      for (long l = 0; l < k; l++) sum = fma(a[i + l * lda], a[j + l * lda], sum);
      c[i + j * ldc] = finish(alpha, sum, beta, c[i + j * ldc]);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void syrk_avx2(long n, long k, double alpha, const double *a, long lda,
                                                          double beta, double *c, long ldc) {
  for (long jb = 0; jb < n; jb += 4) {
    long jcount = n - jb < 4 ? n - jb : 4;
    long jr[4];
    for (int q = 0; q < 4; q++) jr[q] = jb + q < n ? jb + q : n - 1;
    for (long ib = (jb / 8) * 8; ib < n; ib += 8) {
      long rows = n - ib < 8 ? n - ib : 8;
      __m256i m0 = _mm256_setr_epi64x(rows > 0 ? -1 : 0, rows > 1 ? -1 : 0, rows > 2 ? -1 : 0, rows > 3 ? -1 : 0);
      __m256i m1 = _mm256_setr_epi64x(rows > 4 ? -1 : 0, rows > 5 ? -1 : 0, rows > 6 ? -1 : 0, rows > 7 ? -1 : 0);
      __m256d c00 = _mm256_setzero_pd(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      const double *col = a;
      if (rows == 8) {
        for (long l = 0; l < k; l++, col += lda) {
          __m256d a0 = _mm256_loadu_pd(col + ib), a1 = _mm256_loadu_pd(col + ib + 4);
          __m256d b0 = _mm256_broadcast_sd(col + jr[0]), b1 = _mm256_broadcast_sd(col + jr[1]);
          __m256d b2 = _mm256_broadcast_sd(col + jr[2]), b3 = _mm256_broadcast_sd(col + jr[3]);
          c00 = _mm256_fmadd_pd(a0, b0, c00); c10 = _mm256_fmadd_pd(a1, b0, c10);
          c01 = _mm256_fmadd_pd(a0, b1, c01); c11 = _mm256_fmadd_pd(a1, b1, c11);
          c02 = _mm256_fmadd_pd(a0, b2, c02); c12 = _mm256_fmadd_pd(a1, b2, c12);
          c03 = _mm256_fmadd_pd(a0, b3, c03); c13 = _mm256_fmadd_pd(a1, b3, c13);
        }
      } else {
        for (long l = 0; l < k; l++, col += lda) {
          __m256d a0 = _mm256_maskload_pd(col + ib, m0), a1 = _mm256_maskload_pd(col + ib + 4, m1);
          __m256d b0 = _mm256_broadcast_sd(col + jr[0]), b1 = _mm256_broadcast_sd(col + jr[1]);
          __m256d b2 = _mm256_broadcast_sd(col + jr[2]), b3 = _mm256_broadcast_sd(col + jr[3]);
          c00 = _mm256_fmadd_pd(a0, b0, c00); c10 = _mm256_fmadd_pd(a1, b0, c10);
          c01 = _mm256_fmadd_pd(a0, b1, c01); c11 = _mm256_fmadd_pd(a1, b1, c11);
          c02 = _mm256_fmadd_pd(a0, b2, c02); c12 = _mm256_fmadd_pd(a1, b2, c12);
          c03 = _mm256_fmadd_pd(a0, b3, c03); c13 = _mm256_fmadd_pd(a1, b3, c13);
        }
      }
      double block[4][8];
      _mm256_storeu_pd(block[0], c00); _mm256_storeu_pd(block[0] + 4, c10);
      _mm256_storeu_pd(block[1], c01); _mm256_storeu_pd(block[1] + 4, c11);
      _mm256_storeu_pd(block[2], c02); _mm256_storeu_pd(block[2] + 4, c12);
      _mm256_storeu_pd(block[3], c03); _mm256_storeu_pd(block[3] + 4, c13);
      for (long q = 0; q < jcount; q++) {
        long j = jb + q;
        for (long r = 0; r < rows; r++) {
          long i = ib + r;
          if (i >= j) c[i + j * ldc] = finish(alpha, block[q][r], beta, c[i + j * ldc]);
        }
      }
    }
  }
}
#endif

static int has_avx2_fma(void) {
#if defined(__x86_64__)
  static int cached = -1;
  if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return cached;
#else
  return 0;
#endif
}

void kkt_small_syrk(long n, long k, double alpha, const double *a, long lda, double beta, double *c, long ldc) {
#if defined(__x86_64__)
  if (has_avx2_fma()) {
    syrk_avx2(n, k, alpha, a, lda, beta, c, ldc);
    return;
  }
#endif
  syrk_scalar(n, k, alpha, a, lda, beta, c, ldc);
}
void kkt_small_syrk_scalar(long n, long k, double alpha, const double *a, long lda, double beta, double *c, long ldc) {
  syrk_scalar(n, k, alpha, a, lda, beta, c, ldc);
}
