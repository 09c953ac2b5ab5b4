import Foundation
import NumericalMethods
import Numerics

/// The all-to-all model of `DickeLadder` with D distinguished dipoles (D = 1 or 2) and N − D
/// permutation-symmetric others (docs/physics.md §6.6): what the pair functions Z_ab(τ) need, since
/// σ⁻_b ρ is symmetric only under permutations of the dipoles other than b.
///
/// An operator is X = Σ_{p,p'} |p⟩⟨p'| ⊗ X^{pp'} with p a D-bit string (bit i set ⇔ distinguished dipole i
/// up) and each X^{pp'} an operator on the others that commutes with their permutations, so
/// X^{pp'} = ⊕_j X^{pp'}_j ⊗ 1_{d_j} (d_j the multiplicity of spin j among M = N − D dipoles). It is stored
/// as R^{pp'}_{j,m,m'} = d_j ⟨j,m|X^{pp'}_j|j,m'⟩, the variables of `DickeSector`. With the U(1) charge
/// Q = (n(p) + m) − (n(p') + m') fixed (n(p) the number of set bits), block (p, p') is the `DickeSector`
/// with k = m' − m = n(p) − n(p') − Q.
///
/// The generator splits into (docs/physics.md §6.6):
/// - the local processes of the others (decay γ = Γ + γ_nr − f_eff/N, pump W, dephasing γ_φ, the energy
///   δ' J_z^O): `DickeSector.apply` of the local-only ladder (`DickeLadder(localOnly:)`) on every block;
/// - the same local processes of the distinguished dipoles, acting on (p, p') only;
/// - the collective terms c D[J⁻] − iκ[J⁺J⁻, ·] with J⁻ = Σ_i σ⁻_i + J⁻_O, c = f_eff/N, κ = g_eff/(2N);
///   they keep j of the others. These two parts are a sparse matrix (`Generator`).
///
/// The steady state is the Dicke steady state of all N dipoles, rewritten in this representation by
/// coupling the D distinguished spins ½ to the others' spin j one at a time (`steadyState`).
public struct DistinguishedDipoles: Sendable {
    /// N and D.
    public let n: Int, distinguished: Int
    /// The local processes of the M = N − D others.
    public let others: DickeLadder
    /// c = f_eff/N, κ = g_eff/(2N), γ = Γ + γ_nr − f_eff/N, W, γ_φ and δ' = δ − g_eff/(2N) (in Γ).
    public let collective: Double, elastic: Double, local: Double, pump: Double, dephasing: Double, detuning: Double

    /// The model of `ladder` (all N dipoles) with its first `distinguished` dipoles distinguished.
    public init(ladder: DickeLadder, distinguished d: Int) {
        precondition(d >= 1 && d <= 2 && d <= ladder.n, "1 or 2 distinguished dipoles of at least as many")
        n = ladder.n
        distinguished = d
        collective = ladder.collective
        elastic = ladder.geff / (2 * Double(ladder.n))
        local = ladder.local
        pump = ladder.pump
        dephasing = ladder.dephasing
        // H = δ J_z + κ(J⁺J⁻ − J_z − N/2) = δ' J_z + κ J⁺J⁻ + const.
        detuning = ladder.detuning - elastic
        others = DickeLadder(
            localOnly: ladder.n - d, local: ladder.local, pump: ladder.pump, detuning: detuning,
            dephasing: ladder.dephasing)
    }

    /// 2^D states of the distinguished dipoles.
    @inlinable public var states: Int { 1 << distinguished }

    // MARK: sectors

    /// The operators of one U(1) charge Q: 4^D blocks, block p·2^D + p' the `DickeSector` of the others
    /// with k = n(p) − n(p') − Q; complex entries stored as (re, im) pairs, block after block.
    public struct Sector: Sendable {
        public let charge: Int
        public let states: Int
        public let blocks: [DickeSector]
        public let base: [Int]
        public let size: Int

