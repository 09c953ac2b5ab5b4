import Foundation
import Physics
import Results

/// Reads the `figures:` section (structurally checked already) into `FigureSpec`s, checking what the
/// schema cannot: that axes are swept paths, that expressions parse and name result keys of the
/// spec's observables (or of the referenced spec's), that a heat map has two axes, that overlays fit
/// the axes. Every problem is a located error.
struct FigureBuilder {
    let engine: DiagnosticEngine
    let spec: ExperimentSpec
    let sweep: SweepSpec?
    /// The spec's own file (relative `from:` paths are resolved against its folder).
    let specPath: String
    /// Compiles a referenced spec (nil: not checked, for a spec compiled as someone's reference).
    let compileReference: ((String) -> CompileOutcome)?

    var swept: [String] { sweep?.axes.map(\.path) ?? [] }

    func build(_ doc: YAMLNode) -> [FigureSpec] {
        guard let items = doc["figures"]?.items else { return [] }
        var out: [FigureSpec] = []
        var names: [String: SourceLocation] = [:]
        for item in items {
            guard let name = item["name"]?.scalar else { continue }
            let nameLoc = item["name"]?.location ?? item.location
            if let first = names[name] {
                engine.error("figure name '\(name)' is used twice (first at line \(first.line))", at: nameLoc)
                continue
            }
            names[name] = nameLoc
            if let f = figure(item, name: name) { out.append(f) }
        }
        return out
    }

    /// Whether the spec asks for `cluster-ZQ`, whose sizes d a heat map may take as its y axis.
    private var hasClusterOrder: Bool { spec.observables.contains { $0.kind == .clusterZQ } }

    private func axis(_ node: YAMLNode?, figure: String, clusterSize: Bool = false) -> FigureSpec.Axis? {
        var a = FigureSpec.Axis(path: nil, label: nil, log: false, range: nil, centre: nil)
        guard let node else { return a }
        a.label = node["label"]?.scalar
        a.log = node["scale"]?.scalar == "log"
        a.centre = node["centre"]?.scalar.flatMap(Double.init)
        if let p = node["axis"], p.scalar == FigureSpec.clusterSizeAxis {
            guard clusterSize, hasClusterOrder else {
                engine.error(
                    "figure '\(figure)': '\(FigureSpec.clusterSizeAxis)' (the sizes d of cluster-ZQ) is the y axis of a heat map of a spec that asks for cluster-ZQ",
                    at: p.location,
                    hint: hasClusterOrder
                        ? "use it as 'y: {axis: cluster-size}' of a 'kind: heat-map' figure" : "add {cluster-ZQ: {sizes: [...]}} to observables")
                return nil
            }
            a.path = FigureSpec.clusterSizeAxis
        } else if let p = node["axis"] {
            guard let path = p.scalar, swept.contains(path) else {
                let text = p.scalar ?? ""
                engine.error(
                    "figure '\(figure)': '\(text)' is not a swept path", at: p.location,
                    hint: swept.isEmpty
                        ? "the spec sweeps nothing; a figure draws against a sweep axis"
                        : (Suggestions.hint(for: text, in: swept) ?? "swept: \(swept.joined(separator: ", "))"))
                return nil
            }
            a.path = path
        }
        if let u = node["unit"] {
            // Only angles have a second unit to draw in: degrees (the canonical unit is rad).
            let family = a.path.flatMap { SweepPaths.target($0, at: u.location, diagnostics: DiagnosticEngine(file: ""))?.family }
            switch (u.scalar, family) {
            case ("rad", .angle?): a.factor = 1
            case ("deg", .angle?): a.factor = 180 / Double.pi
            default:
                engine.error(
                    "figure '\(figure)': 'unit: \(u.scalar ?? "")' needs an axis along an angle (deg or rad)", at: u.location,
                    hint: "numbers of other paths are drawn in their canonical units (rates in Γ, lengths in λ)")
                return nil
            }
        }
        if let r = node["range"], let items = r.items, items.count == 2 {
            let v = items.compactMap { $0.scalar.flatMap(Double.init) }
            guard v.count == 2, v[0] < v[1], v.allSatisfy(\.isFinite) else {
                engine.error("figure '\(figure)': a range is [low, high] with low < high", at: r.location)
                return nil
            }
            if a.log && v[0] <= 0 {
                engine.error("figure '\(figure)': a logarithmic axis needs a positive range", at: r.location)
                return nil
            }
            a.range = v
        }
        return a
    }

