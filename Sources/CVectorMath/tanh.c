// tanh over whole arrays: KKTNet's own, vectorized with AVX2 + FMA, at most 2 ulp from the true value.
//
// For a = |x| (the sign is restored at the end, so tanh(−x) = −tanh(x) exactly and tanh(−0) = −0):
//
//   a < 0.625:  tanh a = a + a·s·P(s),  s = a², P of degree 11, a near-minimax (Chebyshev) fit of
//               (tanh a / a − 1)/s on [0, 0.390625] with |error| ≤ 4e-18. The correction a·s·P is at most
//               0.13a, so its rounding errors reach the result scaled by 0.13: the error is the last
//               addition's half ulp plus at most 0.4 ulp.
//   a ≥ 0.625:  tanh a = 1 − 2/(e + 1),  e = e^{2a} = 2^k·e^r,  k = round(2a/ln 2), r = 2a − k·ln 2
//               (Cody & Waite's two-part ln 2), e^r = 1 + r + r²Q(r) with Q of degree 9 fitted on
//               |r| ≤ ln(2)/2 (|error| ≤ 1e-18 after the r² factor). With t = 2/(e + 1) ≤ 0.445 and the
//               result in [0.555, 1), whose ulp is 2⁻⁵³, the relative errors of e, e + 1 and the quotient
//               (≤ 1.2·2⁻⁵³, 2⁻⁵³, 2⁻⁵³) reach the result as at most t·3.2·2⁻⁵³ ≤ 1.42 ulp, plus the last
//               subtraction's half ulp: ≤ 1.92 ulp, falling towards 0.5 ulp as a grows. 2a is clamped at
//               44, where 1 − 2/(e + 1) already rounds to 1 (tanh a rounds to 1 for a > 19.06).
//
// So the error is at most 2 ulp everywhere (Tests/KKTNetTests/TanhAccuracyTests.swift measures 1.34 ulp at
// worst against the C library's 64-bit-mantissa tanhl, over every binade and the edge cases). Subnormal x
// gives x, ±∞ gives ±1, NaN gives NaN.
//
// The vector and the scalar routine perform the same IEEE operations in the same order (the scalar one with
// C's fma), so they return the same bits: a value's result depends neither on its position in the array nor
// on whether the machine has AVX2. (Coefficients: Cephes-style range split as in Moshier's tanh.c; the fits
// were computed with mpmath.chebyfit at 60 digits.)

#include "CVectorMath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// P(s), highest degree first.
static const double kP[12] = {
    6.485163482793113e-06,  -3.12011014257974e-05,  9.257116129556769e-05, -0.0002375906496055562,
    0.0005896606577757043,  -0.0014557754120478055, 0.0035921217511549622, -0.008863235103240878,
    0.021869488519008305,   -0.05396825396789699,   0.13333333333333042,   -0.3333333333333333};
// Q(r), highest degree first: e^r = 1 + r + r²Q(r).
static const double kQ[10] = {
    2.5100375832561234e-08, 2.7620075879983367e-07, 2.7557268480310024e-06, 2.4801521322368692e-05,
    0.00019841269863040545, 0.0013888888917196719,  0.008333333333330065,   0.041666666666624164,
    0.16666666666666669,    0.5000000000000001};
static const double kThreshold = 0.625;
static const double kClamp = 44.0;
static const double kLog2e = 1.4426950408889634;
static const double kLn2High = 0x1.62e42fefa39efp-1;
static const double kLn2Low = 0x1.abc9e3b39803fp-56;

double kkt_tanh(double x) {
  if (x != x) return x + x;
  double a = fabs(x);
  double result;
  if (a < kThreshold) {
    // Estrin's scheme in s (the vector code evaluates the same tree).
    double s = a * a, s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
    double p = fma(fma(fma(kP[0], s, kP[1]), s2, fma(kP[2], s, kP[3])), s8,
                   fma(fma(fma(kP[4], s, kP[5]), s2, fma(kP[6], s, kP[7])), s4,
                       fma(fma(kP[8], s, kP[9]), s2, fma(kP[10], s, kP[11]))));
    result = fma(a * s, p, a);
  } else {
    double y = fmin(a + a, kClamp);
    double k = nearbyint(y * kLog2e);
    double r = fma(-k, kLn2High, y);
    r = fma(-k, kLn2Low, r);
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double q = fma(fma(kQ[0], r, kQ[1]), r8,
                   fma(fma(fma(kQ[2], r, kQ[3]), r2, fma(kQ[4], r, kQ[5])), r4,
                       fma(fma(kQ[6], r, kQ[7]), r2, fma(kQ[8], r, kQ[9]))));
    double e = fma(r2, q, r) + 1;
    // e·2^k by adding k to the exponent field (0 ≤ k ≤ 64, e ∈ [0.7, 1.42]: no overflow).
    uint64_t bits;
    memcpy(&bits, &e, sizeof bits);
    bits += (uint64_t)(int64_t)k << 52;
    memcpy(&e, &bits, sizeof e);
    result = 1 - 2 / (e + 1);
  }
  return copysign(result, x);
}

