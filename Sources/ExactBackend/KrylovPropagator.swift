import Foundation
import Numerics
import Physics

/// The no-jump evolution of a quantum-jump trajectory, dψ/dt = Aψ with A = −iH_eff restricted to one
/// excitation-number sector (time independent), by Krylov-subspace exponentials (Saad 1992; Hochbruck &
/// Lubich 1997):
///
///     ψ(t + s) = e^{sA} ψ(t) ≈ β V_m e^{s H_m} e₁,   β = ‖ψ(t)‖,
///
/// where V_m (orthonormal, d × m) and the upper-Hessenberg H_m come from m Arnoldi steps (modified
/// Gram–Schmidt). The step s is the largest (up to the next sample time) whose a-posteriori error
/// estimate β h_{m+1,m} |e_mᵀ e^{s H_m} e₁| is at most `tolerance`·β. Because V_m is orthonormal, the
/// squared norm along the step is β² ‖e^{s H_m} e₁‖², so the waiting time ‖ψ(t_jump)‖² = r is found by
/// a safeguarded Newton iteration in the m-dimensional space without touching the d-dimensional
/// vectors. One Arnoldi basis typically spans ρs ≈ 10–20 (ρ the spectral radius of H_eff) with m = 30
/// matrix–vector products, against ~6 per ρs ≈ 0.2 for an explicit Runge–Kutta pair at the same
/// accuracy. The Arnoldi process stops early (every 4 steps it checks) when the step already reaches
/// the sample time or the jump. Small exponentials e^{sH_m}e₁ are summed as Taylor series on substeps
/// with ‖H_m‖₁ s/p ≤ 1/2 (terms below 10⁻¹⁷ relative are dropped).
///
/// Deterministic: the same state, sector and threshold give the same bits.
struct KrylovPropagator {
    let engine: TrajectoryEngine
    /// Relative error allowed per step.
    let tolerance: Double
    /// Largest Krylov dimension m.
    let maxDimension: Int

    init(engine: TrajectoryEngine, tolerance: Double, maxDimension: Int = 30) {
        self.engine = engine
        self.tolerance = tolerance
        self.maxDimension = maxDimension
    }

    /// Work arrays of one trajectory: (m+1) vectors of the largest sector and the Hessenberg matrix.
    final class Workspace {
        let stride: Int
        let mMax: Int
        var v: [Complex<Double>]
        /// h[i·mMax + j] = H_{ij}, (mMax + 1) × mMax.
        var h: [Complex<Double>]
        var y: [Complex<Double>]
        var term: [Complex<Double>]
        var tmp: [Complex<Double>]

        init(engine: TrajectoryEngine, mMax: Int) {
            var dmax = 1
            for k in 0...engine.n { dmax = max(dmax, engine.basis.dimension(k)) }
            stride = dmax
            self.mMax = mMax
            v = [Complex<Double>](repeating: .zero, count: (mMax + 1) * dmax)
            h = [Complex<Double>](repeating: .zero, count: (mMax + 1) * mMax)
            y = [Complex<Double>](repeating: .zero, count: mMax)
            term = y
            tmp = y
        }
    }

    /// Bytes of one workspace for N dipoles.
    static func bytes(n: Int, maxDimension: Int = 30) -> Int {
        16 * (maxDimension + 1) * SectorBasis.binomial(n, n / 2)
    }

