import Foundation
import Physics
import Results
import SpecLanguage

/// The stages of the plan graph, in pipeline order.
public enum Stage: String, Sendable, Codable, CaseIterable {
    case geometry, couplings, model, solve, observables, artifacts
}

/// One node of the plan graph. Nodes that do not depend on swept values are shared by every point.
public struct PlanNode: Sendable, Codable, Equatable {
    public var id: String
    public var stage: Stage
    public var label: String
    public var inputs: [String]
    /// The sweep points that use this node.
    public var points: [Int]
}

/// The backend chosen for one point, why, and what ruled out the others.
public struct PointPlan: Sendable, Codable, Equatable {
    public var index: Int
    public var parameters: [String: Double]
    /// Parameter paths in axis order (JSON objects do not keep order).
    public var parameterOrder: [String]
    public var backend: BackendKind
    /// How the backend solves this point when it has several ways (the mean-field and exact methods,
    /// written as "closed-form", "density-matrix", …); nil otherwise. It reaches the backend in
    /// `SolveRequest.settings`.
    public var method: PointMethod?
    /// How the backend holds the couplings when not as dense matrices or uniform numbers: `lattice`
    /// (docs/physics.md §2.6); nil otherwise (so plans of other points read as before).
    public var couplings: CouplingRepresentation?
    /// A symmetry of the state the backend stores only once (`reflection`); nil otherwise (and in plans
    /// written before it existed, whose points rerun without it).
    public var symmetry: StateSymmetry? = nil
    /// The revision of the backend's iterative solver (`DescribedBackend.solverRevision`); nil where it
    /// has none (and in plans written before revisions were recorded: revision 1).
    public var solverRevision: Int? = nil
    public var reason: String
    public var ruledOut: [String: String]
    public var estimate: CostEstimate
    public var dipoles: Int
    /// The id of this point's solve node.
    public var solveNode: String
}

/// What `dipolesync plan` prints and `dipolesync run` executes.
public struct ExecutionPlan: Sendable, Codable, Equatable {
    public var dipolesync = 1
    public var name: String
    public var nodes: [PlanNode]
    public var points: [PointPlan]
    public var thresholds: PlannerThresholds
    public var memoryBudget: Int
    /// The optimize loop, if any: "maximize ZQ over system.pump.rate in [a, b]".
    public var optimize: String?

    /// Backends in use, with the number of points each.
    public var backendCounts: [(BackendKind, Int)] {
        BackendKind.allCases.compactMap { b in
            let n = points.filter { $0.backend == b }.count
            return n > 0 ? (b, n) : nil
        }
    }

    public static func == (l: ExecutionPlan, r: ExecutionPlan) -> Bool {
        l.name == r.name && l.nodes == r.nodes && l.points == r.points && l.thresholds == r.thresholds
            && l.memoryBudget == r.memoryBudget && l.optimize == r.optimize
    }
}
