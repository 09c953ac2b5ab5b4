import Foundation
import LinearAlgebra
import Physics
import Results

/// What the cumulant backend computes, which models it represents and what a point costs
/// (docs/physics.md §5). The planner reads only this.
extension CumulantBackend: DescribedBackend {
    public var kind: BackendKind { .cumulant }

    public var observables: Set<ObservableKind> {
        [.zq, .inversion, .clusterZQ, .correlations, .mutualInformation, .discord, .twoTime, .spectrum, .frequency]
    }

    /// Both single-dipole terms, in the equal-time, regression and steady-state equations (docs/physics.md §5.7).
    public var decoherence: Set<LocalDecoherence> { [.dephasing, .nonradiativeDecay] }

    public func assess(_ outline: PointOutline, thresholds: PlannerThresholds) -> BackendAssessment {
        let lattice = couplingRepresentation(for: outline, method: nil, thresholds: thresholds) == .lattice
        return BackendAssessment(
            refusal: refusal(for: outline, thresholds: thresholds),
            estimate: Self.estimate(outline, lattice: lattice ? outline.latticeExtents : nil))
    }

    /// Translation-invariant lattice couplings are held as kernels and FFT spectra (K*C by FFTs,
    /// docs/physics.md §5.3) when `solver.couplings` says `lattice`, or says `auto` and N is above
    /// `cumulantLatticeCouplingsMinDipoles` (where the lattice path's preconditioner takes over); dense
    /// matrices otherwise.
    public func couplingRepresentation(for outline: PointOutline, method: PointMethod?, thresholds: PlannerThresholds) -> CouplingRepresentation? {
        guard outline.latticeExtents != nil else { return nil }
        switch outline.couplingChoice {
        case .lattice: return .lattice
        case .dense, .uniform: return nil
        case .auto: return outline.dipoles > thresholds.cumulantLatticeCouplingsMinDipoles ? .lattice : nil
        }
    }

    /// States with lattice couplings and equal detunings — steady states and the time evolution from the
    /// uniform product states the backend starts from — store one member of each orbit of the lattice's
    /// point reflection (`PackedLayout`, docs/physics.md §5.3.2), above the cosine-form preconditioner's
    /// threshold (the smaller forms read the full layout).
    public func stateSymmetry(for outline: PointOutline, couplings: CouplingRepresentation?, thresholds: PlannerThresholds) -> StateSymmetry? {
        Self.stateSymmetry(outline, lattice: couplings == .lattice)
    }

    /// Steady states are iterated (`CumulantSteadyStateSolver.Revision`): the current revision.
    public func solverRevision(for outline: PointOutline) -> Int? {
        guard case .steadyState = outline.evolution else { return nil }
        return CumulantSteadyStateSolver.Revision.current.rawValue
    }

    /// The steady-state iteration a request's `solverRevision` names (nil: revision 1, of plans that
    /// recorded none); a revision this version does not know is refused, not approximated.
    static func steadyStateRevision(_ recorded: Int?) throws -> CumulantSteadyStateSolver.Revision {
        guard let recorded else { return .fixedForcing }
        guard let revision = CumulantSteadyStateSolver.Revision(rawValue: recorded) else {
            let known = CumulantSteadyStateSolver.Revision.allCases.map { String($0.rawValue) }.joined(separator: ", ")
            throw BackendError.unsupported(
                "solver revision \(recorded) is not one this version of the cumulant backend knows (\(known)): a newer dipolesync wrote it, or plan.json was edited"
            )
        }
        return revision
    }

    /// `stateSymmetry`'s rule, for the estimate too.
    static func stateSymmetry(_ outline: PointOutline, lattice: Bool) -> StateSymmetry? {
        stateSymmetry(n: outline.dipoles, elastic: outline.elastic, equalDetunings: outline.equalDetunings, lattice: lattice)
    }

    /// The rule for N dipoles.
    public static func stateSymmetry(n: Int, elastic: Bool, equalDetunings: Bool, lattice: Bool) -> StateSymmetry? {
        guard lattice, equalDetunings else { return nil }
        if case .cosine = LyapunovPreconditioner.Form(n: n, elastic: elastic, equalDetunings: true, lattice: true) { return .reflection }
        return nil
    }

    /// Why the model is not one it represents: an initial state with coherences between excitation
    /// numbers, or dense couplings for more than `PlannerThresholds.cumulantMaxDipoles` dipoles (O(N³)
    /// work per product; the lattice representation is limited by its memory and work estimates only).
    public func refusal(for outline: PointOutline, thresholds: PlannerThresholds) -> String? {
        if !outline.initial.isU1Invariant { return Self.initialStateRefusal }
        let lattice = couplingRepresentation(for: outline, method: nil, thresholds: thresholds) == .lattice
        if !lattice && outline.dipoles > thresholds.cumulantMaxDipoles {
            return "N = \(outline.dipoles) exceeds its limit of \(thresholds.cumulantMaxDipoles) with dense couplings"
        }
        return nil
    }

    /// Why a state with coherences between excitation numbers is refused (planner and `solve`).
    static let initialStateRefusal = "its U(1)-symmetric closure needs an initial state diagonal in excitation number"

