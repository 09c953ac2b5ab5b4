import Foundation
import LinearAlgebra
import Numerics
import Physics

/// Where the blocks of an operator of definite U(1) charge s live in a flat array.
///
/// An operator X with [J_z, X] = s X has nonzero blocks only between sectors r and r + s:
/// X_r = ⟨sector r| X |sector r+s⟩, a C(N,r)×C(N,r+s) column-major matrix. s = 0 holds the
/// density matrices that start U(1)-invariant (Σ_r C(N,r)² = C(2N,N) numbers); s = ±1 the
/// quantum-regression operators σ⁻ρ; the families s = −N…N together hold any operator (4^N numbers).
public struct BlockLayout: Sendable, Equatable {
    public let n: Int
    public let shift: Int
    /// Offset of block r in the flat array, or −1 when sector r or r+s does not exist.
    public let offsets: [Int]
    /// Rows C(N,r) and columns C(N,r+s) of block r.
    public let rows: [Int]
    public let cols: [Int]
    /// Total number of complex entries.
    public let count: Int

    public init(n: Int, shift: Int) {
        self.n = n
        self.shift = shift
        var off = [Int](repeating: -1, count: n + 1)
        var rows = [Int](repeating: 0, count: n + 1), cols = rows
        var c = 0
        for r in 0...n where r + shift >= 0 && r + shift <= n {
            off[r] = c
            rows[r] = SectorBasis.binomial(n, r)
            cols[r] = SectorBasis.binomial(n, r + shift)
            c += rows[r] * cols[r]
        }
        offsets = off
        self.rows = rows
        self.cols = cols
        count = c
    }

    /// The blocks that exist.
    public var sectors: [Int] { (0...n).filter { offsets[$0] >= 0 } }
}

/// The master equation of docs/physics.md §1.1 written on U(1) blocks and applied matrix-free:
///
///     L(X) = −i (H_eff X − X H_eff†) + Σ_{a,b} f_ab σ⁻_b X σ⁺_a + W Σ_a σ⁺_a X σ⁻_a,
///     H_eff = ½ Σ_a δ_a σᶻ_a + ½ Σ_{a≠b} (g_ab − i f_ab) σ⁺_a σ⁻_b − (i/2) Σ_a (f_aa n_a + W (1 − n_a)).
///
/// H_eff conserves the excitation number (one sparse matrix per sector, C(N,k)·(k(N−k)+1)
/// entries), the f term maps block r+1 of X to block r, the pump maps block r−1 to block r.
/// Any shift s is supported (the map keeps the charge of X). Rates in Γ.
///
/// Single-dipole decoherence (docs/physics.md §6.5): non-radiative decay γ_nr enters as f + γ_nr·1
/// (diagonal of the f term and of H_eff); dephasing γ_φ adds −(i/4) N γ_φ to H_eff and the sandwich
/// (γ_φ/2) Σ_a σᶻ_a X σᶻ_a, which multiplies X[i, j] by (γ_φ/2)(N − 2 h(i, j)), h the Hamming distance
/// of the two masks. Both are skipped when their rate is zero.
public final class BlockLiouvillian: @unchecked Sendable {
    public let basis: SectorBasis
    public let model: DipoleModel
    public var n: Int { basis.n }
    let f: [Double]   // N×N, symmetric; f + γ_nr·1 (docs/physics.md §6.5)
    let pump: Double
    /// γ_φ (docs/physics.md §6.5).
    let dephasing: Double
    /// H_eff per sector in compressed-row form (diagonal first in every row).
    let rowStart: [[Int32]]
    let column: [[Int32]]
    let value: [[Complex<Double>]]
    let raising: [RaisingList]
    /// Worker threads for `apply` (the result does not depend on it).
    public var threads: Int = 1

