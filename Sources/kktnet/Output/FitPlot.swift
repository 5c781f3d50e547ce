import Foundation

/// A self-contained SVG of a fit of one predictor on linear axes: the data as points, the fitted curve, and
/// the confidence and prediction bands as dashed lines — no scripts, no external files.
struct FitPlot {
  var title: String
  var xLabel: String
  var yLabel: String
  /// The observations.
  var points: [(x: Double, y: Double)] = []
  /// Named curves over the same x; `dashed` for band edges.
  var curves: [(name: String, points: [(x: Double, y: Double)], dashed: Bool, color: String)] = []

  var rendered: String {
    let (width, height) = (760.0, 460.0)
    let (left, right, top, bottom) = (80.0, 190.0, 40.0, 60.0)
    let (plotWidth, plotHeight) = (width - left - right, height - top - bottom)
    let all = (points + curves.flatMap(\.points)).filter { $0.x.isFinite && $0.y.isFinite }
    var (xMin, xMax) = (all.map(\.x).min() ?? 0, all.map(\.x).max() ?? 1)
    var (yMin, yMax) = (all.map(\.y).min() ?? 0, all.map(\.y).max() ?? 1)
    if xMax <= xMin { (xMin, xMax) = (xMin - 1, xMax + 1) }
    if yMax <= yMin { (yMin, yMax) = (yMin - 1, yMax + 1) }
    let pad = 0.05 * (yMax - yMin)
    (yMin, yMax) = (yMin - pad, yMax + pad)
    func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
    func py(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * plotHeight }
    func f(_ v: Double) -> String { String(format: "%.2f", v) }
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(f(left + plotWidth / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>

      """
    for tick in SVGPlot.ticks(yMin, yMax) {
      let y = py(tick)
      svg +=
        "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e0e0e0\"/>\n"
      svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(SVGPlot.label(tick))</text>\n"
    }
    for tick in SVGPlot.ticks(xMin, xMax) {
      let x = px(tick)
      svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight))\" stroke=\"#f0f0f0\"/>\n"
      svg +=
        "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(SVGPlot.label(tick))</text>\n"
    }
    svg +=
      "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"black\"/>\n"
    svg +=
      "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 15))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
    svg +=
      "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">\(escape(yLabel))</text>\n"
    for p in points where p.x.isFinite && p.y.isFinite {
      svg += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"#555555\"/>\n"
    }
    var legend = [("data", "#555555", false, true)]
    for curve in curves {
      let path = curve.points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(curve.color)\" stroke-width=\"1.8\"\(curve.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path.joined(separator: " "))\"><title>\(escape(curve.name))</title></polyline>\n"
      if !legend.contains(where: { $0.0 == curve.name }) {
        legend.append((curve.name, curve.color, curve.dashed, false))
      }
    }
    for (index, entry) in legend.enumerated() {
      let ly = top + 14 + Double(index) * 20
      if entry.3 {
        svg += "<circle cx=\"\(f(left + plotWidth + 29))\" cy=\"\(f(ly))\" r=\"2.5\" fill=\"\(entry.1)\"/>\n"
      } else {
        svg +=
          "<line x1=\"\(f(left + plotWidth + 14))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotWidth + 44))\" y2=\"\(f(ly))\" stroke=\"\(entry.1)\" stroke-width=\"2\"\(entry.2 ? " stroke-dasharray=\"6 4\"" : "")/>\n"
      }
      svg += "<text x=\"\(f(left + plotWidth + 50))\" y=\"\(f(ly + 4))\">\(escape(entry.0))</text>\n"
    }
    return svg + "</svg>\n"
  }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
