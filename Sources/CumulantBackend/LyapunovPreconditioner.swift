import Foundation
import LinearAlgebra
import Numerics
import Physics
import Results

/// Approximate inverse of I·σ − J for the cumulant equations (σ = 1/Δt), block by block:
/// s ↦ r/(σ + Q), D ↦ r/(σ + 2Q), and for C the solution of σV − (M V + V M†) = R through
/// M = Φ diag(λ) Φ⁻¹:  V = Φ [ (Φ⁻¹ R Φ⁻†)_kl / (σ − λ_k − λ_l*) ] Φ†, diagonal then set to zero.
/// With single-dipole decoherence (docs/physics.md §5.7) Q = Γ + γ_nr + W and M's diagonal is
/// iδ − Q_C/2 with Q_C = Q + 2γ_φ.
struct LyapunovPreconditioner {
    enum Kind {
        /// Equal detunings, g = 0: F_off = U diag(μ) Uᵀ once; λ_k = −Q_C/2 + ½ s̄ μ_k.
        case symmetric(u: Matrix, mu: [Double])
        /// General: M = diag(iδ − Q/2) + ½ diag(s) K*, recomputed when s moves.
        case general(phi: ComplexMatrix, phiInverse: ComplexMatrix, lambda: [Complex<Double>], s: [Double])
        /// Large N, equal detunings, g = 0: only the K eigenvectors B of F with extreme μ (the slow modes for either
        /// sign of s̄) are treated exactly; the other eigenvalues are replaced by their median μ_r.
        /// O(N² K) per application instead of O(N³).
        case lowRank(b: Matrix, mu: [Double], muRest: Double)
        /// Lattice couplings: f (and g, `nu`, when elastic) replaced by the matrices
        /// diagonal in the lattice's cosine basis closest to them (μ_k, ν_k,
        /// `CosineTransform.rayleighQuotients`); the Lyapunov equation is then solved by four passes of
        /// cosine transforms over X's columns: O(N² log N) per application, one N × N array (two when
        /// elastic: the complex divisors couple Re C and Im C). Unequal detunings are divided out after it,
        /// pair by pair (`divideDetuningDifferences`).
        case cosine(transform: CosineTransform, mu: [Double], nu: [Double]?)
        case none
    }
    var kind_: Kind
    /// The detunings when they are not all equal (cosine form: their differences are divided out in the
    /// position basis after the cosine-basis inverse, `divideDetuningDifferences`).
    var detunings: [Double]? = nil
    var sBar = 0.0
    /// Mean Re C_ab over pairs (Z_Q²) at the last update: the collective correction's coefficients.
    var cBar = 0.0
    /// P = W − Γ − γ_nr.
    let p: Double
    /// Whether the cosine form corrects the collective modes (`correctCollectiveModes`; off only in tests
    /// that measure what it saves).
    var collectiveCorrection = true
    let n: Int
    /// The packed vectors' layout (a reflected one only with the cosine form).
    let layout: PackedLayout
    let q: Double
    /// Q_C = Q + 2γ_φ, the decay rate of the C block (docs/physics.md §5.7).
    let qc: Double
    let threads: Int
    var lambdaReal: [Double] = []
    /// Im λ_k = −½ s̄ ν_k (elastic cosine form).
    var lambdaImaginary: [Double] = []
    // Scratch.
    var wide: Matrix
    var tallA: Matrix
    var tallB: Matrix
    var cScratch: ComplexMatrix

    var kind: String {
        switch kind_ {
        case .symmetric: return "Lyapunov (mean-inversion, eigenvectors of f)"
        case .general: return "Lyapunov (eigenvectors of the regression matrix)"
        case .lowRank(let b, _, _): return "Lyapunov (\(b.cols) extreme eigenvectors of f, mean inversion)"
        case .cosine(_, _, let nu):
            let couplings = nu == nil ? "f" : "f and g"
            let detuning = detunings == nil ? "" : ", detuning differences in the position basis"
            return "Lyapunov (\(couplings) diagonal in the lattice's cosine basis, mean inversion\(detuning))"
        case .none: return "none"
        }
    }

    /// Above this N the symmetric case uses the low-rank form, unless `CumulantSystem.lowRankThreshold`
    /// says otherwise.
    static let defaultLowRankThreshold = 400
    /// Eigenvectors kept at each end of the spectrum of f in the low-rank form.
    static let lowRankModes = 48
    var xr = Matrix(rows: 0, cols: 0)
    var xi = Matrix(rows: 0, cols: 0)

    /// Which form a system gets: the one place `init`, the memory estimate and the plan read it from.
    enum Form: Equatable {
        case none, symmetric, lowRank, general
        /// Lattice couplings; `elastic`: g's diagonal too, two N × N arrays.
        case cosine(elastic: Bool)

