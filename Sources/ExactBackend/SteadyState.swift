import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// A U(1)-invariant density matrix ρ = ⊕_k ρ_k stored as the blocks of `BlockLayout(shift: 0)`.
public struct BlockDensityMatrix: Sendable {
    public let layout: BlockLayout
    public var entries: [Complex<Double>]

    public init(layout: BlockLayout, entries: [Complex<Double>]) {
        precondition(layout.shift == 0 && entries.count == layout.count)
        self.layout = layout
        self.entries = entries
    }

    /// ρ_k as a dense matrix.
    public func block(_ k: Int) -> ComplexMatrix {
        let d = layout.rows[k], o = layout.offsets[k]
        return ComplexMatrix(rows: d, cols: d, elements: Array(entries[o..<(o + d * d)]))
    }

    /// Tr ρ.
    public var trace: Complex<Double> { BlockDensityMatrix.trace(entries, layout: layout) }

    static func trace(_ x: [Complex<Double>], layout: BlockLayout) -> Complex<Double> {
        var t = Complex<Double>.zero
        for k in layout.sectors {
            let d = layout.rows[k], o = layout.offsets[k]
            for i in 0..<d { t = t + x[o + i * d + i] }
        }
        return t
    }

    /// (ρ + ρ†)/2 normalized to unit trace.
    mutating func hermitizeAndNormalize() {
        for k in layout.sectors {
            let d = layout.rows[k], o = layout.offsets[k]
            for j in 0..<d {
                for i in 0...j {
                    let a = entries[o + i + j * d], b = entries[o + j + i * d]
                    let m = Complex((a.real + b.real) / 2, (a.imaginary - b.imaginary) / 2)
                    entries[o + i + j * d] = m
                    entries[o + j + i * d] = m.conjugate
                }
            }
        }
        let t = trace.real
        if t != 0 { for i in entries.indices { entries[i] = Complex(entries[i].real / t, entries[i].imaginary / t) } }
    }

    /// The product of independent single-dipole steady states, p_↑ = W/(W + Γ + γ_nr): a guess for the solver.
    public static func independentDipoles(basis: SectorBasis, model: DipoleModel) -> BlockDensityMatrix {
        let layout = BlockLayout(n: basis.n, shift: 0)
        var e = [Complex<Double>](repeating: .zero, count: layout.count)
        var total = model.pump + model.gamma
        if model.nonradiativeDecay != 0 { total += model.nonradiativeDecay }   // docs/physics.md §1.5
        let p = total > 0 ? model.pump / total : 0
        for k in 0...basis.n {
            let d = layout.rows[k], o = layout.offsets[k]
            let w = pow(p, Double(k)) * pow(1 - p, Double(basis.n - k))
            for i in 0..<d { e[o + i * d + i] = Complex(w) }
        }
        var rho = BlockDensityMatrix(layout: layout, entries: e)
        rho.hermitizeAndNormalize()
        return rho
    }

    /// A pure product state of every dipole in |↓⟩ (k = 0) or |↑⟩ (k = N).
    public static func allInSector(_ k: Int, basis: SectorBasis) -> BlockDensityMatrix {
        let layout = BlockLayout(n: basis.n, shift: 0)
        var e = [Complex<Double>](repeating: .zero, count: layout.count)
        e[layout.offsets[k]] = .one
        return BlockDensityMatrix(layout: layout, entries: e)
    }
}

/// The inverse of the sector-diagonal part L₀(X)_k = −i (H_k X_k − X_k H_k†) of the Liouvillian,
/// from the eigen-decompositions H_k = V_k Λ_k V_k⁻¹:
///
///     L₀⁻¹(B)_k = V_k [ (V_k⁻¹ B_k V_k⁻†)_ij / (−i (λ_i − λ̄_j)) ] V_k†.
///
/// Im λ < 0 for every eigenvalue when Γ, W > 0, so the denominators do not vanish; a vanishing one
/// (W = 0, sector 0) is replaced by −iΓ (only the preconditioner changes, not the solution).
/// Work: four complex GEMMs of size C(N,k) per block.
struct SectorPreconditioner {
    var v: [ComplexMatrix] = []
    var vinv: [ComplexMatrix] = []
    var lambda: [[Complex<Double>]] = []
    /// Single-precision copies of V_k and V_k⁻¹ for blocks of at least `floatThreshold` rows.
    var vf: [FloatComplexMatrix?] = []
    var vinvf: [FloatComplexMatrix?] = []
    static let floatThreshold = 64
    let layout: BlockLayout
    let floor: Double

