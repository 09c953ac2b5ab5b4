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

    /// The model of a point; `seed` draws the detunings. With `matrices: false` an all-to-all model is
    /// built without its N×N matrices (for backends that read only `uniform`).
    public static func model(_ s: SystemSpec, seed: UInt64, couplings c: Couplings? = nil, matrices: Bool = true) -> DipoleModel {
        var uniform: UniformCouplings?
        if case .uniform(let feff, let geff) = s.couplings { uniform = UniformCouplings(feff: feff, geff: geff) }
        // f_ab = A (a/r)^0 = A for every pair: the all-to-all model with f_eff = N·A.
        if case .powerLaw(0, let a) = s.couplings { uniform = UniformCouplings(feff: a * Double(s.count), geff: 0) }
        let c = (!matrices && uniform != nil) ? Couplings(f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0))
            : (c ?? couplings(s))
        return DipoleModel(gamma: 1, pump: s.pump, detunings: s.detuning.draw(count: s.count, seed: seed),
                           f: c.f, g: c.g, positions: positions(s), uniform: uniform)
    }

    /// The smallest eigenvalue of the rate matrix f, when it can be had cheaply: closed form for the
    /// uniform model (Γ − f_eff/N, and Γ + f_eff(N−1)/N), LAPACK up to `numericLimit` dipoles.
    public static func smallestRateEigenvalue(_ s: SystemSpec, numericLimit: Int = 2000) -> Double? {
        let n = Double(s.count)
        switch s.couplings {
        case .uniform(let feff, _):
            return s.count < 2 ? 1 : min(1 - feff / n, 1 + feff * (n - 1) / n)
        case .dipolar, .powerLaw:
            guard s.count <= numericLimit else { return nil }
            return try? Couplings.smallestRateEigenvalue(couplings(s).f)
        }
    }
}
