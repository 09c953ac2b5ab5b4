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
/// (Σ_{c≠a} K_ac C_ac = X_aa*, and (CK)_ab = X_ba* because C is Hermitian and K symmetric.)
///
/// The couplings are held in one of two representations (docs/physics.md §5.3): dense N×N matrices
/// (any positions; X by one N×N×2N real product, two if g ≠ 0: O(N³) work), or, for a translation-invariant
/// lattice, the kernels and circulant spectra of `LatticeCouplings` (X column by column through FFTs,
/// O(N² log N) work, no N×N coupling matrix). Either way the state takes O(N²) memory.
///
/// Packed layout of a state or residual vector (`PackedLayout`): s_0 … s_{N−1}, then for every pair a < b
/// in the order p = b(b−1)/2 + a the three numbers Re C_ab, Im C_ab, D_ab (length N + 3·N(N−1)/2); or,
/// asked for (`reflection`) with lattice couplings and equal detunings, one member of each orbit of the
/// lattice's point reflection (about half as long; docs/physics.md §5.3.2).
public final class CumulantSystem {
    public let n: Int
    public let gamma: Double
    public let pump: Double
    /// Local pure dephasing γ_φ and non-radiative decay γ_nr (docs/physics.md §1.5, §5.7).
    public let dephasing: Double
    public let nonradiativeDecay: Double
    public let detunings: [Double]
    /// How the couplings are held: off-diagonal f (and g, nil when it vanishes) as dense N×N matrices,
    /// or a lattice's kernels and spectra.
    enum Storage {
        case dense(f: Matrix, g: Matrix?)
        case lattice(LatticeCouplings, kappa: [Int])
    }
    let storage: Storage
    /// `.dense` or `.lattice` (docs/physics.md §5.3).
    public var representation: CouplingRepresentation {
        if case .lattice = storage { return .lattice }
        return .dense
    }
    /// Whether g ≠ 0 (elastic couplings).
    public let elastic: Bool
    /// Q = Γ + γ_nr + W, the relaxation rate of s (and 2Q of D); docs/physics.md §5.7.
    public var q: Double { gamma + nonradiativeDecay + pump }
    /// P = W − Γ − γ_nr.
    public var p: Double { pump - (gamma + nonradiativeDecay) }
    /// Q_C = Q + 2γ_φ, the decay rate of C_ab (twice that of σ⁺_a in the regression matrix).
    public var qc: Double {
        Self.correlationDecayRate(gamma: gamma, pump: pump, nonradiativeDecay: nonradiativeDecay, dephasing: dephasing)
    }
    /// Q_C = (Γ + γ_nr + W) + 2γ_φ (docs/physics.md §5.7), for a model or, in the planner's estimate, an outline.
    public static func correlationDecayRate(gamma: Double, pump: Double, nonradiativeDecay: Double, dephasing: Double) -> Double {
        gamma + nonradiativeDecay + pump + 2 * dephasing
    }
    /// Where s, C and D lie in a packed vector.
    public let layout: PackedLayout
    /// Length of a packed vector.
    public var packedCount: Int { layout.count }
    /// Whether the detunings are all equal (zero or not): a common detuning drops out of the equal-time
    /// equations (only differences δ_a − δ_b enter, docs/physics.md §5.2) and shifts every eigenvalue of
    /// the regression matrix by the same iδ, leaving their real parts (§5.5).
    public let equalDetunings: Bool
    /// Workers for the products (results do not depend on it: `BlockedProducts` for dense couplings,
    /// whole columns per worker for the lattice).
    public var threads = 1
    /// Above this N the symmetric Lyapunov preconditioner uses its low-rank form
    /// (`LyapunovPreconditioner.defaultLowRankThreshold` unless set).
    public var lowRankThreshold = LyapunovPreconditioner.defaultLowRankThreshold

