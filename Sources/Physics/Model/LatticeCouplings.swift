import Foundation
import LinearAlgebra

/// Couplings that depend only on r_a − r_b: dipoles on a chain, square or cubic lattice with one
/// polarization (dipolar, elastic on or off) or a power law. f and g are then multilevel symmetric
/// Toeplitz matrices, held as the spectra of their circulant embeddings (O(N) memory) and applied in
/// O(N log N) through FFTs (docs/physics.md §2.6). Site order and positions are those of `Lattice`.
public struct LatticeCouplings: Sendable {
    /// Sites along x, y, z.
    public let extents: [Int]
    /// f_aa = Γ on every site (g_aa = 0).
    public let gamma: Double
    /// The eigenvalues of the circulant embedding of f (diagonal included), divided by its size.
    public let fSpectrum: [Double]
    /// Those of g; nil when g = 0.
    public let gSpectrum: [Double]?
    /// f_eff and g_eff of docs/physics.md §2.4.
    public let feff: Double
    public let geff: Double
    /// max_a Σ_{b≠a} |f_ab + i g_ab| (the rate scale of the mean-field equations).
    public let couplingScale: Double
    /// The kernel k_f(d) itself on the (2nx−1)(2ny−1)(2nz−1) offsets, at `kernelIndex(d)` (k_f(0) = Γ):
    /// f_ab = fKernel[kernelIndex(r_a − r_b)] exactly as the dense matrix holds it.
    public let fKernel: [Double]
    /// k_g(d) likewise; nil when g = 0.
    public let gKernel: [Double]?

    /// The position of the offset (dx, dy, dz) (|d_i| < n_i) in `fKernel` and `gKernel`.
    @inline(__always) public func kernelIndex(_ dx: Int, _ dy: Int, _ dz: Int) -> Int {
        let (nx, ny, nz) = (extents[0], extents[1], extents[2])
        return (dx + nx - 1) + (2 * nx - 1) * ((dy + ny - 1) + (2 * ny - 1) * (dz + nz - 1))
    }

    /// Per site a, the number κ_a with kernelIndex(r_a − r_b) = κ_a − κ_b + kernelIndex(0, 0, 0)
    /// (the kernel index is linear in the offset), so that a column of f is a gather from `fKernel`.
    public var siteKernelOffsets: [Int] {
        let (nx, ny, nz) = (extents[0], extents[1], extents[2])
        let (wx, wy) = (2 * nx - 1, 2 * ny - 1)
        var k: [Int] = []
        k.reserveCapacity(count)
        for iz in 0..<nz { for iy in 0..<ny { for ix in 0..<nx { k.append(ix + wx * (iy + wy * iz)) } } }
        return k
    }

    /// Number of dipoles.
    public var count: Int { extents.reduce(1, *) }

    /// The smallest eigenvalue of the circulant embedding of f: a lower bound on that of f (f is a
    /// principal submatrix of its embedding; Cauchy interlacing).
    public var circulantLowerBound: Double { (fSpectrum.min() ?? 0) * Double(fSpectrum.count) }

    /// The lattice extents when `lattice` is one this representation holds (chain, square, cubic).
    public static func extents(of lattice: Lattice) -> [Int]? {
        switch lattice {
        case .chain(let n): return [n, 1, 1]
        case .square(let x, let y): return [x, y, 1]
        case .cubic(let x, let y, let z): return [x, y, z]
        case .triangular, .positions, .allToAll: return nil
        }
    }

    /// Memory the representation holds for a lattice of `extents` (its spectra, its kernels and one
    /// convolution's buffer; g's spectrum and kernel when `elastic`).
    public static func bytes(extents: [Int], elastic: Bool) -> Int {
        let m = extents.map(CirculantConvolution.embeddingLength).reduce(1, *)
        let offsets = extents.map { 2 * $0 - 1 }.reduce(1, *)
        return 8 * (m + offsets) * (elastic ? 2 : 1) + CirculantConvolution.bytes(extents: extents)
    }

    /// Dipolar couplings (`Couplings.dipolar`) of a lattice with `spacing` (in λ) and one `orientation`.
    public static func dipolar(
        lattice: Lattice, spacing: Double, orientation: SIMD3<Double>, gamma: Double = 1, elastic: Bool = true
    ) -> LatticeCouplings? {
        guard let ext = extents(of: lattice) else { return nil }
        let norm = (orientation * orientation).sum().squareRoot()
        let d = norm > 0 ? orientation / norm : SIMD3(0, 0, 1)
        let pair = { (dx: Int, dy: Int, dz: Int) -> (f: Double, g: Double) in
            if dx == 0 && dy == 0 && dz == 0 { return (gamma, 0) }
            let r = SIMD3(Double(dx), Double(dy), Double(dz)) * spacing
            let dist = (r * r).sum().squareRoot()
            let c = Couplings.dipolarPair(zeta: 2 * Double.pi * dist, cosTheta: (d * r).sum() / dist, gamma: gamma)
            return (c.f, elastic ? c.g : 0)
        }
        return LatticeCouplings(extents: ext, gamma: gamma, elastic: elastic, pair: pair)
    }

