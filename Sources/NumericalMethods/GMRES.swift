import Foundation
import LinearAlgebra
import Numerics

/// The arithmetic `GMRES` runs on: a scalar type and the vector operations of the iteration. Each
/// conformance fixes its own reduction order (and so its bits); the Givens rotations, the Hessenberg
/// updates and the back substitution are `GMRES`'s, shared by every conformance.
public protocol KrylovArithmetic {
    associatedtype Scalar: SignedNumeric
    /// x̄ (x itself for real scalars).
    static func conjugate(_ x: Scalar) -> Scalar
    /// |x|.
    static func modulus(_ x: Scalar) -> Double
    /// The real number x as a scalar.
    static func scalar(_ x: Double) -> Scalar
    /// (c, s, r) with [c̄ s̄; −s c]·(f, g) = (r, 0).
    static func givensRotation(_ f: Scalar, _ g: Scalar) -> (c: Scalar, s: Scalar, r: Scalar)
    /// One step of the back substitution: s / pivot.
    static func backSubstitutionQuotient(_ s: Scalar, _ pivot: Scalar) -> Scalar
    /// ⟨v, w⟩ = Σ conj(v_i) w_i.
    static func inner(_ v: [Scalar], _ w: [Scalar]) -> Scalar
    /// ‖v‖₂.
    static func norm(_ v: [Scalar]) -> Double
    /// out ← v / ‖v‖, given ‖v‖ (out is resized to v's length when it differs).
    static func normalize(_ v: [Scalar], by norm: Double, into out: inout [Scalar])
    /// y ← y + a x.
    static func axpy(_ a: Scalar, _ x: [Scalar], _ y: inout [Scalar])
    /// y ← y + x.
    static func add(_ x: [Scalar], to y: inout [Scalar])
    /// r ← b − ax (r has the length of b).
    static func difference(_ b: [Scalar], _ ax: [Scalar], into r: inout [Scalar])
    /// v ← 0 (GMRES is not specialized across modules: a generic loop here costs a witness call an element).
    static func setZero(_ v: inout [Scalar])
}

/// Restarted GMRES(m) for A x = b with a right preconditioner M (Saad & Schultz 1986; the flexible
/// variant FGMRES of Saad 1993): Arnoldi with modified Gram–Schmidt, Givens rotations, back
/// substitution. Deterministic: the operation order is fixed, so a solve gives the same bits on every
/// run. Generic over `KrylovArithmetic`: real (`RealKrylovArithmetic`, the cumulant backend's Newton
/// steps) or complex (`ComplexKrylovArithmetic`, the exact backend's Liouvillian).
///
/// Each cycle starts from the true residual r = b − A x (r = b when no start is given) and builds
/// the Krylov basis v_j of A M; how x is updated depends on `preconditioning`.
/// Vectors a caller lends to successive `GMRES` solves of one length (the cumulant backend's
/// pseudo-transient steps): the basis, w and r are taken from here and given back at the end of each
/// solve instead of being allocated afresh. At N² ≈ 10⁸ numbers a fresh vector costs the kernel a
/// page fault and a zeroed page per 4 KiB (a sixth of a 4 000-dipole steady state's time, measured).
/// It holds as many vectors as the largest solve used, the same peak as without it.
public final class GMRESWorkspace<Scalar> {
    var pool: [[Scalar]] = []
    /// Threads that fill a fresh vector (`largeArray`; the contents do not depend on it).
    public var threads: Int
    public init(threads: Int = 1) { self.threads = threads }

    /// Vectors held for the next solve.
    public var count: Int { pool.count }

    /// A vector of `count` elements with unspecified contents (a fresh one of zeros when none fits).
    func take(_ count: Int, zero: Scalar) -> [Scalar] {
        while let v = pool.popLast() {
            if v.count == count { return v }
        }
        return largeArray(repeating: zero, count: count, threads: threads)
    }

    /// Lends `v` (left empty) to the next solves.
    public func giveBack(_ v: inout [Scalar]) {
        guard !v.isEmpty else { return }
        var kept: [Scalar] = []
        swap(&kept, &v)
        pool.append(kept)
    }
}

public struct GMRES<Arithmetic: KrylovArithmetic> {
    public typealias Scalar = Arithmetic.Scalar
    /// y ← A x (or M x); y has the length of x on entry.
    public typealias Operator = (_ x: [Scalar], _ y: inout [Scalar]) -> Void

    /// When a solve stops: once the residual ‖b − A x‖₂ is at most the threshold.
    public enum Tolerance: Sendable {
        /// The threshold itself.
        case absolute(Double)
        /// The threshold relative to ‖b‖₂ (b = 0 returns x = 0 at once).
        case relative(Double)
    }

