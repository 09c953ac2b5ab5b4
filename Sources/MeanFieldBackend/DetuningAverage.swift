import Foundation
import NumericalMethods
import Physics

extension DetuningDistribution {
    /// N independent draws from p(δ) by inversion of uniform deviates of `rng`.
    public func sample(count n: Int, using rng: inout SeededRandom) -> [Double] {
        (0..<max(n, 0)).map { _ in
            var u = rng.uniform()
            while u <= 0 { u = rng.uniform() }
            return quantile(u)
        }
    }

    /// ⟨φ(δ)⟩ = ∫ p(δ) φ(δ) dδ by adaptive Gauss–Kronrod quadrature, with an interval break at
    /// `peak` (where φ may vary fastest). φ must be bounded; for the Lorentzian the substitution
    /// δ = Δ tan ϑ turns the average into (1/π)∫ φ(Δ tan ϑ) dϑ over (−π/2, π/2).
    func average(peak: Double = 0, tolerance: Double = 1e-13, _ phi: (Double) -> Double) -> Double {
        switch self {
        case .none:
            return phi(0)
        case .uniform(let w):
            if w == 0 { return phi(0) }
            let lo = -w / 2, hi = w / 2
            let cuts = [lo] + (peak > lo && peak < hi ? [peak] : []) + [hi]
            return Quadrature.integrate(breaks: cuts, tolerance: tolerance, phi) / w
        case .lorentzian(let d):
            if d == 0 { return phi(0) }
            let h = Double.pi / 2
            let cuts = [-h, atan(peak / d), h]
            return Quadrature.integrate(breaks: cuts, tolerance: tolerance) { phi(d * tan($0)) } / Double.pi
        case .gaussian(let s):
            if s == 0 { return phi(0) }
            let xmax = 12.0   // the tails beyond 12σ weigh < 4e-33
            let xp = peak / s
            let cuts = [-xmax] + (xp > -xmax && xp < xmax ? [xp] : []) + [xmax]
            let norm = 1 / (2 * Double.pi).squareRoot()
            return Quadrature.integrate(breaks: cuts, tolerance: tolerance) { x in
                norm * exp(-0.5 * x * x) * phi(s * x)
            }
        }
    }
}
