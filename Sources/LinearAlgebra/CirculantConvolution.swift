internal import CFFTW
import Foundation

/// FFTW's planner is not thread-safe: every plan is made and destroyed under this lock (executing a
/// plan is safe from any thread).
let fftwPlannerLock = NSLock()

/// Grid extents of length 1…3 padded to three axes (missing axes are 1).
func gridExtents(_ e: [Int]) -> [Int] {
    precondition(!e.isEmpty && e.count <= 3 && e.allSatisfy { $0 >= 1 }, "extents must be 1–3 positive sizes")
    return e + Array(repeating: 1, count: 3 - e.count)
}

/// FFTW's dimensions of a grid whose x index is fastest: FFTW is row-major (last index fastest), so
/// z, y, x, without axes of length 1 ([1] for a single site).
func fftwDimensions(_ axes: [Int]) -> [Int32] {
    let dims = axes.reversed().filter { $0 > 1 }.map { Int32($0) }
    return dims.isEmpty ? [1] : dims
}

/// Products of a multilevel symmetric Toeplitz matrix — a translation-invariant kernel k(d) on a
/// regular nx × ny × nz grid, T_ab = k(r_a − r_b) — with vectors, in O(M log M) through the circulant
/// embedding of T and FFTW (docs/physics.md §2.6).
///
/// Site order is that of the lattice: index = ix + nx·(iy + ny·iz). Along an axis of n > 1 sites the
/// embedding has length M ≥ 2n − 1 (the smallest 2^a 3^b 5^c 7^d, which FFTW transforms fastest):
/// offsets 0…n−1 sit at 0…n−1, offsets −1…−(n−1) at M−1…M−n+1, zeros between. The product is
/// then T x = (F⁻¹ diag(F c) F [x; 0]) restricted to the grid. Plans use FFTW_ESTIMATE only (no timing,
/// so the same plan and the same bits on every run), FFTW_NO_SIMD (scalar codelets: the same arithmetic
/// whatever vector instructions the CPU has, as the pinned OpenBLAS kernels of docs/reproducibility.md)
/// and one thread; the buffer comes from fftw_malloc, so its alignment never changes. Not thread-safe:
/// each thread makes its own.
public final class CirculantConvolution {
    /// Sites along x, y, z.
    public let extents: [Int]
    /// Embedding lengths along x, y, z (1 for an axis of one site).
    public let embedding: [Int]
    /// Sites, ∏ extents.
    public let count: Int
    /// Entries of the embedding, ∏ embedding.
    public let size: Int
    private let buffer: UnsafeMutablePointer<fftw_complex>
    private let forward: fftw_plan
    private let backward: fftw_plan

    /// A convolution on an nx × ny × nz grid (extents of length 1…3; missing axes are 1).
    public init(extents e: [Int]) {
        let ext = gridExtents(e)
        extents = ext
        embedding = ext.map(Self.embeddingLength)
        count = ext.reduce(1, *)
        size = embedding.reduce(1, *)
        buffer = fftw_alloc_complex(size)
        let dims = fftwDimensions(embedding)
        fftwPlannerLock.lock()
        forward = fftw_plan_dft(
            Int32(dims.count), dims, buffer, buffer, dipolesync_fftw_forward, dipolesync_fftw_flags)
        backward = fftw_plan_dft(
            Int32(dims.count), dims, buffer, buffer, dipolesync_fftw_backward, dipolesync_fftw_flags)
        fftwPlannerLock.unlock()
    }

    deinit {
        fftwPlannerLock.lock()
        fftw_destroy_plan(forward)
        fftw_destroy_plan(backward)
        fftwPlannerLock.unlock()
        fftw_free(buffer)
    }

    /// The embedding length along an axis of n sites: 1 for n = 1, else the smallest 7-smooth M ≥ 2n − 1.
    public static func embeddingLength(_ n: Int) -> Int {
        guard n > 1 else { return 1 }
        var m = 2 * n - 1
        while true {
            var r = m
            for p in [2, 3, 5, 7] { while r % p == 0 { r /= p } }
            if r == 1 { return m }
            m += 1
        }
    }

    /// Bytes one convolution holds (its buffer), for memory estimates.
    public static func bytes(extents: [Int]) -> Int { 16 * extents.map(embeddingLength).reduce(1, *) }

