/// The smallest eigenvalue of a real symmetric operator given only by its product, by the Lanczos
/// iteration with full reorthogonalization and thick restarts (docs/physics.md §2.6).
///
/// Starts from `start` (a fixed vector: the result is the same on every run) and builds up to `steps`
/// orthonormal vectors V (memory steps × n doubles) with the projected matrix H = Vᵀ A V, filled from
/// the Gram–Schmidt coefficients of each product (so A V = V H + w e_mᵀ holds after restarts too).
/// When the basis is full and the smallest Ritz value has not converged, it restarts (Wu & Simon's
/// thick restart): the basis becomes the `steps`/4 Ritz vectors of the smallest Ritz values plus the
/// last residual direction, and H their diagonal bordered by the couplings to it; at most `restarts`
/// times. A cluster of eigenvalues at the bottom of the spectrum (the Toeplitz matrices of
/// docs/physics.md §2.6 have one) needs the restarts: one cycle leaves the Ritz value ~1e-4 above it.
///
/// Every `steps`/20 products (and at the end of each cycle) it stops once the smallest Ritz value's residual ‖A y − θ y‖ = ‖w‖ |s_m| is below `tolerance` ×
/// (the largest |Ritz value|). The Ritz value θ is an upper bound on the smallest eigenvalue: a
/// negative θ proves the operator is not positive semidefinite, whatever the residual; the iteration
/// also stops once θ < `stopBelow`. Returns θ, its residual and the number of products.
public func lanczosSmallestEigenvalue(
    n: Int, start: [Double], steps: Int, tolerance: Double = 1e-12, stopBelow: Double = -.infinity,
    restarts: Int = 0, apply: ([Double]) -> [Double]
) throws -> (value: Double, residual: Double, steps: Int) {
    precondition(start.count == n && n >= 1)
    let m = max(1, min(steps, n))
    let keep = m >= 8 ? m / 4 : 0
    let check = max(1, m / 20)
    var basis: [[Double]] = []
    basis.reserveCapacity(m)
    var h = Matrix(rows: m, cols: m)
    var q = start
    var norm = dot(q, q).squareRoot()
    precondition(norm > 0, "the start vector must not vanish")
    for i in 0..<n { q[i] /= norm }
    var best = (value: 0.0, residual: Double.infinity, steps: 0)
    var products = 0
    var cycle = 0
    while true {
        var values: [Double] = []
        var vectors = Matrix(rows: 0, cols: 0)
        while basis.count < m {
            let j = basis.count
            basis.append(q)
            var w = apply(q)
            products += 1
            // Full reorthogonalization, twice (classical Gram–Schmidt repeated is as good as
            // modified); the coefficients are the column j of H.
            var c = [Double](repeating: 0, count: j + 1)
            for _ in 0..<2 {
                for (i, v) in basis.enumerated() {
                    let x = dot(w, v)
                    c[i] += x
                    axpy(-x, v, &w)
                }
            }
            for i in 0..<j {
                h[i, j] = c[i]
                h[j, i] = c[i]
            }
            h[j, j] = c[j]
            norm = dot(w, w).squareRoot()
            // The Ritz values of the projected matrix built so far, every `check` steps (an eigen-
            // decomposition of the k × k matrix costs O(k³), more than the products on small operators)
            // and at the end of a cycle.
            let k = j + 1
            if k % check != 0 && k < m && k < n && norm > 1e-10 * abs(c[j]) {
                for i in 0..<n { w[i] /= norm }
                q = w
                continue
            }
            var t = Matrix(rows: k, cols: k)
            for b in 0..<k { for a in 0..<k { t[a, b] = h[a, b] } }
            (values, vectors) = try symmetricEigen(t)
            let theta = values[0]
            let residual = norm * abs(vectors[k - 1, 0])
            let scale = max(abs(values[0]), abs(values[k - 1]), 1e-300)
            best = (theta, residual, products)
            if residual <= tolerance * scale || norm <= 1e-14 * scale || theta < stopBelow || k == n { return best }
            for i in 0..<n { w[i] /= norm }
            q = w
        }
        guard cycle < restarts, keep >= 1 else { return best }
        cycle += 1
        // Thick restart: the `keep` smallest Ritz vectors y_i = V s_i, H = diag(θ_i); q (the residual
        // direction, orthogonal to V) comes next, and its product fills the border β s_{m,i}.
        var kept: [[Double]] = []
        for i in 0..<keep {
            var y = [Double](repeating: 0, count: n)
            for (l, v) in basis.enumerated() { axpy(vectors[l, i], v, &y) }
            kept.append(y)
        }
        basis = kept
        h = Matrix(rows: m, cols: m)
        for i in 0..<keep { h[i, i] = values[i] }
    }
}

