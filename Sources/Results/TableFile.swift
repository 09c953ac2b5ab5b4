import Foundation

/// How a `ResultTable` is stored in a bundle (docs/spec-language.md §11.3): CSV up to `csvMaxCells`
/// numbers, above it a NumPy `.npy` file (a structured array of little-endian float64 columns, one
/// record per row), so per-dipole and per-pair tables at 10⁵–10⁶ dipoles stay readable and a third the
/// size (8 bytes a number against up to 25 characters). The format follows only from the table's
/// shape, which the planner knows before running (`bytes`), so it can check the disk.
public enum TableFile {
    /// Tables with more numbers than this are written as `.npy`.
    public static let csvMaxCells = 1_000_000

    public enum Format: String, Sendable {
        case csv, npy
        /// The file name extension, without the dot.
        public var fileExtension: String { rawValue }
    }

    public static func format(rows: Int, columns: Int) -> Format {
        isLarge(cells: Double(rows) * Double(max(columns, 1))) ? .npy : .csv
    }

    public static func format(of t: ResultTable) -> Format { format(rows: t.rowCount, columns: t.columns.count) }

    /// The same for a row count in Double (an estimate: 10¹² pairs).
    public static func format(rows: Double, columns: Int) -> Format { isLarge(cells: rows * Double(max(columns, 1))) ? .npy : .csv }

    static func isLarge(cells: Double) -> Bool { cells > Double(csvMaxCells) }

    /// An upper bound on the file's size in bytes: 25 characters a CSV cell (the shortest round-trip
    /// form of a double, a sign, an exponent and a separator) or 8 bytes an `.npy` cell, plus headers.
    /// In Double, so that 10¹² rows do not overflow.
    public static func bytes(rows: Double, columns: Int) -> Double {
        let cells = rows * Double(max(columns, 1))
        return (isLarge(cells: cells) ? 8 * cells + 128 : 25 * cells) + 32 * Double(columns)
    }

    /// Transient memory while a point's table is written, per number: the run's checkpoint file (the
    /// point as a JSON tree, its text and bytes; `Checkpoint.save`) and the table's file. Measured on the
    /// 10⁶-dipole mean-field chain with `phases` (7·10⁶ numbers, `benchmarks/specs/meanfield-chain-1e6.yaml`,
    /// 2026-12-03): 462 MB resident while solving, 719 MB at the peak while writing.
    public static let writingBytesPerNumber = 50.0

    /// `writingBytesPerNumber` for a table of `rows` × `columns` numbers.
    public static func writingBytes(rows: Double, columns: Int) -> Double { writingBytesPerNumber * rows * Double(max(columns, 1)) }

    // MARK: - NPY

    /// The `.npy` file of `t` (format version 1.0, or 2.0 when the header is longer than 65 535 bytes):
    /// the magic string, the version, the header length, a Python dict literal
    /// `{'descr': [('a', '<f8'), …], 'fortran_order': False, 'shape': (rows,), }` padded with spaces to a
    /// multiple of 64 bytes and ended by a newline, then the rows one after the other, each column's
    /// value as a little-endian IEEE 754 double. `numpy.load` reads it as a structured array.
    public static func npy(_ t: ResultTable) -> Data {
        let descr = t.columns.map { "('\(pythonEscaped($0))', '<f8')" }.joined(separator: ", ")
        let dict = "{'descr': [\(descr)], 'fortran_order': False, 'shape': (\(t.rowCount),), }"
        var header = Array(dict.utf8)
        let long = header.count + 1 + 10 > 65_535
        let prefix = long ? 12 : 10
        let padding = (64 - (prefix + header.count + 1) % 64) % 64
        header += [UInt8](repeating: 0x20, count: padding) + [0x0A]
        var d = Data(capacity: prefix + header.count + 8 * t.rowCount * t.columns.count)
        d.append(contentsOf: [0x93] + Array("NUMPY".utf8) + [long ? 2 : 1, 0])
        if long {
            withUnsafeBytes(of: UInt32(header.count).littleEndian) { d.append(contentsOf: $0) }
        } else {
            withUnsafeBytes(of: UInt16(header.count).littleEndian) { d.append(contentsOf: $0) }
        }
        d.append(contentsOf: header)
        var row = [UInt64](repeating: 0, count: t.columns.count)
        t.forEachRow { r in
            for j in row.indices { row[j] = (j < r.count ? r[r.startIndex + j] : .nan).bitPattern.littleEndian }
            row.withUnsafeBytes { d.append(contentsOf: $0) }
        }
        return d
    }

