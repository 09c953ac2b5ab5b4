import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics

/// Quantum-state-diffusion trajectories (Gisin & Percival 1992; papers' appendix C) on the full
/// 2^N state vector (docs/physics.md §6.3):
///
///     dψ = −iH_eff ψ dt + Σ_k (⟨L_k⟩* L_k − ½|⟨L_k⟩|²) ψ dt + Σ_k (L_k − ⟨L_k⟩) ψ dξ_k,
///
/// with L = {√λ_μ J_μ⁻} ∪ {√W σ⁺_a} (∪ {√γ_nr σ⁻_a} ∪ {√(γ_φ/2) σᶻ_a} when those rates are nonzero:
/// every channel is monitored, docs/physics.md §6.5), complex Wiener increments E[dξ_k dξ_l*] = δ_kl dt,
/// E[dξ_k dξ_l] = 0. (QSD is invariant under unitary remixing of the L_k, so the choice of the
/// eigenvectors of f does not matter.) Along the way the conditional QFI F̄_Q(ψ) = (4/3) Σ_i Var(J_i)
/// is recorded (`BlockFisher.pureQFI`).
///
/// The schemes (`DiffusionScheme`). `milstein` (docs/physics.md §6.3.1): the normalized QSD state is, up
/// to a global phase, the normalized solution of the linear equation
/// dψ̃ = (−iH_eff + Σ_k ⟨L_k⟩* L_k) ψ̃ dt + Σ_k L_k ψ̃ dξ_k. A step of h freezes ⟨L_k⟩ at its start, forms the
/// linear generator G = −iH_eff h + Σ_k c_k L_k with c_k = ⟨L_k⟩* h + Δξ_k, and takes ψ ← (1 + G + ½G²)ψ,
/// normalized. Because dξ_k dξ_k = 0 for complex noise, ½G² holds the iterated integrals Σ_k L_k² I_kk exactly
/// and Σ_{k≠l} L_k L_l I_kl up to the Lévy-area term Σ_{k<l} [L_k, L_l] A_lk: Milstein's scheme (strong
/// order 1) whenever the channels commute, strong order ½ when they do not ([σ⁺_a, σ⁻_b] = δ_ab σᶻ_a); weak
/// order 1. `weak2` (docs/physics.md §6.3.3) adds to G the commutator terms Σ_{k<l} [L_k, L_l] A_lk with
/// Lévy-area surrogates of the right moments, the previous step's pending drift correction
/// ½h_prev(⟨L_k⟩ − ⟨L_k⟩_prev)* to c_k, and ⅙G³ to the Taylor polynomial: weak order 2.
struct DiffusionTrajectories {
    let engine: TrajectoryEngine
    let dt: Double
    var scheme: DiffusionScheme = .milstein

    /// Bytes of one trajectory's work arrays: six split vectors of 2^N and the sector copy for the QFI.
    static func bytes(n: Int) -> Int { 16 * (1 << n) * 8 }

    func run(start: Int, sampleTimes: [Double], averageFrom: Double, wantD: Bool, rng: inout SeededRandom) -> TrajectoryRecord {
        let n = engine.n
        let stepper = DiffusionStepper(engine: engine, scheme: scheme)
        stepper.setBasisState(start == 0 ? 0 : (1 << n) - 1)
        var t = 0.0
        var series: [[Double]] = []
        var pAvg = [Double](repeating: 0, count: n)
        var qAvg = 0.0
        var nAvg = 0
        for target in sampleTimes {
            while t < target - 1e-12 {
                let h = min(dt, target - t)
                stepper.step(h: h, increments: stepper.drawIncrements(h: h, rng: &rng))
                t += h
            }
            let s = stepper.sample()
            series.append([n > 1 ? s.z2 / Double(n * (n - 1)) : 0, s.inversion / Double(2 * n), s.qfi])
            if target >= averageFrom - 1e-12 {
                for a in 0..<n { pAvg[a] += s.populations[a] }
                qAvg += s.qfi
                nAvg += 1
            }
        }
        // Only the populations (the diagonal of C_ab) are averaged: the diffusion results use F̄_Q and
        // the series; the off-diagonal C_ab of every sample would cost N²·2^N each.
        var cAvg = [Complex<Double>](repeating: .zero, count: n * n)
        if nAvg > 0 {
            let s = 1 / Double(nAvg)
            for a in 0..<n { cAvg[a * n + a] = Complex(pAvg[a] * s) }
            qAvg *= s
        }
        return TrajectoryRecord(c: cAvg, d: [], series: series, qfi: qAvg)
    }
}

