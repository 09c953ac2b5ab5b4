import Foundation
import Numerics
import LinearAlgebra
import Physics

/// An independent dense reference: the full 2^N Hilbert space, the master equation of docs/physics.md §1.1
/// built term by term from the model's f, g, δ and W (no Dicke-basis algebra).
struct DenseReference {
    let n: Int
    let dim: Int
    var sm: [ComplexMatrix] = []   // σ⁻_a, basis bit a = 1 for |↓⟩ of dipole a
    init(n: Int) {
        self.n = n
        dim = 1 << n
        for a in 0..<n {
            var s = ComplexMatrix(rows: dim, cols: dim)
            for i in 0..<dim where i & (1 << a) == 0 { s[i | (1 << a), i] = .one }   // |↑⟩ → |↓⟩
            sm.append(s)
        }
    }
    var jm: ComplexMatrix { sm.dropFirst().reduce(sm[0]) { add($0, $1) } }
    var jp: ComplexMatrix { jm.adjoint }
    var jz: ComplexMatrix { scale(sub(jp * jm, jm * jp), 0.5) }
    var jx: ComplexMatrix { scale(add(jp, jm), 0.5) }
    var jy: ComplexMatrix { scale(sub(jp, jm), 0.5).timesI(-1) }

    func add(_ a: ComplexMatrix, _ b: ComplexMatrix) -> ComplexMatrix {
        ComplexMatrix(rows: a.rows, cols: a.cols, elements: zip(a.elements, b.elements).map { $0 + $1 })
    }
    func sub(_ a: ComplexMatrix, _ b: ComplexMatrix) -> ComplexMatrix {
        ComplexMatrix(rows: a.rows, cols: a.cols, elements: zip(a.elements, b.elements).map { $0 - $1 })
    }
    func scale(_ a: ComplexMatrix, _ s: Double) -> ComplexMatrix {
        ComplexMatrix(rows: a.rows, cols: a.cols, elements: a.elements.map { $0 * Complex(s) })
    }

    /// L as a dim² × dim² matrix on column-major vec(ρ): vec(AρB) = (Bᵀ ⊗ A) vec ρ.
    func liouvillian(_ model: DipoleModel) -> ComplexMatrix {
        let d2 = dim * dim
        var l = ComplexMatrix(rows: d2, cols: d2)
        let id = ComplexMatrix.identity(dim)
        func addTerm(_ a: ComplexMatrix, _ b: ComplexMatrix, _ c: Complex<Double>) {   // c · A ρ B
            for bc in 0..<dim { for br in 0..<dim {
                let bv = b[br, bc]; if bv == .zero { continue }
                for ac in 0..<dim { for ar in 0..<dim {
                    let av = a[ar, ac]; if av == .zero { continue }
                    // (Bᵀ ⊗ A)[(bc, ar), (br, ac)] : row index ar + dim·bc, column ac + dim·br
                    l[ar + dim * bc, ac + dim * br] = l[ar + dim * bc, ac + dim * br] + c * av * bv
                } }
            } }
        }
        var h = ComplexMatrix(rows: dim, cols: dim)
        for a in 0..<n {
            let sz = sub(sm[a].adjoint * sm[a], sm[a] * sm[a].adjoint)
            h = add(h, scale(sz, 0.5 * model.detunings[a]))
            for b in 0..<n where b != a { h = add(h, scale(sm[a].adjoint * sm[b], 0.5 * model.g[a, b])) }
        }
        addTerm(h, id, Complex(0, -1)); addTerm(id, h, Complex(0, 1))
        for a in 0..<n { for b in 0..<n {
            let f = model.f[a, b]; if f == 0 { continue }
            let spa = sm[a].adjoint
            addTerm(sm[b], spa, Complex(f))
            let pm = spa * sm[b]
            addTerm(pm, id, Complex(-0.5 * f)); addTerm(id, pm, Complex(-0.5 * f))
        } }
        for a in 0..<n {
            let sp = sm[a].adjoint
            addTerm(sp, sm[a], Complex(model.pump))
            let mp = sm[a] * sp
            addTerm(mp, id, Complex(-0.5 * model.pump)); addTerm(id, mp, Complex(-0.5 * model.pump))
        }
        return l
    }

    func steadyState(_ model: DipoleModel) throws -> ComplexMatrix {
        var l = liouvillian(model)
        let d2 = dim * dim
        for c in 0..<d2 { l[0, c] = .zero }
        for i in 0..<dim { l[0, i + dim * i] = .one }
        var b = ComplexMatrix(rows: d2, cols: 1); b[0, 0] = .one
        let x = try solve(l, b)
        return ComplexMatrix(rows: dim, cols: dim, elements: x.elements)
    }

    func expect(_ o: ComplexMatrix, _ rho: ComplexMatrix) -> Complex<Double> {
        let p = o * rho
        var s = Complex<Double>.zero
        for i in 0..<dim { s = s + p[i, i] }
        return s
    }

    /// d vec(ρ)/dt as real pairs, for DormandPrince.
    func rhs(_ l: ComplexMatrix) -> DormandPrince.RightHandSide {
        { _, y, dy in
            let x = (0..<(y.count / 2)).map { Complex(y[2 * $0], y[2 * $0 + 1]) }
            let r = l.apply(x)
            for i in r.indices { dy[2 * i] = r[i].real; dy[2 * i + 1] = r[i].imaginary }
        }
    }
}

extension ComplexMatrix {
    func timesI(_ s: Double) -> ComplexMatrix {
        ComplexMatrix(rows: rows, cols: cols, elements: elements.map { $0 * Complex(0, s) })
    }
}
