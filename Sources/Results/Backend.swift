import Physics

/// One solver. The executor calls `solve` once per point; implementations are stateless values.
public protocol Backend: Sendable {
    /// The name used in specs and results ("mean-field", "cumulant", "permutation-symmetric", "exact").
    static var name: String { get }
    func solve(_ request: SolveRequest) throws -> PointResult
}

/// A backend whose iterative solve can start from the state of a nearby, already solved problem of
/// the same size. The executor chains the evaluations of one `optimize` search (always in the same
/// order, so results stay independent of the thread count). The state is opaque to the caller; a
/// state that does not fit the request is ignored.
public protocol WarmStartBackend: Backend {
    func solve(_ request: SolveRequest, warmStart: (any Sendable)?) throws -> (result: PointResult, state: (any Sendable)?)
}
