import Physics
import TestSupport
import Testing
import XCTest

@testable import MeanFieldBackend

final class MeanFieldClosedFormTests: XCTestCase {
    /// ω and S^z at hand-worked points (Z itself: `CollectiveZTableTests`).
    func testCollectiveFrequencyAndInversionAtHandWorkedPoints() {
        // ω = −G Q/(2F) plus a common detuning.
        XCTAssertEqual(MeanFieldClosedForm.collectiveFrequency(feff: 10, geff: 4, pump: 3, detuning: 0.5), 0.5 - 0.8)
        // S^z = (P − 2F Z²)/(2Q) = Q/(2F) when synchronized: F = 15, W = 7.5 → 8.5/30.
        let z = MeanFieldClosedForm.collectiveZ(feff: 15, pump: 7.5)
        XCTAssertEqual(MeanFieldClosedForm.inversion(feff: 15, pump: 7.5, z: z), 8.5 / 30, accuracy: 1e-15)
    }

    /// Z ≤ 1/√8 everywhere, the maximum at W = F/2 − Γ, approaching 1/√8 as F/Γ → ∞.
    func testBoundAndOptimum() throws {
        for f in [5.0, 15, 60, 300] {
            for w in stride(from: 0.0, through: 2 * f, by: f / 37) {
                XCTAssertLessThanOrEqual(MeanFieldClosedForm.collectiveZ(feff: f, pump: w), 1 / 8.0.squareRoot())
            }
            // F P − Q² is maximal at W = F/2 − Γ, positive there only for F > 8Γ.
            guard f > 8 else { XCTAssertNil(MeanFieldClosedForm.optimalPump(feff: f)); continue }
            let wopt = try XCTUnwrap(MeanFieldClosedForm.optimalPump(feff: f))
            XCTAssertEqual(wopt, f / 2 - 1, accuracy: 1e-6 * f)
        }
        let zmax = MeanFieldClosedForm.collectiveZ(feff: 1e5, pump: 5e4 - 1)
        XCTAssertEqual(zmax, 1 / 8.0.squareRoot(), accuracy: 1e-4)
        // Lorentzian: W_opt ≈ F/2 − Δ/√2 (up to O(Γ)) for F ≫ Γ, Δ.
        let wl = try XCTUnwrap(MeanFieldClosedForm.optimalPump(feff: 400, hwhm: 20))
        XCTAssertEqual(wl, 200 - 20 / 2.0.squareRoot(), accuracy: 2)
        XCTAssertNil(MeanFieldClosedForm.optimalPump(feff: 7))
    }

    /// Z vanishes at Δ_c = (F P − Q²)/(2Q) (the radicand is exactly zero there).
    func testCriticalWidthIsWhereZVanishes() throws {
        for (f, w) in [(15.0, 7.5), (30.0, 10), (12.0, 4)] {
            let dc = MeanFieldClosedForm.criticalWidth(feff: f, pump: w)
            XCTAssertGreaterThan(dc, 0)
            XCTAssertGreaterThan(MeanFieldClosedForm.lorentzianZ(feff: f, pump: w, hwhm: dc * (1 - 1e-4)), 0)
            XCTAssertEqual(MeanFieldClosedForm.lorentzianZ(feff: f, pump: w, hwhm: dc * (1 + 1e-4)), 0)
            let below = try MeanFieldClosedForm.selfConsistent(feff: f, pump: w, distribution: .lorentzian(hwhm: dc * 0.99))
            let above = try MeanFieldClosedForm.selfConsistent(feff: f, pump: w, distribution: .lorentzian(hwhm: dc * 1.01))
            XCTAssertGreaterThan(below.z, 0)
            XCTAssertEqual(above.z, 0)
            XCTAssertNil(above.frequency)
        }
    }

