import Foundation
import Physics

/// Stationary mean-field solutions of the all-to-all model in the limit N → ∞ (docs/physics.md §4.2–§4.4),
/// all rates in Γ. Notation: F = f_eff and G = g_eff (the coupling sums Σ_{b≠a} f_ab, Σ_{b≠a} g_ab
/// seen by one dipole), Q = Γ + W, P = W − Γ.
///
/// Sign convention of the frequency: ω is the phase velocity of ⟨σ⁺_a⟩ = S⊥_a e^{iφ_a}, i.e.
/// β_a = ⟨σ⁻_a⟩ ∝ e^{−iωt}; an isolated dipole has ω = δ_a. With the Hamiltonian of docs/physics.md §1.1
/// (H = ½Σδσᶻ + ½Σ g σ⁺σ⁻) the collective model at δ = 0 then rotates at ω = −G Q/(2F). The papers
/// print +G Q/(2F): their Eqs. (5)–(7) and (A1)/(A2) carry g with the opposite sign to their
/// Hamiltonian (2) (flipping g and δ conjugates the state, so only the sign of ω is affected).
///
/// Derivation of the self-consistency equations used here. With β_a = b_a e^{−iωt}, the field
/// Σ_{b≠a} (f_ab + i g_ab) β_b ≈ (F + iG) Z e^{−iωt} (Z real ≥ 0) and Δ_a = δ_a − ω, the stationary
/// equations of docs/physics.md §4.1 give
///
///     b_a = P (Q − 2iΔ_a)(F + iG) Z / (Q (4Δ_a² + c²)),   s_a = P (Q² + 4Δ_a²) / (Q (4Δ_a² + c²)),
///     c² = Q² + 2(F² + G²) Z²,
///
/// and Z = ⟨b_a⟩ splits into the real equations (the long paper's (A1), (A2) with δ + ω → δ − ω)
///
///     P (F² + G²) ⟨1/(4Δ² + c²)⟩ = F,        ⟨(2FΔ − GQ)/(4Δ² + c²)⟩ = 0.
///
/// Energy balance averaged over dipoles gives the mean inversion ⟨s⟩ = (P − 2F Z²)/Q for any
/// distribution.
public enum MeanFieldClosedForm {
    /// Z = √(F P − Q²)/(√2 F) where F P > Q², else 0 (identical dipoles, δ_a = 0; independent of G).
    public static func collectiveZ(feff f: Double, pump w: Double, gamma: Double = 1) -> Double {
        let (q, p) = (gamma + w, w - gamma)
        let num = f * p - q * q
        return f > 0 && num > 0 ? num.squareRoot() / (2.0.squareRoot() * f) : 0
    }

    /// The collective frequency ω = δ − G Q/(2F) of identical dipoles at detuning δ in the
    /// synchronized phase (sign convention above).
    public static func collectiveFrequency(feff f: Double, geff g: Double, pump w: Double, gamma: Double = 1,
                                           detuning: Double = 0) -> Double {
        detuning - g * (gamma + w) / (2 * f)
    }

    /// Mean inversion S^z = ⟨σᶻ⟩/2 = (P − 2F Z²)/(2Q) of a stationary solution with order parameter Z.
    public static func inversion(feff f: Double, pump w: Double, z: Double, gamma: Double = 1) -> Double {
        ((w - gamma) - 2 * f * z * z) / (2 * (gamma + w))
    }

    /// Lorentzian detunings of half width Δ (G = 0):
    /// Z = √(F P − Q² + 2Δ² − 2Δ√(Δ² + F P))/(√2 F) where the radicand is positive, else 0.
    public static func lorentzianZ(feff f: Double, pump w: Double, hwhm d: Double, gamma: Double = 1) -> Double {
        let (q, p) = (gamma + w, w - gamma)
        guard f > 0, p > 0 else { return 0 }
        let num = f * p - q * q + 2 * d * d - 2 * d * (d * d + f * p).squareRoot()
        return num > 0 ? num.squareRoot() / (2.0.squareRoot() * f) : 0
    }

    /// The Lorentzian half width at which Z vanishes, Δ_c = (F P − Q²)/(2Q) (the sign of docs/physics.md §4.3; ≤ 0
    /// means no synchronization even without disorder).
    public static func criticalWidth(feff f: Double, pump w: Double, gamma: Double = 1) -> Double {
        let (q, p) = (gamma + w, w - gamma)
        return (f * p - q * q) / (2 * q)
    }

