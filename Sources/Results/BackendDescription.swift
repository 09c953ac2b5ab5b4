import Foundation
import Physics

/// What one point is expected to cost on a backend: bytes held at once and floating-point work, the
/// solve (a steady state, an evolution, trajectories) apart from reading the observables off it (a
/// spectrum, two-time fits), which `optimize` does once per point while it repeats the solve.
/// Calibrated on measured runs: `benchmarks/plan-estimates.sh` prints both.
public struct CostEstimate: Sendable, Codable, Equatable {
    public var memoryBytes: Int
    /// Work of the solve (for an optimized point: of every solve of its search).
    public var flops: Double
    /// Work of the observables read from the solved state (absent: negligible).
    public var observableFlops: Double?
    /// The part of one solve's `flops` that a search pays once, not at every solve (absent: none): the
    /// permutation-symmetric full chain, which one or two pump rates of a search fall back to.
    public var oneOffFlops: Double?
    /// All the point's work.
    public var totalFlops: Double { flops + (observableFlops ?? 0) }
    /// A rough time at 2·10⁹ flop/s, in CPU seconds: every backend counts all the work of the point (all its
    /// trajectories, all its solves), so a point that spreads over several cores (BLAS threads, trajectories
    /// in parallel) finishes sooner than this, never later (`benchmarks/plan_estimates.py` compares it with
    /// the run's CPU time).
    public var seconds: Double { totalFlops / 2e9 }

    public init(memoryBytes: Int, flops: Double, observableFlops: Double? = nil, oneOffFlops: Double? = nil) {
        self.memoryBytes = memoryBytes
        self.flops = flops
        self.observableFlops = observableFlops.flatMap { $0 > 0 ? $0 : nil }
        self.oneOffFlops = oneOffFlops.flatMap { $0 > 0 ? min($0, flops) : nil }
    }

    /// The estimate of a search of `solves` solves (`optimize`): every solve's work but the one-off part
    /// once.
    public func repeated(solves: Int) -> CostEstimate {
        var e = self
        let once = oneOffFlops ?? 0
        e.flops = (flops - once) * Double(solves) + once
        return e
    }

    public var summary: String {
        "memory ≈ \(ByteCount(memoryBytes)), work ≈ \(String(format: "%.1e", totalFlops)) flop (~\(Self.duration(seconds)))"
    }

    public static func duration(_ s: Double) -> String {
        if s < 1 { return "<1 s" }
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.0f min", s / 60) }
        return String(format: "%.1f h", s / 3600)
    }

    /// C(n, k) as a Double (exact up to 2⁵³).
    public static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0 && k <= n else { return 0 }
        var r = 1.0
        for i in 0..<min(k, n - k) { r = r * Double(n - i) / Double(i + 1) }
        return r.rounded()
    }

    /// A byte count from a Double, saturating instead of overflowing.
    public static func bytes(_ x: Double) -> Int { x.isFinite && x < Double(Int.max / 2) ? Int(max(0, x)) : Int.max / 2 }

    /// Bytes of the model a backend is handed: f and g as N×N doubles when it reads them.
    public static func modelBytes(n: Int, matrices: Bool) -> Double { matrices ? 16 * Double(n) * Double(n) : 0 }
}

