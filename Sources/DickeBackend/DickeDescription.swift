import Physics
import Results

/// What the permutation-symmetric backend computes, which models it represents and what a point costs
/// (docs/physics.md §6.4). The planner reads only this.
extension DickeBackend: DescribedBackend {
    public var kind: BackendKind { .permutationSymmetric }

    /// The collective ⟨J⁺(τ)J⁻⟩ comes with `spectrum`; pair functions Z_ab(τ) (`two-time`, steady state
    /// only) from states symmetric under the N − 1 dipoles other than one (docs/physics.md §6.6).
    public var observables: Set<ObservableKind> {
        [.zq, .inversion, .clusterZQ, .correlations, .qfi, .mutualInformation, .discord, .spectrum, .twoTime]
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
        if !outline.timeEvolution, let u = outline.uniformCouplings ?? outline.allToAll, expectsFullChain(n: outline.dipoles, feff: u.feff) {
            e = fullChainEstimate(n: outline.dipoles)
        }
        var observableFlops = 0.0
        if let s = outline.observables.first(where: { $0.kind == .spectrum }) {
            observableFlops += spectrumFlops(
                n: outline.dipoles, pump: outline.pump, uniform: outline.allToAll, tauMax: s.tauMax,
                dephasing: outline.dephasing, nonradiativeDecay: outline.nonradiativeDecay)
        }
        let pair = pairCorrelationEstimate(outline)
        e.memoryBytes += pair.memoryBytes
        observableFlops += pair.flops
        return CostEstimate(memoryBytes: e.memoryBytes, flops: e.flops, observableFlops: observableFlops, oneOffFlops: e.oneOffFlops)
    }

    /// ⟨J⁺(τ)J⁻⟩ by Dormand–Prince over the k = 1 sector (~N²/4 coherences) to τ_max: the steps follow the
    /// fastest rate, ~Γ + γ_nr + W + (f_eff + |g_eff|)N/4 + γ_φ N/5, at ~620 flops per coherence and unit of
    /// that rate·τ (calibrated: f_eff = 15 Γ, W = 7.5 Γ, τ_max = 40/Γ takes 4.1 s at N = 70 and 87 s at
    /// N = 200 on one core; the dephasing term, whose largest coherence loss γ_φ(N/2 − m m′(N/2 + 1)/(j(j + 1)))
    /// grows with N (docs/physics.md §6.4.1), on N = 50, τ_max = 20/Γ: ×1.27 at γ_φ = 5 Γ, ×2.0 at 20 Γ).
    public static func spectrumFlops(
        n: Int, pump: Double, uniform: UniformCouplings?, tauMax: Double, dephasing: Double = 0, nonradiativeDecay: Double = 0
    ) -> Double {
        let N = Double(n)
        let collective = (abs(uniform?.feff ?? N) + abs(uniform?.geff ?? 0)) * N / 4
        return 620 * tauMax * (N * N / 4) * (1 + pump + collective + nonradiativeDecay + 0.2 * dephasing * N)
    }

    /// Why the model is not one it represents: couplings or detunings that are not uniform, random
    /// per-dipole phases, or N over `PlannerThresholds.permutationSymmetricMaxDipoles`.
    public func refusal(for outline: PointOutline, thresholds: PlannerThresholds) -> String? {
        if !outline.permutationSymmetric {
            return "the couplings or detunings are not uniform (\(outline.couplingsName) couplings, \(outline.detuningName) detuning)"
        }
        if case .product(_, nil) = outline.initial { return Self.randomPhasesRefusal }
        if outline.timeEvolution && outline.kinds.contains(.twoTime) {
            return "two-time is computed in the steady state by the permutation-symmetric backend"
        }
        if outline.dipoles > thresholds.permutationSymmetricMaxDipoles {
            return "N = \(outline.dipoles) exceeds its limit of \(thresholds.permutationSymmetricMaxDipoles)"
        }
        return nil
    }

