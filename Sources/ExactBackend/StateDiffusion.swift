import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics

/// Quantum-state-diffusion trajectories (Gisin & Percival 1992; papers' appendix C) on the full
/// 2^N state vector, stored sector by sector:
///
///     dψ = −iH_eff ψ dt + Σ_k (⟨L_k⟩* L_k − ½|⟨L_k⟩|²) ψ dt + Σ_k (L_k − ⟨L_k⟩) ψ dξ_k,
///
/// with L = {√λ_μ J_μ⁻} ∪ {√W σ⁺_a} (∪ {√γ_nr σ⁻_a} ∪ {√(γ_φ/2) σᶻ_a} when those rates are nonzero:
/// every channel is monitored, docs/physics.md §6.5), complex Wiener increments E[dξ_k dξ_l*] = δ_kl dt,
/// E[dξ_k dξ_l] = 0. (QSD is invariant under unitary remixing of the L_k, so the choice of the
/// eigenvectors of f does not matter.) Euler–Maruyama steps of dt with renormalization after each step.
/// Along the way the conditional QFI F̄_Q(ψ) = (4/3) Σ_i Var(J_i) is recorded (`BlockFisher.pureQFI`).
struct DiffusionTrajectories {
    let engine: TrajectoryEngine
    let dt: Double

    /// Bytes of one trajectory's work arrays.
    static func bytes(n: Int) -> Int { 16 * (1 << n) * 6 }