        init(n: Int, elastic: Bool, equalDetunings: Bool, lattice: Bool, lowRankThreshold: Int = defaultLowRankThreshold) {
            let large = n > lowRankThreshold && n > 4 * lowRankModes
            if n < 2 {
                self = .none
            } else if large && lattice {
                // Any detunings: their differences are divided out pair by pair (`divideDetuningDifferences`).
                self = .cosine(elastic: elastic)
            } else if equalDetunings && !elastic {
                self = large ? .lowRank : .symmetric
            } else {
                self = .general
            }
        }

        /// Bytes it holds: four complex N×N (general), U and four N×2N scratch (symmetric), two N×N
        /// scratch plus the transient eigen-decomposition of f (low rank), one N×N scratch (two when
        /// elastic) and a dozen N-vectors (cosine).
        func bytes(n: Int) -> Int {
            switch self {
            case .none: return 0
            case .general: return 64 * n * n
            case .symmetric: return 72 * n * n
            case .lowRank: return 40 * n * n
            case .cosine(let elastic): return 8 * n * n * (elastic ? 2 : 1) + 8 * n * 12
            }
        }
    }

    init(system: CumulantSystem) throws {
        n = system.n
        layout = system.layout
        q = system.q
        qc = system.qc
        p = system.p
        threads = system.threads
        wide = Matrix(rows: 0, cols: 0)
        tallA = Matrix(rows: 0, cols: 0)
        tallB = Matrix(rows: 0, cols: 0)
        cScratch = ComplexMatrix(rows: 0, cols: 0)
        let form = Form(
            n: n, elastic: system.elastic, equalDetunings: system.equalDetunings, lattice: system.representation == .lattice,
            lowRankThreshold: system.lowRankThreshold)
        // The other forms read the full layout.
        switch form {
        case .cosine, .none: break
        case .symmetric, .lowRank, .general:
            if layout.reflected {
                throw BackendError.unsupported(
                    "a reflected packed layout needs the cosine-basis preconditioner (lattice couplings above its threshold)")
            }
        }
        switch form {
        case .none:
            kind_ = .none
        case .cosine:
            guard case .lattice(let lattice, _) = system.storage else { kind_ = .none; return }
            // No N×N matrix: f and g by their diagonals in the lattice's cosine basis (docs/physics.md §5.3.1).
            let transform = CosineTransform(extents: lattice.extents)
            let center = lattice.kernelIndex(0, 0, 0)
            func quotients(_ kernel: [Double]) -> [Double] {
                transform.rayleighQuotients { dx, dy, dz in
                    let i = lattice.kernelIndex(dx, dy, dz)
                    return i == center ? 0 : kernel[i]
                }
            }
            kind_ = .cosine(transform: transform, mu: quotients(lattice.fKernel), nu: lattice.gKernel.map(quotients))
            if !system.equalDetunings { detunings = system.detunings }
            xr = Matrix(rows: n, cols: n, threads: system.threads)
            if system.elastic { xi = Matrix(rows: n, cols: n, threads: system.threads) }
        case .lowRank:
            let k = Self.lowRankModes
            let (mu, u) = try singleThreaded { try symmetricEigen(system.denseF()) }
            let keep = Array(0..<k) + Array((n - k)..<n)
            var b = Matrix(rows: n, cols: 2 * k)
            for (j, col) in keep.enumerated() { for i in 0..<n { b[i, j] = u[i, col] } }
            let middle = Array(mu[k..<(n - k)])
            kind_ = .lowRank(b: b, mu: keep.map { mu[$0] }, muRest: middle[middle.count / 2])
            xr = Matrix(rows: n, cols: n)
            xi = Matrix(rows: n, cols: n)
        case .symmetric:
            let (mu, u) = try singleThreaded { try symmetricEigen(system.denseF()) }
            kind_ = .symmetric(u: u, mu: mu)
            wide = Matrix(rows: n, cols: 2 * n)
            tallA = Matrix(rows: 2 * n, cols: n)
            tallB = Matrix(rows: 2 * n, cols: n)
        case .general:
            kind_ = .general(
                phi: ComplexMatrix(rows: 0, cols: 0), phiInverse: ComplexMatrix(rows: 0, cols: 0),
                lambda: [], s: [])
        }
    }

    /// The matrix M = diag(iδ − Q_C/2) + ½ diag(s) K* of the regression theorem (docs/physics.md §5.5, §5.7).
    static func regressionMatrix(system: CumulantSystem, s: [Double]) -> ComplexMatrix {
        let n = system.n
        var m = ComplexMatrix(rows: n, cols: n)
        for b in 0..<n {
            for a in 0..<n {
                if a == b {
                    m[a, a] = Complex(-system.qc / 2, system.detunings[a])
                } else {
                    let (f, g) = system.coupling(a, b)
                    m[a, b] = Complex(0.5 * s[a] * f, -0.5 * s[a] * g)
                }
            }
        }
        return m
    }

