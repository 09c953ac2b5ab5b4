import CumulantBackend
import DickeBackend
import ExactBackend
import MeanFieldBackend
import Physics
import Planning
import SpecLanguage

extension BackendRegistry {
    /// The backends of this build, with the mean-field and exact methods the planner chose per point
    /// and the spec's trajectory settings.
    public static var standard: BackendRegistry {
        BackendRegistry([
            .cumulant: CumulantBackend(),
            .meanField: MeanFieldBackend(),
            .permutationSymmetric: DickeBackend(),
            .exact: ExactBackend(),
        ], configure: { kind, plan, spec in
            if kind == .exact { return exact(plan, spec) }
            guard kind == .meanField, let m = plan.method else { return nil }
            switch m {
            case "closed-form": return MeanFieldBackend(method: .closedForm(distribution(spec.system.detuning)))
            case "self-consistent": return MeanFieldBackend(method: .selfConsistent(distribution(spec.system.detuning)))
            default: return nil
            }
        })
    }

    /// The exact backend of a point: the planner's method, `solver.trajectories` for the jump ensemble,
    /// and `qfi-conditional`'s `until` for the diffusion ensemble (the first 40 % burn-in, the rest averaged).
    static func exact(_ plan: PointPlan, _ spec: ExperimentSpec) -> ExactBackend {
        let j = spec.solver.trajectories ?? .defaults
        var settings = TrajectorySettings(burnIn: j.burnIn, averaging: j.average, sampleInterval: j.sampleInterval,
                                          jumpCount: j.count)
        if let q = spec.observables.first(where: { $0.kind == .qfiConditional }) {
            settings.diffusionBurnIn = 0.4 * q.trajectoryTime
            settings.diffusionAveraging = 0.6 * q.trajectoryTime
        }
        let method = plan.method.flatMap(ExactBackend.Method.init(rawValue:)) ?? .automatic
        return ExactBackend(method: method, trajectorySettings: settings)
    }

    static func distribution(_ d: DetuningModel) -> DetuningDistribution {
        switch d {
        case .none, .values: return .none
        case .uniform(let w): return .uniform(width: w)
        case .lorentzian(let h): return .lorentzian(hwhm: h)
        case .gaussian(let s): return .gaussian(sigma: s)
        }
    }
}
