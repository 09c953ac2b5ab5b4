import Foundation

/// The four solvers, in the order the planner prefers them when each is valid.
public enum BackendKind: String, CaseIterable, Sendable, Codable {
    case permutationSymmetric = "permutation-symmetric"
    case exact
    case cumulant
    case meanField = "mean-field"
}

/// How a backend solves one point when it has several ways: the mean-field closed forms, the
/// self-consistency equations or the dynamic equations (docs/physics.md §4); the exact density matrix
/// or quantum-jump trajectories (docs/physics.md §6). plan.json and results name them by `rawValue`.
public enum PointMethod: String, CaseIterable, Sendable, Codable {
    case closedForm = "closed-form"
    case selfConsistent = "self-consistent"
    case dynamic
    case densityMatrix = "density-matrix"
    case jumpTrajectories = "jump-trajectories"
}

/// How a model's couplings are held (docs/physics.md §2.6): `dense` N×N matrices f and g (any
/// positions), `uniform` (all-to-all: the two numbers f_eff, g_eff, `DipoleModel.uniform`), or `lattice`
/// (translation-invariant couplings on a chain, square or cubic lattice: the spectra of their circulant
/// embeddings, products by FFT, `LatticeCouplings`). plan.json and results name them by `rawValue`.
public enum CouplingRepresentation: String, CaseIterable, Sendable, Codable {
    case dense, uniform, lattice
}

/// `solver.couplings` (docs/spec-language.md §9): the representation the planner must use, or `auto`.
public enum CouplingRepresentationChoice: String, CaseIterable, Sendable, Codable {
    case auto, dense, uniform, lattice

    /// The representation this choice forces (nil for `auto`).
    public var forced: CouplingRepresentation? {
        switch self {
        case .auto: return nil
        case .dense: return .dense
        case .uniform: return .uniform
        case .lattice: return .lattice
        }
    }
}

/// `solver.exact-method` (docs/spec-language.md §9): how the exact backend holds the state, or `auto`.
public enum ExactMethodChoice: String, CaseIterable, Sendable, Codable {
    case auto
    case densityMatrix = "density-matrix"
    case jumpTrajectories = "jump-trajectories"
}

/// The quantum-jump trajectories of a point (`solver.trajectories`, times in 1/Γ) and the schedule of
/// `qfi-conditional`'s diffusion trajectories. Each trajectory starts in `initial`, runs `burnIn`
/// unrecorded, then averages its moments over `average` at samples `sampleInterval` apart. The
/// defaults of the spec language live in `ExperimentSchema` (solver.trajectories); those of `init` are for
/// backends called directly (a test checks that they agree).
public struct TrajectorySettings: Sendable, Equatable {
    /// Quantum-jump trajectories per point; nil: the largest `trajectories` of the observables.
    public var trajectories: Int?
    /// Time discarded before steady-state averages start.
    public var burnIn: Double
    /// Length of the steady-state time average.
    public var average: Double
    /// Spacing of the samples of the time average.
    public var sampleInterval: Double
    /// Burn-in and averaging of the diffusion (`qfi-conditional`) trajectories; nil: those of the jumps.
    public var diffusionBurnIn: Double?
    public var diffusionAverage: Double?
    /// Sample spacing of the diffusion trajectories' time average (independent of the jumps').
    public var diffusionSampleInterval: Double = 0.1
    /// Quantum-state-diffusion time step as a fraction of 1/(rate scale of H_eff).
    public var diffusionStepFraction: Double
    /// The diffusion trajectories' integration scheme (`milstein`, the scheme of the archived Fig. 2(c, d) bundles).
    public var diffusionScheme: DiffusionScheme = .milstein

    public init(
        trajectories: Int? = nil, burnIn: Double = 20, average: Double = 50, sampleInterval: Double = 0.1,
        diffusionBurnIn: Double? = nil, diffusionAverage: Double? = nil,
        diffusionStepFraction: Double = DiffusionScheme.milstein.stepFraction
    ) {
        self.trajectories = trajectories
        self.burnIn = burnIn
        self.average = average
        self.sampleInterval = sampleInterval
        self.diffusionBurnIn = diffusionBurnIn
        self.diffusionAverage = diffusionAverage
        self.diffusionStepFraction = diffusionStepFraction
    }
}