    /// Scratch N×2N matrices ([Re | Im] halves side by side; dense couplings only).
    var wideA: Matrix
    var wideB: Matrix
    /// X = K*C of the last `rhs` call: N × 2·`layout.xColumns` ([Re | Im]; the columns b ≥ ⌈N/2⌉ of a
    /// reflected layout are those of N − 1 − b, read backwards).
    public private(set) var x: Matrix
    /// One column of f and of g (scratch of the pair loops).
    private var fColumn: [Double]
    private var gColumn: [Double]
    /// Lattice: the spectra of K* = F − iG with zero diagonal (real part; imaginary part nil when g = 0)
    /// and one convolution per worker.
    private var kStarSpectrum: (re: [Double], im: [Double]?) = ([], nil)
    private var convolutions: [CirculantConvolution] = []

    /// `reflection`: store one member of each orbit of the lattice's point reflection (`PackedLayout`),
    /// used when the couplings are a lattice's and the detunings equal (else the full layout).
    public init(model: DipoleModel, reflection: Bool = false) {
        n = model.count
        gamma = model.gamma
        pump = model.pump
        dephasing = model.dephasing
        nonradiativeDecay = model.nonradiativeDecay
        detunings = model.detunings
        equalDetunings = model.detunings.allSatisfy { $0 == model.detunings.first }
        fColumn = [Double](repeating: 0, count: n)
        gColumn = fColumn
        if !model.hasMatrices, let lattice = model.lattice {
            storage = .lattice(lattice, kappa: lattice.siteKernelOffsets)
            elastic = lattice.gKernel != nil
            wideA = Matrix(rows: 0, cols: 0)
            let conv = CirculantConvolution(extents: lattice.extents)
            let center = lattice.kernelIndex(0, 0, 0)
            let (ext, fk) = (lattice.extents, lattice.fKernel)
            let (nx, ny, nz) = (ext[0], ext[1], ext[2])
            func offDiagonal(_ k: [Double]) -> (Int, Int, Int) -> Double {
                { dx, dy, dz in
                    let i = (dx + nx - 1) + (2 * nx - 1) * ((dy + ny - 1) + (2 * ny - 1) * (dz + nz - 1))
                    return i == center ? 0 : k[i]
                }
            }
            let re = conv.spectrum(offDiagonal(fk))
            let im = lattice.gKernel.map { gk in conv.spectrum(offDiagonal(gk)).map { -$0 } }
            kStarSpectrum = (re, im)
            convolutions = [conv]
        } else {
            var f = model.f
            for a in 0..<n { f[a, a] = 0 }
            var g = model.g
            for a in 0..<n { g[a, a] = 0 }
            let hasG = g.elements.contains { $0 != 0 }
            storage = .dense(f: f, g: hasG ? g : nil)
            elastic = hasG
            wideA = Matrix(rows: n, cols: 2 * n)
        }
        wideB = Matrix(rows: 0, cols: 0)
        let lattice: Bool = if case .lattice = storage { true } else { false }
        layout = PackedLayout(n: n, reflected: reflection && lattice && equalDetunings)
        x = Matrix(rows: n, cols: 2 * layout.xColumns)
    }

    /// A Jacobian product's scratch for K*V, shaped like `x`.
    public func productScratch() -> Matrix { Matrix(rows: n, cols: 2 * layout.xColumns, threads: threads) }

    /// Bytes of the N×N matrices this object and the solver's Jacobian scratch hold: dense f, g, X, the
    /// unpacked C and scratch; for the lattice only X and the Jacobian's K*V (plus `LatticeCouplings`'
    /// O(N) spectra and kernels and one FFT buffer per worker, `latticeBytes`).
    public static func fixedBytes(n: Int, elastic: Bool, representation: CouplingRepresentation = .dense, reflected: Bool = false) -> Int {
        if representation == .lattice { return 8 * n * PackedLayout.xColumns(n: n, reflected: reflected) * 4 }
        return 8 * n * n * (1 + 2 + 2 + 2 + (elastic ? 3 : 0))
    }