extension DiffusionScheme {
    /// The cost of a step relative to `milstein`'s (measured at N = 16 in benchmarks/exact.sh: `weak2` applies
    /// the generator three times instead of twice and adds the σᶻ table, 1.6×; docs/physics.md §6.3.3).
    var relativeStepCost: Double { self == .weak2 ? 1.6 : 1 }
}

/// The increments of one step: a complex Wiener increment per channel (E|Δξ_k|² = h) and, for
/// `DiffusionScheme.weak2`, one Lévy-area surrogate A_lk = ½(I_lk − I_kl) per non-commuting channel
/// pair k < l of `DiffusionStepper.pairs` (E|A|² = h²/4 like the true area, docs/physics.md §6.3.3).
struct DiffusionIncrements {
    var xi: [Complex<Double>]
    var areas: [Complex<Double>]
}

/// One trajectory's state and work vectors, and the step of `DiffusionTrajectories` (see there).
/// Channels, in the order of their increments: √λ_μ J⁻_μ (μ = 0..<N), √W σ⁺_a, then √γ_nr σ⁻_a and
/// √(γ_φ/2) σᶻ_a when those rates are nonzero.
final class DiffusionStepper {
    let engine: TrajectoryEngine
    let n: Int
    let dim: Int
    let scheme: DiffusionScheme
    /// −i times the diagonal of H_eff at basis state m (with −κ·popcount(m) folded in when collective).
    private let dRe: [Double], dIm: [Double]
    /// −iκ when K_ac = κ for all a ≠ c (then Σ_{a≠c} K_ac σ⁺_a σ⁻_c = κ(J⁺J⁻ − Σ_a n_a)); else nil.
    private let collective: Complex<Double>?
    /// −i K_ac (general couplings).
    private let hopping: [Complex<Double>]
    private let sq: [Double], sw: Double, snr: Double, sphi: Double
    private let hasNR: Bool, hasPhi: Bool
    let channels: Int
    /// The non-commuting channel pairs k < l and their commutators [L_k, L_l] = coefficient · O_dipole,
    /// O one of σᶻ, σ⁻, σ⁺ (docs/physics.md §6.3.3); empty for `milstein`.
    let pairs: [Pair]
    struct Pair {
        enum Operator { case z, lowering, raising }
        let k: Int, l: Int, dipole: Int, op: Operator, coefficient: Double
    }
    /// `weak2`: the channel means at the start of the previous step and its length (the pending half-step
    /// correction ½h_prev(⟨L⟩ − ⟨L⟩_prev)* of its drift is applied in the next step); nil after a reset.
    private var previous: (means: [Complex<Double>], h: Double)?
    private let buffer: UnsafeMutablePointer<Double>
    private var psiRe: UnsafeMutablePointer<Double> { buffer }
    private var psiIm: UnsafeMutablePointer<Double> { buffer + dim }
    private var y1Re: UnsafeMutablePointer<Double> { buffer + 2 * dim }
    private var y1Im: UnsafeMutablePointer<Double> { buffer + 3 * dim }
    private var y2Re: UnsafeMutablePointer<Double> { buffer + 4 * dim }
    private var y2Im: UnsafeMutablePointer<Double> { buffer + 5 * dim }
    private var tRe: UnsafeMutablePointer<Double> { buffer + 6 * dim }
    private var tIm: UnsafeMutablePointer<Double> { buffer + 7 * dim }
    private var zRe: UnsafeMutablePointer<Double> { buffer + 8 * dim }
    private var zIm: UnsafeMutablePointer<Double> { buffer + 9 * dim }

