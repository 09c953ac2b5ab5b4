import Foundation
import LinearAlgebra
import Physics
import Results

/// Steady state of the population chain of `DickeLadder` by linear level reduction.
///
/// With U(1) symmetry the steady state is diagonal in |j, m⟩ and its populations P(j, m) obey a
/// Markov chain whose every jump changes m by ±1 (emission lowers, pump raises the excitation number
/// L = m + N/2) and j by 0 or ±1: a quasi-birth–death process in L with the j values of a level as
/// phases. Balance at level L reads Λ_L P_L = U_{L−1} P_{L−1} + D_{L+1} P_{L+1} with Λ diagonal and U,
/// D tridiagonal in j. Local dephasing adds jumps j → j ± 1 within a level (docs/physics.md §6.4.1):
/// Λ_L becomes diag(Λ) − T_L with T_L tridiagonal, and nothing else changes. Eliminating levels from both ends towards a pivot level p,
///
///     P_L = R_L P_{L+1},   R_L = (Λ_L − U_{L−1} R_{L−1})⁻¹ D_{L+1}        (L < p)
///     P_L = R'_L P_{L−1},  R'_L = (Λ_L − D_{L+1} R'_{L+1})⁻¹ U_{L−1}      (L > p)
///
/// leaves one singular K_p × K_p system, solved with one balance row replaced by Σ P_p = 1; the
/// matrices inverted are nonsingular M-matrices, so the reduction is stable (no pivot growth). Cost
/// Σ_L K_L³ with K_L the number of j values held at level L, memory Σ_L K_L K_{L±1}.
///
/// Large N: the steady state is concentrated (widths O(√N) in j and m, log P ∝ N at fixed j/N, m/N),
/// so the chain is truncated to a window of levels and of j per level, taken from the steady state at
/// N/4 (recursively, down to N ≤ `fullWindowLimit`, where the whole chain is solved): a state kept at
/// N₀ when P₀ ≥ ε^{N₀/N} max P₀ maps to the scaled window at N. Transitions leaving the window are
/// dropped (a reflecting boundary). The result is then checked against the *untruncated* equations:
/// `residual` = max over window states of |Σ_in − Λ P| and of the flux leaving the window, relative to
/// max Λ P. If the probability on an artificial boundary exceeds `boundaryTolerance` the window is
/// widened and the solve repeated.
public struct DickeSteadyState: Sendable {
    public var ladder: DickeLadder
    /// Relative probability below which states are dropped (ε above).
    public var truncation: Double = 1e-15
    /// Largest relative probability allowed on an artificial window boundary.
    public var boundaryTolerance: Double = 1e-12
    /// N up to which the full chain is solved without a window.
    public var fullWindowLimit: Int = Self.defaultFullWindowLimit
    public static let defaultFullWindowLimit = 400
    /// Bytes the reduction may hold.
    public var memoryBudget: Int = 8 << 30

    public init(ladder: DickeLadder) { self.ladder = ladder }

    public struct Solution: Sendable {
        public var populations: DickePopulations
        /// Max residual of the untruncated balance equations relative to max Λ P.
        public var residual: Double
        /// Largest relative probability on an artificial window boundary (0 for the full chain).
        public var boundaryMass: Double
        /// Number of populations held, and whether the chain was truncated.
        public var states: Int
        public var truncated: Bool
        /// Most negative population (round-off).
        public var minimum: Double
    }

    /// Bytes needed to hold the reduction matrices for `window`.
    public static func memoryEstimate(_ w: DickePopulations) -> Int { memoryEstimate(lo: w.lo, hi: w.hi) }

    /// The same for a window given by its levels' j-index ranges [lo, hi] (the full chain's:
    /// `fullChainMemoryEstimate`, without allocating its populations).
    static func memoryEstimate(lo: [Int], hi: [Int]) -> Int {
        var s = 0
        for k in lo.indices {
            let kk = hi[k] - lo[k] + 1
            let next = k + 1 < lo.count ? hi[k + 1] - lo[k + 1] + 1 : 0
            let prev = k > 0 ? hi[k - 1] - lo[k - 1] + 1 : 0
            s += kk * max(next, prev) * 8 + 3 * kk * kk * 8 / max(1, lo.count)
        }
        let widest = lo.indices.map { hi[$0] - lo[$0] + 1 }.max() ?? 0
        return s + 4 * widest * widest * 8
    }

