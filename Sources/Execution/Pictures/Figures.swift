import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import StandardBackends

/// The pictures of a bundle. With a `figures:` section, exactly the panels it declares
/// (docs/spec-language.md §12); without one, automatic pictures: a line plot per scalar observable
/// for a 1-D sweep, a heat map for a 2-D sweep (or a family of curves when one of its two axes has
/// at most `familyLimit` values), cluster order over (parameter, d), Bloch spheres of the
/// mean-field phases, and each point's own curves (time series, spectra, two-time correlations)
/// when there are few points. An observable `X` with a standard error `X-stderr` (trajectory
/// methods) is drawn with a shaded ±1σ band instead of a plot of its own; heat maps show the errors
/// as maps of their own. Every picture comes with its data (CSV) and a matplotlib script.
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

    /// The ±1σ band of a value that reads one key with an uncertainty in the results (`KEY-stderr`, or a
    /// fit's `FIELD-err` beside `OBSERVABLE.FIELD`), propagated to first order point by point:
    /// σ_f = |f(k + σ) − f(k − σ)|/2 (`1 / two-time.gamma-slow` carries the fit's error of γ_slow). Nil for
    /// values of several keys or with `max`/`min` (which mix the points), and where no point has one.
    static func propagatedError(_ e: FigureExpression, _ members: [PointOutcome]) -> [Double]? {
        let keys = Set(e.keys)
        guard keys.count == 1, let key = keys.first, !e.usesAggregate else { return nil }
        let candidates = [ObservableWriter.Key.standardError(key)] + (key.contains(".") ? [key + "-err"] : [])
        guard let errorKey = candidates.first(where: { k in members.contains { value(k, $0) != nil } }) else { return nil }
        let k = members.map { value(key, $0) ?? .nan }, sigma = members.map { value(errorKey, $0) ?? .nan }
        if case .key = e { return sigma }
        let up = e.evaluate(count: members.count) { _ in zip(k, sigma).map { $0 + $1 } }
        let down = e.evaluate(count: members.count) { _ in zip(k, sigma).map { $0 - $1 } }
        return zip(up, down).map { abs($0 - $1) / 2 }
    }

    /// The value of a key of `plotKeys` (or of a figure expression) at one point: a scalar, or
    /// `observable.field` inside an observable's object, or inside the first entry of its list (the
    /// first pair of `two-time`, as `mutual-information` is the first pair's), or one cluster's Z_Q^d
    /// (`cluster-ZQ.d450`).
    static func value(_ key: String, _ o: PointOutcome) -> Double? {
        if let x = o.result.number(key) { return x }
        if key == FigureSpec.optimumKey { return o.optimum?.value }
        if let d = ObservableWriter.Key.clusterSize(ofKey: key) {
            return clusterOrder(o).first { $0.d == Double(d) }?.zq
        }
        if let swept = o.parameters.first(where: { $0.path == key }) { return swept.value }
        guard let dot = key.firstIndex(of: ".") else { return nil }
        let f = String(key[key.index(after: dot)...])
        switch o.result[String(key[..<dot])] {
        case .object(let fields)?: return fields.first { $0.0 == f }?.1.number
        case .array(let entries)?:
            guard case .object(let fields)? = entries.first else { return nil }
            return fields.first { $0.0 == f }?.1.number
        default: return nil
        }
    }

    /// The pictures drawn, as SVG text by bundle path (`figures/NAME.svg`).
    public static func make(spec: ExperimentSpec, outcomes: [PointOutcome]) -> [(path: String, svg: String)] {
        figures(spec: spec, outcomes: outcomes).map { ($0.svgPath, SVGPlot.render($0)) }
    }

    /// Every file of the pictures: for each figure its SVG, its data (CSV) and a matplotlib script.
    public static func files(_ figures: [Figure]) -> [(path: String, data: Data)] {
        figures.flatMap { f -> [(path: String, data: Data)] in
            [
                (f.svgPath, Data(SVGPlot.render(f).utf8)),
                ("figures/\(f.name).csv", Data(FigureExport.csv(f).utf8)),
                ("figures/\(f.name).py", Data(FigureExport.python(f).utf8))
            ]
        }
    }

    /// The figures of a bundle: the spec's `figures:` when it has them, else the automatic ones.
    /// `bundles` finds the results of another bundle for a series with `from:` (by default from disk).
    public static func figures(
        spec: ExperimentSpec, outcomes: [PointOutcome],
        bundles: (FigureSpec.Source) -> Result<[PointOutcome], FigureSourceError> = ReferencedBundles.load
    ) -> [Figure] {
        let sorted = outcomes.sorted { $0.index < $1.index }
        if !spec.figures.isEmpty {
            return spec.figures.map { declared($0, spec: spec, outcomes: sorted, bundles: bundles) }
        }
        return automatic(spec: spec, outcomes: sorted)
    }

    // MARK: Declared figures

    static func declared(
        _ d: FigureSpec, spec: ExperimentSpec, outcomes: [PointOutcome],
        bundles: (FigureSpec.Source) -> Result<[PointOutcome], FigureSourceError>
    ) -> Figure {
        let axes = spec.sweep?.axes ?? []
        func axis(_ a: FigureSpec.Axis, fallback: String) -> Figure.Axis {
            Figure.Axis(label: a.label ?? fallback, log: a.log, range: a.range.map { ($0[0], $0[1]) }, centre: a.centre)
        }
        // Swept values as drawn (`unit: deg`).
        func drawn(_ a: FigureSpec.Axis, _ v: [Double]) -> [Double] { a.factor == 1 ? v : v.map { $0 * a.factor } }
        switch d.kind {
        case .bloch:
            var f = Figure(
                name: d.name, title: d.title ?? "Bloch vectors of the dipoles", kind: .bloch, x: axis(d.x, fallback: ""), y: axis(d.y, fallback: ""))
            f.spheres = spheres(spec: spec, outcomes: outcomes)
            return f
        case .heatMap where d.y.path == FigureSpec.clusterSizeAxis:
            return clusterMap(d, spec: spec, outcomes: outcomes, axis: axis, drawn: drawn)
        case .heatMap:
            guard let xp = d.x.path, let yp = d.y.path, let value = d.value,
                let ax = axes.first(where: { $0.path == xp }), let ay = axes.first(where: { $0.path == yp })
            else { return Figure(name: d.name, title: d.title ?? d.name, x: axis(d.x, fallback: ""), y: axis(d.y, fallback: "")) }
            let members = outcomes.filter { o in atFirstValues(o, except: [xp, yp], axes: axes) }
            let v = value.evaluate(count: members.count) { k in members.map { Self.value(k, $0) ?? .nan } }
            var z = [[Double]](repeating: [Double](repeating: .nan, count: ay.values.count), count: ax.values.count)
            for (m, o) in members.enumerated() {
                guard let x = parameter(o, xp), let y = parameter(o, yp), let i = ax.values.firstIndex(of: x), let j = ay.values.firstIndex(of: y)
                else {
                    continue
                }
                z[i][j] = v[m]
            }
            var f = Figure(
                name: d.name, title: d.title ?? "\(valueLabel(value)) over \(label(xp)) × \(label(yp))", kind: .heatMap,
                x: axis(d.x, fallback: label(xp)), y: axis(d.y, fallback: label(yp)))
            f.map = Figure.Map(
                x: drawn(d.x, ax.values), y: drawn(d.y, ay.values), z: z, colour: axis(d.colour, fallback: valueLabel(value)),
                contours: d.contours.levels)
            if let cv = d.contours.value {
                f.map?.contourField = contourField(
                    cv, label: d.contours.label ?? valueLabel(cv), figure: d, x: (xp, ax.values), y: (yp, ay.values), members: members,
                    spec: spec)
            }
            for s in d.series {
                // Curves over a map: the value against x, drawn in the map's y units.
                f.series += curves(s, figure: d, spec: spec, outcomes: outcomes, bundles: bundles, notes: &f.notes)
            }
            f.series += d.overlays.compactMap { overlay($0, x: xp, y: yp, xValues: ax.values, log: d.x.log, spec: spec) }
            f.references = references(d)
            f.notes += f.map.map(contourNotes) ?? []
            return f
        case .lines:
            let xp = d.x.path ?? ""
            let title = d.title ?? "\(d.series.map { $0.label ?? valueLabel($0.value) }.joined(separator: ", ")) versus \(label(xp))"
            let yLabel = d.series.count == 1 ? (d.series[0].label ?? valueLabel(d.series[0].value)) : "value"
            var f = Figure(name: d.name, title: title, kind: .lines, x: axis(d.x, fallback: label(xp)), y: axis(d.y, fallback: yLabel))
            // Where the curves of each source begin, so that an overlay of several systems takes their colours.
            var firstCurve: [(source: FigureSpec.Source, series: Int)] = []
            for s in d.series {
                let before = f.series.count
                f.series += curves(s, figure: d, spec: spec, outcomes: outcomes, bundles: bundles, notes: &f.notes)
                if f.series.count > before, !firstCurve.contains(where: { $0.source == s.source }) { firstCurve.append((s.source, before)) }
            }
            f.references = references(d) + d.overlays.flatMap { lineOverlay($0, spec: spec, sources: firstCurve, notes: &f.notes) }
            return f
        }
    }

    /// The cluster order Z_Q^d of each point as (d, Z_Q^d), in the order written (docs/physics.md §3.2).
    static func clusterOrder(_ o: PointOutcome) -> [(d: Double, zq: Double)] {
        guard case .array(let items)? = o.result[ObservableWriter.Key.clusterZQ] else { return [] }
        return items.compactMap { item in
            guard case .object(let kv) = item else { return nil }
            let d = kv.first { $0.0 == "d" }?.1.number, z = kv.first { $0.0 == "ZQ" }?.1.number
            return d.flatMap { d in z.map { (d, $0) } }
        }
    }

    /// A heat map over (swept x, cluster size d) (`y: {axis: cluster-size}`, docs/spec-language.md §12): the
    /// value at (x, d) evaluated with `cluster-ZQ` = Z_Q^d and every other key the point's own number; other
    /// swept paths at their first values. The d values are those of the first point drawn.
    static func clusterMap(
        _ d: FigureSpec, spec: ExperimentSpec, outcomes: [PointOutcome], axis: (FigureSpec.Axis, String) -> Figure.Axis,
        drawn: (FigureSpec.Axis, [Double]) -> [Double]
    ) -> Figure {
        let axes = spec.sweep?.axes ?? []
        guard let xp = d.x.path, let value = d.value, let ax = axes.first(where: { $0.path == xp }) else {
            return Figure(name: d.name, title: d.title ?? d.name, x: axis(d.x, ""), y: axis(d.y, ""))
        }
        // Paths zipped with x move along it; any other path is held at its first value.
        let free = [xp] + axes.map(\.path).filter { $0 != xp && determined($0, by: xp, in: outcomes) }
        let members = outcomes.filter { o in parameter(o, xp) != nil && atFirstValues(o, except: free, axes: axes) }
        let xs = ax.values
        let orders = members.map(clusterOrder)
        let ds = orders.first { !$0.isEmpty }?.map(\.d) ?? []
        // Flattened (member, d) cells, d fastest.
        let count = members.count * ds.count
        let v = value.evaluate(count: count) { k in
            if k == ObservableWriter.Key.clusterZQ {
                return orders.flatMap { o in ds.map { dv in o.first { $0.d == dv }?.zq ?? .nan } }
            }
            return members.flatMap { o in Array(repeating: Self.value(k, o) ?? .nan, count: ds.count) }
        }
        var z = [[Double]](repeating: [Double](repeating: .nan, count: ds.count), count: xs.count)
        for (m, o) in members.enumerated() {
            guard let x = parameter(o, xp), let i = xs.firstIndex(of: x) else { continue }
            for j in ds.indices { z[i][j] = v[m * ds.count + j] }
        }
        var f = Figure(
            name: d.name, title: d.title ?? "\(valueLabel(value)) over \(label(xp)) × cluster size d", kind: .heatMap,
            x: axis(d.x, label(xp)), y: axis(d.y, "cluster size d"))
        f.map = Figure.Map(x: drawn(d.x, xs), y: ds, z: z, colour: axis(d.colour, valueLabel(value)), contours: d.contours.levels)
        f.references = references(d)
        f.notes += f.map.map(contourNotes) ?? []
        return f
    }

    /// Samples per axis of a contoured geometry quantity (`FigureGeometry`), smooth where the sweep is coarse.
    static let geometrySamples = 121

    /// The field of `contours: {value: …}` in drawn units: a value of geometry keys only on a fine grid
    /// over the map (log-spaced on a log axis), any other at the map's points.
    static func contourField(
        _ value: FigureExpression, label: String, figure d: FigureSpec, x: (path: String, values: [Double]),
        y: (path: String, values: [Double]), members: [PointOutcome], spec: ExperimentSpec
    ) -> Figure.Field {
        let geometryOnly = value.keys.allSatisfy(FigureGeometry.keys.contains)
        func samples(_ v: [Double], log: Bool) -> [Double] {
            guard geometryOnly, let lo = v.min(), let hi = v.max(), hi > lo else { return v }
            let n = geometrySamples
            return (0..<n).map { k in
                let t = Double(k) / Double(n - 1)
                return log && lo > 0 ? lo * pow(hi / lo, t) : lo + (hi - lo) * t
            }
        }
        let xs = samples(x.values, log: d.x.log), ys = samples(y.values, log: d.y.log)
        var flat: [Double]
        if geometryOnly {
            let systems = xs.flatMap { xv in
                ys.map { yv in
                    FigureGeometry.system(FigureGeometry.system(spec.system, setting: x.path, to: xv), setting: y.path, to: yv)
                }
            }
            flat = value.evaluate(count: systems.count) { k in systems.map { FigureGeometry.value(k, $0) ?? .nan } }
        } else {
            // At the sweep points; a geometry key in a mixed value is the point's own.
            flat = [Double](repeating: .nan, count: xs.count * ys.count)
            let v = value.evaluate(count: members.count) { k in
                members.map { o in
                    if FigureGeometry.keys.contains(k) {
                        let s = o.parameters.reduce(spec.system) { FigureGeometry.system($0, setting: $1.path, to: $1.value) }
                        return FigureGeometry.value(k, s) ?? .nan
                    }
                    return Self.value(k, o) ?? .nan
                }
            }
            for (m, o) in members.enumerated() {
                guard let px = parameter(o, x.path), let py = parameter(o, y.path), let i = xs.firstIndex(of: px), let j = ys.firstIndex(of: py)
                else { continue }
                flat[i * ys.count + j] = v[m]
            }
        }
        let z = xs.indices.map { i in Array(flat[(i * ys.count)..<((i + 1) * ys.count)]) }
        return Figure.Field(x: xs.map { $0 * d.x.factor }, y: ys.map { $0 * d.y.factor }, z: z, label: label)
    }

    /// An analytic overlay of a `lines` figure, as vertical lines: the mean-field end of synchronization
    /// γ_φ = F/2 − √(2F(Γ + γ_nr)) where it is positive, for every f_eff of the systems drawn: each
    /// swept f_eff of an all-to-all spec, else the f_eff of its couplings, that of the uniform state of a
    /// lattice (docs/physics.md §2.4, §4.5, §4.6; the spec checker allows it only over
    /// x = system.dephasing.rate, with the couplings fixed). With curves from several specs, each
    /// system's line takes the colour of its first curve.
    static func lineOverlay(
        _ o: FigureSpec.Overlay, spec: ExperimentSpec, sources: [(source: FigureSpec.Source, series: Int)], notes: inout [String]
    ) -> [Figure.ReferenceLine] {
        switch o {
        case .meanFieldBoundary: return []
        case .meanFieldDephasingThreshold:
            let drawn = sources.isEmpty ? [(source: FigureSpec.Source.this, series: 0)] : sources
            return drawn.flatMap { source, series -> [Figure.ReferenceLine] in
                guard let system = source == .this ? spec : ReferencedBundles.spec(source) else { return [] }
                if let changing = FigureSpec.thresholdChangingPath(system) {
                    notes.append("no mean-field end for \(system.name): '\(changing)' changes the couplings from point to point")
                    return []
                }
                let swept = system.sweep?.axes.first { $0.path == FigureSpec.Swept.feff }?.values
                return (swept ?? [ModelBuilder.effectiveCoupling(system.system)]).compactMap { f in
                    AnalyticCurves.meanFieldLargestDephasing(feff: f, nonradiative: system.system.nonradiativeDecay).map {
                        Figure.ReferenceLine(
                            direction: .vertical, value: $0, label: "mean-field end, f_{eff} = \(String(format: "%.3g", f)) Γ",
                            colour: drawn.count > 1 ? series : nil)
                    }
                }
            }
        }
    }

    static func references(_ d: FigureSpec) -> [Figure.ReferenceLine] {
        d.references.map { Figure.ReferenceLine(direction: $0.horizontal ? .horizontal : .vertical, value: $0.value, label: $0.label) }
    }

    static func parameter(_ o: PointOutcome, _ path: String) -> Double? { o.parameters.first { $0.path == path }?.value }

    /// Whether the value of `path` is a function of the value of `x` over `points` (a `zip` partner of
    /// x, or a constant).
    static func determined(_ path: String, by x: String, in points: [PointOutcome]) -> Bool {
        var seen: [Double: Double] = [:]
        for o in points {
            guard let xv = parameter(o, x), let v = parameter(o, path) else { return false }
            if let before = seen.updateValue(v, forKey: xv), before != v { return false }
        }
        return true
    }

    /// Whether the point sits at the first value of every swept axis other than `except`.
    static func atFirstValues(_ o: PointOutcome, except: [String], axes: [SweepAxis]) -> Bool {
        axes.allSatisfy { a in except.contains(a.path) || parameter(o, a.path) == a.values.first }
    }

    /// The curves of one series: one per value of the figure's `curves` path (this bundle), or per
    /// value of the other swept path of a referenced bundle; other paths at their first values.
    static func curves(
        _ s: FigureSpec.Series, figure d: FigureSpec, spec: ExperimentSpec, outcomes: [PointOutcome],
        bundles: (FigureSpec.Source) -> Result<[PointOutcome], FigureSourceError>, notes: inout [String]
    ) -> [Figure.Series] {
        let xp = d.x.path ?? ""
        let points: [PointOutcome]
        if s.source == .this {
            points = outcomes
        } else {
            switch bundles(s.source) {
            case .success(let p): points = p
            case .failure(let e):
                notes.append("\(s.label ?? s.value.text): \(e.reason)")
                return []
            }
        }
        // The paths of these points other than x that x does not determine (a path zipped with x moves
        // along the curve): the first groups the curves, the rest are fixed.
        let paths = (points.first?.parameters.map(\.path) ?? []).filter { $0 != xp && !determined($0, by: xp, in: points) }
        let group = s.source == .this ? d.curves : paths.first
        let fixed = paths.filter { $0 != group }
        let firsts = Dictionary(fixed.map { p in (p, points.compactMap { parameter($0, p) }.first ?? .nan) }, uniquingKeysWith: { a, _ in a })
        let kept = points.filter { o in fixed.allSatisfy { parameter(o, $0) == firsts[$0] } }
        var groupValues: [Double?] = [nil]
        if let g = group {
            var seen: [Double] = []
            for o in kept { if let v = parameter(o, g), !seen.contains(v) { seen.append(v) } }
            groupValues = seen
        }
        let base = s.label ?? valueLabel(s.value)
        let drawn = groupValues.map { gv -> Figure.Series in
            let members = kept.filter { o in gv == nil || group.map { parameter(o, $0) } == gv }.sorted {
                (parameter($0, xp) ?? 0) < (parameter($1, xp) ?? 0)
            }
            let y = s.value.evaluate(count: members.count) { k in members.map { value(k, $0) ?? .nan } }
            let error = s.errors ? propagatedError(s.value, members) : nil
            let name: String
            if let v = gv, let g = group, groupValues.count > 1 {
                name = "\(base), \(label(g)) = \(SVGPlot.legendValue(v))"
            } else {
                name = base
            }
            return Figure.Series(
                label: name, x: members.map { (parameter($0, xp) ?? .nan) * d.x.factor }, y: y, error: error,
                style: Figure.Style(rawValue: s.style.rawValue) ?? .solid)
        }
        if drawn.isEmpty { notes.append("\(base): no points to draw") }
        for c in drawn where !zip(c.x, c.y).contains(where: { $0.isFinite && $1.isFinite }) {
            notes.append("\(c.label): no finite values to draw (the value is missing or not a number at every point)")
        }
        return drawn
    }

    /// Notes for contour levels that lie outside the values of the field they follow (the map's own,
    /// or `contourField`): such a line cannot appear.
    static func contourNotes(_ m: Figure.Map) -> [String] {
        let field = m.contourField?.z ?? m.z
        let finite = field.flatMap { $0 }.filter(\.isFinite)
        let name = m.contourField?.label ?? m.colour.label
        guard let lo = finite.min(), let hi = finite.max() else {
            return m.contours.isEmpty ? [] : ["contours of \(name): no finite values, no line can appear"]
        }
        return m.contours.filter { $0 < lo || $0 > hi }.map { level in
            "contour \(SVGPlot.tick(level)) is outside the values of \(name) (\(SVGPlot.tick(lo)) … \(SVGPlot.tick(hi))): its line cannot appear"
        }
    }

    /// An analytic curve over a heat map of (x, y).
    static func overlay(_ o: FigureSpec.Overlay, x xp: String, y yp: String, xValues: [Double], log: Bool, spec: ExperimentSpec) -> Figure.Series? {
        switch o {
        case .meanFieldDephasingThreshold: return nil   // drawn over lines (`lineOverlay`)
        case .meanFieldBoundary:
            let (gp, np) = (spec.system.dephasing, spec.system.nonradiativeDecay)
            // Sample the pump finely over the axis of W (whichever axis it is).
            let pumpOnX = xp == FigureSpec.Swept.pump
            let pumpValues = pumpOnX ? xValues : (spec.sweep?.axes.first { $0.path == yp }?.values ?? [])
            guard let lo = pumpValues.min(), let hi = pumpValues.max(), hi > lo else {
                return Figure.Series(label: "mean-field boundary", x: [], y: [], style: .dashed, markers: false)
            }
            let start = max(lo, 1 + np + 1e-6)
            let n = 400
            let w = (0..<n).map { k -> Double in
                let t = Double(k) / Double(n - 1)
                return log && start > 0 ? start * pow(hi / start, t) : start + (hi - start) * t
            }
            // Where the threshold climbs far past the map (f_eff → ∞ as W → Γ + γ_nr) its samples are left
            // out: a vertex 10⁷ plot heights away spoils the dashes of the line in the renderers.
            let couplingValues = spec.sweep?.axes.first { $0.path == (pumpOnX ? yp : xp) }?.values ?? []
            let bound = (couplingValues.max() ?? .infinity) * 4
            let f = w.map { w -> Double in
                let v = AnalyticCurves.meanFieldThresholdCoupling(pump: w, dephasing: gp, nonradiative: np) ?? .nan
                return v <= bound ? v : .nan
            }
            return Figure.Series(
                label: "mean-field boundary", x: pumpOnX ? w : f, y: pumpOnX ? f : w, style: .dashed, markers: false)
        }
    }

    /// Per-dipole pictures (Bloch spheres, phase plots) draw at most this many dipoles: every k-th
    /// row of the `phases` table, k the smallest integer ≥ ⌈N / maxDrawnDipoles⌉ that shares no factor
    /// with N, so a picture of 10⁶ dipoles stays a picture (the table holds them all). Coprime with N,
    /// the stride is coprime with every side of the lattice: on a 1000 × 1000 lattice k = 501 visits
    /// every column, where k = 500 would draw only columns 0 and 500 (an edge and the middle).
    static let maxDrawnDipoles = 2000

    /// A point's pair functions Z_ab(τ) (`two-time` tables) get a picture each for at most this many
    /// pairs, the first ones of the observable's list; the rest are in tables/ only (a 100-pair
    /// histogram spec would otherwise draw 100 pictures a point).
    static let maxDrawnPairs = 4

    /// The rows of a per-dipole table that pictures draw (`maxDrawnDipoles`), and the stride k.
    static func drawnRows(_ t: ResultTable) -> (rows: [[Double]], stride: Int) {
        let n = t.rowCount
        var k = max(1, (n + maxDrawnDipoles - 1) / maxDrawnDipoles)
        if k > 1 { while greatestCommonDivisor(k, n) != 1 { k += 1 } }
        let rows = t.rows   // once: a generated table builds its rows on every read
        return k == 1 ? (rows, 1) : (Swift.stride(from: 0, to: n, by: k).map { rows[$0] }, k)
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// " (every k-th of N dipoles)" when a picture draws a subset.
    static func subsetNote(_ t: ResultTable, stride k: Int) -> String {
        let suffix = (11...13).contains(k % 100) ? "th" : ([1: "st", 2: "nd", 3: "rd"][k % 10] ?? "th")
        return k == 1 ? "" : " (every \(k)\(suffix) of \(t.rowCount) dipoles)"
    }

    /// One Bloch sphere per point (at most eight) from the mean-field `phases` tables.
    static func spheres(spec: ExperimentSpec, outcomes: [PointOutcome]) -> [Figure.Sphere] {
        outcomes.prefix(8).compactMap { o in
            guard let t = o.result.tables.first(where: { $0.name == "phases" }) else { return nil }
            let (rows, k) = drawnRows(t)
            let col = { (c: String) -> [Double]? in t.columns.firstIndex(of: c).map { i in rows.map { $0[i] } } }
            // The table's s is ⟨σᶻ⟩; the sphere takes S^z = ⟨σᶻ⟩/2 beside S⊥ = |⟨σ⁻⟩|.
            guard let phi = col("phi"), let perp = col("S-perp"), let sz = col("s")?.map({ $0 / 2 }) else { return nil }
            let name = o.parameters.map { "\(label($0.path)) = \(SVGPlot.tick($0.value))" }.joined(separator: ", ")
            return Figure.Sphere(label: (name.isEmpty ? "steady state" : name) + subsetNote(t, stride: k), phi: phi, perp: perp, sz: sz)
        }
    }

    // MARK: Automatic figures

    static func automatic(spec: ExperimentSpec, outcomes sorted: [PointOutcome]) -> [Figure] {
        var out: [Figure] = []
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
                var f = Figure(
                    name: ResultsDocument.fileName(k), title: "\(keyLabel(k)) versus \(label(a.path))",
                    x: Figure.Axis(label: label(a.path), log: logAxis(a)), y: Figure.Axis(label: keyLabel(k)))
                f.series = [
                    Figure.Series(
                        label: keyLabel(k), x: sorted.map { $0.parameters.first?.value ?? .nan }, y: sorted.map { value(k, $0) ?? .nan },
                        error: errors(k, sorted))
                ]
                out.append(f)
            }
            if let opt = spec.optimize, sorted.contains(where: { $0.optimum != nil }) {
                var f = Figure(
                    name: "optimum", title: "optimal \(label(opt.over))", x: Figure.Axis(label: label(a.path), log: logAxis(a)),
                    y: Figure.Axis(label: label(opt.over)))
                f.series = [
                    Figure.Series(label: "optimum", x: sorted.map { $0.parameters.first?.value ?? .nan }, y: sorted.map { $0.optimum?.value ?? .nan })
                ]
                out.append(f)
            }
        } else if axes.count == 2, spec.sweep?.mode == .grid,
            min(axes[0].values.count, axes[1].values.count) <= familyLimit,
            max(axes[0].values.count, axes[1].values.count) > familyLimit
        {
            // A family of curves: x along the long axis, one curve per value of the short one.
            let shortFirst = axes[0].values.count <= axes[1].values.count
            let (curve, along) = shortFirst ? (axes[0], axes[1]) : (axes[1], axes[0])
            for k in keys {
                var f = Figure(
                    name: ResultsDocument.fileName(k), title: "\(keyLabel(k)) versus \(label(along.path))",
                    x: Figure.Axis(label: label(along.path), log: logAxis(along)), y: Figure.Axis(label: keyLabel(k)))
                f.series = curve.values.indices.map { c -> Figure.Series in
                    let members = along.values.indices.compactMap { a -> PointOutcome? in
                        let index = shortFirst ? c * along.values.count + a : a * curve.values.count + c
                        return sorted.first { $0.index == index }
                    }
                    return Figure.Series(
                        label: "\(label(curve.path)) = \(SVGPlot.tick(curve.values[c]))",
                        x: members.map { m in parameter(m, along.path) ?? .nan }, y: members.map { value(k, $0) ?? .nan }, error: errors(k, members))
                }
                out.append(f)
            }
        } else if axes.count >= 2, spec.sweep?.mode == .grid {
            let (ax, ay) = (axes[0], axes[1])
            let rest = axes.count > 2 ? " (first values of the other axes)" : ""
            let restCount = axes.dropFirst(2).reduce(1) { $0 * $1.values.count }
            for k in allKeys {   // a heat map has no error bands: errors get maps of their own
                var z = [[Double]](repeating: [Double](repeating: .nan, count: ay.values.count), count: ax.values.count)
                for o in sorted {
                    let i = o.index / (ay.values.count * restCount)
                    let j = (o.index / restCount) % ay.values.count
                    if o.index % restCount == 0 && i < ax.values.count { z[i][j] = value(k, o) ?? .nan }
                }
                var f = Figure(
                    name: ResultsDocument.fileName(k), title: "\(keyLabel(k)) over \(label(ax.path)) × \(label(ay.path))\(rest)", kind: .heatMap,
                    x: Figure.Axis(label: label(ax.path), log: logAxis(ax)), y: Figure.Axis(label: label(ay.path), log: logAxis(ay)))
                f.map = Figure.Map(x: ax.values, y: ay.values, z: z, colour: Figure.Axis(label: keyLabel(k)))
                out.append(f)
            }
        }
        // Cluster order: Z_Q^d over (parameter, d), or against d alone.
        let clusters = sorted.map { clusterOrder($0).map { ($0.d, $0.zq) } }
        if let first = clusters.first, !first.isEmpty {
            if axes.count == 1, let a = axes.first, sorted.count > 1 {
                let ds = first.map(\.0)
                let z = clusters.map { c in ds.map { d in c.first { $0.0 == d }?.1 ?? .nan } }
                var f = Figure(
                    name: "cluster-ZQ", title: "cluster order Z_Q^d", kind: .heatMap, x: Figure.Axis(label: label(a.path), log: logAxis(a)),
                    y: Figure.Axis(label: "cluster size d"))
                f.map = Figure.Map(x: a.values, y: ds, z: z, colour: Figure.Axis(label: "Z_Q^d"))
                out.append(f)
            } else {
                var f = Figure(
                    name: "cluster-ZQ", title: "cluster order Z_Q^d", x: Figure.Axis(label: "cluster size d"), y: Figure.Axis(label: "Z_Q^d"))
                f.series = [Figure.Series(label: "Z_Q^d", x: first.map(\.0), y: first.map(\.1))]
                out.append(f)
            }
        }
        let spheres = spheres(spec: spec, outcomes: sorted)
        if !spheres.isEmpty {
            var f = Figure(name: "bloch", title: "Bloch vectors of the dipoles", kind: .bloch, x: Figure.Axis(label: ""), y: Figure.Axis(label: ""))
            f.spheres = spheres
            out.append(f)
        }
        // Each point's own curves, for a handful of points.
        guard sorted.count <= 8 else { return out }
        if let h = precessionHistogram(sorted) { out.append(h) }
        for o in sorted {
            let prefix = sorted.count == 1 ? "" : String(format: "point-%04d-", o.index)
            let pairs = o.result.tables.filter { ObservableWriter.Key.isTwoTimePairTable($0.name) }.count
            var pairsDrawn = 0
            for t in o.result.tables {
                if ObservableWriter.Key.isTwoTimePairTable(t.name) {
                    pairsDrawn += 1
                    guard pairsDrawn <= maxDrawnPairs else { continue }
                }
                let name = ResultsDocument.fileName(t.name)
                if precessionTables.contains(t.name) {
                    if let f = precession(t, name: prefix + name) { out.append(f) }
                    continue
                }
                if t.name == "correlations" { continue }   // an N² table; the numbers are in tables/
                let (drawn, k) = drawnRows(t)
                let drawnColumn = { (c: String) -> [Double]? in t.columns.firstIndex(of: c).map { i in drawn.map { $0[i] } } }
                if t.name == "phases", let phi = drawnColumn("phi"), let sp = drawnColumn("S-perp") {
                    // The transverse spins in the plane (the Bloch spheres above add S^z).
                    var f = Figure(
                        name: prefix + "phases", title: "mean-field phases" + subsetNote(t, stride: k), kind: .lines,
                        x: Figure.Axis(label: "S⊥ cos φ", range: (-0.55, 0.55)),
                        y: Figure.Axis(label: "S⊥ sin φ", range: (-0.55, 0.55)))
                    f.series = [
                        Figure.Series(
                            label: "dipoles", x: zip(phi, sp).map { $1 * cos($0) }, y: zip(phi, sp).map { $1 * sin($0) }, style: .points,
                            markers: true)
                    ]
                    out.append(f)
                } else if t.columns.count >= 2, t.rowCount >= 2 {
                    let x = t.rows.map { $0[0] }
                    let columns = Array(t.columns.indices.dropFirst())
                    let drawn = columns.filter { !(t.columns[$0].hasSuffix("-stderr") && t.columns.contains(String(t.columns[$0].dropLast(7)))) }
                    let series = drawn.prefix(6).map { i -> Figure.Series in
                        let e = t.columns.firstIndex(of: t.columns[i] + "-stderr").map { j in t.rows.map { $0[j] } }
                        let trajectory = trajectoryColumn(t.columns[i]) != nil
                        return Figure.Series(
                            label: columnLabel(t.columns[i]), x: x, y: t.rows.map { $0[i] }, error: e, style: trajectory ? .dotted : .solid,
                            markers: trajectory ? false : nil)
                    }
                    let subset =
                        ObservableWriter.Key.isTwoTimePairTable(t.name) && pairs > maxDrawnPairs
                        ? " (pair \(pairsDrawn) of \(pairs) drawn; all in tables/)" : ""
                    // Columns of one quantity (its mean and single trajectories) share its label.
                    let bases = Set(drawn.prefix(6).map { trajectoryColumn(t.columns[$0])?.key ?? t.columns[$0] })
                    let yLabel = series.count == 1 ? series[0].label : (bases.count == 1 ? bases.first.map(columnLabel) : nil) ?? tableTitle(t.name)
                    let title = t.name == "timeseries" && bases.count == 1 && t.columns[0] == "t" ? "\(yLabel) against time" : tableTitle(t.name)
                    var f = Figure(
                        name: prefix + name, title: title + subset, x: Figure.Axis(label: columnLabel(t.columns[0])),
                        y: Figure.Axis(label: yLabel))
                    f.series = Array(series)
                    // The entanglement witness beside the conditional QFI (docs/physics.md §6.3).
                    if t.columns.contains("qfi-conditional"), let witness = value("qfi-witness", o) {
                        f.references = [Figure.ReferenceLine(direction: .horizontal, value: witness, label: keyLabel("qfi-witness"))]
                    }
                    out.append(f)
                }
            }
        }
        return out
    }

    // MARK: Labels

    /// An axis label for a spec path in canonical units (figure-label markup: f_{eff}, W/Γ).
    static func label(_ path: String) -> String {
        let known: [String: String] = [
            "system.pump.rate": "pump rate W/Γ",
            "system.lattice.spacing": "spacing a/λ",
            "system.lattice.sites": "number of dipoles N",
            "system.couplings.uniform.feff": "f_{eff}/Γ",
            "system.couplings.uniform.geff": "g_{eff}/Γ",
            "system.couplings.power-law.alpha": "exponent α",
            "system.couplings.power-law.strength": "strength A/Γ",
            "system.polarization.angle": "polarization angle θ (rad)",
            "system.detuning.uniform.width": "detuning width/Γ",
            "system.detuning.lorentzian.hwhm": "Lorentzian HWHM Δ/Γ",
            "system.detuning.gaussian.sigma": "Gaussian σ/Γ",
            "system.dephasing.rate": "dephasing rate γ_φ/Γ",
            "system.nonradiative-decay.rate": "non-radiative decay γ_{nr}/Γ"
        ]
        return known[path] ?? path
    }

    /// The label of a result key (or a table column), with its symbol.
    static func keyLabel(_ key: String) -> String {
        let known: [String: String] = [
            "ZQ": "Z_Q", "ZQ2": "Z_Q^2", "Z": "Z", "inversion": "S^z", "qfi": "F_Q", "qfi-conditional": "conditional F̄_Q",
            "qfi-witness": "witness 2N/3", "mutual-information": "mutual information I", "discord": "discord D",
            "frequency": "frequency ω/Γ", "spectrum.linewidth": "linewidth/Γ", "spectrum.peak-frequency": "peak frequency/Γ"
        ]
        if let l = known[key] { return l }
        if key.hasSuffix("-stderr"), let l = known[String(key.dropLast(7))] { return "std. error of " + l }
        return key
    }

    /// A column `KEY-trajectory-K` of a time series (one trajectory's values): the key and K.
    static func trajectoryColumn(_ c: String) -> (key: String, k: Int)? {
        guard let r = c.range(of: "-trajectory-", options: .backwards), let k = Int(c[r.upperBound...]) else { return nil }
        return (String(c[..<r.lowerBound]), k)
    }

    /// A column of a point's table: times and frequencies with their units.
    static func columnLabel(_ c: String) -> String {
        if let (key, k) = trajectoryColumn(c) { return "\(keyLabel(key)), trajectory \(k + 1)" }
        switch c {
        case "t": return "time t (1/Γ)"
        case "tau": return "delay τ (1/Γ)"
        case "omega": return "frequency ω/Γ"
        case "nu": return "frequency ν/Γ"
        case "re": return "real part"
        case "im": return "imaginary part"
        case "S": return "spectrum S(ω)"
        default: return keyLabel(c)
        }
    }

    static func tableTitle(_ name: String) -> String {
        if name == "timeseries" { return "time evolution" }
        if name.hasPrefix("two-time") { return "two-time correlation " + name.dropFirst("two-time".count).replacingOccurrences(of: "-", with: " ") }
        return name
    }

    /// The label of an expression: a key's symbol, or the expression with symbols.
    static func valueLabel(_ e: FigureExpression) -> String {
        switch e {
        case .key(let k): return keyLabel(k).replacingOccurrences(of: "mutual information ", with: "").replacingOccurrences(of: "discord ", with: "")
        case .number(let v): return SVGPlot.tick(v)
        case .unary("-", let a): return "−" + valueLabel(a)
        case .unary(let f, let a): return "\(f)(\(valueLabel(a)))"
        case .binary(let op, let a, let b): return "\(valueLabel(a)) \(op == "-" ? "−" : String(op)) \(valueLabel(b))"
        }
    }
}