    /// The pump W that maximizes the Lorentzian Z at fixed F and Δ (≈ F/2 − Δ/√2 for F ≫ Γ, Δ),
    /// by golden-section search over (Γ, F); nil when Z = 0 for every W.
    public static func optimalPump(feff f: Double, hwhm d: Double = 0, gamma: Double = 1) -> Double? {
        guard f > gamma else { return nil }
        let numerator = { (w: Double) -> Double in
            let (q, p) = (gamma + w, w - gamma)
            return f * p - q * q + 2 * d * d - 2 * d * (d * d + f * p).squareRoot()
        }
        let w = Quadrature.maximize(in: gamma, f, tolerance: 1e-12, numerator)
        return numerator(w) > 0 ? w : nil
    }

    /// A stationary solution of the self-consistency equations.
    public struct Solution: Sendable, Equatable {
        /// The order parameter Z = |⟨β_a⟩| (0 when no synchronized solution exists).
        public var z: Double
        /// The collective frequency ω (nil without synchronization).
        public var frequency: Double?
        /// Mean inversion S^z = ⟨σᶻ⟩/2.
        public var inversion: Double
        /// c = √(Q² + 2(F² + G²)Z²), the width of the dipoles' response.
        public var c: Double
    }

    /// Solves the self-consistency equations for p(δ) = `distribution` (centred on 0) as nested
    /// one-dimensional root solves: for each c ≥ Q the frequency ω(c) is the root of the second
    /// equation (bracketed by its signs at ω → ∓∞; ω = 0 by symmetry when G = 0), and c is the
    /// root of P(F² + G²)⟨1/(4Δ² + c²)⟩ − F on [Q, √(P(F² + G²)/F)]. The averages are adaptive
    /// Gauss–Kronrod quadratures. Z = 0 when that function is ≤ 0 already at c = Q.
    ///
    /// Throws `SelfConsistencyError` when no bracket is found (non-finite input).
    public static func selfConsistent(feff f: Double, geff g: Double = 0, pump w: Double, gamma: Double = 1,
                                      distribution: DetuningDistribution) throws -> Solution {
        let (q, p) = (gamma + w, w - gamma)
        guard f.isFinite, g.isFinite, w.isFinite, gamma > 0, distribution.isValid else {
            throw SelfConsistencyError(reason: "non-finite or negative parameters")
        }
        let unsynchronized = Solution(z: 0, frequency: nil, inversion: p / (2 * q), c: q)
        guard f > 0, p > 0 else { return unsynchronized }
        let k2 = f * f + g * g
        func meanInverse(_ omega: Double, _ c: Double) -> Double {
            distribution.average(peak: omega) { d in 1 / (4 * (d - omega) * (d - omega) + c * c) }
        }
        func phaseBalance(_ omega: Double, _ c: Double) -> Double {
            distribution.average(peak: omega) { d in
                let x = d - omega
                return (2 * f * x - g * q) / (4 * x * x + c * c)
            }
        }
        func frequency(_ c: Double) throws -> Double {
            if g == 0 && distribution.isSymmetric { return 0 }
            if case .none = distribution { return -g * q / (2 * f) }
            var l = c + abs(g) * q / f + 4 * distribution.scale + 1
            var tries = 0
            while !(phaseBalance(-l, c) > 0 && phaseBalance(l, c) < 0) {
                l *= 2; tries += 1
                if tries > 60 { throw SelfConsistencyError(reason: "no bracket for the collective frequency") }
            }
            guard let o = Quadrature.root(in: -l, l, tolerance: 1e-15, { phaseBalance($0, c) }) else {
                throw SelfConsistencyError(reason: "no root for the collective frequency")
            }
            return o
        }
        var failure: Error?
        func residual(_ c: Double) -> Double {
            do {
                let o = try frequency(c)
                return p * k2 * meanInverse(o, c) - f
            } catch { failure = error; return .nan }
        }
        let r0 = residual(q)
        if let e = failure { throw e }
        guard r0 > 0 else { return unsynchronized }
        // ⟨1/(4Δ² + c²)⟩ ≤ 1/c², with equality for identical dipoles at ω = 0: widen by 1e-12 so that
        // the residual is negative beyond round-off at the upper end.
        let cHigh = (p * k2 / f).squareRoot() * (1 + 1e-12)
        guard cHigh > q, let c = Quadrature.root(in: q, cHigh, tolerance: 1e-15, residual) else {
            if let e = failure { throw e }
            return unsynchronized
        }
        if let e = failure { throw e }
        let z = max(0, (c * c - q * q) / (2 * k2)).squareRoot()
        return Solution(z: z, frequency: try frequency(c), inversion: inversion(feff: f, pump: w, z: z, gamma: gamma),
                        c: c)
    }
}

/// The self-consistency solve could not bracket a root.
public struct SelfConsistencyError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { "self-consistency equations: \(reason)" }
}
