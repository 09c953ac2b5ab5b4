import Foundation
import Results

/// The pictures of `two-time`'s precession tables (docs/physics.md §3.3, the papers' Fig. 4(b)): ν
/// against the partner b and against the bare detuning difference δ_b − δ_a as scatter plots that
/// separate resolvable from unresolvable pairs, the dipoles' own lines, and the histogram of ν over
/// the pairs with one staircase per point on common bins (the panel of the papers).
extension Figures {
    typealias Key = ObservableWriter.Key

    /// The tables these pictures replace in the generic per-table drawing.
    static let precessionTables: Set<String> = [
        Key.nuAgainstPartnerTable, Key.nuAgainstDetuningTable, Key.twoTimeDipolesTable, Key.nuHistogramTable
    ]

    /// One scatter picture of a point's precession table (nil for the histogram, drawn across points).
    static func precession(_ t: ResultTable, name: String) -> Figure? {
        let column = { (c: String) -> [Double]? in t.columns.firstIndex(of: c).map { i in t.rows.map { $0[i] } } }
        /// ν split by `resolvable` (1/0), so the two kinds of pair get their own colour.
        func split(x: [Double], nu: [Double], resolvable: [Double]) -> [Figure.Series] {
            [(true, "ν, resolvable"), (false, "ν, not resolvable (hidden by the lines' width)")].compactMap { r, label in
                let keep = resolvable.indices.filter { (resolvable[$0] == 1) == r }
                return keep.isEmpty ? nil : Figure.Series(label: label, x: keep.map { x[$0] }, y: keep.map { nu[$0] }, style: .points, markers: true)
            }
        }
        switch t.name {
        case Key.nuAgainstPartnerTable:
            guard let b = column("b"), let nu = column("nu"), let d = column("detuning-difference"), let r = column("resolvable") else { return nil }
            var f = Figure(
                name: name, title: "relative precession frequency ν against the partner b", x: Figure.Axis(label: "partner dipole b"),
                y: Figure.Axis(label: "frequency ν/Γ"))
            f.series = split(x: b, nu: nu, resolvable: r) + [Figure.Series(label: "δ_b − δ_a (bare)", x: b, y: d, style: .points, markers: true)]
            return f
        case Key.nuAgainstDetuningTable:
            guard let d = column("detuning-difference"), let nu = column("nu"), let r = column("resolvable") else { return nil }
            var f = Figure(
                name: name, title: "relative precession frequency ν against the bare detuning difference",
                x: Figure.Axis(label: "δ_b − δ_a (Γ)"), y: Figure.Axis(label: "frequency ν/Γ"))
            let ends = [d.filter(\.isFinite).min() ?? 0, d.filter(\.isFinite).max() ?? 0]
            f.series =
                split(x: d, nu: nu, resolvable: r) + [
                    Figure.Series(label: "ν = δ_b − δ_a (no coupling)", x: ends, y: ends, style: .dashed, markers: false)
                ]
            return f
        case Key.twoTimeDipolesTable:
            guard let i = column("dipole"), let delta = column("delta"), let omega = column("omega"), let width = column("width") else { return nil }
            var f = Figure(
                name: name, title: "each dipole's dominant line: frequency and half width", x: Figure.Axis(label: "dipole"),
                y: Figure.Axis(label: "frequency, rate (Γ)"))
            f.series = [
                Figure.Series(label: "bare detuning δ", x: i, y: delta, style: .points, markers: true),
                Figure.Series(label: "line frequency ω", x: i, y: omega, style: .points, markers: true),
                Figure.Series(label: "line half width", x: i, y: width, style: .points, markers: true)
            ]
            return f
        default:
            return nil
        }
    }

    /// The histogram of ν over the pairs, one staircase per point, on bins common to all points:
    /// ⌈√pairs⌉ of them (at most 50) over the range of every point's ν.
    static func precessionHistogram(_ sorted: [PointOutcome]) -> Figure? {
        let perPoint = sorted.compactMap { o -> (label: String, nu: [Double])? in
            guard let t = o.result.tables.first(where: { $0.name == Key.nuAgainstPartnerTable }),
                let i = t.columns.firstIndex(of: "nu")
            else { return nil }
            let name = o.parameters.first.map { "\(label($0.path)) = \(SVGPlot.tick($0.value))" } ?? "ν"
            return (name, t.rows.map { $0[i] }.filter(\.isFinite))
        }
        let all = perPoint.flatMap(\.nu)
        guard !all.isEmpty, let most = perPoint.map(\.nu.count).max() else { return nil }
        let bins = ObservableWriter.NuBins(all, samples: most)
        let (start, width, count) = (bins.start, bins.width, bins.count)
        var f = Figure(
            name: "nu-histogram", title: "histogram of ν over the pairs (bins \(String(format: "%.2g", width)) Γ wide)",
            x: Figure.Axis(label: "frequency ν/Γ"), y: Figure.Axis(label: "pairs"))
        f.series = perPoint.map { p in
            var counts = [Double](repeating: 0, count: count)
            for v in p.nu { counts[bins.index(v)] += 1 }
            // The staircase: up from zero at the first edge, along each bin, down at the last edge.
            var x = [start], y = [0.0]
            for (k, c) in counts.enumerated() {
                x += [start + Double(k) * width, start + Double(k + 1) * width]
                y += [c, c]
            }
            x.append(start + Double(count) * width)
            y.append(0)
            return Figure.Series(label: p.label, x: x, y: y, style: .solid, markers: false)
        }
        return f
    }
}