    /// The O(N) part of the lattice representation: spectra, kernels, and per worker one FFT buffer, the
    /// zero-diagonal spectra and four columns.
    public static func latticeBytes(extents: [Int], elastic: Bool, threads: Int) -> Int {
        let n = extents.reduce(1, *)
        let m = extents.map(CirculantConvolution.embeddingLength).reduce(1, *)
        return LatticeCouplings.bytes(extents: extents, elastic: elastic) + 8 * m * (elastic ? 2 : 1)
            + max(threads, 1) * (CirculantConvolution.bytes(extents: extents) + 32 * n)
    }

    // MARK: - Couplings

    /// Writes f_ab and g_ab for a = 0..<count (count ≤ N; f_bb = g_bb = 0) of column b into `f`, `g`
    /// (g untouched when g = 0). Dense: a copy of the column; lattice: a gather from the kernels.
    func column(_ b: Int, count: Int, f: UnsafeMutablePointer<Double>, g: UnsafeMutablePointer<Double>) {
        switch storage {
        case .dense(let fm, let gm):
            fm.elements.withUnsafeBufferPointer { src in
                for a in 0..<count { f[a] = src[a + b * n] }
            }
            if let gm {
                gm.elements.withUnsafeBufferPointer { src in
                    for a in 0..<count { g[a] = src[a + b * n] }
                }
            }
        case .lattice(let l, let kappa):
            let shift = l.kernelIndex(0, 0, 0) - kappa[b]
            kappa.withUnsafeBufferPointer { kp in
                l.fKernel.withUnsafeBufferPointer { fk in
                    for a in 0..<count { f[a] = fk[shift + kp[a]] }
                }
                if let gk = l.gKernel {
                    gk.withUnsafeBufferPointer { gk in
                        for a in 0..<count { g[a] = gk[shift + kp[a]] }
                    }
                }
            }
            if b < count {
                f[b] = 0
                g[b] = 0
            }
        }
    }

    /// N from which the O(N²) loops over the pairs (the right-hand side, J·v, the low-rank
    /// preconditioner's packing) are split among the workers; below it a split costs more than it saves.
    static let concurrentPairsMinimum = 256

    /// Calls `body(columns)` for ranges of the columns 0..<n that hold about equal numbers of pairs
    /// a < b (column b holds b of them: the range [0, b_w) holds ≈ b_w²/2, so b_w = n √(w/workers)),
    /// one range per worker, concurrently when n ≥ `concurrentPairsMinimum` and `threads` > 1. A
    /// column's arithmetic does not depend on the split, so the bits do not depend on `threads`.
    /// With a reflected `layout` the ranges hold about equal numbers of its stored pairs.
    static func forEachColumnRange(n: Int, threads: Int, layout: PackedLayout? = nil, _ body: (Range<Int>) -> Void) {
        let workers = n < concurrentPairsMinimum ? 1 : max(1, min(threads, n))
        if workers == 1 {
            body(0..<n)
            return
        }
        let bounds: [Int]
        if let layout, layout.reflected {
            var b = 0
            bounds = (0...workers).map { w in
                if w == workers { return n }
                let target = layout.pairCount * w / workers
                while b < n && layout.pairsBefore(b) < target { b += 1 }
                return b
            }
        } else {
            bounds = (0...workers).map { w in w == workers ? n : Int((Double(n) * (Double(w) / Double(workers)).squareRoot()).rounded()) }
        }
        concurrentForEach(iterations: workers) { w in body(bounds[w]..<bounds[w + 1]) }
    }

