import Physics

/// The four solvers, in the order the planner prefers them when each is valid.
public enum BackendKind: String, CaseIterable, Sendable, Codable {
    case permutationSymmetric = "permutation-symmetric"
    case exact
    case cumulant
    case meanField = "mean-field"

    /// The observables each backend delivers (names of docs/spec-language.md §6).
    public var observables: Set<ObservableKind> {
        switch self {
        case .meanField:
            return [.z, .frequency, .inversion, .zq, .phases, .correlations, .clusterZQ]
        case .cumulant:
            return [.zq, .inversion, .clusterZQ, .correlations, .mutualInformation, .discord, .twoTime, .spectrum, .frequency]
        case .permutationSymmetric:
            // Pair functions Z_ab(τ) need states symmetric under N−1 dipoles only: not available here;
            // the collective ⟨J⁺(τ)J⁻⟩ comes with `spectrum`.
            return [.zq, .inversion, .clusterZQ, .correlations, .qfi, .mutualInformation, .discord, .spectrum]
        case .exact:
            return [.zq, .inversion, .clusterZQ, .correlations, .qfi, .qfiConditional, .mutualInformation, .discord,
                    .twoTime, .spectrum, .frequency]
        }
    }

    /// Whether the backend reads the N×N matrices f and g (the others read `DipoleModel.uniform`).
    public func needsCouplingMatrices(method: String?) -> Bool {
        switch self {
        case .permutationSymmetric: return false
        case .meanField: return method == nil || method == "dynamic"
        case .exact, .cumulant: return true
        }
    }
}
