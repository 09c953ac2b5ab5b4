import Foundation
import Physics
import Planning
import Results

/// A lossless JSON form of a `PointOutcome`, for shard bundles and checkpoints: decoding what was
/// encoded gives back every Double bit for bit, every key in its order, every table and diagnostic.
///
/// Finite numbers are JSON numbers in Swift's shortest round-trip form (`JSONWriter`). JSON has no
/// NaN or infinities, so those become the strings `"~inf"`, `"~-inf"`, `"~nan"` (the quiet NaN
/// `Double.nan`) or `"~nan:0x…"` (any other NaN, by its bit pattern); a genuine string that starts
/// with `~` is written with one more `~` in front. Nothing else is escaped.
public enum OutcomeCodec {
    /// The format of a point file; a reader refuses newer ones.
    public static let format = 1

    public enum DecodeError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case .invalid(let s) = self { return s }; return "" }
    }

    // MARK: encoding

    public static func encode(_ o: PointOutcome) -> ResultValue {
        var fields: [(String, ResultValue)] = [
            ("point-format", .number(Double(format))),
            ("index", .number(Double(o.index))),
            ("parameters", .array(o.parameters.map { .array([.string(escape($0.path)), number($0.value)]) })),
            ("backend", .string(o.backend.rawValue))
        ]
        if let opt = o.optimum {
            fields.append(
                (
                    "optimum",
                    .object([
                        ("path", .string(escape(opt.path))), ("value", number(opt.value)),
                        ("evaluations", .number(Double(opt.evaluations)))
                    ])
                ))
        }
        fields += [
            ("seconds", number(o.seconds)),
            ("values", .array(o.result.values.map { .array([.string(escape($0.key)), value($0.value)]) })),
            (
                "tables",
                .array(
                    o.result.tables.map { t in
                        let held: (String, ResultValue)
                        switch t.storage {
                        case .rows, .flat: held = ("rows", .array(t.rows.map { .array($0.map(number)) }))
                        case .pairProducts(let re, let im, let diagonal):
                            // The O(N) factors, not the N² rows they generate.
                            held = (
                                "pair-products",
                                .object([
                                    ("re", .array(re.map(number))), ("im", .array(im.map(number))), ("diagonal", .array(diagonal.map(number)))
                                ])
                            )
                        }
                        return .object([("name", .string(escape(t.name))), ("columns", .array(t.columns.map { .string(escape($0)) })), held])
                    })
            ),
            ("method", .string(escape(o.result.method))),
            ("diagnostics", .array(o.result.diagnostics.map { .array([.string(escape($0.key)), value($0.value)]) }))
        ]
        return .object(fields)
    }

    /// The point file's bytes (pretty JSON, newline-terminated).
    public static func data(_ o: PointOutcome) -> Data { Data(JSONWriter.write(encode(o)).utf8) }

    static func number(_ x: Double) -> ResultValue {
        if x.isFinite { return .number(x) }
        if x.isInfinite { return .string(x > 0 ? "~inf" : "~-inf") }
        if x.bitPattern == Double.nan.bitPattern { return .string("~nan") }
        return .string("~nan:0x" + String(x.bitPattern, radix: 16))
    }

    static func escape(_ s: String) -> String { s.hasPrefix("~") ? "~" + s : s }

    static func value(_ v: ResultValue) -> ResultValue {
        switch v {
        case .number(let x): return number(x)
        case .string(let s): return .string(escape(s))
        case .bool, .null: return v
        case .array(let a): return .array(a.map(value))
        case .object(let o): return .object(o.map { (escape($0.0), value($0.1)) })
        }
    }

    // MARK: decoding

    public static func decode(_ data: Data) throws -> PointOutcome {
        let v: ResultValue
        do { v = try JSONWriter.parse(data) } catch { throw DecodeError.invalid("\(error)") }
        return try decode(v)
    }

    public static func decode(_ v: ResultValue) throws -> PointOutcome {
        guard case .object(let f) = v else { throw DecodeError.invalid("a point is a JSON object") }
        func field(_ k: String) throws -> ResultValue {
            guard let x = f.first(where: { $0.0 == k })?.1 else { throw DecodeError.invalid("the point has no '\(k)'") }
            return x
        }
        let fmt = try integer(field("point-format"), "point-format")
        guard fmt >= 1, fmt <= format else {
            throw DecodeError.invalid("point format \(fmt) is not one this dipolesync reads (\(format))")
        }
        let index = try integer(field("index"), "index")
        guard index >= 0 else { throw DecodeError.invalid("negative point index") }
        let parameters = try pairs(field("parameters"), "parameters").map { (path: $0.0, value: try double($0.1, "a parameter")) }
        guard case .string(let b) = try field("backend"), let backend = BackendKind(rawValue: b) else {
            throw DecodeError.invalid("unknown backend")
        }
        var optimum: (path: String, value: Double, evaluations: Int)?
        if let o = f.first(where: { $0.0 == "optimum" })?.1 {
            guard case .object(let of) = o, case .string(let p)? = of.first(where: { $0.0 == "path" })?.1,
                let ov = of.first(where: { $0.0 == "value" })?.1, let oe = of.first(where: { $0.0 == "evaluations" })?.1
            else {
                throw DecodeError.invalid("malformed 'optimum'")
            }
            optimum = (try unescape(p), try double(ov, "optimum value"), try integer(oe, "optimum evaluations"))
        }
        let seconds = try double(field("seconds"), "seconds")
        let values = try pairs(field("values"), "values").map { (key: $0.0, value: try value(back: $0.1)) }
        guard case .array(let ts) = try field("tables") else { throw DecodeError.invalid("'tables' is a list") }
        let tables = try ts.map { t -> ResultTable in
            guard case .object(let tf) = t, case .string(let name)? = tf.first(where: { $0.0 == "name" })?.1,
                case .array(let cols)? = tf.first(where: { $0.0 == "columns" })?.1
            else {
                throw DecodeError.invalid("malformed table")
            }
            let columns = try cols.map { c -> String in
                guard case .string(let s) = c else { throw DecodeError.invalid("a column name is a string") }
                return try unescape(s)
            }
            if case .object(let pp)? = tf.first(where: { $0.0 == "pair-products" })?.1 {
                func vector(_ key: String) throws -> [Double] {
                    guard case .array(let xs)? = pp.first(where: { $0.0 == key })?.1 else {
                        throw DecodeError.invalid("'pair-products' has no list '\(key)'")
                    }
                    return try xs.map { try double($0, "a pair-products factor") }
                }
                let (re, im, diagonal) = (try vector("re"), try vector("im"), try vector("diagonal"))
                guard re.count == im.count, re.count == diagonal.count else {
                    throw DecodeError.invalid("'pair-products' lists of unequal lengths")
                }
                return ResultTable(name: try unescape(name), columns: columns, storage: .pairProducts(re: re, im: im, diagonal: diagonal))
            }
            guard case .array(let rows)? = tf.first(where: { $0.0 == "rows" })?.1 else { throw DecodeError.invalid("malformed table") }
            let r = try rows.map { row -> [Double] in
                guard case .array(let xs) = row else { throw DecodeError.invalid("a table row is a list") }
                return try xs.map { try double($0, "a table cell") }
            }
            return ResultTable(name: try unescape(name), columns: columns, rows: r)
        }
        guard case .string(let method) = try field("method") else { throw DecodeError.invalid("'method' is a string") }
        let diagnostics = try pairs(field("diagnostics"), "diagnostics").map { (key: $0.0, value: try value(back: $0.1)) }
        let result = PointResult(values: values, tables: tables, method: try unescape(method), diagnostics: diagnostics)
        return PointOutcome(index: index, parameters: parameters, backend: backend, result: result, optimum: optimum, seconds: seconds)
    }

    static func integer(_ v: ResultValue, _ what: String) throws -> Int {
        guard case .number(let x) = v, let i = Int(exactly: x) else { throw DecodeError.invalid("'\(what)' is not an integer") }
        return i
    }

    static func double(_ v: ResultValue, _ what: String) throws -> Double {
        switch v {
        case .number(let x): return x
        case .string(let s):
            switch s {
            case "~inf": return .infinity
            case "~-inf": return -.infinity
            case "~nan": return .nan
            default:
                if s.hasPrefix("~nan:0x"), let bits = UInt64(s.dropFirst(7), radix: 16) {
                    let x = Double(bitPattern: bits)
                    if x.isNaN { return x }
                }
            }
        default: break
        }
        throw DecodeError.invalid("\(what) is not a number")
    }

    static func unescape(_ s: String) throws -> String {
        if s.hasPrefix("~~") { return String(s.dropFirst()) }
        if s.hasPrefix("~") { throw DecodeError.invalid("unexpected '\(s)'") }
        return s
    }

    static func value(back v: ResultValue) throws -> ResultValue {
        switch v {
        case .number: return v
        case .string(let s):
            if s.hasPrefix("~") && !s.hasPrefix("~~") { return .number(try double(v, "a value")) }
            return .string(try unescape(s))
        case .bool, .null: return v
        case .array(let a): return .array(try a.map { try value(back: $0) })
        case .object(let o): return .object(try o.map { (try unescape($0.0), try value(back: $0.1)) })
        }
    }

    static func pairs(_ v: ResultValue, _ what: String) throws -> [(String, ResultValue)] {
        guard case .array(let a) = v else { throw DecodeError.invalid("'\(what)' is a list") }
        return try a.map { p in
            guard case .array(let kv) = p, kv.count == 2, case .string(let k) = kv[0] else {
                throw DecodeError.invalid("'\(what)' holds [key, value] pairs")
            }
            return (try unescape(k), kv[1])
        }
    }
}