    /// The self-consistency solver reproduces the Lorentzian closed form (and the identical-dipole
    /// one at Δ = 0) over a grid.
    func testSelfConsistencyReproducesLorentzianClosedForm() throws {
        for f in [10.0, 15, 40] {
            for w in [3.0, 6, 12, 19] {
                for d in [0.0, 0.3, 1, 3] {
                    let closed = MeanFieldClosedForm.lorentzianZ(feff: f, pump: w, hwhm: d)
                    let sc = try MeanFieldClosedForm.selfConsistent(feff: f, pump: w, distribution: .lorentzian(hwhm: d))
                    XCTAssertEqual(sc.z, closed, accuracy: 1e-9, "F = \(f), W = \(w), Δ = \(d)")
                    if closed > 0 {
                        XCTAssertEqual(try XCTUnwrap(sc.frequency), 0)
                        XCTAssertEqual(sc.inversion, MeanFieldClosedForm.inversion(feff: f, pump: w, z: closed), accuracy: 1e-9)
                    }
                }
            }
        }
    }

    /// Identical dipoles with elastic couplings: Z does not depend on G, ω = −G Q/(2F).
    func testSelfConsistencyWithElasticCouplingsAndNoDisorder() throws {
        for g in [-6.0, 0, 2.5] {
            let sc = try MeanFieldClosedForm.selfConsistent(feff: 15, geff: g, pump: 7.5, distribution: .none)
            XCTAssertEqual(sc.z, MeanFieldClosedForm.collectiveZ(feff: 15, pump: 7.5), accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(sc.frequency), -g * 8.5 / 30, accuracy: 1e-12)
        }
    }

    /// Uniform detunings of full width w, G = 0: ⟨1/(4δ² + c²)⟩ = arctan(w/c)/(c w) in closed form, so the
    /// solution must satisfy P F arctan(w/c)/(c w) = 1. A narrow Gaussian tends to identical dipoles.
    func testSelfConsistencyForUniformAndGaussianDetunings() throws {
        for (f, w, width) in [(15.0, 7.5, 2.0), (30.0, 12, 8.0)] {
            let sc = try MeanFieldClosedForm.selfConsistent(feff: f, pump: w, distribution: .uniform(width: width))
            XCTAssertGreaterThan(sc.z, 0)
            XCTAssertEqual((w - 1) * f * atan(width / sc.c) / (sc.c * width), 1, accuracy: 1e-11)
            XCTAssertEqual(sc.c * sc.c, (1 + w) * (1 + w) + 2 * f * f * sc.z * sc.z, accuracy: 1e-9)
        }
        let narrow = try MeanFieldClosedForm.selfConsistent(feff: 15, pump: 7.5, distribution: .gaussian(sigma: 1e-4))
        XCTAssertEqual(narrow.z, MeanFieldClosedForm.collectiveZ(feff: 15, pump: 7.5), accuracy: 1e-8)
        // More disorder, less order: Z decreases with σ.
        var last = 1.0
        for s in [0.5, 1, 2, 3] {
            let z = try MeanFieldClosedForm.selfConsistent(feff: 15, pump: 7.5, distribution: .gaussian(sigma: s)).z
            XCTAssertLessThan(z, last); last = z
        }
    }

    func testQuantilesAndAverages() {
        // Φ⁻¹ against erfc: Φ(x) = erfc(−x/√2)/2.
        for u in [1e-12, 1e-4, 0.02, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9] {
            let x = standardNormalQuantile(u)
            XCTAssertEqual(0.5 * erfc(-x / 2.0.squareRoot()), u, accuracy: 1e-15 + 1e-12 * u)
        }
        XCTAssertEqual(DetuningDistribution.lorentzian(hwhm: 2).quantile(0.75), 2, accuracy: 1e-14)
        XCTAssertEqual(DetuningDistribution.uniform(width: 3).quantiles(count: 3), [-1, 0, 1])
        // Lorentzian average of a Lorentzian: ⟨1/(δ² + c²)⟩ = 1/(c(c + Δ)).
        let l = DetuningDistribution.lorentzian(hwhm: 1.5)
        XCTAssertEqual(l.average { 1 / ($0 * $0 + 0.09) }, 1 / (0.3 * 1.8), accuracy: 1e-12)
        // Gaussian second moment and a shifted peak.
        let g = DetuningDistribution.gaussian(sigma: 0.7)
        XCTAssertEqual(g.average { $0 * $0 }, 0.49, accuracy: 1e-13)
        XCTAssertEqual(
            DetuningDistribution.uniform(width: 4).average(peak: 1) { abs($0 - 1) }, 1.25,   // (4.5 + 0.5)/4
            accuracy: 1e-13)
    }

