import Foundation
import Numerics
import LinearAlgebra
import Physics

/// How a steady state was found.
public struct SteadyStateReport: Sendable {
    /// ‖dx/dt‖_∞ at the returned state (in Γ).
    public var residual: Double
    /// The residual divided by the rate scale Γ + W + max_a Σ_b |K_ab|.
    public var relativeResidual: Double
    public var outerIterations: Int
    public var krylovIterations: Int
    public var preconditioner: String
}

/// Steady state of the cumulant equations by pseudo-transient continuation (Ψtc; Kelley & Keyes,
/// SIAM J. Numer. Anal. 35, 508 (1998)): linearized implicit Euler steps
///
///     (I/Δt − J) δ = F(x),   x ← x + δ,   Δt ← Δt · ‖F_old‖/‖F_new‖   (switched evolution relaxation)
///
/// started from the uncorrelated state s_a = (W−Γ)/(W+Γ), C = 0, D_ab = s_a s_b, so that early steps
/// follow the physical relaxation and late steps (Δt → ∞) are Newton steps with quadratic convergence.
/// Each linear system is solved by right-preconditioned restarted GMRES with exact Jacobian-vector
/// products (one O(N³) product each). The preconditioner inverts the dominant part of I/Δt − J:
/// the C block V ↦ V/Δt − (M V + V M†) with M = diag(iδ − Q/2) + ½ diag(s) K* (the same matrix that
/// drives two-time correlations) through an eigen-decomposition of M, and the diagonal rates Q and 2Q
/// of the s and D blocks. Without detunings and elastic couplings M is replaced by
/// −Q/2 + ½ s̄ F (s̄ the mean inversion) so that one symmetric eigen-decomposition of F serves all steps.
public struct SteadyStateSolver {
    public var tolerance: Double
    public var maxOuterIterations = 80
    public var restart: Int
    public var maxKrylovPerStep = 200

    public init(tolerance: Double, restart: Int = 20) {
        self.tolerance = tolerance
        self.restart = restart
    }

    /// Packed vectors GMRES(m) and Ψtc hold at once.
    public static func packedVectors(restart m: Int) -> Int { m + 9 }

    public func solve(_ system: CumulantSystem) throws -> (state: [Double], report: SteadyStateReport) {
        let n = system.n
        let q = system.q
        var scale = q
        for a in 0..<n {
            var row = 0.0
            for b in 0..<n {
                row += abs(system.fOff[a, b])
                if let g = system.gOff { row += abs(g[a, b]) }
            }
            scale = max(scale, q + row)
        }
        let target = max(tolerance, 1e-13) * scale
        var x = system.productState([Double](repeating: system.p / q, count: n))
        var f = [Double](repeating: 0, count: system.packedCount)
        system.rhs(x, into: &f)
        var res = maxAbs(f)
        var precond = try LyapunovPreconditioner(system: system)
        var dt = 1 / q
        var outer = 0, krylov = 0
        var scratch = Matrix(rows: n, cols: 2 * n)
        var fNew = f
        var xNew = x
        while res > target {
            outer += 1
            if outer > maxOuterIterations || !res.isFinite {
                throw BackendError.noConvergence(
                    "cumulant steady state: residual \(res) after \(outer - 1) pseudo-transient steps (target \(target))")
            }
            let sigma = dt > 1e14 ? 0 : 1 / dt
            try precond.update(system: system, s: Array(x[0..<n]))
            // Inexact Newton forcing term; tight enough near convergence to reach the target.
            let eta = max(min(0.05, 0.5 * res / scale), 0.1 * target / max(res, 1e-300))
            let state = x
            let (delta, its) = gmres(count: system.packedCount, rhs: f, restart: restart,
                                     maxIterations: maxKrylovPerStep, relativeTolerance: min(eta, 0.05),
                                     apply: { v, out in
                                         system.jacobianTimes(state, v, scratch: &scratch, into: &out)
                                         for i in out.indices { out[i] = sigma * v[i] - out[i] }
                                     },
                                     precondition: { v, out in precond.apply(v, sigma: sigma, into: &out) })
            krylov += its
            for i in x.indices { xNew[i] = x[i] + delta[i] }
            system.rhs(xNew, into: &fNew)
            let resNew = maxAbs(fNew)
            if !resNew.isFinite || resNew > 1e3 * res {
                dt /= 4
                system.rhs(x, into: &f)   // restores the cached product of x
                continue
            }
            dt *= min(max(res / max(resNew, 1e-300), 0.5), 1e4)
            swap(&x, &xNew)
            swap(&f, &fNew)
            res = resNew
        }
        return (x, SteadyStateReport(residual: res, relativeResidual: res / scale, outerIterations: outer,
                                     krylovIterations: krylov, preconditioner: precond.kind))
    }
}

