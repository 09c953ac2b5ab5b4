import Foundation
import Physics

/// Stationary mean-field solutions of the all-to-all model in the limit N → ∞ (docs/physics.md §4.2–§4.5),
/// all rates in Γ. Notation: F = f_eff and G = g_eff (the coupling sums Σ_{b≠a} f_ab, Σ_{b≠a} g_ab
/// seen by one dipole), Q = Γ + W, P = W − Γ.
///
/// Single-dipole decoherence (docs/physics.md §4.5): with non-radiative decay γ_nr and dephasing γ_φ
/// the inversion relaxes at Q_∥ = Γ + γ_nr + W towards P = W − Γ − γ_nr, and the coherence at
/// Q_⊥/2 with Q_⊥ = Q_∥ + 2γ_φ. Every formula below is written with (P, Q_∥, Q_⊥); with
/// γ_φ = γ_nr = 0 they reduce to Q_∥ = Q_⊥ = Q bit for bit (the added rates are exact zeros and the
/// ratio ρ = Q_∥/Q_⊥ is exactly 1).
///
/// Sign convention of the frequency: ω is the phase velocity of ⟨σ⁺_a⟩ = S⊥_a e^{iφ_a}, i.e.
/// β_a = ⟨σ⁻_a⟩ ∝ e^{−iωt}; an isolated dipole has ω = δ_a. With the Hamiltonian of docs/physics.md §1.1
/// (H = ½Σδσᶻ + ½Σ g σ⁺σ⁻) the collective model at δ = 0 then rotates at ω = −G Q/(2F). The papers
/// print +G Q/(2F): their Eqs. (5)–(7) and (A1)/(A2) carry g with the opposite sign to their
/// Hamiltonian (2) (flipping g and δ conjugates the state, so only the sign of ω is affected).
///
/// Derivation of the self-consistency equations used here. With β_a = b_a e^{−iωt}, the field
/// Σ_{b≠a} (f_ab + i g_ab) β_b ≈ (F + iG) Z e^{−iωt} (Z real ≥ 0) and Δ_a = δ_a − ω, the stationary
/// equations of docs/physics.md §4.1/§4.5 give
///
///     b_a = P (Q_⊥ − 2iΔ_a)(F + iG) Z / (Q_∥ (4Δ_a² + c²)),   s_a = P (Q_⊥² + 4Δ_a²) / (Q_∥ (4Δ_a² + c²)),
///     c² = Q_⊥² + 2 (Q_⊥/Q_∥)(F² + G²) Z²,
///
/// and Z = ⟨b_a⟩ splits into the real equations (the long paper's (A1), (A2) with δ + ω → δ − ω)
///
///     P (F² + G²) ⟨1/(4Δ² + c²)⟩ = F Q_∥/Q_⊥,        ⟨(2FΔ − GQ_⊥)/(4Δ² + c²)⟩ = 0.
///
/// Energy balance averaged over dipoles gives the mean inversion ⟨s⟩ = (P − 2F Z²)/Q_∥ for any
/// distribution.
public enum MeanFieldClosedForm {
    /// The rates of docs/physics.md §4.5: P = W − Γ − γ_nr, Q_∥ = Γ + γ_nr + W, Q_⊥ = Q_∥ + 2γ_φ and
    /// ρ = Q_∥/Q_⊥ (exactly P = W − Γ, Q_∥ = Q_⊥ = Γ + W, ρ = 1 without decoherence).
    struct Rates {
        let p: Double, qPar: Double, qPerp: Double, rho: Double
        init(gamma: Double, pump w: Double, dephasing: Double, nonradiative: Double) {
            let decay = gamma + nonradiative
            p = w - decay
            qPar = decay + w
            qPerp = qPar + 2 * dephasing
            rho = qPar / qPerp
        }
    }

    /// Z = √(F P − Q_∥Q_⊥)/(√2 F) where F P > Q_∥Q_⊥, else 0 (identical dipoles, δ_a = 0; independent of G;
    /// docs/physics.md §4.2, §4.5).
    public static func collectiveZ(
        feff f: Double, pump w: Double, gamma: Double = 1,
        dephasing: Double = 0, nonradiative: Double = 0
    ) -> Double {
        let r = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        let num = f * r.p - r.qPar * r.qPerp
        return f > 0 && num > 0 ? num.squareRoot() / (2.0.squareRoot() * f) : 0
    }

