import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import TestSupport
import XCTest

@testable import ExactBackend

final class LiouvillianTests: XCTestCase {
    /// The block Liouvillian equals the dense superoperator on random operators of every charge.
    func testBlockApplyMatchesDenseSuperoperator() throws {
        for n in [1, 2, 3, 4] {
            let model = DenseReference.randomModel(n: n, seed: UInt64(10 + n))
            let ref = DenseReference(model: model)
            let ld = ref.liouvillian
            let l = BlockLiouvillian(model: model)
            var rng = SeededRandom(seed: 99, stream: [UInt64(n)])
            for s in -n...n {
                let layout = BlockLayout(n: n, shift: s)
                let x = (0..<layout.count).map { _ in Complex(rng.uniform() - 0.5, rng.uniform() - 0.5) }
                let y = l.apply(x, layout: layout)
                let xd = DenseReference.dense(x, layout: layout, basis: l.basis)
                let yd = ld.apply(xd.elements)
                let yb = DenseReference.dense(y, layout: layout, basis: l.basis)
                var err = 0.0
                for i in 0..<yd.count { err = max(err, (yd[i] - yb.elements[i]).length) }
                XCTAssertLessThan(err, 1e-12, "N = \(n), shift \(s)")
            }
        }
    }

    /// The GMRES steady state equals the dense null vector to 1e-10 (dipolar couplings, random detunings).
    func testSteadyStateMatchesDense() throws {
        for (n, w) in [(2, 1.7), (3, 4.0), (4, 2.3), (4, 0.4)] {
            let model = DenseReference.randomModel(n: n, seed: UInt64(20 + n), pump: w)
            let dense = try DenseReference(model: model).steadyState()
            let l = BlockLiouvillian(model: model)
            let out = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l)
            let rho = DenseReference.dense(out.rho.entries, layout: out.rho.layout, basis: l.basis)
            XCTAssertLessThan(rho.maxAbsDifference(dense), 1e-10, "N = \(n), W = \(w)")
            XCTAssertLessThan(out.residual, 1e-10)
        }
    }

    /// A GMRES run that stops short of the target (here: capped iterations) is continued from its
    /// result; the restarted solve reaches the same steady state, and a hopeless cap is an error.
    func testSteadyStateRestartsFromAnUnfinishedSolve() throws {
        let model = DenseReference.randomModel(n: 4, seed: 24, pump: 2.3)
        let l = BlockLiouvillian(model: model)
        let full = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l)
        var capped = LiouvillianSteadyStateSolver(tolerance: 1e-12)
        capped.maxIterations = full.iterations / 2 + 2
        let out = try capped.solve(l)
        XCTAssertGreaterThan(out.iterations, capped.maxIterations, "it needed a second attempt")
        XCTAssertLessThan(out.residual, 1e-12 * l.rateScale)
        var diff = 0.0
        for (a, b) in zip(out.rho.entries, full.rho.entries) { diff = max(diff, (a - b).length) }
        XCTAssertLessThan(diff, 1e-10)
        var hopeless = LiouvillianSteadyStateSolver(tolerance: 1e-12)
        hopeless.maxIterations = 2
        XCTAssertThrowsError(try hopeless.solve(l)) { e in
            XCTAssertTrue("\(e)".contains("after 6 iterations"), "\(e)")
        }
    }
}
