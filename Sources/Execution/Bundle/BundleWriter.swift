import Foundation
import LinearAlgebra
import Physics
import Planning
import Results
import SpecLanguage

/// Errors of writing or reading bundles (exit 1 for a bundle that does not check out, 3 for I/O).
public enum BundleError: Error, CustomStringConvertible {
    case exists(String)
    case io(String)
    case invalid(file: String, reason: String)

    public var description: String {
        switch self {
        case .exists(let p): return "a bundle already exists at \(p) (use --force to replace it)"
        case .io(let s): return s
        case .invalid(let f, let r): return "\(f): \(r)"
        }
    }
}

/// The program's identity, recorded in manifests.
public enum ProgramInfo {
    public static let name = "dipolesync"
    public static let version = "0.1.0"
    public static let bundleFormat = 1

    /// The git revision of the source tree this executable was built from and whether its tracked
    /// files had changes, fixed at build time (scripts/provenance); "unknown" for a build outside a
    /// git checkout.
    public static let sourceRevision: (revision: String, dirty: Bool) = (BuildProvenance.revision, BuildProvenance.modified)

}

/// Everything a bundle holds, as file contents, before it touches the disk.
public struct BundleContents {
    public var id: String
    public var files: [(path: String, data: Data)]
    /// What the figures note about themselves (a `from:` bundle not found, a curve without a finite
    /// point, a contour level outside the map's values), each as "figure 'NAME': note": the commands
    /// that write the bundle print them as warnings.
    public var notes: [String] = []

    public func data(_ path: String) -> Data? { files.first { $0.path == path }?.data }
}

public enum BundleWriter {
    /// The bundle ID: the first 12 hex digits of the SHA-256 of the canonical (compact) resolved spec.
    public static func id(_ compiled: CompiledSpec) -> String {
        String(SHA256.hex(JSONWriter.write(compiled.resolved(), pretty: false)).prefix(12))
    }

    /// The results and tables of a run: the part of a bundle that `rerun` compares.
    public static func resultFiles(compiled: CompiledSpec, outcomes: [PointOutcome]) -> [(path: String, data: Data)] {
        var files: [(String, Data)] = [
            ("results.json", Data(JSONWriter.write(ResultsDocument.json(name: compiled.base.name, outcomes: outcomes)).utf8))
        ]
        files += ResultsDocument.tables(outcomes)
        return files
    }

    /// Every file of the bundle. `merge` passes the shards' BLAS record (they computed the numbers)
    /// and the list of shards it merged, which the manifest records.
    public static func contents(
        compiled: CompiledSpec, plan: ExecutionPlan, outcomes: [PointOutcome],
        threads: Int, totalSeconds: Double, libraries: BundleManifest.Libraries = .current,
        mergedFrom: [BundleManifest.MergedShard]? = nil
    ) -> BundleContents {
        let bundleID = id(compiled)
        var files: [(path: String, data: Data)] = []
        files.append(("spec.yaml", Data(compiled.source.text.utf8)))
        files.append(("resolved.json", Data(JSONWriter.write(compiled.resolved()).utf8)))
        files.append(("plan.json", Data((plan.json() + "\n").utf8)))
        files += resultFiles(compiled: compiled, outcomes: outcomes)
        if let s = compiled.base.species {
            files.append(("catalog.yaml", Data(Catalog.file(holding: [s]).utf8)))
        }
        let drawn = pictures(compiled: compiled, plan: plan, outcomes: outcomes)
        files += drawn.files
        let manifest = BundleManifest.bundle(
            compiled: compiled, plan: plan, outcomes: outcomes, threads: threads,
            totalSeconds: totalSeconds, files: files, libraries: libraries, mergedFrom: mergedFrom)
        files.append(("manifest.json", manifest.data))
        return BundleContents(id: bundleID, files: files, notes: drawn.notes)
    }

    /// The files drawn from the results, last in a bundle: every figure (SVG, CSV, script) and
    /// index.html; and what the figures note about themselves (a `from:` bundle not found, …), as
    /// "figure 'NAME': note".
    static func pictures(
        compiled: CompiledSpec, plan: ExecutionPlan, outcomes: [PointOutcome]
    ) -> (files: [(path: String, data: Data)], notes: [String]) {
        let figures = Figures.figures(spec: compiled.base, outcomes: outcomes)
        let page = IndexPage.html(compiled: compiled, plan: plan, outcomes: outcomes, figures: figures.map(\.name))
        return (Figures.files(figures) + [("index.html", Data(page.utf8))], figures.flatMap { f in f.notes.map { "figure '\(f.name)': \($0)" } })
    }

    /// `stored` with its pictures drawn again by this program from its stored results, under the spec
    /// `compiled` (the bundle's own, or one that differs from it only where the bundle ID does not
    /// look: `figures:` or comments). Every other file keeps its bytes; the manifest
    /// lists the new files and records the redraw (`redrawn`), keeping the original run's record.
    /// The figures' notes are the contents' `notes`.
    public static func redrawn(_ stored: StoredBundle, compiled: CompiledSpec) -> BundleContents {
        var files = stored.files.filter { !$0.path.hasPrefix("figures/") && $0.path != "index.html" }
        if let k = files.firstIndex(where: { $0.path == "spec.yaml" }) { files[k].data = Data(compiled.source.text.utf8) }
        let drawn = pictures(compiled: compiled, plan: stored.plan, outcomes: stored.outcomes)
        files += drawn.files
        var manifest = stored.manifest
        manifest.files = BundleManifest.hashes(files)
        manifest.redrawn = BundleManifest.Redrawn(program: .current, created: BundleManifest.now())
        files.append(("manifest.json", manifest.data))
        return BundleContents(id: id(compiled), files: files, notes: drawn.notes)
    }

    /// Writes the bundle into a temporary sibling folder and renames it into place when complete,
    /// so a failure leaves nothing behind. Returns the bundle's path. With `force`, an existing folder
    /// is replaced only when it is a dipolesync folder of the same kind (a bundle, or a shard bundle);
    /// anything else there is refused (`TargetError`).
    public static func write(_ contents: BundleContents, to target: String, force: Bool) throws -> String {
        let fm = FileManager.default
        let dest = URL(fileURLWithPath: OutputTarget.absolute(target))
        let parent = dest.deletingLastPathComponent()
        try OutputTarget.check(dest.path, kind: contents.kind, force: force)
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw BundleError.io("cannot create \(parent.path): \(IOMessage.reason(error))")
        }
        let tmp = parent.appendingPathComponent(".\(dest.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        if FileStatus.of(tmp.path) == .directory { try? fm.removeItem(at: tmp) }
        do {
            for f in contents.files {
                let url = tmp.appendingPathComponent(f.path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try f.data.write(to: url)
            }
            if FileStatus.of(dest.path) != .missing {
                let old = parent.appendingPathComponent(".\(dest.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
                try fm.moveItem(at: dest, to: old)
                try fm.moveItem(at: tmp, to: dest)
                try? fm.removeItem(at: old)
            } else {
                try fm.moveItem(at: tmp, to: dest)
            }
        } catch {
            try? fm.removeItem(at: tmp)
            throw BundleError.io("could not write the bundle to \(dest.path): \(IOMessage.reason(error))")
        }
        return dest.path
    }
}

extension BundleContents {
    /// A shard bundle or a result bundle, by its manifest's "kind".
    public var kind: TargetKind {
        guard let m = data("manifest.json"), let manifest = try? BundleManifest(json: m) else { return .bundle }
        return manifest.kind == .shard ? .shard : .bundle
    }
}
