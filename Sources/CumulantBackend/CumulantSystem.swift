import Foundation
import LinearAlgebra
import Numerics
import Physics

/// The second-order cumulant equations of docs/physics.md §5.1–§5.3 (U(1)-symmetric closure) for one model.
///
/// Variables: s_a = ⟨σᶻ_a⟩, C_ab = ⟨σ⁺_a σ⁻_b⟩ (Hermitian, a ≠ b) and D_ab = ⟨σᶻ_a σᶻ_b⟩ (symmetric,
/// a ≠ b). With K = F + iG (zero diagonal), Q = Γ + γ_nr + W, P = W − Γ − γ_nr, Q_C = Q + 2γ_φ and
/// X = K* C (C with zero diagonal) — docs/physics.md §5.2 with the single-dipole decoherence of §5.7
/// (without it Q_C = Q = Γ + W, P = W − Γ, bit for bit):
///
///     ds_a/dt  = P − Q s_a − 2 Re X_aa
///     dC_ab/dt = [i(δ_a−δ_b) − Q_C] C_ab + ½ f_ab [(s_a+s_b)/2 + D_ab] + (i/4) g_ab (s_b − s_a)
///                + ½ s_a X_ab + ½ s_b X_ba*
///     dD_ab/dt = P (s_a+s_b) − 2Q D_ab + 4 f_ab Re C_ab
///                − 2 s_b (Re X_aa − Re K_ab C_ab) − 2 s_a (Re X_bb − Re K_ba C_ba)
///
/// (Σ_{c≠a} K_ac C_ac = X_aa*, and (CK)_ab = X_ba* because C is Hermitian and K symmetric.) One
/// N×N×2N real product (two if g ≠ 0) per evaluation: O(N³) work, O(N²) memory.
///
/// Packed layout of a state or residual vector (length N + 3·N(N−1)/2): s_0 … s_{N−1}, then for
/// every pair a < b in the order p = b(b−1)/2 + a the three numbers Re C_ab, Im C_ab, D_ab.
public final class CumulantSystem {
    public let n: Int
    public let gamma: Double
    public let pump: Double
    /// Local pure dephasing γ_φ and non-radiative decay γ_nr (docs/physics.md §1.5, §5.7).
    public let dephasing: Double
    public let nonradiativeDecay: Double
    public let detunings: [Double]
    /// Off-diagonal dissipative couplings (zero diagonal), N×N.
    public let fOff: Matrix
    /// Off-diagonal elastic couplings, nil when g vanishes.
    public let gOff: Matrix?
    /// Q = Γ + γ_nr + W, the relaxation rate of s (and 2Q of D); docs/physics.md §5.7.
    public var q: Double { gamma + nonradiativeDecay + pump }
    /// P = W − Γ − γ_nr.
    public var p: Double { pump - (gamma + nonradiativeDecay) }
    /// Q_C = Q + 2γ_φ, the decay rate of C_ab (twice that of σ⁺_a in the regression matrix).
    public var qc: Double { q + 2 * dephasing }
    /// Number of pairs a < b.
    public var pairs: Int { n * (n - 1) / 2 }
    /// Length of a packed vector.
    public var packedCount: Int { n + 3 * pairs }
    /// Whether the detunings all vanish.
    public let resonant: Bool
    /// Workers for the matrix products (results do not depend on it; see `BlockedProducts`).
    public var threads = 1
    /// Above this N the symmetric Lyapunov preconditioner uses its low-rank form
    /// (`LyapunovPreconditioner.defaultLowRankThreshold` unless set).
    public var lowRankThreshold = LyapunovPreconditioner.defaultLowRankThreshold

    /// Scratch N×2N matrices ([Re | Im] halves side by side).
    var wideA: Matrix
    var wideB: Matrix
    /// X = K*C of the last `rhs` call.
    public private(set) var x: Matrix

    public init(model: DipoleModel) {
        n = model.count
        gamma = model.gamma
        pump = model.pump
        dephasing = model.dephasing
        nonradiativeDecay = model.nonradiativeDecay
        detunings = model.detunings
        resonant = model.detunings.allSatisfy { $0 == 0 }
        var f = model.f
        for a in 0..<n { f[a, a] = 0 }
        fOff = f
        var g = model.g
        for a in 0..<n { g[a, a] = 0 }
        gOff = g.elements.contains { $0 != 0 } ? g : nil
        wideA = Matrix(rows: n, cols: 2 * n)
        wideB = Matrix(rows: 0, cols: 0)
        x = Matrix(rows: n, cols: 2 * n)
    }