    /// Why random per-dipole phases are refused (planner and `solve`).
    static let randomPhasesRefusal = "random per-dipole phases in the initial state break permutation symmetry"

    public func preferenceReason(_ outline: PointOutline) -> String {
        let why = "uniform couplings and detunings: the Dicke-basis solution is exact and cheapest"
        guard outline.dephasing != 0 else { return why }
        return why + " (local dephasing also moves j within a level: the j blocks are coupled, docs/physics.md §6.4.1)"
    }

    /// The pair two-time function (`two-time`, docs/physics.md §6.6), zero if not asked, from the code
    /// (`DistinguishedDipoles.pairCorrelation`): ~4(N/2 + 1)² coherences (`pairCoherences`; the charge −1
    /// sector holds 900 at N = 30, 4900 at 70), integrated by Dormand–Prince over τ_max with a stop at each
    /// of the τ points. A step costs about seven applications of the sparse generator (six stages, first
    /// same as last, and the vector updates: 7.2 applications' worth measured), each 8 flops per nonzero
    /// and `pairNonzerosPerRow` nonzeros a row. The step is bounded by the generator's largest decay
    /// rate λ ≈ f_eff N/4 + (Γ + γ_nr + W + γ_φ) N, 3.3/λ for Dormand–Prince; the integrator takes fewer
    /// steps than τ_max λ/3.3 + (τ points): `pairStepShare` of them, measured. Measured with
    /// `dipolesync-bench dicke pair N f_eff W γ_φ 40 2000` (CPU seconds, one core, f_eff = 15 Γ, τ_max = 40/Γ,
    /// 2000 points), against this estimate: N = 30, W = 7.5 Γ 0.93 s (0.78 s estimated); N = 50 2.5 s (3.0);
    /// N = 70 7.2 s (7.6); N = 100 19.7 s (20.6); N = 50, W = 0.5 Γ 1.1 s (1.6); W = 40 Γ 7.6 s (9.3);
    /// N = 70, W = 40 Γ 19.8 s (24.4); N = 50, γ_φ = 5 Γ 3.6 s (4.6), 20 Γ 5.1 s (8.0). (Before: 400 flops a
    /// coherence and evaluation, 10–18× too high on the same runs.)
    public static func pairCorrelationEstimate(_ outline: PointOutline) -> CostEstimate {
        guard let o = outline.observables.first(where: { $0.kind == .twoTime }), !outline.timeEvolution else {
            return CostEstimate(memoryBytes: 0, flops: 0)
        }
        let n = Double(outline.dipoles)
        let feff = outline.allToAll?.feff ?? n
        let lambda = feff * n / 4 + (1 + outline.nonradiativeDecay + outline.pump + outline.dephasing) * n + 1
        let steps = pairStepShare * (max(1, o.tauMax) * lambda / 3.3 + Double(o.tauPoints))
        let perStep = 7 * 8 * pairNonzerosPerRow(dephasing: outline.dephasing)
        return CostEstimate(
            memoryBytes: pairCorrelationBytes(n: outline.dipoles), flops: steps * perStep * pairCoherences(n: outline.dipoles))
    }

    /// The coherences of the pair function's charge −1 sector: 4 blocks of about (N/2 + 1)².
    public static func pairCoherences(n: Int) -> Double { 4 * Double(n / 2 + 1) * Double(n / 2 + 1) }

    /// Nonzeros a row of the pair function's generator (`DistinguishedDipoles.Generator`): 11.7 at N = 30,
    /// 12.0 at 50, 12.1 at 70, 12.3 at 100; with dephasing (j ± 1 within a level) 13.9 at N = 50.
    public static func pairNonzerosPerRow(dephasing: Double) -> Double { dephasing != 0 ? 14 : 12 }