    public init(model: DipoleModel, basis: SectorBasis? = nil) {
        let n = model.count
        let b = basis ?? SectorBasis(n: n)
        self.basis = b
        self.model = model
        self.pump = model.pump
        self.dephasing = model.dephasing
        var f = [Double](repeating: 0, count: n * n)
        for a in 0..<n { for c in 0..<n { f[a * n + c] = model.f[a, c] } }
        if model.nonradiativeDecay != 0 { for a in 0..<n { f[a * n + a] += model.nonradiativeDecay } }
        self.f = f
        var rs: [[Int32]] = [], cl: [[Int32]] = [], vl: [[Complex<Double>]] = []
        var rl: [RaisingList] = []
        for k in 0...n {
            let s = b.states[k]
            var start: [Int32] = [0]
            var col: [Int32] = []
            var val: [Complex<Double>] = []
            let expected = s.count * (k * (n - k) + 1)
            col.reserveCapacity(expected); val.reserveCapacity(expected)
            for i in 0..<s.count {
                let m = Int(s[i])
                col.append(Int32(i)); val.append(BlockLiouvillian.diagonal(mask: m, model: model))
                for a in 0..<n where m & (1 << a) != 0 {
                    for c in 0..<n where m & (1 << c) == 0 {
                        // ⟨m| σ⁺_a σ⁻_c |m − a + c⟩ = 1
                        let h = Complex(0.5 * model.g[a, c], -0.5 * model.f[a, c])
                        if h.real == 0 && h.imaginary == 0 { continue }
                        col.append(b.index[m ^ (1 << a) ^ (1 << c)]); val.append(h)
                    }
                }
                start.append(Int32(col.count))
            }
            rs.append(start); cl.append(col); vl.append(val)
            rl.append(RaisingList(basis: b, sector: k))
        }
        rowStart = rs; column = cl; value = vl; raising = rl
    }

    /// ⟨m|H_eff|m⟩ = ½ Σ_a δ_a s_a − (i/2) Σ_a ((f_aa + γ_nr) n_a + W (1 − n_a) + γ_φ/2)
    /// (the γ terms only when nonzero, docs/physics.md §6.5).
    static func diagonal(mask m: Int, model: DipoleModel) -> Complex<Double> {
        var re = 0.0, im = 0.0
        let nr = model.nonradiativeDecay
        for a in 0..<model.count {
            if m & (1 << a) != 0 {
                re += 0.5 * model.detunings[a]; im -= 0.5 * model.f[a, a]
                if nr != 0 { im -= 0.5 * nr }
            } else {
                re -= 0.5 * model.detunings[a]; im -= 0.5 * model.pump
            }
        }
        if model.dephasing != 0 { im -= 0.25 * model.dephasing * Double(model.count) }
        return Complex(re, im)
    }

    /// H_eff of sector k as a dense matrix (for the preconditioner and for tests).
    public func effectiveHamiltonian(sector k: Int) -> ComplexMatrix {
        let d = basis.dimension(k)
        var h = ComplexMatrix(rows: d, cols: d)
        for i in 0..<d {
            for e in Int(rowStart[k][i])..<Int(rowStart[k][i + 1]) {
                h[i, Int(column[k][e])] = h[i, Int(column[k][e])] + value[k][e]
            }
        }
        return h
    }

    /// A rough bound on the magnitude of L's eigenvalues (Gershgorin on H_eff plus the jump rates),
    /// used to scale residual targets.
    public lazy var rateScale: Double = {
        var m = max(model.gamma, pump)
        for k in 0...n {
            for i in 0..<basis.dimension(k) {
                var s = 0.0
                for e in Int(rowStart[k][i])..<Int(rowStart[k][i + 1]) { s += value[k][e].length }
                m = max(m, s)
            }
        }
        return m
    }()

    /// Y = L(X) for an operator of charge `shift` laid out by `layout`.
    public func apply(
        _ x: UnsafePointer<Complex<Double>>, into y: UnsafeMutablePointer<Complex<Double>>,
        layout: BlockLayout
    ) {
        // Work items: column chunks of every block, so that every output entry is written by one item.
        var items: [(r: Int, j0: Int, j1: Int)] = []
        let chunk = 64
        for r in layout.sectors {
            let c = layout.cols[r]
            var j = 0
            while j < c { items.append((r, j, min(c, j + chunk))); j += chunk }
        }
        let work = { (w: Int) in
            let it = items[w]
            self.applyBlock(x, y, layout: layout, r: it.r, j0: it.j0, j1: it.j1)
        }
        if threads > 1 && items.count > 1 && layout.count > 4096 {
            concurrentForEach(iterations: items.count, work)   // each item writes its own rows of y
        } else {
            for w in 0..<items.count { work(w) }
        }
    }