/// What the planner knows of one point before any matrix is built, in the terms a backend describes
/// itself in: its size, observables, initial state and evolution, the shape of its model, the solver
/// options that bear on the choice, and the memory budget.
public struct PointOutline: Sendable {
    public var dipoles: Int
    public var observables: [ObservableRequest]
    public var initial: InitialState
    public var evolution: Evolution
    /// The pump rate W (Γ).
    public var pump: Double
    /// Every pair couples alike (by model, or numerically) and every detuning is equal.
    public var permutationSymmetric: Bool
    /// Every dipole has the same detuning.
    public var equalDetunings: Bool
    /// The spec's coupling and detuning models by name ("dipolar", "none"), for reasons.
    public var couplingsName: String
    public var detuningName: String
    /// The spec's all-to-all model (`couplings: uniform`), when it is one.
    public var allToAll: UniformCouplings?
    /// Whether elastic couplings g are present.
    public var elastic: Bool
    /// The detuning distribution the spec names (nil: explicit values).
    public var detuning: DetuningDistribution?
    /// `solver.backend`, when it forces one.
    public var forced: BackendKind?
    /// `solver.exact-method`.
    public var exactMethod: ExactMethodChoice
    /// The trajectory schedule (`solver.trajectories`, `qfi-conditional`'s length).
    public var trajectories: TrajectorySettings
    /// `solver.threads` (nil: every core) and the machine's cores.
    public var threads: Int?
    public var cores: Int
    /// Bytes a point may use.
    public var memoryBudget: Int
    /// The single-dipole decoherence terms of the model (docs/physics.md §1.5).
    public var decoherence: Set<LocalDecoherence> = []
    /// Their rates γ_φ and γ_nr (Γ), which set how many jumps a trajectory takes and how stiff the
    /// equations are (the cost estimates of the backends; 0 when absent).
    public var dephasing: Double = 0
    public var nonradiativeDecay: Double = 0
    /// `solver.couplings`: how the couplings must be held, or `auto`.
    public var couplingChoice: CouplingRepresentationChoice = .auto
    /// The lattice's extents (nx, ny, nz) when its couplings are translation-invariant and the lattice
    /// representation can hold them (docs/physics.md §2.6); nil otherwise.
    public var latticeExtents: [Int]?
    /// The couplings every pair shares when they are uniform (the spec's all-to-all model, or a power
    /// law with α = 0, or couplings found equal numerically; `ModelBuilder.uniformCouplings`); nil otherwise.
    public var uniformCouplings: UniformCouplings?

    public init(
        dipoles: Int, observables: [ObservableRequest], initial: InitialState, evolution: Evolution, pump: Double,
        permutationSymmetric: Bool, equalDetunings: Bool, couplingsName: String, detuningName: String,
        allToAll: UniformCouplings?, elastic: Bool, detuning: DetuningDistribution?, forced: BackendKind?,
        exactMethod: ExactMethodChoice, trajectories: TrajectorySettings, threads: Int?, cores: Int, memoryBudget: Int
    ) {
        self.dipoles = dipoles
        self.observables = observables
        self.initial = initial
        self.evolution = evolution
        self.pump = pump
        self.permutationSymmetric = permutationSymmetric
        self.equalDetunings = equalDetunings
        self.couplingsName = couplingsName
        self.detuningName = detuningName
        self.allToAll = allToAll
        self.elastic = elastic
        self.detuning = detuning
        self.forced = forced
        self.exactMethod = exactMethod
        self.trajectories = trajectories
        self.threads = threads
        self.cores = cores
        self.memoryBudget = memoryBudget
    }

    /// The observables asked, as a set.
    public var kinds: Set<ObservableKind> { Set(observables.map(\.kind)) }

    /// Whether the point integrates in time (`evolve: until`).
    public var timeEvolution: Bool { if case .until = evolution { return true }; return false }
}

/// A backend's answer for one point: why it cannot solve it (nil: it can, as far as the model goes)
/// and what it would cost.
public struct BackendAssessment: Sendable {
    public var refusal: String?
    public var estimate: CostEstimate
    public init(refusal: String?, estimate: CostEstimate) {
        self.refusal = refusal
        self.estimate = estimate
    }
}