    /// Advances the unnormalized ψ of sector k from t towards `target`, stopping early where ‖ψ‖² falls
    /// to `threshold`. Returns the new time and whether the threshold was reached (a jump is due).
    func advance(
        _ psi: inout [Complex<Double>], sector k: Int, from t: Double, to target: Double,
        threshold r: Double, workspace ws: Workspace
    ) -> (t: Double, crossed: Bool) {
        let d = psi.count
        var beta2 = 0.0
        for z in psi { beta2 += z.lengthSquared }
        let remaining = target - t
        guard beta2 > 0, remaining > 0 else { return (target, false) }
        let beta = beta2.squareRoot()
        let mMax = min(ws.mMax, d)
        let ldh = ws.mMax
        let stride = ws.stride
        var m = 0
        var exact = false
        var tau = remaining
        var hnorm = 0.0
        var crossed = false
        ws.v.withUnsafeMutableBufferPointer { vb in
            ws.h.withUnsafeMutableBufferPointer { hb in
                let v = vb.baseAddress!, h = hb.baseAddress!
                for i in 0..<(mMax + 1) * ldh where i < hb.count { h[i] = .zero }
                psi.withUnsafeBufferPointer { p in
                    let inv = 1 / beta
                    for i in 0..<d { v[i] = Complex(p[i].real * inv, p[i].imaginary * inv) }
                }
                for j in 0..<mMax {
                    let vj = v + j * stride, w = v + (j + 1) * stride
                    engine.derivative(UnsafePointer(vj), w, sector: k)
                    for i in 0...j {
                        let vi = v + i * stride
                        var sr = 0.0, si = 0.0
                        for q in 0..<d {
                            let a = vi[q], b = w[q]
                            sr += a.real * b.real + a.imaginary * b.imaginary
                            si += a.real * b.imaginary - a.imaginary * b.real
                        }
                        h[i * ldh + j] = Complex(sr, si)
                        for q in 0..<d {
                            let a = vi[q]
                            w[q] = Complex(w[q].real - (sr * a.real - si * a.imaginary), w[q].imaginary - (sr * a.imaginary + si * a.real))
                        }
                    }
                    var nn = 0.0
                    for q in 0..<d { nn += w[q].lengthSquared }
                    let hn = nn.squareRoot()
                    var col = 0.0
                    for i in 0...j { col += h[i * ldh + j].length }
                    hnorm = max(hnorm, col + hn)
                    m = j + 1
                    if hn <= 1e-13 * max(hnorm, 1e-300) {
                        exact = true
                        break
                    }
                    h[(j + 1) * ldh + j] = Complex(hn)
                    let inv = 1 / hn
                    for q in 0..<d { w[q] = Complex(w[q].real * inv, w[q].imaginary * inv) }
                    if m == mMax || m % 4 == 0 {
                        tau = acceptableStep(h: h, m: m, exact: false, hnorm: hnorm, upTo: remaining, ws: ws)
                        if tau >= remaining { break }
                        if beta2 * normSquared(ws.y, m) <= r { break }
                    }
                }
                if exact || m < mMax && m % 4 != 0 {
                    tau = acceptableStep(h: h, m: m, exact: exact, hnorm: hnorm, upTo: remaining, ws: ws)
                }
                // ws.y = e^{τ H_m} e₁. Jump inside the step: solve β²‖e^{sH}e₁‖² = r for s ∈ (0, τ].
                if beta2 * normSquared(ws.y, m) <= r {
                    crossed = true
                    var lo = 0.0, hi = tau
                    var s = tau
                    var g = beta2 * normSquared(ws.y, m) - r
                    for _ in 0..<100 {
                        // g'(s) = 2β² Re⟨y, H y⟩.
                        var dg = 0.0
                        for i in 0..<m {
                            var hy = Complex<Double>.zero
                            for c in max(0, i - 1)..<m { hy = hy + h[i * ldh + c] * ws.y[c] }
                            dg += ws.y[i].real * hy.real + ws.y[i].imaginary * hy.imaginary
                        }
                        dg *= 2 * beta2
                        if g > 0 { lo = s } else { hi = s }
                        var next = dg < 0 ? s - g / dg : 0.5 * (lo + hi)
                        if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
                        if abs(next - s) <= 1e-14 * tau || hi - lo <= 1e-14 * tau { s = next; break }
                        s = next
                        smallExp(h: h, m: m, s: s, hnorm: hnorm, ws: ws)
                        g = beta2 * normSquared(ws.y, m) - r
                        if g == 0 { break }
                    }
                    smallExp(h: h, m: m, s: s, hnorm: hnorm, ws: ws)
                    tau = s
                }
                // ψ ← β V_m y.
                psi.withUnsafeMutableBufferPointer { p in
                    for q in 0..<d { p[q] = .zero }
                    for i in 0..<m {
                        let c = Complex(beta * ws.y[i].real, beta * ws.y[i].imaginary)
                        let vi = v + i * stride
                        for q in 0..<d {
                            let a = vi[q]
                            p[q] = Complex(
                                p[q].real + c.real * a.real - c.imaginary * a.imaginary,
                                p[q].imaginary + c.real * a.imaginary + c.imaginary * a.real)
                        }
                    }
                }
            }
        }
        return (crossed ? t + tau : (tau >= remaining ? target : t + tau), crossed)
    }

    /// The largest step s ≤ `upTo` whose error estimate h_{m+1,m}|e_mᵀ e^{sH_m}e₁| is within the tolerance
    /// (all of `upTo` when the space is invariant); leaves e^{sH_m}e₁ in ws.y.
    private func acceptableStep(
        h: UnsafeMutablePointer<Complex<Double>>, m: Int, exact: Bool, hnorm: Double,
        upTo remaining: Double, ws: Workspace
    ) -> Double {
        var s = remaining
        let hn = exact ? 0 : h[m * ws.mMax + m - 1].real
        for _ in 0..<60 {
            smallExp(h: h, m: m, s: s, hnorm: hnorm, ws: ws)
            let err = hn * ws.y[m - 1].length
            if err <= tolerance { return s }
            s *= min(0.9, max(0.1, 0.9 * Foundation.pow(tolerance / err, 1 / Double(m))))
        }
        return s
    }

    /// ws.y = e^{s H_m} e₁ (H_m the leading m × m block of h, upper Hessenberg).
    private func smallExp(h: UnsafeMutablePointer<Complex<Double>>, m: Int, s: Double, hnorm: Double, ws: Workspace) {
        let ldh = ws.mMax
        let pieces = max(1, Int((s * hnorm / 0.5).rounded(.up)))
        let hs = s / Double(pieces)
        for i in 0..<m { ws.y[i] = .zero }
        ws.y[0] = .one
        for _ in 0..<pieces {
            for i in 0..<m { ws.term[i] = ws.y[i] }
            for j in 1...40 {
                let f = hs / Double(j)
                var big = 0.0
                for i in 0..<m {
                    var acc = Complex<Double>.zero
                    for c in max(0, i - 1)..<m { acc = acc + h[i * ldh + c] * ws.term[c] }
                    ws.tmp[i] = Complex(f * acc.real, f * acc.imaginary)
                    big = max(big, ws.tmp[i].length)
                }
                var ymax = 0.0
                for i in 0..<m {
                    ws.term[i] = ws.tmp[i]
                    ws.y[i] = ws.y[i] + ws.tmp[i]
                    ymax = max(ymax, ws.y[i].length)
                }
                if big <= 1e-17 * ymax { break }
            }
        }
    }

    private func normSquared(_ y: [Complex<Double>], _ m: Int) -> Double {
        var s = 0.0
        for i in 0..<m { s += y[i].lengthSquared }
        return s
    }
}
