import Physics
import Results

/// What the permutation-symmetric backend computes, which models it represents and what a point costs
/// (docs/physics.md §6.4). The planner reads only this.
extension DickeBackend: DescribedBackend {
    public var kind: BackendKind { .permutationSymmetric }

    /// Pair functions Z_ab(τ) need states symmetric under N−1 dipoles only: not available here; the
    /// collective ⟨J⁺(τ)J⁻⟩ comes with `spectrum`.
    public var observables: Set<ObservableKind> {
        [.zq, .inversion, .clusterZQ, .correlations, .qfi, .mutualInformation, .discord, .spectrum]
    }

    /// Local dephasing and non-radiative decay are local permutation-invariant processes: rates in the
    /// Dicke basis in docs/physics.md §6.4.1. Every observable it lists stays exact with them (the state
    /// stays U(1) invariant and of the form ⊕_j ρ_j ⊗ 1_{d_j}; the spectrum's k = 1 sector carries them).
    public var decoherence: Set<LocalDecoherence> { [.dephasing, .nonradiativeDecay] }

    /// It reads `DipoleModel.uniform` only.
    public func needsCouplingMatrices(method: PointMethod?) -> Bool { false }

    public func assess(_ outline: PointOutline, thresholds: PlannerThresholds) -> BackendAssessment {
        BackendAssessment(
            refusal: refusal(for: outline, thresholds: thresholds),
            estimate: Self.estimate(outline))
    }

    /// The point's estimate: the steady state or evolution, and the spectrum's regression when asked.
    public static func estimate(_ outline: PointOutline) -> CostEstimate {
        var e = estimate(n: outline.dipoles, timeEvolution: outline.timeEvolution)
        if let s = outline.observables.first(where: { $0.kind == .spectrum }) {
            e.observableFlops = spectrumFlops(n: outline.dipoles, pump: outline.pump, uniform: outline.allToAll, tauMax: s.tauMax)
        }
        return e
    }

    /// ⟨J⁺(τ)J⁻⟩ by Dormand–Prince over the k = 1 sector (~N²/4 coherences) to τ_max: the steps follow the
    /// fastest rate, ~Γ + W + (f_eff + |g_eff|)N/4, at ~620 flops per coherence and unit of that rate·τ
    /// (calibrated: f_eff = 15 Γ, W = 7.5 Γ, τ_max = 40/Γ takes 4.1 s at N = 70 and 87 s at N = 200 on one core).
    public static func spectrumFlops(n: Int, pump: Double, uniform: UniformCouplings?, tauMax: Double) -> Double {
        let N = Double(n)
        let collective = (abs(uniform?.feff ?? N) + abs(uniform?.geff ?? 0)) * N / 4
        return 620 * tauMax * (N * N / 4) * (1 + pump + collective)
    }

    /// Why the model is not one it represents: couplings or detunings that are not uniform, random
    /// per-dipole phases, or N over `PlannerThresholds.permutationSymmetricMaxDipoles`.
    public func refusal(for outline: PointOutline, thresholds: PlannerThresholds) -> String? {
        if !outline.permutationSymmetric {
            return "the couplings or detunings are not uniform (\(outline.couplingsName) couplings, \(outline.detuningName) detuning)"
        }
        if case .product(_, nil) = outline.initial { return Self.randomPhasesRefusal }
        if outline.dipoles > thresholds.permutationSymmetricMaxDipoles {
            return "N = \(outline.dipoles) exceeds its limit of \(thresholds.permutationSymmetricMaxDipoles)"
        }
        return nil
    }

    /// Why random per-dipole phases are refused (planner and `solve`).
    static let randomPhasesRefusal = "random per-dipole phases in the initial state break permutation symmetry"

    public func preferenceReason(_ outline: PointOutline) -> String {
        "uniform couplings and detunings: the Dicke-basis solution is exact and cheapest"
    }

    /// Steady state: ~N²/4 populations p(j, m) solved level by level (about 16 doubles of work space
    /// each; 3.4 GB measured at N = 10⁴) and ~N⁴/8 flops of dense LU over the levels. Time evolution
    /// holds the (j, m, m') coherences, ~N³/12 complex numbers.
    public static func estimate(n: Int, timeEvolution: Bool) -> CostEstimate {
        let N = Double(n)
        let pops = (N / 2 + 1) * (N / 2 + 1)
        if timeEvolution {
            let coh = N * N * N / 12 + pops
            return CostEstimate(memoryBytes: CostEstimate.bytes(16 * coh * 9 + 1e6), flops: 2e4 * 10 * coh)
        }
        return CostEstimate(memoryBytes: CostEstimate.bytes(8 * pops * 16 + 1e6), flops: N * N * N * N / 8 + 1e3 * pops)
    }
}