#if defined(__x86_64__)
#include <immintrin.h>

#define KKT_TARGET __attribute__((target("avx2,fma")))
#define SPLAT(c) _mm256_set1_pd(c)
#define FMA(a, b, c) _mm256_fmadd_pd(a, b, c)

KKT_TARGET static inline __m256d tanh_small4(__m256d a) {
  __m256d s = _mm256_mul_pd(a, a), s2 = _mm256_mul_pd(s, s), s4 = _mm256_mul_pd(s2, s2);
  __m256d s8 = _mm256_mul_pd(s4, s4);
  __m256d p = FMA(FMA(FMA(SPLAT(kP[0]), s, SPLAT(kP[1])), s2, FMA(SPLAT(kP[2]), s, SPLAT(kP[3]))), s8,
                  FMA(FMA(FMA(SPLAT(kP[4]), s, SPLAT(kP[5])), s2, FMA(SPLAT(kP[6]), s, SPLAT(kP[7]))), s4,
                      FMA(FMA(SPLAT(kP[8]), s, SPLAT(kP[9])), s2, FMA(SPLAT(kP[10]), s, SPLAT(kP[11])))));
  return FMA(_mm256_mul_pd(a, s), p, a);
}

KKT_TARGET static inline __m256d tanh_large4(__m256d a) {
  __m256d y = _mm256_min_pd(_mm256_add_pd(a, a), SPLAT(kClamp));
  __m256d k = _mm256_round_pd(_mm256_mul_pd(y, SPLAT(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(k, SPLAT(kLn2High), y);
  r = _mm256_fnmadd_pd(k, SPLAT(kLn2Low), r);
  __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
  __m256d q = FMA(FMA(SPLAT(kQ[0]), r, SPLAT(kQ[1])), r8,
                  FMA(FMA(FMA(SPLAT(kQ[2]), r, SPLAT(kQ[3])), r2, FMA(SPLAT(kQ[4]), r, SPLAT(kQ[5]))), r4,
                      FMA(FMA(SPLAT(kQ[6]), r, SPLAT(kQ[7])), r2, FMA(SPLAT(kQ[8]), r, SPLAT(kQ[9])))));
  __m256d e = _mm256_add_pd(FMA(r2, q, r), SPLAT(1.0));
  // k + 2⁵² holds the integer k in its low mantissa bits; shifted by 52 they land in the exponent field.
  __m256i scale = _mm256_slli_epi64(_mm256_castpd_si256(_mm256_add_pd(k, SPLAT(0x1p52))), 52);
  e = _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(e), scale));
  return _mm256_sub_pd(SPLAT(1.0), _mm256_div_pd(SPLAT(2.0), _mm256_add_pd(e, SPLAT(1.0))));
}

// Each lane takes its own branch; a branch is only evaluated when some lane needs it (hidden layers' z is
// mostly small), which changes the time, never a lane's result.
KKT_TARGET static inline __m256d tanh4(__m256d x) {
  const __m256d sign = SPLAT(-0.0);
  __m256d a = _mm256_andnot_pd(sign, x);
  __m256d isSmall = _mm256_cmp_pd(a, SPLAT(kThreshold), _CMP_LT_OQ);
  int smallLanes = _mm256_movemask_pd(isSmall);
  __m256d result;
  if (smallLanes == 0xF) {
    result = tanh_small4(a);
  } else if (smallLanes == 0) {
    result = tanh_large4(a);
  } else {
    result = _mm256_blendv_pd(tanh_large4(a), tanh_small4(a), isSmall);
  }
  result = _mm256_or_pd(result, _mm256_and_pd(x, sign));
  return _mm256_blendv_pd(result, _mm256_add_pd(x, x), _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

KKT_TARGET static void tanh_avx2(long n, const double *x, double *y) {
  long i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, tanh4(_mm256_loadu_pd(x + i)));
  for (; i < n; i++) y[i] = kkt_tanh(x[i]);
}

static int has_avx2_fma(void) {
  static int cached = -1;
  if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return cached;
}
#endif

void kkt_vector_tanh(long n, const double *x, double *y) {
#if defined(__x86_64__)
  if (has_avx2_fma()) {
    tanh_avx2(n, x, y);
    return;
  }
#endif
  for (long i = 0; i < n; i++) y[i] = kkt_tanh(x[i]);
}

int kkt_vector_tanh_is_vectorized(void) {
#if defined(__x86_64__)
  return has_avx2_fma();
#else
  return 0;
#endif
}