    init(engine: TrajectoryEngine, scheme: DiffusionScheme = .milstein) {
        self.engine = engine
        self.scheme = scheme
        n = engine.n
        dim = 1 << n
        let model = engine.model
        var kappa: Complex<Double>? = n > 1 ? engine.kmat[1] : nil
        for a in 0..<n { for c in 0..<n where c != a && engine.kmat[a * n + c] != kappa { kappa = nil } }
        collective = kappa.map { Complex($0.imaginary, -$0.real) }
        hopping = kappa == nil ? engine.kmat.map { Complex($0.imaginary, -$0.real) } : []
        var re = [Double](repeating: 0, count: dim), im = re
        for m in 0..<dim {
            var d = BlockLiouvillian.diagonal(mask: m, model: model)
            if let kappa { d = d - Complex(Double(m.nonzeroBitCount)) * kappa }
            re[m] = d.imaginary; im[m] = -d.real
        }
        dRe = re; dIm = im
        sq = engine.lambda.map { $0.squareRoot() }
        sw = model.pump.squareRoot()
        snr = model.nonradiativeDecay.squareRoot()
        sphi = (0.5 * model.dephasing).squareRoot()
        hasNR = model.nonradiativeDecay != 0
        hasPhi = model.dephasing != 0
        channels = 2 * n + (hasNR ? n : 0) + (hasPhi ? n : 0)
        pairs = scheme == .weak2 ? Self.commutators(engine: engine, hasNR: hasNR, hasPhi: hasPhi) : []
        buffer = .allocate(capacity: 10 * dim)
        buffer.initialize(repeating: 0, count: 10 * dim)
    }

    deinit { buffer.deallocate() }

    /// The nonzero commutators of the channels (docs/physics.md §6.3.3), with E_μ = √λ_μ Σ_b v_μb σ⁻_b,
    /// P_a = √W σ⁺_a, R_a = √γ_nr σ⁻_a, Z_a = √(γ_φ/2) σᶻ_a and [σ⁺, σ⁻] = σᶻ, [σᶻ, σ^±] = ±2σ^±:
    /// [E_μ, P_a] = −√(λ_μW) v_μa σᶻ_a, [P_a, R_a] = √(Wγ_nr) σᶻ_a, [E_μ, Z_a] = 2√(λ_μγ_φ/2) v_μa σ⁻_a,
    /// [P_a, Z_a] = −2√(Wγ_φ/2) σ⁺_a, [R_a, Z_a] = 2√(γ_nrγ_φ/2) σ⁻_a.
    static func commutators(engine e: TrajectoryEngine, hasNR: Bool, hasPhi: Bool) -> [Pair] {
        let n = e.n, m = e.model
        let sq = e.lambda.map { $0.squareRoot() }, sw = m.pump.squareRoot()
        let snr = m.nonradiativeDecay.squareRoot(), sphi = (0.5 * m.dephasing).squareRoot()
        let nrBase = 2 * n, phiBase = nrBase + (hasNR ? n : 0)
        var list: [Pair] = []
        func add(_ k: Int, _ l: Int, _ a: Int, _ op: Pair.Operator, _ c: Double) {
            if c != 0 { list.append(Pair(k: k, l: l, dipole: a, op: op, coefficient: c)) }
        }
        for mu in 0..<n { for a in 0..<n { add(mu, n + a, a, .z, -sq[mu] * sw * e.vectors[mu * n + a]) } }
        if hasNR { for a in 0..<n { add(n + a, nrBase + a, a, .z, sw * snr) } }
        if hasPhi {
            for mu in 0..<n { for a in 0..<n { add(mu, phiBase + a, a, .lowering, 2 * sq[mu] * sphi * e.vectors[mu * n + a]) } }
            for a in 0..<n { add(n + a, phiBase + a, a, .raising, -2 * sw * sphi) }
            if hasNR { for a in 0..<n { add(nrBase + a, phiBase + a, a, .lowering, 2 * snr * sphi) } }
        }
        return list
    }