    public func preferenceReason(_ outline: PointOutline) -> String {
        "N = \(outline.dipoles) is too large for exact methods and the couplings are not uniform"
    }

    /// The backend's own estimate (its state, GMRES basis, preconditioner, regression) plus the model,
    /// with the GMRES restart `solve` will choose for the memory budget.
    ///
    /// Dense couplings: a steady state costs ~30 N³ flops (the preconditioner's eigen-decomposition and
    /// the Lyapunov products) plus N² work per Krylov and pseudo-transient step, far more of them when
    /// elastic couplings or detunings make the equations stiff (calibrated: a 200-dipole magic-angle
    /// chain at a = 0.02 λ with dephasing, 1.7 s a solve on one core; N = 900 in ~10 s; N = 4000 in
    /// ~9 min on 2 cores).
    ///
    /// Lattice couplings (`lattice`: the extents): `latticeProducts` products K*C of N columns (half as
    /// many transforms when C is real), each two FFTs of the embedding (M sites, 5 M log₂ M flops apiece)
    /// plus the pair loop, and as many low-rank preconditioner applications (8·96 N² flops). Two-time fits and the spectrum are `observableFlops` (`regressionFlops`).
    public static func estimate(_ outline: PointOutline, lattice: [Int]? = nil) -> CostEstimate {
        let n = outline.dipoles, N = Double(n)
        let kinds = outline.kinds
        let regression = kinds.contains(.twoTime) || kinds.contains(.spectrum) || kinds.contains(.frequency)
        let form = LyapunovPreconditioner.Form(n: n, elastic: outline.elastic, equalDetunings: outline.equalDetunings, lattice: lattice != nil)
        let general = form == .general
        let reflected = Self.stateSymmetry(outline, lattice: lattice != nil) == .reflection
        let threads = max(1, outline.threads ?? outline.cores)
        // Time evolution holds the Dormand–Prince integrator's 10 packed vectors (`packedVectors`' floor,
        // the smallest restart's), steady states the GMRES basis the budget allows.
        let restart =
            outline.timeEvolution
            ? 2
            : restart(
                budget: outline.memoryBudget, n: n, elastic: outline.elastic, equalDetunings: outline.equalDetunings,
                regression: regression, lattice: lattice, reflected: reflected, threads: threads) ?? 2
        let rightHandSides = Self.timeEvolutionRightHandSides(outline)
        let own =
            n > 1
            ? memoryEstimate(
                n: n, elastic: outline.elastic, equalDetunings: outline.equalDetunings,
                restart: restart, regression: regression, lattice: lattice, reflected: reflected, threads: threads) : 1 << 20
        let observableFlops = regression ? regressionFlops(n: n, observables: outline.observables) : nil
        if let lattice {
            let m = Double(lattice.map(CirculantConvolution.embeddingLength).reduce(1, *))
            // C is complex (every column its own transform) with g or with unequal detunings.
            let columns = outline.elastic || !outline.equalDetunings ? N : N / 2
            // Per product: the FFTs, the pair loops (~40 N² effective flops, cache-bound), and one
            // cosine-basis preconditioner application (two parts × four passes of N cosine transforms of
            // length N, ~2 N² log₂ N effective flops in all — FFTW's real transforms run well above the
            // 2·10⁹ flop/s scale of `CostEstimate.seconds` — plus ~40 N² for the transposes, packing and
            // collective correction; calibrated on the runs of `latticeProducts`); the general
            // preconditioner's O(N³) eigen-decompositions.
            // The reflected layout (docs/physics.md §5.3.2) computes half the columns and pairs.
            let product = (columns * 10 * m * log2(max(m, 2)) + 40 * N * N) * (reflected ? 0.5 : 1)
            let preconditioner = general ? 100 * N * N * N / latticeProducts(general: true) : 2 * N * N * log2(max(N, 2)) + 40 * N * N
            let planes = lattice.filter { $0 > 1 }.count >= 2
            // Time evolution: right-hand sides only, no preconditioner, each about a third of `product`'s
            // count (calibrated: the power-law chains of `timeEvolutionRightHandSides`).
            let flops =
                rightHandSides.map { $0 * product / 3.5 } ?? latticeProducts(general: general, planes: planes) * (product + preconditioner)
            return CostEstimate(memoryBytes: CostEstimate.bytes(Double(own) + 1e6), flops: flops, observableFlops: observableFlops)
        }
        // Couplings alike for every pair and equal detunings: the symmetric reduction's uniform state is
        // the steady state (SteadyState.symmetricGuess), accepted with no pseudo-transient step; what is
        // left is the model, the preconditioner's setup and the stability check's symmetric
        // eigenvalues (calibrated on figS2-correlations-vs-n.yaml, one core: N = 500, 700, 1000 in 0.07,
        // 0.44 and 0.64 s).
        let steady = outline.permutationSymmetric ? 1.5 * N * N * N + 600 * N * N : 30 * N * N * N + (general ? 4e4 : 6e3) * N * N
        // Time evolution: a right-hand side is one BLAS product K*C and the pair loops (N³/6 + 10 N² on
        // `CostEstimate`'s scale; calibrated: chains of 200 and 400, `timeEvolutionRightHandSides`).
        let solve = rightHandSides.map { $0 * (N * N * N / 6 + 10 * N * N) } ?? steady
        return CostEstimate(
            memoryBytes: CostEstimate.bytes(Double(own) + CostEstimate.modelBytes(n: n, matrices: true)),
            flops: solve,
            observableFlops: observableFlops)
    }

