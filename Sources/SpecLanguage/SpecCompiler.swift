import Foundation
import Physics

/// One point of a compiled spec: the swept values and the fully typed spec at those values.
public struct SpecPoint: Sendable {
    public var index: Int
    /// The swept values in canonical units, in axis order (empty without a sweep).
    public var parameters: [(path: String, value: Double)]
    public var spec: ExperimentSpec
    /// The text substituted at each path to make this point (kept to re-specialize for `optimize`).
    var substitutions: [(path: String, text: String, location: SourceLocation)]
}

/// A spec that passed every check: the document, its base spec and every sweep point.
public struct CompiledSpec: Sendable {
    public let source: SourceFile
    public let document: YAMLNode
    public let base: ExperimentSpec
    public let points: [SpecPoint]
    let catalog: Catalog

    /// The spec of `point` with one more scalar set (the `optimize.over` variable), in canonical units.
    public func spec(for point: SpecPoint, setting path: String, to value: Double) -> ExperimentSpec? {
        spec(for: point, setting: path, to: value, diagnostics: DiagnosticEngine(file: source.path))
    }

    /// The same, reporting why the value cannot be set (out of range, an invalid spec) to `engine`.
    public func spec(for point: SpecPoint, setting path: String, to value: Double, diagnostics engine: DiagnosticEngine) -> ExperimentSpec? {
        guard let target = SweepPaths.target(path, at: .start, diagnostics: engine) else { return nil }
        var subs = point.substitutions
        subs.append((path, SweepPaths.text(value, family: target.family, isInteger: target.isInteger), .start))
        return SpecCompiler.specialize(document, subs, catalog: catalog, engine: engine)
    }
}

/// The outcome of compiling: the compiled spec when there were no errors, and every diagnostic.
public struct CompileOutcome: Sendable {
    public var compiled: CompiledSpec?
    public var diagnostics: [Diagnostic]
    public var source: SourceFile?
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// The front end: bytes → YAML tree → structural check → typed spec → sweep expansion.
public enum SpecCompiler {
    /// More points than this are refused (a sweep of that size is a typo more often than a plan);
    /// docs/spec-language.md states it.
    public static let maximumPoints = 1_000_000

    /// The catalog folders searched for a spec at `specPath`: the given ones (--catalog), a `catalog/`
    /// folder beside the spec, `$DIPOLESYNC_CATALOG`, and the shipped `specs/catalog` (found from the
    /// working directory or the executable's location upward).
    public static func catalogFolders(forSpecAt specPath: String, extra: [String] = []) -> [String] {
        var folders: [String] = []
        if let shipped = shippedCatalog() { folders.append(shipped) }
        if let env = ProcessInfo.processInfo.environment["DIPOLESYNC_CATALOG"] { folders.append(env) }
        let beside = ((specPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("catalog")
        folders.append(beside)
        folders += extra
        var seen = Set<String>()
        // The same folder named two ways (relative, absolute, through a link) is read once.
        return folders.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path).inserted }
    }

    public static func shippedCatalog() -> String? {
        let fm = FileManager.default
        var starts = [fm.currentDirectoryPath]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent().path
        starts.append(exe)
        for start in starts {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                let c = dir.appendingPathComponent("specs/catalog").path
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: c, isDirectory: &isDir), isDir.boolValue,
                    fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
                {
                    return c
                }
                dir.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// `followReferences`: whether specs named by `figures:` (`from: {spec: …}`) are compiled to check
    /// the keys a figure takes from them (not for a spec compiled as such a reference: no cycles).
    public static func compile(file path: String, catalogFolders extra: [String] = [], followReferences: Bool = true) -> CompileOutcome {
        let problem = unreadableReason(path)
        guard problem == nil, let data = FileManager.default.contents(atPath: path) else {
            let d = Diagnostic(.error, "cannot read the file: \(problem ?? "read error")", file: path, at: .start)
            return CompileOutcome(compiled: nil, diagnostics: [d], source: nil)
        }
        let catalog = Catalog(folders: catalogFolders(forSpecAt: path, extra: extra))
        return compile(bytes: Array(data), path: path, catalog: catalog, followReferences: followReferences)
    }

    /// A spec named by another's `figures:`: a regular file (not a device or a pipe), compiled without
    /// following its own references.
    static func compileReference(file path: String) -> CompileOutcome {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            let reason = unreadableReason(path) ?? "not a regular file"
            return CompileOutcome(
                compiled: nil, diagnostics: [Diagnostic(.error, "cannot read the file: \(reason)", file: path, at: .start)], source: nil)
        }
        return compile(file: path, followReferences: false)
    }

