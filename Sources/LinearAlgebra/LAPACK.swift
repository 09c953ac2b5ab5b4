internal import CLAPACK
import Numerics

/// A LAPACK routine reported failure through its `info` code.
public struct LinearAlgebraError: Error, CustomStringConvertible, Sendable {
    public let routine: String
    public let info: Int
    public var description: String {
        if info < 0 { return "\(routine): argument \(-info) was invalid" }
        switch routine {
        case "dgesv", "zgesv", "dgbsv", "zgbsv": return "\(routine): the matrix is singular (U(\(info),\(info)) = 0)"
        default: return "\(routine): the algorithm did not converge (info = \(info))"
        }
    }
}

@inline(__always)
private func check(_ info: Int32, _ routine: String) throws {
    if info != 0 { throw LinearAlgebraError(routine: routine, info: Int(info)) }
}

private func asLapack(_ p: UnsafeMutablePointer<Complex<Double>>?) -> UnsafeMutablePointer<dipolesync_complex_double>? {
    UnsafeMutableRawPointer(p)?.assumingMemoryBound(to: dipolesync_complex_double.self)
}

/// Eigen-decomposition of a real symmetric matrix (LAPACK `dsyevd`).
/// Eigenvalues ascending; the columns of `vectors` are orthonormal eigenvectors.
public func symmetricEigen(_ a: Matrix) throws -> (values: [Double], vectors: Matrix) {
    try dsyevd(a, vectors: true)
}

/// Eigenvalues only of a real symmetric matrix, ascending.
public func symmetricEigenvalues(_ a: Matrix) throws -> [Double] {
    try dsyevd(a, vectors: false).values
}

private func dsyevd(_ a: Matrix, vectors: Bool) throws -> (values: [Double], vectors: Matrix) {
    precondition(a.rows == a.cols, "symmetric eigenproblems need a square matrix")
    let n = a.rows
    var v = a
    var w = [Double](repeating: 0, count: n)
    if n == 0 { return (w, v) }
    let jobz: CChar = vectors ? 86 /* V */ : 78 /* N */
    let info = v.elements.withUnsafeMutableBufferPointer { pv in
        w.withUnsafeMutableBufferPointer { pw in
            LAPACKE_dsyevd(LAPACK_COL_MAJOR, jobz, 85 /* U */, Int32(n), pv.baseAddress, Int32(n), pw.baseAddress)
        }
    }
    try check(info, "dsyevd")
    return (w, v)
}

/// Eigen-decomposition of a complex Hermitian matrix (LAPACK `zheevd`). Eigenvalues ascending.
public func hermitianEigen(_ a: ComplexMatrix) throws -> (values: [Double], vectors: ComplexMatrix) {
    precondition(a.rows == a.cols, "hermitianEigen needs a square matrix")
    let n = a.rows
    var v = a
    var w = [Double](repeating: 0, count: n)
    if n == 0 { return (w, v) }
    let info = v.elements.withUnsafeMutableBufferPointer { pv in
        w.withUnsafeMutableBufferPointer { pw in
            LAPACKE_zheevd(LAPACK_COL_MAJOR, 86, 85, Int32(n), asLapack(pv.baseAddress), Int32(n), pw.baseAddress)
        }
    }
    try check(info, "zheevd")
    return (w, v)
}

