import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// Two-time correlations by the quantum regression theorem:
///
///     G(τ) = ⟨A⁺(τ) A⁻(0)⟩ = Tr[ A⁺ e^{Lτ}(A⁻ ρ_ss) ],  A± = Σ_{c∈S} σ±_c,
///
/// where A⁻ρ_ss has charge +1 (blocks ⟨r| · |r+1⟩, `BlockLayout(shift: 1)`, Σ_r C(N,r)C(N,r+1)
/// numbers) and L keeps the charge. S = {a, b} gives Z_ab(τ); S = all dipoles gives ⟨J⁺(τ)J⁻⟩.
/// Integrated with Dormand–Prince at relative tolerance `tolerance`.
public enum QuantumRegression {
    public static func correlation(
        _ l: BlockLiouvillian, rho: BlockDensityMatrix, dipoles: [Int], tau: [Double],
        tolerance: Double
    ) throws -> [Complex<Double>] {
        let basis = l.basis
        let n = basis.n
        let layout = BlockLayout(n: n, shift: 1)
        // χ_r[i, j] = Σ_{c ∉ i} ρ_{r+1}[i + c, j].
        var chi = [Double](repeating: 0, count: 2 * layout.count)
        let rl = rho.layout
        for r in layout.sectors {
            let dr = layout.rows[r], dc = layout.cols[r]
            let up = basis.states[r]
            for j in 0..<dc {
                for i in 0..<dr {
                    let m = Int(up[i])
                    var s = Complex<Double>.zero
                    for c in dipoles where m & (1 << c) == 0 {
                        let p = Int(basis.index[m | (1 << c)])
                        s = s + rho.entries[rl.offsets[r + 1] + p + j * rl.rows[r + 1]]
                    }
                    let o = 2 * (layout.offsets[r] + i + j * dr)
                    chi[o] = s.real; chi[o + 1] = s.imaginary
                }
            }
        }
        func trace(_ y: [Double]) -> Complex<Double> {
            // Tr[A⁺ χ] = Σ_r Σ_{i, c ∉ i} χ_r[i, i + c].
            var t = Complex<Double>.zero
            for r in layout.sectors {
                let dr = layout.rows[r]
                for i in 0..<dr {
                    let m = Int(basis.states[r][i])
                    for c in dipoles where m & (1 << c) == 0 {
                        let j = Int(basis.index[m | (1 << c)])
                        let o = 2 * (layout.offsets[r] + i + j * dr)
                        t = t + Complex(y[o], y[o + 1])
                    }
                }
            }
            return t
        }
        var out: [Complex<Double>] = []
        out.reserveCapacity(tau.count)
        let integrator = DormandPrince(relativeTolerance: max(tolerance, 1e-12), absoluteTolerance: max(tolerance, 1e-12) * 1e-2)
        do {
            try integrator.integrate(
                from: 0, chi, to: tau,
                rhs: { _, y, dy in
                    y.withUnsafeBufferPointer { py in
                        dy.withUnsafeMutableBufferPointer { pd in
                            let x = UnsafeRawPointer(py.baseAddress!).assumingMemoryBound(to: Complex<Double>.self)
                            let z = UnsafeMutableRawPointer(pd.baseAddress!).assumingMemoryBound(to: Complex<Double>.self)
                            l.apply(x, into: z, layout: layout)
                        }
                    }
                }, observe: { _, y in out.append(trace(y)) })
        } catch {
            throw BackendError.noConvergence("quantum regression: \(error)")
        }
        return out
    }

    /// The mean rotation frequency ω̄ of a complex signal: the amplitude-weighted mean phase increment
    /// arg Σ_i G(τ_{i+1}) G(τ_i)* divided by the (uniform) sample spacing.
    public static func meanFrequency(_ g: [Complex<Double>], spacing: Double) -> Double {
        SignalFrequency.mean(g, spacing: spacing)
    }
}
