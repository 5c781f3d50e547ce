#ifndef KKTNET_CVECTORMATH_H
#define KKTNET_CVECTORMATH_H

/// Elementwise maps y[i] = f(x[i]) for i < n over whole arrays.
///
/// tanh is KKTNet's own (tanh.c): at most 2 ulp from the true value, AVX2 + FMA where the CPU has them, and
/// the same bits from its scalar form `kkt_tanh` everywhere. exp, log1p and expm1, on x86-64 Linux with
/// glibc 2.35 or later, call glibc's vector math library (libmvec: 8 lanes with AVX-512, 4 with AVX2, else
/// 2 with SSE2, chosen once per process); elsewhere they loop over the C library's scalar functions. Every
/// element goes through the same routine whatever its position in the array, so a value's result does not
/// depend on n.
/// `x` and `y` may be the same array.

void kkt_vector_exp(long n, const double *x, double *y);
void kkt_vector_tanh(long n, const double *x, double *y);
/// tanh x by the algorithm of `kkt_vector_tanh`, one value at a time (the same bits).
double kkt_tanh(double x);
/// 1 when `kkt_vector_tanh` uses its AVX2 + FMA routine, 0 when it loops over `kkt_tanh`.
int kkt_vector_tanh_is_vectorized(void);
void kkt_vector_log1p(long n, const double *x, double *y);
void kkt_vector_expm1(long n, const double *x, double *y);

/// For exp, log1p and expm1: 0 for the scalar fallback, 1 for libmvec's SSE2 routines, 2 for AVX2, 3 for AVX-512.
int kkt_vector_math_is_vectorized(void);

#endif
