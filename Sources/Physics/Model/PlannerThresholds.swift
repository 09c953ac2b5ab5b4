import Foundation

/// Every number the planner decides by, in one place (README "How the planner chooses"). It lives
/// below the backends so that each backend's description (`DescribedBackend`, in Results) reads its
/// limits from here, and the backends' hard limits are checked against it (PlanningTests).
public struct PlannerThresholds: Sendable, Codable, Equatable {
    /// Couplings count as uniform when every off-diagonal f and g is within this relative distance of
    /// the mean (and detunings within it of each other, in Γ).
    public var uniformityTolerance = 1e-9
    /// Largest N for the exact density matrix (U(1) blocks hold C(2N, N) complex numbers: 2.7·10⁶ at N = 12).
    public var exactDensityMatrixMaxDipoles = 14
    /// Largest N for the exact density matrix of a coherent (not U(1)-invariant) initial state, which
    /// needs all 4^N entries (the exact backend's hard limit is `FullStateFallback.maximumDipoles`).
    /// Not written to plan.json (it predates the field).
    public var exactCoherentDensityMatrixMaxDipoles = 7
    /// Largest N for exact trajectories (quantum jumps in one excitation sector, or QSD on 2^N amplitudes).
    public var exactTrajectoryMaxDipoles = 20
    /// Largest N for the second-order cumulant equations with dense couplings (O(N²) memory, O(N³) work
    /// per evaluation); with the lattice representation only the memory and work estimates limit it.
    public var cumulantMaxDipoles = 5000
    /// Largest N for the permutation-symmetric steady state (O(N²) populations).
    public var permutationSymmetricMaxDipoles = 20000
    /// With `solver.couplings: auto` the mean-field equations hold the couplings matrix-free above this
    /// many dipoles — translation-invariant lattice couplings as FFT spectra, all-to-all ones as f_eff and
    /// g_eff (docs/physics.md §2.6, §4.1) — and as dense matrices up to it (so the bundles of smaller
    /// models compute the same bits as before either representation existed). Not written to plan.json.
    public var matrixFreeCouplingsMinDipoles = 2000
    /// The same for the cumulant backend: above this many dipoles its lattice path preconditions in the
    /// lattice's cosine basis with the collective correction (docs/physics.md §5.3.1), which the dense
    /// path's low-rank preconditioner lacks — measured at N = 900 (`benchmarks/cumulant.sh`, 2 threads):
    /// power-law chain α = 1.5 1.2 s against 2.8 s, 30 × 30 square 2.6 s against 5.1 s, chain α = 0.5
    /// 1.4 s against 5.8 s; the dipolar chain at the magic angle (elastic couplings, the same O(N³)
    /// preconditioner either way) 18.6 s against 20.5 s. Not written to plan.json.
    public var cumulantLatticeCouplingsMinDipoles = 400
    /// Memory budget per point when the spec gives none: this fraction of the machine's memory.
    public var memoryFraction = 0.5

    /// The memory budget to use when the spec gives none, in place of `memoryFraction` of this
    /// machine's memory: `rerun` sets the budget the bundle was planned with, and tests a fixed one,
    /// so that neither plans differently on a machine with other memory.
    public var memoryBudgetOverride: Int?

    /// Beyond this many dipoles the planner does not build a dense f (8 N² bytes: 7.2 GB here) to check the
    /// Lindblad form of a power law on positions that are not a lattice (docs/physics.md §2.6): the dense
    /// backends need twice that for f and g, past any default budget of the machines it runs on, and a
    /// plan must not take more memory than the run would. A 300 × 300 triangular lattice once made
    /// `plan` allocate 650 GB and trap.
    public static let denseRateCheckMaxDipoles = 30_000

    /// The rate matrix f counts as positive semidefinite when its smallest eigenvalue is at least
    /// −`rateMatrixTolerance` (in Γ; backends scale it by the size of f). docs/physics.md §2.5.
    public static let rateMatrixTolerance = 1e-9

    /// The fields plan.json holds. Mean field has no N limit: its memory estimate (16 N² bytes of dense
    /// couplings, O(N) of lattice ones) limits it, and plans that still hold `meanFieldMaxDipoles` read
    /// as before (unknown keys are ignored). `exactCoherentDensityMatrixMaxDipoles` is not one of them, so plans
    /// read and write as before; nor is `memoryBudgetOverride`: the budget a plan was made with is
    /// plan.json's `memoryBudget`, and the override `rerun` sets to repeat it is not a threshold that
    /// changed.
    enum CodingKeys: String, CodingKey {
        case uniformityTolerance, exactDensityMatrixMaxDipoles, exactTrajectoryMaxDipoles, cumulantMaxDipoles
        case permutationSymmetricMaxDipoles, memoryFraction
    }

    public init() {}

    public static let standard = PlannerThresholds()

    /// The default memory budget in bytes.
    public var defaultMemoryBudget: Int {
        memoryBudgetOverride ?? Int(Double(ProcessInfo.processInfo.physicalMemory) * memoryFraction)
    }
}
