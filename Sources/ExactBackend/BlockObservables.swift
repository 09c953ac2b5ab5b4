import Foundation
import LinearAlgebra
import Numerics
import Physics

/// Second moments and derived observables of a U(1)-invariant state given sector by sector.
///
/// For such a state ⟨σ±_a⟩ = 0, so one- and two-dipole observables follow from
/// C_ab = ⟨σ⁺_a σ⁻_b⟩ (C_aa = ⟨n_a⟩) and D_ab = ⟨σᶻ_a σᶻ_b⟩, both quadratic in the state.
public struct SecondMoments: Sendable {
    /// C_ab = ⟨σ⁺_a σ⁻_b⟩ with the populations ⟨n_a⟩ on the diagonal.
    public var c: ComplexMatrix
    /// D_ab = ⟨σᶻ_a σᶻ_b⟩ (1 on the diagonal).
    public var d: Matrix

    public var n: Int { c.rows }

    /// ⟨σᶻ_a⟩ = 2⟨n_a⟩ − 1.
    public func sz(_ a: Int) -> Double { 2 * c[a, a].real - 1 }

    /// S^z = (1/N) Σ_a ⟨σᶻ_a⟩/2.
    public var inversion: Double {
        var s = 0.0
        for a in 0..<n { s += sz(a) }
        return s / Double(2 * n)
    }

    /// The two-dipole reduced state of (a, b), an X state (docs/physics.md §5.6, exact here).
    public func pairState(_ a: Int, _ b: Int) -> ComplexMatrix {
        PairCorrelations.xState(sa: sz(a), sb: sz(b), dab: d[a, b], cab: c[a, b])
    }

    /// Accumulates ⟨·⟩ from `element(k, row, col)` = ⟨row|ρ|col⟩ inside sector k (rows/cols are
    /// sector indices), with `weight(k)` the sector's total probability computed by the caller.
    init(basis: SectorBasis, sectors: [Int], element: (Int, Int, Int) -> Complex<Double>) {
        let n = basis.n
        var c = ComplexMatrix(rows: n, cols: n)
        var d = Matrix(rows: n, cols: n)
        var cc = [Complex<Double>](repeating: .zero, count: n * n)
        var pop = [Double](repeating: 0, count: n)
        var dd = [Double](repeating: 0, count: n * n)
        for k in sectors {
            let st = basis.states[k]
            for j in 0..<st.count {
                let m = Int(st[j])
                let p = element(k, j, j).real
                for a in 0..<n {
                    let sa: Double = m & (1 << a) != 0 ? 1 : -1
                    if sa > 0 { pop[a] += p }
                    for b in 0..<n { dd[a * n + b] += p * sa * (m & (1 << b) != 0 ? 1 : -1) }
                }
                // C_ab += ρ[j, j − b + a] for b ∈ j, a ∉ j.
                for b in 0..<n where m & (1 << b) != 0 {
                    for a in 0..<n where m & (1 << a) == 0 {
                        let i = Int(basis.index[m ^ (1 << a) ^ (1 << b)])
                        cc[a * n + b] = cc[a * n + b] + element(k, j, i)
                    }
                }
            }
        }
        for a in 0..<n {
            for b in 0..<n { c[a, b] = cc[a * n + b]; d[a, b] = dd[a * n + b] }
            c[a, a] = Complex(pop[a])
        }
        self.c = c
        self.d = d
    }

    /// Moments of a block density matrix.
    public init(_ rho: BlockDensityMatrix, basis: SectorBasis) {
        let l = rho.layout
        self.init(basis: basis, sectors: l.sectors) { k, i, j in rho.entries[l.offsets[k] + i + j * l.rows[k]] }
    }

    /// Moments of a normalized pure state with amplitudes `psi` in sector k.
    public init(pure psi: [Complex<Double>], sector k: Int, basis: SectorBasis) {
        self.init(basis: basis, sectors: [k]) { _, i, j in psi[i] * psi[j].conjugate }
    }
}