    func setBasisState(_ m: Int) {
        for i in 0..<(2 * dim) { buffer[i] = 0 }
        psiRe[m] = 1
        previous = nil
    }

    /// The state as (re, im) arrays of 2^N (index: the mask of excited dipoles).
    var state: (re: [Double], im: [Double]) {
        (Array(UnsafeBufferPointer(start: psiRe, count: dim)), Array(UnsafeBufferPointer(start: psiIm, count: dim)))
    }

    /// Sets a normalized state (re, im of 2^N).
    func setState(re: [Double], im: [Double]) {
        for m in 0..<dim { psiRe[m] = re[m]; psiIm[m] = im[m] }
        previous = nil
    }

    /// Complex Wiener increments of every channel over h (E|Δξ|² = h), in channel order, then for `weak2`
    /// the area surrogates (h/2)(±1 ± i)/√2 of `pairs` (two random bits each).
    func drawIncrements(h: Double, rng: inout SeededRandom) -> DiffusionIncrements {
        let sh = (h / 2).squareRoot()
        let xi = (0..<channels).map { _ in
            let re = sh * rng.normal()
            return Complex(re, sh * rng.normal())
        }
        var areas: [Complex<Double>] = []
        if !pairs.isEmpty {
            let s = 0.5 * h * 0.5.squareRoot()
            areas.reserveCapacity(pairs.count)
            var bits: UInt64 = 0, left = 0
            for _ in pairs {
                if left == 0 { bits = rng.next(); left = 32 }
                areas.append(Complex(bits & 1 == 0 ? s : -s, bits & 2 == 0 ? s : -s))
                bits >>= 2; left -= 1
            }
        }
        return DiffusionIncrements(xi: xi, areas: areas)
    }

    /// The increments of two consecutive steps as one (Chen's relation): Δξ = Δξ¹ + Δξ², and
    /// A_lk = A¹_lk + A²_lk + ½(Δξ¹_l Δξ²_k − Δξ¹_k Δξ²_l) for every pair.
    func concatenate(_ a: DiffusionIncrements, _ b: DiffusionIncrements) -> DiffusionIncrements {
        var areas = a.areas
        for (p, pair) in pairs.enumerated() {
            let cross = a.xi[pair.l] * b.xi[pair.k] - a.xi[pair.k] * b.xi[pair.l]
            areas[p] = areas[p] + b.areas[p] + Complex(0.5) * cross
        }
        return DiffusionIncrements(xi: zip(a.xi, b.xi).map { $0 + $1 }, areas: areas)
    }

    /// The channel means ⟨L_k⟩ of the normalized state, in channel order.
    private func means() -> [Complex<Double>] {
        let e = engine
        let sm = SpinKernels.lowering(psiRe, psiIm, n: n)   // ⟨σ⁻_b⟩, ψ normalized
        var m = [Complex<Double>](repeating: .zero, count: channels)
        for mu in 0..<n {
            var mean = Complex<Double>.zero
            for b in 0..<n { mean = mean + Complex(e.vectors[mu * n + b]) * sm[b] }
            m[mu] = Complex(sq[mu]) * mean
        }
        for a in 0..<n { m[n + a] = Complex(sw) * sm[a].conjugate }   // ⟨√W σ⁺_a⟩
        var ch = 2 * n
        if hasNR { for a in 0..<n { m[ch + a] = Complex(snr) * sm[a] }; ch += n }
        if hasPhi {
            let p = SpinKernels.populations(psiRe, psiIm, n: n).p
            for a in 0..<n { m[ch + a] = Complex(sphi * (2 * p[a] - 1)) }   // ⟨√(γ_φ/2) σᶻ_a⟩, real
        }
        return m
    }

