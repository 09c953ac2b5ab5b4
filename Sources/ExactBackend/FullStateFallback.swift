import Foundation
import LinearAlgebra
import Numerics
import Physics

/// Density matrices outside the U(1)-invariant sector (a coherent product initial state under
/// `evolve: until`): every charge family s = −N…N of ρ is evolved with the same block Liouvillian
/// (L keeps the charge), 4^N numbers in all, and observables are taken from the assembled dense
/// 2^N × 2^N matrix. Limited to N ≤ `maximumDipoles`.
enum FullStateFallback {
    static let maximumDipoles = 10

    static func bytes(n: Int) -> Int { 16 * (1 << (2 * n)) * 12 }

    /// Layouts of every charge family and their offsets in one flat vector.
    static func families(n: Int) -> [(layout: BlockLayout, offset: Int)] {
        var out: [(BlockLayout, Int)] = []
        var o = 0
        for s in -n...n { let l = BlockLayout(n: n, shift: s); out.append((l, o)); o += l.count }
        return out
    }

    /// ρ = ⊗_a |ψ_a⟩⟨ψ_a| with ψ_a = cos(θ/2)|↑⟩ + e^{iφ_a} sin(θ/2)|↓⟩, flattened as interleaved doubles.
    static func productState(basis: SectorBasis, polar: Double, azimuths: [Double]) -> [Double] {
        let n = basis.n
        let fam = families(n: n)
        let total = fam.last.map { $0.offset + $0.layout.count } ?? 0
        var y = [Double](repeating: 0, count: 2 * total)
        let up = cos(polar / 2), dn = sin(polar / 2)
        func amp(_ m: Int) -> Complex<Double> {
            var z = Complex<Double>.one
            for a in 0..<n {
                if m & (1 << a) != 0 { z = z * Complex(up) } else { z = z * Complex(dn * cos(azimuths[a]), dn * sin(azimuths[a])) }
            }
            return z
        }
        let amps = (0..<(1 << n)).map(amp)
        for (l, off) in fam {
            for r in l.sectors {
                let dr = l.rows[r]
                for j in 0..<l.cols[r] {
                    for i in 0..<dr {
                        let v = amps[Int(basis.states[r][i])] * amps[Int(basis.states[r + l.shift][j])].conjugate
                        let o = 2 * (off + l.offsets[r] + i + j * dr)
                        y[o] = v.real; y[o + 1] = v.imaginary
                    }
                }
            }
        }
        return y
    }

    static func dense(_ y: [Double], basis: SectorBasis) -> ComplexMatrix {
        let n = basis.n
        var m = ComplexMatrix(rows: 1 << n, cols: 1 << n)
        for (l, off) in families(n: n) {
            for r in l.sectors {
                let dr = l.rows[r]
                for j in 0..<l.cols[r] {
                    for i in 0..<dr {
                        let o = 2 * (off + l.offsets[r] + i + j * dr)
                        m[Int(basis.states[r][i]), Int(basis.states[r + l.shift][j])] = Complex(y[o], y[o + 1])
                    }
                }
            }
        }
        return m
    }

    static func applyAll(_ l: BlockLiouvillian, _ y: [Double], _ dy: inout [Double]) {
        let fam = families(n: l.n)
        y.withUnsafeBufferPointer { py in
            dy.withUnsafeMutableBufferPointer { pd in
                let x = UnsafeRawPointer(py.baseAddress!).assumingMemoryBound(to: Complex<Double>.self)
                let z = UnsafeMutableRawPointer(pd.baseAddress!).assumingMemoryBound(to: Complex<Double>.self)
                for (lay, off) in fam { l.apply(x + off, into: z + off, layout: lay) }
            }
        }
    }

    /// C_ab = Tr(σ⁺_a σ⁻_b ρ) = ρ[m − a + b... ] from the dense matrix (populations on the diagonal), D_ab.
    static func moments(_ rho: ComplexMatrix, n: Int) -> SecondMoments {
        let basis = SectorBasis(n: n)
        return SecondMoments(basis: basis, sectors: Array(0...n)) { k, i, j in
            rho[Int(basis.states[k][i]), Int(basis.states[k][j])]
        }
    }

    /// The general two-dipole reduced state in the basis (|↑↑⟩, |↑↓⟩, |↓↑⟩, |↓↓⟩).
    static func pairState(_ rho: ComplexMatrix, n: Int, a: Int, b: Int) -> ComplexMatrix {
        var out = ComplexMatrix(rows: 4, cols: 4)
        func idx(_ m: Int) -> Int { 2 * (m & (1 << a) != 0 ? 0 : 1) + (m & (1 << b) != 0 ? 0 : 1) }
        let mask = (1 << a) | (1 << b)
        for m in 0..<(1 << n) {
            for mp in 0..<(1 << n) where (m & ~mask) == (mp & ~mask) {
                out[idx(m), idx(mp)] = out[idx(m), idx(mp)] + rho[m, mp]
            }
        }
        return out
    }

    /// F̄_Q = (F(J_x) + F(J_y) + F(J_z))/3 of the dense state.
    static func averageQFI(_ rho: ComplexMatrix, n: Int) throws -> Double {
        let d = 1 << n
        var jx = ComplexMatrix(rows: d, cols: d), jy = jx, jz = jx
        for m in 0..<d {
            for a in 0..<n where m & (1 << a) == 0 {
                let p = m | (1 << a)   // ⟨p|σ⁺_a|m⟩ = 1
                jx[p, m] = jx[p, m] + Complex(0.5); jx[m, p] = jx[m, p] + Complex(0.5)
                jy[p, m] = jy[p, m] + Complex(0, -0.5); jy[m, p] = jy[m, p] + Complex(0, 0.5)
            }
            jz[m, m] = Complex(Double(m.nonzeroBitCount) - Double(n) / 2)
        }
        var h = rho
        for j in 0..<d { for i in 0..<d { h[i, j] = Complex(0.5) * (rho[i, j] + rho[j, i].conjugate) } }
        let (w, v) = try hermitianEigen(h)
        let f =
            QuantumFisher.mixed(eigenvalues: w, eigenvectors: v, generator: jx)
            + QuantumFisher.mixed(eigenvalues: w, eigenvectors: v, generator: jy)
            + QuantumFisher.mixed(eigenvalues: w, eigenvectors: v, generator: jz)
        return f / 3
    }
}