/// The mixed-state QFI of a block-diagonal state (docs/physics.md §3.4).
///
/// With ρ = ⊕_k Σ_i λ_ki |k i⟩⟨k i|, J_z is constant on each block, so F(J_z) = 0; J_± connect
/// blocks k and k ± 1, and with M_k = U_{k+1}† J⁺ U_k
///
///     F(J_x) = F(J_y) = Σ_k Σ_{m,l} (λ_{k+1,m} − λ_{k,l})² / (λ_{k+1,m} + λ_{k,l}) |M_k[m, l]|²,
///
/// so F̄_Q = 2 F(J_x)/3. Eigenvalues below `cutoff` count as zero (round-off of the solver).
public enum BlockFisher {
    public static func averageQFI(_ rho: BlockDensityMatrix, basis: SectorBasis, cutoff: Double = 1e-14) throws -> Double {
        let n = basis.n
        var lam: [[Double]] = [], vec: [ComplexMatrix] = []
        for k in 0...n {
            let (w, v) = try hermitianEigen(rho.block(k))
            lam.append(w.map { max($0, 0) }); vec.append(v)
        }
        var fx = 0.0
        for k in 0..<n {
            let dk = basis.dimension(k), du = basis.dimension(k + 1)
            // J⁺ U_k: row p of sector k+1 collects U_k[p − b, ·] for b ∈ p.
            var ju = ComplexMatrix(rows: du, cols: dk)
            let low = basis.lower[k + 1]
            for l in 0..<dk {
                for p in 0..<du {
                    var s = Complex<Double>.zero
                    for b in 0..<n { let q = Int(low[p * n + b]); if q >= 0 { s = s + vec[k][q, l] } }
                    ju[p, l] = s
                }
            }
            var m = ComplexMatrix(rows: du, cols: dk)
            ComplexMatrix.gemm(vec[k + 1], ju, transposeA: .adjoint, into: &m)
            for l in 0..<dk {
                for p in 0..<du {
                    let a = lam[k + 1][p], b = lam[k][l]
                    let s = a + b
                    if s > cutoff { fx += (a - b) * (a - b) / s * m[p, l].lengthSquared }
                }
            }
        }
        return 2 * fx / 3
    }

    /// F̄_Q = (4/3) Σ_{x,y,z} Var(J_i) of a pure state in sector k (J_z has zero variance there).
    public static func pureQFI(sectors psi: [[Complex<Double>]], basis: SectorBasis) -> Double {
        // psi[k] holds the amplitudes of sector k (possibly empty).
        let n = basis.n
        var jp = Complex<Double>.zero   // ⟨J⁺⟩
        var normPlus = 0.0, normMinus = 0.0
        var overlap = Complex<Double>.zero   // ⟨J⁻ψ | J⁺ψ⟩ restricted per sector
        var jz = 0.0, jz2 = 0.0
        // φ = J⁺ψ, χ = J⁻ψ, sector by sector.
        var plus = [[Complex<Double>]](repeating: [], count: n + 1)
        var minus = [[Complex<Double>]](repeating: [], count: n + 1)
        for k in 0...n where !psi[k].isEmpty {
            var w = 0.0
            for z in psi[k] { w += z.lengthSquared }
            let m = Double(k) - Double(n) / 2
            jz += w * m; jz2 += w * m * m
            if k < n {
                var out = plus[k + 1].isEmpty ? [Complex<Double>](repeating: .zero, count: basis.dimension(k + 1)) : plus[k + 1]
                let low = basis.lower[k + 1]
                for p in 0..<out.count { for b in 0..<n { let q = Int(low[p * n + b]); if q >= 0 { out[p] = out[p] + psi[k][q] } } }
                plus[k + 1] = out
            }
            if k > 0 {
                var out = minus[k - 1].isEmpty ? [Complex<Double>](repeating: .zero, count: basis.dimension(k - 1)) : minus[k - 1]
                let low = basis.lower[k]
                for p in 0..<psi[k].count { for b in 0..<n { let q = Int(low[p * n + b]); if q >= 0 { out[q] = out[q] + psi[k][p] } } }
                minus[k - 1] = out
            }
        }
        for k in 0...n {
            for z in plus[k] { normPlus += z.lengthSquared }
            for z in minus[k] { normMinus += z.lengthSquared }
            if !psi[k].isEmpty && !plus[k].isEmpty { for i in 0..<psi[k].count { jp = jp + psi[k][i].conjugate * plus[k][i] } }
            if !plus[k].isEmpty && !minus[k].isEmpty {
                for i in 0..<plus[k].count { overlap = overlap + minus[k][i].conjugate * plus[k][i] }
            }
        }
        // ⟨J_x²⟩ = ‖(φ+χ)/2‖², ⟨J_y²⟩ = ‖(φ−χ)/2‖², ⟨J_x⟩ = Re⟨J⁺⟩, ⟨J_y⟩ = Im⟨J⁺⟩.
        let jx2 = (normPlus + normMinus + 2 * overlap.real) / 4
        let jy2 = (normPlus + normMinus - 2 * overlap.real) / 4
        let varX = jx2 - jp.real * jp.real
        let varY = jy2 - jp.imaginary * jp.imaginary
        let varZ = jz2 - jz * jz
        return 4 * (varX + varY + varZ) / 3
    }
}
