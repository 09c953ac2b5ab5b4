import Foundation
import Numerics

/// Restarted flexible GMRES (FGMRES, Saad 1993) for a complex linear system A x = b with a right
/// preconditioner M that may be inexact (here: single precision): it keeps z_j = M v_j, so the Arnoldi
/// relation A Z = V H holds in double precision and x = x₀ + Z y minimizes ‖b − A x‖₂ over span Z.
/// Modified Gram–Schmidt, Givens rotations. Deterministic (fixed operation order).
struct GMRES {
    var restart: Int
    var maxIterations: Int
    /// Stop when ‖b − A x‖₂ ≤ `absoluteTolerance`.
    var absoluteTolerance: Double

    struct Outcome {
        var x: [Complex<Double>]
        var residual: Double
        var iterations: Int
        var converged: Bool
    }

    typealias Operator = ([Complex<Double>]) -> [Complex<Double>]

    func solve(a: Operator, preconditioner m: Operator, b: [Complex<Double>], x0: [Complex<Double>]) -> Outcome {
        var x = x0
        var iterations = 0
        var residual = Double.infinity
        while iterations < maxIterations {
            var r = a(x)
            for i in r.indices { r[i] = b[i] - r[i] }
            let beta = GMRES.norm(r)
            residual = beta
            if beta <= absoluteTolerance || !beta.isFinite { break }
            var v: [[Complex<Double>]] = [GMRES.scaled(r, 1 / beta)]
            var z: [[Complex<Double>]] = []
            var h = [[Complex<Double>]]()           // h[j] is column j, length j+2
            var cs = [Complex<Double>](), sn = [Complex<Double>]()
            var g: [Complex<Double>] = [Complex(beta)]
            var steps = 0
            for j in 0..<restart {
                if iterations >= maxIterations { break }
                iterations += 1
                z.append(m(v[j]))
                var w = a(z[j])
                var col = [Complex<Double>](repeating: .zero, count: j + 2)
                for i in 0...j {
                    let hij = GMRES.dot(v[i], w)
                    col[i] = hij
                    GMRES.axpy(-hij, v[i], &w)
                }
                let hn = GMRES.norm(w)
                col[j + 1] = Complex(hn)
                // Apply the previous rotations, then a new one that zeroes col[j+1].
                for i in 0..<j {
                    let t = cs[i].conjugate * col[i] + sn[i].conjugate * col[i + 1]
                    col[i + 1] = -sn[i] * col[i] + cs[i] * col[i + 1]
                    col[i] = t
                }
                let (c, s, rr) = GMRES.rotation(col[j], col[j + 1])
                cs.append(c); sn.append(s)
                col[j] = rr; col[j + 1] = .zero
                g.append(-s * g[j])
                g[j] = c.conjugate * g[j]
                h.append(col)
                steps = j + 1
                residual = g[j + 1].length
                if residual <= absoluteTolerance || hn == 0 { break }
                v.append(GMRES.scaled(w, 1 / hn))
            }
            // Back substitution for y, then x += M (V y).
            var y = [Complex<Double>](repeating: .zero, count: steps)
            for i in stride(from: steps - 1, through: 0, by: -1) {
                var s = g[i]
                for k in (i + 1)..<max(i + 1, steps) { s = s - h[k][i] * y[k] }
                y[i] = s / h[i][i]
            }
            for i in 0..<steps { GMRES.axpy(y[i], z[i], &x) }
            // The loop head recomputes the true residual: with an inexact (single-precision)
            // preconditioner the cycles act as iterative refinement.
        }
        // The true residual of the returned x.
        var r = a(x)
        for i in r.indices { r[i] = b[i] - r[i] }
        residual = GMRES.norm(r)
        return Outcome(x: x, residual: residual, iterations: iterations, converged: residual <= absoluteTolerance * 10)
    }

    /// (c, s, r) with [c̄ s̄; −s c]·(f, g) = (r, 0): c = |f|/ν real, s = |f| g/(ν f), r = ν f/|f|,
    /// ν = √(|f|² + |g|²); (0, 1, g) when f = 0.
    static func rotation(_ f: Complex<Double>, _ g: Complex<Double>) -> (Complex<Double>, Complex<Double>, Complex<Double>) {
        let fa = f.length, ga = g.length
        if ga == 0 { return (.one, .zero, f) }
        if fa == 0 { return (.zero, .one, g) }
        let nu = (fa * fa + ga * ga).squareRoot()
        let c = Complex(fa / nu)
        let s = Complex(fa / nu) * g / f
        let r = Complex(nu / fa) * f
        return (c, s, r)
    }

    /// ⟨a, b⟩ = Σ conj(a_i) b_i, summed in four interleaved partial sums (i mod 4) combined in a fixed
    /// order: independent additions the CPU can overlap (a single running sum is latency bound), and
    /// the same bits on every run.
    static func dot(_ a: [Complex<Double>], _ b: [Complex<Double>]) -> Complex<Double> {
        var re = SIMD4<Double>(), im = SIMD4<Double>()
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
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
        } }
        return Complex((re[0] + re[1]) + (re[2] + re[3]), (im[0] + im[1]) + (im[2] + im[3]))
    }

    static func norm(_ a: [Complex<Double>]) -> Double { dot(a, a).real.squareRoot() }

    static func scaled(_ a: [Complex<Double>], _ c: Double) -> [Complex<Double>] {
        a.map { Complex($0.real * c, $0.imaginary * c) }
    }

    static func axpy(_ alpha: Complex<Double>, _ x: [Complex<Double>], _ y: inout [Complex<Double>]) {
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
            for i in 0..<px.count { py[i] = py[i] + alpha * px[i] }
        } }
    }
}
