import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// The pieces of the master equation that trajectories need, applied matrix-free on state vectors
/// of one sector (C(N,k) amplitudes):
///
///     H_eff = ½ Σ δ_a σᶻ_a + Σ_{a≠c} K_ac σ⁺_a σ⁻_c − (i/2) Σ_a (f_aa n_a + W(1 − n_a)),  K = ½(g − i f),
///     collective jumps √λ_μ J_μ⁻, J_μ⁻ = Σ_b v_μb σ⁻_b with f = Σ_μ λ_μ v_μ v_μᵀ (docs/physics.md §6.2),
///     pump jumps √W σ⁺_a,
///     and when their rates are nonzero (docs/physics.md §6.5) local non-radiative jumps √γ_nr σ⁻_a and
///     dephasing jumps √(γ_φ/2) σᶻ_a, whose anti-Hermitian parts −(i/2) γ_nr n_a and −(i/4) γ_φ are in H_eff's
///     diagonal (`BlockLiouvillian.diagonal`).
final class TrajectoryEngine: @unchecked Sendable {
    let basis: SectorBasis
    let n: Int
    let model: DipoleModel
    let diag: [[Complex<Double>]]
    let kmat: [Complex<Double>]   // K_ac, row-major a·N + c, zero diagonal
    let lambda: [Double]   // eigenvalues of f (clamped at 0)
    let vectors: [Double]   // v_μb at μ·N + b
    let raising: [RaisingList]
    let rateScale: Double

    init(model: DipoleModel, basis: SectorBasis) throws {
        self.basis = basis
        n = basis.n
        self.model = model
        var dg: [[Complex<Double>]] = []
        for k in 0...n { dg.append(basis.states[k].map { BlockLiouvillian.diagonal(mask: Int($0), model: model) }) }
        diag = dg
        var km = [Complex<Double>](repeating: .zero, count: n * n)
        for a in 0..<n {
            for c in 0..<n where c != a { km[a * n + c] = Complex(0.5 * model.g[a, c], -0.5 * model.f[a, c]) }
        }
        kmat = km
        rateScale = Self.rateScale(model)
        // Plain-Swift Jacobi, not LAPACK: the jump operators must be the same bits for any BLAS threading.
        let (w, v) = Self.jacobiEigen(model.f)
        guard w.allSatisfy(\.isFinite), v.allSatisfy(\.isFinite) else {
            throw BackendError.numerical("the rate matrix f has non-finite entries or eigenvectors")
        }
        lambda = w.map { max($0, 0) }
        vectors = v
        raising = (0...n).map { RaisingList(basis: basis, sector: $0) }
    }

    /// The rate scale of H_eff that sets the diffusion step (`ExactBackend.diffusionStep`): the largest
    /// of Γ, W and the dipoles' `dipoleRate`s (docs/physics.md §6.3.1, §6.5).
    static func rateScale(_ model: DipoleModel) -> Double {
        let n = model.count
        var scale = max(model.gamma, model.pump)
        for a in 0..<n {
            var row = 0.0
            for c in 0..<n where c != a { row += Complex(0.5 * model.g[a, c], -0.5 * model.f[a, c]).length }
            scale = max(
                scale,
                dipoleRate(
                    couplingRow: row, n: n, detuning: model.detunings[a], selfDecay: model.f[a, a], pump: model.pump,
                    nonradiativeDecay: model.nonradiativeDecay, dephasing: model.dephasing))
        }
        return scale
    }

    /// Dipole a's term of the rate scale: (N/2) Σ_{c≠a} |K_ac| + |δ_a| + f_aa + W (+ γ_nr + γ_φ when either
    /// is nonzero, docs/physics.md §6.5), `couplingRow` = Σ_{c≠a} |K_ac|. The one formula of the step's rate:
    /// `rateScale` and the planner's `ExactBackend.diffusionEstimate` both use it.
    static func dipoleRate(
        couplingRow: Double, n: Int, detuning: Double, selfDecay: Double, pump: Double, nonradiativeDecay: Double,
        dephasing: Double
    ) -> Double {
        var local = couplingRow * Double(n) / 2 + abs(detuning) + selfDecay + pump
        if nonradiativeDecay != 0 || dephasing != 0 { local += nonradiativeDecay + dephasing }
        return local
    }