    /// An expression node: parsed, with its keys checked against `known` (nil: not checked).
    private func expression(_ node: YAMLNode, figure: String, known: [String]?, knownFrom: String) -> FigureExpression? {
        guard let text = node.scalar else { return nil }
        switch FigureExpression.parse(text) {
        case .failure(let e):
            engine.error("figure '\(figure)': \(e.message) in '\(text)'", at: shifted(node, by: e.offset))
            return nil
        case .success(let expr):
            guard let known else { return expr }
            var ok = true
            for k in expr.keys where !known.contains(k) && !(k.hasSuffix("-stderr") && known.contains(String(k.dropLast(7)))) {
                let offset = text.range(of: k).map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? 0
                let hint: String
                // 'a-b' with a and b both keys: a difference written without spaces.
                let split = k.indices.filter { k[$0] == "-" }.first { i in
                    known.contains(String(k[..<i])) && known.contains(String(k[k.index(after: i)...]))
                }
                if k == FigureSpec.optimumKey {
                    hint = "'\(k)' is the location of the optimum of a spec with 'optimize'; \(knownFrom) has none"
                } else if let i = split {
                    hint = "write a difference with spaces: '\(k[..<i]) - \(k[k.index(after: i)...])'"
                } else if let close = Suggestions.closest(to: k, in: known) {
                    hint = "did you mean '\(close)'?"
                } else {
                    hint =
                        known.isEmpty ? "\(knownFrom) asks for no observable that is one number per point" : "known: \(known.joined(separator: ", "))"
                }
                engine.error(
                    "figure '\(figure)': unknown observable '\(k)' (not a result of \(knownFrom))", at: shifted(node, by: offset), hint: hint)
                ok = false
            }
            return ok ? expr : nil
        }
    }

    /// The location `offset` characters into a plain scalar on one line (the scalar's start otherwise).
    private func shifted(_ node: YAMLNode, by offset: Int) -> SourceLocation {
        guard node.isPlainScalar else { return node.location }
        return SourceLocation(line: node.location.line, column: node.location.column + offset)
    }

