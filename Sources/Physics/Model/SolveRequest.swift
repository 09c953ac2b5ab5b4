import Foundation

/// What the executor asks a backend to do for one point of a plan.
public struct SolveRequest: Sendable {
    /// The master equation of this point.
    public var model: DipoleModel
    /// The lattice the positions came from (cluster indices, central dipole); `.allToAll(N)` otherwise.
    public var lattice: Lattice
    public var observables: [ObservableRequest]
    public var initial: InitialState
    public var evolution: Evolution
    /// The spec's `solver.seed`; every random draw of the point derives from (seed, pointIndex[, trajectory]).
    public var seed: UInt64
    public var pointIndex: Int
    /// `solver.tolerance`: relative tolerance of integrators and residual target of steady-state solvers.
    public var tolerance: Double
    /// Worker threads a backend may use (results must not depend on it).
    public var threads: Int
    /// Bytes the backend may allocate; a backend that would need more throws `BackendError.memory` (Results).
    public var memoryBudget: Int
    /// The planner's method and the trajectory schedule of this point.
    public var settings: PointSettings
    /// Where a backend reports how a long solve of this point is getting on (nil: nowhere). Notes
    /// only: nothing reported here enters the result.
    public var progress: SolverProgress?

    public init(
        model: DipoleModel, lattice: Lattice? = nil, observables: [ObservableRequest],
        initial: InitialState = .ground, evolution: Evolution = .steadyState, seed: UInt64 = 0,
        pointIndex: Int = 0, tolerance: Double = 1e-10, threads: Int = 1,
        memoryBudget: Int = 8 << 30, settings: PointSettings = PointSettings()
    ) {
        self.model = model
        self.lattice = lattice ?? .allToAll(model.count)
        self.observables = observables
        self.initial = initial
        self.evolution = evolution
        self.seed = seed
        self.pointIndex = pointIndex
        self.tolerance = tolerance
        self.threads = threads
        self.memoryBudget = memoryBudget
        self.settings = settings
    }

    /// The request for `kind`, if the point asks for it.
    public func request(_ kind: ObservableKind) -> ObservableRequest? {
        observables.first { $0.kind == kind }
    }
}

/// A backend's reports from within one point: each `note` is one line, such as the cumulant
/// backend's "cumulant steady state: step 7, residual 3.1e-05 Γ (target 2.2e-09 Γ), …" after every
/// pseudo-transient step (a steady state of 10⁴ dipoles takes minutes to half an hour). The receiver
/// decides what to print (`ProgressReporter` throttles them).
public struct SolverProgress: Sendable {
    public let note: @Sendable (String) -> Void

    public init(_ note: @escaping @Sendable (String) -> Void) { self.note = note }
}

/// The observables of docs/spec-language.md §6 (names fixed by the contract, §14).
public enum ObservableKind: String, CaseIterable, Sendable, Codable {
    case zq = "ZQ"
    case inversion
    case z = "Z"
    case frequency
    case clusterZQ = "cluster-ZQ"
    case correlations
    case twoTime = "two-time"
    case spectrum
    case qfi
    case qfiConditional = "qfi-conditional"
    case mutualInformation = "mutual-information"
    case discord
    case phases
}

/// One requested observable with its options.
public struct ObservableRequest: Sendable, Equatable {
    public var kind: ObservableKind
    /// `cluster-ZQ`: the cluster sizes d.
    public var clusterSizes: [Int]
    /// `two-time`, `mutual-information`, `discord`: the dipole pairs (default [(0, 1)]).
    public var pairs: [DipolePair]
    /// `two-time`, `spectrum`: the largest delay τ (in 1/Γ) and the number of samples.
    public var tauMax: Double
    public var tauPoints: Int
    /// `qfi-conditional` and trajectory methods: how many trajectories.
    public var trajectories: Int
    /// `qfi-conditional`: the length of each trajectory (in 1/Γ).
    public var trajectoryTime: Double = 50

    /// The defaults are those of a backend called directly; a spec's come from `ExperimentSchema` (a test
    /// checks that they agree).
    public init(
        kind: ObservableKind, clusterSizes: [Int] = [], pairs: [DipolePair] = [DipolePair(0, 1)],
        tauMax: Double = 20, tauPoints: Int = 400, trajectories: Int = 200
    ) {
        self.kind = kind
        self.clusterSizes = clusterSizes
        self.pairs = pairs
        self.tauMax = tauMax
        self.tauPoints = tauPoints
        self.trajectories = trajectories
    }
}

public struct DipolePair: Sendable, Equatable, Hashable, Codable {
    public var a: Int
    public var b: Int
    public init(_ a: Int, _ b: Int) { self.a = a; self.b = b }
}

/// The initial state of docs/spec-language.md §5 (`initial`).
public enum InitialState: Sendable, Equatable {
    /// All dipoles in |↓⟩.
    case ground
    /// All dipoles in |↑⟩.
    case excited
    /// Every dipole in the pure state cos(θ/2)|↑⟩ + e^{iφ} sin(θ/2)|↓⟩ with polar angle θ (from |↑⟩);
    /// `azimuth == nil` draws φ per dipole from the seed.
    case product(polar: Double, azimuth: Double?)

    /// Whether the state is invariant under the U(1) rotation (diagonal in excitation number).
    public var isU1Invariant: Bool {
        switch self {
        case .ground, .excited: return true
        case .product(let polar, _): return abs(sin(polar)) < 1e-15
        }
    }
}

/// docs/spec-language.md §5 (`evolve`).
public enum Evolution: Sendable, Equatable {
    case steadyState
    /// Integrate to `time` (in 1/Γ) and record `samples` equally spaced snapshots.
    case until(time: Double, samples: Int)
}