    /// out = −i H_eff ψ for ψ in sector k.
    func derivative(_ psi: UnsafePointer<Complex<Double>>, _ out: UnsafeMutablePointer<Complex<Double>>, sector k: Int) {
        let st = basis.states[k]
        let n = self.n
        diag[k].withUnsafeBufferPointer { dg in
            kmat.withUnsafeBufferPointer { km in
                basis.index.withUnsafeBufferPointer { ix in
                    for i in 0..<st.count {
                        let m = Int(st[i])
                        var acc = dg[i] * psi[i]
                        var up = m
                        while up != 0 {
                            let a = up.trailingZeroBitCount
                            up &= up - 1
                            var down = ~m & ((1 << n) - 1)
                            while down != 0 {
                                let c = down.trailingZeroBitCount
                                down &= down - 1
                                acc = acc + km[a * n + c] * psi[Int(ix[m ^ (1 << a) ^ (1 << c)])]
                            }
                        }
                        out[i] = Complex(acc.imaginary, -acc.real)
                    }
                }
            }
        }
    }

    /// C_ab = ⟨ψ|σ⁺_a σ⁻_b|ψ⟩/⟨ψ|ψ⟩ (populations on the diagonal) and, if asked, D_ab = ⟨σᶻ_a σᶻ_b⟩.
    func moments(_ psi: [Complex<Double>], sector k: Int, wantD: Bool) -> (c: [Complex<Double>], d: [Double]) {
        let n = self.n
        var c = [Complex<Double>](repeating: .zero, count: n * n)
        var d = [Double](repeating: 0, count: wantD ? n * n : 0)
        var norm = 0.0
        let st = basis.states[k]
        for j in 0..<st.count {
            let m = Int(st[j])
            let pj = psi[j]
            let w = pj.lengthSquared
            norm += w
            var bits = m
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                bits &= bits - 1
                c[b * n + b] = c[b * n + b] + Complex(w)
                var down = ~m & ((1 << n) - 1)
                while down != 0 {
                    let a = down.trailingZeroBitCount
                    down &= down - 1
                    // ρ[j, i] = ψ_j ψ_i*, i = j − b + a.
                    let i = Int(basis.index[m ^ (1 << a) ^ (1 << b)])
                    c[a * n + b] = c[a * n + b] + pj * psi[i].conjugate
                }
            }
            if wantD {
                for a in 0..<n {
                    let sa: Double = m & (1 << a) != 0 ? w : -w
                    for b in 0..<n { d[a * n + b] += m & (1 << b) != 0 ? sa : -sa }
                }
            }
        }
        if norm > 0 {
            for i in c.indices { c[i] = Complex(c[i].real / norm, c[i].imaginary / norm) }
            for i in d.indices { d[i] /= norm }
        }
        return (c, d)
    }
}

/// What one trajectory contributes: time- or sample-resolved averages.
struct TrajectoryRecord: Sendable {
    /// Time-averaged (steady state) or final (evolution) C_ab and D_ab.
    var c: [Complex<Double>]
    var d: [Double]
    /// Per sample: (Z_Q², inversion[, QFI]).
    var series: [[Double]]
    /// Time-averaged QFI (diffusion only).
    var qfi: Double = 0
    var jumps: Int = 0
}

/// Quantum-jump (Monte-Carlo wave-function) trajectories in definite excitation-number sectors
/// (Dalibard, Castin & Mølmer 1992; docs/physics.md §6.2): the unnormalized state follows dψ/dt = −iH_eff ψ
/// (Krylov exponentials, `KrylovPropagator`, relative error `tolerance` per step) until ‖ψ‖² falls to a
/// uniform random r, the waiting time being solved for in the Krylov space; the jump is drawn from the
/// rates λ_μ ‖J_μ⁻ψ‖² = λ_μ v_μᵀ C v_μ and W⟨1 − n_a⟩. Every trajectory draws from
/// SeededRandom(seed, [point, trajectory]).
struct JumpTrajectories {
    let engine: TrajectoryEngine
    let tolerance: Double

