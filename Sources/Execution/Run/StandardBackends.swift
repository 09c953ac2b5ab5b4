import CumulantBackend
import DickeBackend
import ExactBackend
import MeanFieldBackend
import Physics
import Planning
import SpecLanguage

extension BackendRegistry {
    /// The backends of this build, with the mean-field method the planner chose per point.
    public static var standard: BackendRegistry {
        BackendRegistry([
            .cumulant: CumulantBackend(),
            .meanField: MeanFieldBackend(),
            .permutationSymmetric: DickeBackend(),
            .exact: ExactBackend(),
        ], configure: { kind, plan, spec in
            if kind == .exact, let q = spec.observables.first(where: { $0.kind == .qfiConditional }) {
                // `until` is each trajectory's length: the first 40 % is burn-in, the rest is averaged.
                return ExactBackend(trajectorySettings: TrajectorySettings(burnIn: 0.4 * q.trajectoryTime,
                                                                           averaging: 0.6 * q.trajectoryTime))
            }
            guard kind == .meanField, let m = plan.method else { return nil }
            switch m {
            case "closed-form": return MeanFieldBackend(method: .closedForm(distribution(spec.system.detuning)))
            case "self-consistent": return MeanFieldBackend(method: .selfConsistent(distribution(spec.system.detuning)))
            default: return nil
            }
        })
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
