import Foundation
import Numerics
import Physics
import Results

/// What the exact backend computes, which models it represents with which method, and what a point
/// costs (docs/physics.md §6.1–§6.3, §6.5). The planner reads only this.
extension ExactBackend: DescribedBackend {
    public var kind: BackendKind { .exact }

    public var observables: Set<ObservableKind> {
        [
            .zq, .inversion, .clusterZQ, .correlations, .qfi, .qfiConditional, .mutualInformation, .discord,
            .twoTime, .spectrum, .frequency
        ]
    }

    /// Both single-dipole decoherence terms, in every method: the block Liouvillian, jump trajectories
    /// and quantum state diffusion (docs/physics.md §6.5).
    public var decoherence: Set<LocalDecoherence> { [.dephasing, .nonradiativeDecay] }

    /// Observables that need the density matrix: jump trajectories do not give them.
    public static let densityMatrixObservables: Set<ObservableKind> = [.qfi, .twoTime, .spectrum, .frequency]

    /// The largest N of the density matrix: U(1) blocks for ground or excited starts, the full 4^N
    /// representation for coherent ones.
    public static func densityMatrixLimit(_ outline: PointOutline, thresholds: PlannerThresholds) -> Int {
        outline.initial.isU1Invariant
            ? thresholds.exactDensityMatrixMaxDipoles
            : min(thresholds.exactCoherentDensityMatrixMaxDipoles, thresholds.exactDensityMatrixMaxDipoles)
    }

    /// Jump trajectories of a point: `solver.trajectories`, else the largest `trajectories` of the observables.
    static func trajectories(_ settings: TrajectorySettings, _ observables: [ObservableRequest]) -> Int {
        max(2, settings.trajectories ?? observables.map(\.trajectories).max() ?? 2)
    }

    /// How the backend holds the point's state (nil: neither way is possible; `assess` says why).
    /// `solver.exact-method` decides when it is given. Otherwise the U(1)-block density matrix when N is
    /// within its limit and its estimate within the memory budget, and quantum-jump trajectories when it
    /// is not but `solver.backend` forces the exact backend (they take minutes per point, so `auto`
    /// prefers the cumulant backend there).
    public func method(for outline: PointOutline, thresholds: PlannerThresholds) -> (method: PointMethod, reason: String)? {
        let n = outline.dipoles
        switch outline.exactMethod {
        case .densityMatrix: return (.densityMatrix, "U(1)-block density matrix (solver.exact-method)")
        case .jumpTrajectories: return (.jumpTrajectories, Self.jumpReason(outline, "solver.exact-method"))
        case .auto: break
        }
        let limit = Self.densityMatrixLimit(outline, thresholds: thresholds)
        let dm = Self.densityMatrixEstimate(outline, threads: outline.threads ?? outline.cores)
        if n <= limit && dm.memoryBytes <= outline.memoryBudget {
            return (.densityMatrix, "U(1)-block density matrix (\(ByteCount(dm.memoryBytes)))")
        }
        if outline.forced == .exact && outline.initial.isU1Invariant {
            let why =
                n > limit
                ? "N = \(n) is over the density-matrix limit of \(limit)"
                : "the density matrix needs ≈ \(ByteCount(dm.memoryBytes)), over the budget"
            return (.jumpTrajectories, Self.jumpReason(outline, why))
        }
        return nil
    }

    static func jumpReason(_ outline: PointOutline, _ why: String) -> String {
        let t = outline.trajectories
        if outline.kinds == [.qfiConditional], let q = outline.observables.first(where: { $0.kind == .qfiConditional }) {
            // Only the diffusion ensemble runs (`ExactBackend.work`): say so, with its schedule.
            let time: Double
            switch outline.evolution {
            case .until(let u, _): time = u
            case .steadyState: time = (t.diffusionBurnIn ?? t.burnIn) + (t.diffusionAverage ?? t.average)
            }
            return
                "quantum-state-diffusion trajectories of the full 2^N vector (\(why)): \(max(2, q.trajectories)) × \(num(time)) /Γ, \(t.diffusionScheme.rawValue) scheme at the step \(num(t.diffusionStepFraction))/(rate scale), standard errors from their spread"
        }
        return
            "quantum-jump trajectories (\(why)): \(trajectories(t, outline.observables)) × (\(num(t.burnIn)) + \(num(t.average))) /Γ, standard errors from their spread"
    }

