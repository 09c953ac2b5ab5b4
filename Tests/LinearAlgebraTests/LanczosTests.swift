import Foundation
import XCTest

@testable import LinearAlgebra

/// The restarted Lanczos iteration (docs/physics.md §2.6) on operators whose smallest eigenvalues
/// form a dense cluster, against LAPACK.
final class LanczosTests: XCTestCase {
    /// The symmetric Toeplitz (tridiagonal) matrix of the symbol 1 − cos k on 800 sites, eigenvalues
    /// 1 − cos(πj/801): they crowd quadratically at the bottom (7.7e-6, 3.1e-5, …), where one cycle of
    /// 40 vectors stalls; thick restarts reach the smallest (closed form, and LAPACK) to 1e-10 of the
    /// spectrum's scale, from above.
    func testRestartsConvergeOnAClusteredSpectrum() throws {
        let n = 800
        let a = Matrix(square: n) { i, j in i == j ? 1 : (abs(i - j) == 1 ? -0.5 : 0) }
        let all = try symmetricEigenvalues(a)
        let exact = 1 - cos(Double.pi / Double(n + 1)), scale = 2.0
        XCTAssertEqual(all[0], exact, accuracy: 1e-13)
        let start = (0..<n).map { sin(Double($0) * 0.37 + 0.1) + 0.3 * cos(Double($0) * 1.9) }
        let product = { (x: [Double]) -> [Double] in a.apply(x) }
        let once = try lanczosSmallestEigenvalue(n: n, start: start, steps: 40, restarts: 0, apply: product)
        let restarted = try lanczosSmallestEigenvalue(n: n, start: start, steps: 40, restarts: 400, apply: product)
        XCTAssertGreaterThan(once.value - exact, 1e-6 * scale, "one cycle is not converged (the test must be able to fail)")
        XCTAssertGreaterThanOrEqual(restarted.value, exact - 1e-12 * scale)
        XCTAssertLessThan(restarted.value - exact, 1e-10 * scale, "\(restarted.value) vs \(exact) after \(restarted.steps) products")
        XCTAssertGreaterThan(restarted.steps, 40)
    }

    /// A stop below a threshold ends the iteration as soon as a Ritz value proves an eigenvalue below it.
    func testStopsBelowAThreshold() throws {
        let n = 300
        let a = Matrix(square: n) { i, j in i == j ? Double(i) / 10 - 1 : 0 }
        let start = (0..<n).map { 1 + Double($0 % 7) }
        let r = try lanczosSmallestEigenvalue(n: n, start: start, steps: 100, stopBelow: -0.5, restarts: 10) { a.apply($0) }
        XCTAssertLessThan(r.value, -0.5)
        XCTAssertGreaterThanOrEqual(r.value, -1 - 1e-12)
        XCTAssertLessThan(r.steps, 100)
    }
}
