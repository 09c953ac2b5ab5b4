import Foundation
import Physics
import Planning
import Results
import SpecLanguage

/// A bundle or shard bundle read back for re-execution: its manifest, and its `spec.yaml` compiled
/// with the bundle's own `catalog.yaml` (so it does not depend on today's catalog) and checked against
/// what the bundle says it is. The one loader `rerun` and `merge` share.
public struct ArchivedSpec {
    public struct Failure: Error, CustomStringConvertible {
        /// Rendered diagnostics or the reason, one per line.
        public var lines: [String]
        public var description: String { lines.joined(separator: "\n") }
    }

    /// The bundle folder.
    public let folder: String
    /// Its manifest, as read (and verified) by `BundleVerifier.check`.
    public let manifest: BundleManifest
    /// Its spec, compiled with its archived catalog.
    public let compiled: CompiledSpec
    /// What does not match between the recompiled spec and the bundle: its `resolved.json` (byte for
    /// byte) and the spec ID and resolved-spec SHA-256 in its manifest. Empty when all match.
    public let mismatches: [String]

    /// Compiles `folder/spec.yaml` with `folder/catalog.yaml` (if present) and compares it with the
    /// bundle. Throws `Failure` with the rendered diagnostics when it does not compile.
    public init(folder: String, manifest: BundleManifest) throws {
        self.folder = folder
        self.manifest = manifest
        compiled = try Self.compile(folder)
        mismatches = Self.mismatches(folder, manifest: manifest, compiled: compiled)
    }

    /// Compiles the bundle's `spec.yaml`, or the spec file `specPath` in its place, with the
    /// bundle's archived catalog.
    public static func compile(_ dir: String, specPath: String? = nil) throws -> CompiledSpec {
        let specPath = specPath ?? (dir as NSString).appendingPathComponent("spec.yaml")
        guard let bytes = FileManager.default.contents(atPath: specPath) else {
            throw Failure(lines: ["\(specPath): missing"])
        }
        var catalog = Catalog()
        let archived = (dir as NSString).appendingPathComponent("catalog.yaml")
        if FileManager.default.fileExists(atPath: archived) { catalog.load(file: archived) }
        let outcome = SpecCompiler.compile(bytes: Array(bytes), path: specPath, catalog: catalog)
        let catalogErrors = catalog.problems.filter { $0.severity == .error }
        let errors = outcome.diagnostics.filter { $0.severity == .error }
        guard let compiled = outcome.compiled, errors.isEmpty, catalogErrors.isEmpty else {
            throw Failure(
                lines: catalogErrors.map { "\($0.file):\($0.location.line):\($0.location.column): error: \($0.message)" }
                    + errors.map { DiagnosticRenderer.text($0, source: outcome.source) })
        }
        return compiled
    }

