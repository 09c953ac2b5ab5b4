import CumulantBackend
import DickeBackend
import ExactBackend
import MeanFieldBackend
import Physics
import Results

/// The backends of this build: the one list that names all four (docs/architecture.md "Adding a
/// backend"). The planner asks each for its description; the executor looks them up by kind.
public enum StandardBackends {
    /// Every backend of the build, each describing itself (`DescribedBackend`).
    public static let all: [any DescribedBackend] = [DickeBackend(), ExactBackend(), CumulantBackend(), MeanFieldBackend()]
}

extension BackendRegistry {
    /// The backends of this build, by kind. A point's method and settings travel in its `SolveRequest`.
    public static var standard: BackendRegistry {
        var backends: [BackendKind: any Backend] = [:]
        for b in StandardBackends.all { backends[b.kind] = b }
        return BackendRegistry(backends)
    }
}
