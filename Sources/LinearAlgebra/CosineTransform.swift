internal import CFFTW
import Foundation

/// The separable discrete cosine transform (DCT-II, FFTW's REDFT10) of vectors on a regular
/// nx × ny × nz grid (site index ix + nx·(iy + ny·iz), as `CirculantConvolution`), and its inverse.
///
/// Its basis vectors φ_k(a) = ∏_axes cos(π k (a + ½)/n) are orthogonal, and a symmetric Toeplitz
/// matrix T with open boundaries is close to diagonal in them (exactly diagonal for T plus the Hankel
/// matrix of its reflections, a Neumann boundary), which makes the transform a preconditioner for
/// equations on lattices (docs/physics.md §5.3.1). Plans as `CirculantConvolution`'s (FFTW_ESTIMATE,
/// scalar codelets: the same bits on every machine and run), made once with FFTW_UNALIGNED so that
/// any thread may execute them on any vector of `count` doubles.
public final class CosineTransform: @unchecked Sendable {
    /// Sites along x, y, z.
    public let extents: [Int]
    /// Sites, ∏ extents.
    public let count: Int
    private let forwardPlan: fftw_plan
    private let inversePlan: fftw_plan
    private let inverseScale: Double

    /// A transform on an nx × ny × nz grid (extents of length 1…3; missing axes are 1).
    public init(extents e: [Int]) {
        let ext = gridExtents(e)
        extents = ext
        count = ext.reduce(1, *)
        inverseScale = 1 / Double(ext.filter { $0 > 1 }.map { 2 * $0 }.reduce(1, *))
        let dims = fftwDimensions(ext)
        let scratch = fftw_alloc_real(count)!
        let flags = dipolesync_fftw_flags | dipolesync_fftw_unaligned
        let dct2 = [fftw_r2r_kind](repeating: dipolesync_fftw_dct2, count: dims.count)
        let dct3 = [fftw_r2r_kind](repeating: dipolesync_fftw_dct3, count: dims.count)
        fftwPlannerLock.lock()
        forwardPlan = fftw_plan_r2r(Int32(dims.count), dims, scratch, scratch, dct2, flags)
        inversePlan = fftw_plan_r2r(Int32(dims.count), dims, scratch, scratch, dct3, flags)
        fftwPlannerLock.unlock()
        fftw_free(scratch)
    }

    deinit {
        fftwPlannerLock.lock()
        fftw_destroy_plan(forwardPlan)
        fftw_destroy_plan(inversePlan)
        fftwPlannerLock.unlock()
    }

    /// x ← T x in place (unnormalized DCT-II along every axis of more than one site).
    public func forward(_ x: UnsafeMutablePointer<Double>) {
        if count > 1 { fftw_execute_r2r(forwardPlan, x, x) }
    }

    /// x ← T⁻¹ x in place (DCT-III scaled by 1/∏ 2n), so that inverse(forward(x)) = x.
    public func inverse(_ x: UnsafeMutablePointer<Double>) {
        guard count > 1 else { return }
        fftw_execute_r2r(inversePlan, x, x)
        for i in 0..<count { x[i] *= inverseScale }
    }

    /// The basis vector φ_k for mode index k = kx + nx·(ky + ny·kz) (unnormalized: entries ∏ cos).
    public func basisVector(_ k: Int) -> [Double] {
        let (nx, ny) = (extents[0], extents[1])
        let kk = [k % nx, (k / nx) % ny, k / (nx * ny)]
        let axes = (0..<3).map { axis in
            (0..<extents[axis]).map { a in cos(Double.pi * Double(kk[axis]) * (Double(a) + 0.5) / Double(extents[axis])) }
        }
        var v = [Double](repeating: 0, count: count)
        for iz in 0..<extents[2] {
            for iy in 0..<ny {
                for ix in 0..<nx { v[ix + nx * (iy + ny * iz)] = axes[0][ix] * axes[1][iy] * axes[2][iz] }
            }
        }
        return v
    }
}

