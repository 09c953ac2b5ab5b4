import Foundation
import Physics
import SpecLanguage

/// The pictures of a bundle: a line plot per scalar observable for a 1-D sweep, a heat map for a 2-D
/// sweep (or a family of curves when one of its two axes has at most `familyLimit` values), cluster
/// order over (parameter, d), and each point's own curves (time series, spectra, two-time
/// correlations, phase snapshots) when there are few points. In line plots, an observable `X` with a
/// standard error `X-stderr` (trajectory methods) is drawn with ±1 error bars instead of a plot of its
/// own; heat maps show the errors as maps of their own.
public enum Figures {
    static let familyLimit = 6

    /// The observables drawn: every scalar of the results, then the numbers inside an observable's
    /// object, named `observable.field` (`spectrum.linewidth`, `spectrum.peak-frequency`).
    static func plotKeys(_ outcomes: [PointOutcome]) -> [String] {
        var keys = ResultsDocument.scalarKeys(outcomes)
        for o in outcomes {
            for (k, v) in o.result.values {
                guard case .object(let fields) = v else { continue }
                for (f, x) in fields where x.number != nil && !keys.contains(k + "." + f) { keys.append(k + "." + f) }
            }
        }
        return keys
    }

    /// The value of a key of `plotKeys` at one point.
    static func value(_ key: String, _ o: PointOutcome) -> Double? {
        if let x = o.result.number(key) { return x }
        guard let dot = key.firstIndex(of: "."), case .object(let fields)? = o.result[String(key[..<dot])] else { return nil }
        let f = String(key[key.index(after: dot)...])
        return fields.first { $0.0 == f }?.1.number
    }

