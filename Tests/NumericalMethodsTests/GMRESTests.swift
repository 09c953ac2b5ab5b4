import NumericalMethods
import Numerics
import XCTest

/// `GMRES` on small dense systems, real (right preconditioning) and complex (flexible, with a
/// single-precision preconditioner), against their true residuals.
final class GMRESTests: XCTestCase {
    /// A diagonally dominant n × n real matrix (row-major) with a Jacobi preconditioner.
    private func realSystem(n: Int, seed: UInt64) -> (a: [Double], d: [Double], b: [Double]) {
        var rng = SeededRandom(seed: seed)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (i == j ? 2 + rng.uniform() : 0) + rng.uniform() / Double(n) } }
        let d = (0..<n).map { 1 / a[$0 * n + $0] }
        let b = (0..<n).map { _ in rng.uniform() - 0.5 }
        return (a, d, b)
    }

    private func product(_ a: [Double], _ v: [Double]) -> [Double] {
        let n = v.count
        return (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * v[$1] } }
    }

    func testRealRightPreconditionedSolve() {
        let n = 40
        let (a, d, b) = realSystem(n: n, seed: 3)
        for restart in [40, 5] {
            let solver = GMRES<RealKrylovArithmetic>(
                restart: restart, maxIterations: 400,
                tolerance: .relative(1e-12), preconditioning: .right)
            let out = solver.solve(
                a: { v, y in y = self.product(a, v) },
                preconditioner: { v, y in for i in 0..<n { y[i] = d[i] * v[i] } }, b: b)
            let ax = product(a, out.x)
            let r = zip(b, ax).map { $0 - $1 }
            XCTAssertLessThanOrEqual(RealKrylovArithmetic.norm(r), 1e-10 * RealKrylovArithmetic.norm(b), "restart \(restart)")
            XCTAssertGreaterThan(out.iterations, 0)
            XCTAssertLessThan(out.iterations, 400)
            // The same inputs give the same bits.
            let again = solver.solve(
                a: { v, y in y = self.product(a, v) },
                preconditioner: { v, y in for i in 0..<n { y[i] = d[i] * v[i] } }, b: b)
            XCTAssertEqual(out.x.map(\.bitPattern), again.x.map(\.bitPattern))
        }
    }

    /// Solves through a `GMRESWorkspace` give the bits of solves without one, whatever the lent vectors
    /// held (here NaN: every element is written before it is read), and a second solve of the same size
    /// takes every vector it needs from the workspace: its count does not grow.
    func testWorkspaceLendsVectorsWithoutChangingTheBits() {
        let n = 40
        let (a, d, b) = realSystem(n: n, seed: 7)
        let solver = GMRES<RealKrylovArithmetic>(restart: 6, maxIterations: 400, tolerance: .relative(1e-12), preconditioning: .right)
        let apply: GMRES<RealKrylovArithmetic>.Operator = { v, y in
            let p = self.product(a, v)
            for i in 0..<n { y[i] = p[i] }
        }
        let precondition: GMRES<RealKrylovArithmetic>.Operator = { v, y in for i in 0..<n { y[i] = d[i] * v[i] } }
        let fresh = solver.solve(a: apply, preconditioner: precondition, b: b)
        let workspace = GMRESWorkspace<Double>()
        for _ in 0..<3 {
            var dirty = [Double](repeating: .nan, count: n)
            workspace.giveBack(&dirty)
            XCTAssertTrue(dirty.isEmpty, "giveBack takes the vector over")
        }
        var held: [Int] = []
        for _ in 0..<3 {
            let lent = solver.solve(a: apply, preconditioner: precondition, b: b, workspace: workspace)
            XCTAssertEqual(lent.x.map(\.bitPattern), fresh.x.map(\.bitPattern))
            XCTAssertEqual(lent.iterations, fresh.iterations)
            held.append(workspace.count)
        }
        XCTAssertGreaterThan(fresh.iterations, 6, "more than one cycle: the basis is reused within the solve too")
        XCTAssertEqual(held[1], held[0])
        XCTAssertEqual(held[2], held[0])
        XCTAssertEqual(held[0], 6 + 1 + 2, "the basis, r and w (x goes to the caller)")
    }

    func testZeroRightHandSideReturnsZero() {
        let solver = GMRES<RealKrylovArithmetic>(restart: 5, maxIterations: 10, tolerance: .relative(1e-8), preconditioning: .right)
        let out = solver.solve(a: { v, y in y = v }, preconditioner: { v, y in y = v }, b: [0, 0, 0])
        XCTAssertEqual(out.x, [0, 0, 0])
        XCTAssertEqual(out.iterations, 0)
    }

    func testComplexFlexibleSolveWithSinglePrecisionPreconditioner() {
        let n = 30
        var rng = SeededRandom(seed: 5)
        var a = [Complex<Double>](repeating: .zero, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                a[i * n + j] = Complex(i == j ? 3.0 : 0) + Complex(rng.uniform() - 0.5, rng.uniform() - 0.5) / Complex(Double(n).squareRoot())
            }
        }
        let b = (0..<n).map { _ in Complex(rng.uniform() - 0.5, rng.uniform() - 0.5) }
        let x0 = (0..<n).map { _ in Complex(rng.uniform(), 0) }
        func apply(_ v: [Complex<Double>]) -> [Complex<Double>] {
            (0..<n).map { i in (0..<n).reduce(Complex<Double>.zero) { $0 + a[i * n + $1] * v[$1] } }
        }
        // An inexact preconditioner: the diagonal inverse, rounded to single precision.
        let precondition: GMRES<ComplexKrylovArithmetic>.Operator = { v, z in
            z = (0..<n).map { i in
                let w = v[i] / a[i * n + i]
                return Complex(Double(Float(w.real)), Double(Float(w.imaginary)))
            }
        }
        let tol = 1e-11
        let solver = GMRES<ComplexKrylovArithmetic>(restart: 8, maxIterations: 500, tolerance: .absolute(tol), preconditioning: .flexible)
        let out = solver.solve(a: { v, y in y = apply(v) }, preconditioner: precondition, b: b, x0: x0)
        let ax = apply(out.x)
        let trueResidual = ComplexKrylovArithmetic.norm(zip(b, ax).map { $0 - $1 })
        XCTAssertLessThanOrEqual(out.residual, tol)
        XCTAssertEqual(out.residual, trueResidual, accuracy: 1e-15)

        // Capped: the reported residual is still the true one, and every allowed step was taken.
        let capped = GMRES<ComplexKrylovArithmetic>(restart: 8, maxIterations: 3, tolerance: .absolute(tol), preconditioning: .flexible)
            .solve(a: { v, y in y = apply(v) }, preconditioner: precondition, b: b, x0: x0)
        XCTAssertEqual(capped.iterations, 3)
        let cappedResidual = ComplexKrylovArithmetic.norm(zip(b, apply(capped.x)).map { $0 - $1 })
        XCTAssertEqual(capped.residual, cappedResidual, accuracy: 1e-14)
        XCTAssertGreaterThan(capped.residual, tol)
    }

    func testGivensRotationsZeroTheSecondEntry() {
        let (c, s, r) = ComplexKrylovArithmetic.givensRotation(Complex(0.3, -1.2), Complex(2.0, 0.7))
        let top = c.conjugate * Complex(0.3, -1.2) + s.conjugate * Complex(2.0, 0.7)
        let bottom = -s * Complex(0.3, -1.2) + c * Complex(2.0, 0.7)
        XCTAssertEqual((top - r).length, 0, accuracy: 1e-14)
        XCTAssertEqual(bottom.length, 0, accuracy: 1e-14)
        let (rc, rs, rr) = RealKrylovArithmetic.givensRotation(-3, 4)
        XCTAssertEqual(rc * -3 + rs * 4, rr, accuracy: 1e-14)
        XCTAssertEqual(-rs * -3 + rc * 4, 0, accuracy: 1e-14)
        XCTAssertEqual(rr, 5, accuracy: 1e-14)
    }
}