    /// The fastest growth rate of the C block in the cosine form's model of M, max(0, 2 max_k Re λ_k)
    /// (C along the mode pair (k, k) grows at λ_k + λ_k*): positive where the state the model was
    /// updated at has correlations that grow, as the symmetric-reduction start does on a dipolar plane whose
    /// light-cone modes are brighter than the uniform one (docs/physics.md §5.3.1), which the solver's
    /// steps then follow. 0 for the other forms (dense couplings or N ≤ 400): their solves converge without
    /// that rule, and a bundle they computed before it must still rerun bit for bit.
    var growthRate: Double {
        guard case .cosine = kind_ else { return 0 }
        return max(0, 2 * (lambdaReal.max() ?? 0))
    }

    mutating func update(system: CumulantSystem, s: [Double], meanC: Double) throws {
        switch kind_ {
        case .none: return
        case .symmetric(_, let mu), .lowRank(_, let mu, _), .cosine(_, let mu, _):
            sBar = s.reduce(0, +) / Double(n)
            lambdaReal = mu.map { -qc / 2 + 0.5 * sBar * $0 }
            if case .cosine(_, _, let nu?) = kind_ { lambdaImaginary = nu.map { -0.5 * sBar * $0 } }
            cBar = meanC
        case .general(_, _, _, let old):
            if old.count == n && zip(old, s).allSatisfy({ abs($0 - $1) < 1e-3 }) { return }
            let m = Self.regressionMatrix(system: system, s: s)
            let (lambda, phi) = try singleThreaded { try eigen(m) }
            let inv: ComplexMatrix
            do { inv = try singleThreaded { try LinearAlgebra.solve(phi, ComplexMatrix.identity(n)) } } catch {
                throw BackendError.numerical("the regression matrix is not diagonalizable (\(error))")
            }
            kind_ = .general(phi: phi, phiInverse: inv, lambda: lambda, s: s)
        }
    }

    mutating func apply(_ r: [Double], sigma: Double, into out: inout [Double]) {
        let n = self.n
        let (sCount, pairs) = (layout.sCount, layout.pairCount)
        for a in 0..<sCount { out[a] = r[a] / (sigma + q) }
        guard n >= 2 else { return }
        let dRate = sigma + 2 * q
        switch kind_ {
        case .none:
            var k = sCount
            for _ in 0..<pairs {
                out[k] = r[k] / (sigma + qc); out[k + 1] = r[k + 1] / (sigma + qc); out[k + 2] = r[k + 2] / dRate
                k += 3
            }
        case .symmetric(let u, _):
            applySymmetric(r, u: u, sigma: sigma, into: &out)
            var k = sCount + 2
            for _ in 0..<pairs { out[k] = r[k] / dRate; k += 3 }
        case .lowRank(let b, _, let muRest):
            applyLowRank(r, b: b, lambdaRest: -qc / 2 + 0.5 * sBar * muRest, sigma: sigma, into: &out)
            var k = sCount + 2
            for _ in 0..<pairs { out[k] = r[k] / dRate; k += 3 }
        case .cosine(let transform, let mu, let nu):
            if nu == nil {
                applyCosine(r, transform: transform, sigma: sigma, into: &out)
            } else {
                applyComplexCosine(r, transform: transform, sigma: sigma, into: &out)
            }
            var k = sCount + 2
            for _ in 0..<pairs { out[k] = r[k] / dRate; k += 3 }
            if let delta = detunings { divideDetuningDifferences(delta, sigma: sigma, into: &out) }
            if collectiveCorrection { correctCollectiveModes(r, transform: transform, mu: mu, sigma: sigma, into: &out) }
        case .general(let phi, let inv, let lambda, _):
            var rc = ComplexMatrix(rows: n, cols: n)
            var k = n
            for b in 0..<n {
                for a in 0..<b {
                    rc[a, b] = Complex(r[k], r[k + 1]); rc[b, a] = Complex(r[k], -r[k + 1]); k += 3
                }
            }
            if cScratch.rows != n { cScratch = ComplexMatrix(rows: n, cols: n) }
            BlockedProducts.gemm(inv, rc, into: &cScratch, threads: threads)
            BlockedProducts.gemm(cScratch, inv, transposeB: .adjoint, into: &rc, threads: threads)
            for l in 0..<n {
                for kk in 0..<n {
                    let d = Complex(sigma) - lambda[kk] - lambda[l].conjugate
                    let len2 = d.real * d.real + d.imaginary * d.imaginary
                    let dd = len2 < 1e-12 * q * q ? Complex(1e-6 * q) : d
                    rc[kk, l] = rc[kk, l] / dd
                }
            }
            BlockedProducts.gemm(phi, rc, into: &cScratch, threads: threads)
            BlockedProducts.gemm(cScratch, phi, transposeB: .adjoint, into: &rc, threads: threads)
            k = n
            for b in 0..<n {
                for a in 0..<b {
                    let v = rc[a, b]
                    out[k] = v.real; out[k + 1] = v.imaginary; out[k + 2] = r[k + 2] / dRate
                    k += 3
                }
            }
        }
    }

