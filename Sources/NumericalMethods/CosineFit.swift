import Foundation
import LinearAlgebra

/// Least-squares fit of y(τ) = A cos(ντ) e^{−γτ} (the papers' parametrization of Z_ab(τ)).
///
/// A coarse search over (ν, γ) with A solved linearly gives the start, then Levenberg–Marquardt
/// (Marquardt's diagonal scaling) refines all three. Standard errors are √diag(s² (JᵀJ)⁻¹) with
/// s² = RSS/(m − 3) (zero residual gives zero errors; fewer than four samples give NaN). ν ≥ 0.
public struct CosineFit: Sendable, Equatable {
    public var amplitude: Double
    public var frequency: Double
    public var decay: Double
    public var amplitudeError: Double
    public var frequencyError: Double
    public var decayError: Double
    public var residualSumOfSquares: Double

    public static func fit(tau: [Double], y: [Double]) -> CosineFit {
        let m = tau.count
        precondition(y.count == m)
        guard m >= 1, let tMax = tau.max(), tMax > 0 else {
            return CosineFit(
                amplitude: y.first ?? 0, frequency: 0, decay: 0, amplitudeError: .nan,
                frequencyError: .nan, decayError: .nan, residualSumOfSquares: 0)
        }
        let dt = tMax / Double(max(m - 1, 1))
        let yy = y.reduce(0) { $0 + $1 * $1 }
        // Coarse start.
        let nuMax = Double.pi / dt
        let nus = (0..<256).map { nuMax * Double($0) / 255 }
        let gammaLo = 0.01 / tMax, gammaHi = 5 / dt
        let gammas = [0.0] + (0..<60).map { gammaLo * pow(gammaHi / gammaLo, Double($0) / 59) }
        var start = (a: 0.0, nu: 0.0, g: 0.0, rss: Double.infinity)
        var cosines = [Double](repeating: 0, count: m), decays = cosines
        for nu in nus {
            for i in 0..<m { cosines[i] = cos(nu * tau[i]) }
            for g in gammas {
                var sy = 0.0, ss = 0.0
                for i in 0..<m {
                    let phi = cosines[i] * exp(-g * tau[i])
                    decays[i] = phi
                    sy += phi * y[i]; ss += phi * phi
                }
                guard ss > 0 else { continue }
                let rss = yy - sy * sy / ss
                if rss < start.rss { start = (sy / ss, nu, g, rss) }
            }
        }
        var p = [start.a, start.nu, start.g]
        func residuals(_ p: [Double]) -> (r: [Double], rss: Double) {
            var r = [Double](repeating: 0, count: m), s = 0.0
            for i in 0..<m {
                r[i] = y[i] - p[0] * cos(p[1] * tau[i]) * exp(-p[2] * tau[i])
                s += r[i] * r[i]
            }
            return (r, s)
        }
        func normalEquations(_ p: [Double], _ r: [Double]) -> (jtj: [[Double]], jtr: [Double]) {
            var jtj = [[Double]](repeating: [0, 0, 0], count: 3), jtr = [0.0, 0, 0]
            for i in 0..<m {
                let c = cos(p[1] * tau[i]), s = sin(p[1] * tau[i]), e = exp(-p[2] * tau[i])
                let j = [c * e, -p[0] * tau[i] * s * e, -p[0] * tau[i] * c * e]
                for u in 0..<3 {
                    jtr[u] += j[u] * r[i]
                    for v in 0..<3 { jtj[u][v] += j[u] * j[v] }
                }
            }
            return (jtj, jtr)
        }
        var (r, rss) = residuals(p)
        var mu = 1e-3
        for _ in 0..<300 {
            let (jtj, jtr) = normalEquations(p, r)
            var a = Matrix(rows: 3, cols: 3)
            let floor = 1e-12 * max(jtj[0][0], jtj[1][1], jtj[2][2], 1e-300)
            for u in 0..<3 { for v in 0..<3 { a[u, v] = jtj[u][v] + (u == v ? mu * max(jtj[u][u], floor) + floor : 0) } }
            guard let step = try? LinearAlgebra.solve(a, jtr) else { break }
            let trial = zip(p, step).map { $0 + $1 }
            let (rt, rssT) = residuals(trial)
            if rssT < rss {
                let converged = rss - rssT <= 1e-15 * max(rss, 1e-300) + 1e-300
                p = trial; r = rt; rss = rssT
                mu = max(mu / 3, 1e-12)
                if converged { break }
            } else {
                mu *= 4
                if mu > 1e12 { break }
            }
        }
        // Standard errors. At ν ≈ 0 the model is even in ν (∂m/∂ν = 0), so the covariance is taken in the
        // parameter u = ν² (m ≈ A e^{−γτ}(1 − uτ²/2)) and the ν error is √σ_u, a one-sided 1σ bound.
        var errors = [Double.nan, .nan, .nan]
        if m > 3 {
            let s2 = rss / Double(m - 3)
            let even = abs(p[1]) * tMax < 1e-3
            var jtj = [[Double]](repeating: [0, 0, 0], count: 3)
            for i in 0..<m {
                let c = cos(p[1] * tau[i]), s = sin(p[1] * tau[i]), e = exp(-p[2] * tau[i])
                let dnu = even ? -0.5 * p[0] * tau[i] * tau[i] * c * e : -p[0] * tau[i] * s * e
                let j = [c * e, dnu, -p[0] * tau[i] * c * e]
                for u in 0..<3 { for v in 0..<3 { jtj[u][v] += j[u] * j[v] } }
            }
            if let inv = try? LinearAlgebra.solve(Matrix(jtj), Matrix.identity(3)) {
                errors = (0..<3).map { (max(0, s2 * inv[$0, $0])).squareRoot() }
                if even { errors[1] = errors[1].squareRoot() }
            }
        }
        return CosineFit(
            amplitude: p[0], frequency: abs(p[1]), decay: p[2], amplitudeError: errors[0],
            frequencyError: errors[1], decayError: errors[2], residualSumOfSquares: rss)
    }
}
