import LinearAlgebra
import Numerics

/// Quantum Fisher information (docs/physics.md §3.4).
public enum QuantumFisher {
    /// F(ρ, O) = 2 Σ_{k,l: λk+λl>0} (λk − λl)²/(λk + λl) |⟨k|O|l⟩|² for ρ = Σ λk |k⟩⟨k|.
    /// Eigenvalues below `cutoff` are treated as zero (round-off in a steady state).
    public static func mixed(
        eigenvalues lam: [Double], eigenvectors v: ComplexMatrix, generator o: ComplexMatrix,
        cutoff: Double = 1e-14
    ) -> Double {
        let n = lam.count
        let ov = o * v
        var okl = ComplexMatrix(rows: n, cols: n)
        ComplexMatrix.gemm(v, ov, transposeA: .adjoint, into: &okl)   // ⟨k|O|l⟩
        var f = 0.0
        for k in 0..<n {
            for l in 0..<n {
                let a = max(lam[k], 0), b = max(lam[l], 0)
                let s = a + b
                if s > cutoff {
                    let d = a - b
                    f += d * d / s * okl[k, l].lengthSquared
                }
            }
        }
        return 2 * f
    }

    /// F(ρ, O) of a dense density matrix.
    public static func mixed(_ rho: ComplexMatrix, generator o: ComplexMatrix) throws -> Double {
        let (w, v) = try hermitianEigen(rho)
        return mixed(eigenvalues: w, eigenvectors: v, generator: o)
    }

    /// F = 4 Var(O) for a pure state ψ.
    public static func pure(_ psi: [Complex<Double>], generator o: ComplexMatrix) -> Double {
        let op = o.apply(psi)
        var mean = Complex<Double>.zero, sq = 0.0
        for i in psi.indices { mean = mean + psi[i].conjugate * op[i]; sq += op[i].lengthSquared }
        return 4 * (sq - mean.real * mean.real)
    }
}
