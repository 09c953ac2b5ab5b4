import CSpinKernels
import Numerics

/// Vector kernels on the full 2^N state vector of N two-level dipoles in the computational basis,
/// stored split: the amplitude of basis state m (bit a of m set: dipole a excited) is re[m] + i·im[m].
/// σ⁻_b pairs m (bit b set) with m − 2^b, so every single-dipole operator is one pass over 2^(N−b−1)
/// contiguous blocks of 2^b amplitudes; blocks of 4 or more are processed as SIMD4 lanes. Reductions
/// keep a fixed order (lane sums, then blocks in order), so results are the same bits on every run and
/// thread count.
enum SpinKernels {
    @inline(__always) static func load(_ p: UnsafePointer<Double>, _ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always) static func store(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Double>.self)
    }

    /// Bits below this are applied block by block (2^cacheBits amplitudes, a few arrays of which stay in L2).
    static let cacheBits = 12

    /// Calls body(b, start, end, run) for the pairs (i, i + 2^b) with i in base..<base + run for every base in
    /// stride(from: start, to: end, by: 2^(b+1)) (bit b of i clear), so that every bit b visits every pair of
    /// [0, 2^N) once and, for each amplitude, the bits come in increasing order. Bits below `cacheBits` go
    /// one cache block at a time (all of them for a block before the next; run = 2^b). The bits above
    /// (N > cacheBits) go, when `tiled`, tile by tile: a tile is the 2^(N − cacheBits) runs, one per setting
    /// of those bits, of `run` consecutive low indices, a cache block in all, and each high bit is applied to
    /// a whole tile before the next, so that the vector is streamed from memory twice per kernel instead of
    /// once per high bit (docs/physics.md §6.3.3). Kernels that update each amplitude from the others' fixed
    /// values get the same bits either way; reductions across amplitudes (`lowering`) pass `tiled: false`
    /// to keep their summation order.
    /// `prologue(start, end)`, when given, runs on each cache block before its bits (a pass that must precede
    /// the kernel on those amplitudes, fused so that the block is read once). `lowThree(start, end)`, when
    /// given and N ≥ 3, replaces bits 0, 1 and 2 of each cache block: one pass that applies the three bits to
    /// each group of 8 amplitudes in turn, with the same operations per amplitude in the same order.
    @inline(__always) static func passes(
        n: Int, tiled: Bool = true, prologue: ((Int, Int) -> Void)? = nil, lowThree: ((Int, Int) -> Void)? = nil,
        _ body: (Int, Int, Int, Int) -> Void
    ) {
        let low = min(n, cacheBits), block = 1 << low, dim = 1 << n
        let fused = low >= 3 ? lowThree : nil
        var start = 0
        while start < dim {
            prologue?(start, start + block)
            if let fused { fused(start, start + block) }
            for b in (fused == nil ? 0 : 3)..<low { body(b, start, start + block, 1 << b) }
            start += block
        }
        guard n > low else { return }
        guard tiled else {
            for b in low..<n { body(b, 0, dim, 1 << b) }
            return
        }
        let high = n - low, tile = max(4, block >> high)
        var c0 = 0
        while c0 < block {
            for b in low..<n {
                let bit = 1 << (b - low)
                for h in 0..<(1 << high) where h & bit == 0 {
                    let base = (h << low) + c0
                    body(b, base, base + 1, tile)
                }
            }
            c0 += tile
        }
    }

    /// ⟨ψ|σ⁻_b|ψ⟩ = Σ_{m ∌ b} ψ(m)* ψ(m + 2^b) for every b (unnormalized ψ).
    static func lowering(_ re: UnsafePointer<Double>, _ im: UnsafePointer<Double>, n: Int) -> [Complex<Double>] {
        var accR = [SIMD4<Double>](repeating: SIMD4(), count: n), accI = accR
        // Bits 0–2 group by group of 8 (the scalar formula into lane 0 for bits 0 and 1, the vector one for
        // bit 2): each bit's accumulator gets the same terms in the same order as from its own pass.
        func lowThree(_ start: Int, _ end: Int) {
            var r0 = accR[0], i0 = accI[0], r1 = accR[1], i1 = accI[1], r2 = accR[2], i2 = accI[2]
            var g = start
            while g < end {
                for i in stride(from: g, to: g + 8, by: 2) {
                    r0[0] += re[i] * re[i + 1] + im[i] * im[i + 1]
                    i0[0] += re[i] * im[i + 1] - im[i] * re[i + 1]
                }
                for k in 0..<4 {
                    let i = g + k + (k & 2)   // g, g + 1, g + 4, g + 5
                    r1[0] += re[i] * re[i + 2] + im[i] * im[i + 2]
                    i1[0] += re[i] * im[i + 2] - im[i] * re[i + 2]
                }
                let lr = load(re, g), li = load(im, g), hr = load(re, g + 4), hi = load(im, g + 4)
                r2 += lr * hr + li * hi
                i2 += lr * hi - li * hr
                g += 8
            }
            accR[0] = r0; accI[0] = i0; accR[1] = r1; accI[1] = i1; accR[2] = r2; accI[2] = i2
        }
        passes(n: n, tiled: false, lowThree: lowThree) { b, start, end, count in
            let s = 1 << b
            var vr = accR[b], vi = accI[b]
            var base = start
            while base < end {
                if count >= 4 {
                    var i = base
                    while i < base + count {
                        let lr = load(re, i), li = load(im, i), hr = load(re, i + s), hi = load(im, i + s)
                        vr += lr * hr + li * hi
                        vi += lr * hi - li * hr
                        i += 4
                    }
                } else {
                    for i in base..<(base + count) {
                        vr[0] += re[i] * re[i + s] + im[i] * im[i + s]
                        vi[0] += re[i] * im[i + s] - im[i] * re[i + s]
                    }
                }
                base += 2 * s
            }
            accR[b] = vr; accI[b] = vi
        }
        return (0..<n).map { Complex(accR[$0].sum(), accI[$0].sum()) }
    }

    /// ⟨ψ|n_a|ψ⟩ (n_a = σ⁺_a σ⁻_a) for every a, and ‖ψ‖².
    static func populations(_ re: UnsafePointer<Double>, _ im: UnsafePointer<Double>, n: Int) -> (p: [Double], norm: Double) {
        let dim = 1 << n
        var p = [Double](repeating: 0, count: n)
        for a in 0..<n {
            let s = 1 << a
            var acc = 0.0
            var base = s
            while base < dim {
                for i in base..<(base + s) { acc += re[i] * re[i] + im[i] * im[i] }
                base += 2 * s
            }
            p[a] = acc
        }
        return (p, normSquared(re, im, count: dim))
    }

    static func normSquared(_ re: UnsafePointer<Double>, _ im: UnsafePointer<Double>, count: Int) -> Double {
        var v = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            let r = load(re, i), m = load(im, i)
            v += r * r + m * m
            i += 4
        }
        var acc = v.sum()
        while i < count { acc += re[i] * re[i] + im[i] * im[i]; i += 1 }
        return acc
    }

    /// out(m − 2^b) += c_b x(m) for every b and every m ∋ b: out += Σ_b c_b σ⁻_b x. With `sum`, also
    /// sum(m − 2^b) += x(m): sum += J⁻x (J⁻ = Σ_b σ⁻_b), in the same pass; `prologue` as in `passes`. The loop over a bit's runs is
    /// `ds_add_lowering`, bits 0–2 `ds_add_lowering_low3` (Sources/CSpinKernels: AVX2 where the CPU has it, the
    /// same bits everywhere).
    static func addLowering(
        _ c: [Complex<Double>], _ xr: UnsafePointer<Double>, _ xi: UnsafePointer<Double>,
        into or: UnsafeMutablePointer<Double>, _ oi: UnsafeMutablePointer<Double>,
        sum: (re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>)?, n: Int,
        prologue: ((Int, Int) -> Void)? = nil
    ) {
        let first = lowThree(c)
        let low: (Int, Int) -> Void = { start, end in ds_add_lowering_low3(first, xr, xi, or, oi, sum?.re, sum?.im, start, end) }
        passes(n: n, prologue: prologue, lowThree: low) { b, start, end, run in
            ds_add_lowering(c[b].real, c[b].imaginary, xr, xi, or, oi, sum?.re, sum?.im, 1 << b, start, end, run)
        }
    }

    /// The coefficients of bits 0, 1, 2 as (re, im) pairs for the fused kernels (zeros past N).
    static func lowThree(_ c: [Complex<Double>]) -> [Double] {
        (0..<3).flatMap { b in b < c.count ? [c[b].real, c[b].imaginary] : [0, 0] }
    }

    /// out(m + 2^a) += c_a x(m) + k·y(m) for every a and every m ∌ a: out += Σ_a c_a σ⁺_a x + k J⁺y
    /// (the second term only when `y` is given). The loop over a bit's runs is `ds_add_raising`, bits 0–2
    /// `ds_add_raising_low3`.
    static func addRaising(
        _ c: [Complex<Double>], _ xr: UnsafePointer<Double>, _ xi: UnsafePointer<Double>,
        collective: (k: Complex<Double>, re: UnsafePointer<Double>, im: UnsafePointer<Double>)?,
        into or: UnsafeMutablePointer<Double>, _ oi: UnsafeMutablePointer<Double>, n: Int
    ) {
        let kr = collective?.k.real ?? 0, ki = collective?.k.imaginary ?? 0
        let first = lowThree(c)
        let low: (Int, Int) -> Void = { start, end in
            ds_add_raising_low3(first, xr, xi, kr, ki, collective?.re, collective?.im, or, oi, start, end)
        }
        passes(n: n, lowThree: low) { a, start, end, run in
            ds_add_raising(
                c[a].real, c[a].imaginary, xr, xi, kr, ki, collective?.re, collective?.im, or, oi, 1 << a, start, end, run)
        }
    }

    /// out(m) += Σ_{a ∈ m, c ∉ m} k_ac x(m − 2^a + 2^c): out += Σ_{a≠c} k_ac σ⁺_a σ⁻_c x, k row-major a·N + c.
    static func addHopping(
        _ k: [Complex<Double>], _ xr: UnsafePointer<Double>, _ xi: UnsafePointer<Double>,
        into or: UnsafeMutablePointer<Double>, _ oi: UnsafeMutablePointer<Double>, n: Int
    ) {
        let dim = 1 << n, full = dim - 1
        k.withUnsafeBufferPointer { km in
            for m in 0..<dim {
                var ar = 0.0, ai = 0.0
                var up = m
                while up != 0 {
                    let a = up.trailingZeroBitCount
                    up &= up - 1
                    var down = ~m & full
                    while down != 0 {
                        let c = down.trailingZeroBitCount
                        down &= down - 1
                        let j = m ^ (1 << a) ^ (1 << c)
                        let z = km[a * n + c]
                        ar += z.real * xr[j] - z.imaginary * xi[j]
                        ai += z.real * xi[j] + z.imaginary * xr[j]
                    }
                }
                or[m] += ar
                oi[m] += ai
            }
        }
    }

    /// The diagonal table t(m) = Σ_a (bit a of m set ? z_a : −z_a), built in 2^N additions.
    static func signedSum(_ z: [Complex<Double>], n: Int, re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>) {
        var r0 = 0.0, i0 = 0.0
        for a in 0..<n { r0 -= z[a].real; i0 -= z[a].imaginary }
        re[0] = r0; im[0] = i0
        for m in 1..<(1 << n) {
            let a = m.trailingZeroBitCount, p = m & (m - 1)
            re[m] = re[p] + 2 * z[a].real
            im[m] = im[p] + 2 * z[a].imaginary
        }
    }
}
