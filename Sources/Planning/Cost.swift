import CumulantBackend
import ExactBackend
import Foundation
import Physics
import SpecLanguage

/// What one point is expected to cost on a backend: bytes held at once and floating-point work.
public struct CostEstimate: Sendable, Codable, Equatable {
    public var memoryBytes: Int
    public var flops: Double
    /// A rough wall time at 2·10⁹ flop/s (a 2-core machine running BLAS-friendly code).
    public var seconds: Double { flops / 2e9 }

    public init(memoryBytes: Int, flops: Double) {
        self.memoryBytes = memoryBytes
        self.flops = flops
    }

    public var summary: String {
        "memory ≈ \(ByteCount(memoryBytes)), work ≈ \(String(format: "%.1e", flops)) flop (~\(Self.duration(seconds)))"
    }

    static func duration(_ s: Double) -> String {
        if s < 1 { return "<1 s" }
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.0f min", s / 60) }
        return String(format: "%.1f h", s / 3600)
    }
}

/// Cost models of the backends. Each states the data it holds; the constants are the sizes of the
/// working sets of the implementations (integrator stages, Krylov vectors).
public enum CostModel {
    /// C(n, k) as a Double (exact up to 2⁵³).
    static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0 && k <= n else { return 0 }
        var r = 1.0
        for i in 0..<min(k, n - k) { r = r * Double(n - i) / Double(i + 1) }
        return r.rounded()
    }

    static func bytes(_ x: Double) -> Int { x.isFinite && x < Double(Int.max / 2) ? Int(max(0, x)) : Int.max / 2 }

    /// Bytes of the model a backend is handed: f and g as N×N doubles when it reads them.
    static func modelBytes(n: Int, matrices: Bool) -> Double { matrices ? 16 * Double(n) * Double(n) : 0 }

    /// Mean-field: the model's f and g (dynamic method) and O(N) integrator state; ~10⁴ steps of 7
    /// stages with 4N² flops each. The analytic methods cost nothing to speak of.
    public static func meanField(_ s: ExperimentSpec, method: String) -> CostEstimate {
        let n = s.system.count, N = Double(n)
        if method != "dynamic" { return CostEstimate(memoryBytes: 1 << 20, flops: 1e6) }
        return CostEstimate(memoryBytes: bytes(modelBytes(n: n, matrices: true) + 9 * 24 * N + 1e6), flops: 1e4 * 7 * 4 * N * N)
    }

    /// Cumulant: the backend's own estimate (its state, GMRES basis, preconditioner, regression) plus
    /// the model; about 30 N³ flops to a steady state (measured: N = 900 in ~10 s, N = 4000 in ~9 min
    /// on 2 cores).
    public static func cumulant(_ s: ExperimentSpec) -> CostEstimate {
        let n = s.system.count, N = Double(n)
        let elastic: Bool = { if case .dipolar(let e) = s.system.couplings { return e }
                              if case .uniform(_, let g) = s.system.couplings { return g != 0 }
                              return false }()
        let kinds = Set(s.observables.map(\.kind))
        let regression = kinds.contains(.twoTime) || kinds.contains(.spectrum) || kinds.contains(.frequency)
        let own = n > 1 ? CumulantBackend.memoryEstimate(n: n, elastic: elastic, general: elastic || !s.system.detuning.isUniform,
                                                         restart: 20, regression: regression) : 1 << 20
        return CostEstimate(memoryBytes: bytes(Double(own) + modelBytes(n: n, matrices: true)), flops: 30 * N * N * N)
    }

    /// Permutation-symmetric steady state: ~N²/4 populations p(j, m) solved level by level (about
    /// 16 doubles of work space each; 3.4 GB measured at N = 10⁴) and ~N⁴/8 flops of dense LU over
    /// the levels. Time evolution holds the (j, m, m') coherences, ~N³/12 complex numbers.
    public static func permutationSymmetric(n: Int, timeEvolution: Bool) -> CostEstimate {
        let N = Double(n)
        let pops = (N / 2 + 1) * (N / 2 + 1)
        if timeEvolution {
            let coh = N * N * N / 12 + pops
            return CostEstimate(memoryBytes: bytes(16 * coh * 9 + 1e6), flops: 2e4 * 10 * coh)
        }
        return CostEstimate(memoryBytes: bytes(8 * pops * 16 + 1e6), flops: N * N * N * N / 8 + 1e3 * pops)
    }

    /// Exact density matrix in U(1) blocks (C(2N, N) numbers): the backend's own estimate plus the
    /// model; ~N² flops per stored element and Liouvillian application (with its preconditioner), and
    /// ~40 applications' worth in all (calibrated: a 12-dipole chain at a = 0.02 λ, 88 GMRES iterations,
    /// ~1 min on 2 cores).
    public static func exactDensityMatrix(_ s: ExperimentSpec, threads: Int) -> CostEstimate {
        let n = s.system.count, N = Double(n)
        let u1 = s.initial.isU1Invariant
        let own = Double(ExactBackend.memoryEstimate(n: n, observables: s.observables, evolution: s.evolution, threads: threads))
        let elements = u1 ? binomial(2 * n, n) : pow(4, N)
        return CostEstimate(memoryBytes: bytes(own + modelBytes(n: n, matrices: true)), flops: 40 * elements * N * N * 8)
    }

    /// Quantum-jump trajectories: the backend's tables and per-thread vectors; per 1/Γ of trajectory
    /// about N(W + Γ)/2 jumps, each ~14 applications of H_eff to a sector of up to C(N, N/2) amplitudes
    /// with N²/4 hops each (calibrated: N = 16, W = 7 Γ runs ~3 /Γ of trajectory per second per core, benchmarks/exact.sh).
    public static func exactJumpTrajectories(n: Int, pump: Double, trajectories: Int, time: Double, threads: Int) -> CostEstimate {
        let N = Double(n)
        let perUnitTime = N * (pump + 1) / 2 * 14 * binomial(n, n / 2) * N * N / 4
        return CostEstimate(memoryBytes: ExactBackend.trajectoryMemoryEstimate(n: n, threads: threads),
                            flops: Double(trajectories) * time * perUnitTime)
    }

    /// Exact trajectories: the backend's estimate of its per-thread vectors (C(N, N/2) amplitudes for
    /// quantum jumps, 2^N for quantum state diffusion), ~10⁴ steps of N² work per trajectory.
    public static func exactTrajectories(n: Int, trajectories: Int, diffusion: Bool, threads: Int) -> CostEstimate {
        let N = Double(n)
        let amps = diffusion ? pow(2, N) : binomial(n, n / 2)
        let own = diffusion ? 16 * amps * 12 * Double(max(threads, 1)) + 1e6
            : Double(ExactBackend.trajectoryMemoryEstimate(n: n, threads: threads))
        return CostEstimate(memoryBytes: bytes(own), flops: Double(trajectories) * 1e4 * amps * N * 8)
    }
}