    /// `memoryEstimate` of the full chain of N dipoles (every level, every j).
    public static func fullChainMemoryEstimate(n: Int) -> Int {
        memoryEstimate(lo: (0...n).map { DickePopulations.tMin(n: n, level: $0) }, hi: Array(repeating: n / 2, count: n + 1))
    }

    public func solve() throws -> Solution {
        let n = ladder.n
        if ladder.pump == 0 {
            // Every dipole decays (γ > 0 or, for γ = 0, the collective decay from the ground initial state):
            // the steady state reached is the ground state.
            let g = DickePopulations.ground(n: n)
            return Solution(populations: g, residual: 0, boundaryMass: 0, states: 1, truncated: false, minimum: 0)
        }
        if n <= fullWindowLimit {
            return try solve(window: .fullWindow(n: n), pivot: nil)
        }
        let n0 = max(fullWindowLimit / 2 + 1, n / 4)
        var coarse = self
        coarse.ladder = DickeLadder(
            n: n0, gamma: ladder.local + ladder.collective,
            feff: ladder.collective * Double(n), geff: ladder.geff,
            pump: ladder.pump, detuning: ladder.detuning, dephasing: ladder.dephasing)
        // Γ = γ + c, f_eff = c N and γ_φ are the intensive parameters shared by every N.
        do { return try solveWindowed(reference: coarse.solve(), n: n) } catch {
            // The scaled window can miss: below threshold the peak sits near a j-boundary of the reference
            // window, and scaling it by N/N₀ steps over states that matter (docs/physics.md §6.4.2). The full
            // chain has no artificial boundary; it is solved when it fits the memory budget.
            guard Self.fullChainMemoryEstimate(n: n) <= memoryBudget, let sol = try? solve(window: .fullWindow(n: n), pivot: nil) else {
                throw error
            }
            return sol
        }
    }

    /// The chain at N restricted to the window scaled from `reference`, widened until no probability above
    /// `boundaryTolerance` sits on its boundary.
    private func solveWindowed(reference: Solution, n: Int) throws -> Solution {
        var pad = 0.05
        for _ in 0..<4 {
            let window = Self.window(from: reference.populations, n: n, epsilon: truncation, pad: pad)
            let pivot = Self.peakLevel(reference.populations, scaledTo: n)
            let sol: Solution
            do { sol = try solve(window: window, pivot: pivot) } catch BackendError.numerical(let why) {
                // A window with steps of several j between levels (docs/physics.md §6.4.2): solved again
                // with the steps smoothed; windows that solve keep their result bit for bit.
                let smooth = Self.connected(window)
                guard smooth.values.count > window.values.count, let retry = try? solve(window: smooth, pivot: pivot) else {
                    throw BackendError.numerical(why)
                }
                sol = retry
            }
            if sol.boundaryMass <= boundaryTolerance { return sol }
            pad *= 2
        }
        throw BackendError.noConvergence("the steady-state window kept probability above \(boundaryTolerance) on its boundary")
    }

    /// The level holding the most probability in `p`, mapped to N.
    static func peakLevel(_ p: DickePopulations, scaledTo n: Int) -> Int {
        var best = (mass: -1.0, level: 0)
        for k in p.lo.indices {
            var s = 0.0
            for i in 0..<(p.hi[k] - p.lo[k] + 1) { s += p.values[p.offset[k] + i] }
            if s > best.mass { best = (s, p.levelLow + k) }
        }
        let x = p.m(level: best.level) / Double(p.n)
        return min(n, max(0, Int((x * Double(n) + Double(n) / 2).rounded())))
    }

    /// `w` widened until neighbouring levels' j ranges differ by at most one at either end,
    /// |lo_L − lo_{L±1}| ≤ 1 and |hi_L − hi_{L±1}| ≤ 1 (within j ≥ |m| and j ≤ N/2): then every state of
    /// the window has an emission target (j, j ± 1 at the level below) inside it, unless it lies on the
    /// window's lowest level (docs/physics.md §6.4.2). The scaled window can step by several j between
    /// levels where the reference window turns (a step of N/N₀ per reference level); a state on the edge
    /// of such a step has every jump leaving the window, its balance reads 0 = inflow, and the level
    /// reduction meets a singular matrix.
    static func connected(_ w: DickePopulations) -> DickePopulations {
        var lo = w.lo, hi = w.hi
        let count = lo.count
        var changed = true
        while changed {
            changed = false
            for k in 0..<count {
                let l = w.levelLow + k
                var newLo = lo[k], newHi = hi[k]
                for q in [k - 1, k + 1] where q >= 0 && q < count {
                    newLo = min(newLo, lo[q] + 1)
                    newHi = max(newHi, hi[q] - 1)
                }
                newLo = max(newLo, DickePopulations.tMin(n: w.n, level: l))
                newHi = min(newHi, w.n / 2)
                if newLo != lo[k] || newHi != hi[k] {
                    lo[k] = newLo
                    hi[k] = max(newHi, newLo)
                    changed = true
                }
            }
        }
        return DickePopulations(n: w.n, levelLow: w.levelLow, levelHigh: w.levelHigh, lo: lo, hi: hi)
    }