        init(_ model: DistinguishedDipoles, charge: Int) {
            self.charge = charge
            states = model.states
            var b = [DickeSector](), o = [Int](), total = 0
            for p in 0..<states {
                for q in 0..<states {
                    let s = DickeSector(ladder: model.others, k: p.nonzeroBitCount - q.nonzeroBitCount - charge)
                    b.append(s); o.append(total); total += s.size
                }
            }
            blocks = b; base = o; size = total
        }

        /// Index of an element, nil if it is not in this sector.
        func index(_ e: Element) -> Int? {
            let b = e.p * states + e.q
            guard blocks[b].k == (e.mp2 - e.m2) / 2, let i = blocks[b].index(e.t, Double(e.m2) / 2) else { return nil }
            return base[b] + i
        }

        /// Every element in index order.
        func forEachElement(_ body: (Int, Element) -> Void) {
            for p in 0..<states {
                for q in 0..<states {
                    let b = p * states + q
                    let s = blocks[b]
                    for t in 0..<s.count.count {
                        for i in 0..<s.count[t] {
                            let m2 = Int((2 * (s.mLow[t] + Double(i))).rounded())
                            body(base[b] + s.offset[t] + i, Element(p: p, q: q, t: t, m2: m2, mp2: m2 + 2 * s.k))
                        }
                    }
                }
            }
        }

        /// Tr_O X^{pp'} for every (p, p') (zero unless k = 0), row-major 2^D × 2^D.
        public func partialTrace(_ x: [Double]) -> [Complex<Double>] {
            var r = [Complex<Double>](repeating: .zero, count: states * states)
            for b in blocks.indices where blocks[b].k == 0 {
                var re = 0.0, im = 0.0
                for i in 0..<blocks[b].size { re += x[2 * (base[b] + i)]; im += x[2 * (base[b] + i) + 1] }
                r[b] = Complex(re, im)
            }
            return r
        }
    }

    public func sector(charge: Int) -> Sector { Sector(self, charge: charge) }

    /// |p⟩⟨p'| ⊗ |j, m⟩⟨j, m'| with 2m, 2m' as integers and j = jMin + t of the others.
    struct Element {
        var p: Int, q: Int, t: Int, m2: Int, mp2: Int
    }

    /// The parts of J^±: σ^±_i of a distinguished dipole or J^±_O of the others.
    enum Part: Equatable {
        case lower(Int)
        case raise(Int)
        case lowerOthers, raiseOthers
        var adjoint: Part {
            switch self {
            case .lower(let i): return .raise(i)
            case .raise(let i): return .lower(i)
            case .lowerOthers: return .raiseOthers
            case .raiseOthers: return .lowerOthers
            }
        }
    }

    /// 2j of the others' index t.
    @inlinable func twoJ(_ t: Int) -> Int { (n - distinguished) % 2 + 2 * t }

    /// A e (A on the left), nil when it vanishes.
    func left(_ a: Part, _ e: Element) -> (Double, Element)? {
        var r = e
        switch a {
        case .lower(let i):
            guard e.p & (1 << i) != 0 else { return nil }
            r.p ^= 1 << i
            return (1, r)
        case .raise(let i):
            guard e.p & (1 << i) == 0 else { return nil }
            r.p |= 1 << i
            return (1, r)
        case .lowerOthers:   // J⁻|j,m⟩ = √((j+m)(j−m+1)) |j,m−1⟩
            let j2 = twoJ(e.t)
            guard e.m2 > -j2 else { return nil }
            r.m2 -= 2
            return (Double((j2 + e.m2) * (j2 - e.m2 + 2)).squareRoot() / 2, r)
        case .raiseOthers:   // J⁺|j,m⟩ = √((j−m)(j+m+1)) |j,m+1⟩
            let j2 = twoJ(e.t)
            guard e.m2 < j2 else { return nil }
            r.m2 += 2
            return (Double((j2 - e.m2) * (j2 + e.m2 + 2)).squareRoot() / 2, r)
        }
    }