    /// Power-law couplings f_ab = A (a/r_ab)^α, g = 0 (`Couplings.powerLaw`), distances in spacings.
    public static func powerLaw(lattice: Lattice, alpha: Double, strength: Double, gamma: Double = 1) -> LatticeCouplings? {
        guard let ext = extents(of: lattice) else { return nil }
        let pair = { (dx: Int, dy: Int, dz: Int) -> (f: Double, g: Double) in
            if dx == 0 && dy == 0 && dz == 0 { return (gamma, 0) }
            let r = SIMD3(Double(dx), Double(dy), Double(dz))
            let dist = (r * r).sum().squareRoot()
            return (strength * pow(1 / dist, alpha), 0)
        }
        return LatticeCouplings(extents: ext, gamma: gamma, elastic: false, pair: pair)
    }

    init(extents ext: [Int], gamma: Double, elastic: Bool, pair: (Int, Int, Int) -> (f: Double, g: Double)) {
        extents = ext
        self.gamma = gamma
        let (nx, ny, nz) = (ext[0], ext[1], ext[2])
        let n = nx * ny * nz
        // Each offset once: the kernel on the (2nx−1)(2ny−1)(2nz−1) offsets.
        let (wx, wy) = (2 * nx - 1, 2 * ny - 1)
        var fk = [Double](repeating: 0, count: wx * wy * (2 * nz - 1))
        var gk = fk
        var fsum = 0.0, gsum = 0.0
        for dz in -(nz - 1)...(nz - 1) {
            for dy in -(ny - 1)...(ny - 1) {
                for dx in -(nx - 1)...(nx - 1) {
                    let (f, g) = pair(dx, dy, dz)
                    let i = (dx + nx - 1) + wx * ((dy + ny - 1) + wy * (dz + nz - 1))
                    fk[i] = f
                    gk[i] = g
                    if dx != 0 || dy != 0 || dz != 0 {
                        // Pairs at this offset: ∏ (n_i − |d_i|).
                        let pairs = Double((nx - abs(dx)) * (ny - abs(dy)) * (nz - abs(dz)))
                        fsum += pairs * f
                        gsum += pairs * g
                    }
                }
            }
        }
        fKernel = fk
        gKernel = elastic ? gk : nil
        feff = n >= 2 ? fsum / Double(n - 1) : 0
        geff = n >= 2 ? gsum / Double(n - 1) : 0
        let kernel = { (k: [Double]) in
            { (dx: Int, dy: Int, dz: Int) in k[(dx + nx - 1) + wx * ((dy + ny - 1) + wy * (dz + nz - 1))] }
        }
        let conv = CirculantConvolution(extents: ext)
        fSpectrum = conv.spectrum(kernel(fk))
        gSpectrum = elastic ? conv.spectrum(kernel(gk)) : nil
        // Row sums of |f + i g| off the diagonal: the kernel's modulus applied to ones.
        let modulus = conv.spectrum { dx, dy, dz in
            if dx == 0 && dy == 0 && dz == 0 { return 0 }
            let i = (dx + nx - 1) + wx * ((dy + ny - 1) + wy * (dz + nz - 1))
            return (fk[i] * fk[i] + gk[i] * gk[i]).squareRoot()
        }
        couplingScale = n >= 2 ? (conv.apply(modulus, [Double](repeating: 1, count: n)).max() ?? 0) : 0
    }

    /// The dense f and g (for checks on small lattices).
    public func dense() -> Couplings {
        let n = count
        let product = LatticeProduct(self)
        var f = Matrix(rows: n, cols: n), g = Matrix(rows: n, cols: n)
        var e = [Double](repeating: 0, count: n)
        let zero = e
        for b in 0..<n {
            e[b] = 1
            let (re, im) = product.apply(real: e, imaginary: zero, offDiagonal: false)
            for a in 0..<n { f[a, b] = re[a]; g[a, b] = im[a] }
            e[b] = 0
        }
        return Couplings(f: f, g: g)
    }

    /// The smallest eigenvalue of f by the Lanczos iteration on its product (`lanczosSmallestEigenvalue`),
    /// from a fixed pseudo-random start, with at most `steps` vectors and `restarts` thick restarts.
    public func lanczosSmallestEigenvalue(
        steps: Int, restarts: Int = Self.lanczosRestarts, tolerance: Double = 1e-12, stopBelow: Double = -.infinity
    ) throws -> (
        value: Double, residual: Double, steps: Int
    ) {
        let n = count
        let conv = CirculantConvolution(extents: extents)
        let start = lanczosStartVector(n)
        return try LinearAlgebra.lanczosSmallestEigenvalue(
            n: n, start: start, steps: steps, tolerance: tolerance, stopBelow: stopBelow, restarts: restarts
        ) {
            conv.apply(fSpectrum, $0)
        }
    }

