import Foundation

/// One U(1) sector of a permutation-symmetric operator: the entries X^j_{m, m+k} (scaled by d_j like
/// `DickePopulations`) for a fixed k = m' − m. The master equation of `DickeLadder` maps each sector to
/// itself, so k = 0 (populations of a U(1)-invariant state) and k = 1 (J⁻ρ, for ⟨J⁺(τ)J⁻(0)⟩) evolve alone.
///
///     dX^j_{m,m'}/dt = −[½(Λ_{j,m} + Λ_{j,m'}) + i(E_{j,m} − E_{j,m'})] X^j_{m,m'}
///                      + Σ_channels prefactor(J) X(J, M) X(J, M') X^J_{M,M'}
///
/// over the six jump channels from (J, M, M') = (j − Δj, m − Δm, m' − Δm), plus, with local dephasing,
/// the two j-changing channels from (j ∓ 1, m, m') and a diagonal term (docs/physics.md §6.4.1).
public struct DickeSector: Sendable {
    public let ladder: DickeLadder
    public let k: Int
    /// Per j index t: the first m and the count of entries (2j + 1 − |k|, may be 0), and the offset.
    public let mLow: [Double], count: [Int], offset: [Int]
    public let size: Int

    public init(ladder: DickeLadder, k: Int) {
        self.ladder = ladder
        self.k = k
        var ml = [Double](), cnt = [Int](), off = [Int]()
        var total = 0
        for t in 0..<ladder.jCount {
            let jj = ladder.j(t)
            ml.append(max(-jj, -jj - Double(k)))
            let c = max(0, Int(2 * jj) + 1 - abs(k))
            cnt.append(c); off.append(total); total += c
        }
        mLow = ml; count = cnt; offset = off; size = total
    }

    /// Index of (t, m) or nil.
    @inlinable public func index(_ t: Int, _ m: Double) -> Int? {
        guard t >= 0, t < count.count else { return nil }
        let i = Int((m - mLow[t]).rounded())
        guard i >= 0, i < count[t] else { return nil }
        return offset[t] + i
    }

    /// The generator applied to x (complex entries as (re, im) pairs), written into y.
    public func apply(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        let lad = ladder
        let kd = Double(k)
        let jumps = DickeLadder.Jump.allCases
        for t in 0..<count.count {
            let jj = lad.j(t)
            for i in 0..<count[t] {
                let m = mLow[t] + Double(i), mp = m + kd
                let idx = offset[t] + i
                let decay = 0.5 * (lad.outflow(jj, m) + lad.outflow(jj, mp))
                let phase = lad.energy(jj, m) - lad.energy(jj, mp)
                let xr = x[2 * idx], xi = x[2 * idx + 1]
                // −(decay + i phase)(xr + i xi)
                var yr = -decay * xr + phase * xi
                var yi = -decay * xi - phase * xr
                for jump in jumps {
                    let st = t - jump.dj
                    guard st >= 0, st < count.count else { continue }
                    let sm = m - Double(jump.dm)
                    guard let s = index(st, sm) else { continue }
                    let sj = lad.j(st)
                    let w = lad.prefactor(jump, sj)
                    if w == 0 { continue }
                    let f = (lad.factor2(jump, sj, sm) * lad.factor2(jump, sj, sm + kd)).squareRoot() * w
                    yr += f * x[2 * s]; yi += f * x[2 * s + 1]
                }
                if lad.dephasing != 0 {
                    // Local dephasing (docs/physics.md §6.4.1): the diagonal beyond ½(Λ_m + Λ_m') and the
                    // inflow from (j ∓ 1, m, m') through the channels J → J ± 1.
                    let extra = lad.dephasingCoherenceExtra(jj, m, mp)
                    yr -= extra * xr; yi -= extra * xi
                    for c in DickeLadder.Dephasing.allCases {
                        let st = t - c.dj
                        guard st >= 0, st < count.count, let s = index(st, m) else { continue }
                        let sj = lad.j(st)
                        let w = lad.dephasingPrefactor(c, sj)
                        if w == 0 { continue }
                        let f = (lad.dephasingFactor2(c, sj, m) * lad.dephasingFactor2(c, sj, mp)).squareRoot() * w
                        yr += f * x[2 * s]; yi += f * x[2 * s + 1]
                    }
                }
                y[2 * idx] = yr; y[2 * idx + 1] = yi
            }
        }
    }
}
