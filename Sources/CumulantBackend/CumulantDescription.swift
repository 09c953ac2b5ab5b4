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
        BackendAssessment(refusal: refusal(for: outline, thresholds: thresholds), estimate: Self.estimate(outline))
    }

    /// Why the model is not one it represents: an initial state with coherences between excitation
    /// numbers, or N over `PlannerThresholds.cumulantMaxDipoles`.
    public func refusal(for outline: PointOutline, thresholds: PlannerThresholds) -> String? {
        if !outline.initial.isU1Invariant { return Self.initialStateRefusal }
        if outline.dipoles > thresholds.cumulantMaxDipoles {
            return "N = \(outline.dipoles) exceeds its limit of \(thresholds.cumulantMaxDipoles)"
        }
        return nil
    }

    /// Why a state with coherences between excitation numbers is refused (planner and `solve`).
    static let initialStateRefusal = "its U(1)-symmetric closure needs an initial state diagonal in excitation number"

    public func preferenceReason(_ outline: PointOutline) -> String {
        "N = \(outline.dipoles) is too large for exact methods and the couplings are not uniform"
    }

    /// The backend's own estimate (its state, GMRES basis, preconditioner, regression) plus the model.
    /// A steady state costs ~30 N³ flops (the preconditioner's eigen-decomposition and the Lyapunov
    /// products) plus N² work per Krylov and pseudo-transient step, far more of them when elastic
    /// couplings or detunings make the equations stiff (calibrated: a 200-dipole magic-angle chain at
    /// a = 0.02 λ with dephasing, 1.7 s a solve on one core; N = 900 in ~10 s; N = 4000 in ~9 min on 2 cores).
    /// Two-time fits and the spectrum are `observableFlops` (`regressionFlops`).
    public static func estimate(_ outline: PointOutline) -> CostEstimate {
        let n = outline.dipoles, N = Double(n)
        let kinds = outline.kinds
        let regression = kinds.contains(.twoTime) || kinds.contains(.spectrum) || kinds.contains(.frequency)
        let general = outline.elastic || !outline.equalDetunings
        let own =
            n > 1
            ? memoryEstimate(
                n: n, elastic: outline.elastic, general: general,
                restart: 20, regression: regression) : 1 << 20
        return CostEstimate(
            memoryBytes: CostEstimate.bytes(Double(own) + CostEstimate.modelBytes(n: n, matrices: true)),
            flops: 30 * N * N * N + (general ? 4e4 : 6e3) * N * N,
            observableFlops: regression ? regressionFlops(n: n, observables: outline.observables) : nil)
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
