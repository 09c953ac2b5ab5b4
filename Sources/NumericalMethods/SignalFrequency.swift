import Foundation
import Numerics

/// The frame two-time correlations are fitted in (docs/physics.md §3.3).
public enum SignalFrequency {
    /// The mean rotation frequency ω̄ of a complex signal sampled at a uniform spacing: the
    /// amplitude-weighted mean phase increment arg Σ_i G(τ_{i+1}) G(τ_i)* divided by the spacing.
    public static func mean(_ g: [Complex<Double>], spacing: Double) -> Double {
        guard g.count >= 2, spacing > 0 else { return 0 }
        var s = Complex<Double>.zero
        for i in 1..<g.count { s = s + g[i] * g[i - 1].conjugate }
        return s.length > 0 ? atan2(s.imaginary, s.real) / spacing : 0
    }
}
