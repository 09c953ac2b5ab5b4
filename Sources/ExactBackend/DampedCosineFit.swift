import Foundation
import LinearAlgebra

/// Least-squares fit of y(τ) = A cos(ν τ) e^{−γ τ} (PHYSICS.md §3, two-time correlations) by
/// Levenberg–Marquardt (Marquardt 1963, with diagonal scaling of JᵀJ), with standard errors from
/// the covariance σ² (JᵀJ)⁻¹, σ² = Σ r²/(n − 3). ν ≥ 0 by convention (cos is even).
public enum DampedCosineFit {
    public struct Result: Sendable, Equatable {
        public var amplitude: Double
        public var frequency: Double
        public var decay: Double
        public var amplitudeError: Double
        public var frequencyError: Double
        public var decayError: Double
        public var rms: Double
    }

    static func model(_ p: [Double], _ t: Double) -> Double { p[0] * cos(p[1] * t) * exp(-p[2] * t) }

    public static func fit(tau: [Double], y: [Double]) -> Result {
        precondition(tau.count == y.count)
        let n = tau.count
        guard n >= 4, let y0 = y.first, y0 != 0 || y.contains(where: { $0 != 0 }) else {
            return Result(amplitude: y.first ?? 0, frequency: 0, decay: 0, amplitudeError: .nan, frequencyError: .nan,
                          decayError: .nan, rms: 0)
        }
        // Starting points: the frequency from the spacing of sign changes (or 0), the decay from the
        // envelope (log of |y| maxima between sign changes, or of |y| itself).
        var crossings: [Double] = []
        for i in 1..<n where (y[i - 1] > 0) != (y[i] > 0) && y[i - 1] != 0 {
            let t = tau[i - 1] + (tau[i] - tau[i - 1]) * y[i - 1] / (y[i - 1] - y[i])
            crossings.append(t)
        }
        var nuGuess = 0.0
        if crossings.count >= 2 {
            nuGuess = Double.pi * Double(crossings.count - 1) / (crossings.last! - crossings.first!)
        } else if crossings.count == 1 {
            nuGuess = Double.pi / 2 / crossings[0]
        }
        var gammaGuess = 0.1
        let half = y.firstIndex { abs($0) < abs(y0) / 2.718281828 } ?? -1
        if half > 0 && crossings.isEmpty { gammaGuess = 1 / max(tau[half] - tau[0], 1e-6) }
        else if let tl = tau.last, tl > tau[0] { gammaGuess = 1 / (tl - tau[0]) }
        var best: (p: [Double], ssr: Double) = ([y0, nuGuess, gammaGuess], .infinity)
        for start in [[y0, nuGuess, gammaGuess], [y0, 0, gammaGuess], [y0, nuGuess, 3 * gammaGuess],
                      [y0, nuGuess, gammaGuess / 3]] {
            let r = levenbergMarquardt(tau: tau, y: y, start: start)
            if r.ssr < best.ssr { best = r }
        }
        var p = best.p
        if p[1] < 0 { p[1] = -p[1] }
        // Covariance.
        var jtj = Matrix(rows: 3, cols: 3)
        for i in 0..<n {
            let g = gradient(p, tau[i])
            for a in 0..<3 { for b in 0..<3 { jtj[a, b] += g[a] * g[b] } }
        }
        let s2 = n > 3 ? best.ssr / Double(n - 3) : 0
        var errs = [Double](repeating: .nan, count: 3)
        if let inv = try? solve(jtj, Matrix.identity(3)) {
            for a in 0..<3 { errs[a] = (max(0, inv[a, a]) * s2).squareRoot() }
        }
        return Result(amplitude: p[0], frequency: p[1], decay: p[2], amplitudeError: errs[0], frequencyError: errs[1],
                      decayError: errs[2], rms: (best.ssr / Double(n)).squareRoot())
    }

    static func gradient(_ p: [Double], _ t: Double) -> [Double] {
        let c = cos(p[1] * t), s = sin(p[1] * t), e = exp(-p[2] * t)
        return [c * e, -p[0] * t * s * e, -p[0] * t * c * e]
    }

    static func levenbergMarquardt(tau: [Double], y: [Double], start: [Double]) -> (p: [Double], ssr: Double) {
        var p = start
        func ssr(_ q: [Double]) -> Double {
            var s = 0.0
            for i in tau.indices { let r = y[i] - model(q, tau[i]); s += r * r }
            return s
        }
        var current = ssr(p)
        var mu = 1e-3
        for _ in 0..<500 {
            var jtj = Matrix(rows: 3, cols: 3)
            var jtr = [Double](repeating: 0, count: 3)
            for i in tau.indices {
                let g = gradient(p, tau[i])
                let r = y[i] - model(p, tau[i])
                for a in 0..<3 { jtr[a] += g[a] * r; for b in 0..<3 { jtj[a, b] += g[a] * g[b] } }
            }
            var improved = false
            while mu < 1e12 {
                var m = jtj
                for a in 0..<3 { m[a, a] += mu * max(jtj[a, a], 1e-12) }
                guard let step = try? solve(m, jtr) else { mu *= 10; continue }
                let trial = [p[0] + step[0], p[1] + step[1], p[2] + step[2]]
                let s = ssr(trial)
                if s < current {
                    let rel = (current - s) / max(current, 1e-300)
                    p = trial; current = s; mu = max(mu / 3, 1e-12); improved = true
                    if rel < 1e-14 { return (p, current) }
                    break
                }
                mu *= 4
            }
            if !improved { break }
        }
        return (p, current)
    }
}