/// Plain loops, not BLAS: the verdict must not depend on the CPU's kernels (docs/reproducibility.md).
private func dot(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            var s = 0.0
            for i in 0..<pa.count { s += pa[i] * pb[i] }
            return s
        }
    }
}

/// y += alpha x.
private func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
            for i in 0..<px.count { py[i] += alpha * px[i] }
        }
    }
}

/// A fixed start vector for Lanczos iterations with components in every symmetry sector of a lattice:
/// splitmix64 of the index, mapped to [−½, ½). The same on every run.
public func lanczosStartVector(_ n: Int) -> [Double] {
    (0..<n).map { i -> Double in
        var z = UInt64(i) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) - 0.5
    }
}

/// The `lowest` smallest and `highest` largest Ritz pairs of a real symmetric operator given by its
/// product, from at most `steps` Lanczos steps with full reorthogonalization (twice, classical
/// Gram–Schmidt) from `start`. With `tolerance`, the iteration stops early (checked every 10 steps)
/// once every wanted Ritz pair has the residual ‖A y − θ y‖ = β_m |s_mk| ≤ tolerance × max|θ|.
/// Returns the Ritz values (ascending: the lowest, then the highest), the Ritz vectors as the columns
/// of an n × (lowest + highest) matrix, their residuals and the steps taken. Memory: steps × n doubles.
/// Deterministic (fixed operation order).
public func lanczosExtremeEigenpairs(
    n: Int, start: [Double], steps: Int, lowest: Int, highest: Int, tolerance: Double? = nil,
    apply: ([Double]) -> [Double]
) throws -> (values: [Double], vectors: Matrix, residuals: [Double], steps: Int) {
    precondition(start.count == n && n >= 1 && lowest >= 0 && highest >= 0)
    let m = max(1, min(steps, n))
    var basis = Matrix(rows: n, cols: m)
    var alpha: [Double] = [], beta: [Double] = []
    var q = start
    var norm = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
    precondition(norm > 0, "the start vector must not vanish")
    for i in 0..<n { q[i] /= norm }
    var lastNorm = 0.0

    func ritz(_ k: Int) throws -> (values: [Double], vectors: Matrix, keep: [Int]) {
        var t = Matrix(rows: k, cols: k)
        for i in 0..<k {
            t[i, i] = alpha[i]
            if i + 1 < k { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
        }
        let (values, vectors) = try symmetricEigen(t)
        let lo = min(lowest, k)
        let hi = min(highest, k - lo)
        let keep = Array(0..<lo) + Array((k - hi)..<k)
        return (values, vectors, keep)
    }

    var taken = 0
    for j in 0..<m {
        basis.elements.withUnsafeMutableBufferPointer { b in for i in 0..<n { b[i + j * n] = q[i] } }
        var w = apply(q)
        var a = 0.0
        for i in 0..<n { a += w[i] * q[i] }
        alpha.append(a)
        basis.elements.withUnsafeBufferPointer { b in
            for _ in 0..<2 {
                for c in 0...j {
                    var h = 0.0
                    for i in 0..<n { h += w[i] * b[i + c * n] }
                    for i in 0..<n { w[i] -= h * b[i + c * n] }
                }
            }
        }
        norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        taken = j + 1
        lastNorm = norm
        let scale = max(alpha.map(abs).max() ?? 0, 1e-300)
        if norm <= 1e-14 * scale || j + 1 == m { break }
        if let tolerance, (j + 1) % 10 == 0 {
            let (values, vectors, keep) = try ritz(j + 1)
            let top = max(abs(values[0]), abs(values[j]), 1e-300)
            if keep.allSatisfy({ norm * abs(vectors[j, $0]) <= tolerance * top }) { break }
        }
        beta.append(norm)
        q = w.map { $0 / norm }
    }
    let k = taken
    let (values, vectors, keep) = try ritz(k)
    var s = Matrix(rows: k, cols: keep.count)
    for (c, col) in keep.enumerated() { for i in 0..<k { s[i, c] = vectors[i, col] } }
    var q2 = Matrix(rows: n, cols: k)
    q2.elements.withUnsafeMutableBufferPointer { d in
        basis.elements.withUnsafeBufferPointer { b in for i in 0..<(n * k) { d[i] = b[i] } }
    }
    var y = Matrix(rows: n, cols: keep.count)
    Matrix.gemm(q2, s, into: &y)
    return (keep.map { values[$0] }, y, keep.map { lastNorm * abs(vectors[k - 1, $0]) }, k)
}
