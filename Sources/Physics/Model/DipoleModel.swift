import LinearAlgebra

/// Everything a backend needs to write down the master equation of docs/physics.md §1.1 for one point,
/// in canonical units: rates and frequencies in Γ, lengths in λ.
///
///     H   = ½ Σ_a δ_a σᶻ_a + ½ Σ_{a≠b} g_ab σ⁺_a σ⁻_b
///     L_f = ½ Σ_{a,b} f_ab (2 σ⁻_b ρ σ⁺_a − {σ⁺_a σ⁻_b, ρ}),  f_aa = Γ
///     L_W = W Σ_a D[σ⁺_a]
///     L_φ = (γ_φ/2) Σ_a D[σᶻ_a],  L_nr = γ_nr Σ_a D[σ⁻_a]   (both zero unless the spec sets them)
public struct DipoleModel: Sendable {
    /// Single-dipole decay rate Γ (1 in canonical units; kept explicit so formulas read as in the papers).
    public var gamma: Double
    /// Incoherent pump rate W.
    public var pump: Double
    /// Detunings δ_a, one per dipole.
    public var detunings: [Double]
    /// Dissipative couplings f_ab (N×N, symmetric, f_aa = Γ); empty for a matrix-free uniform model
    /// (`hasMatrices` false), which only backends that read `uniform` accept.
    public var f: Matrix
    /// Elastic couplings g_ab (N×N, symmetric, zero diagonal).
    public var g: Matrix
    /// Dipole positions in λ (empty for an all-to-all model, which has no geometry).
    public var positions: [SIMD3<Double>]
    /// Set when the couplings are all-to-all uniform: f_ab = f_eff/N, g_ab = g_eff/N for a ≠ b.
    public var uniform: UniformCouplings?
    /// Set when the couplings are translation-invariant on a lattice and held as the spectra of their
    /// circulant embeddings (docs/physics.md §2.6); f and g are then empty (`hasMatrices` false), and
    /// only backends that read `lattice` accept the model (`CouplingRepresentation.lattice`).
    public var lattice: LatticeCouplings?
    /// The distribution the detunings were drawn from (`system.detuning`; nil: explicit values), which
    /// the mean-field closed forms average over in the limit N → ∞.
    public var detuningDistribution: DetuningDistribution?
    /// Local pure dephasing γ_φ: the term (γ_φ/2) Σ_a D[σᶻ_a] (docs/physics.md §1.5). A lone dipole's
    /// coherence ⟨σ⁻⟩ then decays at (Γ + W)/2 + γ_φ.
    public var dephasing: Double = 0
    /// Local non-radiative decay γ_nr: the term γ_nr Σ_a D[σ⁻_a], decay that emits no photon into the
    /// collective mode (docs/physics.md §1.5). It is not part of f: f_aa stays Γ and f_eff is unchanged.
    public var nonradiativeDecay: Double = 0

    /// The single-dipole decoherence terms this model has (those with a nonzero rate).
    public var decoherence: Set<LocalDecoherence> { LocalDecoherence.terms(dephasing: dephasing, nonradiativeDecay: nonradiativeDecay) }

    public init(
        gamma: Double = 1, pump: Double, detunings: [Double], f: Matrix, g: Matrix,
        positions: [SIMD3<Double>] = [], uniform: UniformCouplings? = nil,
        detuningDistribution: DetuningDistribution? = nil, lattice: LatticeCouplings? = nil
    ) {
        // f and g may be left empty (0×0) for an all-to-all model (`uniform` then says everything) or
        // a lattice model (`lattice` does).
        let empty = (uniform != nil || lattice?.count == detunings.count) && f.rows == 0 && g.rows == 0
        precondition(empty || (f.rows == detunings.count && f.cols == detunings.count), "f must be N×N")
        precondition(empty || (g.rows == detunings.count && g.cols == detunings.count), "g must be N×N")
        self.gamma = gamma
        self.pump = pump
        self.detunings = detunings
        self.f = f
        self.g = g
        self.positions = positions
        self.uniform = uniform
        self.lattice = lattice
        self.detuningDistribution = detuningDistribution
    }

    /// The all-to-all ("collective") model of the papers: f_ab = f_eff/N, g_ab = g_eff/N for a ≠ b.
    public static func collective(
        n: Int, feff: Double, geff: Double = 0, pump: Double, gamma: Double = 1,
        detunings: [Double]? = nil
    ) -> DipoleModel {
        let c = Couplings.uniform(n: n, feff: feff, geff: geff, gamma: gamma)
        return DipoleModel(
            gamma: gamma, pump: pump, detunings: detunings ?? Array(repeating: 0, count: n),
            f: c.f, g: c.g, uniform: UniformCouplings(feff: feff, geff: geff))
    }

    /// Whether f and g are stored (false for a matrix-free all-to-all or lattice model).
    public var hasMatrices: Bool { f.rows == count }

    /// Number of dipoles N.
    public var count: Int { detunings.count }

    /// f_eff = Σ_a Σ_{b≠a} f_ab / (N − 1) (docs/physics.md §2.4); 0 for N = 1.
    public var feff: Double { hasMatrices ? Couplings.effective(f) : (lattice?.feff ?? uniform?.feff ?? 0) }
    /// g_eff = Σ_a Σ_{b≠a} g_ab / (N − 1).
    public var geff: Double { hasMatrices ? Couplings.effective(g) : (lattice?.geff ?? uniform?.geff ?? 0) }

    /// How the couplings are held: dense N×N matrices, the two numbers of an all-to-all model, or the
    /// spectra of a translation-invariant lattice (docs/physics.md §2.6).
    public var representation: CouplingRepresentation {
        if hasMatrices { return .dense }
        return lattice != nil ? .lattice : .uniform
    }

    /// Whether every detuning equals the first within `tolerance`.
    public func detuningsAreUniform(tolerance: Double = 1e-12) -> Bool {
        guard let d0 = detunings.first else { return true }
        return detunings.allSatisfy { abs($0 - d0) <= tolerance }
    }
}

/// The two numbers of an all-to-all model.
public struct UniformCouplings: Sendable, Equatable, Codable {
    public var feff: Double
    public var geff: Double
    public init(feff: Double, geff: Double) { self.feff = feff; self.geff = geff }
}

/// The single-dipole decoherence terms of docs/physics.md §1.5 a model may carry beyond the papers'
/// master equation (spec keys `system.dephasing` and `system.nonradiative-decay`). A backend lists the
/// ones it represents in its description (`DescribedBackend.decoherence`).
public enum LocalDecoherence: String, CaseIterable, Sendable, Codable {
    case dephasing
    case nonradiativeDecay = "nonradiative-decay"

    /// The terms with a nonzero rate.
    public static func terms(dephasing: Double, nonradiativeDecay: Double) -> Set<LocalDecoherence> {
        var s: Set<LocalDecoherence> = []
        if dephasing != 0 { s.insert(.dephasing) }
        if nonradiativeDecay != 0 { s.insert(.nonradiativeDecay) }
        return s
    }
}