    /// Why the file at `path` cannot be read ("no such file", "permission denied", "it is a
    /// directory", …), or nil when it can be opened for reading.
    public static func unreadableReason(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        if fd < 0 { return describe(errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        return nil
    }

    /// A short lowercase reason for a failed file operation.
    static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case ENOTDIR: return "a component of the path is not a directory"
        case EISDIR: return "it is a directory"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    public static func compile(bytes: [UInt8], path: String, catalog: Catalog, followReferences: Bool = true) -> CompileOutcome {
        let engine = DiagnosticEngine(file: path)
        let source = SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self))
        // A broken catalog file is reported against itself; it only stops a spec that needs its entries.
        let catalogNotes = catalog.problems.map { d -> Diagnostic in
            var w = d
            if w.severity == .error { w.message = "catalog entry skipped: " + d.message }
            w.severity = .warning
            return w
        }
        guard let doc = YAMLParser.parse(bytes, diagnostics: engine) else {
            return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source)
        }
        guard doc.entries != nil else {
            engine.error(
                "the top level of a spec must be a mapping of keys (dipolesync:, name:, system:, …), not \(doc.kindDescription)",
                at: doc.location)
            return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source)
        }
        if let v = doc["dipolesync"], let s = v.scalar, let k = Int(s), k != ExperimentSchema.version {
            engine.error(
                "unsupported language version \(k): this dipolesync reads version \(ExperimentSchema.version)",
                at: v.location, hint: "write 'dipolesync: 1'")
        } else {
            ShapeChecker(diagnostics: engine).check(doc, against: .object(ExperimentSchema.root), path: "")
        }
        if engine.hasErrors { return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source) }

        var builder = SpecBuilder(diagnostics: engine, catalog: catalog)
        guard var base = builder.build(doc) else {
            return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source)
        }
        let sweep = buildSweep(doc, base: base, engine: engine)
        if engine.hasErrors { return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source) }
        base.sweep = sweep
        // Figures are presentation: they are read here, after the sweep, and stay out of the
        // resolved spec (and so out of the bundle ID).
        let references: ((String) -> CompileOutcome)? =
            followReferences ? { compileReference(file: $0) } : nil
        base.figures = FigureBuilder(engine: engine, spec: base, sweep: sweep, specPath: path, compileReference: references).build(doc)
        if engine.hasErrors { return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source) }

        var points: [SpecPoint] = []
        let count = sweep.map { $0.checkedCount ?? Int.max } ?? 1
        if count > maximumPoints, let sweep {
            let sizes = sweep.axes.map { String($0.values.count) }.joined(separator: " × ")
            let total = sweep.checkedCount.map { "\($0) points" } ?? "more points than can be counted"
            engine.error(
                "the sweep has \(total) (\(sizes)), more than the \(maximumPoints) allowed",
                at: doc["sweep"]?.location ?? doc.location,
                hint: "sweep fewer values, or split the study into several specs")
            return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source)
        }
        points.reserveCapacity(count)
        for k in 0..<count {
            var subs: [(String, String, SourceLocation)] = []
            var params: [(String, Double)] = []
            if let sweep {
                let idx = sweep.indices(of: k)
                for (a, axis) in sweep.axes.enumerated() {
                    let v = axis.values[idx[a]]
                    subs.append((axis.path, SweepPaths.text(v, family: axis.family, isInteger: axis.isInteger), axis.location))
                    params.append((axis.path, v))
                }
            }
            guard let spec = subs.isEmpty ? base : specialize(doc, subs, catalog: catalog, engine: engine) else { continue }
            var s = spec
            s.sweep = sweep
            points.append(SpecPoint(index: k, parameters: params, spec: s, substitutions: subs))
        }
        if engine.hasErrors { return CompileOutcome(compiled: nil, diagnostics: catalogNotes + engine.sorted, source: source) }
        let compiled = CompiledSpec(source: source, document: doc, base: base, points: points, catalog: catalog)
        return CompileOutcome(compiled: compiled, diagnostics: catalogNotes + engine.sorted, source: source)
    }

    /// Type-checks the document with `subs` written into it.
    static func specialize(
        _ doc: YAMLNode, _ subs: [(path: String, text: String, location: SourceLocation)],
        catalog: Catalog, engine: DiagnosticEngine
    ) -> ExperimentSpec? {
        var d = doc
        for s in subs {
            let node = YAMLNode.scalar(s.text, at: s.location)
            let parts = s.path.split(separator: ".").map(String.init)
            if !d.replace(path: parts, with: node) {
                engine.error("cannot set '\(s.path)': the spec has a different form there", at: s.location)
                return nil
            }
            if let shape = ExperimentSchema.shape(at: parts) {
                ShapeChecker(diagnostics: engine).check(node, against: shape, path: s.path)
            }
        }
        if engine.hasErrors { return nil }
        var builder = SpecBuilder(diagnostics: engine, catalog: catalog)
        return builder.build(d)
    }

    static func buildSweep(_ doc: YAMLNode, base: ExperimentSpec, engine: DiagnosticEngine) -> SweepSpec? {
        guard let s = doc["sweep"] else { return nil }
        let grid = s["grid"], zip = s["zip"]
        if grid != nil && zip != nil {
            engine.error(
                "a sweep is either 'grid' or 'zip', not both", at: s.location,
                hint: "pair axes with zip, or combine all with grid")
            return nil
        }
        guard let body = grid ?? zip, let entries = body.entries else {
            engine.error("a sweep needs 'grid:' or 'zip:' with at least one path", at: s.location)
            return nil
        }
        if entries.isEmpty {
            engine.error("the sweep names no path", at: body.location)
            return nil
        }
        let gammaSI = base.species?.linewidth, lambdaSI = base.species?.wavelength
        var axes: [SweepAxis] = []
        for e in entries {
            guard let t = SweepPaths.target(e.key, at: e.keyLocation, diagnostics: engine) else { continue }
            if let o = base.optimize, o.over == e.key {
                engine.error("'\(e.key)' is both swept and optimized over", at: e.keyLocation)
                continue
            }
            func val(_ n: YAMLNode) -> Double? {
                SweepPaths.value(n, family: t.family, gammaSI: gammaSI, lambdaSI: lambdaSI, diagnostics: engine, path: e.key)
            }
            var values: [Double] = []
            let r = e.value
            if let items = r.items ?? r["values"]?.items {
                for it in items { if let v = val(it) { values.append(v) } }
                if values.count != items.count { continue }
                if r.entries != nil, r["from"] != nil || r["to"] != nil || r["log"] != nil {
                    engine.error("give either 'values' or a range, not both", at: r.location)
                    continue
                }
            } else if let f = r["from"], let to = r["to"] {
                guard let a = val(f), let b = val(to) else { continue }
                guard let pn = r["points"], let n = Int(pn.scalar ?? "") else {
                    engine.error("a range needs 'points'", at: r.location, hint: "e.g. {from: …, to: …, points: 20}")
                    continue
                }
                if r["log"] != nil { engine.error("give either from/to or log, not both", at: r.location); continue }
                values = n == 1 ? [a] : (0..<n).map { a + (b - a) * Double($0) / Double(n - 1) }
                if n > 1 { values[n - 1] = b }
            } else if let logNode = r["log"], let l = logNode.items, l.count == 2 {
                guard let a = val(l[0]), let b = val(l[1]) else { continue }
                guard a > 0 && b > 0 else {
                    engine.error("a logarithmic range needs positive bounds", at: logNode.location)
                    continue
                }
                guard let pn = r["points"], let n = Int(pn.scalar ?? "") else {
                    engine.error("a range needs 'points'", at: r.location)
                    continue
                }
                values = n == 1 ? [a] : (0..<n).map { exp(log(a) + (log(b) - log(a)) * Double($0) / Double(n - 1)) }
                if n > 1 { values[0] = a; values[n - 1] = b }
            } else {
                engine.error(
                    "'\(e.key)' needs values: {from: …, to: …, points: …}, {log: [a, b], points: …} or a list",
                    at: r.location)
                continue
            }
            if t.isInteger {
                if values.contains(where: { !(abs($0) < 1e9) }) {
                    engine.error("'\(e.key)' takes whole numbers below 10⁹", at: r.location)
                    continue
                }
                let rounded = values.map { $0.rounded() }
                if Set(rounded).count != rounded.count {
                    engine.error(
                        "'\(e.key)' takes whole numbers and this range repeats some after rounding",
                        at: r.location, hint: "use fewer points or an explicit list")
                    continue
                }
                values = rounded
            }
            axes.append(SweepAxis(path: e.key, values: values, family: t.family, isInteger: t.isInteger, location: r.location))
        }
        if zip != nil, let n = axes.first?.values.count {
            for a in axes.dropFirst() where a.values.count != n {
                engine.error(
                    "zip axes must have equal lengths: '\(a.path)' has \(a.values.count) values, '\(axes[0].path)' has \(n)",
                    at: a.location)
            }
        }
        if Set(axes.map(\.path)).count != axes.count { engine.error("a path is swept twice", at: body.location) }
        return SweepSpec(mode: grid != nil ? .grid : .zip, axes: axes)
    }
}