    /// Calls `body(b, f, g)` for every column b of the off-diagonal f and g with the entries
    /// a = 0..<`layout.pairsInColumn(b)` (the stored pairs a < b), the columns split among `threads`
    /// workers (`forEachColumnRange`), each with its own column buffers; `body` must write only what
    /// belongs to column b. g is all zeros when g = 0.
    func forEachPairColumn(threads: Int, _ body: (Int, UnsafePointer<Double>, UnsafePointer<Double>) -> Void) {
        let layout = self.layout
        Self.forEachColumnRange(n: n, threads: threads, layout: layout) { columns in
            var fc = [Double](repeating: 0, count: n), gc = fc
            fc.withUnsafeMutableBufferPointer { f in
                gc.withUnsafeMutableBufferPointer { g in
                    for b in columns {
                        column(b, count: layout.pairsInColumn(b), f: f.baseAddress!, g: g.baseAddress!)
                        body(b, UnsafePointer(f.baseAddress!), UnsafePointer(g.baseAddress!))
                    }
                }
            }
        }
    }

    /// Calls `body(b, f, g)` for every column b of the off-diagonal f and g (all N entries), in order;
    /// g is all zeros when g = 0.
    func forEachColumn(_ body: (Int, UnsafePointer<Double>, UnsafePointer<Double>) -> Void) {
        fColumn.withUnsafeMutableBufferPointer { fc in
            gColumn.withUnsafeMutableBufferPointer { gc in
                for i in 0..<n { gc[i] = 0 }
                for b in 0..<n {
                    column(b, count: n, f: fc.baseAddress!, g: gc.baseAddress!)
                    body(b, UnsafePointer(fc.baseAddress!), UnsafePointer(gc.baseAddress!))
                }
            }
        }
    }

    /// The off-diagonal f as a dense N×N matrix (for the O(N³) eigen-decompositions at moderate N).
    public func denseF() -> Matrix {
        if case .dense(let f, _) = storage { return f }
        var m = Matrix(rows: n, cols: n)
        forEachColumn { b, f, _ in for a in 0..<n { m[a, b] = f[a] } }
        return m
    }

    /// f_ab and g_ab (zero on the diagonal).
    public func coupling(_ a: Int, _ b: Int) -> (f: Double, g: Double) {
        if a == b { return (0, 0) }
        switch storage {
        case .dense(let f, let g): return (f[a, b], g?[a, b] ?? 0)
        case .lattice(let l, let kappa):
            let i = l.kernelIndex(0, 0, 0) + kappa[a] - kappa[b]
            return (l.fKernel[i], l.gKernel?[i] ?? 0)
        }
    }

    /// y = F_off x (zero diagonal): BLAS for dense couplings, an FFT for the lattice.
    public func applyF(_ v: [Double]) -> [Double] {
        switch storage {
        case .dense(let f, _): return f.apply(v)
        case .lattice:
            return convolutions[0].apply(kStarSpectrum.re, v)
        }
    }

    /// y = K* x = (F − iG) x (zero diagonal) for a complex x: BLAS for dense couplings, an FFT for the
    /// lattice (the regression matrix's product in the stability test, docs/physics.md §5.3.1).
    public func applyKStar(_ x: [Complex<Double>]) -> [Complex<Double>] {
        let re = x.map(\.real), im = x.map(\.imaginary)
        switch storage {
        case .dense(let f, let g):
            let (fr, fi) = (f.apply(re), f.apply(im))
            guard let g else { return (0..<n).map { Complex(fr[$0], fi[$0]) } }
            let (gr, gi) = (g.apply(re), g.apply(im))
            // (F − iG)(u + iw) = (Fu + Gw) + i(Fw − Gu)
            return (0..<n).map { Complex(fr[$0] + gi[$0], fi[$0] - gr[$0]) }
        case .lattice:
            var yr = [Double](repeating: 0, count: n), yi = yr
            re.withUnsafeBufferPointer { pr in
                im.withUnsafeBufferPointer { pi in
                    yr.withUnsafeMutableBufferPointer { qr in
                        yi.withUnsafeMutableBufferPointer { qi in
                            convolutions[0].apply(kStarSpectrum.re, kStarSpectrum.im, real: pr, imaginary: pi, intoReal: qr, imaginary: qi)
                        }
                    }
                }
            }
            return (0..<n).map { Complex(yr[$0], yi[$0]) }
        }
    }

