import Foundation

/// A self-contained SVG line chart: several series against one x axis, a logarithmic y axis, labelled axes,
/// ticks, a legend and a title — no scripts, no external files, rendered by any browser.
struct SVGPlot {
  struct Series {
    let name: String
    let points: [(x: Double, y: Double)]
    let dashed: Bool
  }

  var title: String
  var xLabel: String
  var yLabel: String
  var series: [Series] = []

  static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

  /// The SVG text. Points with y ≤ 0 or non-finite values are left out (the axis is logarithmic).
  var rendered: String {
    let (width, height) = (760.0, 460.0)
    let (left, right, top, bottom) = (80.0, 190.0, 40.0, 60.0)
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && $0.y > 0 }
    let xMin = all.map(\.x).min() ?? 0
    var xMax = all.map(\.x).max() ?? 1
    if xMax <= xMin { xMax = xMin + 1 }
    var yLow = floor(log10(all.map(\.y).min() ?? 1))
    var yHigh = ceil(log10(all.map(\.y).max() ?? 10))
    if yHigh <= yLow {
      yLow -= 1
      yHigh += 1
    }
    func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
    func py(_ y: Double) -> Double { top + (yHigh - log10(y)) / (yHigh - yLow) * plotHeight }
    func f(_ v: Double) -> String { String(format: "%.2f", v) }

    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(f(left + plotWidth / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>

      """
    // Grid and ticks: decades on y, about six round values on x.
    for decade in Int(yLow)...Int(yHigh) {
      let y = py(pow(10, Double(decade)))
      svg +=
        "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e0e0e0\"/>\n"
      svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">1e\(decade)</text>\n"
    }
    for tick in Self.ticks(xMin, xMax) {
      let x = px(tick)
      svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight))\" stroke=\"#f0f0f0\"/>\n"
      svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(Self.label(tick))</text>\n"
    }
    svg +=
      "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"black\"/>\n"
    svg +=
      "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 15))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
    svg +=
      "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">\(escape(yLabel)) (log scale)</text>\n"
    for (index, s) in series.enumerated() {
      let color = Self.colors[index % Self.colors.count]
      let points = s.points.filter { $0.x.isFinite && $0.y.isFinite && $0.y > 0 }
      guard !points.isEmpty else { continue }
      let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
      svg +=
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"><title>\(escape(s.name))</title></polyline>\n"
      let ly = top + 14 + Double(index) * 20
      svg +=
        "<line x1=\"\(f(left + plotWidth + 14))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotWidth + 44))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
      svg += "<text x=\"\(f(left + plotWidth + 50))\" y=\"\(f(ly + 4))\">\(escape(s.name))</text>\n"
    }
    return svg + "</svg>\n"
  }

  /// About six round tick values over [low, high].
  static func ticks(_ low: Double, _ high: Double) -> [Double] {
    let raw = (high - low) / 6
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
    var ticks: [Double] = []
    var tick = ceil(low / step) * step
    while tick <= high + step * 1e-9 {
      ticks.append(tick)
      tick += step
    }
    return ticks
  }

  static func label(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : String(format: "%g", value)
  }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
