import Foundation

/// One-dimensional numerics for the self-consistency equations: adaptive Gauss–Kronrod (7, 15)
/// quadrature and a bracketing root finder (Brent). Deterministic: same inputs, same bits.
enum Quadrature {
    // Kronrod nodes on [−1, 1] (non-negative half) and weights; the odd-indexed nodes are the
    // 7-point Gauss nodes (standard tables, e.g. QUADPACK qk15).
    private static let xk: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.000000000000000000000000000000000
    ]
    private static let wk: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714
    ]
    private static let wg: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327
    ]

    /// (Kronrod estimate, |Kronrod − Gauss|) of ∫_a^b f.
    private static func gk15(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> (Double, Double) {
        let c = 0.5 * (a + b), h = 0.5 * (b - a)
        let fc = f(c)
        var kron = fc * wk[7]
        var gauss = fc * wg[3]
        for j in 0..<7 {
            let x = h * xk[j]
            let s = f(c - x) + f(c + x)
            kron += wk[j] * s
            if j % 2 == 1 { gauss += wg[j / 2] * s }
        }
        return (kron * h, abs((kron - gauss) * h))
    }

    /// ∫ f over the consecutive intervals of `breaks` (ascending), each bisected adaptively until
    /// the Kronrod–Gauss difference is below `tolerance`·max(1, |estimate|) (or depth 60).
    static func integrate(breaks: [Double], tolerance: Double = 1e-13, _ f: (Double) -> Double) -> Double {
        var total = 0.0
        for i in 0..<(max(breaks.count, 1) - 1) where breaks[i + 1] > breaks[i] {
            total += adapt(breaks[i], breaks[i + 1], tolerance, depth: 0, f)
        }
        return total
    }

    private static func adapt(_ a: Double, _ b: Double, _ tol: Double, depth: Int, _ f: (Double) -> Double) -> Double {
        let (v, e) = gk15(a, b, f)
        if e <= tol * max(1, abs(v)) || depth >= 60 || !(e.isFinite) { return v }
        let m = 0.5 * (a + b)
        return adapt(a, m, tol / 2, depth: depth + 1, f) + adapt(m, b, tol / 2, depth: depth + 1, f)
    }

    /// A root of f in [a, b] where f(a), f(b) have opposite signs (or one is zero), by Brent's method
    /// to |b − a| ≤ `tolerance`·max(1, |x|). Returns nil without a sign change.
    static func root(
        in a0: Double, _ b0: Double, tolerance: Double = 1e-15, maxIterations: Int = 300,
        _ f: (Double) -> Double
    ) -> Double? {
        var a = a0, b = b0
        var fa = f(a), fb = f(b)
        if fa == 0 { return a }
        if fb == 0 { return b }
        guard fa.isFinite, fb.isFinite, (fa < 0) != (fb < 0) else { return nil }
        var c = a, fc = fa, d = b - a, e = d
        for _ in 0..<maxIterations {
            if (fb < 0) == (fc < 0) { c = a; fc = fa; d = b - a; e = d }
            if abs(fc) < abs(fb) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa }
            let tol = 2 * Double.ulpOfOne * abs(b) + 0.5 * tolerance * max(1, abs(b))
            let m = 0.5 * (c - b)
            if abs(m) <= tol || fb == 0 { return b }
            if abs(e) >= tol && abs(fa) > abs(fb) {
                var p: Double, q: Double
                let s = fb / fa
                if a == c {
                    p = 2 * m * s; q = 1 - s
                } else {
                    let qq = fa / fc, r = fb / fc
                    p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1))
                    q = (qq - 1) * (r - 1) * (s - 1)
                }
                if p > 0 { q = -q } else { p = -p }
                if 2 * p < min(3 * m * q - abs(tol * q), abs(e * q)) { e = d; d = p / q } else { d = m; e = m }
            } else {
                d = m; e = m
            }
            a = b; fa = fb
            b += abs(d) > tol ? d : (m > 0 ? tol : -tol)
            fb = f(b)
        }
        return b
    }

    /// The maximizer of a unimodal f on [a, b] by golden-section search to |b − a| ≤ tolerance.
    static func maximize(in a0: Double, _ b0: Double, tolerance: Double = 1e-10, _ f: (Double) -> Double) -> Double {
        let r = (5.0.squareRoot() - 1) / 2
        var a = a0, b = b0
        var x1 = b - r * (b - a), x2 = a + r * (b - a)
        var f1 = f(x1), f2 = f(x2)
        var it = 0
        while b - a > tolerance * max(1, abs(a) + abs(b)) && it < 400 {
            it += 1
            if f1 < f2 {
                a = x1; x1 = x2; f1 = f2; x2 = a + r * (b - a); f2 = f(x2)
            } else {
                b = x2; x2 = x1; f2 = f1; x1 = b - r * (b - a); f1 = f(x1)
            }
        }
        return 0.5 * (a + b)
    }
}
