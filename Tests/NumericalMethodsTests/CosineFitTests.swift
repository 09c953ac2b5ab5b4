import Foundation
import NumericalMethods
import XCTest

/// The damped-cosine fit (`CosineFit`).
final class CosineFitTests: XCTestCase {
    /// Synthetic A cos(ντ) e^{−γτ}: exact data gives the parameters to round-off; noisy data gives them
    /// within 4 reported standard errors.
    func testCosineFitRecoversKnownParameters() {
        let taus = (0..<300).map { 15 * Double($0) / 299 }
        for (a, nu, g) in [(0.8, 0.0, 0.3), (1.3, 1.7, 0.25), (0.4, 0.6, 1.1), (-0.5, 2.4, 0.05)] {
            let y = taus.map { a * cos(nu * $0) * exp(-g * $0) }
            let fit = CosineFit.fit(tau: taus, y: y)
            XCTAssertEqual(fit.amplitude, a, accuracy: 1e-7)
            XCTAssertEqual(fit.frequency, nu, accuracy: 1e-7)
            XCTAssertEqual(fit.decay, g, accuracy: 1e-7)
            var rng = SeededRandom(seed: 7)
            let noisy = y.map { $0 + 0.01 * rng.normal() }
            let nf = CosineFit.fit(tau: taus, y: noisy)
            XCTAssertEqual(nf.amplitude, a, accuracy: 4 * nf.amplitudeError)
            XCTAssertEqual(nf.frequency, nu, accuracy: max(4 * nf.frequencyError, nu == 0 ? 0.02 : 0))
            XCTAssertEqual(nf.decay, g, accuracy: 4 * nf.decayError)
            XCTAssertGreaterThan(nf.decayError, 0)
        }
    }

    /// The fit recovers known parameters from noiseless data, including ν = 0.
    func testDampedCosineFit() {
        for (a, nu, gamma) in [(1.3, 0.0, 0.4), (0.7, 2.1, 0.3), (2.0, 0.5, 1.2)] {
            let tau = (0..<200).map { 10 * Double($0) / 199 }
            let y = tau.map { a * cos(nu * $0) * exp(-gamma * $0) }
            let fit = CosineFit.fit(tau: tau, y: y)
            XCTAssertEqual(fit.amplitude, a, accuracy: 1e-6)
            XCTAssertEqual(fit.frequency, nu, accuracy: 1e-6)
            XCTAssertEqual(fit.decay, gamma, accuracy: 1e-6)
        }
    }
}
