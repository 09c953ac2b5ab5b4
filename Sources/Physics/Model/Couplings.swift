import Foundation
import LinearAlgebra

/// The coupling matrices f (dissipative) and g (elastic) of docs/physics.md §2.
public struct Couplings: Sendable {
    /// f_ab with Γ on the diagonal.
    public var f: Matrix
    /// g_ab with zero diagonal.
    public var g: Matrix

    public init(f: Matrix, g: Matrix) { self.f = f; self.g = g }

    /// Dipolar couplings of point dipoles along `orientation` at `positions` (in λ):
    ///
    ///     g(r) = −(3Γ/2) { sin²θ cos ζ/ζ + (3cos²θ − 1) [cos ζ/ζ³ + sin ζ/ζ²] }
    ///     f(r) =  (3Γ/2) { sin²θ sin ζ/ζ + (3cos²θ − 1) [sin ζ/ζ³ − cos ζ/ζ²] }
    ///
    /// with ζ = 2π r/λ and cos θ = d̂·r̂ per pair. `elastic: false` sets g = 0.
    public static func dipolar(
        positions: [SIMD3<Double>], orientation: SIMD3<Double>, gamma: Double = 1,
        elastic: Bool = true
    ) -> Couplings {
        let n = positions.count
        let norm = (orientation * orientation).sum().squareRoot()
        let d = norm > 0 ? orientation / norm : SIMD3(0, 0, 1)
        var f = Matrix(rows: n, cols: n)
        var g = Matrix(rows: n, cols: n)
        for a in 0..<n {
            f[a, a] = gamma
            for b in (a + 1)..<max(a + 1, n) {
                let r = positions[b] - positions[a]
                let dist = (r * r).sum().squareRoot()
                let cosTheta = dist > 0 ? (d * r).sum() / dist : 0
                let (fab, gab) = dipolarPair(zeta: 2 * Double.pi * dist, cosTheta: cosTheta, gamma: gamma)
                f[a, b] = fab; f[b, a] = fab
                if elastic { g[a, b] = gab; g[b, a] = gab }
            }
        }
        return Couplings(f: f, g: g)
    }

    /// (f, g) for one pair at ζ = 2πr/λ and cos θ. At ζ → 0, f → Γ and g diverges as ζ⁻³.
    public static func dipolarPair(zeta: Double, cosTheta: Double, gamma: Double = 1) -> (f: Double, g: Double) {
        let c2 = cosTheta * cosTheta
        let s2 = 1 - c2
        let p = 3 * c2 - 1
        if zeta < 1e-3 {
            // Series of the bracket of f about ζ = 0 (the ζ⁻³, ζ⁻² terms cancel to O(1)):
            // sin ζ/ζ = 1 − ζ²/6 + ζ⁴/120, sin ζ/ζ³ − cos ζ/ζ² = 1/3 − ζ²/30 + ζ⁴/840.
            let z2 = zeta * zeta
            let f = 1.5 * gamma * (s2 * (1 - z2 / 6 + z2 * z2 / 120) + p * (1.0 / 3 - z2 / 30 + z2 * z2 / 840))
            let g =
                zeta == 0
                ? Double.infinity
                : -1.5 * gamma
                    * (s2 * cos(zeta) / zeta
                        + p * (cos(zeta) / (zeta * zeta * zeta) + sin(zeta) / (zeta * zeta)))
            return (f, g)
        }
        let (s, c) = (sin(zeta), cos(zeta))
        let z2 = zeta * zeta, z3 = z2 * zeta
        let f = 1.5 * gamma * (s2 * s / zeta + p * (s / z3 - c / z2))
        let g = -1.5 * gamma * (s2 * c / zeta + p * (c / z3 + s / z2))
        return (f, g)
    }

    /// Power-law dissipative couplings f_ab = A (a/r_ab)^α, g = 0 (papers' Fig. 4), with `spacing` a
    /// and positions in the same length unit.
    public static func powerLaw(
        positions: [SIMD3<Double>], spacing: Double, alpha: Double, strength: Double,
        gamma: Double = 1
    ) -> Couplings {
        let n = positions.count
        var f = Matrix(rows: n, cols: n)
        for a in 0..<n {
            f[a, a] = gamma
            for b in (a + 1)..<max(a + 1, n) {
                let r = positions[b] - positions[a]
                let dist = (r * r).sum().squareRoot()
                let v = strength * pow(spacing / dist, alpha)
                f[a, b] = v; f[b, a] = v
            }
        }
        return Couplings(f: f, g: Matrix(rows: n, cols: n))
    }

    /// All-to-all couplings: f_ab = f_eff/N, g_ab = g_eff/N for a ≠ b, f_aa = Γ.
    public static func uniform(n: Int, feff: Double, geff: Double, gamma: Double = 1) -> Couplings {
        let nn = Double(max(n, 1))
        let f = Matrix(square: n) { $0 == $1 ? gamma : feff / nn }
        let g = Matrix(square: n) { $0 == $1 ? 0 : geff / nn }
        return Couplings(f: f, g: g)
    }

    /// Σ_a Σ_{b≠a} m_ab / (N − 1); 0 when N < 2.
    public static func effective(_ m: Matrix) -> Double {
        let n = m.rows
        guard n >= 2 else { return 0 }
        var s = 0.0
        for b in 0..<n { for a in 0..<n where a != b { s += m[a, b] } }
        return s / Double(n - 1)
    }

    /// The smallest eigenvalue of f. The master equation is of Lindblad form only when it is ≥ 0
    /// (docs/physics.md §2.5); callers allow round-off of order 1e-9·max|f|.
    public static func smallestRateEigenvalue(_ f: Matrix) throws -> Double {
        try symmetricEigenvalues(f).first ?? 0
    }

    /// The smallest eigenvalue of a dense f as the positivity check needs it where LAPACK's O(N³) is
    /// too slow for a plan (docs/physics.md §2.5, §2.6): Gershgorin's lower bound
    /// min_a (f_aa − Σ_{b≠a} |f_ab|) when it is at least −`tolerance` (f is then positive semidefinite
    /// within it), else the smallest Ritz value of the Lanczos iteration on the product with f, an upper
    /// bound (a negative one proves f is not), from the lattice check's fixed start and within the same
    /// ~4·10⁹ flops of products (2 N² each).
    public static func smallestRateEigenvalue(_ f: Matrix, tolerance: Double) throws -> Double {
        let n = f.rows
        guard n >= 1 else { return 0 }
        var gershgorin = Double.infinity
        for a in 0..<n {
            var off = 0.0
            for b in 0..<n where b != a { off += abs(f[b, a]) }   // f is symmetric: its column a, contiguous
            gershgorin = min(gershgorin, f[a, a] - off)
        }
        if gershgorin >= -tolerance { return gershgorin }
        let steps = min(300, max(20, 5_000_000 / n))
        let products = 4e9 / (2 * Double(n) * Double(n))
        let restarts = max(0, min(LatticeCouplings.lanczosRestarts, Int(products / Double(steps)) - 1))
        return try lanczosSmallestEigenvalue(
            n: n, start: lanczosStartVector(n), steps: min(steps, max(20, Int(products))), stopBelow: min(gershgorin / 2, -tolerance),
            restarts: restarts, apply: f.apply
        ).value
    }
}
