import Foundation

/// Writes `ResultValue`s as JSON with keys in the order given and numbers in Swift's shortest
/// round-trip form, so the same values always give the same bytes (and parse back to the same bits).
public enum JSONWriter {
    public static func write(_ v: ResultValue, pretty: Bool = true) -> String {
        var out = ""
        emit(v, into: &out, indent: pretty ? 0 : nil)
        return out + (pretty ? "\n" : "")
    }

    /// The shortest decimal text that reads back to the same bits ("null" for NaN and infinities).
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0" }
        // Whole numbers print as integers ("index": 3); every other value in its shortest round-trip form.
        if x == x.rounded(), abs(x) < 9.0e15 { return String(Int64(x)) }
        return "\(x)"
    }

    static func emit(_ v: ResultValue, into out: inout String, indent: Int?) {
        let nl = indent == nil ? "" : "\n"
        let pad = indent.map { String(repeating: "  ", count: $0 + 1) } ?? ""
        let end = indent.map { String(repeating: "  ", count: $0) } ?? ""
        let sep = indent == nil ? ":" : ": "
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += number(x)
        case .string(let s): out += quote(s)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            // Short arrays of numbers stay on one line.
            if a.count <= 16,
                a.allSatisfy({
                    if case .number = $0 { return true }; return false
                })
            {
                out += "[" + a.map { number($0.number ?? .nan) }.joined(separator: ", ") + "]"
                return
            }
            out += "[" + nl
            for (i, x) in a.enumerated() {
                out += pad
                emit(x, into: &out, indent: indent.map { $0 + 1 })
                out += (i + 1 < a.count ? "," : "") + nl
            }
            out += end + "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{" + nl
            for (i, (k, x)) in o.enumerated() {
                out += pad + quote(k) + sep
                emit(x, into: &out, indent: indent.map { $0 + 1 })
                out += (i + 1 < o.count ? "," : "") + nl
            }
            out += end + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Parses JSON into a `ResultValue`, keeping object key order.
    public static func parse(_ data: Data) throws -> ResultValue {
        var p = Parser(bytes: Array(data))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw JSONError.malformed("trailing characters at byte \(p.i)") }
        return v
    }

    public enum JSONError: Error, CustomStringConvertible {
        case malformed(String)
        public var description: String { if case .malformed(let s) = self { return "malformed JSON: \(s)" }; return "" }
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { throw JSONError.malformed("expected '\(Character(UnicodeScalar(c)))' at byte \(i)") }
            i += 1
        }

        mutating func value(depth: Int) throws -> ResultValue {
            guard depth < 512 else { throw JSONError.malformed("nesting too deep") }
            skipSpace()
            guard i < bytes.count else { throw JSONError.malformed("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var o: [(String, ResultValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                while true {
                    skipSpace()
                    let k = try string()
                    try expect(UInt8(ascii: ":"))
                    o.append((k, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw JSONError.malformed("unexpected end in object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                    throw JSONError.malformed("expected ',' or '}' at byte \(i)")
                }
            case UInt8(ascii: "["):
                i += 1
                var a: [ResultValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    a.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw JSONError.malformed("unexpected end in array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    throw JSONError.malformed("expected ',' or ']' at byte \(i)")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                let start = i
                while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
                guard let x = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                    throw JSONError.malformed("bad value at byte \(start)")
                }
                return .number(x)
            }
        }

        mutating func literal(_ s: String) throws {
            let u = Array(s.utf8)
            guard i + u.count <= bytes.count, Array(bytes[i..<(i + u.count)]) == u else { throw JSONError.malformed("bad literal at byte \(i)") }
            i += u.count
        }

        mutating func string() throws -> String {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw JSONError.malformed("expected a string at byte \(i)") }
            i += 1
            var out = [UInt8]()
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { break }
                    switch bytes[i] {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 < bytes.count, let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else {
                            throw JSONError.malformed("bad escape at byte \(i)")
                        }
                        out += Array(String(UnicodeScalar(code).map(Character.init) ?? "?").utf8)
                        i += 4
                    default: out.append(bytes[i])
                    }
                    i += 1
                    continue
                }
                out.append(c)
                i += 1
            }
            throw JSONError.malformed("unterminated string")
        }
    }
}