    /// A window at N from the steady state at N₀ < N: keep the reference states with
    /// P₀ ≥ ε^{N₀/N} max P₀, scale j and m by N/N₀ and widen by `pad` of the width (plus 3 sites).
    static func window(from p: DickePopulations, n: Int, epsilon: Double, pad: Double) -> DickePopulations {
        let n0 = p.n
        let maxP = p.values.max() ?? 1
        let threshold = maxP * pow(epsilon, Double(n0) / Double(n))
        let scale = Double(n) / Double(n0)
        let j00 = Double(n0 % 2) / 2
        // Kept j range per reference level, in units of j/N₀.
        var keptLevels: [(x: Double, jl: Double, jh: Double)] = []
        for k in p.lo.indices {
            var jl = Double.infinity, jh = -Double.infinity
            for t in p.lo[k]...max(p.lo[k], p.hi[k]) where t <= p.hi[k] && p.values[p.offset[k] + t - p.lo[k]] >= threshold {
                jl = min(jl, j00 + Double(t)); jh = max(jh, j00 + Double(t))
            }
            if jl <= jh { keptLevels.append((p.m(level: p.levelLow + k), jl, jh)) }
        }
        guard let first = keptLevels.first, let last = keptLevels.last else { return .fullWindow(n: n) }
        let mWidth = (last.x - first.x) * scale
        let mLow = first.x * scale - pad * mWidth - 3 - scale, mHigh = last.x * scale + pad * mWidth + 3 + scale
        let levelLow = max(0, Int((mLow + Double(n) / 2).rounded(.down)))
        let levelHigh = min(n, Int((mHigh + Double(n) / 2).rounded(.up)))
        let j0 = Double(n % 2) / 2
        var lo = [Int](), hi = [Int]()
        var ref = 0
        for l in levelLow...levelHigh {
            let m = Double(l) - Double(n) / 2
            let m0 = m / scale
            // The reference levels within one reference step (and the padding) of m0.
            while ref + 1 < keptLevels.count && keptLevels[ref + 1].x < m0 - 1 { ref += 1 }
            var jl = Double.infinity, jh = -Double.infinity
            var r = ref
            let reach = 1 + pad * (last.x - first.x)
            while r < keptLevels.count && keptLevels[r].x <= m0 + reach {
                if keptLevels[r].x >= m0 - reach { jl = min(jl, keptLevels[r].jl); jh = max(jh, keptLevels[r].jh) }
                r += 1
            }
            let tMin = DickePopulations.tMin(n: n, level: l), tMax = n / 2
            if jl > jh { jl = first.jl; jh = last.jh; jl = min(jl, keptLevels.map(\.jl).min() ?? jl); jh = max(jh, keptLevels.map(\.jh).max() ?? jh) }
            let width = (jh - jl) * scale
            let tl = Int((jl * scale - pad * width - 3 - scale - j0).rounded(.down))
            let th = Int((jh * scale + pad * width + 3 + scale - j0).rounded(.up))
            lo.append(min(tMax, max(tMin, tl)))
            hi.append(max(min(tMax, th), min(tMax, max(tMin, tl))))
        }
        return DickePopulations(n: n, levelLow: levelLow, levelHigh: levelHigh, lo: lo, hi: hi)
    }

