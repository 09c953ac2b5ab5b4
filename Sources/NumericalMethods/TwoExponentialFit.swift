import Foundation
import LinearAlgebra

/// Least-squares fit of y(τ) = A_s e^{−γ_s τ} + A_f e^{−γ_f τ} with γ_s ≤ γ_f: the slow and the fast
/// component of a decaying two-time function (docs/physics.md §3.3). The shared entry point of every
/// backend that reports the slow (collective) decay rate of a pair function, `two-time`'s `gamma-slow`.
///
/// Variable projection: on a logarithmic grid of rate pairs the two amplitudes are solved linearly and
/// the best pair starts Levenberg–Marquardt (Marquardt's diagonal scaling) on all four parameters.
/// Standard errors are √diag(s² (JᵀJ)⁻¹) with s² = RSS/(m − 4) (fewer than five samples give NaN).
/// When a second exponential does not lower the residual by more than 10⁻³ of a single exponential's
/// (one component, as for two uncoupled dipoles), the single exponential is returned as the slow
/// component with a fast amplitude of 0 and a fast rate equal to the slow one.
public struct TwoExponentialFit: Sendable, Equatable {
    public var slowAmplitude: Double
    public var slowDecay: Double
    public var fastAmplitude: Double
    public var fastDecay: Double
    public var slowAmplitudeError: Double
    public var slowDecayError: Double
    public var fastAmplitudeError: Double
    public var fastDecayError: Double
    public var residualSumOfSquares: Double

    public static func fit(tau: [Double], y: [Double]) -> TwoExponentialFit {
        let m = tau.count
        precondition(y.count == m)
        guard m >= 2, let tMax = tau.max(), tMax > 0, y.allSatisfy(\.isFinite) else {
            return TwoExponentialFit(
                slowAmplitude: y.first ?? 0, slowDecay: 0, fastAmplitude: 0, fastDecay: 0, slowAmplitudeError: .nan,
                slowDecayError: .nan, fastAmplitudeError: .nan, fastDecayError: .nan, residualSumOfSquares: 0)
        }
        let dt = tMax / Double(max(m - 1, 1))
        let yy = y.reduce(0) { $0 + $1 * $1 }
        // Rate grid: from a tenth of the window's inverse to five samples' inverse.
        let gLo = 0.1 / tMax, gHi = 5 / dt
        let rates = (0..<64).map { gLo * pow(gHi / gLo, Double($0) / 63) }
        let columns = rates.map { g in tau.map { exp(-g * $0) } }
        let cy = columns.map { c in zip(c, y).reduce(0) { $0 + $1.0 * $1.1 } }
        let cc = columns.map { c in c.reduce(0) { $0 + $1 * $1 } }

        // The best single exponential (start and fallback), refined below.
        var single = (a: 0.0, g: 0.0, rss: yy)
        for i in rates.indices where cc[i] > 0 {
            let rss = yy - cy[i] * cy[i] / cc[i]
            if rss < single.rss { single = (cy[i] / cc[i], rates[i], rss) }
        }
        let one = refine([single.a, single.g], tau: tau, y: y)

        var start = (p: [0.0, 0, 0, 0], rss: Double.infinity)
        for i in rates.indices {
            for j in (i + 1)..<rates.count {
                let cij = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                let det = cc[i] * cc[j] - cij * cij
                guard det > 1e-12 * cc[i] * cc[j] else { continue }
                let a = (cy[i] * cc[j] - cy[j] * cij) / det, b = (cy[j] * cc[i] - cy[i] * cij) / det
                let rss = yy - a * cy[i] - b * cy[j]
                if rss < start.rss { start = ([a, rates[i], b, rates[j]], rss) }
            }
        }
        let two = start.rss.isFinite ? refine(start.p, tau: tau, y: y) : one
        if two.p.count < 4 || !(two.rss < (1 - 1e-3) * one.rss) {
            let e = one.errors
            return TwoExponentialFit(
                slowAmplitude: one.p[0], slowDecay: one.p[1], fastAmplitude: 0, fastDecay: one.p[1],
                slowAmplitudeError: e[0], slowDecayError: e[1], fastAmplitudeError: .nan, fastDecayError: .nan,
                residualSumOfSquares: one.rss)
        }
        var (s, f) = ((0, 1), (2, 3))
        if two.p[3] < two.p[1] { swap(&s, &f) }
        let p = two.p, e = two.errors
        return TwoExponentialFit(
            slowAmplitude: p[s.0], slowDecay: p[s.1], fastAmplitude: p[f.0], fastDecay: p[f.1],
            slowAmplitudeError: e[s.0], slowDecayError: e[s.1], fastAmplitudeError: e[f.0], fastDecayError: e[f.1],
            residualSumOfSquares: two.rss)
    }

    /// Levenberg–Marquardt on y ≈ Σ_k p[2k] e^{−p[2k+1] τ} (one or two terms) from `start`, with the
    /// standard errors of the result.
    static func refine(_ start: [Double], tau: [Double], y: [Double]) -> (p: [Double], rss: Double, errors: [Double]) {
        let m = tau.count, k = start.count
        func model(_ p: [Double], _ t: Double) -> Double {
            var v = 0.0
            for c in stride(from: 0, to: k, by: 2) { v += p[c] * exp(-p[c + 1] * t) }
            return v
        }
        func jacobianRow(_ p: [Double], _ t: Double) -> [Double] {
            var j = [Double](repeating: 0, count: k)
            for c in stride(from: 0, to: k, by: 2) {
                let e = exp(-p[c + 1] * t)
                j[c] = e
                j[c + 1] = -p[c] * t * e
            }
            return j
        }
        func rss(_ p: [Double]) -> Double {
            var s = 0.0
            for i in 0..<m { let r = y[i] - model(p, tau[i]); s += r * r }
            return s
        }
        func normal(_ p: [Double]) -> (jtj: [[Double]], jtr: [Double]) {
            var jtj = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            var jtr = [Double](repeating: 0, count: k)
            for i in 0..<m {
                let j = jacobianRow(p, tau[i]), r = y[i] - model(p, tau[i])
                for u in 0..<k {
                    jtr[u] += j[u] * r
                    for v in 0..<k { jtj[u][v] += j[u] * j[v] }
                }
            }
            return (jtj, jtr)
        }
        var p = start, current = rss(p), mu = 1e-3
        for _ in 0..<300 {
            let (jtj, jtr) = normal(p)
            let scale = (0..<k).map { jtj[$0][$0] }.max() ?? 0
            let floor = 1e-12 * max(scale, 1e-300)
            var a = Matrix(rows: k, cols: k)
            for u in 0..<k { for v in 0..<k { a[u, v] = jtj[u][v] + (u == v ? mu * max(jtj[u][u], floor) + floor : 0) } }
            guard let step = try? LinearAlgebra.solve(a, jtr) else { break }
            let trial = zip(p, step).map { $0 + $1 }
            let t = rss(trial)
            if t < current {
                let converged = current - t <= 1e-15 * max(current, 1e-300) + 1e-300
                p = trial; current = t
                mu = max(mu / 3, 1e-12)
                if converged { break }
            } else {
                mu *= 4
                if mu > 1e12 { break }
            }
        }
        var errors = [Double](repeating: .nan, count: k)
        if m > k {
            let s2 = current / Double(m - k)
            let (jtj, _) = normal(p)
            if let inv = try? LinearAlgebra.solve(Matrix(jtj), Matrix.identity(k)) {
                errors = (0..<k).map { (max(0, s2 * inv[$0, $0])).squareRoot() }
            }
        }
        return (p, current, errors)
    }
}
