import Foundation
import NumericalMethods
import Physics

/// A spec after type checking, in canonical units (rates in Γ, lengths in λ, times in 1/Γ, angles in rad).
public struct ExperimentSpec: Sendable {
    public var name: String
    public var description: String
    public var species: Species?
    public var system: SystemSpec
    public var initial: InitialState
    public var evolution: Evolution
    public var observables: [ObservableRequest]
    public var solver: SolverSpec
    public var optimize: OptimizeSpec?
    public var sweep: SweepSpec?
    /// The `figures:` section: presentation only, not in the resolved spec nor the bundle ID.
    public var figures: [FigureSpec] = []
}

/// The physical system of one point.
public struct SystemSpec: Sendable, Equatable {
    public var lattice: Lattice
    /// Lattice spacing a in λ (1 for all-to-all, where it is unused).
    public var spacing: Double
    public var couplings: CouplingModel
    /// Unit vector of the dipole orientation.
    public var polarization: SIMD3<Double>

    /// The orientation of `polarization: {angle: θ}`: θ from the x axis (the chain) in the xz plane.
    public static func polarization(angle t: Double) -> SIMD3<Double> { SIMD3(cos(t), 0, sin(t)) }
    public var detuning: DetuningModel
    /// Pump rate W in Γ.
    public var pump: Double
    /// How W was derived ("W = Ω²/γ = …"), when a scheme was given.
    public var pumpDerivation: String?
    /// Local pure dephasing rate γ_φ in Γ (`system.dephasing`; docs/physics.md §1.5).
    public var dephasing: Double = 0
    /// Local non-radiative decay rate γ_nr in Γ (`system.nonradiative-decay`; docs/physics.md §1.5).
    public var nonradiativeDecay: Double = 0

    /// The decoherence terms with a nonzero rate.
    public var decoherence: Set<LocalDecoherence> { LocalDecoherence.terms(dephasing: dephasing, nonradiativeDecay: nonradiativeDecay) }

    public var count: Int { lattice.count }
}

public enum CouplingModel: Sendable, Equatable {
    case dipolar(elastic: Bool)
    /// f_ab = strength·(a/r)^α, g = 0.
    case powerLaw(alpha: Double, strength: Double)
    /// All-to-all: f_ab = feff/N, g_ab = geff/N.
    case uniform(feff: Double, geff: Double)

    public var name: String {
        switch self {
        case .dipolar: return "dipolar"
        case .powerLaw: return "power-law"
        case .uniform: return "uniform"
        }
    }
}

/// Detuning disorder. Random draws come from `SeededRandom(seed, stream: [detuningStream])`, the same
/// realization at every sweep point with the same N (a pump scan sees one sample).
public enum DetuningModel: Sendable, Equatable {
    case none
    /// δ uniform in [−width/2, width/2].
    case uniform(width: Double)
    /// Cauchy with half width `hwhm`.
    case lorentzian(hwhm: Double)
    case gaussian(sigma: Double)
    case values([Double])

    public static let stream: UInt64 = 0x6465_7475_6e65   // "detune"

    /// The detunings of N dipoles.
    public func draw(count n: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed, stream: [Self.stream, UInt64(n)])
        switch self {
        case .none: return Array(repeating: 0, count: n)
        case .values(let v): return v
        case .uniform(let w): return (0..<n).map { _ in (rng.uniform() - 0.5) * w }
        case .lorentzian(let h):
            return (0..<n).map { _ in
                var u = rng.uniform()
                while u == 0 { u = rng.uniform() }
                return h * tan(Double.pi * (u - 0.5))
            }
        case .gaussian(let s): return (0..<n).map { _ in s * rng.normal() }
        }
    }

    /// The distribution the detunings are drawn from (nil: explicit values).
    public var distribution: DetuningDistribution? {
        switch self {
        case .none: return DetuningDistribution.none
        case .uniform(let w): return .uniform(width: w)
        case .lorentzian(let h): return .lorentzian(hwhm: h)
        case .gaussian(let s): return .gaussian(sigma: s)
        case .values: return nil
        }
    }

    /// Whether every dipole has the same detuning (no randomness).
    public var isUniform: Bool {
        switch self {
        case .none: return true
        case .uniform(let w): return w == 0
        case .lorentzian(let h): return h == 0
        case .gaussian(let s): return s == 0
        case .values(let v): return v.allSatisfy { $0 == v.first }
        }
    }

    public var name: String {
        switch self {
        case .none: return "none"
        case .uniform: return "uniform"
        case .lorentzian: return "lorentzian"
        case .gaussian: return "gaussian"
        case .values: return "values"
        }
    }
}