    /// Solves the chain restricted to `window` (levels must be contiguous, each with ≥ 1 state).
    ///
    /// The fixed pivots (the given one, or the middle level, then the first and the last) are tried
    /// first, exactly as before; only when they all fail does `searchPivot` look for a pivot near the
    /// peak (docs/physics.md §6.4.2), so every solution the fixed pivots produce is unchanged.
    public func solve(window: DickePopulations, pivot: Int?) throws -> Solution {
        let est = Self.memoryEstimate(window)
        if est > memoryBudget { throw BackendError.memory(needed: est, budget: memoryBudget) }
        if let p = pivot {
            let clamped = min(window.levelHigh, max(window.levelLow, p))
            do {
                var sol = try reduce(window: window, pivot: clamped)
                sol.populations.values = sol.populations.values.map { $0 }
                return try finish(sol.populations)
            } catch {
                if let sol = searchPivot(window: window, tried: [clamped]) { return sol }
                throw error
            }
        }
        // No reference: try the middle level, then re-pivot at the most probable level.
        var last: Error = BackendError.numerical("the steady-state reduction failed")
        let fixed = [(window.levelLow + window.levelHigh) / 2, window.levelLow, window.levelHigh]
        for p in fixed {
            do {
                let first = try reduce(window: window, pivot: p)
                let peak = Self.peakLevel(first.populations, scaledTo: window.n)
                let second = peak == p ? first : try reduce(window: window, pivot: peak)
                return try finish(second.populations)
            } catch { last = error }
        }
        if let sol = searchPivot(window: window, tried: fixed) { return sol }
        throw last
    }

    /// Levels tried as pivots by `searchPivot`, spread evenly over the window.
    static let pivotSearchLevels = 17
    /// Re-pivots at the peak allowed per candidate.
    static let pivotSearchRepivots = 4
    /// Largest residual (relative to max Λ P) and most negative population accepted from the search.
    static let pivotSearchTolerance = 1e-9

    /// Pivot search (docs/physics.md §6.4.2). Back substitution P_L = R_L P_{L±1} carries the rounding
    /// error of the pivot level's solve (≈ 10⁻¹⁶ of its largest entry, on every j) to the other levels,
    /// and along the j directions whose populations are tiny at the pivot but large elsewhere it grows
    /// by up to max R (here ~50) per level: with the pivot far from the peak (below threshold at small W
    /// and large N, the peak sits at L ≈ N W/(W + Γ) while the fixed pivots are at 0, N/2 and N) the
    /// error outgrows the solution and the populations come out negative. With the pivot at the peak
    /// the true populations fall off in both directions at least as fast as the error does, so the
    /// reduction is accurate. Candidate pivots are spread over the window; the first one whose
    /// reduction succeeds is moved to the peak of its own solution (repeatedly, until the peak stays),
    /// and the result is accepted only with a small residual of the untruncated balance equations and
    /// no population below −`pivotSearchTolerance`.
    private func searchPivot(window w: DickePopulations, tried: [Int]) -> Solution? {
        let levels = w.levelHigh - w.levelLow + 1
        let count = min(levels, Self.pivotSearchLevels)
        var candidates = [Int]()
        for i in 0..<count {
            let l = w.levelLow + (count > 1 ? i * (levels - 1) / (count - 1) : 0)
            if !tried.contains(l) && !candidates.contains(l) { candidates.append(l) }
        }
        for c in candidates {
            guard var current = try? reduce(window: w, pivot: c) else { continue }
            var p = c
            for _ in 0..<Self.pivotSearchRepivots {
                let peak = min(w.levelHigh, max(w.levelLow, Self.peakLevel(current.populations, scaledTo: w.n)))
                if peak == p { break }
                guard let next = try? reduce(window: w, pivot: peak) else { break }
                current = next
                p = peak
            }
            guard let sol = try? finish(current.populations), sol.residual <= Self.pivotSearchTolerance,
                sol.minimum >= -Self.pivotSearchTolerance
            else { continue }
            return sol
        }
        return nil
    }

    private struct Reduced { var populations: DickePopulations }