    /// How the preconditioner enters the solution.
    public enum Preconditioning: Sendable {
        /// M is a fixed linear map: x ← x + M (V y), one more application of M per cycle, no z_j kept.
        /// A cycle whose Arnoldi residual estimate meets the tolerance ends the solve.
        case right
        /// M may change from step to step or be inexact (e.g. single precision): z_j = M v_j is kept,
        /// x ← x + Z y, so A Z = V H holds in the working precision. Every cycle ends with the true
        /// residual, which decides (the cycles act as iterative refinement); a non-finite one stops.
        case flexible
    }

    /// Arnoldi steps per cycle (m; at least 1 is taken).
    public var restart: Int
    /// Arnoldi steps over all cycles.
    public var maxIterations: Int
    public var tolerance: Tolerance
    public var preconditioning: Preconditioning

    public init(restart: Int, maxIterations: Int, tolerance: Tolerance, preconditioning: Preconditioning) {
        self.restart = restart
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.preconditioning = preconditioning
    }

    public struct Outcome {
        public var x: [Scalar]
        /// ‖b − A x‖₂ of the returned x; for `.right`, the Arnoldi estimate when that ended the solve.
        public var residual: Double
        /// Arnoldi steps (applications of A M) over all cycles.
        public var iterations: Int
    }

    /// Solves A x = b from `x0` (x = 0 when nil; then r = b without applying A). `workspace` lends
    /// the working vectors (each solve allocates its own when nil).
    public func solve(
        a: Operator, preconditioner m: Operator, b: [Scalar], x0: [Scalar]? = nil, workspace: GMRESWorkspace<Scalar>? = nil
    ) -> Outcome {
        let count = b.count
        // No vector beyond x, r, w and the basis is allocated (the cumulant backend's vectors are ~N²
        // long). With `.right` preconditioning M v_j and M (V y) are formed in r's storage: r is read
        // only at the start of a cycle (v_0 = r/β) and is recomputed at its end, so it costs no vector
        // of its own. Both operators must write every element of their output, whatever it held.
        let ws = workspace ?? GMRESWorkspace<Scalar>()
        func zeros() -> [Scalar] { [Scalar](repeating: .zero, count: count) }
        func vector() -> [Scalar] { ws.take(count, zero: .zero) }
        let threshold: Double
        switch tolerance {
        case .absolute(let t): threshold = t
        case .relative(let t):
            let bnorm = Arithmetic.norm(b)
            if bnorm == 0 { return Outcome(x: zeros(), residual: 0, iterations: 0) }
            threshold = t * bnorm
        }
        let flexible = preconditioning == .flexible
        var x: [Scalar]
        var r = vector()
        var w = vector()   // A M v_j, then the next basis vector; V y; A x
        var v: [[Scalar]] = []
        var zs: [[Scalar]] = []
        defer {
            ws.giveBack(&r)
            ws.giveBack(&w)
            for i in v.indices { ws.giveBack(&v[i]) }
            for i in zs.indices { ws.giveBack(&zs[i]) }
        }
        if let x0 {
            x = x0
            a(x, &w)
            Arithmetic.difference(b, w, into: &r)
        } else {
            x = vector()
            Arithmetic.setZero(&x)
            Arithmetic.difference(b, x, into: &r)   // r = b
        }
        var iterations = 0
        var residual = Double.infinity
        var endedOnEstimate = false
        while iterations < maxIterations {
            let beta = Arithmetic.norm(r)
            residual = beta
            if beta <= threshold || (flexible && !beta.isFinite) { break }
            // The basis and the z_j of the last cycle serve again.
            var used = 0, usedZ = 0
            func basisVector(_ source: [Scalar], _ norm: Double) {
                if used == v.count { v.append(vector()) }
                Arithmetic.normalize(source, by: norm, into: &v[used])
                used += 1
            }
            basisVector(r, beta)
            var h: [[Scalar]] = []   // h[j] is column j of H, length j + 2
            var cs: [Scalar] = [], sn: [Scalar] = []
            var g: [Scalar] = [Arithmetic.scalar(beta)]
            var steps = 0
            for j in 0..<max(restart, 1) {
                if iterations >= maxIterations { break }
                iterations += 1
                if flexible {
                    if usedZ == zs.count { zs.append(vector()) }
                    m(v[j], &zs[usedZ])
                    a(zs[usedZ], &w)
                    usedZ += 1
                } else {
                    m(v[j], &r)   // r as z = M v_j
                    a(r, &w)
                }
                var col = [Scalar](repeating: .zero, count: j + 2)
                for i in 0...j {
                    let hij = Arithmetic.inner(v[i], w)
                    col[i] = hij
                    Arithmetic.axpy(-hij, v[i], &w)
                }
                let hn = Arithmetic.norm(w)
                col[j + 1] = Arithmetic.scalar(hn)
                // Apply the previous rotations, then a new one that zeroes col[j+1].
                for i in 0..<j {
                    let t = Arithmetic.conjugate(cs[i]) * col[i] + Arithmetic.conjugate(sn[i]) * col[i + 1]
                    col[i + 1] = -sn[i] * col[i] + cs[i] * col[i + 1]
                    col[i] = t
                }
                let (c, s, rr) = Arithmetic.givensRotation(col[j], col[j + 1])
                cs.append(c); sn.append(s)
                col[j] = rr; col[j + 1] = .zero
                g.append(-s * g[j])
                g[j] = Arithmetic.conjugate(c) * g[j]
                h.append(col)
                steps = j + 1
                residual = Arithmetic.modulus(g[j + 1])
                if residual <= threshold || hn == 0 { break }
                basisVector(w, hn)
            }
            // Back substitution for y.
            var y = [Scalar](repeating: .zero, count: steps)
            for i in stride(from: steps - 1, through: 0, by: -1) {
                var s = g[i]
                for k in (i + 1)..<steps { s = s - h[k][i] * y[k] }
                y[i] = Arithmetic.backSubstitutionQuotient(s, h[i][i])
            }
            if flexible {
                for i in 0..<steps { Arithmetic.axpy(y[i], zs[i], &x) }
            } else {
                Arithmetic.setZero(&w)
                for i in 0..<steps { Arithmetic.axpy(y[i], v[i], &w) }
                m(w, &r)   // r as M (V y)
                Arithmetic.add(r, to: &x)
                if residual <= threshold { endedOnEstimate = true; break }
            }
            // The true residual starts the next cycle.
            a(x, &w)
            Arithmetic.difference(b, w, into: &r)
        }
        if !endedOnEstimate { residual = Arithmetic.norm(r) }
        return Outcome(x: x, residual: residual, iterations: iterations)
    }
}

