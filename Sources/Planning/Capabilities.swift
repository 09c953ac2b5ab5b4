import Physics

/// The four solvers, in the order the planner prefers them when each is valid.
public enum BackendKind: String, CaseIterable, Sendable, Codable {
    case permutationSymmetric = "permutation-symmetric"
    case exact
    case cumulant
    case meanField = "mean-field"

    /// The observables each backend delivers (SPEC.md names).
    public var observables: Set<ObservableKind> {
        switch self {
        case .meanField:
            return [.z, .frequency, .inversion, .zq, .phases, .correlations, .clusterZQ]
        case .cumulant:
            return [.zq, .inversion, .clusterZQ, .correlations, .mutualInformation, .discord, .twoTime, .spectrum, .frequency]
        case .permutationSymmetric:
            return [.zq, .inversion, .clusterZQ, .correlations, .qfi, .mutualInformation, .discord, .spectrum, .twoTime]
        case .exact:
            return [.zq, .inversion, .clusterZQ, .correlations, .qfi, .qfiConditional, .mutualInformation, .discord,
                    .twoTime, .spectrum]
        }
    }
}
