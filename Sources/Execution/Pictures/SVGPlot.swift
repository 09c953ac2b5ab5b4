import Foundation

/// Small, dependency-free SVG drawings of a `Figure`: line plots with shaded ±1σ bands, heat maps
/// with a ticked colour bar, contours and overlaid curves, and Bloch-sphere snapshots. Ticks are
/// "nice" (1, 2, 5 × 10ᵏ; decades on a log axis); legends sit outside the plot area.
public enum SVGPlot {
    static let width = 640.0, height = 420.0
    static let left = 78.0, right = 24.0, top = 40.0, bottom = 58.0
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
    static let legendRowHeight = 18.0

    /// The SVG text of `figure`.
    public static func render(_ figure: Figure) -> String {
        switch figure.kind {
        case .lines: return lines(figure)
        case .heatMap: return heatMap(figure)
        case .bloch: return bloch(figure)
        }
    }

    // MARK: Coordinates

    /// A linear or logarithmic map of data values onto [p0, p1] pixels.
    struct Scale {
        var lo: Double, hi: Double, log: Bool, p0: Double, p1: Double
        func t(_ v: Double) -> Double { log ? log10(v) : v }
        func callAsFunction(_ v: Double) -> Double { p0 + (t(v) - lo) / (hi - lo) * (p1 - p0) }
        func accepts(_ v: Double) -> Bool { v.isFinite && (!log || v > 0) }

        /// A scale over `values` (transformed), padded by `pad` of the span, or the given range.
        static func fit(_ values: [Double], axis: Figure.Axis, pad: Double, p0: Double, p1: Double) -> Scale {
            let log = axis.log
            if let r = axis.range, r.0.isFinite, r.1.isFinite, r.1 > r.0, !log || r.0 > 0 {
                return Scale(lo: log ? log10(r.0) : r.0, hi: log ? log10(r.1) : r.1, log: log, p0: p0, p1: p1)
            }
            let t = values.filter { $0.isFinite && (!log || $0 > 0) }.map { log ? log10($0) : $0 }
            var lo = t.min() ?? 0, hi = t.max() ?? 1
            // One value: ±10 % of it around it (a single point is drawn at a readable scale), or half a
            // decade on a log axis, or ±0.5 around zero.
            if lo == hi {
                let half = log || lo == 0 ? 0.5 : abs(lo) * 0.1
                lo -= half
                hi += half
            }
            let p = (hi - lo) * pad
            return Scale(lo: lo - p, hi: hi + p, log: log, p0: p0, p1: p1)
        }

        /// Tick positions as data values.
        var ticks: [Double] { log ? SVGPlot.logTicks(lo, hi) : SVGPlot.ticks(lo, hi) }
    }

    // MARK: Line plots