/// Real GMRES arithmetic: plain sums in index order (the cumulant backend's Newton steps).
public enum RealKrylovArithmetic: KrylovArithmetic {
    public typealias Scalar = Double

    public static func conjugate(_ x: Double) -> Double { x }
    public static func modulus(_ x: Double) -> Double { abs(x) }
    public static func scalar(_ x: Double) -> Double { x }

    /// c = f/ν, s = g/ν, r = ν = √(f² + g²); (1, 0, 0) when f = g = 0.
    public static func givensRotation(_ f: Double, _ g: Double) -> (c: Double, s: Double, r: Double) {
        let den = (f * f + g * g).squareRoot()
        return (den == 0 ? 1 : f / den, den == 0 ? 0 : g / den, den)
    }

    /// A zero pivot (a singular projected system) gives 0.
    public static func backSubstitutionQuotient(_ s: Double, _ pivot: Double) -> Double {
        pivot == 0 ? 0 : s / pivot
    }

    public static func inner(_ v: [Double], _ w: [Double]) -> Double {
        var s = 0.0
        w.withUnsafeBufferPointer { pw in
            v.withUnsafeBufferPointer { pv in
                for i in 0..<pw.count { s += pw[i] * pv[i] }
            }
        }
        return s
    }

    public static func norm(_ v: [Double]) -> Double { inner(v, v).squareRoot() }

    public static func setZero(_ v: inout [Double]) {
        v.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            base.update(repeating: 0, count: p.count)
        }
    }

    public static func normalize(_ v: [Double], by norm: Double, into out: inout [Double]) {
        if out.count != v.count { out = [Double](repeating: 0, count: v.count) }
        v.withUnsafeBufferPointer { pv in
            out.withUnsafeMutableBufferPointer { po in
                for i in 0..<pv.count { po[i] = pv[i] / norm }
            }
        }
    }

    public static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for i in 0..<px.count { py[i] = py[i] + a * px[i] }
            }
        }
    }

    public static func add(_ x: [Double], to y: inout [Double]) {
        for i in 0..<y.count { y[i] += x[i] }
    }

    public static func difference(_ b: [Double], _ ax: [Double], into r: inout [Double]) {
        for i in 0..<b.count { r[i] = b[i] - ax[i] }
    }
}

