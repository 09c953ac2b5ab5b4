import Foundation
import Physics
import Planning
import Results
import SpecLanguage

/// A result bundle read back whole: its manifest (every file checked against its SHA-256), its spec
/// compiled with its own catalog, its plan as recorded, and the point outcomes as `run` had them —
/// `results.json` (docs/spec-language.md §11.4) decoded by the inverse of `ResultsDocument.json`,
/// each point's tables from `tables/point-NNNN/` (CSV, or `.npy` for large ones), and the timings from the manifest. What `redraw`
/// draws from, without computing anything.
public struct StoredBundle {
    public let folder: String
    public let manifest: BundleManifest
    /// The bundle's files in manifest order, with their bytes.
    public let files: [(path: String, data: Data)]
    /// The bundle's own spec (compiled with its archived catalog).
    public let archived: ArchivedSpec
    /// The plan the bundle was run with (`plan.json`).
    public let plan: ExecutionPlan
    public let outcomes: [PointOutcome]

    /// Reads and checks `folder`. Throws `BundleError.invalid` for anything that does not check out
    /// (a shard bundle, a modified file, a spec that is not the bundle's, undecodable results), and
    /// `ArchivedSpec.Failure` when the spec no longer compiles.
    public init(folder: String) throws {
        let (manifest, listed) = try BundleVerifier.check(folder)
        func bad(_ file: String, _ why: String) -> BundleError {
            BundleError.invalid(file: (folder as NSString).appendingPathComponent(file), reason: why)
        }
        guard manifest.kind == .bundle else {
            throw bad("manifest.json", "describes a shard bundle (from `run --shard`): merge its shards first")
        }
        var files: [(path: String, data: Data)] = []
        for (path, _) in listed {
            guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(path)) else {
                throw bad(path, "cannot be read")
            }
            files.append((path, data))
        }
        let archived = try ArchivedSpec(folder: folder, manifest: manifest)
        if let first = archived.mismatches.first { throw bad("spec.yaml", "does not belong to this bundle: \(first)") }
        func data(_ path: String) throws -> Data {
            guard let d = files.first(where: { $0.path == path })?.data else { throw bad(path, "is missing from the manifest") }
            return d
        }
        let plan: ExecutionPlan
        do { plan = try JSONDecoder().decode(ExecutionPlan.self, from: try data("plan.json")) } catch let e as BundleError {
            throw e
        } catch {
            throw bad("plan.json", "is not a plan this dipolesync reads (\(error))")
        }
        var outcomes: [PointOutcome]
        do { outcomes = try ResultsDocument.outcomes(from: JSONWriter.parse(try data("results.json"))) } catch let e as BundleError {
            throw e
        } catch {
            throw bad("results.json", "\(error)")
        }
        let timings = Dictionary((manifest.timings.points ?? []).map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        for k in outcomes.indices {
            let prefix = ResultsDocument.pointTablesFolder(outcomes[k].index)
            for f in files where f.path.hasPrefix(prefix) {
                let name = String(f.path.dropFirst(prefix.count).dropLast(4))
                if f.path.hasSuffix(".csv") {
                    guard let table = ResultsDocument.table(name: name, csv: String(decoding: f.data, as: UTF8.self)) else {
                        throw bad(f.path, "is not a table of numbers with a header")
                    }
                    outcomes[k].result.tables.append(table)
                } else if f.path.hasSuffix(".npy") {
                    // Large tables (docs/spec-language.md §11.3), as `TableFile.npy` wrote them.
                    do { outcomes[k].result.tables.append(try ResultsDocument.table(name: name, npy: f.data)) } catch {
                        throw bad(f.path, "\(error)")
                    }
                }
            }
            if let t = timings[outcomes[k].index] {
                outcomes[k].seconds = t.seconds
                if let solves = t.solves { outcomes[k].optimum?.evaluations = solves }
            }
        }
        self.folder = folder
        self.manifest = manifest
        self.files = files
        self.archived = archived
        self.plan = plan
        self.outcomes = outcomes
    }
}

