import XCTest

@testable import NumericalMethods

final class DormandPrinceTests: XCTestCase {
    func testExponentialDecay() throws {
        let dp = DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
        let r = try dp.integrate(from: 0, [1], to: [5]) { _, y, dy in dy[0] = -y[0] }
        XCTAssertEqual(r.t, 5)
        XCTAssertEqual(r.y[0], exp(-5), accuracy: 1e-9 * exp(-5))
    }

    /// x'' = −x from (1, 0): (cos t, −sin t), over ~16 periods.
    func testHarmonicOscillator() throws {
        let dp = DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
        let r = try dp.integrate(from: 0, [1, 0], to: [100]) { _, y, dy in
            dy[0] = y[1]; dy[1] = -y[0]
        }
        XCTAssertEqual(r.y[0], cos(100), accuracy: 1e-9)
        XCTAssertEqual(r.y[1], -sin(100), accuracy: 1e-9)
    }

    /// The global error follows the requested tolerance (within a modest factor) and tighter
    /// tolerances take more steps.
    func testErrorControlIsHonoured() throws {
        var lastSteps = 0
        for tol in [1e-4, 1e-7, 1e-10] {
            let dp = DormandPrince(relativeTolerance: tol, absoluteTolerance: tol)
            let r = try dp.integrate(from: 0, [1, 0], to: [10]) { _, y, dy in
                dy[0] = y[1]; dy[1] = -y[0]
            }
            let err = max(abs(r.y[0] - cos(10)), abs(r.y[1] + sin(10)))
            XCTAssertLessThan(err, 30 * tol, "tolerance \(tol)")
            XCTAssertGreaterThan(r.steps, lastSteps)
            lastSteps = r.steps
        }
    }

    /// Outputs are hit exactly (bit for bit), in order, including t0; y at each matches e^{−t}.
    func testOutputsAreHitExactly() throws {
        let outputs = [0, 0.1, 0.3333333333333333, 1, 2.5, 7]
        var seen: [Double] = []
        let dp = DormandPrince(relativeTolerance: 1e-11, absoluteTolerance: 1e-13)
        try dp.integrate(
            from: 0, [1], to: outputs, rhs: { _, y, dy in dy[0] = -y[0] },
            observe: { t, y in
                seen.append(t)
                XCTAssertEqual(y[0], exp(-t), accuracy: 1e-9)
            })
        XCTAssertEqual(seen, outputs)
    }

    func testEarlyStopAndStepLimit() throws {
        let dp = DormandPrince(relativeTolerance: 1e-8)
        let r = try dp.integrate(
            from: 0, [1], to: [100], rhs: { _, y, dy in dy[0] = -y[0] },
            shouldStop: { _, y, _ in y[0] < 0.5 })
        XCTAssertLessThan(r.y[0], 0.5)
        XCTAssertLessThan(r.t, 1)
        XCTAssertGreaterThan(r.t, log(2))
        let limited = DormandPrince(relativeTolerance: 1e-12, maxSteps: 5)
        XCTAssertThrowsError(
            try limited.integrate(from: 0, [1, 0], to: [100]) { _, y, dy in
                dy[0] = y[1]; dy[1] = -y[0]
            })
    }
}
