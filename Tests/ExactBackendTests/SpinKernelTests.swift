import CSpinKernels
import Foundation
import NumericalMethods
import Numerics
import Testing

@testable import ExactBackend

/// The state-vector kernels of the trajectories (Sources/ExactBackend/SpinKernels.swift, Sources/CSpinKernels):
/// against the operators applied amplitude by amplitude, across the cache-block tiling (N > `cacheBits`), and
/// the AVX2 and baseline builds of the C loops against each other, bit for bit (docs/physics.md §6.3.3).
@Suite struct SpinKernelTests {
    static func random(_ count: Int, _ rng: inout SeededRandom) -> [Double] { (0..<count).map { _ in rng.normal() } }

    /// out += Σ_b c_b σ⁻_b x with sum += J⁻x, then out += Σ_a d_a σ⁺_a x + k J⁺ sum, at N = 6 (one block) and
    /// N = 14 (two bits tiled), against the bit-by-bit definition.
    @Test(arguments: [6, 14]) func kernelsApplyTheOperators(_ n: Int) {
        var rng = SeededRandom(seed: 7, stream: [UInt64(n)])
        let dim = 1 << n
        let xr = Self.random(dim, &rng), xi = Self.random(dim, &rng)
        let c = (0..<n).map { _ in Complex(rng.normal(), rng.normal()) }
        let d = (0..<n).map { _ in Complex(rng.normal(), rng.normal()) }
        let k = Complex(0.3, -0.7)
        var or = Self.random(dim, &rng), oi = Self.random(dim, &rng)
        var tr = [Double](repeating: 0, count: dim), ti = tr
        var er = or, ei = oi   // the reference
        var sr = tr, si = tr
        for m in 0..<dim {
            for b in 0..<n where m & (1 << b) != 0 {
                let j = m ^ (1 << b)
                er[j] += c[b].real * xr[m] - c[b].imaginary * xi[m]
                ei[j] += c[b].real * xi[m] + c[b].imaginary * xr[m]
                sr[j] += xr[m]; si[j] += xi[m]
            }
        }
        for m in 0..<dim {
            for a in 0..<n where m & (1 << a) == 0 {
                let j = m | (1 << a)
                er[j] += d[a].real * xr[m] - d[a].imaginary * xi[m] + k.real * sr[m] - k.imaginary * si[m]
                ei[j] += d[a].real * xi[m] + d[a].imaginary * xr[m] + k.real * si[m] + k.imaginary * sr[m]
            }
        }
        xr.withUnsafeBufferPointer { xr in
            xi.withUnsafeBufferPointer { xi in
                or.withUnsafeMutableBufferPointer { or in
                    oi.withUnsafeMutableBufferPointer { oi in
                        tr.withUnsafeMutableBufferPointer { tr in
                            ti.withUnsafeMutableBufferPointer { ti in
                                SpinKernels.addLowering(
                                    c, xr.baseAddress!, xi.baseAddress!, into: or.baseAddress!, oi.baseAddress!,
                                    sum: (tr.baseAddress!, ti.baseAddress!), n: n)
                                SpinKernels.addRaising(
                                    d, xr.baseAddress!, xi.baseAddress!,
                                    collective: (k, UnsafePointer(tr.baseAddress!), UnsafePointer(ti.baseAddress!)),
                                    into: or.baseAddress!, oi.baseAddress!, n: n)
                            }
                        }
                    }
                }
            }
        }
        let scale = Double(n) * 10
        #expect(zip(tr, sr).allSatisfy { abs($0 - $1) < 1e-12 * scale } && zip(ti, si).allSatisfy { abs($0 - $1) < 1e-12 * scale })
        #expect(zip(or, er).allSatisfy { abs($0 - $1) < 1e-12 * scale } && zip(oi, ei).allSatisfy { abs($0 - $1) < 1e-12 * scale })
    }

