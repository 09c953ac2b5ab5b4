import Numerics
import XCTest

@testable import LinearAlgebra

final class LinearAlgebraTests: XCTestCase {
    func testMatrixProductMatchesHandComputation() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        let b = Matrix([[7, 8], [9, 10], [11, 12]])
        XCTAssertEqual(a * b, Matrix([[58, 64], [139, 154]]))
        var c = Matrix(rows: 3, cols: 3)
        Matrix.gemm(a, a, transposeA: .transpose, into: &c)
        XCTAssertEqual(c, Matrix([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
    }

    func testComplexProductAndAdjoint() {
        let i = Complex<Double>.i
        let a = ComplexMatrix(square: 2) { r, c in Complex(Double(r + 1), Double(c)) }
        var c = ComplexMatrix(rows: 2, cols: 2)
        ComplexMatrix.gemm(a, a, transposeA: .adjoint, into: &c)
        let expected = a.adjoint * a
        XCTAssertLessThan(c.maxAbsDifference(expected), 1e-14)
        // (1 + 0i)(1) + ... : check one entry by hand: (A†A)_01 = conj(a00)a01 + conj(a10)a11
        let e01 = a[0, 0].conjugate * a[0, 1] + a[1, 0].conjugate * a[1, 1]
        XCTAssertLessThan((c[0, 1] - e01).length, 1e-14)
        XCTAssertEqual(i * i, Complex(-1, 0))
    }

    func testSymmetricEigenOfKnownMatrix() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let (w, v) = try symmetricEigen(Matrix([[2, 1], [1, 2]]))
        XCTAssertEqual(w[0], 1, accuracy: 1e-14)
        XCTAssertEqual(w[1], 3, accuracy: 1e-14)
        XCTAssertEqual(abs(v[0, 1]), 1 / 2.0.squareRoot(), accuracy: 1e-14)
    }

    func testHermitianAndGeneralEigenReconstruct() throws {
        let n = 6
        var h = ComplexMatrix(square: n) { r, c in Complex(sin(Double(r * 7 + c)), cos(Double(r + 3 * c))) }
        h = ComplexMatrix(square: n) { r, c in (h[r, c] + h[c, r].conjugate) }
        let (w, v) = try hermitianEigen(h)
        for k in 0..<n {
            let col = (0..<n).map { v[$0, k] }
            let hv = h.apply(col)
            for r in 0..<n { XCTAssertLessThan((hv[r] - col[r] * Complex(w[k])).length, 1e-12) }
        }
        let a = ComplexMatrix(square: n) { r, c in Complex(Double((r * 5 + c * 3) % 7) - 3, Double(r - c)) }
        let (lam, vr) = try eigen(a)
        for k in 0..<n {
            let col = (0..<n).map { vr[$0, k] }
            let av = a.apply(col)
            for r in 0..<n { XCTAssertLessThan((av[r] - col[r] * lam[k]).length, 1e-10) }
        }
    }

    func testSolvers() throws {
        let a = Matrix([[4, 1, 0], [1, 3, 1], [0, 1, 2]])
        let x = try solve(a, [1, 2, 3])
        let ax = a.apply(x)
        for k in 0..<3 { XCTAssertEqual(ax[k], [1, 2, 3][k], accuracy: 1e-14) }
        var band = BandMatrix(n: 3, kl: 1, ku: 1)
        for i in 0..<3 { for j in 0..<3 where band.contains(i, j) { band[i, j] = a[i, j] } }
        let xb = try band.solve([1, 2, 3])
        for k in 0..<3 { XCTAssertEqual(xb[k], x[k], accuracy: 1e-14) }
        XCTAssertThrowsError(try solve(Matrix([[1, 2], [2, 4]]), [1, 1]))
    }
}

final class BlockedProductsTests: XCTestCase {
    /// Blocked products equal one BLAS call (to rounding) and give the same bits for any worker count.
    func testBlockedProductsMatchBLASAndIgnoreThreads() {
        let n = 600   // three column blocks
        let a = Matrix(square: n) { sin(Double($0 * 7 + $1)) }, b = Matrix(square: n) { cos(Double($0 + 3 * $1)) }
        var one = Matrix(rows: n, cols: n), two = Matrix(rows: n, cols: n), ref = Matrix(rows: n, cols: n)
        BlockedProducts.gemm(a, b, transposeB: .transpose, into: &one, threads: 1)
        BlockedProducts.gemm(a, b, transposeB: .transpose, into: &two, threads: 2)
        Matrix.gemm(a, b, transposeB: .transpose, into: &ref)
        XCTAssertEqual(one.elements, two.elements)
        XCTAssertLessThan(one.maxAbsDifference(ref), 1e-10)
        let ca = ComplexMatrix(real: a, imaginary: b), cb = ComplexMatrix(real: b, imaginary: a)
        var c1 = ComplexMatrix(rows: n, cols: n), c2 = ComplexMatrix(rows: n, cols: n), cr = ComplexMatrix(rows: n, cols: n)
        BlockedProducts.gemm(ca, cb, transposeB: .adjoint, into: &c1, threads: 1)
        BlockedProducts.gemm(ca, cb, transposeB: .adjoint, into: &c2, threads: 3)
        ComplexMatrix.gemm(ca, cb, transposeB: .adjoint, into: &cr)
        XCTAssertEqual(c1.elements, c2.elements)
        XCTAssertLessThan(c1.maxAbsDifference(cr), 1e-9)
    }
}