    public static func make(spec: ExperimentSpec, outcomes: [PointOutcome]) -> [(path: String, svg: String)] {
        let sorted = outcomes.sorted { $0.index < $1.index }
        var out: [(String, String)] = []
        let allKeys = plotKeys(sorted)
        let keys = allKeys.filter { !($0.hasSuffix("-stderr") && allKeys.contains(String($0.dropLast("-stderr".count)))) }
        let errors = { (k: String, points: [PointOutcome]) -> [Double]? in
            allKeys.contains(k + "-stderr") ? points.map { value(k + "-stderr", $0) ?? .nan } : nil
        }
        let axes = spec.sweep?.axes ?? []
        let logAxis = { (a: SweepAxis) -> Bool in
            let v = a.values.filter { $0 > 0 }
            guard v.count == a.values.count, v.count >= 3, let lo = v.min(), let hi = v.max(), lo > 0 else { return false }
            // Equal ratios between neighbours: a logarithmic range.
            let r = v[1] / v[0]
            return hi / lo > 20 && v.indices.dropFirst().allSatisfy { abs(v[$0] / v[$0 - 1] - r) < 1e-6 * r }
        }
        if axes.count == 1 || spec.sweep?.mode == .zip, let a = axes.first {
            for k in keys {
                let xs = sorted.map { $0.parameters.first?.value ?? .nan }
                let ys = sorted.map { value(k, $0) ?? .nan }
                out.append(
                    (
                        "figures/\(ResultsDocument.fileName(k)).svg",
                        SVGPlot.line(
                            title: "\(k) versus \(label(a.path))", xLabel: label(a.path), yLabel: k,
                            series: [SVGPlot.Series(label: k, x: xs, y: ys, error: errors(k, sorted))],
                            logX: logAxis(a))
                    ))
            }
            if let opt = spec.optimize, sorted.contains(where: { $0.optimum != nil }) {
                let xs = sorted.map { $0.parameters.first?.value ?? .nan }
                let ys = sorted.map { $0.optimum?.value ?? .nan }
                out.append(
                    (
                        "figures/optimum.svg",
                        SVGPlot.line(
                            title: "optimal \(label(opt.over))", xLabel: label(a.path), yLabel: label(opt.over),
                            series: [SVGPlot.Series(label: "optimum", x: xs, y: ys)], logX: logAxis(a))
                    ))
            }
        } else if axes.count == 2, spec.sweep?.mode == .grid,
            min(axes[0].values.count, axes[1].values.count) <= familyLimit,
            max(axes[0].values.count, axes[1].values.count) > familyLimit
        {
            // A family of curves: x along the long axis, one curve per value of the short one.
            let shortFirst = axes[0].values.count <= axes[1].values.count
            let (curve, along) = shortFirst ? (axes[0], axes[1]) : (axes[1], axes[0])
            for k in keys {
                let series = curve.values.indices.map { c -> SVGPlot.Series in
                    let members = along.values.indices.compactMap { a -> PointOutcome? in
                        let index = shortFirst ? c * along.values.count + a : a * curve.values.count + c
                        return sorted.first { $0.index == index }
                    }
                    return SVGPlot.Series(
                        label: "\(label(curve.path)) = \(SVGPlot.tick(curve.values[c]))",
                        x: members.map { m in m.parameters.first { $0.path == along.path }?.value ?? .nan },
                        y: members.map { value(k, $0) ?? .nan }, error: errors(k, members))
                }
                out.append(
                    (
                        "figures/\(ResultsDocument.fileName(k)).svg",
                        SVGPlot.line(
                            title: "\(k) versus \(label(along.path))", xLabel: label(along.path), yLabel: k,
                            series: series, logX: logAxis(along))
                    ))
            }
        } else if axes.count >= 2, spec.sweep?.mode == .grid {
            let (ax, ay) = (axes[0], axes[1])
            let rest = axes.count > 2 ? " (first values of the other axes)" : ""
            let restCount = axes.dropFirst(2).reduce(1) { $0 * $1.values.count }
            for k in allKeys {   // a heat map has no error bars: errors get maps of their own
                var z = [[Double]](repeating: [Double](repeating: .nan, count: ay.values.count), count: ax.values.count)
                for o in sorted {
                    let i = o.index / (ay.values.count * restCount)
                    let j = (o.index / restCount) % ay.values.count
                    if o.index % restCount == 0 && i < ax.values.count { z[i][j] = value(k, o) ?? .nan }
                }
                out.append(
                    (
                        "figures/\(ResultsDocument.fileName(k)).svg",
                        SVGPlot.heatMap(
                            title: "\(k) over \(label(ax.path)) × \(label(ay.path))\(rest)", xLabel: label(ax.path),
                            yLabel: label(ay.path), zLabel: k, x: ax.values, y: ay.values, z: z,
                            logX: logAxis(ax), logY: logAxis(ay))
                    ))
            }
        }
        // Cluster order: Z_Q^d over (parameter, d), or against d alone.
        let clusters = sorted.map { o -> [(Double, Double)] in
            guard case .array(let items)? = o.result["cluster-ZQ"] else { return [] }
            return items.compactMap { item in
                guard case .object(let kv) = item else { return nil }
                let d = kv.first { $0.0 == "d" }?.1.number, z = kv.first { $0.0 == "ZQ" }?.1.number
                return d.flatMap { d in z.map { (d, $0) } }
            }
        }
        if let first = clusters.first, !first.isEmpty {
            if axes.count == 1, let a = axes.first, sorted.count > 1 {
                let ds = first.map(\.0)
                let z = clusters.map { c in ds.map { d in c.first { $0.0 == d }?.1 ?? .nan } }
                out.append(
                    (
                        "figures/cluster-ZQ.svg",
                        SVGPlot.heatMap(
                            title: "cluster order Z_Q^d", xLabel: label(a.path), yLabel: "cluster size d",
                            zLabel: "Z_Q^d", x: a.values, y: ds, z: z, logX: logAxis(a))
                    ))
            } else {
                out.append(
                    (
                        "figures/cluster-ZQ.svg",
                        SVGPlot.line(
                            title: "cluster order Z_Q^d", xLabel: "cluster size d", yLabel: "Z_Q^d",
                            series: [SVGPlot.Series(label: "Z_Q^d", x: first.map(\.0), y: first.map(\.1))])
                    ))
            }
        }
        // Each point's own curves, for a handful of points.
        guard sorted.count <= 8 else { return out }
        for o in sorted {
            let prefix = sorted.count == 1 ? "figures/" : String(format: "figures/point-%04d-", o.index)
            for t in o.result.tables {
                let name = ResultsDocument.fileName(t.name)
                let col = { (c: String) -> [Double]? in t.columns.firstIndex(of: c).map { i in t.rows.map { $0[i] } } }
                if t.name == "phases", let phi = col("phi"), let sp = col("S-perp") {
                    out.append((prefix + "phases.svg", SVGPlot.phases(title: "mean-field phases", phi: phi, length: sp)))
                } else if t.name == "correlations" {
                    continue   // an N² table; the numbers are in tables/
                } else if t.columns.count >= 2, t.rows.count >= 2 {
                    let x = t.rows.map { $0[0] }
                    let series = t.columns.indices.dropFirst().prefix(6).map { i in
                        SVGPlot.Series(label: t.columns[i], x: x, y: t.rows.map { $0[i] })
                    }
                    out.append(
                        (
                            prefix + name + ".svg",
                            SVGPlot.line(
                                title: t.name, xLabel: t.columns[0], yLabel: t.columns.count == 2 ? t.columns[1] : "value",
                                series: Array(series))
                        ))
                }
            }
        }
        return out
    }

    /// An axis label for a spec path in canonical units.
    static func label(_ path: String) -> String {
        let known: [String: String] = [
            "system.pump.rate": "pump rate W/Γ",
            "system.lattice.spacing": "spacing a/λ",
            "system.lattice.sites": "number of dipoles N",
            "system.couplings.uniform.feff": "f_eff/Γ",
            "system.couplings.uniform.geff": "g_eff/Γ",
            "system.couplings.power-law.alpha": "exponent α",
            "system.couplings.power-law.strength": "strength A/Γ",
            "system.polarization.angle": "polarization angle θ (rad)",
            "system.detuning.uniform.width": "detuning width/Γ",
            "system.detuning.lorentzian.hwhm": "Lorentzian HWHM Δ/Γ",
            "system.detuning.gaussian.sigma": "Gaussian σ/Γ"
        ]
        return known[path] ?? path
    }
}
