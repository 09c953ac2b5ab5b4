import LinearAlgebra
import Numerics

/// The quantum order parameter of docs/physics.md §3.2, shared by every backend so the definition lives in one place.
/// `ObservableWriter` puts it into results (`ZQ`, `ZQ2`, `cluster-ZQ`).
public enum OrderParameters {
    /// Z_Q² = mean over ordered pairs a ≠ b (of `indices`, default all) of Re⟨σ⁺_a σ⁻_b⟩, where
    /// `correlation(a, b)` returns ⟨σ⁺_a σ⁻_b⟩. Returns 0 for fewer than two dipoles.
    public static func zq2(
        count n: Int, indices: [Int]? = nil,
        correlation: (Int, Int) -> Complex<Double>
    ) -> Double {
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
}