    // MARK: - Packing

    /// The packed vector of an uncorrelated state diagonal in σᶻ with ⟨σᶻ_a⟩ = s_a (C = 0, D_ab = s_a s_b).
    public func productState(_ s: [Double]) -> [Double] {
        var v = largeArray(repeating: 0.0, count: packedCount, threads: threads)
        for a in 0..<layout.sCount { v[a] = s[a] }
        for b in 0..<n {
            let k = layout.columnOffset(b)
            for a in 0..<layout.pairsInColumn(b) { v[k + 3 * a + 2] = s[a] * s[b] }
        }
        return v
    }

    /// Writes the Hermitian matrix with zero diagonal held in the C-part of `v` into `m` ([Re | Im], N×2N).
    /// Full layout only (dense couplings are never reflected).
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

    /// out ← X = K* C for C the Hermitian, zero-diagonal matrix held in the C-part of the packed `v`
    /// (out is N×2N, [Re | Im]): Re X = F Re C + G Im C, Im X = F Im C − G Re C.
    func multiplyKStar(_ v: UnsafeBufferPointer<Double>, into out: inout Matrix) {
        switch storage {
        case .dense(let f, let g):
            unpackC(v, into: &wideA)
            BlockedProducts.gemm(f, wideA, into: &out, threads: threads)
            guard let g else { return }
            if wideB.rows != n { wideB = Matrix(rows: n, cols: 2 * n) }
            BlockedProducts.gemm(g, wideA, into: &wideB, threads: threads)
            let nn = n * n
            out.elements.withUnsafeMutableBufferPointer { o in
                wideB.elements.withUnsafeBufferPointer { w in
                    for i in 0..<nn { o[i] += w[nn + i]; o[nn + i] -= w[i] }
                }
            }
        case .lattice:
            latticeProduct(v, into: &out)
        }
    }