/// Eigen-decomposition of a general complex matrix (LAPACK `zgeev`): A·V = V·diag(values).
/// Columns of `vectors` are right eigenvectors with unit 2-norm.
public func eigen(_ a: ComplexMatrix) throws -> (values: [Complex<Double>], vectors: ComplexMatrix) {
    precondition(a.rows == a.cols, "eigen needs a square matrix")
    let n = a.rows
    var work = a
    var w = [Complex<Double>](repeating: .zero, count: n)
    var vr = ComplexMatrix(rows: n, cols: n)
    if n == 0 { return (w, vr) }
    var dummy = Complex<Double>.zero
    let info = work.elements.withUnsafeMutableBufferPointer { pa in
        w.withUnsafeMutableBufferPointer { pw in
            vr.elements.withUnsafeMutableBufferPointer { pvr in
                withUnsafeMutablePointer(to: &dummy) { pvl in
                    LAPACKE_zgeev(
                        LAPACK_COL_MAJOR, 78, 86, Int32(n), asLapack(pa.baseAddress), Int32(n),
                        asLapack(pw.baseAddress), asLapack(pvl), 1, asLapack(pvr.baseAddress), Int32(n))
                }
            }
        }
    }
    try check(info, "zgeev")
    return (w, vr)
}

/// Complex Schur decomposition A = Z T Z* (LAPACK `zgees`), reordered (`ztrsen`) so that the `leading`
/// eigenvalues of largest `key` come first on T's diagonal. T upper triangular, Z unitary; `values` is
/// T's diagonal after the reordering.
public func orderedSchur(_ a: ComplexMatrix, leading: Int, key: (Complex<Double>) -> Double) throws -> (
    t: ComplexMatrix, z: ComplexMatrix, values: [Complex<Double>]
) {
    precondition(a.rows == a.cols, "orderedSchur needs a square matrix")
    let n = a.rows
    var t = a
    var z = ComplexMatrix(rows: n, cols: n)
    var w = [Complex<Double>](repeating: .zero, count: n)
    if n == 0 { return (t, z, w) }
    var sdim: Int32 = 0
    let info = t.elements.withUnsafeMutableBufferPointer { pt in
        w.withUnsafeMutableBufferPointer { pw in
            z.elements.withUnsafeMutableBufferPointer { pz in
                LAPACKE_zgees(
                    LAPACK_COL_MAJOR, 86 /* V */, 78 /* N */, nil, Int32(n), asLapack(pt.baseAddress), Int32(n), &sdim,
                    asLapack(pw.baseAddress), asLapack(pz.baseAddress), Int32(n))
            }
        }
    }
    try check(info, "zgees")
    var select = [Int32](repeating: 0, count: n)
    for i in w.indices.sorted(by: { (key(w[$0]), $1) > (key(w[$1]), $0) }).prefix(leading) { select[i] = 1 }
    var m: Int32 = 0
    var sCond = 0.0, sep = 0.0
    let reorder = t.elements.withUnsafeMutableBufferPointer { pt in
        w.withUnsafeMutableBufferPointer { pw in
            z.elements.withUnsafeMutableBufferPointer { pz in
                select.withUnsafeBufferPointer { ps in
                    LAPACKE_ztrsen(
                        LAPACK_COL_MAJOR, 78 /* N */, 86 /* V */, ps.baseAddress, Int32(n), asLapack(pt.baseAddress), Int32(n),
                        asLapack(pz.baseAddress), Int32(n), asLapack(pw.baseAddress), &m, &sCond, &sep)
                }
            }
        }
    }
    try check(reorder, "ztrsen")
    return (t, z, w)
}

/// Eigenvalues of a general real matrix (LAPACK `dgeev`), as complex numbers.
public func eigenvalues(_ a: Matrix) throws -> [Complex<Double>] {
    precondition(a.rows == a.cols)
    let n = a.rows
    var work = a
    var wr = [Double](repeating: 0, count: n), wi = [Double](repeating: 0, count: n)
    if n == 0 { return [] }
    var d1 = 0.0, d2 = 0.0
    let info = work.elements.withUnsafeMutableBufferPointer { pa in
        wr.withUnsafeMutableBufferPointer { pr in
            wi.withUnsafeMutableBufferPointer { pi in
                LAPACKE_dgeev(
                    LAPACK_COL_MAJOR, 78, 78, Int32(n), pa.baseAddress, Int32(n), pr.baseAddress,
                    pi.baseAddress, &d1, 1, &d2, 1)
            }
        }
    }
    try check(info, "dgeev")
    return (0..<n).map { Complex(wr[$0], wi[$0]) }
}

