import Numerics
import Physics

/// What a backend returns for one point: the values that go into `results.json` (keys fixed by
/// docs/spec-language.md §6: `ZQ`, `ZQ2`, `inversion`, `Z`, `frequency`, `cluster-ZQ`, `qfi`, `qfi-witness`,
/// `mutual-information`, `discord`, `two-time`, `spectrum`, …) and the tables that go beside it.
public struct PointResult: Sendable, Equatable {
    /// Observable values in canonical units, in insertion order.
    public var values: [(key: String, value: ResultValue)]
    /// Tables written as CSV (correlation matrices, time series, spectra, phase snapshots).
    public var tables: [ResultTable]
    /// How the numbers were obtained ("dynamic integration to steady state, residual 3e-12", …).
    public var method: String
    /// Figures of merit a reader may want (steps, iterations, residual, standard errors…).
    public var diagnostics: [(key: String, value: ResultValue)]

    public init(
        values: [(key: String, value: ResultValue)] = [], tables: [ResultTable] = [], method: String = "",
        diagnostics: [(key: String, value: ResultValue)] = []
    ) {
        self.values = values
        self.tables = tables
        self.method = method
        self.diagnostics = diagnostics
    }

    public subscript(key: String) -> ResultValue? {
        get { values.first { $0.key == key }?.value }
        set {
            if let i = values.firstIndex(where: { $0.key == key }) {
                if let v = newValue { values[i].value = v } else { values.remove(at: i) }
            } else if let v = newValue {
                values.append((key, v))
            }
        }
    }

    /// A scalar observable, if present.
    public func number(_ key: String) -> Double? { self[key]?.number }

    public static func == (l: PointResult, r: PointResult) -> Bool {
        l.values.map(\.key) == r.values.map(\.key) && l.values.map(\.value) == r.values.map(\.value)
            && l.tables == r.tables && l.method == r.method
    }
}

/// A JSON-shaped value.
public indirect enum ResultValue: Sendable, Equatable, Codable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([ResultValue])
    /// Keys keep their order.
    case object([(String, ResultValue)])
    case null

    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }

    public static func == (l: ResultValue, r: ResultValue) -> Bool {
        switch (l, r) {
        case (.number(let a), .number(let b)): return a.bitPattern == b.bitPattern || a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.null, .null): return true
        default: return false
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([ResultValue].self) {
            self = .array(a)
        } else {
            let d = try decoder.container(keyedBy: AnyKey.self)
            self = .object(
                try d.allKeys.sorted { $0.stringValue < $1.stringValue }
                    .map { ($0.stringValue, try d.decode(ResultValue.self, forKey: $0)) })
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .number(let x): var c = encoder.singleValueContainer(); try c.encode(x)
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .array(let a): var c = encoder.unkeyedContainer(); for v in a { try c.encode(v) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in o { try c.encode(v, forKey: AnyKey(k)) }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}

/// A table of numbers with named columns (written as CSV or `.npy`, `TableFile`).
public struct ResultTable: Sendable, Equatable {
    /// File stem, e.g. "correlations" or "two-time-0-1".
    public var name: String
    public var columns: [String]
    /// How the rows are held: as rows, or generated from O(N) numbers when they are many (`Storage`).
    public var storage: Storage

    public enum Storage: Sendable, Equatable {
        case rows([[Double]])
        /// The N² rows (a, b, Re z_ab, Im z_ab) of every ordered pair, a-major, of a product state's
        /// ⟨σ⁺_a σ⁻_b⟩: z_ab = β_a* β_b off the diagonal (β_a = re_a + i im_a) and (diagonal_a, 0) on it
        /// (mean field's `correlations`, docs/physics.md §4.1): 24 N bytes instead of ~80 N².
        case pairProducts(re: [Double], im: [Double], diagonal: [Double])
        /// Row-major numbers, `columns.count` a row: a large table read back from its `.npy` file
        /// (8 bytes a number instead of an array a row).
        case flat([Double])
    }

    public init(name: String, columns: [String], rows: [[Double]]) {
        self.name = name
        self.columns = columns
        self.storage = .rows(rows)
    }

    public init(name: String, columns: [String], storage: Storage) {
        self.name = name
        self.columns = columns
        self.storage = storage
    }

    /// The rows (built in full on every read of a generated storage: N² arrays for `pairProducts`; writers,
    /// pictures and the checkpoint use `rowCount` and `forEachRow`, or read it once).
    public var rows: [[Double]] {
        get {
            switch storage {
            case .rows(let r): return r
            case .pairProducts, .flat:
                var out: [[Double]] = []
                out.reserveCapacity(rowCount)
                forEachRow { out.append(Array($0)) }
                return out
            }
        }
        set { storage = .rows(newValue) }
    }

    public var rowCount: Int {
        switch storage {
        case .rows(let r): return r.count
        case .pairProducts(let re, _, _): return re.count * re.count
        case .flat(let values): return columns.isEmpty ? 0 : values.count / columns.count
        }
    }

    /// Calls `body` with each row in order (a generated row lives in one reused buffer).
    public func forEachRow(_ body: (ArraySlice<Double>) -> Void) {
        switch storage {
        case .rows(let r):
            for row in r { body(row[...]) }
        case .flat(let values):
            let width = columns.count
            for i in 0..<rowCount { body(values[(i * width)..<((i + 1) * width)]) }
        case .pairProducts(let re, let im, let diagonal):
            let n = re.count
            var row = [0.0, 0.0, 0.0, 0.0]
            for a in 0..<n {
                let ca = Complex(re[a], im[a]).conjugate
                for b in 0..<n {
                    // The same arithmetic as the closure it replaces: β_a* β_b, or the population.
                    let z = a == b ? Complex(diagonal[a]) : ca * Complex(re[b], im[b])
                    row[0] = Double(a)
                    row[1] = Double(b)
                    row[2] = z.real
                    row[3] = z.imaginary
                    body(row[...])
                }
            }
        }
    }

    /// Equal names, columns and rows, however they are held.
    public static func == (l: ResultTable, r: ResultTable) -> Bool {
        guard l.name == r.name, l.columns == r.columns else { return false }
        if l.storage == r.storage { return true }
        guard l.rowCount == r.rowCount else { return false }
        return l.rows == r.rows
    }
}