    /// Runs one trajectory from sector `start` (0 = ground, N = excited) and records moments at `sampleTimes`.
    /// `average` picks time averages over the samples at or after `averageFrom`; otherwise the last sample's
    /// moments are kept.
    func run(start: Int, sampleTimes: [Double], averageFrom: Double, wantD: Bool, rng: inout SeededRandom) throws
        -> TrajectoryRecord
    {
        let e = engine
        let n = e.n
        var k = start
        var psi = [Complex<Double>](repeating: .zero, count: e.basis.dimension(k))
        psi[0] = .one
        var t = 0.0
        var r = rng.uniform()
        var cAvg = [Complex<Double>](repeating: .zero, count: n * n)
        var dAvg = [Double](repeating: 0, count: wantD ? n * n : 0)
        var nAvg = 0
        var series: [[Double]] = []
        var jumps = 0
        let krylov = KrylovPropagator(engine: e, tolerance: max(tolerance, 1e-12))
        let workspace = KrylovPropagator.Workspace(engine: e, mMax: krylov.maxDimension)
        for target in sampleTimes {
            while t < target {
                let step = krylov.advance(&psi, sector: k, from: t, to: target, threshold: r, workspace: workspace)
                t = step.t
                guard step.crossed else { continue }
                (psi, k) = jump(psi, sector: k, rng: &rng)
                jumps += 1
                r = rng.uniform()
            }
            let (c, d) = e.moments(psi, sector: k, wantD: wantD)
            var z2 = 0.0, inv = 0.0
            for a in 0..<n {
                inv += 2 * c[a * n + a].real - 1
                for b in 0..<n where b != a { z2 += c[a * n + b].real }
            }
            series.append([n > 1 ? z2 / Double(n * (n - 1)) : 0, inv / Double(2 * n)])
            if target >= averageFrom - 1e-12 {
                for i in cAvg.indices { cAvg[i] = cAvg[i] + c[i] }
                for i in dAvg.indices { dAvg[i] += d[i] }
                nAvg += 1
            }
        }
        if nAvg > 0 {
            for i in cAvg.indices { cAvg[i] = Complex(cAvg[i].real / Double(nAvg), cAvg[i].imaginary / Double(nAvg)) }
            for i in dAvg.indices { dAvg[i] /= Double(nAvg) }
        }
        return TrajectoryRecord(c: cAvg, d: dAvg, series: series, jumps: jumps)
    }