    /// Convenience on arrays.
    public func apply(_ x: [Complex<Double>], layout: BlockLayout) -> [Complex<Double>] {
        var y = [Complex<Double>](repeating: .zero, count: layout.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in apply(px.baseAddress!, into: py.baseAddress!, layout: layout) }
        }
        return y
    }

    private func applyBlock(
        _ x: UnsafePointer<Complex<Double>>, _ y: UnsafeMutablePointer<Complex<Double>>,
        layout: BlockLayout, r: Int, j0: Int, j1: Int
    ) {
        let n = self.n
        let s = layout.shift
        let c = r + s
        let dr = layout.rows[r]
        let xb = x + layout.offsets[r]
        let yb = y + layout.offsets[r]
        let mi = Complex<Double>(0, -1), pi = Complex<Double>(0, 1)
        rowStart[r].withUnsafeBufferPointer { rsr in
            column[r].withUnsafeBufferPointer { clr in
                value[r].withUnsafeBufferPointer { vlr in
                    rowStart[c].withUnsafeBufferPointer { rsc in
                        column[c].withUnsafeBufferPointer { clc in
                            value[c].withUnsafeBufferPointer { vlc in
                                for j in j0..<j1 {
                                    let ycol = yb + j * dr
                                    let xcol = xb + j * dr
                                    // −i H_eff,r X[:, j]
                                    for i in 0..<dr {
                                        var acc = Complex<Double>.zero
                                        for e in Int(rsr[i])..<Int(rsr[i + 1]) { acc = acc + vlr[e] * xcol[Int(clr[e])] }
                                        ycol[i] = mi * acc
                                    }
                                    // + i X H_eff,c†: column j gets Σ_j' conj(H[j, j']) X[:, j']
                                    for e in Int(rsc[j])..<Int(rsc[j + 1]) {
                                        let h = pi * vlc[e].conjugate
                                        let src = xb + Int(clc[e]) * dr
                                        for i in 0..<dr { ycol[i] = ycol[i] + h * src[i] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Σ_{a,b} f_ab σ⁻_b X_{r+1} σ⁺_a:  Y[i, j] += Σ_{a∉j} Σ_{b∉i} f_ab X_{r+1}[i+b, j+a].
        if r + 1 <= n && c + 1 <= n, layout.offsets[r + 1] >= 0 {
            let xn = x + layout.offsets[r + 1]
            let dn = layout.rows[r + 1]
            let ri = raising[r], rj = raising[c]
            let wi = ri.width, wj = rj.width
            f.withUnsafeBufferPointer { fp in
                ri.bit.withUnsafeBufferPointer { bi in
                    ri.target.withUnsafeBufferPointer { ti in
                        rj.bit.withUnsafeBufferPointer { bj in
                            rj.target.withUnsafeBufferPointer { tj in
                                for j in j0..<j1 {
                                    let ycol = yb + j * dr
                                    for u in 0..<wj {
                                        let a = Int(bj[j * wj + u])
                                        let q = Int(tj[j * wj + u])
                                        let src = xn + q * dn
                                        let fa = fp.baseAddress! + a * n
                                        for i in 0..<dr {
                                            var re = 0.0, im = 0.0
                                            let base = i * wi
                                            for t in 0..<wi {
                                                let v = src[Int(ti[base + t])]
                                                let w = fa[Int(bi[base + t])]
                                                re += w * v.real; im += w * v.imaginary
                                            }
                                            ycol[i] = ycol[i] + Complex(re, im)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // (γ_φ/2) Σ_a σᶻ_a X σᶻ_a:  Y[i, j] += (γ_φ/2)(N − 2 h(i, j)) X[i, j]  (docs/physics.md §6.5).
        if dephasing != 0 {
            let half = 0.5 * dephasing
            let si = basis.states[r], sj = basis.states[c]
            for j in j0..<j1 {
                let ycol = yb + j * dr, xcol = xb + j * dr
                let mj = sj[j]
                for i in 0..<dr {
                    let w = half * Double(n - 2 * (si[i] ^ mj).nonzeroBitCount)
                    ycol[i] = ycol[i] + Complex(w * xcol[i].real, w * xcol[i].imaginary)
                }
            }
        }
        // W Σ_a σ⁺_a X_{r−1} σ⁻_a:  Y[i, j] += W X_{r−1}[i−a, j−a] for a ∈ i ∩ j.
        if pump != 0, r >= 1, c >= 1, layout.offsets[r - 1] >= 0 {
            let xp = x + layout.offsets[r - 1]
            let dp = layout.rows[r - 1]
            let w = pump
            basis.lower[r].withUnsafeBufferPointer { li in
                basis.lower[c].withUnsafeBufferPointer { lj in
                    for j in j0..<j1 {
                        let ycol = yb + j * dr
                        for a in 0..<n {
                            let q = Int(lj[j * n + a])
                            if q < 0 { continue }
                            let src = xp + q * dp
                            for i in 0..<dr {
                                let p = Int(li[i * n + a])
                                if p >= 0 { ycol[i] = ycol[i] + Complex(w * src[p].real, w * src[p].imaginary) }
                            }
                        }
                    }
                }
            }
        }
    }
}
