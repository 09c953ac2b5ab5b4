import Foundation

/// The computational basis of N two-level dipoles split into U(1) sectors of fixed excitation
/// number k = Σ_a n_a (docs/physics.md §6.1).
///
/// A basis state is a bit mask m with bit a set when dipole a is in |↑⟩; sector k holds the C(N, k)
/// masks with k bits set, in increasing numeric order. `index[m]` is the position of m inside its
/// sector, so a state is addressed as (k, index). Memory: 4·2^N bytes for the index plus
/// 4·N·2^N bytes for the lowering table (N = 20: 88 MiB).
public struct SectorBasis: Sendable {
    /// Number of dipoles N (1 ≤ N ≤ `maximumDipoles`).
    public let n: Int
    /// Masks of each sector k = 0…N.
    public let states: [[UInt32]]
    /// Position of every mask inside its sector.
    public let index: [Int32]
    /// `lower[k][i·N + a]`: the index in sector k−1 of state i of sector k with dipole a lowered,
    /// or −1 when dipole a is down (empty for k = 0).
    public let lower: [[Int32]]

    /// The largest N the tables are built for (2^24 masks).
    public static let maximumDipoles = 24

    /// Bytes the tables of N dipoles take.
    public static func tableBytes(n: Int) -> Int {
        let masks = 1 << min(n, 40)
        return masks * 4 * (2 + n)
    }

    public init(n: Int) {
        precondition(n >= 1 && n <= SectorBasis.maximumDipoles)
        self.n = n
        var states = [[UInt32]](repeating: [], count: n + 1)
        var index = [Int32](repeating: 0, count: 1 << n)
        for m in 0..<(1 << n) {
            let k = m.nonzeroBitCount
            index[m] = Int32(states[k].count)
            states[k].append(UInt32(m))
        }
        var lower = [[Int32]](repeating: [], count: n + 1)
        for k in 1...n {
            let s = states[k]
            var t = [Int32](repeating: -1, count: s.count * n)
            for i in 0..<s.count {
                let m = Int(s[i])
                for a in 0..<n where m & (1 << a) != 0 { t[i * n + a] = index[m ^ (1 << a)] }
            }
            lower[k] = t
        }
        self.states = states
        self.index = index
        self.lower = lower
    }

    /// C(N, k).
    public func dimension(_ k: Int) -> Int { k < 0 || k > n ? 0 : states[k].count }

    /// C(n, k) as a Double-safe integer (0 outside 0…n).
    public static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        var r = 1.0
        let kk = min(k, n - k)
        if kk == 0 { return 1 }
        for j in 1...kk { r = r * Double(n - kk + j) / Double(j) }
        return Int(r.rounded())
    }
}

/// The raising lists of one sector: for state i of sector k, the (N − k) pairs (b, p) with dipole b
/// down in i and p the index in sector k+1 of i with b raised. Flat arrays of length C(N,k)·(N−k).
struct RaisingList: Sendable {
    let width: Int
    let bit: [Int32]
    let target: [Int32]

    init(basis: SectorBasis, sector k: Int) {
        let n = basis.n
        width = n - k
        let s = basis.states[k]
        var bit = [Int32](repeating: 0, count: s.count * (n - k))
        var target = bit
        for i in 0..<s.count {
            let m = Int(s[i])
            var t = 0
            for b in 0..<n where m & (1 << b) == 0 {
                bit[i * width + t] = Int32(b)
                target[i * width + t] = basis.index[m | (1 << b)]
                t += 1
            }
        }
        self.bit = bit
        self.target = target
    }
}
