import Foundation

/// Small, dependency-free SVG charts for result bundles: line plots, heat maps and phase snapshots.
public enum SVGPlot {
    static let width = 640.0, height = 420.0
    static let left = 78.0, right = 24.0, top = 40.0, bottom = 58.0
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    public struct Series {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        /// Standard errors of y, drawn as ±1 bars (nil: none).
        public var error: [Double]?
        public init(label: String, x: [Double], y: [Double], error: [Double]? = nil) {
            self.label = label; self.x = x; self.y = y; self.error = error
        }

        /// (x, y, error) triples with finite x and y (and x > 0 on a log axis); a missing error is 0.
        func points(logX: Bool) -> [(x: Double, y: Double, e: Double)] {
            x.indices.compactMap { i in
                guard i < y.count, x[i].isFinite, y[i].isFinite, !logX || x[i] > 0 else { return nil }
                let e = error.flatMap { i < $0.count && $0[i].isFinite ? abs($0[i]) : nil } ?? 0
                return (x[i], y[i], e)
            }
        }
    }

    /// A line plot with markers and optional ±1 standard-error bars; `logX` uses a logarithmic x axis.
    public static func line(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false) -> String {
        let pts = series.flatMap { $0.points(logX: logX) }
        guard !pts.isEmpty else { return empty(title) }
        let tx: (Double) -> Double = logX ? { log10($0) } : { $0 }
        var (x0, x1) = (pts.map { tx($0.x) }.min()!, pts.map { tx($0.x) }.max()!)
        var (y0, y1) = (pts.map { $0.y - $0.e }.min()!, pts.map { $0.y + $0.e }.max()!)
        if x0 == x1 { x0 -= 0.5; x1 += 0.5 }
        if y0 == y1 { y0 -= max(0.5, abs(y0) * 0.1); y1 += max(0.5, abs(y1) * 0.1) }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        let px = { (x: Double) in left + (tx(x) - x0) / (x1 - x0) * (width - left - right) }
        let py = { (y: Double) in height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
        var svg = header(title)
        svg += axes(x0: x0, x1: x1, y0: y0, y1: y1, xLabel: xLabel, yLabel: yLabel, logX: logX)
        // The legend goes in the corner of the plot area that covers the fewest data points.
        let legendWidth = 156.0, legendHeight = 18.0 * Double(series.count) + 6
        let corners = [
            (width - right - legendWidth, top + 2), (width - right - legendWidth, height - bottom - legendHeight - 2),
            (left + 8, top + 2), (left + 8, height - bottom - legendHeight - 2)
        ]
        let covered = corners.map { c in
            pts.filter { p in
                let (x, y) = (px(p.x), py(p.y))
                return x >= c.0 - 4 && x <= c.0 + legendWidth && y >= c.1 - 4 && y <= c.1 + legendHeight + 4
            }.count
        }
        let corner = corners[covered.indices.min { covered[$0] < covered[$1] } ?? 0]
        for (k, s) in series.enumerated() {
            let color = palette[k % palette.count]
            let xy = s.points(logX: logX)
            let path = xy.map { String(format: "%.2f,%.2f", px($0.x), py($0.y)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            for p in xy where p.e > 0 {
                let (xa, ya, yb) = (px(p.x), py(p.y - p.e), py(p.y + p.e))
                svg += String(
                    format: "<path d=\"M%.2f,%.2f V%.2f M%.2f,%.2f h8 M%.2f,%.2f h8\" stroke=\"%@\" stroke-width=\"1.2\"/>\n",
                    xa, ya, yb, xa - 4, ya, xa - 4, yb, color)
            }
            if xy.count <= 80 {
                for p in xy { svg += String(format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%@\"/>\n", px(p.x), py(p.y), color) }
            }
            if series.count > 1 {
                let ly = corner.1 + 16 + Double(k) * 18
                svg += String(
                    format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>", corner.0 + 6, ly - 4,
                    corner.0 + 26, ly - 4, color)
                svg += "<text x=\"\(corner.0 + 32)\" y=\"\(ly)\" font-size=\"12\">\(escape(s.label))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// A heat map of z over a grid (z[i][j] at x[i], y[j]); NaN cells are grey. Viridis colours.
    public static func heatMap(
        title: String, xLabel: String, yLabel: String, zLabel: String,
        x: [Double], y: [Double], z: [[Double]], logX: Bool = false, logY: Bool = false
    ) -> String {
        let finite = z.flatMap { $0 }.filter(\.isFinite)
        guard !x.isEmpty, !y.isEmpty, !finite.isEmpty else { return empty(title) }
        let zmin = finite.min()!, zmax = finite.max()!
        let plotW = width - left - right - 70, plotH = height - top - bottom
        let tx: (Double) -> Double = logX ? { log10($0) } : { $0 }
        let ty: (Double) -> Double = logY ? { log10($0) } : { $0 }
        // Cell edges halfway between sample points.
        func edges(_ v: [Double], _ t: (Double) -> Double) -> [Double] {
            let u = v.map(t)
            if u.count == 1 { return [u[0] - 0.5, u[0] + 0.5] }
            var e = [u[0] - (u[1] - u[0]) / 2]
            for i in 0..<(u.count - 1) { e.append((u[i] + u[i + 1]) / 2) }
            e.append(u[u.count - 1] + (u[u.count - 1] - u[u.count - 2]) / 2)
            return e
        }
        let ex = edges(x, tx), ey = edges(y, ty)
        let (x0, x1) = (ex.first!, ex.last!), (y0, y1) = (ey.first!, ey.last!)
        let px = { (v: Double) in left + (v - x0) / (x1 - x0) * plotW }
        let py = { (v: Double) in height - bottom - (v - y0) / (y1 - y0) * plotH }
        var svg = header(title)
        for i in 0..<x.count {
            for j in 0..<y.count {
                let v = i < z.count && j < z[i].count ? z[i][j] : .nan
                let color = v.isFinite ? viridis(zmax > zmin ? (v - zmin) / (zmax - zmin) : 0.5) : "#bbbbbb"
                let xa = px(ex[i]), xb = px(ex[i + 1]), ya = py(ey[j + 1]), yb = py(ey[j])
                svg += String(
                    format: "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%@\"/>\n",
                    min(xa, xb), min(ya, yb), abs(xb - xa) + 0.3, abs(yb - ya) + 0.3, color)
            }
        }
        svg += axes(
            x0: x0, x1: x1, y0: y0, y1: y1, xLabel: xLabel, yLabel: yLabel, logX: logX, logY: logY,
            plotWidth: plotW, grid: false)
        // Colour bar.
        let cbx = left + plotW + 16
        for k in 0..<50 {
            let t = Double(k) / 49
            let yy = height - bottom - t * plotH
            svg += String(
                format: "<rect x=\"%.1f\" y=\"%.2f\" width=\"14\" height=\"%.2f\" fill=\"%@\"/>\n", cbx, yy - plotH / 49, plotH / 49 + 0.5, viridis(t)
            )
        }
        svg += "<text x=\"\(cbx + 18)\" y=\"\(height - bottom)\" font-size=\"11\">\(tick(zmin))</text>\n"
        svg += "<text x=\"\(cbx + 18)\" y=\"\(top + 10)\" font-size=\"11\">\(tick(zmax))</text>\n"
        svg += "<text x=\"\(cbx + 7)\" y=\"\(top - 8)\" font-size=\"12\" text-anchor=\"middle\">\(escape(zLabel))</text>\n"
        return svg + "</svg>\n"
    }

    /// Mean-field phase snapshot: each dipole's transverse spin as an arrow from a point on a circle
    /// (angle φ, length S⊥ relative to ½), coloured by phase.
    public static func phases(title: String, phi: [Double], length: [Double]) -> String {
        var svg = header(title)
        let cx = width / 2, cy = (height + top - bottom) / 2 + 10, r = min(width, height) / 2 - 70
        svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"#ccc\"/>\n", cx, cy, r)
        svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"#eee\"/>\n", cx, cy, r / 2)
        for (k, p) in phi.enumerated() where p.isFinite {
            let l = k < length.count && length[k].isFinite ? min(1, 2 * length[k]) : 0
            let x = cx + r * l * cos(p), y = cy - r * l * sin(p)
            let hue = ((p / (2 * Double.pi)).truncatingRemainder(dividingBy: 1) + 1).truncatingRemainder(dividingBy: 1) * 360
            svg += String(
                format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"hsl(%.0f,70%%,45%%)\" stroke-opacity=\"0.6\"/>\n", cx, cy, x,
                y, hue)
            svg += String(format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"hsl(%.0f,70%%,45%%)\"/>\n", x, y, hue)
        }
        svg +=
            "<text x=\"\(cx)\" y=\"\(height - 16)\" font-size=\"12\" text-anchor=\"middle\">transverse spin S⊥e^{iφ} of each dipole (outer circle: S⊥ = ½)</text>\n"
        return svg + "</svg>\n"
    }

    static func header(_ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(width / 2)\" y=\"24\" font-size=\"15\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(title))</text>\n"
    }

    static func empty(_ title: String) -> String {
        header(title)
            + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" font-size=\"13\">no finite values to plot</text>\n</svg>\n"
    }

    static func axes(
        x0: Double, x1: Double, y0: Double, y1: Double, xLabel: String, yLabel: String,
        logX: Bool = false, logY: Bool = false, plotWidth: Double? = nil, grid: Bool = true
    ) -> String {
        let pw = plotWidth ?? (width - left - right)
        let ph = height - top - bottom
        var s = String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n", left, top, pw, ph)
        for t in ticks(x0, x1) {
            let x = left + (t - x0) / (x1 - x0) * pw
            if grid { s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", x, top, x, top + ph) }
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x, top + ph, x, top + ph + 5)
            s += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%@</text>\n", x, top + ph + 18,
                logX ? tick(pow(10, t)) : tick(t))
        }
        for t in ticks(y0, y1) {
            let y = top + ph - (t - y0) / (y1 - y0) * ph
            if grid { s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", left, y, left + pw, y) }
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", left - 5, y, left, y)
            s += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%@</text>\n", left - 8, y + 4,
                logY ? tick(pow(10, t)) : tick(t))
        }
        s += "<text x=\"\(left + pw / 2)\" y=\"\(height - 14)\" font-size=\"13\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(18,\(top + ph / 2)) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        return s
    }

    /// About five round tick positions in [a, b].
    static func ticks(_ a: Double, _ b: Double) -> [Double] {
        let span = b - a
        guard span > 0, span.isFinite else { return [a] }
        let raw = span / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = ceil(a / step) * step
        var out: [Double] = []
        while t <= b + step * 1e-9 && out.count < 20 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func tick(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e4 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The viridis colour map at t ∈ [0, 1] (a few anchor colours of matplotlib's map, interpolated).
    static func viridis(_ t0: Double) -> String {
        let anchors: [(Double, Double, Double)] = [
            (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37)
        ]
        let t = min(1, max(0, t0.isFinite ? t0 : 0)) * Double(anchors.count - 1)
        let i = min(Int(t), anchors.count - 2)
        let f = t - Double(i)
        let (a, b) = (anchors[i], anchors[i + 1])
        return String(format: "#%02x%02x%02x", Int(a.0 + (b.0 - a.0) * f), Int(a.1 + (b.1 - a.1) * f), Int(a.2 + (b.2 - a.2) * f))
    }
}
