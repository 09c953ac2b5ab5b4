import Numerics

/// The eigenvalue of largest real part of a complex operator given only by its product, by the
/// Krylov–Schur iteration (Stewart's restarted Arnoldi) with twice-repeated classical Gram–Schmidt
/// (docs/physics.md §5.3.1: the stability test of the cumulant steady state at lattice scale).
///
/// Starts from `start` (a fixed vector: the result is the same on every run) and builds up to
/// `basisSize` orthonormal vectors V (memory 16 × basisSize × n bytes) with H = V* A V. Every 10
/// products it takes the eigenvalues of H (LAPACK `zgeev`) and stops once the Ritz value θ of largest
/// real part has the residual ‖A y − θ y‖ = |h_{j+1,j}| |y_j| below `tolerance` × (the largest |Ritz
/// value|). When the basis is full it restarts: H's Schur form is reordered to put the third of its
/// Ritz values of largest real part first (`orderedSchur`), and the basis shrinks to their Schur
/// vectors plus the last residual direction (A V_k = V_k T_k + v bᵀ), so a cluster at the right end of
/// the spectrum converges without the basis growing. Returns θ, its residual, the products taken and
/// whether the residual met the tolerance within `maxProducts`; the caller decides what an unconverged
/// one means.
public func arnoldiRightmostEigenvalue(
    n: Int, start: [Complex<Double>], basisSize: Int, maxProducts: Int, tolerance: Double,
    apply: ([Complex<Double>]) -> [Complex<Double>]
) throws -> (value: Complex<Double>, residual: Double, products: Int, converged: Bool) {
    precondition(start.count == n && n >= 1)
    let m = max(1, min(basisSize, n))
    let keep = max(1, m / 3)
    var basis: [[Complex<Double>]] = []
    basis.reserveCapacity(m + 1)
    var h = ComplexMatrix(rows: m + 1, cols: m)
    var q = start
    var norm = norm2(q)
    precondition(norm > 0, "the start vector must not vanish")
    scale(&q, 1 / norm)
    basis.append(q)

    /// The rightmost Ritz value of the leading k × k block of H, its residual and the spectrum's scale.
    func rightmost(_ k: Int) throws -> (value: Complex<Double>, residual: Double, converged: Bool) {
        var hk = ComplexMatrix(rows: k, cols: k)
        for j in 0..<k { for i in 0..<k { hk[i, j] = h[i, j] } }
        let (values, vectors) = try eigen(hk)
        var best = 0
        for i in values.indices where values[i].real > values[best].real { best = i }
        var column = 0.0
        for i in 0..<k { column += vectors[i, best].lengthSquared }
        let residual = h[k, k - 1].length * vectors[k - 1, best].length / max(column.squareRoot(), 1e-300)
        let scale = values.map(\.length).max() ?? 0
        return (values[best], residual, residual <= tolerance * max(scale, 1e-300))
    }

    var j = 0
    var products = 0
    var last: (value: Complex<Double>, residual: Double, converged: Bool) = (.zero, .infinity, false)
    while true {
        while j < m {
            var w = apply(basis[j])
            products += 1
            for _ in 0..<2 {
                for (c, v) in basis.enumerated() {
                    // ⟨v, w⟩ = Σ conj(v_i) w_i, then w −= ⟨v, w⟩ v
                    var re = 0.0, im = 0.0
                    for i in 0..<n {
                        re += v[i].real * w[i].real + v[i].imaginary * w[i].imaginary
                        im += v[i].real * w[i].imaginary - v[i].imaginary * w[i].real
                    }
                    for i in 0..<n {
                        w[i] = Complex(
                            w[i].real - (re * v[i].real - im * v[i].imaginary), w[i].imaginary - (re * v[i].imaginary + im * v[i].real))
                    }
                    h[c, j] = h[c, j] + Complex(re, im)
                }
            }
            norm = norm2(w)
            let columnScale = (0...j).map { h[$0, j].length }.max() ?? 0
            j += 1
            if norm <= 1e-14 * max(columnScale, 1e-300) {
                // An invariant subspace: its Ritz values are eigenvalues.
                h[j, j - 1] = .zero
                let r = try rightmost(j)
                return (r.value, 0, products, true)
            }
            h[j, j - 1] = Complex(norm)
            scale(&w, 1 / norm)
            basis.append(w)
            if j == m || j == n || products % 10 == 0 || products >= maxProducts {
                last = try rightmost(j)
                if last.converged || j == n || products >= maxProducts { return (last.value, last.residual, products, last.converged) }
            }
        }
        // Krylov–Schur restart: H_m = Z T Z*, the `keep` rightmost Ritz values first.
        var hm = ComplexMatrix(rows: m, cols: m)
        for c in 0..<m { for i in 0..<m { hm[i, c] = h[i, c] } }
        let (t, z, _) = try orderedSchur(hm, leading: keep) { $0.real }
        var kept: [[Complex<Double>]] = []
        for c in 0..<keep {
            var v = [Complex<Double>](repeating: .zero, count: n)
            for r in 0..<m {
                let zr = z[r, c]
                let b = basis[r]
                for i in 0..<n { v[i] = v[i] + zr * b[i] }
            }
            kept.append(v)
        }
        let beta = h[m, m - 1]
        h = ComplexMatrix(rows: m + 1, cols: m)
        for c in 0..<keep {
            for i in 0...c { h[i, c] = t[i, c] }
            h[keep, c] = beta * z[m - 1, c]
        }
        kept.append(basis[m])
        basis = kept
        j = keep
    }
}

private func norm2(_ v: [Complex<Double>]) -> Double {
    var s = 0.0
    for z in v { s += z.real * z.real + z.imaginary * z.imaginary }
    return s.squareRoot()
}

private func scale(_ v: inout [Complex<Double>], _ x: Double) {
    for i in v.indices { v[i] = Complex(v[i].real * x, v[i].imaginary * x) }
}