/// Why a referenced bundle's numbers could not be drawn (printed under the figure).
public struct FigureSourceError: Error, Sendable {
    public var reason: String
}

/// Finding the results of another bundle for a series with `from:` (docs/spec-language.md §12).
public enum ReferencedBundles {
    /// `from: {bundle: DIR}` reads DIR/results.json; `from: {spec: FILE}` compiles FILE and reads the
    /// bundle at its default place, outputs/NAME/ID, else the archived outputs/archived/NAME when its
    /// resolved.json gives the same ID, both looked up from the working directory.
    public static func load(_ source: FigureSpec.Source) -> Result<[PointOutcome], FigureSourceError> {
        switch source {
        case .this: return .success([])
        case .bundle(let dir): return read(dir)
        case .spec(let path, _):
            guard FileManager.default.fileExists(atPath: path) else { return .failure(FigureSourceError(reason: "\(path) not found")) }
            guard let compiled = SpecCompiler.compile(file: path, followReferences: false).compiled else {
                return .failure(FigureSourceError(reason: "\(path) does not compile"))
            }
            let id = BundleWriter.id(compiled)
            let name = compiled.base.name
            let fm = FileManager.default
            let candidates = ["outputs/\(name)/\(id)", "outputs/archived/\(name)"]
            for c in candidates where fm.fileExists(atPath: c + "/results.json") {
                // An archived copy counts only when it is this very spec's bundle.
                if c.hasPrefix("outputs/archived"), let data = fm.contents(atPath: c + "/resolved.json"), !sameID(resolvedJSON: data, id: id) {
                    continue
                }
                return read(c)
            }
            return .failure(
                FigureSourceError(
                    reason: "no bundle of \((path as NSString).lastPathComponent) (run it first: looked in \(candidates.joined(separator: ", ")))"))
        }
    }

    /// The spec behind a series' numbers: the referenced spec file, or the spec.yaml of a bundle folder
    /// (nil when it does not compile).
    public static func spec(_ source: FigureSpec.Source) -> ExperimentSpec? {
        let path: String
        switch source {
        case .this: return nil
        case .spec(let p, _): path = p
        case .bundle(let dir): path = dir + "/spec.yaml"
        }
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return SpecCompiler.compile(file: path, followReferences: false).compiled?.base
    }

    static func sameID(resolvedJSON data: Data, id: String) -> Bool {
        guard let value = try? JSONWriter.parse(data) else { return false }
        return String(SHA256.hex(JSONWriter.write(value, pretty: false)).prefix(12)) == id
    }

    static func read(_ dir: String) -> Result<[PointOutcome], FigureSourceError> {
        guard let data = FileManager.default.contents(atPath: dir + "/results.json") else {
            return .failure(FigureSourceError(reason: "cannot read \(dir)/results.json"))
        }
        do { return .success(try ResultsDocument.outcomes(from: JSONWriter.parse(data))) } catch {
            return .failure(FigureSourceError(reason: "\(dir)/results.json: \(error)"))
        }
    }
}