    /// Level reduction towards `pivot` and back substitution; normalizes Σ P = 1.
    private func reduce(window w: DickePopulations, pivot p: Int) throws -> Reduced {
        let lad = ladder
        let n = lad.n
        let levels = w.levelHigh - w.levelLow + 1
        let kk = (0..<levels).map { w.hi[$0] - w.lo[$0] + 1 }
        let j0 = lad.jMin
        func inWindow(_ l: Int, _ t: Int) -> Bool {
            guard l >= w.levelLow, l <= w.levelHigh else { return false }
            let k = l - w.levelLow
            return t >= w.lo[k] && t <= w.hi[k]
        }
        // Local dephasing moves j within a level (docs/physics.md §6.4.1): the level's own matrix is then
        // diag(Λ) − T_L with T_L the (tridiagonal) within-level transfer, still a nonsingular M-matrix
        // once the levels beyond are eliminated.
        let dephases = lad.dephasing != 0
        // Λ restricted to the window (transitions leaving it are dropped).
        var lambda = [[Double]]()
        lambda.reserveCapacity(levels)
        for k in 0..<levels {
            let l = w.levelLow + k
            let m = w.m(level: l)
            var row = [Double](repeating: 0, count: kk[k])
            for i in 0..<kk[k] {
                let t = w.lo[k] + i, jj = j0 + Double(t)
                var s = 0.0
                for jump in DickeLadder.Jump.allCases where inWindow(l + jump.dm, t + jump.dj) {
                    s += lad.rate(jump, jj, m)
                }
                if dephases {
                    for c in DickeLadder.Dephasing.allCases where inWindow(l, t + c.dj) {
                        s += lad.dephasingRate(c, jj, m)
                    }
                }
                row[i] = s
            }
            lambda.append(row)
        }
        // Transfer into level k from level k+1 (emission) or k−1 (pump): dense K_k × K_src.
        func transfer(into k: Int, from src: Int) -> Matrix {
            let lSrc = w.levelLow + src
            let mSrc = w.m(level: lSrc)
            let emits = src == k + 1
            var t = Matrix(rows: kk[k], cols: kk[src])
            for c in 0..<kk[src] {
                let ts = w.lo[src] + c, jj = j0 + Double(ts)
                let jumps: [DickeLadder.Jump] = emits ? [.emitSame, .emitDown, .emitUp] : [.pumpSame, .pumpDown, .pumpUp]
                for jump in jumps {
                    let tt = ts + jump.dj
                    guard tt >= w.lo[k], tt <= w.hi[k] else { continue }
                    t[tt - w.lo[k], c] = lad.rate(jump, jj, mSrc)
                }
            }
            return t
        }
        let pk = p - w.levelLow
        var below = [Matrix?](repeating: nil, count: levels)   // R_k: K_k × K_{k+1}
        var above = [Matrix?](repeating: nil, count: levels)   // R'_k: K_k × K_{k−1}
        func schur(_ k: Int, fromBelow: Matrix?, fromAbove: Matrix?) -> Matrix {
            var s = Matrix(rows: kk[k], cols: kk[k])
            for i in 0..<kk[k] { s[i, i] = lambda[k][i] }
            if dephases {   // − T_L: (l, t) → (l, t ± 1)
                let l = w.levelLow + k, m = w.m(level: l)
                for c in 0..<kk[k] {
                    let ts = w.lo[k] + c
                    for ch in DickeLadder.Dephasing.allCases {
                        let tt = ts + ch.dj
                        guard tt >= w.lo[k], tt <= w.hi[k] else { continue }
                        s[tt - w.lo[k], c] -= lad.dephasingRate(ch, j0 + Double(ts), m)
                    }
                }
            }
            if let r = fromBelow {   // − U_{k−1→k} R_{k−1}
                let u = transfer(into: k, from: k - 1)
                var ur = Matrix(rows: kk[k], cols: kk[k])
                Matrix.gemm(u, r, into: &ur)
                for i in 0..<s.elements.count { s.elements[i] -= ur.elements[i] }
            }
            if let r = fromAbove {   // − D_{k+1→k} R'_{k+1}
                let d = transfer(into: k, from: k + 1)
                var dr = Matrix(rows: kk[k], cols: kk[k])
                Matrix.gemm(d, r, into: &dr)
                for i in 0..<s.elements.count { s.elements[i] -= dr.elements[i] }
            }
            return s
        }
        for k in 0..<pk {
            let s = schur(k, fromBelow: k > 0 ? below[k - 1] : nil, fromAbove: nil)
            below[k] = try solveChecked(s, transfer(into: k, from: k + 1))
            if k > 0 { below[k - 1] = below[k - 1] }
        }
        if pk + 1 < levels {
            for k in stride(from: levels - 1, to: pk, by: -1) {
                let s = schur(k, fromBelow: nil, fromAbove: k < levels - 1 ? above[k + 1] : nil)
                above[k] = try solveChecked(s, transfer(into: k, from: k - 1))
            }
        }
        var s = schur(pk, fromBelow: pk > 0 ? below[pk - 1] : nil, fromAbove: pk < levels - 1 ? above[pk + 1] : nil)
        // Replace the balance row of the state with the largest Λ by the normalization Σ P_p = 1.
        var r0 = 0
        for i in 0..<kk[pk] where lambda[pk][i] > lambda[pk][r0] { r0 = i }
        for c in 0..<kk[pk] { s[r0, c] = 1 }
        var rhs = Matrix(rows: kk[pk], cols: 1)
        rhs[r0, 0] = 1
        let pp = try solveChecked(s, rhs)
        var out = w
        var current = [[Double]](repeating: [], count: levels)
        current[pk] = pp.elements
        for k in stride(from: pk - 1, through: 0, by: -1) {
            guard let r = below[k] else { continue }
            current[k] = r.apply(current[k + 1])
        }
        if pk + 1 < levels {
            for k in (pk + 1)..<levels {
                guard let r = above[k] else { continue }
                current[k] = r.apply(current[k - 1])
            }
        }
        var total = 0.0
        for k in 0..<levels { for v in current[k] { total += v } }
        guard total.isFinite, total > 0 else { throw BackendError.numerical("steady-state populations are not finite (pivot level \(p))") }
        for k in 0..<levels {
            for i in 0..<kk[k] { out.values[out.offset[k] + i] = current[k][i] / total }
        }
        _ = n
        return Reduced(populations: out)
    }