    /// The share of τ_max λ/3.3 + (τ points) steps the Dormand–Prince integrator takes (measured: 0.25–0.6,
    /// steps ≈ (CPU seconds)/(7.2 applications' CPU seconds) at N = 30–100, W = 0.5–40 Γ, γ_φ = 0–20 Γ).
    static let pairStepShare = 0.35

    /// Pair couplings f_eff/N from which the scaled window of the steady state is expected to fail and
    /// the full chain to be solved instead (docs/physics.md §6.4.2, "Full-chain fallback"): it failed
    /// for the all-to-all power law at strength Γ/4 (f_eff/N = 0.25 Γ) from N = 404 on, and held at
    /// f_eff/N ≤ 0.1 Γ (f_eff = 40 and 60 Γ at N = 600; f_eff = 15 Γ up to N = 10⁴).
    static let fullChainPairCoupling = 0.2

    /// Whether the steady state of N dipoles with collective coupling f_eff is expected to need the full
    /// chain beyond `DickeSteadyState.defaultFullWindowLimit` (`fullChainPairCoupling`).
    static func expectsFullChain(n: Int, feff: Double) -> Bool {
        n > DickeSteadyState.defaultFullWindowLimit && abs(feff) >= fullChainPairCoupling * Double(n)
    }

    /// The full chain's steady state, after the scaled windows failed: (N/2 + 1)² populations reduced
    /// level by level, ~Σ_L K_L³ ≈ N⁴/32 flops and `DickeSteadyState.memoryEstimate` of the full window
    /// (measured at N = 900: 16 s and 0.75 GB on one core; docs/physics.md §6.4.2). Counted 1.5 times and
    /// as one-off work: an `optimize` search falls back to it at one or two pump rates, the others hold
    /// in their windows (fig4a-cluster-order-chain's α = 0 point, N = 900: 10 solves, one of 28 s and
    /// one of 8 s, the rest ~1 s; 20 CPU s in all against ~23 s estimated, ~140 s before).
    static func fullChainEstimate(n: Int) -> CostEstimate {
        let N = Double(n), windowed = estimate(n: n, timeEvolution: false)
        let full = Double(DickeSteadyState.fullChainMemoryEstimate(n: n))
        let chain = 1.5 * N * N * N * N / 32
        return CostEstimate(
            memoryBytes: CostEstimate.bytes(max(Double(windowed.memoryBytes), full) + 1e6), flops: chain + windowed.flops,
            oneOffFlops: chain)
    }

    /// Steady state (with or without decoherence: local dephasing narrows the window of levels and j that
    /// hold probability, so the estimate without it is an upper bound; N = 1000, f_eff = 15 Γ, W = 7.5 Γ
    /// measured under load 12 s at γ_φ = 0, 9.5 s at 2 Γ, 5.2 s at 5 Γ): ~N²/4 populations p(j, m) solved level by level (about 16 doubles of work space
    /// each; 3.4 GB measured at N = 10⁴), solved over the window of levels that hold probability: in the
    /// synchronized window at f_eff = 15 Γ, W = 7.5 Γ 1.3 ms at N = 70, 1.6 s at N = 1000, 3.5 s at N = 3000 and 35 s at
    /// N = 10⁴ on one core, far less outside it (0.1–0.4 s up to N = 10⁴); the estimate follows the
    /// synchronized case. Time evolution
    /// holds the (j, m, m') coherences, ~N³/12 complex numbers.
    public static func estimate(n: Int, timeEvolution: Bool) -> CostEstimate {
        let N = Double(n)
        let pops = (N / 2 + 1) * (N / 2 + 1)
        if timeEvolution {
            let coh = N * N * N / 12 + pops
            return CostEstimate(memoryBytes: CostEstimate.bytes(16 * coh * 9 + 1e6), flops: 2e4 * 10 * coh)
        }
        return CostEstimate(memoryBytes: CostEstimate.bytes(8 * pops * 16 + 1e6), flops: 2e3 * pops + 1e3 * N * N)
    }
}