    /// One step of h with the given increments.
    func step(h: Double, increments: DiffusionIncrements) {
        let e = engine
        let xi = increments.xi
        let mean = means()
        // c_k = ⟨L_k⟩* h (+ ½h_prev(⟨L_k⟩ − ⟨L_k⟩_prev)* for weak2) + Δξ_k.
        var c = [Complex<Double>](repeating: .zero, count: channels)
        if scheme == .weak2, let previous {
            let half = Complex(0.5 * previous.h)
            for k in 0..<channels { c[k] = (mean[k].conjugate * Complex(h) + half * (mean[k] - previous.means[k]).conjugate) + xi[k] }
        } else {
            for k in 0..<channels { c[k] = mean[k].conjugate * Complex(h) + xi[k] }
        }
        if scheme == .weak2 { previous = (mean, h) }
        var alpha = [Complex<Double>](repeating: .zero, count: n)   // multiplies σ⁻_b
        var beta = [Complex<Double>](repeating: .zero, count: n)   // multiplies σ⁺_a
        var zeta = [Complex<Double>](repeating: .zero, count: n)   // multiplies σᶻ_a
        for mu in 0..<n {
            for b in 0..<n { alpha[b] = alpha[b] + c[mu] * Complex(sq[mu] * e.vectors[mu * n + b]) }
        }
        for a in 0..<n { beta[a] = c[n + a] * Complex(sw) }
        var ch = 2 * n
        if hasNR {
            for a in 0..<n { alpha[a] = alpha[a] + c[ch + a] * Complex(snr) }
            ch += n
        }
        if hasPhi { for a in 0..<n { zeta[a] = c[ch + a] * Complex(sphi) } }
        // Σ_{k<l} [L_k, L_l] A_lk (docs/physics.md §6.3.3).
        for (p, pair) in pairs.enumerated() {
            let t = Complex(pair.coefficient) * increments.areas[p]
            switch pair.op {
            case .z: zeta[pair.dipole] = zeta[pair.dipole] + t
            case .lowering: alpha[pair.dipole] = alpha[pair.dipole] + t
            case .raising: beta[pair.dipole] = beta[pair.dipole] + t
            }
        }
        prepareDiagonal(h: h, zeta: hasPhi || !pairs.isEmpty ? zeta : nil)
        apply(h: h, alpha: alpha, beta: beta, from: (psiRe, psiIm), to: (y1Re, y1Im))
        apply(h: h, alpha: alpha, beta: beta, from: (y1Re, y1Im), to: (y2Re, y2Im))
        var nn = 0.0
        for m in 0..<dim {
            let r = psiRe[m] + y1Re[m] + 0.5 * y2Re[m], i = psiIm[m] + y1Im[m] + 0.5 * y2Im[m]
            psiRe[m] = r; psiIm[m] = i
        }
        if scheme == .weak2 {   // + ⅙G³ψ (docs/physics.md §6.3.3)
            apply(h: h, alpha: alpha, beta: beta, from: (y2Re, y2Im), to: (y1Re, y1Im))
            let sixth = 1.0 / 6
            for m in 0..<dim { psiRe[m] += sixth * y1Re[m]; psiIm[m] += sixth * y1Im[m] }
        }
        nn = SpinKernels.normSquared(psiRe, psiIm, count: dim)
        let s = 1 / nn.squareRoot()
        for m in 0..<dim { psiRe[m] *= s; psiIm[m] *= s }
    }

    /// G x for given α, β (no dephasing channel) — for tests of the kernels against `TrajectoryEngine.derivative`.
    func generator(h: Double, alpha: [Complex<Double>], beta: [Complex<Double>], re: [Double], im: [Double]) -> (re: [Double], im: [Double]) {
        for m in 0..<dim { y2Re[m] = re[m]; y2Im[m] = im[m] }
        prepareDiagonal(h: h, zeta: nil)
        apply(h: h, alpha: alpha, beta: beta, from: (y2Re, y2Im), to: (y1Re, y1Im))
        return (Array(UnsafeBufferPointer(start: y1Re, count: dim)), Array(UnsafeBufferPointer(start: y1Im, count: dim)))
    }

