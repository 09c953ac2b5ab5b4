import Foundation
import LinearAlgebra
import Physics
import SpecLanguage

/// Geometry → couplings → model: turns a point's `SystemSpec` into the `DipoleModel` a backend solves.
public enum ModelBuilder {
    /// Dipole positions in λ.
    public static func positions(_ s: SystemSpec) -> [SIMD3<Double>] {
        s.lattice.unitPositions.map { $0 * s.spacing }
    }

    /// f and g for the point (Γ = 1).
    public static func couplings(_ s: SystemSpec) -> Couplings {
        switch s.couplings {
        case .dipolar(let elastic):
            return Couplings.dipolar(positions: positions(s), orientation: s.polarization, elastic: elastic)
        case .powerLaw(let alpha, let strength):
            return Couplings.powerLaw(positions: s.lattice.unitPositions, spacing: 1, alpha: alpha, strength: strength)
        case .uniform(let feff, let geff):
            return Couplings.uniform(n: s.count, feff: feff, geff: geff)
        }
    }

    /// The model of a point; `seed` draws the detunings. With `matrices: false` or
    /// `representation: .uniform` an all-to-all model is built without its N×N matrices (for backends
    /// that read only `uniform`, or hold it so: `CouplingOperator`). With `representation: .lattice` the
    /// couplings are held as `LatticeCouplings` (no N×N matrix).
    public static func model(
        _ s: SystemSpec, seed: UInt64, couplings c: Couplings? = nil, matrices: Bool = true,
        representation: CouplingRepresentation? = nil
    ) -> DipoleModel {
        if representation == .lattice, let l = latticeCouplings(s) {
            var model = DipoleModel(
                gamma: 1, pump: s.pump, detunings: s.detuning.draw(count: s.count, seed: seed),
                f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0), positions: positions(s),
                detuningDistribution: s.detuning.distribution, lattice: l)
            model.dephasing = s.dephasing
            model.nonradiativeDecay = s.nonradiativeDecay
            return model
        }
        let matrices = matrices && representation != .uniform
        let built = (matrices || uniformCouplings(s) == nil) ? (c ?? couplings(s)) : nil
        let uniform = uniformCouplings(s, couplings: built)
        let c = built ?? Couplings(f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0))
        var model = DipoleModel(
            gamma: 1, pump: s.pump, detunings: s.detuning.draw(count: s.count, seed: seed),
            f: c.f, g: c.g, positions: positions(s), uniform: uniform,
            detuningDistribution: s.detuning.distribution)
        model.dephasing = s.dephasing
        model.nonradiativeDecay = s.nonradiativeDecay
        return model
    }

    /// The lattice extents when the point's couplings are translation-invariant and the lattice
    /// representation holds them (docs/physics.md §2.6): dipolar or power-law (α ≠ 0) couplings on a
    /// chain, square or cubic lattice.
    public static func latticeExtents(_ s: SystemSpec) -> [Int]? {
        switch s.couplings {
        case .dipolar: return LatticeCouplings.extents(of: s.lattice)
        case .powerLaw(let alpha, _) where alpha != 0: return LatticeCouplings.extents(of: s.lattice)
        default: return nil
        }
    }

    /// The point's couplings in the lattice representation, when `latticeExtents` allows it.
    public static func latticeCouplings(_ s: SystemSpec) -> LatticeCouplings? {
        guard latticeExtents(s) != nil else { return nil }
        switch s.couplings {
        case .dipolar(let elastic):
            return LatticeCouplings.dipolar(lattice: s.lattice, spacing: s.spacing, orientation: s.polarization, elastic: elastic)
        case .powerLaw(let alpha, let strength):
            return LatticeCouplings.powerLaw(lattice: s.lattice, alpha: alpha, strength: strength)
        case .uniform: return nil
        }
    }

    /// The all-to-all parameters when every pair couples alike: by model (uniform couplings, a power law
    /// with α = 0, where f_ab = A for every pair, so f_eff = N·A), or numerically for small geometries
    /// whose off-diagonal f and g are all equal within `tolerance` (two dipoles, an equilateral triangle).
    public static func uniformCouplings(
        _ s: SystemSpec, couplings c: Couplings? = nil,
        tolerance: Double = PlannerThresholds.standard.uniformityTolerance
    ) -> UniformCouplings? {
        let n = s.count
        switch s.couplings {
        case .uniform(let feff, let geff): return UniformCouplings(feff: feff, geff: geff)
        case .powerLaw(let alpha, let a) where alpha == 0: return UniformCouplings(feff: a * Double(n), geff: 0)
        default: break
        }
        guard n >= 2, n <= 64 else { return nil }
        let m = c ?? couplings(s)
        let f0 = m.f[0, 1], g0 = m.g[0, 1]
        for a in 0..<n {
            for b in 0..<n where a != b {
                if abs(m.f[a, b] - f0) > tolerance * max(1, abs(f0)) || abs(m.g[a, b] - g0) > tolerance * max(1, abs(g0)) { return nil }
            }
        }
        return UniformCouplings(feff: f0 * Double(n), geff: g0 * Double(n))
    }

    /// f_eff of the point's couplings (docs/physics.md §2.4) without building more than it needs: the
    /// all-to-all value, the lattice representation's sums (§2.6), else the dense f.
    public static func effectiveCoupling(_ s: SystemSpec) -> Double {
        if let u = uniformCouplings(s) { return u.feff }
        if let l = latticeCouplings(s) { return l.feff }
        return Couplings.effective(couplings(s).f)
    }

    /// The smallest eigenvalue of the decay-rate matrix f + γ_nr·1 (docs/physics.md §1.5, §2.5), when it
    /// can be had cheaply: closed form for the uniform model (Γ − f_eff/N, and Γ + f_eff(N−1)/N) and a power
    /// law with α = 0 (the same with f_eff = N·A), LAPACK
    /// up to `numericLimit` dipoles, and beyond for power laws the circulant bound or a Lanczos
    /// iteration on the FFT product on a lattice (`LatticeCouplings.smallestRateEigenvalue`,
    /// docs/physics.md §2.6), Gershgorin's bound or a Lanczos iteration on the dense f elsewhere
    /// (`Couplings.smallestRateEigenvalue(_:tolerance:)`).
    /// Beyond `numericLimit`, dipolar couplings are not checked (nil): their f is positive semidefinite
    /// for any positions (docs/physics.md §2.5), and a Lanczos iteration could only confirm it, at
    /// minutes for 10⁶ dipoles (their Toeplitz spectrum has a dense cluster at its bottom).
    public static func smallestRateEigenvalue(_ s: SystemSpec, numericLimit: Int = 2000) -> Double? {
        let n = Double(s.count)
        switch s.couplings {
        case .uniform(let feff, _):
            // A single dipole is held to the same f_eff ≤ NΓ as the backends require of every N.
            return min(1 - feff / n, 1 + feff * (n - 1) / n) + s.nonradiativeDecay
        case .powerLaw(let alpha, let a) where alpha == 0:
            // f_ab = A for every pair: eigenvalues Γ − A (N − 1 times) and Γ + (N − 1)A, without the N×N f.
            return (s.count >= 2 ? min(1 - a, 1 + (n - 1) * a) : 1) + s.nonradiativeDecay
        case .dipolar where s.count > numericLimit:
            return nil
        case .dipolar, .powerLaw:
            guard s.count <= numericLimit else {
                let tolerance = PlannerThresholds.rateMatrixTolerance
                let lambda: Double?
                if let l = latticeCouplings(s) {
                    lambda = try? l.smallestRateEigenvalue(tolerance: tolerance)
                } else if s.count > PlannerThresholds.denseRateCheckMaxDipoles {
                    // Not checked: f alone would take 8 N² bytes (7.2 GB at the limit).
                    return nil
                } else {
                    lambda = try? Couplings.smallestRateEigenvalue(couplings(s).f, tolerance: tolerance)
                }
                return lambda.map { $0 + s.nonradiativeDecay }
            }
            return (try? Couplings.smallestRateEigenvalue(couplings(s).f)).map { $0 + s.nonradiativeDecay }
        }
    }

    /// The part of a plan-graph key that the single-dipole decoherence terms add (empty without them, so
    /// the graphs of specs without them are as before).
    static func decoherenceKey(_ s: SystemSpec) -> String {
        s.decoherence.isEmpty ? "" : "|γφ=\(s.dephasing)|γnr=\(s.nonradiativeDecay)"
    }
}