    /// The AVX2 and baseline builds give the same bits for every run length the passes use (1, 2, 4, a tile)
    /// with and without the sum and collective terms. On a CPU without AVX2 only the baseline runs
    /// (the production path there), and this test checks nothing more than that it runs.
    @Test func avx2AndBaselineAgreeBitForBit() {
        var rng = SeededRandom(seed: 11, stream: [1])
        let n = 12, dim = 1 << n
        let x = (Self.random(dim, &rng), Self.random(dim, &rng)), y = (Self.random(dim, &rng), Self.random(dim, &rng))
        let start = (Self.random(dim, &rng), Self.random(dim, &rng))
        func run(_ avx2: Bool, withExtra: Bool) -> [Double] {
            var o = start, t = ([Double](repeating: 0, count: dim), [Double](repeating: 0, count: dim))
            for b in 0..<n {
                let s = 1 << b
                for run in Set([s, min(s, 4), min(s, 256)]) where run <= s {
                    let (cr, ci) = (rng.normal(), rng.normal())
                    o.0.withUnsafeMutableBufferPointer { or in
                        o.1.withUnsafeMutableBufferPointer { oi in
                            t.0.withUnsafeMutableBufferPointer { tr in
                                t.1.withUnsafeMutableBufferPointer { ti in
                                    let sr = withExtra ? tr.baseAddress : nil, si = withExtra ? ti.baseAddress : nil
                                    let yr = withExtra ? y.0 : [], yi = withExtra ? y.1 : []
                                    yr.withUnsafeBufferPointer { yr in
                                        yi.withUnsafeBufferPointer { yi in
                                            let (py, qy) = withExtra ? (yr.baseAddress, yi.baseAddress) : (nil, nil)
                                            if avx2 {
                                                ds_add_lowering_avx2(cr, ci, x.0, x.1, or.baseAddress, oi.baseAddress, sr, si, s, 0, dim, run)
                                                ds_add_raising_avx2(
                                                    cr, ci, x.0, x.1, 0.3, -0.7, py, qy, or.baseAddress, oi.baseAddress, s, 0, dim, run)
                                            } else {
                                                ds_add_lowering_baseline(cr, ci, x.0, x.1, or.baseAddress, oi.baseAddress, sr, si, s, 0, dim, run)
                                                ds_add_raising_baseline(
                                                    cr, ci, x.0, x.1, 0.3, -0.7, py, qy, or.baseAddress, oi.baseAddress, s, 0, dim, run)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return o.0 + o.1 + t.0 + t.1
        }
        for extra in [false, true] {
            let saved = rng
            let base = run(false, withExtra: extra)
            #expect(base.allSatisfy { $0.isFinite })
            guard ds_have_avx2() != 0 else { continue }
            rng = saved
            let fast = run(true, withExtra: extra)
            #expect(zip(base, fast).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }

    /// The fused kernels of bits 0–2 (`ds_add_lowering_low3`, `ds_add_raising_low3`, used by the passes for
    /// N ≥ 3) give the same bits as the three per-bit calls they replace, in both builds, with and without the
    /// sum and collective terms (N = 7: one cache block, every bit's pass in order).
    @Test(arguments: [false, true]) func fusedLowBitsMatchThePerBitPassesBitForBit(_ extra: Bool) {
        var rng = SeededRandom(seed: 13, stream: [extra ? 1 : 0])
        let n = 7, dim = 1 << n
        let x = (Self.random(dim, &rng), Self.random(dim, &rng))
        let o0 = (Self.random(dim, &rng), Self.random(dim, &rng)), t0 = (Self.random(dim, &rng), Self.random(dim, &rng))
        let c = (0..<n).map { _ in Complex(rng.normal(), rng.normal()) }
        let k = Complex(0.3, -0.7)
        typealias Kernels = (low3: Bool, avx2: Bool)
        func run(_ way: Kernels) -> [Double] {
            var o = o0, t = t0
            let c3 = SpinKernels.lowThree(c)
            o.0.withUnsafeMutableBufferPointer { or in
                o.1.withUnsafeMutableBufferPointer { oi in
                    t.0.withUnsafeMutableBufferPointer { tr in
                        t.1.withUnsafeMutableBufferPointer { ti in
                            let (or, oi) = (or.baseAddress!, oi.baseAddress!)
                            let sr = extra ? tr.baseAddress : nil, si = extra ? ti.baseAddress : nil
                            // Lowering over every bit (adding into the sum), then raising reading it.
                            if way.low3 {
                                if way.avx2 {
                                    ds_add_lowering_low3_avx2(c3, x.0, x.1, or, oi, sr, si, 0, dim)
                                } else {
                                    ds_add_lowering_low3_baseline(c3, x.0, x.1, or, oi, sr, si, 0, dim)
                                }
                            }
                            for b in (way.low3 ? 3 : 0)..<n {
                                ds_add_lowering_baseline(c[b].real, c[b].imaginary, x.0, x.1, or, oi, sr, si, 1 << b, 0, dim, 1 << b)
                            }
                            let (yr, yi) = extra ? (UnsafePointer(tr.baseAddress), UnsafePointer(ti.baseAddress)) : (nil, nil)
                            if way.low3 {
                                if way.avx2 {
                                    ds_add_raising_low3_avx2(c3, x.0, x.1, k.real, k.imaginary, yr, yi, or, oi, 0, dim)
                                } else {
                                    ds_add_raising_low3_baseline(c3, x.0, x.1, k.real, k.imaginary, yr, yi, or, oi, 0, dim)
                                }
                            }
                            for b in (way.low3 ? 3 : 0)..<n {
                                ds_add_raising_baseline(
                                    c[b].real, c[b].imaginary, x.0, x.1, k.real, k.imaginary, yr, yi, or, oi, 1 << b, 0, dim, 1 << b)
                            }
                        }
                    }
                }
            }
            return o.0 + o.1 + t.0 + t.1
        }
        let reference = run((low3: false, avx2: false))
        #expect(reference.allSatisfy { $0.isFinite })
        #expect(zip(reference, run((low3: true, avx2: false))).allSatisfy { $0.bitPattern == $1.bitPattern })
        if ds_have_avx2() != 0 {
            #expect(zip(reference, run((low3: true, avx2: true))).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }

    /// ⟨ψ|σ⁻_b|ψ⟩ from `SpinKernels.lowering` (bits 0–2 fused group by group) against the sum over amplitudes,
    /// at N = 2 (no fusion), 3, 7 and 14 (tiled high bits).
    @Test(arguments: [2, 3, 7, 14]) func loweringMeansMatchTheDefinition(_ n: Int) {
        var rng = SeededRandom(seed: 17, stream: [UInt64(n)])
        let dim = 1 << n
        let re = Self.random(dim, &rng), im = Self.random(dim, &rng)
        let got = re.withUnsafeBufferPointer { r in im.withUnsafeBufferPointer { i in SpinKernels.lowering(r.baseAddress!, i.baseAddress!, n: n) } }
        for b in 0..<n {
            var want = Complex<Double>.zero
            for m in 0..<dim where m & (1 << b) == 0 {
                want = want + Complex(re[m], -im[m]) * Complex(re[m + (1 << b)], im[m + (1 << b)])
            }
            #expect((got[b] - want).length < 1e-11 * Double(dim), "bit \(b)")
        }
    }
}