    /// C block with real orthogonal U: V = U [(Uᵀ R U)_kl / (σ − λ_k − λ_l)] Uᵀ for R = Re + i Im.
    private mutating func applySymmetric(_ r: [Double], u: Matrix, sigma: Double, into out: inout [Double]) {
        let n = self.n, nn = n * n
        // wide ← [Re R | Im R]
        wide.elements.withUnsafeMutableBufferPointer { c in
            for a in 0..<n { c[a + a * n] = 0; c[nn + a + a * n] = 0 }
            var k = n
            for b in 0..<n {
                for a in 0..<b {
                    let re = r[k], im = r[k + 1]
                    c[a + b * n] = re; c[b + a * n] = re; c[nn + a + b * n] = im; c[nn + b + a * n] = -im
                    k += 3
                }
            }
        }
        // tallA ← [Uᵀ Re R ; Uᵀ Im R] (stacked), computed as Uᵀ·wide then restacked.
        var t = Matrix(rows: n, cols: 2 * n)
        BlockedProducts.gemm(u, wide, transposeA: .transpose, into: &t, threads: threads)
        restack(wideToTall: t, into: &tallA)
        BlockedProducts.gemm(tallA, u, into: &tallB, threads: threads)   // [Uᵀ Re R U ; Uᵀ Im R U]
        let lam = lambdaReal
        let floor = 1e-6 * q
        tallB.elements.withUnsafeMutableBufferPointer { e in
            for l in 0..<n {
                for k in 0..<n {
                    var d = sigma - lam[k] - lam[l]
                    if abs(d) < floor { d = d < 0 ? -floor : floor }
                    e[k + l * 2 * n] /= d
                    e[n + k + l * 2 * n] /= d
                }
            }
        }
        BlockedProducts.gemm(tallB, u, transposeB: .transpose, into: &tallA, threads: threads)   // [V'_r Uᵀ ; V'_i Uᵀ]
        restack(tallToWide: tallA, into: &t)
        BlockedProducts.gemm(u, t, into: &wide, threads: threads)   // [U V'_r Uᵀ | U V'_i Uᵀ]
        wide.elements.withUnsafeBufferPointer { c in
            var k = n
            for b in 0..<n {
                for a in 0..<b {
                    // Symmetrize (round-off) while packing.
                    out[k] = 0.5 * (c[a + b * n] + c[b + a * n])
                    out[k + 1] = 0.5 * (c[nn + a + b * n] - c[nn + b + a * n])
                    k += 3
                }
            }
        }
    }