@inline(__always) func maxAbs(_ v: [Double]) -> Double {
    var m = 0.0
    for x in v { let a = abs(x); if a > m || a.isNaN { m = a } }
    return m
}

@inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
        for i in 0..<pa.count { s += pa[i] * pb[i] }
    } }
    return s
}

/// Restarted GMRES(m) for A x = b with right preconditioning (A P⁻¹ y = b, x = P⁻¹ y), x₀ = 0,
/// modified Gram–Schmidt and Givens rotations (Saad & Schultz 1986). Returns x and the iteration count.
func gmres(count: Int, rhs b: [Double], restart m: Int, maxIterations: Int, relativeTolerance: Double,
           apply: ([Double], inout [Double]) -> Void,
           precondition: ([Double], inout [Double]) -> Void) -> ([Double], Int) {
    var x = [Double](repeating: 0, count: count)
    let bnorm = dot(b, b).squareRoot()
    if bnorm == 0 { return (x, 0) }
    var r = b
    var w = [Double](repeating: 0, count: count)
    var z = w
    var basis: [[Double]] = []
    var total = 0
    while total < maxIterations {
        let beta = dot(r, r).squareRoot()
        if beta <= relativeTolerance * bnorm { break }
        basis.removeAll(keepingCapacity: true)
        basis.append(r.map { $0 / beta })
        var h = [[Double]](repeating: [Double](repeating: 0, count: m), count: m + 1)
        var cs = [Double](repeating: 0, count: m), sn = cs
        var g = [Double](repeating: 0, count: m + 1)
        g[0] = beta
        var k = 0
        while k < m && total < maxIterations {
            precondition(basis[k], &z)
            apply(z, &w)
            total += 1
            for i in 0...k {
                let hik = dot(w, basis[i])
                h[i][k] = hik
                basis[i].withUnsafeBufferPointer { bi in
                    w.withUnsafeMutableBufferPointer { pw in for t in 0..<count { pw[t] -= hik * bi[t] } }
                }
            }
            let hnext = dot(w, w).squareRoot()
            h[k + 1][k] = hnext
            for i in 0..<k {
                let t = cs[i] * h[i][k] + sn[i] * h[i + 1][k]
                h[i + 1][k] = -sn[i] * h[i][k] + cs[i] * h[i + 1][k]
                h[i][k] = t
            }
            let den = (h[k][k] * h[k][k] + h[k + 1][k] * h[k + 1][k]).squareRoot()
            cs[k] = den == 0 ? 1 : h[k][k] / den
            sn[k] = den == 0 ? 0 : h[k + 1][k] / den
            h[k][k] = den
            h[k + 1][k] = 0
            g[k + 1] = -sn[k] * g[k]
            g[k] = cs[k] * g[k]
            k += 1
            if abs(g[k]) <= relativeTolerance * bnorm || hnext == 0 { break }
            basis.append(w.map { $0 / hnext })
        }
        // Back substitution for y, then x += P⁻¹ (V y).
        var y = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var s = g[i]
            for j in (i + 1)..<k { s -= h[i][j] * y[j] }
            y[i] = h[i][i] == 0 ? 0 : s / h[i][i]
        }
        for i in 0..<count { w[i] = 0 }
        for j in 0..<k {
            let yj = y[j]
            basis[j].withUnsafeBufferPointer { bj in
                w.withUnsafeMutableBufferPointer { pw in for t in 0..<count { pw[t] += yj * bj[t] } }
            }
        }
        precondition(w, &z)
        for i in 0..<count { x[i] += z[i] }
        if abs(g[k]) <= relativeTolerance * bnorm { break }
        // True residual for the restart.
        apply(x, &w)
        for i in 0..<count { r[i] = b[i] - w[i] }
    }
    return (x, total)
}