    /// Bytes of the N×N matrices this object and the solver's Jacobian scratch hold (f, g, X and scratch).
    public static func fixedBytes(n: Int, elastic: Bool) -> Int {
        8 * n * n * (1 + 2 + 2 + 2 + (elastic ? 3 : 0))
    }

    @inline(__always) public static func pairIndex(_ a: Int, _ b: Int) -> Int { b * (b - 1) / 2 + a }

    // MARK: - Packing

    /// The packed vector of an uncorrelated state diagonal in σᶻ with ⟨σᶻ_a⟩ = s_a (C = 0, D_ab = s_a s_b).
    public func productState(_ s: [Double]) -> [Double] {
        var v = [Double](repeating: 0, count: packedCount)
        for a in 0..<n { v[a] = s[a] }
        for b in 0..<n { for a in 0..<b { v[n + 3 * Self.pairIndex(a, b) + 2] = s[a] * s[b] } }
        return v
    }

    /// Writes the Hermitian matrix with zero diagonal held in the C-part of `v` into `m` ([Re | Im], N×2N).
    func unpackC(_ v: UnsafeBufferPointer<Double>, into m: inout Matrix) {
        let n = self.n, nn = n * n
        m.elements.withUnsafeMutableBufferPointer { c in
            for a in 0..<n { c[a + a * n] = 0; c[nn + a + a * n] = 0 }
            var k = n
            for b in 0..<n {
                for a in 0..<b {
                    let re = v[k], im = v[k + 1]
                    c[a + b * n] = re; c[b + a * n] = re
                    c[nn + a + b * n] = im; c[nn + b + a * n] = -im
                    k += 3
                }
            }
        }
    }

    /// out ← K* C for C given as [Re | Im]: Re = F Re C + G Im C, Im = F Im C − G Re C.
    func multiplyKStar(_ c: Matrix, into out: inout Matrix) {
        BlockedProducts.gemm(fOff, c, into: &out, threads: threads)
        guard let g = gOff else { return }
        if wideB.rows != n { wideB = Matrix(rows: n, cols: 2 * n) }
        BlockedProducts.gemm(g, c, into: &wideB, threads: threads)
        let nn = n * n
        out.elements.withUnsafeMutableBufferPointer { o in
            wideB.elements.withUnsafeBufferPointer { w in
                for i in 0..<nn { o[i] += w[nn + i]; o[nn + i] -= w[i] }
            }
        }
    }

    // MARK: - Right-hand side

