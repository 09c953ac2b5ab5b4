import Foundation

/// Every number the planner decides by, in one place (README "How the planner chooses").
public struct PlannerThresholds: Sendable, Codable, Equatable {
    /// Couplings count as uniform when every off-diagonal f and g is within this relative distance of
    /// the mean (and detunings within it of each other, in Γ).
    public var uniformityTolerance = 1e-9
    /// Largest N for the exact density matrix (U(1) blocks hold C(2N, N) complex numbers: 2.7·10⁶ at N = 12).
    public var exactDensityMatrixMaxDipoles = 14
    /// Largest N for exact trajectories (quantum jumps in one excitation sector, or QSD on 2^N amplitudes).
    public var exactTrajectoryMaxDipoles = 20
    /// Largest N for the second-order cumulant equations (O(N²) memory, O(N³) work per evaluation).
    public var cumulantMaxDipoles = 5000
    /// Largest N for the permutation-symmetric steady state (O(N²) populations).
    public var permutationSymmetricMaxDipoles = 20000
    /// Largest N for mean-field (dense N×N coupling matrices).
    public var meanFieldMaxDipoles = 30000
    /// Memory budget per point when the spec gives none: this fraction of the machine's memory.
    public var memoryFraction = 0.5

    /// The memory budget to use when the spec gives none, in place of `memoryFraction` of this
    /// machine's memory: `rerun` sets the budget the bundle was planned with, and tests a fixed one,
    /// so that neither plans differently on a machine with other memory.
    public var memoryBudgetOverride: Int?

    public init() {}

    public static let standard = PlannerThresholds()

    /// The default memory budget in bytes.
    public var defaultMemoryBudget: Int {
        memoryBudgetOverride ?? Int(Double(ProcessInfo.processInfo.physicalMemory) * memoryFraction)
    }
}
