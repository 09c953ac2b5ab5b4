import CumulantBackend
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
        ], configure: { kind, plan, spec in
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