    init(liouvillian: BlockLiouvillian) throws {
        layout = BlockLayout(n: liouvillian.n, shift: 0)
        floor = 1e-9 * max(liouvillian.model.gamma, 1e-300)
        for k in 0...liouvillian.n {
            let h = liouvillian.effectiveHamiltonian(sector: k)
            let (w, vec) = try eigen(h)
            let inv = try solve(vec, ComplexMatrix.identity(h.rows))
            lambda.append(w)
            if h.rows >= SectorPreconditioner.floatThreshold {
                vf.append(FloatComplexMatrix(vec.elements, n: h.rows)); vinvf.append(FloatComplexMatrix(inv.elements, n: h.rows))
                v.append(ComplexMatrix(rows: 0, cols: 0)); vinv.append(ComplexMatrix(rows: 0, cols: 0))
            } else {
                vf.append(nil); vinvf.append(nil); v.append(vec); vinv.append(inv)
            }
        }
    }

    private func applyFloat(
        _ b: [Complex<Double>], o: Int, d: Int, v: FloatComplexMatrix, vinv: FloatComplexMatrix,
        lam: [Complex<Double>], gamma: Double, into out: inout [Complex<Double>]
    ) {
        let bk = FloatComplexMatrix(Array(b[o..<(o + d * d)]), n: d)
        var t = FloatComplexMatrix(zero: d), u = FloatComplexMatrix(zero: d)
        FloatComplexMatrix.multiply(vinv, bk, adjointB: false, into: &t)
        FloatComplexMatrix.multiply(t, vinv, adjointB: true, into: &u)
        for j in 0..<d {
            for i in 0..<d {
                var den = Complex<Double>(0, -1) * (lam[i] - lam[j].conjugate)
                if den.length < floor { den = Complex(gamma) }
                let e = 2 * (i + j * d)
                let z = Complex(Double(u.storage[e]), Double(u.storage[e + 1])) / den
                u.storage[e] = Float(z.real); u.storage[e + 1] = Float(z.imaginary)
            }
        }
        FloatComplexMatrix.multiply(v, u, adjointB: false, into: &t)
        FloatComplexMatrix.multiply(t, v, adjointB: true, into: &u)
        for i in 0..<(d * d) { out[o + i] = Complex(Double(u.storage[2 * i]), Double(u.storage[2 * i + 1])) }
    }

    /// Bytes the decompositions take: 2 Σ_k C(N,k)² complex numbers.
    static func bytes(n: Int) -> Int { 2 * 16 * SectorBasis.binomial(2 * n, n) }

    func apply(_ b: [Complex<Double>], gamma: Double) -> [Complex<Double>] {
        var out = [Complex<Double>](repeating: .zero, count: b.count)
        for k in layout.sectors {
            let d = layout.rows[k], o = layout.offsets[k]
            if let vk = vf[k], let vik = vinvf[k] {
                applyFloat(b, o: o, d: d, v: vk, vinv: vik, lam: lambda[k], gamma: gamma, into: &out)
                continue
            }
            let bk = ComplexMatrix(rows: d, cols: d, elements: Array(b[o..<(o + d * d)]))
            var t = ComplexMatrix(rows: d, cols: d), u = ComplexMatrix(rows: d, cols: d)
            ComplexMatrix.gemm(vinv[k], bk, into: &t)
            ComplexMatrix.gemm(t, vinv[k], transposeB: .adjoint, into: &u)
            let lam = lambda[k]
            for j in 0..<d {
                for i in 0..<d {
                    var den = Complex<Double>(0, -1) * (lam[i] - lam[j].conjugate)
                    if den.length < floor { den = Complex(gamma) }
                    u[i, j] = u[i, j] / den
                }
            }
            ComplexMatrix.gemm(v[k], u, into: &t)
            ComplexMatrix.gemm(t, v[k], transposeB: .adjoint, into: &u)
            for i in 0..<(d * d) { out[o + i] = u.elements[i] }
        }
        return out
    }
}