    static func num(_ x: Double) -> String { String(format: "%.4g", x) }

    public func assess(_ outline: PointOutline, thresholds: PlannerThresholds) -> BackendAssessment {
        let n = outline.dipoles
        let budget = outline.memoryBudget
        let kinds = outline.kinds
        let onlyTrajectories = kinds == [.qfiConditional]
        var estimate = Self.densityMatrixEstimate(outline, threads: outline.cores)
        if !onlyTrajectories {
            let limit = Self.densityMatrixLimit(outline, thresholds: thresholds)
            switch method(for: outline, thresholds: thresholds) {
            case .some((.jumpTrajectories, _)):
                let t = outline.trajectories
                let dm = estimate
                estimate = Self.jumpTrajectoryEstimate(
                    n: n, pump: outline.pump, trajectories: Self.trajectories(t, outline.observables),
                    time: t.burnIn + t.average, threads: outline.cores, dephasing: outline.dephasing,
                    nonradiativeDecay: outline.nonradiativeDecay)
                if let obstacle = Self.jumpTrajectoryObstacle(outline, thresholds: thresholds) {
                    // Say why trajectories were considered at all when the density matrix was the obstacle.
                    let dmProblem =
                        outline.exactMethod == .jumpTrajectories
                        ? ""
                        : n > limit
                            ? "N = \(n) exceeds the exact density-matrix limit of \(limit), and "
                            : "the density matrix needs ≈ \(ByteCount(dm.memoryBytes)), over the memory budget of \(ByteCount(budget)), and "
                    return BackendAssessment(refusal: dmProblem + obstacle, estimate: estimate)
                }
            default:
                if n > limit {
                    let hint =
                        outline.initial.isU1Invariant && n <= thresholds.exactTrajectoryMaxDipoles
                        ? " (jump trajectories reach N = \(thresholds.exactTrajectoryMaxDipoles), at minutes per point: set solver.backend: exact)"
                        : ""
                    return BackendAssessment(
                        refusal:
                            "N = \(n) exceeds the exact density-matrix limit of \(limit)\(outline.initial.isU1Invariant ? "" : " outside the U(1) sector")\(hint)",
                        estimate: estimate)
                }
            }
        }
        if let r = outline.observables.first(where: { $0.kind == .qfiConditional }) {
            let t = Self.diffusionEstimate(outline, trajectories: max(2, r.trajectories))
            if n > thresholds.exactTrajectoryMaxDipoles {
                return BackendAssessment(
                    refusal: "quantum-state-diffusion trajectories need 2^N amplitudes; N = \(n) exceeds \(thresholds.exactTrajectoryMaxDipoles)",
                    estimate: t)
            }
            estimate = onlyTrajectories ? t : CostEstimate(memoryBytes: max(t.memoryBytes, estimate.memoryBytes), flops: t.flops + estimate.flops)
        }
        return BackendAssessment(refusal: nil, estimate: estimate)
    }

    /// Why jump trajectories cannot deliver a point, or nil.
    static func jumpTrajectoryObstacle(_ outline: PointOutline, thresholds: PlannerThresholds) -> String? {
        let n = outline.dipoles
        let needDensity = outline.kinds.intersection(densityMatrixObservables)
        if !needDensity.isEmpty {
            return "\(needDensity.map(\.rawValue).sorted().joined(separator: ", ")) need the density matrix, which jump trajectories do not give"
        }
        if !outline.initial.isU1Invariant { return "jump trajectories start in a definite excitation number (initial: ground or excited)" }
        if n > thresholds.exactTrajectoryMaxDipoles {
            return "N = \(n) exceeds the jump-trajectory limit of \(thresholds.exactTrajectoryMaxDipoles)"
        }
        return nil
    }

    public func preferenceReason(_ outline: PointOutline) -> String {
        "N = \(outline.dipoles) is within reach of the full master equation"
    }