    /// e A (A on the right): ⟨p'|A = (A†|p'⟩)†, nil when it vanishes.
    func right(_ a: Part, _ e: Element) -> (Double, Element)? {
        var r = e
        switch a {
        case .raise(let i):
            guard e.q & (1 << i) != 0 else { return nil }
            r.q ^= 1 << i
            return (1, r)
        case .lower(let i):
            guard e.q & (1 << i) == 0 else { return nil }
            r.q |= 1 << i
            return (1, r)
        case .raiseOthers:   // ⟨m'|J⁺ = √((j+m')(j−m'+1)) ⟨m'−1|
            let j2 = twoJ(e.t)
            guard e.mp2 > -j2 else { return nil }
            r.mp2 -= 2
            return (Double((j2 + e.mp2) * (j2 - e.mp2 + 2)).squareRoot() / 2, r)
        case .lowerOthers:   // ⟨m'|J⁻ = √((j−m')(j+m'+1)) ⟨m'+1|
            let j2 = twoJ(e.t)
            guard e.mp2 < j2 else { return nil }
            r.mp2 += 2
            return (Double((j2 - e.mp2) * (j2 + e.mp2 + 2)).squareRoot() / 2, r)
        }
    }

    // MARK: the generator

    /// The generator on one sector as a sparse matrix (rows in index order, complex entries): the
    /// distinguished dipoles' local terms and the collective terms, and the others' local processes read
    /// off `DickeSector.apply` of each block (`othersEntries`).
    public struct Generator: Sendable {
        public let sector: Sector
        let rowStart: [Int], column: [Int], re: [Double], im: [Double]

        /// Nonzeros of the sparse part.
        public var sparseEntries: Int { column.count }

        /// Bytes of the sparse part for `entries` nonzeros: an Int column and two Doubles each.
        public static func bytes(entries: Int, rows: Int) -> Int { 24 * entries + 8 * (rows + 1) }

        /// y = L x (complex entries as (re, im) pairs).
        public func apply(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
            for r in 0..<sector.size {
                var sr = 0.0, si = 0.0
                for e in rowStart[r]..<rowStart[r + 1] {
                    let c = column[e]
                    let xr = x[2 * c], xi = x[2 * c + 1]
                    sr += re[e] * xr - im[e] * xi
                    si += re[e] * xi + im[e] * xr
                }
                y[2 * r] = sr
                y[2 * r + 1] = si
            }
        }