    /// The backend's analytic methods: keys, method strings and the F(N−1)/N coupling sum.
    func testBackendAnalyticMethods() throws {
        let n = 100
        let req = collectiveRequest(n: n, feff: 15, geff: 3, pump: 7.5, observables: [.z, .zq, .inversion, .frequency])
        let f = 15.0 * 99 / 100, g = 3.0 * 99 / 100
        let closed = try MeanFieldBackend(method: .closedForm(.none)).solve(req)
        let z = MeanFieldClosedForm.collectiveZ(feff: f, pump: 7.5)
        XCTAssertEqual(closed.number("Z"), z)
        XCTAssertEqual(closed.number("ZQ2"), z * z)
        XCTAssertEqual(try XCTUnwrap(closed.number("frequency")), -g * 8.5 / (2 * f), accuracy: 1e-15)
        XCTAssertTrue(closed.method.contains("closed form"))
        let sc = try MeanFieldBackend(method: .selfConsistent(.none)).solve(req)
        XCTAssertEqual(try XCTUnwrap(sc.number("Z")), z, accuracy: 1e-12)
        XCTAssertTrue(sc.method.contains("self-consistency"))
        // The dynamic method on the same request agrees.
        let dyn = try MeanFieldBackend().solve(req)
        XCTAssertEqual(try XCTUnwrap(dyn.number("Z")), z, accuracy: 1e-7)
        XCTAssertEqual(try XCTUnwrap(dyn.number("frequency")), try XCTUnwrap(closed.number("frequency")), accuracy: 1e-7)
        XCTAssertEqual(try XCTUnwrap(dyn.number("inversion")), try XCTUnwrap(closed.number("inversion")), accuracy: 1e-7)
        // Unsynchronized: frequency is null in the analytic methods.
        let off = try MeanFieldBackend(method: .closedForm(.none)).solve(
            collectiveRequest(
                n: n, feff: 5, pump: 2,
                observables: [.z, .frequency]))
        XCTAssertEqual(off.number("Z"), 0)
        XCTAssertEqual(off["frequency"], .null)
        // Lorentzian closed form refuses elastic couplings; unsupported distributions throw.
        XCTAssertThrowsError(try MeanFieldBackend(method: .closedForm(.lorentzian(hwhm: 1))).solve(req))
        XCTAssertThrowsError(try MeanFieldBackend(method: .closedForm(.gaussian(sigma: 1))).solve(req))
        XCTAssertThrowsError(
            try MeanFieldBackend(method: .closedForm(.none)).solve(
                collectiveRequest(n: 3, feff: 2, pump: 1, detunings: [0, 1, 2])))
    }
}

/// Z = √(F P − Q²)/(√2 F), Q = 1 + W, P = W − 1 at points worked by hand, one test each.
@Suite struct CollectiveZTableTests {
    @Test(
        arguments: [
            (15, 7.5, 25.25.squareRoot() / (15 * 2.0.squareRoot())),   // 97.5 − 72.25 = 25.25
            (10, 3, 2.0 / (10 * 2.0.squareRoot())),   // 20 − 16 = 4
            (8, 3, 0),   // 16 − 16 = 0: the tip of the boundary
            (5, 2, 0),   // 5 − 9 < 0
            (20, 0.5, 0)   // P < 0
        ] as [(Double, Double, Double)])
    func collectiveZ(feff: Double, pump: Double, z: Double) {
        #expect(isClose(MeanFieldClosedForm.collectiveZ(feff: feff, pump: pump), z, within: 1e-15))
    }
}
