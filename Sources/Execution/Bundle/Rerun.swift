import Foundation
import Physics
import Planning
import Results
import SpecLanguage

/// Checking a bundle: its files against the manifest's hashes, and re-executed numbers against the
/// stored ones.
public enum BundleVerifier {
    /// Reads manifest.json and checks that every listed file exists with the recorded SHA-256 and that
    /// the required files are there. Throws `BundleError.invalid` naming the offending file.
    public static func verify(_ dir: String) throws -> [(path: String, sha: String)] {
        try check(dir).files
    }

    /// `verify`, returning the manifest read back as well.
    public static func check(_ dir: String) throws -> (manifest: BundleManifest, files: [(path: String, sha: String)]) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw BundleError.invalid(file: dir, reason: "not a bundle folder")
        }
        let manifestPath = (dir as NSString).appendingPathComponent("manifest.json")
        // Every entry of the bundle, without following links: symbolic links are refused anywhere.
        let present = try entries(of: dir)
        guard let data = fm.contents(atPath: manifestPath) else {
            throw BundleError.invalid(file: manifestPath, reason: "missing (not a dipolesync bundle?)")
        }
        let value: ResultValue
        do { value = try JSONWriter.parse(data) } catch {
            throw BundleError.invalid(file: manifestPath, reason: "\(error)")
        }
        if value.field("kind") == .string("submission") {
            throw BundleError.invalid(
                file: dir, reason: "is the work folder of `dipolesync submit`, not a bundle (its shards are merged into the bundle it names)")
        }
        if case .number(let f)? = value.field("format"), f > Double(ProgramInfo.bundleFormat) {
            throw BundleError.invalid(
                file: manifestPath, reason: "bundle format \(f) is newer than this dipolesync reads (\(ProgramInfo.bundleFormat))")
        }
        guard case .object? = value.field("files") else {
            throw BundleError.invalid(file: manifestPath, reason: "has no 'files' table")
        }
        let manifest: BundleManifest
        do { manifest = try ResultValueCoder.decode(BundleManifest.self, from: value) } catch {
            if case .object(let files)? = value.field("files"),
                let bad = files.first(where: { if case .string = $0.1 { return false } else { return true } })
            {
                throw BundleError.invalid(file: manifestPath, reason: "bad hash for \(bad.0)")
            }
            throw BundleError.invalid(file: manifestPath, reason: "is not a dipolesync manifest: it \(BundleManifest.explain(error))")
        }
        var out: [(String, String)] = []
        for (path, sha) in manifest.files.map({ ($0.path, $0.sha256) }) {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }), path != "manifest.json" else {
                throw BundleError.invalid(file: manifestPath, reason: "refuses the path '\(path)'")
            }
            let full = (dir as NSString).appendingPathComponent(path)
            guard let bytes = fm.contents(atPath: full) else {
                throw BundleError.invalid(file: full, reason: "is listed in the manifest but missing")
            }
            let actual = SHA256.hex(bytes)
            if actual != sha {
                throw BundleError.invalid(file: full, reason: "does not match its SHA-256 in the manifest (modified or truncated)")
            }
            out.append((path, sha))
        }
        // Every file must be accounted for: one the manifest does not list is not part of the bundle.
        let listed = Set(out.map(\.0))
        if let stray = present.first(where: { $0 != "manifest.json" && !listed.contains($0) }) {
            throw BundleError.invalid(
                file: (dir as NSString).appendingPathComponent(stray),
                reason: "is not listed in the manifest (added after the bundle was written?); a bundle holds only the files its manifest lists")
        }
        for required in ["spec.yaml", "results.json", "resolved.json"] where !out.contains(where: { $0.0 == required }) {
            throw BundleError.invalid(file: (dir as NSString).appendingPathComponent(required), reason: "is missing from the manifest")
        }
        return (manifest, out)
    }

    /// The relative paths of the files (not folders) under `dir`, sorted; throws for a symbolic link
    /// or anything that is neither a file nor a folder.
    static func entries(of dir: String) throws -> [String] {
        var out: [String] = []
        func walk(_ rel: String) throws {
            let full = rel.isEmpty ? dir : (dir as NSString).appendingPathComponent(rel)
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: full) } catch {
                throw BundleError.invalid(file: full, reason: "cannot be read (\(IOMessage.reason(error)))")
            }
            for n in names.sorted() {
                let r = rel.isEmpty ? n : rel + "/" + n
                let path = (dir as NSString).appendingPathComponent(r)
                switch FileStatus.of(path) {
                case .file: out.append(r)
                case .directory: try walk(r)
                case .symlink:
                    let to = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                    throw BundleError.invalid(file: path, reason: "is a symbolic link (to \(to)); a bundle holds only its own files")
                case .missing: continue
                case .other: throw BundleError.invalid(file: path, reason: "is not a regular file")
                }
            }
        }
        try walk("")
        return out
    }

    /// One number that did not reproduce.
    public struct Difference: CustomStringConvertible {
        public var file: String
        public var location: String
        public var stored: String
        public var recomputed: String
        public var relative: Double
        /// A difference in how the solver got there (its `method` text or `diagnostics`: residuals,
        /// iteration counts), not in a result: reported, but it does not make a rerun fail.
        public var isSolverDetail: Bool {
            file == "results.json" && (location.hasSuffix(".method") || location.contains(".diagnostics"))
        }
        /// A key of results.json that the bundle does not hold and this program writes (a result added to
        /// an observable by a newer program, docs/reproducibility.md §5): listed, but it does not make a
        /// rerun fail, since every number the bundle holds is still compared.
        public var isAddedKey: Bool { file == "results.json" && stored == Self.absent && recomputed == Self.present }
        static let absent = "absent", present = "present"
        /// The key's path without list indices and without the point's prefix (`two-time.gamma-slow` for
        /// `points[3].observables.two-time[0].gamma-slow`).
        public var keyPath: String {
            var path = location.replacingOccurrences(of: #"\[[0-9]+\]"#, with: "", options: .regularExpression)
            if path.hasPrefix("points.") { path.removeFirst("points.".count) }
            if path.hasPrefix("observables.") { path.removeFirst("observables.".count) }
            return path
        }
        public var description: String {
            "\(file)  \(location)  stored \(stored)  now \(recomputed)" + (relative.isFinite ? String(format: "  (rel %.2e)", relative) : "")
        }
    }

    /// Compares two JSON values number by number: bit-identical when `rtol` is 0.
    public static func compare(
        _ a: ResultValue, _ b: ResultValue, file: String, rtol: Double, at path: String = "",
        into out: inout [Difference]
    ) {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            if !same(x, y, rtol: rtol) { out.append(Difference(file: file, location: path, stored: "\(x)", recomputed: "\(y)", relative: rel(x, y))) }
        case (.array(let xs), .array(let ys)):
            if xs.count != ys.count {
                out.append(Difference(file: file, location: path, stored: "\(xs.count) items", recomputed: "\(ys.count) items", relative: .nan))
                return
            }
            for i in xs.indices { compare(xs[i], ys[i], file: file, rtol: rtol, at: path + "[\(i)]", into: &out) }
        case (.object(let xs), .object(let ys)):
            let keys = xs.map(\.0) + ys.map(\.0).filter { k in !xs.contains { $0.0 == k } }
            for k in keys {
                let x = xs.first { $0.0 == k }?.1, y = ys.first { $0.0 == k }?.1
                let p = path.isEmpty ? k : path + "." + k
                if let x, let y {
                    compare(x, y, file: file, rtol: rtol, at: p, into: &out)
                } else {
                    out.append(
                        Difference(
                            file: file, location: p, stored: x == nil ? Difference.absent : Difference.present,
                            recomputed: y == nil ? Difference.absent : Difference.present, relative: .nan))
                }
            }
        default:
            if a != b { out.append(Difference(file: file, location: path, stored: short(a), recomputed: short(b), relative: .nan)) }
        }
    }

    /// Compares two CSV texts cell by cell (numbers with `rtol`, other cells exactly).
    public static func compareCSV(_ a: String, _ b: String, file: String, rtol: Double, into out: inout [Difference]) {
        let ra = a.split(separator: "\n", omittingEmptySubsequences: false), rb = b.split(separator: "\n", omittingEmptySubsequences: false)
        if ra.count != rb.count {
            out.append(Difference(file: file, location: "rows", stored: "\(ra.count)", recomputed: "\(rb.count)", relative: .nan))
            return
        }
        for (i, (la, lb)) in zip(ra, rb).enumerated() where la != lb {
            let ca = la.split(separator: ",", omittingEmptySubsequences: false), cb = lb.split(separator: ",", omittingEmptySubsequences: false)
            if ca.count != cb.count {
                out.append(Difference(file: file, location: "row \(i)", stored: String(la), recomputed: String(lb), relative: .nan))
                continue
            }
            for (j, (x, y)) in zip(ca, cb).enumerated() where x != y {
                if let dx = Double(x), let dy = Double(y), same(dx, dy, rtol: rtol) { continue }
                out.append(
                    Difference(
                        file: file, location: "row \(i), column \(j + 1)", stored: String(x), recomputed: String(y),
                        relative: Double(x).flatMap { dx in Double(y).map { rel(dx, $0) } } ?? .nan))
            }
        }
    }

    /// Compares two `.npy` tables (`TableFile`) cell by cell with `rtol`: their columns and row
    /// counts must agree; at most `listedCells` differing cells are listed, then their count.
    public static func compareNPY(_ a: Data, _ b: Data, file: String, rtol: Double, listedCells: Int = 100, into out: inout [Difference]) {
        if a == b { return }
        let ta: TableFile.Decoded, tb: TableFile.Decoded
        do { ta = try TableFile.readNPY(a) } catch {
            out.append(Difference(file: file, location: "", stored: "unreadable: \(error)", recomputed: "", relative: .nan))
            return
        }
        do { tb = try TableFile.readNPY(b) } catch {
            out.append(Difference(file: file, location: "", stored: "", recomputed: "unreadable: \(error)", relative: .nan))
            return
        }
        guard ta.columns == tb.columns else {
            out.append(
                Difference(
                    file: file, location: "columns", stored: ta.columns.joined(separator: ","), recomputed: tb.columns.joined(separator: ","),
                    relative: .nan))
            return
        }
        guard ta.rows == tb.rows else {
            out.append(Difference(file: file, location: "rows", stored: "\(ta.rows)", recomputed: "\(tb.rows)", relative: .nan))
            return
        }
        let m = max(ta.columns.count, 1)
        var listed = 0, more = 0
        for k in ta.values.indices where !same(ta.values[k], tb.values[k], rtol: rtol) {
            if listed < listedCells {
                listed += 1
                out.append(
                    Difference(
                        file: file, location: "row \(k / m), column \(k % m + 1) (\(ta.columns[k % m]))",
                        stored: JSONWriter.number(ta.values[k]), recomputed: JSONWriter.number(tb.values[k]),
                        relative: rel(ta.values[k], tb.values[k])))
            } else {
                more += 1
            }
        }
        if more > 0 {
            out.append(Difference(file: file, location: "\(more) more cells", stored: "", recomputed: "differ", relative: .nan))
        }
    }

    static func same(_ x: Double, _ y: Double, rtol: Double) -> Bool {
        if x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) { return true }
        if rtol == 0 { return false }
        return abs(x - y) <= rtol * max(abs(x), abs(y)) || abs(x - y) < 1e-300
    }

    static func rel(_ x: Double, _ y: Double) -> Double {
        let m = max(abs(x), abs(y))
        return m > 0 ? abs(x - y) / m : 0
    }

    static func short(_ v: ResultValue) -> String {
        let s = JSONWriter.write(v, pretty: false)
        return s.count > 40 ? String(s.prefix(37)) + "…" : s
    }

    /// Compares the re-executed results and tables with the bundle's stored files: returns how many
    /// files were compared and every difference.
    public static func compareResults(
        bundle: String, listed: [(path: String, sha: String)],
        fresh: [(path: String, data: Data)], rtol: Double
    ) -> (compared: Int, differences: [Difference]) {
        var differences: [Difference] = []
        var compared = 0
        for (path, _) in listed where path == "results.json" || (path.hasPrefix("tables/") && (path.hasSuffix(".csv") || path.hasSuffix(".npy"))) {
            let storedData = FileManager.default.contents(atPath: (bundle as NSString).appendingPathComponent(path)) ?? Data()
            guard let now = fresh.first(where: { $0.path == path })?.data else {
                differences.append(Difference(file: path, location: "", stored: "present", recomputed: "not produced", relative: .nan))
                continue
            }
            compared += 1
            if path.hasSuffix(".json") {
                do {
                    try compare(JSONWriter.parse(storedData), JSONWriter.parse(now), file: path, rtol: rtol, into: &differences)
                } catch {
                    differences.append(Difference(file: path, location: "", stored: "unreadable", recomputed: "", relative: .nan))
                }
            } else if path.hasSuffix(".npy") {
                compareNPY(storedData, now, file: path, rtol: rtol, into: &differences)
            } else {
                compareCSV(
                    String(decoding: storedData, as: UTF8.self), String(decoding: now, as: UTF8.self),
                    file: path, rtol: rtol, into: &differences)
            }
        }
        for f in fresh where !listed.contains(where: { $0.path == f.path }) {
            differences.append(Difference(file: f.path, location: "", stored: "absent", recomputed: "produced", relative: .nan))
        }
        return (compared, differences)
    }
}