    /// Applies a jump drawn from the rates of the (unnormalized) state; returns the normalized state.
    /// Rates: collective μ at 0..<N, pump a at N + a, then (only when the rates are nonzero, docs/physics.md
    /// §6.5) non-radiative a at `nrBase` + a, rate γ_nr⟨n_a⟩, and dephasing a at `phiBase` + a, rate γ_φ/2.
    func jump(_ psi: [Complex<Double>], sector k: Int, rng: inout SeededRandom) -> ([Complex<Double>], Int) {
        let e = engine
        let n = e.n
        let (c, _) = e.moments(psi, sector: k, wantD: false)
        let nr = e.model.nonradiativeDecay, phi = e.model.dephasing
        let nrBase = 2 * n
        let phiBase = nrBase + (nr != 0 ? n : 0)
        var rates = [Double](repeating: 0, count: phiBase + (phi != 0 ? n : 0))
        if k > 0 {
            for mu in 0..<n where e.lambda[mu] > 0 {
                var s = 0.0
                for a in 0..<n {
                    for b in 0..<n {
                        s += e.vectors[mu * n + a] * e.vectors[mu * n + b] * c[a * n + b].real
                    }
                }
                rates[mu] = e.lambda[mu] * max(s, 0)
            }
        }
        if k < n && e.model.pump > 0 {
            for a in 0..<n { rates[n + a] = e.model.pump * max(0, 1 - c[a * n + a].real) }
        }
        if nr != 0 && k > 0 {
            for a in 0..<n { rates[nrBase + a] = nr * max(0, c[a * n + a].real) }
        }
        if phi != 0 {
            for a in 0..<n { rates[phiBase + a] = 0.5 * phi }
        }
        let total = rates.reduce(0, +)
        guard total > 0 else { return (psi, k) }
        var u = rng.uniform() * total
        var choice = rates.count - 1
        for i in rates.indices { if u < rates[i] { choice = i; break }; u -= rates[i] }
        var out: [Complex<Double>]
        var newK: Int
        if choice >= phiBase && phi != 0 {   // (choice ≥ nrBase only when a term is on)
            // σᶻ_a ψ: the same sector, the sign of the amplitudes with dipole a down flipped.
            let a = choice - phiBase
            let st = e.basis.states[k]
            newK = k
            out = psi
            for i in 0..<out.count where Int(st[i]) & (1 << a) == 0 { out[i] = Complex(-out[i].real, -out[i].imaginary) }
        } else if choice >= nrBase {
            // σ⁻_a ψ in sector k−1: (σ⁻_aψ)[i] = ψ[i + a] for a ∉ i (its rate vanishes at k = 0).
            guard k > 0 else { return (psi, k) }
            let a = choice - nrBase
            newK = k - 1
            let st = e.basis.states[newK]
            out = [Complex<Double>](repeating: .zero, count: e.basis.dimension(newK))
            for i in 0..<out.count where Int(st[i]) & (1 << a) == 0 {
                out[i] = psi[Int(e.basis.index[Int(st[i]) | (1 << a)])]
            }
        } else if choice < n {
            // J_μ⁻ψ in sector k−1: (Jψ)[i] = Σ_{b∉i} v_μb ψ[i + b].
            newK = k - 1
            let rl = e.raising[newK]
            out = [Complex<Double>](repeating: .zero, count: e.basis.dimension(newK))
            for i in 0..<out.count {
                var s = Complex<Double>.zero
                for t in 0..<rl.width {
                    let b = Int(rl.bit[i * rl.width + t])
                    s = s + Complex(e.vectors[choice * n + b]) * psi[Int(rl.target[i * rl.width + t])]
                }
                out[i] = s
            }
        } else {
            // σ⁺_a ψ in sector k+1: (σ⁺_aψ)[i] = ψ[i − a] for a ∈ i.
            let a = choice - n
            newK = k + 1
            let low = e.basis.lower[newK]
            out = [Complex<Double>](repeating: .zero, count: e.basis.dimension(newK))
            for i in 0..<out.count { let q = Int(low[i * n + a]); if q >= 0 { out[i] = psi[q] } }
        }
        var nn = 0.0
        for z in out { nn += z.lengthSquared }
        guard nn > 0 else { return (psi, k) }
        let s = 1 / nn.squareRoot()
        for i in out.indices { out[i] = Complex(out[i].real * s, out[i].imaginary * s) }
        return (out, newK)
    }
}

/// Runs `count` independent jobs on `threads` workers with a static partition (job j on worker
/// j mod threads); each job's result lands in its own slot, so the output does not depend on threads.
func parallelMap<T>(count: Int, threads: Int, _ body: (Int) throws -> T) throws -> [T] {
    var slots = [Result<T, Error>?](repeating: nil, count: count)
    let workers = max(1, min(threads, count))
    slots.withUnsafeMutableBufferPointer { buf in
        let base = buf.baseAddress!
        nonisolated(unsafe) let p = base
        concurrentForEach(iterations: workers) { w in   // job j writes slot j only
            var j = w
            while j < count {
                p[j] = Result { try body(j) }
                j += workers
            }
        }
    }
    return try slots.map { try $0!.get() }
}
