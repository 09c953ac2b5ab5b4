import NumericalMethods
import Numerics
import XCTest

/// The seeded random streams (`SeededRandom`) and the single-precision product (`FloatComplexMatrix`).
final class SeededRandomTests: XCTestCase {
    /// A draw is a function of (seed, stream, index): the same stream repeats, another stream differs.
    func testStreamsArePureFunctionsOfSeedAndPath() {
        var a = SeededRandom(seed: 2026, stream: [3, 1])
        var b = SeededRandom(seed: 2026, stream: [3, 1])
        var c = SeededRandom(seed: 2026, stream: [3, 2])
        let xa = (0..<100).map { _ in a.next() }
        XCTAssertEqual(xa, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(xa, (0..<100).map { _ in c.next() })
        var u = SeededRandom(seed: 1)
        for _ in 0..<10_000 {
            let x = u.uniform()
            XCTAssertTrue(x >= 0 && x < 1)
        }
        var g = SeededRandom(seed: 9)
        let normals = (0..<20_000).map { _ in g.normal() }
        let mean = normals.reduce(0, +) / Double(normals.count)
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(normals.count)
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }
}

final class SinglePrecisionProductTests: XCTestCase {
    /// A · B and A · B† in single precision agree with the double-precision products to float accuracy.
    func testProductsMatchDoublePrecision() {
        let n = 9
        var rng = SeededRandom(seed: 4)
        let a = (0..<(n * n)).map { _ in Complex(rng.uniform() - 0.5, rng.uniform() - 0.5) }
        let b = (0..<(n * n)).map { _ in Complex(rng.uniform() - 0.5, rng.uniform() - 0.5) }
        for adjoint in [false, true] {
            var c = FloatComplexMatrix(zero: n)
            FloatComplexMatrix.multiply(FloatComplexMatrix(a, n: n), FloatComplexMatrix(b, n: n), adjointB: adjoint, into: &c)
            for j in 0..<n {
                for i in 0..<n {
                    var s = Complex<Double>.zero
                    for k in 0..<n {
                        let bkj = adjoint ? b[j + k * n].conjugate : b[k + j * n]
                        s = s + a[i + k * n] * bkj
                    }
                    let e = 2 * (i + j * n)
                    XCTAssertEqual(Double(c.storage[e]), s.real, accuracy: 1e-5)
                    XCTAssertEqual(Double(c.storage[e + 1]), s.imaginary, accuracy: 1e-5)
                }
            }
        }
    }
}
