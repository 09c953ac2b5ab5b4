import Foundation
import Physics
import Planning
import Results
import SpecLanguage

/// `results.json` (layout fixed by docs/spec-language.md §11.4) and the CSV tables, built from the point outcomes.
public enum ResultsDocument {
    public static func json(name: String, outcomes: [PointOutcome]) -> ResultValue {
        .object([
            ("dipolesync", .number(1)),
            ("name", .string(name)),
            ("points", .array(outcomes.sorted { $0.index < $1.index }.map(point)))
        ])
    }

    static func point(_ o: PointOutcome) -> ResultValue {
        var p: [(String, ResultValue)] = [
            ("index", .number(Double(o.index))),
            ("parameters", .object(o.parameters.map { ($0.path, .number($0.value)) })),
            ("backend", .string(o.backend.rawValue))
        ]
        if let opt = o.optimum { p.append(("optimum", .object([(opt.path, .number(opt.value))]))) }
        p.append(("observables", .object(o.result.values.map { ($0.key, $0.value) })))
        if !o.result.method.isEmpty { p.append(("method", .string(o.result.method))) }
        if !o.result.diagnostics.isEmpty { p.append(("diagnostics", .object(o.result.diagnostics.map { ($0.key, $0.value) }))) }
        return .object(p)
    }

    /// Scalar observable keys present at any point, in first-seen order.
    static func scalarKeys(_ outcomes: [PointOutcome]) -> [String] {
        var keys: [String] = []
        for o in outcomes { for (k, v) in o.result.values where v.number != nil && !keys.contains(k) { keys.append(k) } }
        return keys
    }

    /// The tables: `tables/points.csv` (every point, every scalar), `tables/<observable>.csv` per scalar
    /// observable, and each point's own tables under `tables/point-NNNN/`, as CSV or, above
    /// `TableFile.csvMaxCells` numbers, as NumPy `.npy` (docs/spec-language.md §11.3).
    public static func tables(_ outcomes: [PointOutcome]) -> [(path: String, data: Data)] {
        let sorted = outcomes.sorted { $0.index < $1.index }
        var files: [(String, Data)] = []
        let paramNames = sorted.first?.parameters.map(\.path) ?? []
        let optimumName = sorted.first?.optimum.map { "optimum:" + $0.path }
        let keys = scalarKeys(sorted)
        var header = ["index"] + paramNames
        if let o = optimumName { header.append(o) }
        header += ["backend"] + keys
        var rows = [header.map(csvField).joined(separator: ",")]
        for o in sorted {
            var r = [String(o.index)] + o.parameters.map { num($0.value) }
            if optimumName != nil { r.append(o.optimum.map { num($0.value) } ?? "") }
            r.append(o.backend.rawValue)
            r += keys.map { k in o.result.number(k).map(num) ?? "" }
            rows.append(r.joined(separator: ","))
        }
        files.append(("tables/points.csv", Data((rows.joined(separator: "\n") + "\n").utf8)))
        if !paramNames.isEmpty {
            for k in keys {
                var lines = [(paramNames + (optimumName.map { [$0] } ?? []) + [k]).map(csvField).joined(separator: ",")]
                for o in sorted {
                    var r = o.parameters.map { num($0.value) }
                    if optimumName != nil { r.append(o.optimum.map { num($0.value) } ?? "") }
                    r.append(o.result.number(k).map(num) ?? "")
                    lines.append(r.joined(separator: ","))
                }
                files.append(("tables/\(fileName(k)).csv", Data((lines.joined(separator: "\n") + "\n").utf8)))
            }
        }
        for o in sorted {
            for t in o.result.tables {
                files.append((tablePath(point: o.index, t), TableFile.format(of: t) == .npy ? TableFile.npy(t) : Data(csv(t).utf8)))
            }
        }
        return files
    }

    /// The folder of one point's own tables.
    static func pointTablesFolder(_ index: Int) -> String { String(format: "tables/point-%04d/", index) }

    /// Where a point's table goes: `tables/point-NNNN/NAME.csv` or `.npy` (`TableFile.format`).
    public static func tablePath(point: Int, _ t: ResultTable) -> String {
        pointTablesFolder(point) + fileName(t.name) + "." + TableFile.format(of: t).fileExtension
    }

    public static func csv(_ t: ResultTable) -> String {
        var out = t.columns.map(csvField).joined(separator: ",") + "\n"
        t.forEachRow { r in out += r.map(num).joined(separator: ",") + "\n" }
        return out
    }

    /// Shortest round-trip decimal form, so tables compare bit for bit.
    static func num(_ x: Double) -> String { x.isFinite ? JSONWriter.number(x) : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func fileName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }
}