    private func figure(_ node: YAMLNode, name: String) -> FigureSpec? {
        let kind = node["kind"]?.scalar.flatMap(FigureSpec.Kind.init(rawValue:)) ?? .lines
        var failed = false
        func fail(_ message: String, _ at: SourceLocation, hint: String? = nil) {
            engine.error("figure '\(name)': " + message, at: at, hint: hint)
            failed = true
        }
        guard var x = axis(node["x"], figure: name), var y = axis(node["y"], figure: name, clusterSize: kind == .heatMap),
            let colour = axis(node["colour"], figure: name)
        else {
            return nil
        }
        if let p = node["colour"]?["axis"] { fail("the colour bar has no sweep axis", p.location) }
        for key in ["x", "y"] {
            if let c = node[key]?["centre"] { fail("'centre' belongs to the colour bar", c.location) }
        }
        for key in ["value", "colour", "contours"] where kind != .heatMap {
            if let n = node[key] { fail("'\(key)' belongs to a heat map (kind: heat-map)", n.location) }
        }
        if kind != .heatMap, let p = node["y"]?["axis"] {
            fail("only a heat map has a swept y axis; the y axis of lines carries the values", p.location)
        }
        var curves: String?
        if let c = node["curves"] {
            let text = c.scalar ?? ""
            if kind != .lines {
                fail("'curves' belongs to lines", c.location)
            } else if !swept.contains(text) {
                fail(
                    "'\(text)' is not a swept path", c.location,
                    hint: Suggestions.hint(for: text, in: swept)
                        ?? (swept.isEmpty ? "the spec sweeps nothing" : "swept: \(swept.joined(separator: ", "))"))
            } else if sweep?.mode == .zip {
                fail("curves need a grid sweep: the axes of a zip sweep move together", c.location)
            } else if text == x.path {
                fail("'\(text)' is both the x axis and the curves", c.location)
            } else {
                curves = text
            }
        }
        switch kind {
        case .lines:
            if x.path == nil {
                x.path = swept.first { $0 != curves }
                if x.path == nil {
                    fail(
                        "lines are drawn against a swept path, and the spec sweeps none", node.location,
                        hint: "add a sweep, or draw a single point's tables")
                }
            }
            if node["series"] == nil { fail("lines need 'series' (the values to draw)", node.location, hint: "e.g. series: [ZQ]") }
        case .heatMap where y.path == FigureSpec.clusterSizeAxis:
            // Z_Q^d over (a swept path, d): one sweep axis is enough, of a grid or a zip.
            if swept.isEmpty {
                fail("a heat map of the cluster order draws against a swept path, and the spec sweeps none", node.location)
            } else if x.path == nil {
                x.path = swept.first
            }
            if node["value"] == nil {
                fail("a heat map needs 'value' (the coloured quantity)", node.location, hint: "e.g. value: cluster-ZQ")
            }
            if let v = node["contours"]?["value"] {
                fail("contours of another value are drawn over maps of two swept paths; here give levels of the coloured value", v.location)
            }
        case .heatMap:
            if sweep?.mode != .grid || swept.count < 2 {
                fail("a heat map needs a grid sweep over two paths", node.location)
            } else {
                if x.path == nil { x.path = swept.first { $0 != y.path } }
                if y.path == nil { y.path = swept.first { $0 != x.path } }
                if x.path == y.path, let p = node["y"]?["axis"] { fail("x and y are the same path", p.location) }
            }
            if node["value"] == nil { fail("a heat map needs 'value' (the coloured quantity)", node.location, hint: "e.g. value: ZQ") }
        case .bloch:
            if !spec.observables.contains(where: { $0.kind == .phases }) {
                fail(
                    "Bloch spheres draw the `phases` table, which the spec does not ask for", node["kind"]?.location ?? node.location,
                    hint: "add 'phases' to observables (mean-field backend)")
            }
            for key in ["series", "x", "y", "curves", "overlays", "reference-lines"] {
                if let n = node[key] { fail("'\(key)' does not apply to Bloch spheres", n.location) }
            }
        }
        let ownKeys = FigureSpec.keys(of: spec)
        var series: [FigureSpec.Series] = []
        for s in node["series"]?.items ?? [] {
            let valueNode = s.scalar != nil ? s : s["value"]
            guard let valueNode else { continue }
            var source = FigureSpec.Source.this
            var known: [String]? = ownKeys
            var knownFrom = "this spec"
            if let from = s["from"] {
                let base = (specPath as NSString).deletingLastPathComponent
                let resolve = { (p: String) in p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }
                if let p = from["bundle"]?.scalar {
                    source = .bundle(path: URL(fileURLWithPath: resolve(p)).standardizedFileURL.path)
                    known = nil
                } else if let p = from["spec"]?.scalar, let pNode = from["spec"] {
                    let path = URL(fileURLWithPath: resolve(p)).standardizedFileURL.path
                    // A spec compiled as another's reference: its own references are not followed (no cycles).
                    let outcome = compileReference?(path)
                    if outcome == nil {
                        source = .spec(path: path, name: "")
                        known = nil
                    } else if let other = outcome?.compiled {
                        source = .spec(path: path, name: other.base.name)
                        known = FigureSpec.keys(of: other.base)
                        knownFrom = "'\(p)'"
                        if let xp = x.path, kind == .lines, !(other.base.sweep?.axes.contains { $0.path == xp } ?? false) {
                            fail("'\(p)' does not sweep '\(xp)', the x axis", pNode.location)
                        }
                    } else {
                        // A warning, not an error: a bundle's spec.yaml must compile for `rerun` without its neighbours.
                        let first = outcome?.diagnostics.first { $0.severity == .error }
                        engine.warning(
                            "figure '\(name)': the spec '\(p)' does not compile\(first.map { ": " + $0.message } ?? ""); the series will be missing",
                            at: pNode.location)
                        source = .spec(path: path, name: "")
                        known = nil
                    }
                }
            }
            guard let value = expression(valueNode, figure: name, known: known, knownFrom: knownFrom) else {
                failed = true
                continue
            }
            series.append(
                FigureSpec.Series(
                    value: value, label: s["label"]?.scalar, style: s["style"]?.scalar.flatMap(FigureSpec.Style.init(rawValue:)) ?? .solid,
                    source: source, errors: s["errors"]?.scalar.flatMap(ShapeChecker.boolean) ?? true, location: valueNode.location))
        }
        var value: FigureExpression?
        if kind == .heatMap, let v = node["value"] {
            let clusterKeys = y.path == FigureSpec.clusterSizeAxis ? [ObservableWriter.Key.clusterZQ] : []
            value = expression(v, figure: name, known: ownKeys + clusterKeys, knownFrom: "this spec")
            if value == nil { failed = true }
        }
        var contours = FigureSpec.Contours(value: nil, levels: [], label: nil)
        if let c = node["contours"], kind == .heatMap {
            if let items = c.items {
                contours.levels = items.compactMap { $0.scalar.flatMap(Double.init) }
            } else {
                contours.levels = (c["levels"]?.items ?? []).compactMap { $0.scalar.flatMap(Double.init) }
                contours.label = c["label"]?.scalar
                if let v = c["value"] {
                    contours.value = contourValue(v, figure: name, own: ownKeys)
                    if contours.value == nil { failed = true }
                }
            }
        }
        var overlays: [FigureSpec.Overlay] = []
        for o in node["overlays"]?.items ?? [] {
            guard let overlay = o.scalar.flatMap(FigureSpec.Overlay.init(rawValue:)) else { continue }
            if kind != .heatMap && kind != .lines {
                fail("overlays are drawn over lines or heat maps", o.location)
                continue
            }
            switch overlay {
            case .meanFieldBoundary:
                let plane: Set<String?> = [FigureSpec.Swept.pump, FigureSpec.Swept.feff]
                if kind == .heatMap && Set([x.path, y.path]) != plane {
                    fail(
                        "the mean-field boundary is a curve in the (system.pump.rate, system.couplings.uniform.feff) plane", o.location,
                        hint: "make those the heat map's x and y axes")
                } else if kind == .lines {
                    fail("the mean-field boundary is drawn over a heat map of W and f_eff", o.location)
                } else {
                    overlays.append(overlay)
                }
            case .meanFieldDephasingThreshold:
                // docs/physics.md §4.5, §4.6: a value of γ_φ for each f_eff, that of the uniform state.
                let changing = FigureSpec.thresholdChangingPath(spec)
                if kind != .lines || x.path != FigureSpec.Swept.dephasing {
                    fail(
                        "the mean-field dephasing threshold is a value of γ_φ: it is drawn over lines whose x axis is system.dephasing.rate",
                        o.location, hint: "make system.dephasing.rate the x axis of a lines figure")
                } else if let changing {
                    fail(
                        "the mean-field dephasing threshold is drawn for one f_eff, and '\(changing)' changes the couplings from point to point",
                        o.location, hint: "sweep system.couplings.uniform.feff instead, or give the values as reference lines {x: …}")
                } else {
                    overlays.append(overlay)
                }
            }
        }
        var references: [FigureSpec.Reference] = []
        for r in node["reference-lines"]?.items ?? [] {
            let xv = r["x"]?.scalar.flatMap(Double.init), yv = r["y"]?.scalar.flatMap(Double.init)
            guard (xv == nil) != (yv == nil), let v = xv ?? yv, v.isFinite else {
                fail("a reference line has either 'x' or 'y'", r.location)
                continue
            }
            references.append(FigureSpec.Reference(horizontal: yv != nil, value: v, label: r["label"]?.scalar ?? ""))
        }
        guard !failed else { return nil }
        return FigureSpec(
            name: name, title: node["title"]?.scalar, kind: kind, x: x, y: y, curves: curves, series: series, value: value, colour: colour,
            contours: contours, overlays: overlays, references: references, location: node.location)
    }

    /// The value of `contours: {value: …}`: result keys of this spec, or geometry keys
    /// (`FigureGeometry`), which need a system with a geometry and map axes that can be sampled.
    private func contourValue(_ node: YAMLNode, figure: String, own: [String]) -> FigureExpression? {
        guard let expr = expression(node, figure: figure, known: own + FigureGeometry.keys, knownFrom: "this spec or the geometry") else {
            return nil
        }
        guard expr.keys.contains(where: FigureGeometry.keys.contains) else { return expr }
        if let why = FigureGeometry.unavailable(spec.system) {
            engine.error("figure '\(figure)': \(FigureGeometry.keys.joined(separator: " and ")) are not defined here: \(why)", at: node.location)
            return nil
        }
        for p in swept where !FigureGeometry.canSample(along: p) {
            engine.error(
                "figure '\(figure)': the geometry keys are sampled along \(FigureGeometry.samplePaths.joined(separator: " and ")), but the sweep also changes '\(p)'",
                at: node.location, hint: "contour a result key instead, or sweep only the spacing and the polarization angle of the geometry")
            return nil
        }
        return expr
    }
}
