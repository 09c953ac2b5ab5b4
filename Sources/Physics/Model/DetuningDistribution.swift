import Foundation

/// A distribution of the detunings δ_a (in Γ), centred on zero, as the spec's `system.detuning`
/// names it (part of the model: `DipoleModel.detuningDistribution`). The closed forms and the
/// self-consistency equations average over it in the limit
/// N → ∞; `quantiles(count:)` gives a deterministic finite sample of it.
public enum DetuningDistribution: Sendable, Equatable {
    /// Every δ_a = 0.
    case none
    /// p(δ) = (Δ/π)/(Δ² + δ²) with half width at half maximum Δ = `hwhm`.
    case lorentzian(hwhm: Double)
    /// p(δ) = 1/w on [−w/2, w/2], `width` the full width w.
    case uniform(width: Double)
    /// p(δ) = exp(−δ²/2σ²)/(√(2π) σ).
    case gaussian(sigma: Double)

    /// Whether p(δ) = p(−δ) (all four are): then, without elastic couplings, ω = 0.
    public var isSymmetric: Bool { true }

    /// The width parameter (0 for `.none`).
    public var scale: Double {
        switch self {
        case .none: return 0
        case .lorentzian(let d): return d
        case .uniform(let w): return w
        case .gaussian(let s): return s
        }
    }

    /// Whether the width parameter is finite and non-negative.
    public var isValid: Bool { scale.isFinite && scale >= 0 }

    /// The inverse cumulative distribution δ(u), u ∈ (0, 1).
    public func quantile(_ u: Double) -> Double {
        switch self {
        case .none: return 0
        case .lorentzian(let d): return d * tan(Double.pi * (u - 0.5))
        case .uniform(let w): return w * (u - 0.5)
        case .gaussian(let s): return s * standardNormalQuantile(u)
        }
    }

    /// The mid-point quantiles δ_k = δ((k + ½)/N), k = 0…N−1: a deterministic sample whose
    /// empirical averages converge to those of p(δ) as N → ∞ (used by tests and benchmarks).
    public func quantiles(count n: Int) -> [Double] {
        (0..<max(n, 0)).map { quantile((Double($0) + 0.5) / Double(n)) }
    }
}

/// The standard normal quantile Φ⁻¹(u): Acklam's rational approximation (relative error 1e-9)
/// refined by one Halley step on erfc, which brings it to round-off.
public func standardNormalQuantile(_ u: Double) -> Double {
    if u <= 0 { return -.infinity }
    if u >= 1 { return .infinity }
    let a = [
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
        -3.066479806614716e+01, 2.506628277459239e+00
    ]
    let b = [
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
        -1.328068155288572e+01
    ]
    let c = [
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
        4.374664141464968e+00, 2.938163982698783e+00
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let plow = 0.02425
    var x: Double
    if u < plow {
        let q = (-2 * log(u)).squareRoot()
        x =
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if u <= 1 - plow {
        let q = u - 0.5, r = q * q
        x =
            (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
        let q = (-2 * log(1 - u)).squareRoot()
        x =
            -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // Halley refinement: e = Φ(x) − u.
    let e = 0.5 * erfc(-x / 2.0.squareRoot()) - u
    let g = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= g / (1 + x * g / 2)
    return x
}
