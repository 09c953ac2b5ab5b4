import Physics
import Results
import SpecLanguage

extension PointOutline {
    /// What the backends are told of a point of `spec` when the planner assesses it: `budget` is its
    /// memory budget, `cores` the machine's.
    init(_ spec: ExperimentSpec, thresholds: PlannerThresholds, budget: Int, cores: Int) {
        let sys = spec.system
        let elastic: Bool = {
            switch sys.couplings {
            case .dipolar(let e): return e
            case .uniform(_, let g): return g != 0
            case .powerLaw: return false
            }
        }()
        let allToAll: UniformCouplings? = if case .uniform(let f, let g) = sys.couplings { UniformCouplings(feff: f, geff: g) } else { nil }
        let uniform = ModelBuilder.uniformCouplings(sys, tolerance: thresholds.uniformityTolerance)
        self.init(
            dipoles: sys.count, observables: spec.observables, initial: spec.initial, evolution: spec.evolution,
            pump: sys.pump,
            permutationSymmetric: sys.detuning.isUniform && uniform != nil,
            equalDetunings: sys.detuning.isUniform, couplingsName: sys.couplings.name, detuningName: sys.detuning.name,
            allToAll: allToAll, elastic: elastic, detuning: sys.detuning.distribution, forced: spec.solver.backend,
            exactMethod: spec.solver.exactMethod, trajectories: PointSettings.trajectories(of: spec),
            threads: spec.solver.threads, cores: cores, memoryBudget: budget)
        decoherence = sys.decoherence
        dephasing = sys.dephasing
        nonradiativeDecay = sys.nonradiativeDecay
        couplingChoice = spec.solver.couplings
        latticeExtents = ModelBuilder.latticeExtents(sys)
        uniformCouplings = uniform
    }
}

extension PointSettings {
    /// The settings of `plan`'s point of `spec`, made by the planner's choice: its method, the spec's
    /// `solver.trajectories`, and for the diffusion ensemble `qfi-conditional`'s `until` (the first
    /// 40 % burn-in, the rest averaged) and `solver.diffusion-scheme` at its step.
    public init(spec: ExperimentSpec, plan: PointPlan) {
        self.init(
            method: plan.method, trajectories: Self.trajectories(of: spec), couplings: plan.couplings, symmetry: plan.symmetry,
            solverRevision: plan.solverRevision)
    }

    static func trajectories(of spec: ExperimentSpec) -> TrajectorySettings {
        var t = spec.solver.trajectories
        t.diffusionScheme = spec.solver.diffusionScheme
        t.diffusionStepFraction = spec.solver.diffusionScheme.stepFraction
        if let q = spec.observables.first(where: { $0.kind == .qfiConditional }) {
            t.diffusionBurnIn = 0.4 * q.trajectoryTime
            t.diffusionAverage = 0.6 * q.trajectoryTime
        }
        return t
    }
}
