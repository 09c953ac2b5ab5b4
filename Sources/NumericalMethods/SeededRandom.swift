import Foundation

/// A counter-based random stream: every draw is a pure function of (seed, stream, index), so
/// results never depend on thread count, sharding or the order in which points run.
///
/// The generator is SplitMix64 (Steele, Lea & Flood 2014) keyed by a mix of seed and stream.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A stream for (seed, path...), e.g. (spec seed, point index, trajectory index).
    public init(seed: UInt64, stream: [UInt64] = []) {
        var s = SeededRandom.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for k in stream { s = SeededRandom.mix(s ^ SeededRandom.mix(k &+ 0xD1B5_4A32_D192_ED03)) }
        state = s
    }

    private static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal (Box–Muller; one value per call, deterministic).
    public mutating func normal() -> Double {
        var u = uniform()
        while u <= 0 { u = uniform() }
        let v = uniform()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