    /// X = K* C column by column through the circulant embedding (docs/physics.md §2.6, §5.3): column b
    /// of C is gathered from the packed vector (C_ab for a < b, conj C_ba for a > b, 0 for a = b) and
    /// convolved with the zero-diagonal kernel of K* = F − iG by one forward and one inverse FFT. When
    /// g = 0 and Im C = 0 (the resonant power-law and magic-angle cases) X is real and two columns share
    /// one complex transform (F(u + iv) = Fu + iFv). Columns are split among `threads` workers, each with
    /// its own plans; a column's arithmetic does not depend on which worker does it.
    /// With a reflected layout only the columns b < ⌈N/2⌉ are computed (`PackedLayout.xColumns`).
    private func latticeProduct(_ v: UnsafeBufferPointer<Double>, into out: inout Matrix) {
        let layout = self.layout, n = self.n, columns = layout.xColumns, nn = n * columns
        var realC = kStarSpectrum.im == nil
        if realC {
            var k = layout.sCount + 1
            for _ in 0..<layout.pairCount where realC {
                if v[k] != 0 { realC = false }
                k += 3
            }
        }
        let jobs = realC ? (columns + 1) / 2 : columns
        let workers = max(1, min(threads, jobs))
        while convolutions.count < workers { convolutions.append(CirculantConvolution(extents: convolutions[0].extents)) }
        let convs = convolutions
        let (kr, ki) = kStarSpectrum
        out.elements.withUnsafeMutableBufferPointer { o in
            let o = o
            // Each worker writes the columns of its own jobs only.
            concurrentForEach(iterations: workers) { w in
                let conv = convs[w]
                var colR = [Double](repeating: 0, count: n), colI = colR
                var outR = colR, outI = colR
                func gather(_ b: Int, _ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>?) {
                    // The pairs stored in column b in order, then every other entry through the layout.
                    var k = layout.columnOffset(b)
                    let stored = layout.pairsInColumn(b)
                    for a in 0..<stored {
                        re[a] = v[k]
                        im?[a] = v[k + 1]
                        k += 3
                    }
                    for a in stored..<n {
                        let (r, i) = layout.c(v, a, b)
                        re[a] = r
                        im?[a] = i
                    }
                }
                let range = (jobs * w / workers)..<(jobs * (w + 1) / workers)
                colR.withUnsafeMutableBufferPointer { cr in
                    colI.withUnsafeMutableBufferPointer { ci in
                        outR.withUnsafeMutableBufferPointer { yr in
                            outI.withUnsafeMutableBufferPointer { yi in
                                for job in range {
                                    if realC {
                                        let b0 = 2 * job, b1 = 2 * job + 1
                                        gather(b0, cr.baseAddress!, nil)
                                        if b1 < columns {
                                            gather(b1, ci.baseAddress!, nil)
                                        } else {
                                            for a in 0..<n { ci[a] = 0 }
                                        }
                                        conv.apply(
                                            kr, nil, real: UnsafeBufferPointer(cr), imaginary: UnsafeBufferPointer(ci), intoReal: yr, imaginary: yi)
                                        for a in 0..<n {
                                            o[a + b0 * n] = yr[a]
                                            o[nn + a + b0 * n] = 0
                                        }
                                        if b1 < columns {
                                            for a in 0..<n {
                                                o[a + b1 * n] = yi[a]
                                                o[nn + a + b1 * n] = 0
                                            }
                                        }
                                    } else {
                                        gather(job, cr.baseAddress!, ci.baseAddress!)
                                        conv.apply(
                                            kr, ki, real: UnsafeBufferPointer(cr), imaginary: UnsafeBufferPointer(ci),
                                            intoReal: UnsafeMutableBufferPointer(rebasing: o[(job * n)..<(job * n + n)]),
                                            imaginary: UnsafeMutableBufferPointer(rebasing: o[(nn + job * n)..<(nn + job * n + n)]))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Right-hand side

    /// dx/dt for the packed state `state`; also caches X = K*C for `jacobianTimes`.
    public func rhs(_ state: [Double], into out: inout [Double]) {
        state.withUnsafeBufferPointer { multiplyKStar($0, into: &x) }
        let n = self.n, layout = self.layout, nn = n * layout.xColumns, q = self.q, p = self.p, qc = self.qc
        state.withUnsafeBufferPointer { v in
            x.elements.withUnsafeBufferPointer { xe in
                detunings.withUnsafeBufferPointer { dt in
                    out.withUnsafeMutableBufferPointer { o in
                        for a in 0..<layout.sCount { o[a] = p - q * v[a] - 2 * xe[a + a * n] }
                        forEachPairColumn(threads: threads) { b, fe, ge in
                            var k = layout.columnOffset(b)
                            let column = self.xColumn(b)
                            let sb = v[layout.sIndex(b)], xbb = xe[column.index(b)]
                            for a in 0..<layout.pairsInColumn(b) {
                                let i = column.index(a), j = b + a * n
                                let sa = v[a], cr = v[k], ci = v[k + 1], d = v[k + 2]
                                let f = fe[a], g = ge[a]
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

    /// J·v at `state`, which must be the state of the last `rhs` call (X is reused): the exact
    /// linearization of the quadratic right-hand side. `y` is scratch shaped like `x` (`productScratch`).
    public func jacobianTimes(_ state: [Double], _ v: [Double], scratch y: inout Matrix, into out: inout [Double]) {
        v.withUnsafeBufferPointer { multiplyKStar($0, into: &y) }
        let n = self.n, layout = self.layout, nn = n * layout.xColumns, q = self.q, p = self.p, qc = self.qc
        state.withUnsafeBufferPointer { st in
            v.withUnsafeBufferPointer { v in
                x.elements.withUnsafeBufferPointer { xe in
                    y.elements.withUnsafeBufferPointer { ye in
                        detunings.withUnsafeBufferPointer { dt in
                            out.withUnsafeMutableBufferPointer { o in
                                for a in 0..<layout.sCount { o[a] = -q * v[a] - 2 * ye[a + a * n] }
                                forEachPairColumn(threads: threads) { b, fe, ge in
                                    var k = layout.columnOffset(b)
                                    let column = self.xColumn(b)
                                    let sb = st[layout.sIndex(b)], ub = v[layout.sIndex(b)]
                                    let xbb = xe[column.index(b)], ybb = ye[column.index(b)]
                                    for a in 0..<layout.pairsInColumn(b) {
                                        let i = column.index(a), j = b + a * n
                                        let sa = st[a], ua = v[a]
                                        let cr = st[k], ci = st[k + 1]
                                        let vr = v[k], vi = v[k + 1], e = v[k + 2]
                                        let f = fe[a], g = ge[a]
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

    /// Where column b of X = K*C (or of K*V) lies in `x`: X_ab at `index(a)`. Column b itself, or with a
    /// reflected layout for b ≥ ⌈N/2⌉ column N − 1 − b read backwards (X_ab = X_a'b').
    struct XColumn {
        let base: Int, start: Int, step: Int
        @inline(__always) func index(_ a: Int) -> Int { base + start + step * a }
    }

    @inline(__always) func xColumn(_ b: Int) -> XColumn {
        b < layout.xColumns ? XColumn(base: b * n, start: 0, step: 1) : XColumn(base: (n - 1 - b) * n, start: n - 1, step: -1)
    }

    // MARK: - Accessors of a packed state

    /// s_a = ⟨σᶻ_a⟩ of every dipole.
    public func inversions(_ v: [Double]) -> [Double] { layout.inversions(v) }

    /// s_a = ⟨σᶻ_a⟩.
    public func s(_ v: [Double], _ a: Int) -> Double { v[layout.sIndex(a)] }

    /// Mean of Re C_ab over the N(N − 1)/2 pairs (= Z_Q², docs/physics.md §3.2; each stored pair of a
    /// reflected layout counted for as many pairs as it stands for).
    public func meanReC(_ v: [Double]) -> Double {
        guard n >= 2 else { return 0 }
        var sum = 0.0, k = layout.sCount
        if layout.reflected {
            for b in 0..<n {
                for a in 0..<layout.pairsInColumn(b) { sum += layout.multiplicity(a, b) * v[k]; k += 3 }
            }
        } else {
            for _ in 0..<layout.pairCount { sum += v[k]; k += 3 }
        }
        return sum / Double(layout.allPairs)
    }

    /// C_ab = ⟨σ⁺_a σ⁻_b⟩ for a ≠ b; ⟨σ⁺_a σ⁻_a⟩ = (1 + s_a)/2 on the diagonal.
    public func c(_ v: [Double], _ a: Int, _ b: Int) -> Complex<Double> {
        if a == b { return Complex((1 + v[layout.sIndex(a)]) / 2) }
        let (re, im) = v.withUnsafeBufferPointer { layout.c($0, a, b) }
        return Complex(re, im)
    }

    /// D_ab = ⟨σᶻ_a σᶻ_b⟩ (1 on the diagonal).
    public func d(_ v: [Double], _ a: Int, _ b: Int) -> Double {
        if a == b { return 1 }
        return v[layout.slot(min(a, b), max(a, b)).index + 2]
    }
}

/// Runs `body` with OpenBLAS on one thread (`BLASLibrary.useOneThread`, not restored). LAPACK's
/// reductions (dot products, norms inside eigen-solvers) are split across threads and would otherwise
/// change the last bits with the thread count.
func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
    BLASLibrary.useOneThread()
    return try body()
}