    /// Density matrix in U(1) blocks (C(2N, N) numbers): `memoryEstimate` plus the model; ~N² flops per
    /// stored element and Liouvillian application (with its preconditioner), and ~40 applications'
    /// worth in all (calibrated: a 12-dipole chain at a = 0.02 λ, 88 GMRES iterations, ~1 min on 2 cores).
    /// Dephasing is not counted: it does not raise the iterations (magic-angle chains at a = 0.02 λ,
    /// W = 6 Γ: 85, 47, 93 iterations at γ_φ = 0, 8, 60 Γ for N = 12; 57, 41, 62 for N = 10; docs/physics.md §9.1).
    public static func densityMatrixEstimate(_ outline: PointOutline, threads: Int) -> CostEstimate {
        let n = outline.dipoles, N = Double(n)
        let own = Double(
            memoryEstimate(n: n, observables: outline.observables, evolution: outline.evolution, threads: threads, budget: outline.memoryBudget))
        let elements = outline.initial.isU1Invariant ? CostEstimate.binomial(2 * n, n) : pow(4, N)
        return CostEstimate(
            memoryBytes: CostEstimate.bytes(own + CostEstimate.modelBytes(n: n, matrices: true)),
            flops: 40 * elements * N * N * 8, observableFlops: regressionFlops(outline, elements: elements))
    }

    /// The quantum regressions read off the solved state (docs/physics.md §3.3): one for `spectrum` or
    /// `frequency`, one per pair of `two-time`, each Dormand–Prince over the density matrix's blocks to
    /// τ_max, landing on every sample. The steps follow the generator's largest local rate,
    /// N(Γ + γ_nr + W + γ_φ)/2, not the couplings: 0.372·τ_max·rate + (τ points) steps of 6 applications at
    /// ~4N² flops a stored element. Calibrated on `spectrum` of magic-angle chains at a = 0.02 λ (τ_max =
    /// 20/Γ, 400 points, one core, CPU seconds measured / estimated): N = 7, 8, 10 at W = 7.85 Γ 1.3 / 1.3,
    /// 7.0 / 7.0, 163 / 162; N = 8 at W = 25 Γ 12.4 / 12.4; at W = 14.5 Γ, γ_φ = 24 Γ 15.4 / 16.6. At N = 12
    /// that is ~1 h a point at W = 7.85 Γ (the steady state itself: ~2 min).
    static func regressionFlops(_ outline: PointOutline, elements: Double) -> Double {
        let N = Double(outline.dipoles)
        let rate = N * (1 + outline.nonradiativeDecay + outline.pump + outline.dephasing) / 2
        return outline.observables.filter { [.twoTime, .spectrum, .frequency].contains($0.kind) }.reduce(0) { total, o in
            let per = (0.372 * o.tauMax * rate + Double(o.tauPoints)) * 6 * 4 * N * N * elements
            let count = o.kind == .twoTime ? Double(o.pairs.count) : (o.kind == .frequency && outline.kinds.contains(.spectrum) ? 0 : 1)
            return total + count * per
        }
    }

    /// Quantum-jump trajectories: the tables and per-thread vectors; per 1/Γ of trajectory about
    /// N(W + Γ + γ_nr + γ_φ)/2 jumps — emission and pump at about half the dipoles each, non-radiative decay
    /// γ_nr⟨n_a⟩ and dephasing γ_φ/2 per dipole (docs/physics.md §6.5) — each ~14 applications of H_eff to a
    /// sector of up to C(N, N/2) amplitudes with N²/4 hops each (calibrated: N = 16, W = 7 Γ runs ~3 /Γ of
    /// trajectory per second per core, benchmarks/exact.sh).
    public static func jumpTrajectoryEstimate(
        n: Int, pump: Double, trajectories: Int, time: Double, threads: Int, dephasing: Double = 0, nonradiativeDecay: Double = 0
    ) -> CostEstimate {
        let N = Double(n)
        let jumps = N * (pump + 1 + nonradiativeDecay + dephasing) / 2
        let perUnitTime = jumps * 14 * CostEstimate.binomial(n, n / 2) * N * N / 4
        return CostEstimate(
            memoryBytes: trajectoryMemoryEstimate(n: n, threads: threads),
            flops: Double(trajectories) * time * perUnitTime)
    }