/// The steady state L(ρ) = 0, Tr ρ = 1 of a U(1)-invariant problem, from the block Liouvillian
/// (`BlockLiouvillian`); the exact backend's steady-state solver.
///
/// Method: GMRES(m) on A(x) = L(x) + Tr(x)·E = E with E the trace-one starting guess (A is
/// invertible when the steady state is unique, and its solution has Tr x = 1, L(x) = 0), flexibly
/// right preconditioned (`GMRES<ComplexKrylovArithmetic>`, `.flexible`: the preconditioner's large
/// blocks run in single precision) by the inverse of the sector-diagonal part L₀ (`SectorPreconditioner`), so
/// the Krylov space is that of 1 + J L₀⁻¹ with J the jump terms. Converged when ‖L ρ‖_F ≤ tol·s with s
/// the rate scale of L (Gershgorin bound of H_eff).
public struct LiouvillianSteadyStateSolver {
    public var tolerance: Double
    public var restart: Int = 40
    public var maxIterations: Int = 2000

    public init(tolerance: Double) { self.tolerance = tolerance }

    public struct Outcome: Sendable {
        public var rho: BlockDensityMatrix
        /// ‖L(ρ)‖_F after hermitizing and normalizing.
        public var residual: Double
        public var iterations: Int
    }

    public func solve(_ l: BlockLiouvillian, guess: BlockDensityMatrix? = nil) throws -> Outcome {
        let layout = BlockLayout(n: l.n, shift: 0)
        var x0 = guess ?? BlockDensityMatrix.independentDipoles(basis: l.basis, model: l.model)
        guard x0.layout == layout else { throw BackendError.numerical("the initial guess has the wrong shape") }
        x0.hermitizeAndNormalize()
        let pre: SectorPreconditioner
        do { pre = try SectorPreconditioner(liouvillian: l) } catch {
            throw BackendError.numerical("diagonalizing the effective Hamiltonian failed: \(error)")
        }
        // GMRES stops on its own residual estimate, which the single-precision preconditioner and the
        // final hermitization can leave above the true target (seen from warm starts that begin close
        // to the solution). Then the solve restarts from its result, at most twice.
        var total = 0
        var last: Outcome?
        for attempt in 0..<3 {
            let out = try solveOnce(l, start: last?.rho ?? x0, preconditioner: pre, layout: layout)
            total += out.iterations
            let target = tolerance * l.rateScale
            if out.residual <= target || attempt == 2 {
                if out.residual > target {
                    throw BackendError.noConvergence(
                        String(
                            format:
                                "GMRES steady state: residual ‖Lρ‖ = %.3g after %d iterations (target %.3g)", out.residual, total, target))
                }
                return Outcome(rho: out.rho, residual: out.residual, iterations: total)
            }
            last = out
        }
        throw BackendError.noConvergence("GMRES steady state did not converge")
    }

    private func solveOnce(
        _ l: BlockLiouvillian, start x0: BlockDensityMatrix, preconditioner pre: SectorPreconditioner,
        layout: BlockLayout
    ) throws -> Outcome {
        let e = x0.entries
        let gamma = l.model.gamma
        let op: GMRES<ComplexKrylovArithmetic>.Operator = { x, y in
            y = l.apply(x, layout: layout)
            let t = BlockDensityMatrix.trace(x, layout: layout)
            for i in y.indices { y[i] = y[i] + t * e[i] }
        }
        let target = tolerance * l.rateScale
        let gm = GMRES<ComplexKrylovArithmetic>(
            restart: restart, maxIterations: maxIterations,
            tolerance: .absolute(0.5 * target), preconditioning: .flexible)
        let out = gm.solve(a: op, preconditioner: { v, z in z = pre.apply(v, gamma: gamma) }, b: e, x0: e)
        var rho = BlockDensityMatrix(layout: layout, entries: out.x)
        rho.hermitizeAndNormalize()
        let res = ComplexKrylovArithmetic.norm(l.apply(rho.entries, layout: layout))
        guard res.isFinite else { throw BackendError.numerical("the steady-state iteration produced non-finite values") }
        return Outcome(rho: rho, residual: res, iterations: out.iterations)
    }
}
