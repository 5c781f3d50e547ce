import CLAPACK
import CSmallKernels
import KKTNet
import PropertyBased
import Testing

/// KKTNet's small syrk (`Sources/CSmallKernels`), which `BLAS.syrk` uses for AAᵀ with n ≤ 32, against
/// OpenBLAS's dsyrk and an exact-order reference.
@Suite("Small syrk")
struct SmallSyrkTests {
  /// A random shape: n on both sides of the 8 × 4 blocks and of the threshold, k from 0, padding in lda.
  static let shapes = zip(Gen.int(in: 1...40), Gen.int(in: 0...300), Gen.int(in: 0...3), Gen<UInt64>.value())

  @Test("agrees with dsyrk to k·ε·Σ|aᵢₗaⱼₗ|, leaves the upper triangle alone, returns the scalar routine's bits")
  func againstOpenBLAS() async {
    await propertyCheck(count: 300, input: Self.shapes) { n, k, padding, seed in
      var random = RandomSource(seed: seed)
      let lda = n + padding
      let a = (0..<(lda * max(k, 1))).map { _ in random.nextNormal() }
      let c0 = (0..<(n * n)).map { _ in random.nextNormal() }
      let (alpha, beta) = (random.nextUniform(in: -2..<2), [0.0, 1.0, 0.5][Int(seed % 3)])
      var ours = c0
      var scalar = c0
      var reference = c0
      kkt_small_syrk(n, k, alpha, a, lda, beta, &ours, n)
      kkt_small_syrk_scalar(n, k, alpha, a, lda, beta, &scalar, n)
      cblas_dsyrk(
        CblasColMajor, CblasLower, CblasNoTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, &reference, Int32(n))
      for j in 0..<n {
        for i in 0..<n {
          let index = i + j * n
          if i < j {
            #expect(ours[index].bitPattern == c0[index].bitPattern, "upper entry (\(i), \(j)) was written")
            continue
          }
          #expect(ours[index].bitPattern == scalar[index].bitPattern, "(\(i), \(j)) n \(n) k \(k)")
          // Both sum the same k products in different orders: each is within k·ε·Σ|aᵢₗaⱼₗ| (times |α|) of the
          // exact sum, plus the rounding of the last α·sum + β·c.
          var magnitude = 0.0
          for l in 0..<k { magnitude += abs(a[i + l * lda] * a[j + l * lda]) }
          let scale = abs(alpha) * magnitude + abs(beta * c0[index]) + abs(reference[index])
          let tolerance = 2 * Double(k + 2) * Double.ulpOfOne * scale
          #expect(abs(ours[index] - reference[index]) <= tolerance, "(\(i), \(j)) n \(n) k \(k)")
        }
      }
    }
  }

  @Test("β = 0 does not read C (a NaN there is overwritten)")
  func betaZeroIgnoresC() {
    let (n, k) = (13, 5)
    let a = (0..<(n * k)).map { Double($0 % 7) - 3 }
    var c = [Double](repeating: .nan, count: n * n)
    kkt_small_syrk(n, k, 1, a, n, 0, &c, n)
    for j in 0..<n {
      for i in j..<n {
        var sum = 0.0
        for l in 0..<k { sum += a[i + l * n] * a[j + l * n] }
        #expect(c[i + j * n] == sum)
      }
    }
  }

  @Test("BLAS.syrk takes the small kernel up to the limit and dsyrk beyond, both giving AAᵀ")
  func dispatch() {
    for n in [BLAS.smallSyrkLimit, BLAS.smallSyrkLimit + 1] {
      var random = RandomSource(seed: UInt64(n))
      let a = Matrix(rows: n, columns: 50, elements: (0..<(n * 50)).map { _ in random.nextNormal() })
      var c = Matrix(rows: n, columns: n)
      BLAS.syrk(a, transpose: .none, into: &c)
      let exact = a * a.transposed
      let difference = zip(c.elements, exact.elements).map { abs($0 - $1) }.max() ?? 0
      #expect(difference <= 1e-12 * exact.maxAbsoluteValue, "n = \(n)")
      #expect(c == c.transposed, "both triangles filled")
    }
  }
}