    /// The mean-field synchronization threshold of identical dipoles: the coupling F_c = Q_∥Q_⊥/P above
    /// which `collectiveZ` is nonzero at pump W (F P > Q_∥Q_⊥; (Γ + W)²/(W − Γ) without decoherence,
    /// docs/physics.md §4.2, §4.5); nil when P ≤ 0 (no coupling synchronizes).
    public static func thresholdCoupling(pump w: Double, gamma: Double = 1, dephasing: Double = 0, nonradiative: Double = 0) -> Double? {
        let r = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        return r.p > 0 ? r.qPar * r.qPerp / r.p : nil
    }

    /// The largest single-dipole dephasing rate γ_φ at which some pump still synchronizes identical
    /// dipoles of coupling F in mean field: γ_φ,c = F/2 − √(2F(Γ + γ_nr)), where at the optimal pump
    /// W_opt = F/2 − Γ − γ_nr − γ_φ the margin F P − Q_∥Q_⊥ = (F − 2γ_φ)²/4 − 2F(Γ + γ_nr) vanishes
    /// (docs/physics.md §4.5); nil when F ≤ 8(Γ + γ_nr), where not even γ_φ = 0 synchronizes.
    public static func largestDephasing(feff f: Double, gamma: Double = 1, nonradiative: Double = 0) -> Double? {
        let loss = gamma + nonradiative
        guard f > 8 * loss else { return nil }
        return f / 2 - (2 * f * loss).squareRoot()
    }

    /// The collective frequency ω = δ − G Q_⊥/(2F) of identical dipoles at detuning δ in the
    /// synchronized phase (sign convention above; docs/physics.md §4.5).
    public static func collectiveFrequency(
        feff f: Double, geff g: Double, pump w: Double, gamma: Double = 1,
        detuning: Double = 0, dephasing: Double = 0, nonradiative: Double = 0
    ) -> Double {
        let r = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        return detuning - g * r.qPerp / (2 * f)
    }

    /// Mean inversion S^z = ⟨σᶻ⟩/2 = (P − 2F Z²)/(2Q_∥) of a stationary solution with order parameter Z.
    public static func inversion(
        feff f: Double, pump w: Double, z: Double, gamma: Double = 1,
        dephasing: Double = 0, nonradiative: Double = 0
    ) -> Double {
        let r = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        return (r.p - 2 * f * z * z) / (2 * r.qPar)
    }

    /// The numerator F²·2Z² of the Lorentzian closed form, F P − Q_∥Q_⊥ + ρ(2Δ² − 2Δ√(Δ² + F P/ρ))
    /// (docs/physics.md §4.3, §4.5).
    static func lorentzianNumerator(f: Double, d: Double, _ r: Rates) -> Double {
        f * r.p - r.qPar * r.qPerp + r.rho * 2 * d * d - r.rho * 2 * d * (d * d + f * r.p / r.rho).squareRoot()
    }

    /// Lorentzian detunings of half width Δ (G = 0):
    /// Z = √(F P − Q_∥Q_⊥ + ρ(2Δ² − 2Δ√(Δ² + F P/ρ)))/(√2 F) where the radicand is positive, else 0
    /// (without decoherence ρ = 1, Q_∥Q_⊥ = Q²: docs/physics.md §4.3; in general §4.5).
    public static func lorentzianZ(
        feff f: Double, pump w: Double, hwhm d: Double, gamma: Double = 1,
        dephasing: Double = 0, nonradiative: Double = 0
    ) -> Double {
        let r = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        guard f > 0, r.p > 0 else { return 0 }
        let num = lorentzianNumerator(f: f, d: d, r)
        return num > 0 ? num.squareRoot() / (2.0.squareRoot() * f) : 0
    }

    /// The Lorentzian half width at which Z vanishes, Δ_c = (F P − Q_∥Q_⊥)/(2Q_∥) (the sign of
    /// docs/physics.md §4.3, the rates of §4.5; ≤ 0 means no synchronization even without disorder).
    public static func criticalWidth(
        feff f: Double, pump w: Double, gamma: Double = 1,
        dephasing: Double = 0, nonradiative: Double = 0
    ) -> Double {
        let r = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        return (f * r.p - r.qPar * r.qPerp) / (2 * r.qPar)
    }

