import Foundation

/// Populations P(j, m) = d_j ⟨j,m|ρ_j|j,m⟩ of a U(1)-invariant permutation-symmetric state (they sum to
/// one), stored level by level: level L = m + N/2 (the excitation number, 0 … N) holds the j indices
/// t ∈ [lo[L], hi[L]] (j = jMin + t) of a window; states outside the window have P = 0.
public struct DickePopulations: Sendable {
    public let n: Int
    /// First and last level held.
    public let levelLow: Int, levelHigh: Int
    /// Per level (indexed L − levelLow): the j-index range and the offset of its first value.
    public let lo: [Int], hi: [Int], offset: [Int]
    /// P values, level after level, j ascending.
    public var values: [Double]

    public init(n: Int, levelLow: Int, levelHigh: Int, lo: [Int], hi: [Int], values: [Double]? = nil) {
        self.n = n
        self.levelLow = levelLow
        self.levelHigh = levelHigh
        self.lo = lo
        self.hi = hi
        var off = [Int](); off.reserveCapacity(lo.count)
        var total = 0
        for k in lo.indices { off.append(total); total += max(0, hi[k] - lo[k] + 1) }
        self.offset = off
        self.values = values ?? [Double](repeating: 0, count: total)
    }

    /// m of level L.
    @inlinable public func m(level l: Int) -> Double { Double(l) - Double(n) / 2 }
    /// The smallest j index allowed at level L (j ≥ |m|).
    public static func tMin(n: Int, level l: Int) -> Int {
        let twiceAbsM = abs(2 * l - n)
        return (twiceAbsM - n % 2) / 2
    }

    /// The P value of (level, t), 0 outside the window.
    public func value(level l: Int, t: Int) -> Double {
        guard l >= levelLow, l <= levelHigh else { return 0 }
        let k = l - levelLow
        guard t >= lo[k], t <= hi[k] else { return 0 }
        return values[offset[k] + t - lo[k]]
    }

    /// Σ_{j,m} P(j, m) w(j, m).
    public func expectation(_ w: (Double, Double) -> Double) -> Double {
        let j0 = Double(n % 2) / 2
        var s = 0.0
        for k in lo.indices {
            let m = self.m(level: levelLow + k)
            for t in lo[k]...max(lo[k], hi[k]) where t <= hi[k] {
                s += values[offset[k] + t - lo[k]] * w(j0 + Double(t), m)
            }
        }
        return s
    }

    /// The full window: every level and every j.
    public static func fullWindow(n: Int) -> DickePopulations {
        let levels = 0...n
        return DickePopulations(
            n: n, levelLow: 0, levelHigh: n, lo: levels.map { tMin(n: n, level: $0) },
            hi: levels.map { _ in n / 2 })
    }

    /// The ground state |j = N/2, m = −N/2⟩.
    public static func ground(n: Int) -> DickePopulations {
        DickePopulations(n: n, levelLow: 0, levelHigh: 0, lo: [n / 2], hi: [n / 2], values: [1])
    }
}
