import Foundation
import Physics
import Results
import SpecLanguage

/// The free space of the folder a bundle will be written to, as the planner is told it (`run` and
/// `plan` read it from the file system, `DiskSpace.of`; tests inject any value).
public struct DiskSpace: Sendable, Equatable {
    /// The folder the bundle goes into (for the message).
    public var folder: String
    public var freeBytes: Int
    public init(folder: String, freeBytes: Int) {
        self.folder = folder
        self.freeBytes = freeBytes
    }

    /// The space available to this user on the file system of `path`'s nearest existing ancestor
    /// (statvfs f_bavail × f_frsize); nil when it cannot be read.
    public static func of(_ path: String) -> DiskSpace? {
        var p = URL(fileURLWithPath: path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: p.path) {
            let parent = p.deletingLastPathComponent()
            if parent.path == p.path { return nil }
            p = parent
        }
        var s = statvfs()
        guard statvfs(p.path, &s) == 0 else { return nil }
        let free = Double(s.f_bavail) * Double(s.f_frsize)
        return DiskSpace(folder: path, freeBytes: free < 9e18 ? Int(free) : Int.max)
    }
}

/// The bytes of a bundle's files, estimated from the spec before anything runs (docs/spec-language.md
/// §11.3): each point's tables (their row and column counts follow from N, the observables and the
/// evolution; `TableFile.bytes` gives a file's size in its format), its share of results.json and the
/// CSV summaries, the pictures and index.html, which draw at most a few thousand dipoles, and the
/// run's checkpoint, which holds the points until the bundle is written.
public enum ArtifactEstimate {
    /// One file (or group of files) and its estimated size.
    public struct Item: Sendable, Equatable {
        public var artifact: String
        public var bytes: Double
        /// The observable that makes it (to point an error at), if any.
        public var observable: ObservableKind?
    }

    /// Files that do not grow with N: spec, resolved spec, plan, manifest, index.html and the pictures
    /// with their data and scripts (`Figures.maxDrawnDipoles` dipoles at most).
    public static let fixedBytes = 8e6
    /// A point's share of results.json, points.csv and the per-observable CSVs, and its small tables
    /// (spectra, two-time correlations: a few thousand rows).
    public static let perPointBytes = 2e5

    /// Bytes a table's number takes in the run's checkpoint (each finished point as JSON beside the
    /// bundle until the bundle is written: rows of ≤ 16 numbers on one line, shortest round-trip form).
    public static let checkpointBytesPerNumber = 30.0

    /// The per-point tables of `spec` that grow with N or the samples: name, rows, columns, observable.
    static func tables(_ spec: ExperimentSpec) -> [(name: String, rows: Double, columns: Int, observable: ObservableKind?)] {
        let n = Double(spec.system.count)
        var out: [(String, Double, Int, ObservableKind?)] = []
        for o in spec.observables {
            switch o.kind {
            case .phases: out.append(("phases", n, 7, .phases))
            case .correlations: out.append(("correlations", n * n, 4, .correlations))
            default: continue
            }
        }
        if case .until(_, let samples) = spec.evolution {
            // t and up to two columns an observable (ZQ and ZQ2).
            out.append(("timeseries", Double(samples), 1 + 2 * spec.observables.count, nil))
        }
        return out
    }

    /// The largest files of one point of `spec` (index `point`), named as the bundle will name them.
    public static func items(_ spec: ExperimentSpec, point: Int) -> [Item] {
        let dir = String(format: "tables/point-%04d/", point)
        return tables(spec).map { t in
            Item(
                artifact: dir + t.name + "." + TableFile.format(rows: t.rows, columns: t.columns).fileExtension,
                bytes: TableFile.bytes(rows: t.rows, columns: t.columns), observable: t.observable)
        }
    }

    /// The disk a run of `compiled` needs at its peak, when the bundle is written beside the
    /// checkpoint of its points: the fixed files, every point's share and tables, and the
    /// checkpoint's copy of the tables (of an N²-row table whose point's backend holds it as factors,
    /// `factored(point)`, three numbers a dipole); with the largest single file.
    public static func total(
        _ compiled: CompiledSpec, factored: (Int) -> Set<ObservableKind> = { _ in [] }
    ) -> (bytes: Double, largest: Item?) {
        var total = fixedBytes
        var largest: Item?
        for p in compiled.points {
            total += 2 * perPointBytes
            for item in items(p.spec, point: p.index) {
                total += item.bytes
                if item.bytes > (largest?.bytes ?? 0) { largest = item }
            }
            let compact = factored(p.index)
            for t in tables(p.spec) {
                let numbers = t.observable.map(compact.contains) == true ? 3 * Double(p.spec.system.count) : t.rows * Double(t.columns)
                total += checkpointBytesPerNumber * numbers
            }
        }
        return (total, largest)
    }
}