    /// Right-hand sides a time evolution to t takes (nil for a steady state): Dormand–Prince 5(4) at the
    /// tolerance 10⁻¹⁰ takes ~16 steps per unit of Q_C t (Q_C = Γ + W + γ_nr + 2γ_φ, the rate of the
    /// correlations' decay, docs/physics.md §5.7), six right-hand sides each. Measured (2 threads,
    /// `dipolesync run`, power-law chains α = 1.5 from the ground state, 2026-12-07): N = 4 000 lattice,
    /// W = 4 Γ, t = 2/Γ: 164 steps, 204 s wall and 1.19 GB peak in the reflected layout (396 s and 2.35 GB
    /// in the full one; the estimate before said 48 and 75 s); N = 2 000, W = 8 Γ, t = 1/Γ: 162 steps,
    /// 43 s, 0.33 GB; dense N = 400 and 200 (W = 4 Γ, t = 2/Γ): 164 steps, 5.2 s and 1.3 s. Couplings
    /// much faster than Q_C (elastic ones at close spacing) shorten the steps further, which the estimate
    /// does not see.
    static func timeEvolutionRightHandSides(_ outline: PointOutline) -> Double? {
        guard case .until(let time, _) = outline.evolution else { return nil }
        let qc = CumulantSystem.correlationDecayRate(
            gamma: 1, pump: outline.pump, nonradiativeDecay: outline.nonradiativeDecay, dephasing: outline.dephasing)
        return 6 * (16 * qc * max(time, 0) + 10)
    }

    /// Products K*C (right-hand sides and Jacobian-vector products) a lattice steady state takes:
    /// the synchronized 4000-dipole chain of `benchmarks/cumulant.sh` takes 6 pseudo-transient steps and
    /// 21 Krylov iterations, ~35 products (estimate 1.6·10¹¹ flops, ~80 s; measured 66 s of CPU time on
    /// a loaded 2-core machine). Elastic couplings and detunings make the equations stiffer (more steps).
    /// Square and cubic lattices (`planes`) take about twice as many: more of their sites sit near an
    /// edge, where the preconditioner's uniform-state coupling of the collective modes is furthest off
    /// (docs/physics.md §5.3.1; measured on the power-law lattices of `benchmarks/cumulant.sh` at N = 2500,
    /// one thread: chain 6 steps and 15 Krylov iterations, 19 s; synchronized 50 × 50 square 7 and 35,
    /// 51 s; the 100 × 100 square 6 and 33, 16 min on 2 threads). Elastic couplings take as many on a
    /// chain (between one and three times a resonant chain's Krylov iterations, each with twice the
    /// transforms: C is complex) and, on a plane, about 2.5 times a resonant plane's products (the bright
    /// light-cone modes, docs/physics.md §5.3.1). The count here is nevertheless a resonant plane's: with
    /// it the estimates match the measured total times below (10 s – 26 min against 11 s – 23 min), so the
    /// per-product cost for complex C is over-counted by about as much (not measured on its own)
    /// (dipolar at the magic angle, W = 3 Γ, 2 threads, `dipolesync-bench cumulant dipolar-chain|dipolar-square`,
    /// solver revision 2 (2026-12-07; revision 1 in parentheses): chain of 2 500 at a = 0.2 λ 8 steps and 21
    /// Krylov iterations, 12 s (7 and 25, 17 s); at a = 0.05 λ 10 and 48, 24 s (9 and 71, 44 s); squares at
    /// 0.2 λ, 40 × 40: 9 and 75, 30.5 s (7 and 94, 30 s); 50 × 50: 10 and 81, 54 s (8 and 105, 65 s);
    /// 100 × 100 in 16 GiB: 13 and 147, 23 min (10 and 183, 31 min)).
    static func latticeProducts(general: Bool, planes: Bool = false) -> Double {
        (general ? 200 : 40) * (planes ? 2 : 1)
    }

    /// The regression (docs/physics.md §5.5): one complex eigen-decomposition (~100 N³ flops), the
    /// spectral line (~4·10³ evaluations of N Lorentzians), and per `two-time` pair the τ samples
    /// (N exponentials each) and the fit's coarse (ν, γ) search, 256 × 61 samples of ~13 flops
    /// (calibrated: 100 pairs of 1000 samples at N = 200, 10 s on one core).
    public static func regressionFlops(n: Int, observables: [ObservableRequest]) -> Double {
        let N = Double(n)
        var flops = 100 * N * N * N + 4e3 * N * 40
        for o in observables where o.kind == .twoTime {
            let m = Double(o.tauPoints)
            flops += Double(o.pairs.count) * (256 * 61 * m * 13 + m * N * 40)
        }
        return flops
    }
}
