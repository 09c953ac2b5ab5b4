/// The smallest eigenvalue of a real symmetric operator given only by its product, by the Lanczos
/// iteration with full reorthogonalization (docs/physics.md §2.6).
///
/// Starts from `start` (a fixed vector: the result is the same on every run), builds up to `steps`
/// Lanczos vectors (memory steps × n doubles), and stops once the smallest Ritz value's residual
/// ‖A v − θ v‖ = β_m |s_m| is below `tolerance` × (the largest |Ritz value|). The Ritz value θ is an
/// upper bound on the smallest eigenvalue: a negative θ proves the operator is not positive
/// semidefinite, whatever the residual; the iteration also stops once θ < `stopBelow`.
public func lanczosSmallestEigenvalue(
    n: Int, start: [Double], steps: Int, tolerance: Double = 1e-12, stopBelow: Double = -.infinity,
    apply: ([Double]) -> [Double]
) throws -> (value: Double, residual: Double, steps: Int) {
    precondition(start.count == n && n >= 1)
    let m = max(1, min(steps, n))
    var basis: [[Double]] = []
    basis.reserveCapacity(m)
    var alpha: [Double] = [], beta: [Double] = []
    var q = start
    var norm = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
    precondition(norm > 0, "the start vector must not vanish")
    for i in 0..<n { q[i] /= norm }
    var best = (value: 0.0, residual: Double.infinity, steps: 0)
    for j in 0..<m {
        basis.append(q)
        var w = apply(q)
        let a = zip(w, q).reduce(0) { $0 + $1.0 * $1.1 }
        alpha.append(a)
        // Full reorthogonalization, twice (classical Gram–Schmidt repeated is as good as modified).
        for _ in 0..<2 {
            for v in basis {
                let c = zip(w, v).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n { w[i] -= c * v[i] }
            }
        }
        norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        // The Ritz values of the tridiagonal matrix built so far.
        let k = alpha.count
        var t = Matrix(rows: k, cols: k)
        for i in 0..<k {
            t[i, i] = alpha[i]
            if i + 1 < k { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
        }
        let (values, vectors) = try symmetricEigen(t)
        let theta = values[0]
        let residual = norm * abs(vectors[k - 1, 0])
        let scale = max(abs(values[0]), abs(values[k - 1]), 1e-300)
        best = (theta, residual, j + 1)
        if residual <= tolerance * scale || norm <= 1e-14 * scale || theta < stopBelow { break }
        beta.append(norm)
        q = w.map { $0 / norm }
    }
    return best
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