    static func lines(_ f: Figure) -> String {
        let drawable = f.series.map { s in
            s.x.indices.compactMap { i -> (x: Double, y: Double, e: Double)? in
                guard i < s.y.count, s.x[i].isFinite, s.y[i].isFinite, !f.x.log || s.x[i] > 0, !f.y.log || s.y[i] > 0 else { return nil }
                let e = s.error.flatMap { i < $0.count && $0[i].isFinite ? abs($0[i]) : nil } ?? 0
                return (s.x[i], s.y[i], e)
            }
        }
        let pts = drawable.flatMap { $0 }
        guard !pts.isEmpty else { return empty(f) }
        let legend =
            f.series.count > 1 || f.references.contains { !$0.label.isEmpty }
            ? legendWidth(f.series.map(\.label) + f.references.map(\.label).filter { !$0.isEmpty }) : 0
        let w = width + legend
        let plotRight = w - right - legend
        let xs = Scale.fit(
            pts.map(\.x) + f.references.filter { $0.direction == .vertical }.map(\.value), axis: f.x, pad: 0.02, p0: left, p1: plotRight)
        var yValues = pts.flatMap { [$0.y - $0.e, $0.y + $0.e] }
        yValues += f.references.filter { $0.direction == .horizontal }.map(\.value)
        let ys = Scale.fit(yValues, axis: f.y, pad: 0.05, p0: height - bottom, p1: top)
        var svg = header(f.title, width: w, notes: noteLines(f, width: w).count)
        svg += frame(xs, ys, f.x, f.y, grid: true)
        svg += clip(xs, ys)
        svg += "<g clip-path=\"url(#plot)\">\n"
        for (k, s) in f.series.enumerated() {
            let color = palette[k % palette.count]
            let xy = drawable[k]
            // The ±1σ band under the curve.
            if xy.contains(where: { $0.e > 0 }) {
                let upper = xy.map { String(format: "%.2f,%.2f", xs($0.x), ys(f.y.log ? max($0.y + $0.e, 1e-300) : $0.y + $0.e)) }
                let lower = xy.reversed().map { p -> String in
                    let v = p.y - p.e
                    return String(format: "%.2f,%.2f", xs(p.x), f.y.log && v <= 0 ? ys.p0 : ys(v))
                }
                svg += "<polygon fill=\"\(color)\" fill-opacity=\"0.22\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
            }
            let path = xy.map { String(format: "%.2f,%.2f", xs($0.x), ys($0.y)) }.joined(separator: " ")
            if s.style != .points {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash(s.style)) points=\"\(path)\"/>\n"
            }
            if s.markers ?? (s.style == .points || (s.style == .solid && xy.count <= 80)) {
                for p in xy { svg += String(format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%@\"/>\n", xs(p.x), ys(p.y), color) }
            }
        }
        for r in f.references {
            if r.direction == .horizontal {
                let y = ys(r.value)
                svg += String(
                    format: "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"%@\" stroke-width=\"1.3\" stroke-dasharray=\"7,4\"/>\n",
                    xs.p0, y, xs.p1, y, referenceColour(r))
            } else {
                let x = xs(r.value)
                svg += String(
                    format: "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"1.3\" stroke-dasharray=\"7,4\"/>\n",
                    x, ys.p1, x, ys.p0, referenceColour(r))
            }
        }
        svg += "</g>\n"
        if legend > 0 {
            var row = 0
            let lx = plotRight + 14
            for (k, s) in f.series.enumerated() {
                let ly = top + 12 + Double(row) * legendRowHeight
                let color = palette[k % palette.count]
                if s.style == .points {
                    svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", lx + 10, ly - 4, color)
                } else {
                    svg += String(
                        format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"%@/>", lx, ly - 4, lx + 20,
                        ly - 4,
                        color, dash(s.style))
                }
                svg += "<text x=\"\(lx + 26)\" y=\"\(ly)\" font-size=\"12\">\(MathLabel.svg(s.label))</text>\n"
                row += 1
            }
            for r in f.references where !r.label.isEmpty {
                let ly = top + 12 + Double(row) * legendRowHeight
                svg += String(
                    format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"1.3\" stroke-dasharray=\"7,4\"/>",
                    lx,
                    ly - 4, lx + 20, ly - 4, referenceColour(r))
                svg += "<text x=\"\(lx + 26)\" y=\"\(ly)\" font-size=\"12\">\(MathLabel.svg(r.label))</text>\n"
                row += 1
            }
        }
        return svg + notes(f, width: w) + "</svg>\n"
    }

    /// A reference line's stroke: its series' colour, else grey.
    static func referenceColour(_ r: Figure.ReferenceLine) -> String {
        r.colour.map { palette[$0 % palette.count] } ?? "#444"
    }

    static func dash(_ style: Figure.Style) -> String {
        switch style {
        case .dashed: return " stroke-dasharray=\"8,5\""
        case .dotted: return " stroke-dasharray=\"2,4\""
        default: return ""
        }
    }

    /// The font size of legend entries.
    static let legendFontSize = 12.0

    /// The width of the legend column beside the plot: the widest entry's label (`textWidth` at the
    /// legend's font size) after its 26 px line sample, with margins on both sides. Every entry of the
    /// legend must be among `labels` (the curves and the labelled reference lines), or it may not fit.
    static func legendWidth(_ labels: [String]) -> Double {
        let widest = labels.map { textWidth($0, size: legendFontSize) }.max() ?? 0
        return (34 + widest).rounded(.up)
    }

    /// An estimate of the width in pixels of a label (with `MathLabel` markup) drawn at `size` px in the
    /// pictures' font (Helvetica or Arial, whose metrics Liberation Sans shares): each character's
    /// advance width in em, sub- and superscripts at 75 %, and the 0.3 em gap that `MathLabel.svg` puts
    /// where a run starts with a space. Errs on the wide side (a browser's fallback font may be wider).
    static func textWidth(_ label: String, size: Double) -> Double {
        var em = 0.0
        for r in MathLabel.runs(label) {
            let scale = r.shift == 0 ? 1.0 : 0.75
            em += scale * r.text.reduce(0) { $0 + advance($1) }
        }
        return 1.05 * em * size
    }

    /// The width of `text` drawn as it is (no sub- or superscripts), in the same metrics as `textWidth`.
    static func plainTextWidth(_ text: some StringProtocol, size: Double) -> Double { 1.05 * size * text.reduce(0) { $0 + advance($1) } }

    /// The advance width of a character in em (Helvetica's widths, rounded up by class).
    static func advance(_ c: Character) -> Double {
        switch c {
        case "i", "j", "l", ".", ",", ":", ";", "'", "|", "!": return 0.23
        case "f", "t", "r", "I", " ", "(", ")", "[", "]", "/", "-", "{", "}": return 0.34
        case "m", "M", "W", "w", "…", "%", "@": return 0.89
        case "−", "+", "=", "<", ">", "×", "±", "≤", "≥": return 0.59
        default:
            if c.isNumber || c.isLowercase { return 0.56 }
            return c.isUppercase ? 0.72 : 0.6
        }
    }

    // MARK: Heat maps

    static func heatMap(_ f: Figure) -> String {
        guard let m = f.map, !m.x.isEmpty, !m.y.isEmpty else { return empty(f) }
        let finite = m.z.flatMap { $0 }.filter { $0.isFinite && (!m.colour.log || $0 > 0) }
        guard !finite.isEmpty else { return empty(f) }
        // Contours through the cell centres, or along a field of their own with each level written on its line.
        let field = m.contourField ?? Figure.Field(x: m.x, y: m.y, z: m.z, label: "")
        let contourLines = m.contours.map { (level: $0, segments: Contour.segments(x: field.x, y: field.y, z: field.z, level: $0)) }
        // Lines of the coloured field itself are named in the legend ("Z_Q^2 = 0"), as the curves are;
        // those of a field of their own carry their level on the line and the field's name below the plot.
        let contourEntries =
            m.contourField != nil ? [] : contourLines.filter { !$0.segments.isEmpty }.map { (level: $0.level, label: contourLabel(m, $0.level)) }
        let legendLabels = f.series.map(\.label) + contourEntries.map(\.label)
        let legend = legendLabels.isEmpty ? 0 : legendWidth(legendLabels)
        let w = width + legend
        let plotRight = w - right - 92 - legend
        // Cell edges halfway between the sample points (in the axis' own coordinate), the outer ones
        // at the first and last sample: the map covers exactly the swept range, as its contours do.
        func edges(_ v: [Double], _ log: Bool) -> [Double] {
            let u = v.map { log ? log10($0) : $0 }
            if u.count == 1 { return [u[0] - 0.5, u[0] + 0.5].map { log ? pow(10, $0) : $0 } }
            var e = [u[0]]
            for i in 0..<(u.count - 1) { e.append((u[i] + u[i + 1]) / 2) }
            e.append(u[u.count - 1])
            return e.map { log ? pow(10, $0) : $0 }
        }
        let ex = edges(m.x, f.x.log), ey = edges(m.y, f.y.log)
        let xs = Scale.fit([ex.first, ex.last].compactMap { $0 }, axis: f.x, pad: 0, p0: left, p1: plotRight)
        let ys = Scale.fit([ey.first, ey.last].compactMap { $0 }, axis: f.y, pad: 0, p0: height - bottom, p1: top)
        let zs = Scale.fit(finite + (m.colour.centre.map { [$0] } ?? []), axis: m.colour, pad: 0, p0: 0, p1: 1)
        let centre = m.colour.log ? nil : m.colour.centre
        // The place of a value on the colour bar, 0…1 (two slopes around a centre).
        let position = { (v: Double) -> Double in
            guard let c = centre else { return min(1, max(0, zs(v))) }
            let t = v < c ? 0.5 * (v - zs.lo) / max(c - zs.lo, 1e-300) : 0.5 + 0.5 * (v - c) / max(zs.hi - c, 1e-300)
            return min(1, max(0, t))
        }
        let map = { (t: Double) -> String in centre == nil ? viridis(t) : diverging(t) }
        let colour = { (v: Double) -> String in
            guard zs.accepts(v) else { return "#bbbbbb" }
            return map(position(v))
        }
        var svg = header(f.title, width: w, notes: noteLines(f, width: w).count)
        svg += clip(xs, ys)
        svg += "<g clip-path=\"url(#plot)\" shape-rendering=\"crispEdges\">\n"
        for i in 0..<m.x.count {
            for j in 0..<m.y.count {
                let v = i < m.z.count && j < m.z[i].count ? m.z[i][j] : .nan
                let xa = xs(ex[i]), xb = xs(ex[i + 1]), ya = ys(ey[j + 1]), yb = ys(ey[j])
                svg += String(
                    format: "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%@\"/>\n",
                    min(xa, xb), min(ya, yb), abs(xb - xa) + 0.3, abs(yb - ya) + 0.3, colour(v))
            }
        }
        var labels = ""
        for (level, segments) in contourLines {
            for seg in segments {
                svg += String(
                    format: "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%@\" stroke-width=\"1.2\"/>\n",
                    xs(seg.0.0), ys(seg.0.1), xs(seg.1.0), ys(seg.1.1), contourColour(m))
            }
            if m.contourField != nil, !segments.isEmpty {
                // Levels written at staggered heights along their lines, so that lines that run close
                // together (g near the magic angle) keep their labels apart.
                let k = Double((m.contours.firstIndex(of: level) ?? 0) % 4 + 1) / 5
                let byHeight = segments.sorted { $0.0.1 + $0.1.1 < $1.0.1 + $1.1.1 }
                let seg = byHeight[min(byHeight.count - 1, Int(k * Double(byHeight.count)))]
                labels += String(
                    format:
                        "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" fill=\"%@\" stroke=\"#222\" stroke-width=\"2.5\" paint-order=\"stroke\">%@</text>\n",
                    xs((seg.0.0 + seg.1.0) / 2) + 3, ys((seg.0.1 + seg.1.1) / 2) + 4, contourColour(m), tick(level))
            }
        }
        svg += labels
        for (k, s) in f.series.enumerated() {
            let path = s.x.indices.filter { $0 < s.y.count && xs.accepts(s.x[$0]) && ys.accepts(s.y[$0]) }
                .map { String(format: "%.2f,%.2f", xs(s.x[$0]), ys(s.y[$0])) }
            svg +=
                "<polyline fill=\"none\" stroke=\"\(overlayPalette(m)[k % overlayPalette(m).count])\" stroke-width=\"2.2\"\(dash(s.style)) points=\"\(path.joined(separator: " "))\"/>\n"
        }
        svg += "</g>\n"
        svg += frame(xs, ys, f.x, f.y, grid: false)
        // Colour bar with ticks.
        let cbx = plotRight + 16, plotH = height - top - bottom
        svg += "<g shape-rendering=\"crispEdges\">\n"
        for k in 0..<64 {
            let y0 = top + plotH * (1 - Double(k + 1) / 64)
            svg += String(
                format: "<rect x=\"%.1f\" y=\"%.2f\" width=\"14\" height=\"%.2f\" fill=\"%@\"/>\n", cbx, y0, plotH / 64 + (k == 0 ? 0 : 0.5),
                map((Double(k) + 0.5) / 64))
        }
        svg += "</g>\n"
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n", cbx, top, plotH)
        let barY = { (v: Double) in height - bottom - position(v) * plotH }
        let cb = Scale(lo: zs.lo, hi: zs.hi, log: zs.log, p0: height - bottom, p1: top)
        var barTicks = cb.ticks
        if let c = centre {
            barTicks = Array(Set((zs.lo < c ? ticks(zs.lo, c) : []) + [c] + (zs.hi > c ? ticks(c, zs.hi) : []))).sorted()
        }
        for t in barTicks {
            let yy = centre == nil ? cb(t) : barY(t)
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"#333\"/>\n", cbx + 14, yy, cbx + 18, yy)
            svg += String(format: "<text x=\"%.1f\" y=\"%.2f\" font-size=\"11\">%@</text>\n", cbx + 20, yy + 4, tick(t))
        }
        for level in m.contours where m.contourField == nil && cb.accepts(level) && cb.t(level) >= cb.lo && cb.t(level) <= cb.hi {
            let yy = centre == nil ? cb(level) : barY(level)
            svg += String(
                format: "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"%@\" stroke-width=\"1.2\"/>\n", cbx, yy, cbx + 14, yy,
                contourColour(m))
        }
        svg +=
            "<text transform=\"translate(\(cbx + 68),\(top + plotH / 2)) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">\(MathLabel.svg(m.colour.label))</text>\n"
        if let cf = m.contourField, !m.contours.isEmpty {
            svg += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\" fill=\"#333\">lines: \(MathLabel.svg(cf.label))</text>\n"
        }
        if legend > 0 {
            let lx = w - right - legend + 10
            for (k, s) in f.series.enumerated() {
                let ly = top + 12 + Double(k) * legendRowHeight
                svg += String(
                    format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2.2\"%@/>", lx, ly - 4, lx + 20,
                    ly - 4,
                    overlayPalette(m)[k % overlayPalette(m).count], dash(s.style))
                svg += "<text x=\"\(lx + 26)\" y=\"\(ly)\" font-size=\"12\">\(MathLabel.svg(s.label))</text>\n"
            }
            for (k, e) in contourEntries.enumerated() {
                // The line's sample on the map's colour at its level, where a white line shows as it does on the map.
                let ly = top + 12 + Double(f.series.count + k) * legendRowHeight
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" height=\"10\" fill=\"%@\"/>", lx - 2, ly - 9, colour(e.level))
                svg += String(
                    format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"1.2\"/>", lx, ly - 4, lx + 20,
                    ly - 4, contourColour(m))
                svg += "<text x=\"\(lx + 26)\" y=\"\(ly)\" font-size=\"12\">\(MathLabel.svg(e.label))</text>\n"
            }
        }
        return svg + notes(f, width: w) + "</svg>\n"
    }

    /// Curves over a colour map: colours that show on viridis, or on the diverging map.
    static let overlayColours = ["#ff4f4f", "#ffffff", "#000000", "#ff9f1c"]
    static let divergingOverlayColours = ["#000000", "#6a3d9a", "#1b9e77", "#e6ab02"]

    static func overlayPalette(_ m: Figure.Map?) -> [String] {
        m?.colour.centre != nil && m?.colour.log == false ? divergingOverlayColours : overlayColours
    }

    /// The legend's name of a contour line of the coloured field: "Z_Q^2 = 0".
    static func contourLabel(_ m: Figure.Map, _ level: Double) -> String { "\(m.colour.label) = \(tick(level))" }

    static func contourColour(_ m: Figure.Map) -> String { m.colour.centre != nil && !m.colour.log ? "#222222" : "white" }

    // MARK: Bloch spheres

    /// Elevation of the viewing direction above the equator.
    static let blochElevation = 20.0 * Double.pi / 180

    /// Each sphere seen from slightly above the equator (orthographic): the dipoles' Bloch vectors
    /// (S⊥ cos φ, S⊥ sin φ, S^z)/½ as dots coloured by phase, lighter on the far side.
    static func bloch(_ f: Figure) -> String {
        guard !f.spheres.isEmpty else { return empty(f) }
        let panel = 210.0
        let w = max(width, panel * Double(f.spheres.count) + 40)
        var svg = header(f.title, width: w)
        let r = 82.0, el = blochElevation
        for (k, s) in f.spheres.enumerated() {
            let cx = (w - panel * Double(f.spheres.count)) / 2 + panel * (Double(k) + 0.5), cy = 200.0
            // (x, y, z) on the unit sphere → screen; depth > 0 faces the viewer (who looks from −y).
            let project = { (x: Double, y: Double, z: Double) -> (Double, Double, Double) in
                (cx + r * x, cy - r * (y * sin(el) + z * cos(el)), -y * cos(el) + z * sin(el))
            }
            svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#f7f7fb\" stroke=\"#555\"/>\n", cx, cy, r)
            // The equator: far half dashed.
            for front in [false, true] {
                let pts = stride(from: 0.0, through: Double.pi, by: Double.pi / 48).map { t -> String in
                    let a = front ? Double.pi + t : t
                    let p = project(cos(a), sin(a), 0)
                    return String(format: "%.1f,%.1f", p.0, p.1)
                }
                svg +=
                    "<polyline fill=\"none\" stroke=\"#888\"\(front ? "" : " stroke-dasharray=\"3,3\"") points=\"\(pts.joined(separator: " "))\"/>\n"
            }
            let north = project(0, 0, 1), south = project(0, 0, -1)
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#aaa\"/>\n", north.0, north.1, south.0, south.1)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">|e⟩</text>\n", north.0, north.1 - 6)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">|g⟩</text>\n", south.0, south.1 + 14)
            // Every dipole's phase as a mark on the equator, visible however short its S⊥.
            for (i, phi) in s.phi.enumerated() where phi.isFinite && i < s.perp.count {
                let p = project(1.0 * cos(phi), 1.0 * sin(phi), 0)
                let hue = ((phi / (2 * Double.pi)).truncatingRemainder(dividingBy: 1) + 1).truncatingRemainder(dividingBy: 1) * 360
                svg += String(
                    format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2\" fill=\"none\" stroke=\"hsl(%.0f,75%%,45%%)\" stroke-opacity=\"%.2f\"/>\n", p.0,
                    p.1,
                    hue, p.2 >= 0 ? 0.9 : 0.35)
            }
            // Bloch-vector tips, far ones first so that near ones are drawn over them.
            let dots = s.phi.indices.compactMap { i -> (Double, Double, Double, Double)? in
                guard i < s.perp.count, i < s.sz.count, s.phi[i].isFinite, s.perp[i].isFinite, s.sz[i].isFinite else { return nil }
                let p = project(2 * s.perp[i] * cos(s.phi[i]), 2 * s.perp[i] * sin(s.phi[i]), 2 * s.sz[i])
                return (p.0, p.1, p.2, s.phi[i])
            }.sorted { $0.2 < $1.2 }
            for d in dots {
                let hue = ((d.3 / (2 * Double.pi)).truncatingRemainder(dividingBy: 1) + 1).truncatingRemainder(dividingBy: 1) * 360
                svg += String(
                    format:
                        "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"hsl(%.0f,75%%,45%%)\" fill-opacity=\"%.2f\" stroke=\"#222\" stroke-width=\"0.3\"/>\n",
                    d.0, d.1, hue, d.2 >= 0 ? 0.95 : 0.35)
            }
            let mean = s.sz.filter(\.isFinite).reduce(0, +) / Double(max(1, s.sz.filter(\.isFinite).count))
            svg += "<text x=\"\(cx)\" y=\"\(cy + r + 38)\" font-size=\"12\" text-anchor=\"middle\">\(MathLabel.svg(s.label))</text>\n"
            svg +=
                "<text x=\"\(cx)\" y=\"\(cy + r + 56)\" font-size=\"12\" text-anchor=\"middle\">\(MathLabel.svg("mean S^z = " + String(format: "%.3f", abs(mean) < 5e-4 ? 0 : mean)))</text>\n"
        }
        svg +=
            "<text x=\"\(w / 2)\" y=\"\(height - 12)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">\(MathLabel.svg("dots: each dipole's Bloch vector (S⊥cos φ, S⊥sin φ, S^z)/½; rings on the equator: its phase φ; far side pale"))</text>\n"
        return svg + "</svg>\n"
    }

    // MARK: Parts

    /// The opening of the SVG; `notes` lines of 14 px are added below the standard height.
    static func header(_ title: String, width w: Double = width, notes: Int = 0) -> String {
        let h = Int(height) + 14 * notes
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(h)\" viewBox=\"0 0 \(Int(w)) \(h)\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(w / 2)\" y=\"24\" font-size=\"15\" text-anchor=\"middle\" font-weight=\"bold\">\(MathLabel.svg(title))</text>\n"
    }

    static func empty(_ f: Figure) -> String {
        header(f.title, notes: noteLines(f, width: width).count)
            + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" font-size=\"13\">no finite values to plot</text>\n"
            + notes(f, width: width) + "</svg>\n"
    }

    /// The notes, each broken at spaces into lines that fit the picture's width at their 10 px (a word
    /// longer than a line keeps a line of its own).
    static func noteLines(_ f: Figure, width w: Double) -> [String] {
        let room = w - 16
        return f.notes.flatMap { note -> [String] in
            var lines: [String] = [], line = ""
            for word in note.split(separator: " ") {
                let longer = line.isEmpty ? String(word) : line + " " + word
                if line.isEmpty || plainTextWidth(longer, size: 10) <= room {
                    line = longer
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            return lines + [line]
        }
    }

    static func notes(_ f: Figure, width w: Double) -> String {
        noteLines(f, width: w).enumerated().map { k, n in
            "<text x=\"\(w / 2)\" y=\"\(height + 8 + 14 * Double(k))\" font-size=\"10\" fill=\"#a00\" text-anchor=\"middle\">\(escape(n))</text>\n"
        }.joined()
    }

    static func clip(_ xs: Scale, _ ys: Scale) -> String {
        String(
            format: "<defs><clipPath id=\"plot\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n", xs.p0, ys.p1,
            xs.p1 - xs.p0, ys.p0 - ys.p1)
    }

    /// The plot frame, ticks, grid and axis labels.
    static func frame(_ xs: Scale, _ ys: Scale, _ xAxis: Figure.Axis, _ yAxis: Figure.Axis, grid: Bool) -> String {
        var s = String(
            format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n", xs.p0, ys.p1, xs.p1 - xs.p0,
            ys.p0 - ys.p1)
        for t in xs.ticks {
            let x = xs(t)
            if grid { s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", x, ys.p1, x, ys.p0) }
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x, ys.p0, x, ys.p0 + 5)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%@</text>\n", x, ys.p0 + 18, tick(t))
        }
        for t in ys.ticks {
            let y = ys(t)
            if grid { s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", xs.p0, y, xs.p1, y) }
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", xs.p0 - 5, y, xs.p0, y)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%@</text>\n", xs.p0 - 8, y + 4, tick(t))
        }
        s += "<text x=\"\((xs.p0 + xs.p1) / 2)\" y=\"\(height - 14)\" font-size=\"13\" text-anchor=\"middle\">\(MathLabel.svg(xAxis.label))</text>\n"
        s +=
            "<text transform=\"translate(18,\((ys.p0 + ys.p1) / 2)) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">\(MathLabel.svg(yAxis.label))</text>\n"
        return s
    }

    /// Round tick positions in [a, b]: steps of 1, 2 or 5 × 10ᵏ, about five and at least four ticks.
    static func ticks(_ a: Double, _ b: Double) -> [Double] {
        let span = b - a
        guard span > 0, span.isFinite else { return [a] }
        let raw = span / 5
        let mag = pow(10, floor(log10(raw)))
        let steps = [0.1, 0.2, 0.5, 1, 2, 5, 10].map { $0 * mag }
        var k = steps.firstIndex { $0 >= raw * (1 - 1e-12) } ?? steps.count - 1
        let count = { (step: Double) in floor(b / step + 1e-9) - ceil(a / step - 1e-9) + 1 }
        while k > 0 && count(steps[k]) < 4 { k -= 1 }
        let step = steps[k]
        var out: [Double] = []
        var i = ceil(a / step - 1e-9)
        while i <= floor(b / step + 1e-9) && out.count < 40 {
            let r = i * step   // a whole multiple: no 0.6000000000000001
            out.append(abs(r) < step * 1e-9 ? 0 : Double(String(format: "%.12g", r)) ?? r)
            i += 1
        }
        return out
    }

    /// Ticks on a log axis whose ends are log10(a), log10(b): every decade, with 2× and 5× when the
    /// range spans less than three decades; values, not logarithms.
    static func logTicks(_ a: Double, _ b: Double) -> [Double] {
        guard b > a, a.isFinite, b.isFinite else { return [pow(10, a)] }
        let mantissas: [Double] = b - a < 3 ? (b - a < 1 ? [1, 2, 3, 5] : [1, 2, 5]) : [1]
        var out: [Double] = []
        var k = floor(a)
        while k <= ceil(b) && out.count < 40 {
            for m in mantissas {
                let v = m * pow(10, k)
                let l = log10(v)
                if l >= a - 1e-9 && l <= b + 1e-9 { out.append(Double(String(format: "%.12g", v)) ?? v) }
            }
            k += 1
        }
        if out.count < 2 { return ticks(pow(10, a), pow(10, b)) }
        return out
    }

    /// A swept value in a legend: whole numbers below 10⁷ in full (N = 10000, not 1e+04), others to
    /// four significant digits.
    static func legendValue(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(format: "%.0f", v) }
        return String(format: "%.4g", v)
    }

    static func tick(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A diverging blue–white–red map at t ∈ [0, 1] (white at ½), after the anchors of ColorBrewer's RdBu.
    static func diverging(_ t0: Double) -> String {
        let anchors: [(Double, Double, Double)] = [
            (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (247, 247, 247),
            (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31)
        ]
        return interpolate(anchors, t0)
    }

    static func interpolate(_ anchors: [(Double, Double, Double)], _ t0: Double) -> String {
        let t = min(1, max(0, t0.isFinite ? t0 : 0)) * Double(anchors.count - 1)
        let i = min(Int(t), anchors.count - 2)
        let f = t - Double(i)
        let (a, b) = (anchors[i], anchors[i + 1])
        return String(format: "#%02x%02x%02x", Int(a.0 + (b.0 - a.0) * f), Int(a.1 + (b.1 - a.1) * f), Int(a.2 + (b.2 - a.2) * f))
    }

    /// The viridis colour map at t ∈ [0, 1] (a few anchor colours of matplotlib's map, interpolated).
    static func viridis(_ t0: Double) -> String {
        let anchors: [(Double, Double, Double)] = [
            (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37)
        ]
        return interpolate(anchors, t0)
    }
}

/// Contour lines of a sampled field by marching squares over the cells between sample points.
enum Contour {
    /// Segments ((x, y), (x, y)) where z[i][j] (at x[i], y[j]) crosses `level`; linear interpolation
    /// along cell edges, saddle cells split by the cell's mean.
    static func segments(x: [Double], y: [Double], z: [[Double]], level: Double) -> [((Double, Double), (Double, Double))] {
        guard x.count >= 2, y.count >= 2, z.count >= x.count, z.allSatisfy({ $0.count >= y.count }) else { return [] }
        var out: [((Double, Double), (Double, Double))] = []
        for i in 0..<(x.count - 1) {
            for j in 0..<(y.count - 1) {
                // Corners counter-clockwise: (i,j), (i+1,j), (i+1,j+1), (i,j+1).
                let c = [(x[i], y[j], z[i][j]), (x[i + 1], y[j], z[i + 1][j]), (x[i + 1], y[j + 1], z[i + 1][j + 1]), (x[i], y[j + 1], z[i][j + 1])]
                guard c.allSatisfy({ $0.2.isFinite }) else { continue }
                var crossings: [(Double, Double)] = []
                for e in 0..<4 {
                    let a = c[e], b = c[(e + 1) % 4]
                    if (a.2 < level) != (b.2 < level) {
                        let t = (level - a.2) / (b.2 - a.2)
                        crossings.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
                    }
                }
                if crossings.count == 2 {
                    out.append((crossings[0], crossings[1]))
                } else if crossings.count == 4 {
                    let mean = c.map(\.2).reduce(0, +) / 4
                    // Edges 0-1-2-3; pair so that the cell centre stays on its side.
                    if (mean < level) == (c[0].2 < level) {
                        out.append((crossings[0], crossings[1])); out.append((crossings[2], crossings[3]))
                    } else {
                        out.append((crossings[3], crossings[0])); out.append((crossings[1], crossings[2]))
                    }
                }
            }
        }
        return out
    }
}