    /// With S = span(B) (eigenvectors of f, eigenvalues λ_k) and λ_r on S⊥, c = 1/(σ − 2λ_r):
    /// V = c X + B D (Z − Y Bᵀ) + (W − B Y) D Bᵀ + B (Y∘H − c Y) Bᵀ, where Z = BᵀX, W = XB, Y = BᵀXB,
    /// D = diag(1/(σ − λ_k − λ_r) − c), H_kl = 1/(σ − λ_k − λ_l); exact when M has that spectrum.
    /// X is symmetric (real part) or antisymmetric (imaginary part), Xᵀ = εX: then W = εZᵀ, Yᵀ = εY and
    /// the second and third terms are each other's ε-transposes, so V = c X + P + ε Pᵀ with
    /// P = B [D (Z − Y Bᵀ) + ½ (Y∘H − cY) Bᵀ]: two N×N×K products per part (Z and P).
    private mutating func applyLowRank(_ r: [Double], b: Matrix, lambdaRest: Double, sigma: Double, into out: inout [Double]) {
        let n = self.n, kk = b.cols, layout = self.layout
        let floor = 1e-6 * q
        func inv(_ d: Double) -> Double { abs(d) < floor ? (d < 0 ? -1 / floor : 1 / floor) : 1 / d }
        let c = inv(sigma - 2 * lambdaRest)
        let dk = (0..<kk).map { inv(sigma - lambdaReal[$0] - lambdaRest) - c }
        let threads = self.threads
        for part in 0..<2 {
            let epsilon = part == 0 ? 1.0 : -1.0
            Self.fillPart(r, part: part, layout: layout, threads: threads, into: &xr)   // xr ← X (this part, zero diagonal)
            var z = Matrix(rows: kk, cols: n), y = Matrix(rows: kk, cols: kk)
            BlockedProducts.gemm(b, xr, transposeA: .transpose, into: &z, threads: threads)   // Z = BᵀX
            Matrix.gemm(z, b, into: &y)   // Y = Z B
            var e = Matrix(rows: kk, cols: kk)
            for l in 0..<kk { for k in 0..<kk { e[k, l] = 0.5 * y[k, l] * (inv(sigma - lambdaReal[k] - lambdaReal[l]) - c) } }
            Matrix.gemm(y, b, transposeB: .transpose, alpha: -1, beta: 1, into: &z)   // Z − Y Bᵀ
            for col in 0..<n { for k in 0..<kk { z[k, col] *= dk[k] } }
            Matrix.gemm(e, b, transposeB: .transpose, alpha: 1, beta: 1, into: &z)   // + ½ E Bᵀ
            BlockedProducts.gemm(b, z, into: &xi, threads: threads)   // P = B Z'
            xi.elements.withUnsafeBufferPointer { pp in
                r.withUnsafeBufferPointer { r in
                    out.withUnsafeMutableBufferPointer { o in
                        CumulantSystem.forEachColumnRange(n: n, threads: threads) { columns in
                            for bb in columns {
                                var k = layout.columnOffset(bb) + part
                                for a in 0..<bb {
                                    o[k] = c * r[k] + pp[a + bb * n] + epsilon * pp[bb + a * n]
                                    k += 3
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// C block with the cosine basis Φ (orthogonal; T = S Φᵀ the unnormalized transform, S diagonal):
    /// V = Φ [(ΦᵀXΦ)_kl / (σ − λ_k − λ_l)] Φᵀ = T⁻¹ [(T X Tᵀ)_kl / (σ − λ_k − λ_l)] T⁻ᵀ, the scalings
    /// cancelling in the elementwise division. T X Tᵀ is T on the columns of X, a transpose, T on the
    /// columns again (the divisor is symmetric in k, l, so the transposed order does not matter), and
    /// back the same way. Each column is transformed alone, so the bits do not depend on `threads`.
    private mutating func applyCosine(_ r: [Double], transform: CosineTransform, sigma: Double, into out: inout [Double]) {
        let n = self.n
        let floor = 1e-6 * q
        let lam = lambdaReal
        let threads = self.threads
        for part in 0..<2 {
            Self.fillPart(r, part: part, layout: layout, threads: threads, into: &xr)
            xr.elements.withUnsafeMutableBufferPointer { px in
                let base = px.baseAddress!
                Self.cosinePasses(base, transform: transform, forward: true, n: n, threads: threads)
                Self.eachColumn(n: n, threads: threads) { l in
                    for k in 0..<n {
                        var d = sigma - lam[k] - lam[l]
                        if abs(d) < floor { d = d < 0 ? -floor : floor }
                        base[k + l * n] /= d
                    }
                }
                Self.cosinePasses(base, transform: transform, forward: false, n: n, threads: threads)
            }
            Self.packPart(xr, part: part, layout: layout, threads: threads, into: &out)
        }
    }

    /// The same with elastic couplings: λ_k = −Q_C/2 + ½ s̄ (μ_k − iν_k) (ν_k: g's cosine-basis diagonal),
    /// so the divisor d_kl = σ − λ_k − λ_l* is complex with d_lk = d_kl*, and Y = (A + iB)/d couples
    /// A = Φᵀ Re R Φ (symmetric) and B = Φᵀ Im R Φ (antisymmetric): both parts are transformed at once,
    /// in `xr` and `xi`. After the forward passes position (k, l) holds the transposes, A_lk and B_lk,
    /// so it is divided by d_lk; the inverse passes transpose back.
    private mutating func applyComplexCosine(_ r: [Double], transform: CosineTransform, sigma: Double, into out: inout [Double]) {
        let n = self.n, threads = self.threads
        let floor2 = 1e-12 * q * q
        let (lr, li) = (lambdaReal, lambdaImaginary)
        Self.fillPart(r, part: 0, layout: layout, threads: threads, into: &xr)
        Self.fillPart(r, part: 1, layout: layout, threads: threads, into: &xi)
        xr.elements.withUnsafeMutableBufferPointer { pr in
            xi.elements.withUnsafeMutableBufferPointer { pi in
                let (re, im) = (pr.baseAddress!, pi.baseAddress!)
                Self.cosinePasses(re, transform: transform, forward: true, n: n, threads: threads)
                Self.cosinePasses(im, transform: transform, forward: true, n: n, threads: threads)
                Self.eachColumn(n: n, threads: threads) { l in
                    for k in 0..<n {
                        // d_lk = σ − λ_l − λ_k*
                        var dr = sigma - lr[l] - lr[k], di = li[k] - li[l]
                        if dr * dr + di * di < floor2 { (dr, di) = (floor2.squareRoot(), 0) }
                        let len2 = dr * dr + di * di
                        let (a, b) = (re[k + l * n], im[k + l * n])
                        re[k + l * n] = (a * dr + b * di) / len2
                        im[k + l * n] = (b * dr - a * di) / len2
                    }
                }
                Self.cosinePasses(re, transform: transform, forward: false, n: n, threads: threads)
                Self.cosinePasses(im, transform: transform, forward: false, n: n, threads: threads)
            }
        }
        Self.packPart(xr, part: 0, layout: layout, threads: threads, into: &out)
        Self.packPart(xi, part: 1, layout: layout, threads: threads, into: &out)
    }

    /// Unequal detunings in the cosine form: σ − J on C_ab holds −i(δ_a − δ_b), diagonal in the position
    /// basis, not the cosine basis; with c = σ + Q_C the operator is taken as L₀ (c − iΔ)/c (L₀ the cosine
    /// form's), whose error (1 − L₀/c) iΔ is small on every mode the couplings do not slow down, so after
    /// L₀⁻¹ each V_ab is multiplied by c/(c − iΔ_ab) (docs/physics.md §5.3.1).
    private func divideDetuningDifferences(_ delta: [Double], sigma: Double, into out: inout [Double]) {
        let n = self.n, c = sigma + qc
        out.withUnsafeMutableBufferPointer { o in
            CumulantSystem.forEachColumnRange(n: n, threads: threads, layout: layout) { columns in
                for b in columns {
                    var k = layout.columnOffset(b)
                    for a in 0..<layout.pairsInColumn(b) {
                        let d = delta[a] - delta[b], scale = c / (c * c + d * d)
                        let (re, im) = (o[k], o[k + 1])
                        o[k] = scale * (c * re - d * im)
                        o[k + 1] = scale * (c * im + d * re)
                        k += 3
                    }
                }
            }
        }
    }

    /// Whole columns of an n × n array in equal shares (every column costs the same, unlike the pair
    /// loops' triangular `forEachColumnRange`).
    private static func eachColumn(n: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = n < CumulantSystem.concurrentPairsMinimum ? 1 : max(1, min(threads, n))
        concurrentForEach(iterations: workers) { w in
            for col in (w * n / workers)..<((w + 1) * n / workers) { body(col) }
        }
    }

    /// T on the columns of the n × n array at `base`, a transpose, T on the columns again (T⁻¹ when not
    /// `forward`): T X Tᵀ stored transposed, or back.
    private static func cosinePasses(
        _ base: UnsafeMutablePointer<Double>, transform: CosineTransform, forward: Bool, n: Int, threads: Int
    ) {
        let pass = forward ? transform.forward : transform.inverse
        eachColumn(n: n, threads: threads) { pass(base + $0 * n) }
        transposeInPlace(base, n: n, threads: threads)
        eachColumn(n: n, threads: threads) { pass(base + $0 * n) }
    }

    /// Packs one part of V (0: Re, symmetrized; 1: Im, antisymmetrized, round-off) into the packed C.
    private static func packPart(_ v: Matrix, part: Int, layout: PackedLayout, threads: Int, into out: inout [Double]) {
        let epsilon = part == 0 ? 1.0 : -1.0, n = layout.n
        v.elements.withUnsafeBufferPointer { pv in
            out.withUnsafeMutableBufferPointer { o in
                CumulantSystem.forEachColumnRange(n: n, threads: threads, layout: layout) { columns in
                    for bb in columns {
                        var k = layout.columnOffset(bb) + part
                        for a in 0..<layout.pairsInColumn(bb) {
                            o[k] = 0.5 * (pv[a + bb * n] + epsilon * pv[bb + a * n])
                            k += 3
                        }
                    }
                }
            }
        }
    }

    /// The gain-saturation loop, mode by mode. In a synchronized state a change of s along a cosine mode
    /// u_k moves the pair correlations along E_k = (u_k eᵀ + e u_kᵀ)/√2 (e = 1/√N; E_0 = e eᵀ) through
    /// ½ s_a (fC)_ab ≈ ½ c̄ F̄ (δs_a + δs_b), and E_k feeds back into s_k and D along E_k through the row
    /// sums of f∘C; the block-diagonal preconditioner above leaves that loop out, and GMRES then spends
    /// its iterations on it (69 against 21 for an unsynchronized lattice of 2 500). Linearized about the
    /// uniform state (s̄, c̄) with F̄ = μ_0 (the mean row sum of f), f̄ = F̄/(N − 1), κ_k = √(2N) (2√N for
    /// k = 0) and ν_k = F̄ + μ_k (2F̄ for k = 0), the equations of §5.2 on (s_k, C_k, D_k) read
    ///
    ///     J_k = [ −Q                  −2ν_k/κ_k       0    ]
    ///           [ (½c̄F̄ + ¼f̄) κ_k      λ_k + λ_0      ½f̄   ]
    ///           [ (P − 2F̄c̄) κ_k       4f̄ − 2s̄ν_k    −2Q   ],
    ///
    /// and the preconditioner's action on those three directions is replaced by (σ − J_k)⁻¹. Work: row
    /// sums of the C and D residuals (O(N²)), six cosine transforms of N-vectors, a rank-2 update per
    /// block (O(N²)). An approximation either way: it only steers GMRES.
    private func correctCollectiveModes(
        _ r: [Double], transform: CosineTransform, mu: [Double], sigma: Double, into out: inout [Double]
    ) {
        let n = self.n, nd = Double(n), threads = self.threads
        let fBar = mu[0], fPair = mu[0] / (nd - 1)
        let scales = transform.orthonormalScales
        // Orthonormal coefficients of the s residual and of the C and D residuals' row sums.
        // (A reflected layout's stored pair stands for its image too, unless it is its own.)
        let layout = self.layout
        var rs = layout.inversions(r), rowC = [Double](repeating: 0, count: n), rowD = rowC
        var k = layout.sCount
        for b in 0..<n {
            for a in 0..<layout.pairsInColumn(b) {
                rowC[a] += r[k]; rowC[b] += r[k]; rowD[a] += r[k + 2]; rowD[b] += r[k + 2]
                if layout.reflected && a + b != n - 1 {
                    let (a1, b1) = (n - 1 - a, n - 1 - b)
                    rowC[a1] += r[k]; rowC[b1] += r[k]; rowD[a1] += r[k + 2]; rowD[b1] += r[k + 2]
                }
                k += 3
            }
        }
        func coefficients(_ v: inout [Double]) {
            v.withUnsafeMutableBufferPointer { transform.forward($0.baseAddress!) }
            for i in 0..<n { v[i] /= scales[i] }
        }
        func vector(_ v: inout [Double]) {
            for i in 0..<n { v[i] *= scales[i] }
            v.withUnsafeMutableBufferPointer { transform.inverse($0.baseAddress!) }
        }
        coefficients(&rs); coefficients(&rowC); coefficients(&rowD)
        let floor = 1e-6 * q
        var ds = [Double](repeating: 0, count: n), wc = ds, wd = ds
        for m in 0..<n {
            let kappa = m == 0 ? 2 * nd.squareRoot() : (2 * nd).squareRoot()
            let nu = m == 0 ? 2 * fBar : fBar + mu[m]
            // Residual and the block-diagonal answer in the coordinates (s_k, C_k, D_k).
            let toE = m == 0 ? 1 / nd.squareRoot() : (2 / nd).squareRoot()
            let x = [rs[m], toE * rowC[m], toE * rowD[m]]
            var dC = sigma - lambdaReal[m] - lambdaReal[0]
            if abs(dC) < floor { dC = dC < 0 ? -floor : floor }
            let diagonal = [x[0] / (sigma + q), x[1] / dC, x[2] / (sigma + 2 * q)]
            let a: [[Double]] = [
                [sigma + q, 2 * nu / kappa, 0],
                [-(0.5 * cBar * fBar + 0.25 * fPair) * kappa, dC, -0.5 * fPair],
                [-(p - 2 * fBar * cBar) * kappa, -(4 * fPair - 2 * sBar * nu), sigma + 2 * q]
            ]
            guard let y = Self.solve3(a, x) else { continue }
            ds[m] = y[0] - diagonal[0]
            // Back from E_k to the vector w with δC_ab = (w_a + w_b)/√N.
            let fromE = m == 0 ? 0.5 : (0.5).squareRoot()
            wc[m] = fromE * (y[1] - diagonal[1])
            wd[m] = fromE * (y[2] - diagonal[2])
        }
        vector(&ds); vector(&wc); vector(&wd)
        let root = nd.squareRoot()
        for a in 0..<layout.sCount { out[a] += ds[a] }
        // Each column's pairs are updated alone (the row sums above stay serial: their order is fixed).
        out.withUnsafeMutableBufferPointer { o in
            CumulantSystem.forEachColumnRange(n: n, threads: threads, layout: layout) { columns in
                for b in columns {
                    var k = layout.columnOffset(b)
                    for a in 0..<layout.pairsInColumn(b) {
                        o[k] += (wc[a] + wc[b]) / root
                        o[k + 2] += (wd[a] + wd[b]) / root
                        k += 3
                    }
                }
            }
        }
    }

    /// x with A x = b for a 3 × 3 A (Gaussian elimination with partial pivoting), nil when singular.
    static func solve3(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a, v = b
        for col in 0..<3 {
            let pivot = (col..<3).max { abs(m[$0][col]) < abs(m[$1][col]) } ?? col
            guard abs(m[pivot][col]) > 1e-300 else { return nil }
            m.swapAt(col, pivot); v.swapAt(col, pivot)
            for row in (col + 1)..<3 {
                let factor = m[row][col] / m[col][col]
                for c in col..<3 { m[row][c] -= factor * m[col][c] }
                v[row] -= factor * v[col]
            }
        }
        var x = [0.0, 0.0, 0.0]
        for row in stride(from: 2, through: 0, by: -1) {
            var sum = v[row]
            for c in (row + 1)..<3 { sum -= m[row][c] * x[c] }
            x[row] = sum / m[row][row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// x ← X for one part of the packed C (0: Re C, symmetric; 1: Im C, antisymmetric), zero diagonal.
    /// Static, so that no copy of the preconditioner (which would share `xr`'s storage and make the
    /// write below copy all N² numbers) is made to call it.
    /// A reflected layout's other pairs are read through `PackedLayout.slot` (Im C of a conjugated slot
    /// with the sign flipped).
    private static func fillPart(_ r: [Double], part: Int, layout: PackedLayout, threads: Int, into x: inout Matrix) {
        let epsilon = part == 0 ? 1.0 : -1.0, n = layout.n
        x.elements.withUnsafeMutableBufferPointer { px in
            r.withUnsafeBufferPointer { r in
                CumulantSystem.forEachColumnRange(n: n, threads: threads) { columns in
                    for bb in columns {
                        px[bb + bb * n] = 0
                        var k = layout.columnOffset(bb) + part
                        let stored = layout.pairsInColumn(bb)
                        for a in 0..<stored {
                            px[a + bb * n] = r[k]; px[bb + a * n] = epsilon * r[k]
                            k += 3
                        }
                        for a in stored..<bb {
                            let (index, conjugate) = layout.slot(a, bb)
                            let value = conjugate && part == 1 ? -r[index + 1] : r[index + part]
                            px[a + bb * n] = value; px[bb + a * n] = epsilon * value
                        }
                    }
                }
            }
        }
    }

    /// Transposes the n × n column-major matrix at `m` in place, by 64 × 64 tiles. Tile row jb swaps
    /// the tiles (ib, jb) and (jb, ib) for ib ≥ jb, so the tile rows touch disjoint memory and are dealt
    /// out to the workers in turn (the first rows are the longest). Pure swaps: the same bits on any
    /// number of threads.
    private static func transposeInPlace(_ m: UnsafeMutablePointer<Double>, n: Int, threads: Int) {
        let tile = 64
        let tileRows = (n + tile - 1) / tile
        let workers = n < CumulantSystem.concurrentPairsMinimum ? 1 : max(1, min(threads, tileRows))
        concurrentForEach(iterations: workers) { w in
            for jb in stride(from: w * tile, to: n, by: workers * tile) {
                for ib in stride(from: jb, to: n, by: tile) {
                    for j in jb..<min(jb + tile, n) {
                        for i in max(ib, j + 1)..<min(ib + tile, n) {
                            let t = m[i + j * n]
                            m[i + j * n] = m[j + i * n]
                            m[j + i * n] = t
                        }
                    }
                }
            }
        }
    }

    private func restack(wideToTall w: Matrix, into t: inout Matrix) {
        let n = self.n, nn = n * n
        w.elements.withUnsafeBufferPointer { src in
            t.elements.withUnsafeMutableBufferPointer { dst in
                for col in 0..<n {
                    for i in 0..<n {
                        dst[i + col * 2 * n] = src[i + col * n]
                        dst[n + i + col * 2 * n] = src[nn + i + col * n]
                    }
                }
            }
        }
    }

    private func restack(tallToWide t: Matrix, into w: inout Matrix) {
        let n = self.n, nn = n * n
        t.elements.withUnsafeBufferPointer { src in
            w.elements.withUnsafeMutableBufferPointer { dst in
                for col in 0..<n {
                    for i in 0..<n {
                        dst[i + col * n] = src[i + col * 2 * n]
                        dst[nn + i + col * n] = src[n + i + col * 2 * n]
                    }
                }
            }
        }
    }
}
