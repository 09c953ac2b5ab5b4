import Foundation
import NumericalMethods
import XCTest

/// The two-exponential fit (`TwoExponentialFit`), the slow-component estimator of `two-time`.
final class TwoExponentialFitTests: XCTestCase {
    /// Exact A_s e^{−γ_s τ} + A_f e^{−γ_f τ} gives the four parameters to round-off, whichever component is
    /// larger; noisy data gives the slow rate within 4 reported standard errors.
    func testRecoversBothComponents() {
        let taus = (0..<2000).map { 40 * Double($0) / 1999 }
        for (aSlow, gSlow, aFast, gFast) in [(0.3, 0.05, 1.2, 3.1), (1.0, 0.4, 0.5, 1.6), (0.02, 0.8, 1.9, 5.0)] {
            let y = taus.map { aSlow * exp(-gSlow * $0) + aFast * exp(-gFast * $0) }
            let fit = TwoExponentialFit.fit(tau: taus, y: y)
            XCTAssertEqual(fit.slowDecay, gSlow, accuracy: 1e-7 * gFast)
            XCTAssertEqual(fit.slowAmplitude, aSlow, accuracy: 1e-7)
            XCTAssertEqual(fit.fastDecay, gFast, accuracy: 1e-6 * gFast)
            XCTAssertEqual(fit.fastAmplitude, aFast, accuracy: 1e-6)
            var rng = SeededRandom(seed: 11)
            let noisy = y.map { $0 + 1e-3 * rng.normal() }
            let nf = TwoExponentialFit.fit(tau: taus, y: noisy)
            XCTAssertGreaterThan(nf.slowDecayError, 0)
            XCTAssertEqual(nf.slowDecay, gSlow, accuracy: 4 * nf.slowDecayError)
        }
    }

    /// One exponential (two uncoupled identical dipoles): the slow component is that exponential, the
    /// fast amplitude 0.
    func testASingleExponentialIsTheSlowComponent() {
        let taus = (0..<500).map { 10 * Double($0) / 499 }
        let fit = TwoExponentialFit.fit(tau: taus, y: taus.map { 0.7 * exp(-1.5 * $0) })
        XCTAssertEqual(fit.slowDecay, 1.5, accuracy: 1e-8)
        XCTAssertEqual(fit.slowAmplitude, 0.7, accuracy: 1e-8)
        XCTAssertEqual(fit.fastAmplitude, 0)
        XCTAssertEqual(fit.fastDecay, fit.slowDecay)
    }

    /// Degenerate input never traps: no samples, one sample, a zero window, non-finite data.
    func testDegenerateInput() {
        XCTAssertEqual(TwoExponentialFit.fit(tau: [], y: []).slowDecay, 0)
        XCTAssertEqual(TwoExponentialFit.fit(tau: [0], y: [2]).slowAmplitude, 2)
        XCTAssertEqual(TwoExponentialFit.fit(tau: [0, 0], y: [1, 1]).slowDecay, 0)
        XCTAssertTrue(TwoExponentialFit.fit(tau: [0, 1, 2], y: [1, .nan, 0]).slowDecayError.isNaN)
    }
}
