import Foundation
import Numerics
import LinearAlgebra
@testable import Physics

/// A dense master-equation reference for a few dipoles (2^N × 2^N density matrices), written
/// directly from docs/physics.md §1.1 and independent of the cumulant code. Basis index: bit a set = dipole a up.
struct DenseReference {
    let n: Int
    let dim: Int
    let model: DipoleModel
    /// σ⁻_a as dense matrices.
    let lower: [ComplexMatrix]
    let raise: [ComplexMatrix]
    let sz: [ComplexMatrix]
    let hamiltonian: ComplexMatrix

    init(model: DipoleModel) {
        self.model = model
        n = model.count
        dim = 1 << n
        var lo: [ComplexMatrix] = [], z: [ComplexMatrix] = []
        for a in 0..<n {
            var m = ComplexMatrix(rows: dim, cols: dim)
            var zz = ComplexMatrix(rows: dim, cols: dim)
            for i in 0..<dim {
                if i & (1 << a) != 0 { m[i & ~(1 << a), i] = .one; zz[i, i] = .one } else { zz[i, i] = -.one }
            }
            lo.append(m); z.append(zz)
        }
        lower = lo
        raise = lo.map(\.adjoint)
        sz = z
        var h = ComplexMatrix(rows: dim, cols: dim)
        for a in 0..<n {
            h = h + z[a] * Complex(model.detunings[a] / 2)
            for b in 0..<n where b != a { h = h + (raise[a] * lo[b]) * Complex(model.g[a, b] / 2) }
        }
        hamiltonian = h
    }

    /// L[ρ] of docs/physics.md §1.1.
    func lindblad(_ rho: ComplexMatrix) -> ComplexMatrix {
        let i = Complex<Double>(0, 1)
        var out = (hamiltonian * rho - rho * hamiltonian) * (-i)
        for a in 0..<n {
            for b in 0..<n {
                let f = model.f[a, b]
                if f == 0 { continue }
                let pm = raise[a] * lower[b]
                let term = (lower[b] * rho * raise[a]) * Complex(2) - pm * rho - rho * pm
                out = out + term * Complex(f / 2)
            }
            let mp = lower[a] * raise[a]
            let pump = (raise[a] * rho * lower[a]) * Complex(2) - mp * rho - rho * mp
            out = out + pump * Complex(model.pump / 2)
        }
        return out
    }

    func expect(_ o: ComplexMatrix, _ rho: ComplexMatrix) -> Complex<Double> {
        var t = Complex<Double>.zero
        let p = o * rho
        for k in 0..<dim { t = t + p[k, k] }
        return t
    }

    /// The packed moments (s, C, D) of ρ in the layout of `CumulantSystem`.
    func packedMoments(_ rho: ComplexMatrix) -> [Double] {
        var v = [Double](repeating: 0, count: n + 3 * n * (n - 1) / 2)
        for a in 0..<n { v[a] = expect(sz[a], rho).real }
        var k = n
        for b in 0..<n { for a in 0..<b {
            let c = expect(raise[a] * lower[b], rho)
            v[k] = c.real; v[k + 1] = c.imaginary
            v[k + 2] = expect(sz[a] * sz[b], rho).real
            k += 3
        } }
        return v
    }

    /// ⟨σᶻ_a σ⁺_c σ⁻_b⟩.
    func threePoint(_ a: Int, _ c: Int, _ b: Int, _ rho: ComplexMatrix) -> Complex<Double> {
        expect(sz[a] * raise[c] * lower[b], rho)
    }

    /// A random density matrix that commutes with the total excitation number (U(1)-invariant).
    static func randomU1State(n: Int, rng: inout SeededRandom) -> ComplexMatrix {
        let dim = 1 << n
        var a = ComplexMatrix(rows: dim, cols: dim)
        for j in 0..<dim { for i in 0..<dim { a[i, j] = Complex(rng.normal(), rng.normal()) } }
        var rho = a * a.adjoint
        for j in 0..<dim { for i in 0..<dim where i.nonzeroBitCount != j.nonzeroBitCount { rho[i, j] = .zero } }
        var tr = 0.0
        for k in 0..<dim { tr += rho[k, k].real }
        return rho * Complex(1 / tr)
    }

    /// The steady state: the null vector of the 4^N Liouvillian with unit trace.
    func steadyState() throws -> ComplexMatrix {
        let d2 = dim * dim
        var l = ComplexMatrix(rows: d2, cols: d2)
        for j in 0..<d2 {
            var e = ComplexMatrix(rows: dim, cols: dim)
            e.elements[j] = .one
            let le = lindblad(e)
            for i in 0..<d2 { l[i, j] = le.elements[i] }
        }
        var rhs = ComplexMatrix(rows: d2, cols: 1)
        for j in 0..<d2 { l[0, j] = .zero }
        for k in 0..<dim { l[0, k + k * dim] = .one }
        rhs[0, 0] = .one
        let x = try LinearAlgebra.solve(l, rhs)
        return ComplexMatrix(rows: dim, cols: dim, elements: x.elements)
    }

    /// A random model: f symmetric positive semidefinite with Γ = 1 on the diagonal (f = Γ·corr. matrix),
    /// g symmetric, detunings and pump random.
    static func randomModel(n: Int, rng: inout SeededRandom, elastic: Bool = true, detuned: Bool = true) -> DipoleModel {
        // Random unit vectors v_a: f_ab = v_a·v_b is a PSD matrix with unit diagonal.
        var v: [[Double]] = []
        for _ in 0..<n {
            var x = (0..<3).map { _ in rng.normal() }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            x = x.map { $0 / norm }
            v.append(x)
        }
        let f = Matrix(square: n) { a, b in zip(v[a], v[b]).reduce(0) { $0 + $1.0 * $1.1 } }
        var g = Matrix(rows: n, cols: n)
        if elastic { for b in 0..<n { for a in 0..<b { let x = 2 * rng.normal(); g[a, b] = x; g[b, a] = x } } }
        let det = (0..<n).map { _ in detuned ? rng.normal() : 0 }
        return DipoleModel(gamma: 1, pump: 0.5 + 3 * rng.uniform(), detunings: det, f: f, g: g)
    }
}

extension ComplexMatrix {
    static func + (l: ComplexMatrix, r: ComplexMatrix) -> ComplexMatrix {
        ComplexMatrix(rows: l.rows, cols: l.cols, elements: zip(l.elements, r.elements).map { $0 + $1 })
    }
    static func - (l: ComplexMatrix, r: ComplexMatrix) -> ComplexMatrix {
        ComplexMatrix(rows: l.rows, cols: l.cols, elements: zip(l.elements, r.elements).map { $0 - $1 })
    }
    static func * (l: ComplexMatrix, r: Complex<Double>) -> ComplexMatrix {
        ComplexMatrix(rows: l.rows, cols: l.cols, elements: l.elements.map { $0 * r })
    }
}
