import Foundation
import Numerics
import LinearAlgebra
import Physics
@testable import ExactBackend

/// An independent dense construction of the master equation of docs/physics.md §1.1 on the full
/// 2^N × 2^N space (basis: bit mask, bit a set = dipole a up), as a 4^N × 4^N superoperator acting
/// on column-major vec(ρ): vec(A ρ B) = (Bᵀ ⊗ A) vec ρ.
struct DenseReference {
    let n: Int
    let dim: Int
    let sm: [ComplexMatrix]     // σ⁻_a
    let model: DipoleModel

    init(model: DipoleModel) {
        self.model = model
        n = model.count
        dim = 1 << n
        var s: [ComplexMatrix] = []
        for a in 0..<n {
            var m = ComplexMatrix(rows: 1 << n, cols: 1 << n)
            for st in 0..<(1 << n) where st & (1 << a) != 0 { m[st ^ (1 << a), st] = .one }
            s.append(m)
        }
        sm = s
    }

    func sp(_ a: Int) -> ComplexMatrix { sm[a].adjoint }

    var hamiltonian: ComplexMatrix {
        var h = ComplexMatrix(rows: dim, cols: dim)
        for st in 0..<dim {
            var e = 0.0
            for a in 0..<n { e += 0.5 * model.detunings[a] * ((st & (1 << a)) != 0 ? 1 : -1) }
            h[st, st] = Complex(e)
        }
        for a in 0..<n { for b in 0..<n where a != b {
            let t = sp(a) * sm[b]
            for i in 0..<(dim * dim) { h.elements[i] = h.elements[i] + Complex(0.5 * model.g[a, b]) * t.elements[i] }
        } }
        return h
    }

    /// Kronecker product A ⊗ B.
    static func kron(_ a: ComplexMatrix, _ b: ComplexMatrix) -> ComplexMatrix {
        var c = ComplexMatrix(rows: a.rows * b.rows, cols: a.cols * b.cols)
        for j in 0..<a.cols { for i in 0..<a.rows where a[i, j] != .zero {
            for l in 0..<b.cols { for k in 0..<b.rows { c[i * b.rows + k, j * b.cols + l] = a[i, j] * b[k, l] } }
        } }
        return c
    }

    static func transpose(_ a: ComplexMatrix) -> ComplexMatrix {
        var t = ComplexMatrix(rows: a.cols, cols: a.rows)
        for j in 0..<a.cols { for i in 0..<a.rows { t[j, i] = a[i, j] } }
        return t
    }

    /// The superoperator L.
    var liouvillian: ComplexMatrix {
        let id = ComplexMatrix.identity(dim)
        var l = ComplexMatrix(rows: dim * dim, cols: dim * dim)
        func add(_ m: ComplexMatrix, _ c: Complex<Double>) {
            for i in 0..<(m.elements.count) where m.elements[i] != .zero { l.elements[i] = l.elements[i] + c * m.elements[i] }
        }
        let h = hamiltonian
        add(DenseReference.kron(id, h), Complex(0, -1))
        add(DenseReference.kron(DenseReference.transpose(h), id), Complex(0, 1))
        for a in 0..<n { for b in 0..<n where model.f[a, b] != 0 {
            let fab = model.f[a, b]
            let jump = DenseReference.kron(DenseReference.transpose(sp(a)), sm[b])     // σ⁻_b ρ σ⁺_a
            add(jump, Complex(fab))
            let pm = sp(a) * sm[b]
            add(DenseReference.kron(id, pm), Complex(-0.5 * fab))
            add(DenseReference.kron(DenseReference.transpose(pm), id), Complex(-0.5 * fab))
        } }
        if model.pump != 0 { for a in 0..<n {
            let w = model.pump
            add(DenseReference.kron(DenseReference.transpose(sm[a]), sp(a)), Complex(w))
            let mp = sm[a] * sp(a)
            add(DenseReference.kron(id, mp), Complex(-0.5 * w))
            add(DenseReference.kron(DenseReference.transpose(mp), id), Complex(-0.5 * w))
        } }
        return l
    }

    /// The steady state: L vec ρ = 0 with the first row replaced by Tr ρ = 1.
    func steadyState() throws -> ComplexMatrix {
        var l = liouvillian
        let d2 = dim * dim
        for c in 0..<d2 { l[0, c] = .zero }
        for i in 0..<dim { l[0, i * dim + i] = .one }
        var rhs = ComplexMatrix(rows: d2, cols: 1)
        rhs[0, 0] = .one
        let x = try solve(l, rhs)
        return ComplexMatrix(rows: dim, cols: dim, elements: x.elements)
    }

    /// Dense matrix of a charge-s block operator.
    static func dense(_ x: [Complex<Double>], layout: BlockLayout, basis: SectorBasis) -> ComplexMatrix {
        var m = ComplexMatrix(rows: 1 << basis.n, cols: 1 << basis.n)
        for r in layout.sectors {
            let c = r + layout.shift
            let dr = layout.rows[r]
            for j in 0..<layout.cols[r] { for i in 0..<dr {
                m[Int(basis.states[r][i]), Int(basis.states[c][j])] = x[layout.offsets[r] + i + j * dr]
            } }
        }
        return m
    }

    /// Random dipolar chain model with random detunings.
    static func randomModel(n: Int, seed: UInt64, spacing: Double = 0.15, pump: Double = 2.3) -> DipoleModel {
        var rng = SeededRandom(seed: seed)
        let pos = (0..<n).map { SIMD3<Double>(Double($0) * spacing + 0.02 * rng.uniform(), 0.03 * rng.uniform(), 0) }
        let c = Couplings.dipolar(positions: pos, orientation: SIMD3(cos(0.7), 0, sin(0.7)))
        let det = (0..<n).map { _ in rng.uniform() - 0.5 }
        return DipoleModel(pump: pump, detunings: det, f: c.f, g: c.g, positions: pos)
    }
}
