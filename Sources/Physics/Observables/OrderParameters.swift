import Numerics
import LinearAlgebra

/// The quantum order parameter of docs/physics.md §3.2, shared by every backend so the definition lives in one place.
public enum OrderParameters {
    /// Z_Q² = mean over ordered pairs a ≠ b (of `indices`, default all) of Re⟨σ⁺_a σ⁻_b⟩, where
    /// `correlation(a, b)` returns ⟨σ⁺_a σ⁻_b⟩. Returns 0 for fewer than two dipoles.
    public static func zq2(count n: Int, indices: [Int]? = nil,
                           correlation: (Int, Int) -> Complex<Double>) -> Double {
        let idx = indices ?? Array(0..<n)
        guard idx.count >= 2 else { return 0 }
        var s = 0.0
        for a in idx { for b in idx where a != b { s += correlation(a, b).real } }
        return s / Double(idx.count * (idx.count - 1))
    }

    /// Z_Q² from a matrix C_ab = ⟨σ⁺_a σ⁻_b⟩ (its diagonal is ignored).
    public static func zq2(_ c: ComplexMatrix, indices: [Int]? = nil) -> Double {
        zq2(count: c.rows, indices: indices) { c[$0, $1] }
    }

    /// Z_Q = √max(0, Z_Q²).
    public static func zq(fromSquare z2: Double) -> Double { z2 > 0 ? z2.squareRoot() : 0 }

    /// The results entries `ZQ`, `ZQ2`.
    public static func zqValues(_ z2: Double) -> [(key: String, value: ResultValue)] {
        [("ZQ", .number(zq(fromSquare: z2))), ("ZQ2", .number(z2))]
    }

    /// The `cluster-ZQ` entry: a list of {d, ZQ, ZQ2} for the clusters of `lattice` (sizes that do not
    /// fit in the row from the central dipole are skipped and reported in `skipped`).
    public static func clusterValues(sizes: [Int], lattice: Lattice,
                                     correlation: (Int, Int) -> Complex<Double>) -> (value: ResultValue, skipped: [Int]) {
        var out: [ResultValue] = []
        var skipped: [Int] = []
        for d in sizes {
            guard let idx = lattice.cluster(size: d) else { skipped.append(d); continue }
            let z2 = zq2(count: lattice.count, indices: idx, correlation: correlation)
            out.append(.object([("d", .number(Double(d))), ("ZQ", .number(zq(fromSquare: z2))), ("ZQ2", .number(z2))]))
        }
        return (.array(out), skipped)
    }

    /// The `correlations` table: rows a, b, Re, Im of ⟨σ⁺_a σ⁻_b⟩ for every ordered pair (diagonal = population).
    public static func correlationTable(count n: Int, correlation: (Int, Int) -> Complex<Double>) -> ResultTable {
        var rows: [[Double]] = []
        rows.reserveCapacity(n * n)
        for a in 0..<n { for b in 0..<n {
            let c = correlation(a, b)
            rows.append([Double(a), Double(b), c.real, c.imaginary])
        } }
        return ResultTable(name: "correlations", columns: ["a", "b", "re", "im"], rows: rows)
    }
}