extension ResultsDocument {
    /// The point outcomes of a `results.json` (the inverse of `json(name:outcomes:)` but for each
    /// point's tables and time, which live beside it). Throws `ResultsDecodingError` naming the
    /// point and field that is malformed.
    public static func outcomes(from doc: ResultValue) throws -> [PointOutcome] {
        guard case .array(let points)? = doc.field("points") else { throw ResultsDecodingError(where_: "", what: "has no 'points' list") }
        var out: [PointOutcome] = []
        var seen = Set<Int>()
        for (k, p) in points.enumerated() {
            func fail(_ what: String) -> ResultsDecodingError { ResultsDecodingError(where_: "points[\(k)]", what: what) }
            guard case .object(let fields) = p else { throw fail("is not an object") }
            func get(_ key: String) -> ResultValue? { fields.first { $0.0 == key }?.1 }
            guard let x = get("index")?.number, x >= 0, x < 1e9, x == x.rounded(), seen.insert(Int(x)).inserted else {
                throw fail("has no valid, unique 'index'")
            }
            guard case .object(let params)? = get("parameters") else { throw fail("has no 'parameters' object") }
            var parameters: [(path: String, value: Double)] = []
            for (name, v) in params {
                guard let value = v.number else { throw fail("parameter '\(name)' is not a number") }
                parameters.append((name, value))
            }
            guard case .string(let b)? = get("backend"), let backend = BackendKind(rawValue: b) else { throw fail("has no known 'backend'") }
            var optimum: (path: String, value: Double, evaluations: Int)?
            if let o = get("optimum") {
                guard case .object(let entries) = o, entries.count == 1, let value = entries[0].1.number else {
                    throw fail("has a malformed 'optimum'")
                }
                optimum = (entries[0].0, value, 0)
            }
            guard case .object(let observables)? = get("observables") else { throw fail("has no 'observables' object") }
            var result = PointResult(values: observables.map { (key: $0.0, value: $0.1) })
            if let m = get("method") {
                guard case .string(let s) = m else { throw fail("has a 'method' that is not text") }
                result.method = s
            }
            if let d = get("diagnostics") {
                guard case .object(let entries) = d else { throw fail("has a 'diagnostics' that is not an object") }
                result.diagnostics = entries.map { (key: $0.0, value: $0.1) }
            }
            out.append(
                PointOutcome(index: Int(x), parameters: parameters, backend: backend, result: result, optimum: optimum, seconds: 0))
        }
        return out
    }

    /// A table written by `csv(_:)` read back: a header of column names, then rows of numbers.
    static func table(name: String, csv: String) -> ResultTable? {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.first, let columns = csvFields(header) else { return nil }
        var rows: [[Double]] = []
        rows.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            var row: [Double] = []
            for f in line.split(separator: ",", omittingEmptySubsequences: false) {
                guard let x = Double(f) else { return nil }
                row.append(x)
            }
            guard row.count == columns.count else { return nil }
            rows.append(row)
        }
        return ResultTable(name: name, columns: columns, rows: rows)
    }

    /// A table written by `TableFile.npy` read back, its numbers as they lie in the file (`Storage.flat`).
    static func table(name: String, npy data: Data) throws -> ResultTable {
        let d = try TableFile.readNPY(data)
        return ResultTable(name: name, columns: d.columns, storage: .flat(d.values))
    }

    /// The fields of one CSV line written by `csvField` (quotes around fields holding a comma or a quote).
    static func csvFields(_ line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex && line[next] == "\"" {
                        field.append("\"")
                        i = next
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
            i = line.index(after: i)
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}

/// A `results.json` that does not decode: where and what.
public struct ResultsDecodingError: Error, CustomStringConvertible {
    public var where_: String
    public var what: String
    public var description: String { where_.isEmpty ? what : "\(where_) \(what)" }
}