    func run(start: Int, sampleTimes: [Double], averageFrom: Double, wantD: Bool, rng: inout SeededRandom) -> TrajectoryRecord {
        let e = engine
        let n = e.n
        var psi = (0...n).map { [Complex<Double>](repeating: .zero, count: e.basis.dimension($0)) }
        psi[start][0] = .one
        var deriv = psi
        var t = 0.0
        var series: [[Double]] = []
        var cAvg = [Complex<Double>](repeating: .zero, count: n * n)
        var dAvg = [Double](repeating: 0, count: wantD ? n * n : 0)
        var qAvg = 0.0
        var nAvg = 0
        let sq = e.lambda.map { $0.squareRoot() }
        let sw = e.model.pump.squareRoot()
        let sdt = (dt / 2).squareRoot()
        // Single-dipole decoherence channels (docs/physics.md §6.5), only when their rates are nonzero.
        let snr = e.model.nonradiativeDecay.squareRoot()
        let sphi = (0.5 * e.model.dephasing).squareRoot()
        let hasNR = e.model.nonradiativeDecay != 0, hasPhi = e.model.dephasing != 0
        for target in sampleTimes {
            while t < target - 1e-12 {
                let h = min(dt, target - t)
                let sh = h == dt ? sdt : (h / 2).squareRoot()
                // ⟨σ⁻_b⟩ = Σ_{states with b up} ψ*(m − b) ψ(m).
                var sm = [Complex<Double>](repeating: .zero, count: n)
                for k in 1...n {
                    let low = e.basis.lower[k]
                    for i in 0..<psi[k].count {
                        for b in 0..<n {
                            let q = Int(low[i * n + b]); if q >= 0 { sm[b] = sm[b] + psi[k - 1][q].conjugate * psi[k][i] }
                        }
                    }
                }
                // Coefficients c_k = ⟨L_k⟩* dt + dξ_k and the scalar part −Σ (½|⟨L⟩|² dt + ⟨L⟩ dξ).
                var alpha = [Complex<Double>](repeating: .zero, count: n)   // Σ_μ c_μ √λ_μ v_μb, multiplies σ⁻_b
                var beta = [Complex<Double>](repeating: .zero, count: n)   // c_a √W, multiplies σ⁺_a
                var scalar = Complex<Double>.zero
                for mu in 0..<n {
                    var mean = Complex<Double>.zero
                    for b in 0..<n { mean = mean + Complex(e.vectors[mu * n + b]) * sm[b] }
                    mean = Complex(sq[mu]) * mean
                    let xi = Complex(sh * rng.normal(), sh * rng.normal())
                    let c = mean.conjugate * Complex(h) + xi
                    for b in 0..<n { alpha[b] = alpha[b] + c * Complex(sq[mu] * e.vectors[mu * n + b]) }
                    scalar = scalar - Complex(0.5 * mean.lengthSquared * h) - mean * xi
                }
                for a in 0..<n {
                    let mean = Complex(sw) * sm[a].conjugate   // ⟨√W σ⁺_a⟩
                    let xi = Complex(sh * rng.normal(), sh * rng.normal())
                    let c = mean.conjugate * Complex(h) + xi
                    beta[a] = c * Complex(sw)
                    scalar = scalar - Complex(0.5 * mean.lengthSquared * h) - mean * xi
                }
                if hasNR {
                    for a in 0..<n {
                        let mean = Complex(snr) * sm[a]   // ⟨√γ_nr σ⁻_a⟩
                        let xi = Complex(sh * rng.normal(), sh * rng.normal())
                        let c = mean.conjugate * Complex(h) + xi
                        alpha[a] = alpha[a] + c * Complex(snr)
                        scalar = scalar - Complex(0.5 * mean.lengthSquared * h) - mean * xi
                    }
                }
                // Σ_a ζ_a σᶻ_a multiplies the amplitudes (diagonal).
                var zeta = [Complex<Double>](repeating: .zero, count: hasPhi ? n : 0)
                if hasPhi {
                    var sz = [Double](repeating: 0, count: n)   // ⟨σᶻ_a⟩
                    for k in 0...n {
                        let st = e.basis.states[k]
                        for i in 0..<psi[k].count {
                            let w = psi[k][i].lengthSquared
                            let m = Int(st[i])
                            for a in 0..<n { sz[a] += m & (1 << a) != 0 ? w : -w }
                        }
                    }
                    for a in 0..<n {
                        let mean = Complex(sphi * sz[a])   // ⟨√(γ_φ/2) σᶻ_a⟩, real
                        let xi = Complex(sh * rng.normal(), sh * rng.normal())
                        let c = mean.conjugate * Complex(h) + xi
                        zeta[a] = c * Complex(sphi)
                        scalar = scalar - Complex(0.5 * mean.lengthSquared * h) - mean * xi
                    }
                }
                // deriv = −iH_eff ψ per sector.
                for k in 0...n {
                    psi[k].withUnsafeBufferPointer { p in
                        deriv[k].withUnsafeMutableBufferPointer { d in
                            e.derivative(p.baseAddress!, d.baseAddress!, sector: k)
                        }
                    }
                }
                var next = psi
                for k in 0...n {
                    for i in 0..<next[k].count {
                        next[k][i] = psi[k][i] + Complex(h) * deriv[k][i] + scalar * psi[k][i]
                    }
                    if hasPhi {
                        let st = e.basis.states[k]
                        for i in 0..<next[k].count {
                            let m = Int(st[i])
                            var z = Complex<Double>.zero
                            for a in 0..<n { z = m & (1 << a) != 0 ? z + zeta[a] : z - zeta[a] }
                            next[k][i] = next[k][i] + z * psi[k][i]
                        }
                    }
                    // Σ_b α_b σ⁻_b ψ: from sector k+1 to k; Σ_a β_a σ⁺_a ψ: from sector k−1 to k.
                    if k < n {
                        let low = e.basis.lower[k + 1]
                        for p in 0..<psi[k + 1].count {
                            for b in 0..<n {
                                let q = Int(low[p * n + b]); if q >= 0 { next[k][q] = next[k][q] + alpha[b] * psi[k + 1][p] }
                            }
                        }
                    }
                    if k > 0 {
                        let low = e.basis.lower[k]
                        for p in 0..<next[k].count {
                            for a in 0..<n {
                                let q = Int(low[p * n + a]); if q >= 0 { next[k][p] = next[k][p] + beta[a] * psi[k - 1][q] }
                            }
                        }
                    }
                }
                var nn = 0.0
                for k in 0...n { for z in next[k] { nn += z.lengthSquared } }
                let s = 1 / nn.squareRoot()
                for k in 0...n { for i in 0..<next[k].count { next[k][i] = Complex(next[k][i].real * s, next[k][i].imaginary * s) } }
                psi = next
                t += h
            }
            // Samples: Z_Q², inversion, QFI. Moments of a superposition over sectors: U(1) blocks
            // of |ψ⟩⟨ψ| between different sectors do not enter C_ab or D_ab.
            var c = [Complex<Double>](repeating: .zero, count: n * n)
            var d = [Double](repeating: 0, count: wantD ? n * n : 0)
            for k in 0...n {
                var w = 0.0
                for z in psi[k] { w += z.lengthSquared }
                if w == 0 { continue }
                let (ck, dk) = e.moments(psi[k], sector: k, wantD: wantD)
                for i in c.indices { c[i] = c[i] + Complex(w) * ck[i] }
                for i in d.indices { d[i] += w * dk[i] }
            }
            let q = BlockFisher.pureQFI(sectors: psi, basis: e.basis)
            var z2 = 0.0, inv = 0.0
            for a in 0..<n {
                inv += 2 * c[a * n + a].real - 1
                for b in 0..<n where b != a { z2 += c[a * n + b].real }
            }
            series.append([n > 1 ? z2 / Double(n * (n - 1)) : 0, inv / Double(2 * n), q])
            if target >= averageFrom - 1e-12 {
                for i in cAvg.indices { cAvg[i] = cAvg[i] + c[i] }
                for i in dAvg.indices { dAvg[i] += d[i] }
                qAvg += q
                nAvg += 1
            }
        }
        if nAvg > 0 {
            let s = 1 / Double(nAvg)
            for i in cAvg.indices { cAvg[i] = Complex(cAvg[i].real * s, cAvg[i].imaginary * s) }
            for i in dAvg.indices { dAvg[i] *= s }
            qAvg *= s
        }
        return TrajectoryRecord(c: cAvg, d: dAvg, series: series, qfi: qAvg)
    }
}
