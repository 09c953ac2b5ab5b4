import Physics
import Results

@testable import ExactBackend

/// The exact backend as a plan calls it: every request carries `settings` (the method and trajectory
/// schedule the planner would put in `SolveRequest.settings`).
struct PlannedExact {
    var settings: PointSettings

    init(method: PointMethod? = nil, trajectorySettings: TrajectorySettings = TrajectorySettings()) {
        settings = PointSettings(method: method, trajectories: trajectorySettings)
    }

    func planned(_ request: SolveRequest) -> SolveRequest {
        var r = request
        r.settings = settings
        return r
    }

    func solve(_ request: SolveRequest) throws -> PointResult { try ExactBackend().solve(planned(request)) }

    func solve(_ request: SolveRequest, initialGuess: BlockDensityMatrix?) throws -> (result: PointResult, state: BlockDensityMatrix?) {
        try ExactBackend().solve(planned(request), initialGuess: initialGuess)
    }

    func work(for request: SolveRequest) throws -> PointWork { try ExactBackend().work(for: planned(request)) }

    func solveBase(_ request: SolveRequest, work: PointWork) throws -> PointResult {
        try ExactBackend().solveBase(planned(request), work: work)
    }

    func trajectories(_ request: SolveRequest, kind: TrajectoryEnsembleKind, range: Range<Int>) throws -> [TrajectoryContribution] {
        try ExactBackend().trajectories(planned(request), kind: kind, range: range)
    }

    func reduce(
        _ request: SolveRequest, work: PointWork, base: PointResult,
        contributions: [TrajectoryEnsembleKind: [TrajectoryContribution]]
    ) throws -> PointResult {
        try ExactBackend().reduce(planned(request), work: work, base: base, contributions: contributions)
    }
}