    /// The diagonal of G for this step, (−iH_eff h + Σ_a ζ_a σᶻ_a)(m), into the table z (which first holds
    /// Σ_a ±ζ_a): computed once and read by the step's two or three applications of G.
    private func prepareDiagonal(h: Double, zeta: [Complex<Double>]?) {
        let (zr, zi) = (zRe, zIm)
        dRe.withUnsafeBufferPointer { dr in
            dIm.withUnsafeBufferPointer { di in
                if let zeta {
                    SpinKernels.signedSum(zeta, n: n, re: zr, im: zi)
                    for m in 0..<dim {
                        zr[m] = h * dr[m] + zr[m]
                        zi[m] = h * di[m] + zi[m]
                    }
                } else {
                    for m in 0..<dim {
                        zr[m] = h * dr[m]
                        zi[m] = h * di[m]
                    }
                }
            }
        }
    }

    /// out = G x, G = −iH_eff h + Σ_b α_b σ⁻_b + Σ_a β_a σ⁺_a (+ Σ_a ζ_a σᶻ_a), the diagonal from the table z
    /// of `prepareDiagonal`.
    private func apply(
        h: Double, alpha: [Complex<Double>], beta: [Complex<Double>],
        from x: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>),
        to out: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    ) {
        let (xr, xi) = x, (or, oi) = out
        // out = (diagonal of G) x on [start, end).
        let (zr, zi) = (UnsafePointer(zRe), UnsafePointer(zIm))
        func diagonalPass(_ start: Int, _ end: Int) {
            for m in start..<end {
                let ar = zr[m], ai = zi[m]
                or[m] = ar * xr[m] - ai * xi[m]
                oi[m] = ar * xi[m] + ai * xr[m]
            }
        }
        if let collective {
            // The diagonal and the zeroing of t = J⁻x run block by block just before the lowering pass reads
            // the block (`SpinKernels.passes`): every amplitude gets the same operations in the same order.
            let (tr, ti) = (tRe, tIm)
            SpinKernels.addLowering(alpha, xr, xi, into: or, oi, sum: (tr, ti), n: n) { start, end in
                diagonalPass(start, end)
                for m in start..<end { tr[m] = 0; ti[m] = 0 }
            }
            SpinKernels.addRaising(
                beta, xr, xi, collective: (collective * Complex(h), UnsafePointer(tr), UnsafePointer(ti)), into: or, oi, n: n)
        } else {
            diagonalPass(0, dim)
            SpinKernels.addHopping(hopping.map { $0 * Complex(h) }, xr, xi, into: or, oi, n: n)
            SpinKernels.addLowering(alpha, xr, xi, into: or, oi, sum: nil, n: n)
            SpinKernels.addRaising(beta, xr, xi, collective: nil, into: or, oi, n: n)
        }
    }

    /// What a sample records: populations ⟨n_a⟩, Z = Σ_{a≠b} Re C_ab = ‖J⁻ψ‖² − Σ_a ⟨n_a⟩,
    /// Σ_a ⟨σᶻ_a⟩ and F̄_Q(ψ).
    func sample() -> (populations: [Double], z2: Double, inversion: Double, qfi: Double) {
        let p = SpinKernels.populations(psiRe, psiIm, n: n).p
        for m in 0..<dim { tRe[m] = 0; tIm[m] = 0 }
        SpinKernels.addLowering(
            [Complex<Double>](repeating: .zero, count: n), psiRe, psiIm, into: y1Re, y1Im, sum: (tRe, tIm), n: n)
        let jj = SpinKernels.normSquared(tRe, tIm, count: dim)
        let pSum = p.reduce(0, +)
        let basis = engine.basis
        let sectors = (0...n).map { k in
            basis.states[k].map { Complex(psiRe[Int($0)], psiIm[Int($0)]) }
        }
        return (p, jj - pSum, 2 * pSum - Double(n), BlockFisher.pureQFI(sectors: sectors, basis: basis))
    }
}