    /// The smallest eigenvalue of f as the positivity check needs it (docs/physics.md §2.5, §2.6): the
    /// circulant lower bound when it is at least −`tolerance` (f is then positive semidefinite within
    /// it), else the smallest Ritz value of a Lanczos iteration (an upper bound: a negative one proves f
    /// is not). The iteration holds at most ~40 MB of vectors (20 at least), restarts up to
    /// `lanczosRestarts` times, and stops once the Ritz value is below half the bound (it then lies
    /// between the bound and half of it).
    /// Thick restarts of the Lanczos iteration: the bottom of a Toeplitz spectrum is a dense cluster,
    /// and one cycle of 300 vectors leaves the Ritz value ~1e-4 above the smallest eigenvalue at
    /// N = 2000; restarts bring it to LAPACK's within 1e-9 (LatticeCouplingsTests).
    public static let lanczosRestarts = 40

    public func smallestRateEigenvalue(tolerance: Double) throws -> Double {
        let bound = circulantLowerBound
        if bound >= -tolerance { return bound }
        let steps = min(300, max(20, 5_000_000 / max(count, 1)))
        // Restarts within a work budget of ~4·10⁹ flops of FFT products (≈ 5 M log₂ M each, M the
        // embedding's size): all `lanczosRestarts` up to ~10⁴ sites, a few at 10⁶.
        let m = Double(fSpectrum.count)
        let products = 4e9 / (5 * m * log2(max(m, 2)))
        let restarts = min(Self.lanczosRestarts, Int(min(products / Double(steps), 1e6)))
        return try lanczosSmallestEigenvalue(steps: steps, restarts: restarts, stopBelow: min(bound / 2, -tolerance)).value
    }
}

/// The products of one `LatticeCouplings` with vectors: its FFT plans and buffer (not thread-safe;
/// make one per thread).
public final class LatticeProduct {
    public let couplings: LatticeCouplings
    private let convolution: CirculantConvolution

    public init(_ c: LatticeCouplings) {
        couplings = c
        convolution = CirculantConvolution(extents: c.extents)
    }

    /// k = (f + i g) β for β = re + i·im into kr, ki; with `offDiagonal` the diagonal term Γβ_a is
    /// left out (k_a = Σ_{b≠a} (f_ab + i g_ab) β_b).
    public func apply(
        real re: UnsafeBufferPointer<Double>, imaginary im: UnsafeBufferPointer<Double>,
        intoReal kr: UnsafeMutableBufferPointer<Double>, imaginary ki: UnsafeMutableBufferPointer<Double>,
        offDiagonal: Bool = true
    ) {
        convolution.apply(couplings.fSpectrum, couplings.gSpectrum, real: re, imaginary: im, intoReal: kr, imaginary: ki)
        if offDiagonal {
            let gamma = couplings.gamma
            for a in 0..<couplings.count {
                kr[a] -= gamma * re[a]
                ki[a] -= gamma * im[a]
            }
        }
    }

    /// The same on arrays.
    public func apply(real re: [Double], imaginary im: [Double], offDiagonal: Bool = true) -> (real: [Double], imaginary: [Double]) {
        var kr = [Double](repeating: 0, count: re.count), ki = kr
        re.withUnsafeBufferPointer { pr in
            im.withUnsafeBufferPointer { pi in
                kr.withUnsafeMutableBufferPointer { qr in
                    ki.withUnsafeMutableBufferPointer { qi in
                        apply(real: pr, imaginary: pi, intoReal: qr, imaginary: qi, offDiagonal: offDiagonal)
                    }
                }
            }
        }
        return (kr, ki)
    }

    /// Each column of the block X (N × k, column-major, real and imaginary parts) in turn.
    public func apply(real re: Matrix, imaginary im: Matrix, offDiagonal: Bool = true) -> (real: Matrix, imaginary: Matrix) {
        precondition(re.rows == couplings.count && im.rows == re.rows && im.cols == re.cols)
        let n = re.rows
        var kr = Matrix(rows: n, cols: re.cols), ki = kr
        for j in 0..<re.cols {
            let (r, i) = apply(
                real: Array(re.elements[(j * n)..<((j + 1) * n)]), imaginary: Array(im.elements[(j * n)..<((j + 1) * n)]),
                offDiagonal: offDiagonal)
            kr.elements.replaceSubrange((j * n)..<((j + 1) * n), with: r)
            ki.elements.replaceSubrange((j * n)..<((j + 1) * n), with: i)
        }
        return (kr, ki)
    }
}