    /// Quantum-state-diffusion trajectories of `qfi-conditional` (docs/physics.md §6.3.1): 2^N amplitudes
    /// and 10 work vectors per worker; a trajectory of time T takes T·(rate scale)/fraction steps
    /// (`diffusionRateScale`: the solver's step rate, with γ_nr and γ_φ) of ~5 passes of N·2^(N−1) complex
    /// multiply-adds, counted as 4.5·N·2^N flops (calibrated at N = 16, benchmarks/exact.sh: `weak-2` at the
    /// fraction 0.1 is estimated at 24.4 s per trajectory of 10/Γ, measured 24.7–26.6 s on one core with
    /// today's kernels, docs/physics.md §6.3.3), × `DiffusionScheme.relativeStepCost` for the
    /// scheme and × `diffusionChannelCost` for the dephasing channels. The work counts every trajectory
    /// (`CostEstimate.seconds` is CPU time); they run in parallel on the point's cores, each worker with its
    /// own work vectors (the memory counts them). Below N = 16 a step
    /// costs more per amplitude than this (`dipolesync-bench exact qsd N 6 3 T 0.05 2 1 milstein`, one
    /// thread, measured/estimated wall: 1.6 at N = 12, 1.8 at N = 10, 2.8 at N = 8, where a fixed ~3 µs
    /// a step dominates; the same with γ_φ = 2 Γ), still within the factor 3 `plan` promises.
    public static func diffusionEstimate(_ outline: PointOutline, trajectories: Int) -> CostEstimate {
        let n = outline.dipoles, N = Double(n)
        let amps = pow(2, N)
        let workers = max(1, min(outline.cores, trajectories))
        let own = 16 * amps * 10 * Double(workers) + 16 * amps * 3 + 1e6
        let s = outline.trajectories
        let time: Double
        switch outline.evolution {
        case .until(let t, _): time = t
        case .steadyState: time = (s.diffusionBurnIn ?? s.burnIn) + (s.diffusionAverage ?? s.average)
        }
        let steps = time * diffusionRateScale(outline) / s.diffusionStepFraction
        let stepFlops = 4.5 * N * amps * s.diffusionScheme.relativeStepCost * diffusionChannelCost(outline)
        return CostEstimate(memoryBytes: CostEstimate.bytes(own), flops: Double(trajectories) * steps * stepFlops)
    }

    /// The rate scale the diffusion step is taken from (`TrajectoryEngine.rateScale`, the same
    /// `TrajectoryEngine.dipoleRate` with the same γ_nr and γ_φ), as far as the outline knows the couplings:
    /// exactly for all-to-all couplings (K_ac = (g_eff − i f_eff)/(2N), f_aa = Γ); otherwise a row sum
    /// Σ_{c≠a} |K_ac| of ~2 (the couplings are not known here). Detunings are not counted.
    static func diffusionRateScale(_ outline: PointOutline) -> Double {
        let n = outline.dipoles, N = Double(n)
        let row: Double
        if let u = outline.allToAll {
            row = (N - 1) * Complex(0.5 * u.geff / N, -0.5 * u.feff / N).length
        } else {
            row = 2
        }
        let dipole = TrajectoryEngine.dipoleRate(
            couplingRow: row, n: n, detuning: 0, selfDecay: 1, pump: outline.pump,
            nonradiativeDecay: outline.nonradiativeDecay, dephasing: outline.dephasing)
        return max(max(1, outline.pump), dipole)
    }

    /// The cost of a diffusion step with the decoherence channels relative to one without them, beyond
    /// the shorter step that `diffusionRateScale` counts (`DiffusionStepper`: N more channels √(γ_φ/2) σᶻ_a
    /// with dephasing, N more √γ_nr σ⁻_a with non-radiative decay). Measured with `dipolesync-bench exact
    /// qsd 12 6 3 5 0.05 2 1 milstein γ_φ γ_nr` (one thread, wall-clock medians of 3, the machine shared,
    /// ±30 %): 0.75 s without; γ_φ = 2 Γ 0.99 s (×1.32, of which the rate ×1.10: channels ×1.20), γ_φ = 8 Γ
    /// 1.21 s (×1.62, rate ×1.39: ×1.16); at N = 10 (time 20) ×1.26 (rate ×1.11: ×1.13). γ_nr = 2 Γ: 0.77 s
    /// (×1.02, rate ×1.10: ×0.93; N = 10 ×0.98): its channels are not counted.
    static func diffusionChannelCost(_ outline: PointOutline) -> Double {
        outline.dephasing != 0 ? 1.2 : 1
    }
}
