import Foundation

/// The data of a figure as CSV and a short matplotlib script that redraws it from that CSV, written
/// beside the SVG (`figures/NAME.csv`, `figures/NAME.py`) so that a user can restyle it.
///
/// The CSV has one row per drawn number, columns `series,x,y,value,error`: curve points
/// (`series` = the curve's label, `error` its standard error or empty), heat-map cells
/// (`series` = `map`, `value` = the colour), the samples of a contoured field of its own
/// (`series` = `contours`, `value` = the field), Bloch-sphere dots (`series` = the sphere's label,
/// x = φ, y = S⊥, value = S^z).
enum FigureExport {
    static let columns = ["series", "x", "y", "value", "error"]
    /// The `series` of a contoured field's samples (`Figure.Map.contourField`).
    static let contourSeries = "contours"

    static func csv(_ f: Figure) -> String {
        var lines = [columns.joined(separator: ",")]
        func num(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "" }
            return String(format: "%.17g", v)
        }
        func row(_ s: String, _ x: Double?, _ y: Double?, _ value: Double?, _ error: Double?) {
            lines.append([quote(MathLabel.plain(s)), num(x), num(y), num(value), num(error)].joined(separator: ","))
        }
        if let m = f.map {
            for i in m.x.indices {
                for j in m.y.indices { row("map", m.x[i], m.y[j], i < m.z.count && j < m.z[i].count ? m.z[i][j] : nil, nil) }
            }
            if let c = m.contourField {
                for i in c.x.indices {
                    for j in c.y.indices { row(contourSeries, c.x[i], c.y[j], i < c.z.count && j < c.z[i].count ? c.z[i][j] : nil, nil) }
                }
            }
        }
        for s in f.series {
            for i in s.x.indices where i < s.y.count {
                row(s.label, s.x[i], s.y[i], nil, s.error.flatMap { i < $0.count ? $0[i] : nil })
            }
        }
        for s in f.spheres {
            for i in s.phi.indices where i < s.perp.count && i < s.sz.count { row(s.label, s.phi[i], s.perp[i], s.sz[i], nil) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A Python string literal.
    static func py(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static func pyNumber(_ v: Double) -> String { v.isFinite ? String(format: "%.17g", v) : "float('nan')" }

    static func pyRange(_ a: Figure.Axis) -> String {
        guard let r = a.range else { return "None" }
        return "(\(pyNumber(r.0)), \(pyNumber(r.1)))"
    }

    /// The matplotlib script: `python3 NAME.py [OUTPUT]` reads NAME.csv beside it and writes OUTPUT
    /// (default NAME.pdf).
    static func python(_ f: Figure) -> String {
        var s = """
            # Redraws \(f.name).svg from \(f.name).csv with matplotlib; restyle freely.
            # Usage: python3 \(f.name).py [output file, default \(f.name).pdf]
            import csv, math, os, sys
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.colors
            import matplotlib.pyplot as plt

            here = os.path.dirname(os.path.abspath(__file__))
            out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "\(f.name).pdf")
            rows = list(csv.DictReader(open(os.path.join(here, "\(f.name).csv"), encoding="utf-8")))

            def num(v):
                return float(v) if v != "" else math.nan

            def series(label):
                r = [row for row in rows if row["series"] == label]
                return [num(q["x"]) for q in r], [num(q["y"]) for q in r], [num(q["value"]) for q in r], [num(q["error"]) for q in r]


            """
        switch f.kind {
        case .lines, .heatMap:
            s += "fig, ax = plt.subplots(figsize=(6.4, 4.2))\n"
            if f.kind == .heatMap, let m = f.map {
                s += """
                    xs = sorted({num(r["x"]) for r in rows if r["series"] == "map"})
                    ys = sorted({num(r["y"]) for r in rows if r["series"] == "map"})
                    z = [[math.nan] * len(xs) for _ in ys]
                    for r in rows:
                        if r["series"] == "map":
                            z[ys.index(num(r["y"]))][xs.index(num(r["x"]))] = num(r["value"])

                    """
                let (lo, hi) = (m.colour.range.map { pyNumber($0.0) } ?? "None", m.colour.range.map { pyNumber($0.1) } ?? "None")
                let norm: String
                if m.colour.log {
                    norm = "matplotlib.colors.LogNorm(vmin=\(lo), vmax=\(hi))"
                } else if let c = m.colour.centre {
                    norm = "matplotlib.colors.TwoSlopeNorm(vcenter=\(pyNumber(c)), vmin=\(lo), vmax=\(hi))"
                } else {
                    norm = "matplotlib.colors.Normalize(vmin=\(lo), vmax=\(hi))"
                }
                let cmap = m.colour.centre != nil && !m.colour.log ? "RdBu_r" : "viridis"
                s += "mesh = ax.pcolormesh(xs, ys, z, shading=\"nearest\", cmap=\"\(cmap)\", norm=\(norm), rasterized=True)\n"
                s +=
                    "if len(xs) > 1 and len(ys) > 1:\n    ax.set_xlim(xs[0], xs[-1])\n    ax.set_ylim(ys[0], ys[-1])   # the swept range, as the SVG\n"
                s += "fig.colorbar(mesh, ax=ax, label=\(py(MathLabel.matplotlib(m.colour.label))))\n"
                if let c = m.contourField, !m.contours.isEmpty {
                    s += """
                        cx = sorted({num(r["x"]) for r in rows if r["series"] == "\(contourSeries)"})
                        cy = sorted({num(r["y"]) for r in rows if r["series"] == "\(contourSeries)"})
                        cz = [[math.nan] * len(cx) for _ in cy]
                        for r in rows:
                            if r["series"] == "\(contourSeries)":
                                cz[cy.index(num(r["y"]))][cx.index(num(r["x"]))] = num(r["value"])
                        cs = ax.contour(cx, cy, cz, levels=[\(m.contours.sorted().map(pyNumber).joined(separator: ", "))], colors="\(SVGPlot.contourColour(m))", linewidths=1)
                        ax.clabel(cs, fontsize=8)
                        ax.text(0, -0.16, \(py("lines: " + MathLabel.matplotlib(c.label))), transform=ax.transAxes, fontsize=8)

                        """
                } else if !m.contours.isEmpty {
                    s +=
                        "cs = ax.contour(xs, ys, z, levels=[\(m.contours.sorted().map(pyNumber).joined(separator: ", "))], colors=\"\(SVGPlot.contourColour(m))\", linewidths=1)\n"
                    s += "ax.clabel(cs, fontsize=8)\n"
                }
            }
            let colours = f.kind == .heatMap ? SVGPlot.overlayPalette(f.map) : SVGPlot.palette
            for (k, c) in f.series.enumerated() {
                let style: String
                switch c.style {
                case .solid: style = "\"-\""
                case .dashed: style = "\"--\""
                case .dotted: style = "\":\""
                case .points: style = "\"o\""
                }
                let marker = f.kind == .lines && c.style == .solid && (c.markers ?? (c.x.count <= 80)) ? ", marker=\"o\", markersize=3" : ""
                s += "x, y, _, e = series(\(py(MathLabel.plain(c.label))))\n"
                s += "ax.plot(x, y, \(style), color=\"\(colours[k % colours.count])\"\(marker), label=\(py(MathLabel.matplotlib(c.label))))\n"
                if c.error != nil {
                    s +=
                        "ax.fill_between(x, [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)], color=\"\(colours[k % colours.count])\", alpha=0.22, linewidth=0)\n"
                }
            }
            for r in f.references {
                let call = r.direction == .horizontal ? "axhline" : "axvline"
                s +=
                    "ax.\(call)(\(pyNumber(r.value)), color=\"\(r.colour.map { colours[$0 % colours.count] } ?? "#444")\", linestyle=\"--\", linewidth=1.2\(r.label.isEmpty ? "" : ", label=" + py(MathLabel.matplotlib(r.label))))\n"
            }
            if f.x.log { s += "ax.set_xscale(\"log\")\n" }
            if f.y.log { s += "ax.set_yscale(\"log\")\n" }
            if f.x.range != nil { s += "ax.set_xlim(\(pyRange(f.x)))\n" }
            if f.y.range != nil { s += "ax.set_ylim(\(pyRange(f.y)))\n" }
            s += "ax.set_xlabel(\(py(MathLabel.matplotlib(f.x.label))))\n"
            s += "ax.set_ylabel(\(py(MathLabel.matplotlib(f.y.label))))\n"
            if f.series.count + f.references.filter({ !$0.label.isEmpty }).count > 1 || (f.kind == .heatMap && !f.series.isEmpty) {
                s +=
                    f.kind == .heatMap
                    ? "ax.legend(loc=\"best\", fontsize=8)\n"
                    : "ax.legend(loc=\"upper left\", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=9)\n"
            }
        case .bloch:
            s += """
                labels = list(dict.fromkeys(r["series"] for r in rows))
                fig = plt.figure(figsize=(3 * max(1, len(labels)), 3.4))
                for k, label in enumerate(labels):
                    ax = fig.add_subplot(1, len(labels), k + 1, projection="3d")
                    phi, perp, sz, _ = series(label)
                    u = [i * math.pi / 24 for i in range(49)]
                    ax.plot([math.cos(t) for t in u], [math.sin(t) for t in u], [0] * 49, color="#888", linewidth=0.8)
                    ax.plot([0, 0], [0, 0], [-1, 1], color="#aaa", linewidth=0.8)
                    ax.scatter([2 * p * math.cos(a) for p, a in zip(perp, phi)], [2 * p * math.sin(a) for p, a in zip(perp, phi)],
                               [2 * z for z in sz], c=[(a / (2 * math.pi)) % 1 for a in phi], cmap="hsv", vmin=0, vmax=1, s=8)
                    ax.scatter([math.cos(a) for a in phi], [math.sin(a) for a in phi], [0] * len(phi), facecolors="none",
                               edgecolors=[matplotlib.cm.hsv((a / (2 * math.pi)) % 1) for a in phi], s=6, linewidths=0.6)
                    ax.set_xlim(-1, 1); ax.set_ylim(-1, 1); ax.set_zlim(-1, 1)
                    ax.set_box_aspect((1, 1, 1))
                    ax.view_init(elev=20, azim=-90)
                    ax.set_axis_off()
                    ax.set_title(label + "\\n" + r"mean $S^z$ = %.3g" % (sum(sz) / max(1, len(sz))), fontsize=9)

                """
        }
        if f.kind != .bloch { s += "ax.set_title(\(py(MathLabel.matplotlib(f.title))), fontsize=10)\n" }
        s += "fig.tight_layout()\nfig.savefig(out)\n"
        return s
    }
}
