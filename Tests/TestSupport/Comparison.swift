import KKTNet

/// ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞), 0 when both are zero: the relative difference of two tensors as a whole.
public func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "the arrays differ in length")
  var difference = 0.0
  var scale = 0.0
  for (x, y) in zip(a, b) {
    difference = max(difference, abs(x - y))
    scale = max(scale, abs(x), abs(y))
  }
  return scale == 0 ? 0 : difference / scale
}

/// The largest per-tensor relative difference of two parameter-shaped vectors.
public func largestTensorDifference(_ a: [Double], _ b: [Double], architecture: Architecture) -> Double {
  architecture.tensors.map { relativeDifference(Array(a[$0.range]), Array(b[$0.range])) }.max() ?? 0
}

/// A matrix of standard normal deviates.
public func randomMatrix(rows: Int, columns: Int, using random: inout RandomSource) -> Matrix {
  Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in random.nextNormal() })
}