    /// dx/dt for the packed state `state`; also caches X = K*C for `jacobianTimes`.
    public func rhs(_ state: [Double], into out: inout [Double]) {
        state.withUnsafeBufferPointer { unpackC($0, into: &wideA) }
        multiplyKStar(wideA, into: &x)
        let n = self.n, nn = n * n, q = self.q, p = self.p, qc = self.qc
        let hasG = gOff != nil
        let gE = gOff?.elements ?? []
        state.withUnsafeBufferPointer { v in
            x.elements.withUnsafeBufferPointer { xe in
                fOff.elements.withUnsafeBufferPointer { fe in
                    gE.withUnsafeBufferPointer { ge in
                        detunings.withUnsafeBufferPointer { dt in
                            out.withUnsafeMutableBufferPointer { o in
                                for a in 0..<n { o[a] = p - q * v[a] - 2 * xe[a + a * n] }
                                var k = n
                                for b in 0..<n {
                                    let sb = v[b], xbb = xe[b + b * n]
                                    for a in 0..<b {
                                        let i = a + b * n, j = b + a * n
                                        let sa = v[a], cr = v[k], ci = v[k + 1], d = v[k + 2]
                                        let f = fe[i], g = hasG ? ge[i] : 0
                                        let dl = dt[a] - dt[b]
                                        o[k] =
                                            -qc * cr - dl * ci + 0.5 * f * (0.5 * (sa + sb) + d)
                                            + 0.5 * (sa * xe[i] + sb * xe[j])
                                        o[k + 1] =
                                            -qc * ci + dl * cr + 0.25 * g * (sb - sa)
                                            + 0.5 * (sa * xe[nn + i] - sb * xe[nn + j])
                                        o[k + 2] =
                                            p * (sa + sb) - 2 * q * d + 4 * f * cr
                                            - 2 * sb * (xe[a + a * n] - (f * cr - g * ci))
                                            - 2 * sa * (xbb - (f * cr + g * ci))
                                        k += 3
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// J·v at `state`, which must be the state of the last `rhs` call (X is reused): the exact
    /// linearization of the quadratic right-hand side. `y` is N×2N scratch.
    public func jacobianTimes(_ state: [Double], _ v: [Double], scratch y: inout Matrix, into out: inout [Double]) {
        v.withUnsafeBufferPointer { unpackC($0, into: &wideA) }
        multiplyKStar(wideA, into: &y)
        let n = self.n, nn = n * n, q = self.q, p = self.p, qc = self.qc
        let hasG = gOff != nil
        let gE = gOff?.elements ?? []
        state.withUnsafeBufferPointer { st in
            v.withUnsafeBufferPointer { v in
                x.elements.withUnsafeBufferPointer { xe in
                    y.elements.withUnsafeBufferPointer { ye in
                        fOff.elements.withUnsafeBufferPointer { fe in
                            gE.withUnsafeBufferPointer { ge in
                                detunings.withUnsafeBufferPointer { dt in
                                    out.withUnsafeMutableBufferPointer { o in
                                        for a in 0..<n { o[a] = -q * v[a] - 2 * ye[a + a * n] }
                                        var k = n
                                        for b in 0..<n {
                                            let sb = st[b], ub = v[b]
                                            let xbb = xe[b + b * n], ybb = ye[b + b * n]
                                            for a in 0..<b {
                                                let i = a + b * n, j = b + a * n
                                                let sa = st[a], ua = v[a]
                                                let cr = st[k], ci = st[k + 1]
                                                let vr = v[k], vi = v[k + 1], e = v[k + 2]
                                                let f = fe[i], g = hasG ? ge[i] : 0
                                                let dl = dt[a] - dt[b]
                                                o[k] =
                                                    -qc * vr - dl * vi + 0.5 * f * (0.5 * (ua + ub) + e)
                                                    + 0.5 * (ua * xe[i] + sa * ye[i] + ub * xe[j] + sb * ye[j])
                                                o[k + 1] =
                                                    -qc * vi + dl * vr + 0.25 * g * (ub - ua)
                                                    + 0.5 * (ua * xe[nn + i] + sa * ye[nn + i] - ub * xe[nn + j] - sb * ye[nn + j])
                                                o[k + 2] =
                                                    p * (ua + ub) - 2 * q * e + 4 * f * vr
                                                    - 2 * ub * (xe[a + a * n] - (f * cr - g * ci))
                                                    - 2 * sb * (ye[a + a * n] - (f * vr - g * vi))
                                                    - 2 * ua * (xbb - (f * cr + g * ci))
                                                    - 2 * sa * (ybb - (f * vr + g * vi))
                                                k += 3
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Accessors of a packed state

    /// C_ab = ⟨σ⁺_a σ⁻_b⟩ for a ≠ b; ⟨σ⁺_a σ⁻_a⟩ = (1 + s_a)/2 on the diagonal.
    public func c(_ v: [Double], _ a: Int, _ b: Int) -> Complex<Double> {
        if a == b { return Complex((1 + v[a]) / 2) }
        if a < b {
            let k = n + 3 * Self.pairIndex(a, b)
            return Complex(v[k], v[k + 1])
        }
        let k = n + 3 * Self.pairIndex(b, a)
        return Complex(v[k], -v[k + 1])
    }

    /// D_ab = ⟨σᶻ_a σᶻ_b⟩ (1 on the diagonal).
    public func d(_ v: [Double], _ a: Int, _ b: Int) -> Double {
        if a == b { return 1 }
        return v[n + 3 * Self.pairIndex(min(a, b), max(a, b)) + 2]
    }
}

/// Runs `body` with OpenBLAS on one thread, then restores the thread count. LAPACK's reductions
/// (dot products, norms inside eigen-solvers) are split across threads and would otherwise change the
/// last bits with the thread count; the O(N³) products (gemm) partition the output and stay exact.
func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
    let saved = BLASLibrary.threads
    BLASLibrary.setThreads(1)
    defer { BLASLibrary.setThreads(saved) }
    return try body()
}
