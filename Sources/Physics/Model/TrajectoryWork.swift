import Foundation

/// The trajectory ensembles a point of the exact backend averages over.
public enum TrajectoryEnsembleKind: String, Sendable, CaseIterable, Codable {
    /// Quantum-jump trajectories (the `jump-trajectories` method), streams [point, j].
    case jumps = "jump"
    /// Quantum-state-diffusion trajectories of `qfi-conditional`, streams [point, j, 0x0D1F].
    case diffusion = "qfi-conditional"
}

public struct TrajectoryEnsemble: Sendable, Equatable {
    public var kind: TrajectoryEnsembleKind
    /// Trajectories j = 0 ..< count.
    public var count: Int

    public init(kind: TrajectoryEnsembleKind, count: Int) {
        self.kind = kind
        self.count = count
    }
}

/// How a point of the exact backend splits into independent pieces of work: a deterministic base
/// (the density-matrix solve, or nothing when jump trajectories replace it) and trajectory ensembles
/// whose members can be computed anywhere, in any grouping, and reduced later.
public struct PointWork: Sendable, Equatable {
    /// The base solves the density matrix (else the moment observables come from jump trajectories).
    public var density: Bool
    /// In reduction order: jumps (when `density` is false), then diffusion (with `qfi-conditional`).
    public var ensembles: [TrajectoryEnsemble]

    public init(density: Bool, ensembles: [TrajectoryEnsemble]) {
        self.density = density
        self.ensembles = ensembles
    }

    public func count(_ kind: TrajectoryEnsembleKind) -> Int? { ensembles.first { $0.kind == kind }?.count }
}

/// What one trajectory contributes to its point's averages, losslessly:
/// time-averaged (steady state) or final (`evolve: until`) moments C_ab (`c`, interleaved real and
/// imaginary parts at 2(a·N + b)) and D_ab = ⟨σᶻ_a σᶻ_b⟩ (`d`, empty unless mutual information or
/// discord are asked for), the per-sample series (Z_Q², inversion[, QFI]), the time-averaged
/// conditional QFI (diffusion only) and the number of jumps.
public struct TrajectoryContribution: Sendable {
    public var index: Int
    public var c: [Double]
    public var d: [Double]
    public var series: [[Double]]
    public var qfi: Double
    public var jumps: Int

    public init(index: Int, c: [Double], d: [Double], series: [[Double]], qfi: Double, jumps: Int) {
        self.index = index
        self.c = c
        self.d = d
        self.series = series
        self.qfi = qfi
        self.jumps = jumps
    }
}
