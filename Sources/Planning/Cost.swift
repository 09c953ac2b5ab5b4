import Foundation
import Physics

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

    /// Mean-field: f and g as N×N doubles, 9 integrator vectors of 3N doubles; ~10⁴ steps of 7 stages
    /// with 4N² flops each.
    public static func meanField(n: Int) -> CostEstimate {
        let N = Double(n)
        return CostEstimate(memoryBytes: bytes(16 * N * N + 9 * 24 * N + 1e6), flops: 1e4 * 7 * 4 * N * N)
    }

    /// Cumulant: K (complex N×N), C (complex), D (real) and 9 integrator copies of (C, D);
    /// one complex N³ product (8N³ flops) per evaluation, ~3000 evaluations to a steady state.
    public static func cumulant(n: Int) -> CostEstimate {
        let N = Double(n)
        return CostEstimate(memoryBytes: bytes((16 + 9 * 24) * N * N + 1e6), flops: 3000 * 8 * N * N * N)
    }

    /// Permutation-symmetric steady state: ~N²/4 populations p(j, m), a banded or block solve
    /// (~N⁴/8 flops for the block-tridiagonal elimination, 40 vectors of work space). Time evolution
    /// holds the (j, m, m') coherences, ~N³/12 complex numbers.
    public static func permutationSymmetric(n: Int, timeEvolution: Bool) -> CostEstimate {
        let N = Double(n)
        let pops = (N / 2 + 1) * (N / 2 + 1)
        if timeEvolution {
            let coh = N * N * N / 12 + pops
            return CostEstimate(memoryBytes: bytes(16 * coh * 9 + 1e6), flops: 2e4 * 10 * coh)
        }
        return CostEstimate(memoryBytes: bytes(8 * pops * 40 + 8 * N * N * 4 + 1e6), flops: N * N * N * N / 8 + 1e3 * pops)
    }

    /// Exact density matrix in U(1) blocks: Σ_k C(N,k)² = C(2N, N) complex numbers, ~40 Krylov
    /// vectors; each Liouvillian application costs ~N² operations per stored element (N collective
    /// jump operators acting on N sites), ~300 applications to converge.
    public static func exactDensityMatrix(n: Int, u1: Bool) -> CostEstimate {
        let N = Double(n)
        let elements = u1 ? binomial(2 * n, n) : pow(4, N)
        return CostEstimate(memoryBytes: bytes(16 * elements * 44 + 1e6), flops: 300 * elements * N * N * 8)
    }

    /// Exact trajectories: one state vector per thread (C(N, N/2) amplitudes for quantum jumps,
    /// 2^N for quantum state diffusion), ~10⁴ steps of N² work per trajectory.
    public static func exactTrajectories(n: Int, trajectories: Int, diffusion: Bool, threads: Int) -> CostEstimate {
        let N = Double(n)
        let amps = diffusion ? pow(2, N) : binomial(n, n / 2)
        return CostEstimate(memoryBytes: bytes(16 * amps * 12 * Double(max(threads, 1)) + 1e6),
                            flops: Double(trajectories) * 1e4 * amps * N * 8)
    }
}