public struct SolverSpec: Sendable, Equatable {
    /// `solver.backend`: the backend it forces (nil: `auto`, the planner chooses).
    public var backend: BackendKind?
    public var seed: UInt64
    public var tolerance: Double
    /// nil: as many as the machine has.
    public var threads: Int?
    /// nil: the default budget (half of the machine's memory).
    public var memoryBudget: Int?
    /// Where `backend` was written, for diagnostics about a forced backend.
    public var backendLocation: SourceLocation?
    /// How the exact backend holds the state: `density-matrix`, `jump-trajectories`, or `auto` (the
    /// density matrix when it fits; else jump trajectories if `backend` forces the exact backend).
    public var exactMethod: ExactMethodChoice = .auto
    /// How the mean-field backend holds the couplings (`solver.couplings`): `dense`, `lattice` (FFT
    /// products, docs/physics.md §2.6), or `auto`.
    public var couplings: CouplingRepresentationChoice = .auto
    /// `solver.diffusion-scheme`: the integration scheme of `qfi-conditional`'s quantum-state-diffusion
    /// trajectories, each at its own step (`DiffusionScheme.stepFraction`, docs/physics.md §6.3.3).
    public var diffusionScheme: DiffusionScheme = .milstein
    /// `solver.trajectories`: the exact backend's quantum-jump ensemble (the schema's defaults when
    /// the spec gives none).
    public var trajectories: TrajectorySettings
    /// Whether the spec gives `solver.trajectories` (the resolved spec echoes it only then).
    public var trajectoriesGiven = false

    public init(
        backend: BackendKind?, seed: UInt64, tolerance: Double, threads: Int?, memoryBudget: Int?,
        backendLocation: SourceLocation?, trajectories: TrajectorySettings
    ) {
        self.backend = backend
        self.seed = seed
        self.tolerance = tolerance
        self.threads = threads
        self.memoryBudget = memoryBudget
        self.backendLocation = backendLocation
        self.trajectories = trajectories
    }
}

public struct OptimizeSpec: Sendable, Equatable {
    /// The result maximized (its key is `maximize.rawValue`).
    public var maximize: OptimizeTarget
    public var over: String
    public var low: Double
    public var high: Double
    public var tolerance: Double
    /// How the search's coarse scan spaces its samples over [low, high] (docs/spec-language.md §8).
    public var scan: OptimizeScan = .linear
    public var location: SourceLocation
}

/// The spacing of `optimize`'s coarse scan: equal steps, or equal ratios (a bracket over decades).
public enum OptimizeScan: String, Sendable, Equatable, CaseIterable {
    case linear, log
}

public struct SweepSpec: Sendable, Equatable {
    public enum Mode: String, Sendable { case grid, zip }
    public var mode: Mode
    public var axes: [SweepAxis]

    /// Number of points, or nil when a grid's product of axis lengths does not fit in an `Int`.
    public var checkedCount: Int? {
        switch mode {
        case .grid:
            var n = 1
            for a in axes {
                let (p, overflow) = n.multipliedReportingOverflow(by: a.values.count)
                if overflow { return nil }
                n = p
            }
            return n
        case .zip: return axes.first?.values.count ?? 1
        }
    }

    /// Number of points (`Int.max` when the product overflows; the compiler refuses such sweeps).
    public var count: Int { checkedCount ?? Int.max }

    /// The value index on each axis of point `k` (grid: the first axis varies slowest).
    public func indices(of k: Int) -> [Int] {
        switch mode {
        case .zip: return axes.map { _ in k }
        case .grid:
            var rest = k
            var out = [Int](repeating: 0, count: axes.count)
            for i in stride(from: axes.count - 1, through: 0, by: -1) {
                let n = axes[i].values.count
                out[i] = rest % n
                rest /= n
            }
            return out
        }
    }
}

public struct SweepAxis: Sendable, Equatable {
    /// The dotted path, e.g. "system.pump.rate".
    public var path: String
    /// Values in canonical units.
    public var values: [Double]
    /// The family of the swept quantity (dimensionless for counts and exponents).
    public var family: UnitFamily
    public var isInteger: Bool
    public var location: SourceLocation
}
