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

    /// Z_Q² of a product state, ⟨σ⁺_aσ⁻_b⟩ = β_a* β_b for a ≠ b, in O(d) work: the pair sum
    /// Σ_{a≠b} Re(β_a* β_b) = |Σ_a β_a|² − Σ_a |β_a|² over `indices` (default all), divided by d(d − 1)
    /// (docs/physics.md §3.2, §4.1). `beta(a)` returns β_a.
    public static func productZQ2(count n: Int, indices: [Int]? = nil, beta: (Int) -> Complex<Double>) -> Double {
        let d = indices?.count ?? n
        guard d >= 2 else { return 0 }
        var sr = 0.0, si = 0.0, s2 = 0.0
        func add(_ a: Int) {
            let b = beta(a)
            sr += b.real; si += b.imaginary
            s2 += b.real * b.real + b.imaginary * b.imaginary
        }
        if let indices { for a in indices { add(a) } } else { for a in 0..<n { add(a) } }
        return (sr * sr + si * si - s2) / (Double(d) * Double(d - 1))
    }

    /// Z_Q² from a matrix C_ab = ⟨σ⁺_a σ⁻_b⟩ (its diagonal is ignored).
    public static func zq2(_ c: ComplexMatrix, indices: [Int]? = nil) -> Double {
        zq2(count: c.rows, indices: indices) { c[$0, $1] }
    }

    /// Z_Q = √max(0, Z_Q²).
    public static func zq(fromSquare z2: Double) -> Double { z2 > 0 ? z2.squareRoot() : 0 }
}