/// Solves A·X = B for a general real square A (LAPACK `dgesv`, LU with partial pivoting).
public func solve(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    precondition(a.rows == a.cols && b.rows == a.rows, "solve: shapes do not match")
    let n = a.rows
    var lu = a, x = b
    if n == 0 || b.cols == 0 { return x }
    var piv = [Int32](repeating: 0, count: n)
    let info = lu.elements.withUnsafeMutableBufferPointer { pa in
        x.elements.withUnsafeMutableBufferPointer { pb in
            LAPACKE_dgesv(
                LAPACK_COL_MAJOR, Int32(n), Int32(b.cols), pa.baseAddress, Int32(n), &piv,
                pb.baseAddress, Int32(n))
        }
    }
    try check(info, "dgesv")
    return x
}

/// Solves A·x = b for a vector b.
public func solve(_ a: Matrix, _ b: [Double]) throws -> [Double] {
    try solve(a, Matrix(rows: b.count, cols: 1, elements: b)).elements
}

/// Solves A·X = B for a general complex square A (LAPACK `zgesv`).
public func solve(_ a: ComplexMatrix, _ b: ComplexMatrix) throws -> ComplexMatrix {
    precondition(a.rows == a.cols && b.rows == a.rows, "solve: shapes do not match")
    let n = a.rows
    var lu = a, x = b
    if n == 0 || b.cols == 0 { return x }
    var piv = [Int32](repeating: 0, count: n)
    let info = lu.elements.withUnsafeMutableBufferPointer { pa in
        x.elements.withUnsafeMutableBufferPointer { pb in
            LAPACKE_zgesv(
                LAPACK_COL_MAJOR, Int32(n), Int32(b.cols), asLapack(pa.baseAddress), Int32(n), &piv,
                asLapack(pb.baseAddress), Int32(n))
        }
    }
    try check(info, "zgesv")
    return x
}

/// A real band matrix in LAPACK's general band storage, for `dgbsv`.
/// Entry (i, j) with −kl ≤ j − i ≤ ku lives at row `kl + ku + i − j` of column j in a
/// (2·kl + ku + 1) × n array (the top kl rows are workspace for the factorization).
public struct BandMatrix: Sendable {
    public let n: Int, kl: Int, ku: Int
    public var storage: [Double]
    public var ldab: Int { 2 * kl + ku + 1 }

    public init(n: Int, kl: Int, ku: Int) {
        self.n = n; self.kl = kl; self.ku = ku
        storage = [Double](repeating: 0, count: (2 * kl + ku + 1) * n)
    }

    /// Whether (i, j) lies inside the band.
    public func contains(_ i: Int, _ j: Int) -> Bool { j - i <= ku && i - j <= kl }

    public subscript(i: Int, j: Int) -> Double {
        get { contains(i, j) ? storage[(kl + ku + i - j) + j * ldab] : 0 }
        set {
            precondition(contains(i, j), "BandMatrix: (\(i), \(j)) is outside the band")
            storage[(kl + ku + i - j) + j * ldab] = newValue
        }
    }

    /// Solves A·x = b (LAPACK `dgbsv`).
    public func solve(_ b: [Double]) throws -> [Double] {
        precondition(b.count == n)
        var ab = storage, x = b
        if n == 0 { return x }
        var piv = [Int32](repeating: 0, count: n)
        let info = ab.withUnsafeMutableBufferPointer { pa in
            x.withUnsafeMutableBufferPointer { pb in
                LAPACKE_dgbsv(
                    LAPACK_COL_MAJOR, Int32(n), Int32(kl), Int32(ku), 1, pa.baseAddress, Int32(ldab),
                    &piv, pb.baseAddress, Int32(n))
            }
        }
        try check(info, "dgbsv")
        return x
    }
}