/// The integration scheme of the quantum-state-diffusion trajectories (docs/physics.md §6.3.1):
/// `milstein` freezes the channel means over a step and leaves out the Lévy areas (weak order 1, strong
/// order ½ when pump and emission channels are both on); `weak2` adds the pending half-step correction of
/// the means (a two-step drift), the commutator terms with Lévy-area surrogates of the right second
/// moments and the third-order term of the step's Taylor polynomial (weak order 2, docs/physics.md §6.3.3).
/// `solver.diffusion-scheme` (docs/spec-language.md §9) chooses one; results and plans name them by `rawValue`.
public enum DiffusionScheme: String, CaseIterable, Sendable, Codable {
    case milstein
    case weak2 = "weak-2"

    /// The step a spec runs the scheme at, as a fraction of 1/(rate scale of H_eff)
    /// (`TrajectorySettings.diffusionStepFraction`): `milstein` 0.05 (docs/physics.md §6.3.1, the archived
    /// bundles); `weak2` twice that, 0.1, where its step error of the time-averaged F̄_Q is below 10⁻³ at
    /// N = 6 and 0.0011 ± 0.0027 at N = 16 (48 coupled paths), at 0.8× `milstein`'s cost (docs/physics.md §6.3.3).
    public var stepFraction: Double {
        switch self {
        case .milstein: return 0.05
        case .weak2: return 0.1
        }
    }
}

/// The settings of one point that are not part of its model, made by the planner (Planning's
/// `PointSettings(spec:plan:)`) and carried to the backend by `SolveRequest`: the method it chose and
/// the trajectory schedule.
public struct PointSettings: Sendable, Equatable {
    /// The planner's method for the point (nil: the backend's only or default way).
    public var method: PointMethod?
    public var trajectories: TrajectorySettings
    /// How the couplings are held (nil: as the backend's default, dense or uniform).
    public var couplings: CouplingRepresentation?
    /// A symmetry of the state the backend stores only once (nil: none).
    public var symmetry: StateSymmetry?
    /// The revision of the backend's iterative solver that computes the point (nil: its first, the one
    /// of plans written before revisions were recorded); see `DescribedBackend.solverRevision`.
    public var solverRevision: Int?

    public init(
        method: PointMethod? = nil, trajectories: TrajectorySettings = TrajectorySettings(),
        couplings: CouplingRepresentation? = nil, symmetry: StateSymmetry? = nil, solverRevision: Int? = nil
    ) {
        self.method = method
        self.trajectories = trajectories
        self.couplings = couplings
        self.symmetry = symmetry
        self.solverRevision = solverRevision
    }
}

/// A symmetry of a point's state that a backend uses to store and compute less, as plan.json's
/// `symmetry` records it (docs/spec-language.md §11). The results agree with those of the full state
/// only to the solver's tolerance, so `rerun` holds the bundle's choice (`ArchivedSpec.pinStorage`).
public enum StateSymmetry: String, Sendable, Codable, CaseIterable {
    /// The lattice's point reflection a ↦ N − 1 − a (cumulant steady states with lattice couplings and
    /// equal detunings: one member of each orbit of the pair correlations, docs/physics.md §5.3.2).
    case reflection
}

/// `optimize.maximize`: a result of one number per point (docs/spec-language.md §8); the result key
/// is `rawValue` ("ZQ2" is Z_Q², from the `ZQ` observable).
public enum OptimizeTarget: String, CaseIterable, Sendable, Codable {
    case zq = "ZQ"
    case zq2 = "ZQ2"
    case inversion
    case z = "Z"
    case frequency
    case qfi
    case qfiConditional = "qfi-conditional"
    case mutualInformation = "mutual-information"
    case discord

    /// The observable that must be asked for this value to exist.
    public var observable: ObservableKind {
        switch self {
        case .zq, .zq2: return .zq
        case .inversion: return .inversion
        case .z: return .z
        case .frequency: return .frequency
        case .qfi: return .qfi
        case .qfiConditional: return .qfiConditional
        case .mutualInformation: return .mutualInformation
        case .discord: return .discord
        }
    }
}