    private var values: UnsafeMutablePointer<Double> {
        UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: Double.self)
    }

    /// The eigenvalues of the circulant embedding of the real, even kernel k (k(d) = k(−d), given for
    /// |d_x| < nx, |d_y| < ny, |d_z| < nz), divided by `size` so that `apply` needs no further scaling.
    /// An even kernel has a real spectrum; the imaginary parts (round-off) are dropped.
    public func spectrum(_ kernel: (Int, Int, Int) -> Double) -> [Double] {
        let v = values
        for i in 0..<(2 * size) { v[i] = 0 }
        let (mx, my, mz) = (embedding[0], embedding[1], embedding[2])
        let (nx, ny, nz) = (extents[0], extents[1], extents[2])
        for dz in -(nz - 1)...(nz - 1) {
            let jz = dz >= 0 ? dz : mz + dz
            for dy in -(ny - 1)...(ny - 1) {
                let jy = dy >= 0 ? dy : my + dy
                for dx in -(nx - 1)...(nx - 1) {
                    let jx = dx >= 0 ? dx : mx + dx
                    v[2 * (jx + mx * (jy + my * jz))] = kernel(dx, dy, dz)
                }
            }
        }
        fftw_execute(forward)
        let scale = 1 / Double(size)
        return (0..<size).map { v[2 * $0] * scale }
    }

    /// y = (A + iB) x for complex x = xr + i·xi on the grid, where A and B are the Toeplitz matrices
    /// whose spectra (from `spectrum`) are `a` and `b` (nil: B = 0). Writes y into yr, yi.
    public func apply(
        _ a: [Double], _ b: [Double]?, real xr: UnsafeBufferPointer<Double>, imaginary xi: UnsafeBufferPointer<Double>,
        intoReal yr: UnsafeMutableBufferPointer<Double>, imaginary yi: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(a.count == size && (b?.count ?? size) == size, "spectrum of another embedding")
        precondition(xr.count == count && xi.count == count && yr.count == count && yi.count == count)
        let v = values
        scatter(xr, xi)
        fftw_execute(forward)
        a.withUnsafeBufferPointer { pa in
            if let b {
                b.withUnsafeBufferPointer { pb in
                    for k in 0..<size {
                        // (a + i b)(u + i w) = (a u − b w) + i (a w + b u)
                        let u = v[2 * k], w = v[2 * k + 1]
                        v[2 * k] = pa[k] * u - pb[k] * w
                        v[2 * k + 1] = pa[k] * w + pb[k] * u
                    }
                }
            } else {
                for k in 0..<size {
                    v[2 * k] *= pa[k]
                    v[2 * k + 1] *= pa[k]
                }
            }
        }
        fftw_execute(backward)
        gather(yr, yi)
    }

    /// y = A x for real x (A from the spectrum `a`).
    public func apply(_ a: [Double], _ x: [Double]) -> [Double] {
        var yr = [Double](repeating: 0, count: count)
        var yi = yr
        let zero = yr
        x.withUnsafeBufferPointer { px in
            zero.withUnsafeBufferPointer { pz in
                yr.withUnsafeMutableBufferPointer { pr in
                    yi.withUnsafeMutableBufferPointer { pi in apply(a, nil, real: px, imaginary: pz, intoReal: pr, imaginary: pi) }
                }
            }
        }
        return yr
    }

    /// Calls `body(site, cell)` for every site of the grid: its index among the N sites and the index
    /// of its cell in the embedding's corner.
    @inline(__always) private func forEachSite(_ body: (Int, Int) -> Void) {
        let (mx, my) = (embedding[0], embedding[1])
        let (nx, ny, nz) = (extents[0], extents[1], extents[2])
        for iz in 0..<nz {
            for iy in 0..<ny {
                let row = nx * (iy + ny * iz), e = mx * (iy + my * iz)
                for ix in 0..<nx { body(row + ix, e + ix) }
            }
        }
    }

    /// Writes x into the grid's corner of the zeroed embedding.
    private func scatter(_ xr: UnsafeBufferPointer<Double>, _ xi: UnsafeBufferPointer<Double>) {
        let v = values
        for i in 0..<(2 * size) { v[i] = 0 }
        forEachSite { site, cell in
            v[2 * cell] = xr[site]
            v[2 * cell + 1] = xi[site]
        }
    }

    /// Reads the grid's corner of the embedding.
    private func gather(_ yr: UnsafeMutableBufferPointer<Double>, _ yi: UnsafeMutableBufferPointer<Double>) {
        let v = values
        forEachSite { site, cell in
            yr[site] = v[2 * cell]
            yi[site] = v[2 * cell + 1]
        }
    }
}