    static func mismatches(_ dir: String, manifest: BundleManifest, compiled: CompiledSpec) -> [String] {
        var out: [String] = []
        let fresh = Data(JSONWriter.write(compiled.resolved()).utf8)
        let stored = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("resolved.json"))
        if stored != fresh {
            var where_ = ""
            if let s = stored, let a = try? JSONWriter.parse(s), let b = try? JSONWriter.parse(fresh) {
                var d: [BundleVerifier.Difference] = []
                BundleVerifier.compare(a, b, file: "resolved.json", rtol: 0, into: &d)
                where_ = d.prefix(3).map { " \($0.location.isEmpty ? "(whole file)" : $0.location): stored \($0.stored), now \($0.recomputed)" }
                    .joined(separator: ";")
            }
            out.append("resolved.json is not what its spec.yaml resolves to\(where_.isEmpty ? "" : ":" + where_)")
        }
        let id = BundleWriter.id(compiled), sha = SpecIdentity(compiled).resolvedSHA256
        if manifest.spec.id != id {
            out.append("manifest.json names the spec id \(short(.string(manifest.spec.id))), but spec.yaml resolves to \(id)")
        }
        if manifest.spec.resolvedSHA256 != sha {
            out.append("manifest.json names the resolved spec \(short(.string(manifest.spec.resolvedSHA256))), but spec.yaml resolves to \(sha)")
        }
        return out
    }

    static func short(_ v: ResultValue?) -> String { v.map { BundleVerifier.short($0) } ?? "none" }

    /// The memory budget the bundle was planned with (plan.json `memoryBudget`), so that a rerun plans
    /// as the original run did whatever this machine's memory.
    public var plannedMemoryBudget: Int? {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("plan.json")),
            let plan = try? JSONWriter.parse(data), case .number(let b)? = plan.field("memoryBudget"),
            b.isFinite, b > 0, b < 9.0e18
        else { return nil }
        return Int(b)
    }

    /// How each point held its couplings (plan.json's `couplings`; absent: dense matrices or uniform
    /// numbers) and which symmetry of its state it stored once (`symmetry`; absent: none) when the bundle
    /// was computed are choices the planner's thresholds make and a version may change (the cumulant
    /// backend's lattice couplings moved from 2000 to 400 dipoles on 2026-12-04; its reflection-symmetric
    /// layout came on 2026-12-06), and so is the revision of the backend's iterative solver
    /// (`solverRevision`; absent: 1); the results agree between them only to the solver's tolerance, so a
    /// rerun holds them as the bundle did. Sets `fresh`'s points to the stored choices (points matched by
    /// index, same backend) and returns a note per choice it changed.
    public static func pinStorage(_ fresh: inout ExecutionPlan, to stored: ExecutionPlan) -> [String] {
        let byIndex = Dictionary(stored.points.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        var notes: [String] = []
        for i in fresh.points.indices {
            guard let old = byIndex[fresh.points[i].index], old.backend == fresh.points[i].backend else { continue }
            let index = fresh.points[i].index
            if old.couplings != fresh.points[i].couplings {
                let name: (CouplingRepresentation?) -> String = { $0?.rawValue ?? "dense" }
                notes.append(
                    "point \(index): couplings held \(name(old.couplings)) as in plan.json (this version would choose \(name(fresh.points[i].couplings)))"
                )
                fresh.points[i].couplings = old.couplings
            }
            if old.symmetry != fresh.points[i].symmetry {
                let name: (StateSymmetry?) -> String = { $0?.rawValue ?? "none" }
                notes.append(
                    "point \(index): state symmetry \(name(old.symmetry)) as in plan.json (this version would choose \(name(fresh.points[i].symmetry)))"
                )
                fresh.points[i].symmetry = old.symmetry
            }
            if old.solverRevision != fresh.points[i].solverRevision {
                let name: (Int?) -> String = { $0.map(String.init) ?? "1 (none recorded)" }
                notes.append(
                    "point \(index): solver revision \(name(old.solverRevision)) as in plan.json (this version would use \(name(fresh.points[i].solverRevision)))"
                )
                fresh.points[i].solverRevision = old.solverRevision
            }
        }
        return notes
    }

    /// Compares the bundle's `plan.json` with the plan made now. Every point must be planned alike
    /// (same points, and for each its dipoles, parameters, backend and method): that is what the
    /// results depend on. Anything else (cost estimates, reasons, thresholds, the memory budget, node
    /// labels) may change between versions and machines and is returned as notes.
    public func comparePlan(fresh: ExecutionPlan) -> (mismatches: [String], notes: [String]) {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("plan.json")),
            let stored = try? JSONWriter.parse(data)
        else {
            return (["plan.json is missing or unreadable"], [])
        }
        guard let now = try? JSONWriter.parse(Data(fresh.json().utf8)) else { return ([], ["the plan made now could not be read back"]) }
        var mismatches: [String] = [], changed: [String: Int] = [:]
        guard case .array(let a)? = stored.field("points"), case .array(let b)? = now.field("points") else {
            return (["plan.json has no points"], [])
        }
        if a.count != b.count { mismatches.append("plan.json has \(a.count) points, the spec now plans \(b.count)") }
        let essential = ["index", "dipoles", "parameters", "backend", "method"]
        for (x, y) in zip(a, b) {
            let i = x.field("index").map { BundleVerifier.short($0) } ?? "?"
            for k in essential where x.field(k) != y.field(k) {
                mismatches.append("point \(i): \(k) was \(Self.short(x.field(k))) in plan.json, now \(Self.short(y.field(k)))")
            }
            if case .object(let fx) = x, case .object(let fy) = y {
                for k in Set(fx.map(\.0) + fy.map(\.0)) where !essential.contains(k) && x.field(k) != y.field(k) {
                    changed["points[].\(k)", default: 0] += 1
                }
            }
        }
        if case .object(let top) = stored, case .object(let topNow) = now {
            for k in Set(top.map(\.0) + topNow.map(\.0)) where k != "points" && stored.field(k) != now.field(k) {
                changed[k, default: 0] += 1
            }
        }
        let notes = changed.keys.sorted().map { k in
            k.hasPrefix("points[]")
                ? "plan.json: \(k.dropFirst(9)) of \(changed[k, default: 0]) point\(changed[k, default: 0] == 1 ? "" : "s") changed"
                : "plan.json: \(k) changed"
        }
        return (mismatches, notes)
    }

    /// The plan that ran, as stored in `plan.json` (nil when it is missing or unreadable).
    public var storedPlan: ExecutionPlan? {
        let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("plan.json")) ?? Data()
        return try? JSONDecoder().decode(ExecutionPlan.self, from: data)
    }
}