extension CosineTransform {
    /// μ_k = φ_kᵀ T φ_k / φ_kᵀ φ_k for every mode k, where T_ab = kernel(r_a − r_b) (offsets |d_i| < n_i;
    /// the kernel need not be even along each axis, only k(d) = k(−d)): the diagonal of T in the cosine
    /// basis, the closest matrix diagonal in it (Frobenius norm). Along an axis of n sites,
    /// Σ_a φ_k(a) φ_k(a + d) / Σ_a φ_k(a)² = [(n − d) cos dθ − sin dθ / sin θ]/n with θ = πk/n (k > 0;
    /// (n − d)/n for k = 0), so the sum over offsets contracts one axis at a time: O(N · Σ_i n_i) work,
    /// no N × N array.
    public func rayleighQuotients(_ kernel: (Int, Int, Int) -> Double) -> [Double] {
        let (nx, ny, nz) = (extents[0], extents[1], extents[2])
        // g[dx + (2nx−1)(dy + (2ny−1) dz)] for offsets shifted by n_i − 1.
        var widths = [2 * nx - 1, 2 * ny - 1, 2 * nz - 1]
        var g = [Double](repeating: 0, count: widths.reduce(1, *))
        for dz in 0..<widths[2] {
            for dy in 0..<widths[1] {
                for dx in 0..<widths[0] {
                    g[dx + widths[0] * (dy + widths[1] * dz)] = kernel(dx - nx + 1, dy - ny + 1, dz - nz + 1)
                }
            }
        }
        // Contract the leading (offset) axis of g with the autocorrelation rows, then rotate that axis
        // (now a mode axis) to the back: after three steps g is indexed by (kx, ky, kz).
        for axis in 0..<3 {
            let n = extents[axis], w = widths[0]
            let rest = g.count / w
            var next = [Double](repeating: 0, count: n * rest)
            var row = [Double](repeating: 0, count: n)
            for k in 0..<n {
                Self.autocorrelation(k: k, n: n, into: &row)
                for r in 0..<rest {
                    var sum = 0.0
                    let base = r * w
                    for d in 0..<w { sum += row[abs(d - n + 1)] * g[base + d] }
                    next[r + rest * k] = sum
                }
            }
            g = next
            widths = Array(widths.dropFirst()) + [n]
        }
        return g
    }

    /// row[d] = Σ_a φ_k(a) φ_k(a + d) / Σ_a φ_k(a)² for d = 0..<n (one axis of n sites).
    static func autocorrelation(k: Int, n: Int, into row: inout [Double]) {
        let nn = Double(n)
        guard k > 0 else {
            for d in 0..<n { row[d] = (nn - Double(d)) / nn }
            return
        }
        let theta = Double.pi * Double(k) / nn
        let sinTheta = sin(theta)
        for d in 0..<n {
            let x = Double(d) * theta
            row[d] = ((nn - Double(d)) * cos(x) - sin(x) / sinTheta) / nn
        }
    }
}

extension CosineTransform {
    /// 2^(axes) ‖φ_k‖ for every mode: the factor between FFTW's unnormalized DCT-II coefficient (T x)_k
    /// = 2^(axes) φ_kᵀ x and the orthonormal coefficient u_kᵀ x (u_k = φ_k/‖φ_k‖), where ‖φ_k‖² is the
    /// product over the axes of more than one site of n (k_i = 0) or n/2.
    public var orthonormalScales: [Double] {
        let (nx, ny) = (extents[0], extents[1])
        return (0..<count).map { k in
            let kk = [k % nx, (k / nx) % ny, k / (nx * ny)]
            var scale = 1.0
            for axis in 0..<3 where extents[axis] > 1 {
                let n = Double(extents[axis])
                scale *= 2 * (kk[axis] == 0 ? n : n / 2).squareRoot()
            }
            return scale
        }
    }
}
