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

    /// Calls body(b, start, end) so that every bit b visits every pair block of [0, 2^N) once, in
    /// increasing order of blocks for each b: bits below `cacheBits` one cache block at a time (all of
    /// them for a block before the next block), the others over the whole vector.
    @inline(__always) static func passes(n: Int, _ body: (Int, Int, Int) -> Void) {
        let low = min(n, cacheBits), block = 1 << low, dim = 1 << n
        var start = 0
        while start < dim {
            for b in 0..<low { body(b, start, start + block) }
            start += block
        }
        for b in low..<max(low, n) { body(b, 0, dim) }
    }

    /// ⟨ψ|σ⁻_b|ψ⟩ = Σ_{m ∌ b} ψ(m)* ψ(m + 2^b) for every b (unnormalized ψ).
    static func lowering(_ re: UnsafePointer<Double>, _ im: UnsafePointer<Double>, n: Int) -> [Complex<Double>] {
        var accR = [SIMD4<Double>](repeating: SIMD4(), count: n), accI = accR
        passes(n: n) { b, start, end in
            let s = 1 << b
            var vr = accR[b], vi = accI[b]
            var base = start
            while base < end {
                if s >= 4 {
                    var i = base
                    while i < base + s {
                        let lr = load(re, i), li = load(im, i), hr = load(re, i + s), hi = load(im, i + s)
                        vr += lr * hr + li * hi
                        vi += lr * hi - li * hr
                        i += 4
                    }
                } else {
                    for i in base..<(base + s) {
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
    /// sum(m − 2^b) += x(m): sum += J⁻x (J⁻ = Σ_b σ⁻_b), in the same pass.
    static func addLowering(
        _ c: [Complex<Double>], _ xr: UnsafePointer<Double>, _ xi: UnsafePointer<Double>,
        into or: UnsafeMutablePointer<Double>, _ oi: UnsafeMutablePointer<Double>,
        sum: (re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>)?, n: Int
    ) {
        passes(n: n) { b, start, end in
            let s = 1 << b
            let cr = c[b].real, ci = c[b].imaginary
            var base = start
            while base < end {
                if s >= 4 {
                    let vcr = SIMD4(repeating: cr), vci = SIMD4(repeating: ci)
                    var i = base
                    while i < base + s {
                        let hr = load(xr, i + s), hi = load(xi, i + s)
                        store(load(or, i) + vcr * hr - vci * hi, or, i)
                        store(load(oi, i) + vcr * hi + vci * hr, oi, i)
                        if let sum {
                            store(load(sum.re, i) + hr, sum.re, i)
                            store(load(sum.im, i) + hi, sum.im, i)
                        }
                        i += 4
                    }
                } else {
                    for i in base..<(base + s) {
                        let hr = xr[i + s], hi = xi[i + s]
                        or[i] += cr * hr - ci * hi
                        oi[i] += cr * hi + ci * hr
                        if let sum { sum.re[i] += hr; sum.im[i] += hi }
                    }
                }
                base += 2 * s
            }
        }
    }

    /// out(m + 2^a) += c_a x(m) + k·y(m) for every a and every m ∌ a: out += Σ_a c_a σ⁺_a x + k J⁺y
    /// (the second term only when `y` is given).
    static func addRaising(
        _ c: [Complex<Double>], _ xr: UnsafePointer<Double>, _ xi: UnsafePointer<Double>,
        collective: (k: Complex<Double>, re: UnsafePointer<Double>, im: UnsafePointer<Double>)?,
        into or: UnsafeMutablePointer<Double>, _ oi: UnsafeMutablePointer<Double>, n: Int
    ) {
        let kr = collective?.k.real ?? 0, ki = collective?.k.imaginary ?? 0
        passes(n: n) { a, start, end in
            let s = 1 << a
            let cr = c[a].real, ci = c[a].imaginary
            var base = start
            while base < end {
                if s >= 4 {
                    let vcr = SIMD4(repeating: cr), vci = SIMD4(repeating: ci)
                    let vkr = SIMD4(repeating: kr), vki = SIMD4(repeating: ki)
                    var i = base
                    while i < base + s {
                        let lr = load(xr, i), li = load(xi, i)
                        var ur = load(or, i + s) + vcr * lr - vci * li
                        var ui = load(oi, i + s) + vcr * li + vci * lr
                        if let collective {
                            let yr = load(collective.re, i), yi = load(collective.im, i)
                            ur += vkr * yr - vki * yi
                            ui += vkr * yi + vki * yr
                        }
                        store(ur, or, i + s)
                        store(ui, oi, i + s)
                        i += 4
                    }
                } else {
                    for i in base..<(base + s) {
                        let lr = xr[i], li = xi[i]
                        var ur = cr * lr - ci * li, ui = cr * li + ci * lr
                        if let collective {
                            let yr = collective.re[i], yi = collective.im[i]
                            ur += kr * yr - ki * yi
                            ui += kr * yi + ki * yr
                        }
                        or[i + s] += ur
                        oi[i + s] += ui
                    }
                }
                base += 2 * s
            }
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