    private func solveChecked(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        do { return try LinearAlgebra.solve(a, b) } catch {
            throw BackendError.numerical("singular level system in the steady-state reduction (\(error))")
        }
    }

    /// Residual of the untruncated balance equations and probability on artificial boundaries.
    private func finish(_ p: DickePopulations) throws -> Solution {
        let lad = ladder
        let n = lad.n
        let j0 = lad.jMin
        var maxFlow = 0.0, maxRes = 0.0, maxP = 0.0, minP = 0.0, boundary = 0.0
        let truncated =
            p.levelLow > 0 || p.levelHigh < n
            || p.lo.indices.contains {
                p.lo[$0] > DickePopulations.tMin(n: n, level: p.levelLow + $0) || p.hi[$0] < n / 2
            }
        for k in p.lo.indices {
            let l = p.levelLow + k
            let m = p.m(level: l)
            for i in 0..<(p.hi[k] - p.lo[k] + 1) {
                let t = p.lo[k] + i, jj = j0 + Double(t)
                let v = p.values[p.offset[k] + i]
                maxP = max(maxP, v); minP = min(minP, v)
                let out = lad.outflow(jj, m) * v
                maxFlow = max(maxFlow, abs(out))
                // Inflow from all six source states (outside the window: P = 0).
                var inflow = 0.0
                for jump in DickeLadder.Jump.allCases {
                    let sl = l - jump.dm, st = t - jump.dj
                    guard st >= 0, st <= n / 2, sl >= 0, sl <= n else { continue }
                    let pv = p.value(level: sl, t: st)
                    if pv != 0 { inflow += lad.rate(jump, j0 + Double(st), p.m(level: sl)) * pv }
                }
                if lad.dephasing != 0 {   // from (l, t ∓ 1) (docs/physics.md §6.4.1)
                    for c in DickeLadder.Dephasing.allCases {
                        let st = t - c.dj
                        guard st >= 0, st <= n / 2 else { continue }
                        let pv = p.value(level: l, t: st)
                        if pv != 0 { inflow += lad.dephasingRate(c, j0 + Double(st), m) * pv }
                    }
                }
                maxRes = max(maxRes, abs(inflow - out))
                // Flux into states outside the window.
                for jump in DickeLadder.Jump.allCases {
                    let tl = l + jump.dm, tt = t + jump.dj
                    guard tl >= 0, tl <= n, tt >= DickePopulations.tMin(n: n, level: tl), tt <= n / 2 else { continue }
                    let inside = tl >= p.levelLow && tl <= p.levelHigh && tt >= p.lo[tl - p.levelLow] && tt <= p.hi[tl - p.levelLow]
                    if !inside {
                        maxRes = max(maxRes, lad.rate(jump, jj, m) * v)
                        boundary = max(boundary, v)
                    }
                }
                if lad.dephasing != 0 {
                    for c in DickeLadder.Dephasing.allCases {
                        let tt = t + c.dj
                        guard tt >= DickePopulations.tMin(n: n, level: l), tt <= n / 2,
                            lad.dephasingRate(c, jj, m) > 0, tt < p.lo[k] || tt > p.hi[k]
                        else { continue }
                        maxRes = max(maxRes, lad.dephasingRate(c, jj, m) * v)
                        boundary = max(boundary, v)
                    }
                }
            }
        }
        guard maxP > 0 else { throw BackendError.numerical("the steady state vanished") }
        return Solution(
            populations: p, residual: maxFlow > 0 ? maxRes / maxFlow : 0, boundaryMass: boundary / maxP,
            states: p.values.count, truncated: truncated, minimum: minP)
    }
}