    /// A table read back from an `.npy` file written by `npy` (float64 columns only).
    public struct Decoded: Equatable {
        public var columns: [String]
        public var rows: Int
        /// Row-major: value (i, j) at i·columns.count + j.
        public var values: [Double]
        public subscript(row: Int, column: Int) -> Double { values[row * columns.count + column] }
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads an `.npy` file of little-endian float64 columns (`npy`'s layout); anything else is a
    /// `ReadError` saying what is wrong.
    public static func readNPY(_ data: Data) throws -> Decoded {
        let b = [UInt8](data)
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else {
            throw ReadError(description: "not an .npy file (no \\x93NUMPY magic)")
        }
        let major = b[6]
        let (start, length): (Int, Int)
        switch major {
        case 1: (start, length) = (10, Int(b[8]) | Int(b[9]) << 8)
        case 2, 3:
            guard b.count >= 12 else { throw ReadError(description: "truncated .npy header") }
            (start, length) = (12, Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24)
        default: throw ReadError(description: ".npy format version \(major) is not supported")
        }
        guard start + length <= b.count else { throw ReadError(description: "truncated .npy header") }
        let header = String(decoding: b[start..<(start + length)], as: UTF8.self)
        guard header.contains("'fortran_order': False") else { throw ReadError(description: "only C-ordered .npy tables are supported") }
        guard let d0 = header.range(of: "'descr': ["), let d1 = header.range(of: "]", range: d0.upperBound..<header.endIndex) else {
            throw ReadError(description: "the .npy header has no structured 'descr'")
        }
        var columns: [String] = []
        var rest = header[d0.upperBound..<d1.lowerBound]
        while let open = rest.range(of: "('") {
            var name = ""
            var i = open.upperBound
            while i < rest.endIndex, rest[i] != "'" {
                if rest[i] == "\\" { i = rest.index(after: i) }
                if i < rest.endIndex { name.append(rest[i]); i = rest.index(after: i) }
            }
            guard let close = rest.range(of: ")", range: i..<rest.endIndex) else { throw ReadError(description: "malformed 'descr'") }
            guard rest[i..<close.lowerBound].contains("'<f8'") else {
                throw ReadError(description: "column '\(name)' is not a little-endian float64 ('<f8')")
            }
            columns.append(name)
            rest = rest[close.upperBound...]
        }
        guard let s0 = header.range(of: "'shape': ("), let s1 = header.range(of: ",)", range: s0.upperBound..<header.endIndex),
            let rows = Int(header[s0.upperBound..<s1.lowerBound].trimmingCharacters(in: .whitespaces)), rows >= 0
        else { throw ReadError(description: "the .npy header's 'shape' is not (rows,)") }
        let body = start + length
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns.count)
        guard !overflow, b.count - body == 8 * count else {
            throw ReadError(description: "the .npy body holds \(b.count - body) bytes, not the 8 × \(rows) × \(columns.count) its header says")
        }
        var values = [Double](repeating: 0, count: count)
        values.withUnsafeMutableBytes { v in
            b.withUnsafeBytes { src in v.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[body...])) }
        }
        #if _endian(big)
            values = values.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
        #endif
        return Decoded(columns: columns, rows: rows, values: values)
    }

    static func pythonEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }
}
