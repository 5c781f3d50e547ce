#include "CVectorMath.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#define KKT_LIBMVEC 1
#include <immintrin.h>

// glibc's vector ABI names: 'b' = SSE2 (2 lanes), 'd' = AVX2 (4 lanes), 'e' = AVX-512 (8 lanes).
__m128d _ZGVbN2v_exp(__m128d);
__m128d _ZGVbN2v_log1p(__m128d);
__m128d _ZGVbN2v_expm1(__m128d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_exp(__m256d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_exp(__m512d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_log1p(__m256d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log1p(__m512d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_expm1(__m256d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_expm1(__m512d);

// 2 = AVX-512, 1 = AVX2, 0 = SSE2; decided once per process, so a run never mixes variants.
static int vector_level(void) {
  static int cached = -1;
  if (cached < 0) cached = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  return cached;
}

// The tail is padded into a full vector so that it goes through the same routine as the rest.
#define KKT_DEFINE_MAP(NAME, F8, F4, F2)                                      \
  __attribute__((target("avx512f"))) static void NAME##_avx512(long n, const double *x, double *y) { \
    long i = 0;                                                               \
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, F8(_mm512_loadu_pd(x + i))); \
    if (i < n) {                                                              \
      double in[8] = {0, 0, 0, 0, 0, 0, 0, 0}, out[8];                        \
      memcpy(in, x + i, (size_t)(n - i) * sizeof(double));                    \
      _mm512_storeu_pd(out, F8(_mm512_loadu_pd(in)));                         \
      memcpy(y + i, out, (size_t)(n - i) * sizeof(double));                  \
    }                                                                         \
  }                                                                           \
  __attribute__((target("avx2"))) static void NAME##_avx2(long n, const double *x, double *y) { \
    long i = 0;                                                               \
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, F4(_mm256_loadu_pd(x + i))); \
    if (i < n) {                                                              \
      double in[4] = {0, 0, 0, 0}, out[4];                                    \
      memcpy(in, x + i, (size_t)(n - i) * sizeof(double));                    \
      _mm256_storeu_pd(out, F4(_mm256_loadu_pd(in)));                         \
      memcpy(y + i, out, (size_t)(n - i) * sizeof(double));                  \
    }                                                                         \
  }                                                                           \
  static void NAME##_sse2(long n, const double *x, double *y) {               \
    long i = 0;                                                               \
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(y + i, F2(_mm_loadu_pd(x + i))); \
    if (i < n) {                                                              \
      double in[2] = {x[i], 0}, out[2];                                       \
      _mm_storeu_pd(out, F2(_mm_loadu_pd(in)));                               \
      y[i] = out[0];                                                          \
    }                                                                         \
  }                                                                           \
  void NAME(long n, const double *x, double *y) {                             \
    switch (vector_level()) {                                                 \
    case 2: NAME##_avx512(n, x, y); break;                                    \
    case 1: NAME##_avx2(n, x, y); break;                                      \
    default: NAME##_sse2(n, x, y);                                            \
    }                                                                         \
  }

KKT_DEFINE_MAP(kkt_vector_exp, _ZGVeN8v_exp, _ZGVdN4v_exp, _ZGVbN2v_exp)
KKT_DEFINE_MAP(kkt_vector_log1p, _ZGVeN8v_log1p, _ZGVdN4v_log1p, _ZGVbN2v_log1p)
KKT_DEFINE_MAP(kkt_vector_expm1, _ZGVeN8v_expm1, _ZGVdN4v_expm1, _ZGVbN2v_expm1)

int kkt_vector_math_is_vectorized(void) { return 1 + vector_level(); }

#else

#define KKT_DEFINE_MAP(NAME, F)                                               \
  void NAME(long n, const double *x, double *y) {                             \
    for (long i = 0; i < n; i++) y[i] = F(x[i]);                              \
  }

KKT_DEFINE_MAP(kkt_vector_exp, exp)
KKT_DEFINE_MAP(kkt_vector_log1p, log1p)
KKT_DEFINE_MAP(kkt_vector_expm1, expm1)

int kkt_vector_math_is_vectorized(void) { return 0; }

#endif