extension DiffusionTrajectories {
    /// One Brownian path integrated at `levels` step sizes h, h/2, …, h/2^(levels−1) (the finest
    /// level draws the increments, coarser levels join them by `DiffusionStepper.concatenate`: the sums of
    /// the Δξ, and Chen's relation for the areas of `weak2`), for convergence studies in the step:
    /// per level, F̄_Q time-averaged over the samples at multiples of `sampleEvery`·h from
    /// `averageFrom` to `time`, the final ⟨σᶻ⟩ summed over dipoles, and the final state (re, im).
    static func refinement(
        engine: TrajectoryEngine, start: Int, time: Double, averageFrom: Double, step h: Double, sampleEvery: Int,
        levels: Int, scheme: DiffusionScheme = .milstein, rng: inout SeededRandom
    ) -> [(qfi: Double, inversion: Double, state: (re: [Double], im: [Double]))] {
        let n = engine.n
        let steppers = (0..<levels).map { _ in DiffusionStepper(engine: engine, scheme: scheme) }
        for s in steppers { s.setBasisState(start == 0 ? 0 : (1 << n) - 1) }
        let fine = 1 << (levels - 1)
        let coarseSteps = Int((time / h).rounded())
        var sums = [DiffusionIncrements?](repeating: nil, count: levels)
        var qfi = [Double](repeating: 0, count: levels)
        var count = 0
        let hf = h / Double(fine)
        for i in 0..<coarseSteps {
            for j in 0..<fine {
                let xi = steppers[levels - 1].drawIncrements(h: hf, rng: &rng)
                for l in 0..<levels {
                    let joined = sums[l].map { steppers[l].concatenate($0, xi) } ?? xi
                    let per = 1 << (levels - 1 - l)   // fine steps per step of level l
                    if (j + 1) % per == 0 {
                        steppers[l].step(h: h / Double(1 << l), increments: joined)
                        sums[l] = nil
                    } else {
                        sums[l] = joined
                    }
                }
            }
            if (i + 1) % sampleEvery == 0 && Double(i + 1) * h >= averageFrom - 1e-12 {
                for l in 0..<levels { qfi[l] += steppers[l].sample().qfi }
                count += 1
            }
        }
        return (0..<levels).map { l in
            (count > 0 ? qfi[l] / Double(count) : .nan, steppers[l].sample().inversion, steppers[l].state)
        }
    }
}

extension ExactBackend {
    /// The step-size study of `qfi-conditional` (benchmarks/exact.sh): trajectories 0..<count of the
    /// request's first point, each one Brownian path at the diffusion step h and at h/2, …, h/2^(levels−1);
    /// per trajectory and level, F̄_Q time-averaged over samples 0.1/Γ apart after `averageFrom`. The
    /// random streams are the request's, so the finest level is not the production trajectory.
    public func diffusionStepStudy(
        _ request: SolveRequest, time: Double, averageFrom: Double, levels: Int, count: Int
    ) throws -> [[Double]] {
        let scheme = request.settings.trajectories.diffusionScheme
        let basis = SectorBasis(n: request.model.count)
        let engine = try TrajectoryEngine(model: request.model, basis: basis)
        let h = diffusionStep(engine.rateScale, request)
        let every = max(1, Int((0.1 / h).rounded()))
        let start = request.initial == .excited ? request.model.count : 0
        return try parallelMap(count: count, threads: request.threads) { j in
            var rng = SeededRandom(seed: request.seed, stream: [UInt64(request.pointIndex), UInt64(j), 0x5DE9])
            return DiffusionTrajectories.refinement(
                engine: engine, start: start, time: time, averageFrom: averageFrom, step: h, sampleEvery: every,
                levels: levels, scheme: scheme, rng: &rng
            ).map(\.qfi)
        }
    }
}