        public func apply(_ x: [Double]) -> [Double] {
            var y = [Double](repeating: 0, count: x.count)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in apply(xp, yp) } }
            return y
        }
    }

    /// The generator of charge `charge`.
    public func generator(charge: Int) -> Generator {
        let sec = sector(charge: charge)
        let lowers: [Part] = (0..<distinguished).map { Part.lower($0) } + [.lowerOthers]
        let c = collective, kappa = elastic
        // (target, column, re, im), columns ascending.
        var triplets: [(row: Int, re: Double, im: Double)] = []
        var rows = [Int](), cols = [Int](), res = [Double](), ims = [Double]()
        sec.forEachElement { col, e in
            triplets.removeAll(keepingCapacity: true)
            func add(_ re: Double, _ im: Double, _ target: Element) {
                guard re != 0 || im != 0 else { return }
                guard let row = sec.index(target) else {
                    preconditionFailure("the generator left its U(1) sector")
                }
                if let k = triplets.firstIndex(where: { $0.row == row }) {
                    triplets[k].re += re; triplets[k].im += im
                } else {
                    triplets.append((row, re, im))
                }
            }
            // c J⁻ e J⁺
            for u in lowers {
                guard let (c1, e1) = left(u, e) else { continue }
                for v in lowers {
                    guard let (c2, e2) = right(v.adjoint, e1) else { continue }
                    add(c * c1 * c2, 0, e2)
                }
            }
            // −(c/2 + iκ) J⁺J⁻ e and −(c/2 − iκ) e J⁺J⁻
            for v in lowers {
                guard let (c1, e1) = left(v, e) else { continue }
                for u in lowers {
                    guard let (c2, e2) = left(u.adjoint, e1) else { continue }
                    add(-c / 2 * c1 * c2, -kappa * c1 * c2, e2)
                }
            }
            for u in lowers {
                guard let (c1, e1) = right(u.adjoint, e) else { continue }
                for v in lowers {
                    guard let (c2, e2) = right(v, e1) else { continue }
                    add(-c / 2 * c1 * c2, kappa * c1 * c2, e2)
                }
            }
            // Local terms of each distinguished dipole i (docs/physics.md §1.1, §1.5).
            for i in 0..<distinguished {
                let up = e.p & (1 << i) != 0, upq = e.q & (1 << i) != 0
                if local != 0, let (_, e1) = left(.lower(i), e), let (_, e2) = right(.raise(i), e1) { add(local, 0, e2) }
                if pump != 0, let (_, e1) = left(.raise(i), e), let (_, e2) = right(.lower(i), e1) { add(pump, 0, e2) }
                var diagonal = -local / 2 * (Double(up ? 1 : 0) + Double(upq ? 1 : 0))
                diagonal -= pump / 2 * (Double(up ? 0 : 1) + Double(upq ? 0 : 1))
                var phase = 0.0
                if up != upq {
                    diagonal -= dephasing
                    // −i(δ'/2)(s_i(p) − s_i(p')) with s = ±1.
                    phase = -detuning * (up ? 1 : -1)
                }
                add(diagonal, phase, e)
            }
            for t in triplets.sorted(by: { $0.row < $1.row }) {
                rows.append(t.row); cols.append(col); res.append(t.re); ims.append(t.im)
            }
        }
        othersEntries(sec) { row, col, re, im in
            rows.append(row); cols.append(col); res.append(re); ims.append(im)
        }
        // Rows by a stable counting sort (a row may hold a column twice: both parts have a diagonal).
        var start = [Int](repeating: 0, count: sec.size + 1)
        for r in rows { start[r + 1] += 1 }
        for r in 0..<sec.size { start[r + 1] += start[r] }
        var next = start
        var column = [Int](repeating: 0, count: rows.count)
        var re = [Double](repeating: 0, count: rows.count), im = re
        for k in rows.indices {
            let slot = next[rows[k]]
            next[rows[k]] += 1
            column[slot] = cols[k]; re[slot] = res[k]; im[slot] = ims[k]
        }
        return Generator(sector: sec, rowStart: start, column: column, re: re, im: im)
    }

    /// The entries of the others' local processes, read off `DickeSector.apply` block by block. An entry
    /// (j, m) of a block is fed only from (j + Δj, m + Δm) with |Δj|, |Δm| ≤ 1 (docs/physics.md §6.4.1), so
    /// the columns fall into nine classes (j and m modulo 3) whose members never feed the same row: one
    /// application per class to the indicator vector of the class gives every entry of its columns.
    func othersEntries(_ sec: Sector, _ emit: (Int, Int, Double, Double) -> Void) {
        let parity = (n - distinguished) % 2
        for b in sec.blocks.indices {
            let s = sec.blocks[b]
            guard s.size > 0 else { continue }
            var position = [(t: Int, m: Int)](), colour = [Int]()
            for t in 0..<s.count.count {
                for i in 0..<s.count[t] {
                    let m = (Int((2 * (s.mLow[t] + Double(i))).rounded()) - parity) / 2   // m − parity/2, an integer
                    position.append((t, m))
                    colour.append(3 * (t % 3) + ((m % 3) + 3) % 3)
                }
            }
            var x = [Double](repeating: 0, count: 2 * s.size), y = x
            for c in 0..<9 {
                for i in 0..<s.size { x[2 * i] = colour[i] == c ? 1 : 0 }
                x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in s.apply(xp, yp) } }
                for r in 0..<s.size where y[2 * r] != 0 || y[2 * r + 1] != 0 {
                    var source: Int?
                    for dt in -1...1 {
                        for dm in -1...1 {
                            let (t, m) = (position[r].t + dt, position[r].m + dm)
                            guard let i = s.index(t, Double(2 * m + parity) / 2), colour[i] == c else { continue }
                            source = i
                        }
                    }
                    guard let col = source else { preconditionFailure("a Dicke-sector entry outside j ± 1, m ± 1") }
                    emit(sec.base[b] + r, sec.base[b] + col, y[2 * r], y[2 * r + 1])
                }
            }
        }
    }

    // MARK: steady state

    /// log d_j of n dipoles, d_j = n!(2j+1)/((n/2+j+1)!(n/2−j)!), with 2j = j2.
    static func logMultiplicity(n: Int, j2: Int) -> Double {
        lgamma(Double(n + 1)) + log(Double(j2 + 1)) - lgamma(Double((n + j2) / 2 + 2)) - lgamma(Double((n - j2) / 2 + 1))
    }

    /// |J, M⟩ of a coupling path in the product basis: the others' spin j (2j = j2) coupled to
    /// distinguished dipole 0, then 1, …, with 2j changing by `signs[i]` (±1) at dipole i. Terms
    /// (p, 2m_O, coefficient); Clebsch–Gordan coefficients of j₁ ⊗ ½ (docs/physics.md §6.6).
    static func expand(j2Others: Int, signs: [Int], m2: Int) -> [(p: Int, m2: Int, c: Double)] {
        guard let last = signs.indices.last else { return [(0, m2, 1)] }
        let j2 = j2Others + signs.reduce(0, +)
        let j1 = j2 - signs[last]   // 2j₁ before the last dipole
        guard abs(m2) <= j2 else { return [] }
        var terms: [(p: Int, m2: Int, c: Double)] = []
        let d = Double(j1 + 1)
        let plus = Double(j1 + m2 + 1) / 2, minus = Double(j1 - m2 + 1) / 2   // j₁ ± m + ½
        for sigma in [1, -1] {
            let m1 = m2 - sigma
            guard abs(m1) <= j1 else { continue }
            let cg: Double
            if signs[last] > 0 {
                cg = ((sigma > 0 ? plus : minus) / d).squareRoot()
            } else {
                cg = sigma > 0 ? -(minus / d).squareRoot() : (plus / d).squareRoot()
            }
            for t in expand(j2Others: j2Others, signs: Array(signs.dropLast()), m2: m1) {
                terms.append((t.p | (sigma > 0 ? 1 << last : 0), t.m2, t.c * cg))
            }
        }
        return terms
    }

    /// The steady state in the charge-0 sector from the Dicke populations P(J, m) of all N dipoles
    /// (`DickeSteadyState`): ρ = Σ_{J,m} (P(J,m)/d_J) Σ_copies |J,m⟩⟨J,m|, each copy of spin J being the
    /// others' j (one of d_j^O copies) coupled to the distinguished spins along one path, so that
    /// R^{pp'}_{j,m_O,m_O'} = Σ_{paths, m} P(J,m) (d_j^O/d_J) ⟨p,m_O|J,m⟩⟨J,m|p',m_O'⟩.
    public func steadyState(_ pops: DickePopulations, in sec: Sector) -> [Double] {
        precondition(pops.n == n && sec.charge == 0)
        let m = n - distinguished
        var x = [Double](repeating: 0, count: 2 * sec.size)
        let paths = (0..<(1 << distinguished)).map { bits in (0..<distinguished).map { bits & (1 << $0) != 0 ? -1 : 1 } }
        for t in 0..<others.jCount {
            let j2o = twoJ(t)
            let logO = Self.logMultiplicity(n: m, j2: j2o)
            for signs in paths {
                // Every intermediate 2j must stay ≥ 0.
                var j2 = j2o, valid = true
                for s in signs { j2 += s; if j2 < 0 { valid = false } }
                guard valid else { continue }
                let ratio = exp(logO - Self.logMultiplicity(n: n, j2: j2))
                let tJ = (j2 - n % 2) / 2
                for m2 in stride(from: -j2, through: j2, by: 2) {
                    let p = pops.value(level: (m2 + n) / 2, t: tJ)
                    if p == 0 { continue }
                    let w = p * ratio
                    let terms = Self.expand(j2Others: j2o, signs: signs, m2: m2)
                    for a in terms {
                        for b in terms {
                            let e = Element(p: a.p, q: b.p, t: t, m2: a.m2, mp2: b.m2)
                            guard let i = sec.index(e) else { preconditionFailure("steady state outside charge 0") }
                            x[2 * i] += w * a.c * b.c
                        }
                    }
                }
            }
        }
        return x
    }

    // MARK: pair two-time function

    /// X₀ = B ρ for the left factor B = Σ weight · part (ρ in charge 0, X₀ in charge −1).
    func leftMultiply(_ parts: [(Part, Double)], _ rho: [Double], from s0: Sector, to s1: Sector) -> [Double] {
        var x = [Double](repeating: 0, count: 2 * s1.size)
        s0.forEachElement { i, e in
            let (vr, vi) = (rho[2 * i], rho[2 * i + 1])
            if vr == 0 && vi == 0 { return }
            for (part, weight) in parts {
                guard let (c, e1) = left(part, e) else { continue }
                guard let k = s1.index(e1) else { preconditionFailure("B ρ outside its sector") }
                x[2 * k] += weight * c * vr
                x[2 * k + 1] += weight * c * vi
            }
        }
        return x
    }

    /// Z_ab(τ) = ⟨(σ⁺_a(τ) + σ⁺_b(τ))(σ⁻_a(0) + σ⁻_b(0))⟩ of the steady state `rho` (charge 0) at `taus`
    /// by quantum regression: X(τ) = e^{Lτ} X₀ in the charge −1 sector, Z = Tr[O X(τ)]. With D = 2,
    /// X₀ = (σ⁻_0 + σ⁻_1)ρ and O = σ⁺_0 + σ⁺_1. With D = 1 permutation symmetry gives G_bb = G_aa and
    /// G_ab = ⟨σ⁺_a(τ) J⁻_O⟩/(N − 1), so X₀ = (σ⁻_0 + J⁻_O/(N − 1))ρ and O = 2σ⁺_0 (docs/physics.md §6.6).
    public func pairCorrelation(
        steadyState rho: [Double], sector s0: Sector, generator: Generator, taus: [Double],
        relativeTolerance: Double
    ) throws -> [Complex<Double>] {
        precondition(generator.sector.charge == -1 && n >= 2)
        let parts: [(Part, Double)] =
            distinguished == 2 ? [(.lower(0), 1), (.lower(1), 1)] : [(.lower(0), 1), (.lowerOthers, 1 / Double(n - 1))]
        let observe: [(Int, Double)] = distinguished == 2 ? [(0, 1), (1, 1)] : [(0, 2)]
        let x0 = leftMultiply(parts, rho, from: s0, to: generator.sector)
        let sec = generator.sector
        var z: [Complex<Double>] = []
        let scale = max(1e-300, x0.map(abs).max() ?? 1)
        try DormandPrince(relativeTolerance: relativeTolerance, absoluteTolerance: 1e-3 * relativeTolerance * scale)
            .integrate(
                from: 0, x0, to: taus,
                rhs: { _, y, dy in
                    y.withUnsafeBufferPointer { yp in dy.withUnsafeMutableBufferPointer { dp in generator.apply(yp, dp) } }
                },
                observe: { _, y in
                    let tr = sec.partialTrace(y)
                    var s = Complex<Double>.zero
                    // Tr[σ⁺_i X] = Σ_{p without i} Tr_O X^{p, p+i}.
                    for (i, w) in observe {
                        for p in 0..<sec.states where p & (1 << i) == 0 {
                            s = s + tr[p * sec.states + (p | 1 << i)] * Complex(w)
                        }
                    }
                    z.append(s)
                })
        return z
    }
}