    /// The pump W that maximizes the Lorentzian Z at fixed F and Δ (≈ F/2 − Δ/√2 for F ≫ Γ, Δ; with
    /// decoherence ≈ F/2 − Γ − γ_nr − γ_φ at Δ = 0), by golden-section search over (Γ + γ_nr, F); nil
    /// when Z = 0 for every W.
    public static func optimalPump(
        feff f: Double, hwhm d: Double = 0, gamma: Double = 1,
        dephasing: Double = 0, nonradiative: Double = 0
    ) -> Double? {
        let lower = gamma + nonradiative
        guard f > lower else { return nil }
        let numerator = { (w: Double) -> Double in
            lorentzianNumerator(f: f, d: d, Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative))
        }
        let w = Quadrature.maximize(in: lower, f, tolerance: 1e-12, numerator)
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
        /// c = √(Q_⊥² + 2(Q_⊥/Q_∥)(F² + G²)Z²), the width of the dipoles' response (√(Q² + 2(F² + G²)Z²)
        /// without decoherence).
        public var c: Double
    }

    /// Solves the self-consistency equations for p(δ) = `distribution` (centred on 0) as nested
    /// one-dimensional root solves: for each c ≥ Q_⊥ the frequency ω(c) is the root of the second
    /// equation (bracketed by its signs at ω → ∓∞; ω = 0 by symmetry when G = 0), and c is the
    /// root of P(F² + G²)⟨1/(4Δ² + c²)⟩ − F ρ on [Q_⊥, √(P(F² + G²)/(F ρ))] (ρ = Q_∥/Q_⊥; Q_∥ = Q_⊥ = Q
    /// without decoherence, docs/physics.md §4.5). The averages are adaptive
    /// Gauss–Kronrod quadratures. Z = 0 when that function is ≤ 0 already at c = Q_⊥.
    ///
    /// Throws `SelfConsistencyError` when no bracket is found (non-finite input).
    public static func selfConsistent(
        feff f: Double, geff g: Double = 0, pump w: Double, gamma: Double = 1,
        dephasing: Double = 0, nonradiative: Double = 0,
        distribution: DetuningDistribution
    ) throws -> Solution {
        guard f.isFinite, g.isFinite, w.isFinite, gamma > 0, distribution.isValid,
            dephasing.isFinite, dephasing >= 0, nonradiative.isFinite, nonradiative >= 0
        else {
            throw SelfConsistencyError(reason: "non-finite or negative parameters")
        }
        // docs/physics.md §4.5: q is Q_⊥ (the coherence's rate), qPar = Q_∥ (the inversion's), rho = Q_∥/Q_⊥.
        let rates = Rates(gamma: gamma, pump: w, dephasing: dephasing, nonradiative: nonradiative)
        let (q, p, qPar, rho) = (rates.qPerp, rates.p, rates.qPar, rates.rho)
        let unsynchronized = Solution(z: 0, frequency: nil, inversion: p / (2 * qPar), c: q)
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
                return p * k2 * meanInverse(o, c) - f * rho
            } catch { failure = error; return .nan }
        }
        let r0 = residual(q)
        if let e = failure { throw e }
        guard r0 > 0 else { return unsynchronized }
        // ⟨1/(4Δ² + c²)⟩ ≤ 1/c², with equality for identical dipoles at ω = 0: widen by 1e-12 so that
        // the residual is negative beyond round-off at the upper end.
        let cHigh = (p * k2 / (f * rho)).squareRoot() * (1 + 1e-12)
        guard cHigh > q, let c = Quadrature.root(in: q, cHigh, tolerance: 1e-15, residual) else {
            if let e = failure { throw e }
            return unsynchronized
        }
        if let e = failure { throw e }
        let z = max(0, (c * c - q * q) / (2 * k2) * rho).squareRoot()
        return Solution(
            z: z, frequency: try frequency(c),
            inversion: inversion(
                feff: f, pump: w, z: z, gamma: gamma, dephasing: dephasing,
                nonradiative: nonradiative),
            c: c)
    }
}

/// The self-consistency solve could not bracket a root.
public struct SelfConsistencyError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { "self-consistency equations: \(reason)" }
}