/// Complex GMRES arithmetic: inner products in four interleaved partial sums (the exact backend's
/// Liouvillian).
public enum ComplexKrylovArithmetic: KrylovArithmetic {
    public typealias Scalar = Complex<Double>

    public static func conjugate(_ x: Complex<Double>) -> Complex<Double> { x.conjugate }
    public static func modulus(_ x: Complex<Double>) -> Double { x.length }
    public static func scalar(_ x: Double) -> Complex<Double> { Complex(x) }

    /// (c, s, r) with [c̄ s̄; −s c]·(f, g) = (r, 0): c = |f|/ν real, s = |f| g/(ν f), r = ν f/|f|,
    /// ν = √(|f|² + |g|²); (1, 0, f) when g = 0, (0, 1, g) when f = 0.
    public static func givensRotation(_ f: Complex<Double>, _ g: Complex<Double>)
        -> (c: Complex<Double>, s: Complex<Double>, r: Complex<Double>)
    {
        let fa = f.length, ga = g.length
        if ga == 0 { return (.one, .zero, f) }
        if fa == 0 { return (.zero, .one, g) }
        let nu = (fa * fa + ga * ga).squareRoot()
        let c = Complex(fa / nu)
        let s = Complex(fa / nu) * g / f
        let r = Complex(nu / fa) * f
        return (c, s, r)
    }

    public static func backSubstitutionQuotient(_ s: Complex<Double>, _ pivot: Complex<Double>) -> Complex<Double> {
        s / pivot
    }

    /// Σ conj(v_i) w_i, summed in four interleaved partial sums (i mod 4) combined in a fixed order:
    /// independent additions the CPU can overlap (a single running sum is latency bound), and the
    /// same bits on every run.
    public static func inner(_ v: [Complex<Double>], _ w: [Complex<Double>]) -> Complex<Double> {
        var re = SIMD4<Double>(), im = SIMD4<Double>()
        v.withUnsafeBufferPointer { pa in
            w.withUnsafeBufferPointer { pb in
                let n = min(pa.count, pb.count), quads = n / 4
                for q in 0..<quads {
                    let i = 4 * q
                    let xr = SIMD4(pa[i].real, pa[i + 1].real, pa[i + 2].real, pa[i + 3].real)
                    let xi = SIMD4(pa[i].imaginary, pa[i + 1].imaginary, pa[i + 2].imaginary, pa[i + 3].imaginary)
                    let yr = SIMD4(pb[i].real, pb[i + 1].real, pb[i + 2].real, pb[i + 3].real)
                    let yi = SIMD4(pb[i].imaginary, pb[i + 1].imaginary, pb[i + 2].imaginary, pb[i + 3].imaginary)
                    re += xr * yr + xi * yi
                    im += xr * yi - xi * yr
                }
                for i in (4 * quads)..<n {
                    let x = pa[i], y = pb[i]
                    re[0] += x.real * y.real + x.imaginary * y.imaginary
                    im[0] += x.real * y.imaginary - x.imaginary * y.real
                }
            }
        }
        return Complex((re[0] + re[1]) + (re[2] + re[3]), (im[0] + im[1]) + (im[2] + im[3]))
    }

    public static func norm(_ v: [Complex<Double>]) -> Double { inner(v, v).real.squareRoot() }

    public static func setZero(_ v: inout [Complex<Double>]) {
        v.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            base.update(repeating: .zero, count: p.count)
        }
    }

    /// v · (1/‖v‖), real and imaginary parts scaled separately.
    public static func normalize(_ v: [Complex<Double>], by norm: Double, into out: inout [Complex<Double>]) {
        if out.count != v.count { out = [Complex<Double>](repeating: .zero, count: v.count) }
        let c = 1 / norm
        v.withUnsafeBufferPointer { pv in
            out.withUnsafeMutableBufferPointer { po in
                for i in 0..<pv.count { po[i] = Complex(pv[i].real * c, pv[i].imaginary * c) }
            }
        }
    }

    public static func axpy(_ a: Complex<Double>, _ x: [Complex<Double>], _ y: inout [Complex<Double>]) {
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for i in 0..<px.count { py[i] = py[i] + a * px[i] }
            }
        }
    }

    public static func add(_ x: [Complex<Double>], to y: inout [Complex<Double>]) {
        for i in 0..<y.count { y[i] = y[i] + x[i] }
    }

    public static func difference(_ b: [Complex<Double>], _ ax: [Complex<Double>], into r: inout [Complex<Double>]) {
        for i in 0..<b.count { r[i] = b[i] - ax[i] }
    }
}