/// A backend that describes itself to the planner: the one place that says what it computes, which
/// models it can represent (and why not), how it would solve a point and what that costs. The planner
/// asks every backend of the build (StandardBackends) and holds no list of its own; adding a backend is
/// docs/architecture.md "Adding a backend".
public protocol DescribedBackend: Backend {
    /// Its kind (the name used in specs, plans and results).
    var kind: BackendKind { get }
    /// The observables it computes (names of docs/spec-language.md §6).
    var observables: Set<ObservableKind> { get }
    /// Whether it reads the N×N matrices f and g with `method` (else only `DipoleModel.uniform`).
    func needsCouplingMatrices(method: PointMethod?) -> Bool
    /// How it holds the couplings of the point: `.lattice` when it uses the lattice representation
    /// (docs/physics.md §2.6), nil for its default (dense matrices, or the uniform numbers).
    func couplingRepresentation(for outline: PointOutline, method: PointMethod?, thresholds: PlannerThresholds) -> CouplingRepresentation?
    /// A symmetry of the point's state it stores only once with `couplings` (nil: none).
    func stateSymmetry(for outline: PointOutline, couplings: CouplingRepresentation?, thresholds: PlannerThresholds) -> StateSymmetry?
    /// The revision of the iterative solver it would compute the point with (nil: it has none). An
    /// iterative solver's results agree between revisions only to its tolerance, and `rerun` compares
    /// bit for bit, so the planner records the revision in plan.json (`solverRevision`), `rerun` holds
    /// the bundle's (`ArchivedSpec.pinStorage`) and the backend keeps every revision it has recorded.
    func solverRevision(for outline: PointOutline) -> Int?
    /// How it would solve the point and why, when it has several ways (nil: its only way, or none fits).
    func method(for outline: PointOutline, thresholds: PlannerThresholds) -> (method: PointMethod, reason: String)?
    /// Whether it can represent the point's model within its limits (the refusal, else nil) and its
    /// memory and work estimate. Observables it lacks and the memory budget are checked by the planner
    /// from `observables` and the estimate.
    func assess(_ outline: PointOutline, thresholds: PlannerThresholds) -> BackendAssessment
    /// Why the planner prefers it when it is the first valid backend.
    func preferenceReason(_ outline: PointOutline) -> String
    /// The single-dipole decoherence terms it represents (docs/physics.md §1.5); the planner refuses it
    /// for a model with any other, and so does `unsupportedDecoherence` in its `solve`.
    var decoherence: Set<LocalDecoherence> { get }
    /// The observables whose N²-row tables it holds as O(N) factors (`ResultTable.Storage.pairProducts`):
    /// the run's checkpoint keeps the factors, not the rows (`ArtifactEstimate.total`).
    var factoredTables: Set<ObservableKind> { get }
}

extension DescribedBackend {
    public var decoherence: Set<LocalDecoherence> { [] }
    public func stateSymmetry(for outline: PointOutline, couplings: CouplingRepresentation?, thresholds: PlannerThresholds) -> StateSymmetry? {
        nil
    }
    public func solverRevision(for outline: PointOutline) -> Int? { nil }
    public var factoredTables: Set<ObservableKind> { [] }

    /// Why this backend cannot take `model`'s decoherence terms (nil: it can): the planner's refusal and
    /// the guard of `solve`, in the same words.
    public func unsupportedDecoherence(_ terms: Set<LocalDecoherence>) -> String? {
        let missing = terms.subtracting(decoherence)
        guard !missing.isEmpty else { return nil }
        return "it does not model single-dipole " + missing.map(\.rawValue).sorted().joined(separator: " or ")
            + " (docs/physics.md §1.5)"
    }

    public func needsCouplingMatrices(method: PointMethod?) -> Bool { true }
    public func couplingRepresentation(for outline: PointOutline, method: PointMethod?, thresholds: PlannerThresholds) -> CouplingRepresentation? {
        nil
    }
    public func method(for outline: PointOutline, thresholds: PlannerThresholds) -> (method: PointMethod, reason: String)? { nil }
}

/// A backend whose point splits into a deterministic base and trajectory ensembles that can run
/// anywhere and be reduced later (sharded runs: `dipolesync run --shard`). Execution uses it
/// instead of knowing the exact backend.
public protocol TrajectorySplittingBackend: Backend {
    /// How `request`'s point splits (the same decision `solve` makes); throws what `solve` throws.
    func work(for request: SolveRequest) throws -> PointWork
    /// The deterministic part of the point (an empty result when there is none).
    func solveBase(_ request: SolveRequest, work: PointWork) throws -> PointResult
    /// Trajectories `range` of one ensemble, in index order.
    func trajectories(_ request: SolveRequest, kind: TrajectoryEnsembleKind, range: Range<Int>) throws -> [TrajectoryContribution]
    /// The point's result from its base and every ensemble's contributions (bit for bit what `solve` returns).
    func reduce(
        _ request: SolveRequest, work: PointWork, base: PointResult,
        contributions: [TrajectoryEnsembleKind: [TrajectoryContribution]]
    ) throws -> PointResult
}

/// The backends a run may call, by kind (the standard ones: `BackendRegistry.standard` in StandardBackends).
public struct BackendRegistry: Sendable {
    public var backends: [BackendKind: any Backend]

    public init(_ backends: [BackendKind: any Backend]) {
        self.backends = backends
    }

    /// The backend of `kind`, if this registry has one.
    public func backend(for kind: BackendKind) -> (any Backend)? { backends[kind] }
}
