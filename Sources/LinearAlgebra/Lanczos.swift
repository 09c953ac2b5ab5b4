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
