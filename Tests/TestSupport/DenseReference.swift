import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics

/// The one dense reference of the test suites: the master equation of docs/physics.md §1.1 written
/// term by term on the full 2^N-dimensional Hilbert space from a model's f, g, δ and W, independent
/// of every backend's algebra (U(1) blocks, Dicke basis, cumulants). For a few dipoles only.
///
/// Basis: state index i, bit a of i set ⇔ dipole a in |↑⟩ (so i = 0 is all down). Superoperators act
/// on column-major vec(ρ): vec(A ρ B) = (Bᵀ ⊗ A) vec ρ.
public struct DenseReference {
    public let n: Int
    public let dim: Int
    public let model: DipoleModel
    /// σ⁻_a, σ⁺_a and σᶻ_a as dense matrices.
    public let lower: [ComplexMatrix]
    public let raise: [ComplexMatrix]
    public let sz: [ComplexMatrix]
    /// H = ½ Σ_a δ_a σᶻ_a + ½ Σ_{a≠b} g_ab σ⁺_a σ⁻_b.
    public let hamiltonian: ComplexMatrix

    public init(model: DipoleModel) {
        self.model = model
        n = model.count
        dim = 1 << n
        var lo: [ComplexMatrix] = [], z: [ComplexMatrix] = []
        for a in 0..<n {
            var m = ComplexMatrix(rows: dim, cols: dim), zz = ComplexMatrix(rows: dim, cols: dim)
            for i in 0..<dim {
                if i & (1 << a) != 0 { m[i & ~(1 << a), i] = .one; zz[i, i] = .one } else { zz[i, i] = -.one }
            }
            lo.append(m)
            z.append(zz)
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

    // MARK: Collective operators, J = ½ Σ_a σ_a

    public var jm: ComplexMatrix { lower.dropFirst().reduce(lower[0], +) }
    public var jp: ComplexMatrix { jm.adjoint }
    public var jz: ComplexMatrix { sz.dropFirst().reduce(sz[0], +) * Complex(0.5) }
    public var jx: ComplexMatrix { (jp + jm) * Complex(0.5) }
    public var jy: ComplexMatrix { (jp - jm) * Complex(0, -0.5) }

    // MARK: The master equation

    /// Each Lindblad term as c · A ρ B: the Hamiltonian, collective emission f, the pump W and the
    /// single-dipole terms of docs/physics.md §1.5, (γ_φ/2) Σ_a (σᶻ_a ρ σᶻ_a − ρ) + γ_nr Σ_a D[σ⁻_a]
    /// (none when their rates are zero).
    var terms: [(a: ComplexMatrix, b: ComplexMatrix, c: Complex<Double>)] {
        let id = ComplexMatrix.identity(dim)
        var t: [(ComplexMatrix, ComplexMatrix, Complex<Double>)] = [(hamiltonian, id, Complex(0, -1)), (id, hamiltonian, Complex(0, 1))]
        for a in 0..<n {
            for b in 0..<n where model.f[a, b] != 0 {
                let f = model.f[a, b], pm = raise[a] * lower[b]
                t += [(lower[b], raise[a], Complex(f)), (pm, id, Complex(-0.5 * f)), (id, pm, Complex(-0.5 * f))]
            }
        }
        if model.pump != 0 {
            for a in 0..<n {
                let w = model.pump, mp = lower[a] * raise[a]
                t += [(raise[a], lower[a], Complex(w)), (mp, id, Complex(-0.5 * w)), (id, mp, Complex(-0.5 * w))]
            }
        }
        let gphi = model.dephasing, gnr = model.nonradiativeDecay
        for a in 0..<n {
            if gphi != 0 { t += [(sz[a], sz[a], Complex(gphi / 2)), (id, id, Complex(-gphi / 2))] }
            if gnr != 0 {
                let na = raise[a] * lower[a]
                t += [(lower[a], raise[a], Complex(gnr)), (na, id, Complex(-gnr / 2)), (id, na, Complex(-gnr / 2))]
            }
        }
        return t
    }

    /// L[ρ].
    public func lindblad(_ rho: ComplexMatrix) -> ComplexMatrix {
        terms.reduce(ComplexMatrix(rows: dim, cols: dim)) { $0 + ($1.a * rho * $1.b) * $1.c }
    }

    /// L as a dim² × dim² matrix on column-major vec(ρ).
    public var liouvillian: ComplexMatrix {
        var l = ComplexMatrix(rows: dim * dim, cols: dim * dim)
        for (a, b, c) in terms {
            let k = DenseReference.kron(DenseReference.transpose(b), a)
            for i in k.elements.indices where k.elements[i] != .zero { l.elements[i] = l.elements[i] + c * k.elements[i] }
        }
        return l
    }

    /// The steady state: L vec ρ = 0 with the first row replaced by Tr ρ = 1.
    public func steadyState() throws -> ComplexMatrix { try steadyState(of: liouvillian) }

    /// The null vector of `liouvillian` with Tr ρ = 1 in place of its first row.
    public func steadyState(of liouvillian: ComplexMatrix) throws -> ComplexMatrix {
        var l = liouvillian
        let d2 = dim * dim
        for c in 0..<d2 { l[0, c] = .zero }
        for i in 0..<dim { l[0, i * dim + i] = .one }
        var rhs = ComplexMatrix(rows: d2, cols: 1)
        rhs[0, 0] = .one
        let x = try solve(l, rhs)
        return ComplexMatrix(rows: dim, cols: dim, elements: x.elements)
    }

    /// Tr(O ρ).
    public func expect(_ o: ComplexMatrix, _ rho: ComplexMatrix) -> Complex<Double> {
        let p = o * rho
        var s = Complex<Double>.zero
        for i in 0..<dim { s = s + p[i, i] }
        return s
    }

    /// d vec(ρ)/dt = L vec ρ as real pairs, for `DormandPrince`.
    public func rhs(_ l: ComplexMatrix) -> DormandPrince.RightHandSide {
        { _, y, dy in
            let x = (0..<(y.count / 2)).map { Complex(y[2 * $0], y[2 * $0 + 1]) }
            let r = l.apply(x)
            for i in r.indices { dy[2 * i] = r[i].real; dy[2 * i + 1] = r[i].imaginary }
        }
    }

    /// The 4×4 reduced state of dipoles (a, b) in the basis of `PairCorrelations`
    /// (index 2·i_a + i_b, i = 0 for |↑⟩).
    public func pairState(_ rho: ComplexMatrix, _ a: Int, _ b: Int) -> ComplexMatrix {
        var r = ComplexMatrix(rows: 4, cols: 4)
        let rest = ~((1 << a) | (1 << b))
        func index(_ i: Int) -> Int { 2 * (1 - ((i >> a) & 1)) + (1 - ((i >> b) & 1)) }
        for i in 0..<dim {
            for k in 0..<dim where i & rest == k & rest {
                r[index(i), index(k)] = r[index(i), index(k)] + rho[i, k]
            }
        }
        return r
    }

    // MARK: Matrices

    /// Kronecker product A ⊗ B.
    public static func kron(_ a: ComplexMatrix, _ b: ComplexMatrix) -> ComplexMatrix {
        var c = ComplexMatrix(rows: a.rows * b.rows, cols: a.cols * b.cols)
        for j in 0..<a.cols {
            for i in 0..<a.rows where a[i, j] != .zero {
                for l in 0..<b.cols { for k in 0..<b.rows { c[i * b.rows + k, j * b.cols + l] = a[i, j] * b[k, l] } }
            }
        }
        return c
    }

    public static func transpose(_ a: ComplexMatrix) -> ComplexMatrix {
        var t = ComplexMatrix(rows: a.cols, cols: a.rows)
        for j in 0..<a.cols { for i in 0..<a.rows { t[j, i] = a[i, j] } }
        return t
    }

    // MARK: Random models and states

    /// A random dipolar chain (jittered positions, polarization at 0.7 rad) with random detunings.
    public static func randomModel(n: Int, seed: UInt64, spacing: Double = 0.15, pump: Double = 2.3) -> DipoleModel {
        var rng = SeededRandom(seed: seed)
        let pos = (0..<n).map { SIMD3<Double>(Double($0) * spacing + 0.02 * rng.uniform(), 0.03 * rng.uniform(), 0) }
        let c = Couplings.dipolar(positions: pos, orientation: SIMD3(cos(0.7), 0, sin(0.7)))
        let det = (0..<n).map { _ in rng.uniform() - 0.5 }
        return DipoleModel(pump: pump, detunings: det, f: c.f, g: c.g, positions: pos)
    }

    /// A random model: f = Γ × a correlation matrix (positive semidefinite, Γ = 1 on the diagonal),
    /// g symmetric, detunings and pump random.
    public static func randomModel(n: Int, rng: inout SeededRandom, elastic: Bool = true, detuned: Bool = true) -> DipoleModel {
        var v: [[Double]] = []
        for _ in 0..<n {
            let x = (0..<3).map { _ in rng.normal() }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v.append(x.map { $0 / norm })
        }
        let f = Matrix(square: n) { a, b in zip(v[a], v[b]).reduce(0) { $0 + $1.0 * $1.1 } }
        var g = Matrix(rows: n, cols: n)
        if elastic { for b in 0..<n { for a in 0..<b { let x = 2 * rng.normal(); g[a, b] = x; g[b, a] = x } } }
        let det = (0..<n).map { _ in detuned ? rng.normal() : 0 }
        return DipoleModel(gamma: 1, pump: 0.5 + 3 * rng.uniform(), detunings: det, f: f, g: g)
    }

    /// A random density matrix that commutes with the total excitation number (U(1)-invariant).
    public static func randomU1State(n: Int, rng: inout SeededRandom) -> ComplexMatrix {
        let dim = 1 << n
        var a = ComplexMatrix(rows: dim, cols: dim)
        for j in 0..<dim { for i in 0..<dim { a[i, j] = Complex(rng.normal(), rng.normal()) } }
        var rho = a * a.adjoint
        for j in 0..<dim { for i in 0..<dim where i.nonzeroBitCount != j.nonzeroBitCount { rho[i, j] = .zero } }
        var tr = 0.0
        for k in 0..<dim { tr += rho[k, k].real }
        return rho * Complex(1 / tr)
    }
}

extension ComplexMatrix {
    public static func + (l: ComplexMatrix, r: ComplexMatrix) -> ComplexMatrix {
        ComplexMatrix(rows: l.rows, cols: l.cols, elements: zip(l.elements, r.elements).map { $0 + $1 })
    }
    public static func - (l: ComplexMatrix, r: ComplexMatrix) -> ComplexMatrix {
        ComplexMatrix(rows: l.rows, cols: l.cols, elements: zip(l.elements, r.elements).map { $0 - $1 })
    }
    public static func * (l: ComplexMatrix, r: Complex<Double>) -> ComplexMatrix {
        ComplexMatrix(rows: l.rows, cols: l.cols, elements: l.elements.map { $0 * r })
    }
}
