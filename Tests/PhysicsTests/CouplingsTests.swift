import LinearAlgebra
import NumericalMethods
import XCTest

@testable import Physics

final class CouplingsTests: XCTestCase {
    /// f → Γ as r → 0 for every orientation: sin²θ·1 + (3cos²θ − 1)/3 = 2/3 → f = (3/2)(2/3) = Γ.
    func testDissipativeCouplingTendsToGammaAtZeroDistance() {
        for c in [0.0, 0.3, 1 / 3.0.squareRoot(), 0.8, 1] {
            XCTAssertEqual(Couplings.dipolarPair(zeta: 0, cosTheta: c).f, 1, accuracy: 1e-15)
            XCTAssertEqual(Couplings.dipolarPair(zeta: 1e-6, cosTheta: c).f, 1, accuracy: 1e-12)
            XCTAssertEqual(Couplings.dipolarPair(zeta: 1e-6, cosTheta: c, gamma: 2.5).f, 2.5, accuracy: 1e-11)
        }
    }

    /// The small-ζ series (ζ < 1e-3) joins the full formula at ζ = 1e-3. The full formula loses
    /// about ζ⁻³·ε ≈ 2e-7 there to cancellation, so the jump must be below a few 1e-7.
    func testSeriesIsContinuousWithFullFormula() {
        for c in [0.0, 0.5, 1] {
            let below = Couplings.dipolarPair(zeta: 1e-3 * (1 - 1e-12), cosTheta: c)
            let above = Couplings.dipolarPair(zeta: 1e-3, cosTheta: c)
            XCTAssertEqual(below.f, above.f, accuracy: 1e-6, "cos θ = \(c)")
            XCTAssertEqual(below.g / above.g, 1, accuracy: 1e-9)
        }
    }

    /// At the magic angle 3cos²θ − 1 = 0: f = sin ζ/ζ and g = −cos ζ/ζ exactly (sin²θ = 2/3), so
    /// ζ³ g → 0, while along the axis (θ = 0) ζ³ g → −3.
    func testMagicAngleRemovesNearField() {
        let magic = 1 / 3.0.squareRoot()
        for z in [0.01, 0.1, 1, 5] {
            let (f, g) = Couplings.dipolarPair(zeta: z, cosTheta: magic)
            XCTAssertEqual(f, sin(z) / z, accuracy: 1e-14)
            // 3cos²θ − 1 rounds to ~1e-16, times (3/2)/ζ³: allow 1e-15/ζ³.
            XCTAssertEqual(g, -cos(z) / z, accuracy: 1e-15 / (z * z * z) + 1e-14)
        }
        XCTAssertEqual(pow(0.001, 3) * Couplings.dipolarPair(zeta: 0.001, cosTheta: magic).g, 0, accuracy: 1e-5)
        XCTAssertEqual(pow(0.001, 3) * Couplings.dipolarPair(zeta: 0.001, cosTheta: 1).g, -3, accuracy: 1e-5)
    }

    /// Values worked by hand from docs/physics.md §2.1:
    /// - θ = 90° (s² = 1, 3c² − 1 = −1), ζ = π (r = λ/2): sin = 0, cos = −1:
    ///   f = (3/2)(0 − 0 + cos/ζ²) = −3/(2π²) = −0.15198…; g = −(3/2)(cos/ζ − cos/ζ³) = (3/2)(1/π − 1/π³).
    /// - θ = 0 (s² = 0, 3c² − 1 = 2), ζ = π: f = 3(0 + 1/π²) = 3/π²; g = −3(−1/π³) = 3/π³.
    /// - θ = 90°, ζ = π/2 (r = λ/4): sin = 1, cos = 0: f = (3/2)(2/π − 8/π³); g = (3/2)(4/π²).
    func testValuesAtHandWorkedSeparations() {
        let pi = Double.pi
        let cases: [(zeta: Double, cos: Double, f: Double, g: Double)] = [
            (pi, 0, -3 / (2 * pi * pi), 1.5 * (1 / pi - 1 / (pi * pi * pi))),
            (pi, 1, 3 / (pi * pi), 3 / (pi * pi * pi)),
            (pi / 2, 0, 1.5 * (2 / pi - 8 / (pi * pi * pi)), 1.5 * 4 / (pi * pi))
        ]
        for c in cases {
            let v = Couplings.dipolarPair(zeta: c.zeta, cosTheta: c.cos)
            XCTAssertEqual(v.f, c.f, accuracy: 1e-14, "\(c)")
            XCTAssertEqual(v.g, c.g, accuracy: 1e-14, "\(c)")
        }
        XCTAssertEqual(cases[0].f, -0.151982, accuracy: 1e-6)
        XCTAssertEqual(cases[0].g, 0.429087, accuracy: 1e-6)
        // The same through positions: two dipoles λ/2 apart along x, dipoles along z (θ = 90°) and x (θ = 0).
        let pos: [SIMD3<Double>] = [SIMD3(0, 0, 0), SIMD3(0.5, 0, 0)]
        let perp = Couplings.dipolar(positions: pos, orientation: SIMD3(0, 0, 3))   // not normalized on purpose
        XCTAssertEqual(perp.f[0, 1], cases[0].f, accuracy: 1e-14)
        XCTAssertEqual(perp.g[1, 0], cases[0].g, accuracy: 1e-14)
        let axial = Couplings.dipolar(positions: pos, orientation: SIMD3(-1, 0, 0))
        XCTAssertEqual(axial.f[1, 0], cases[1].f, accuracy: 1e-14)
        XCTAssertEqual(axial.g[0, 1], cases[1].g, accuracy: 1e-14)
    }

    /// Symmetry f_ab = f_ba, g_ab = g_ba; f_aa = Γ, g_aa = 0; `elastic: false` zeroes g.
    func testSymmetryAndDiagonal() {
        var rng = SeededRandom(seed: 1, stream: [2])
        let pos = (0..<12).map { _ in SIMD3(rng.uniform(), rng.uniform(), rng.uniform()) }
        let c = Couplings.dipolar(positions: pos, orientation: SIMD3(0.2, -0.4, 1), gamma: 1.3)
        for a in 0..<12 {
            XCTAssertEqual(c.f[a, a], 1.3)
            XCTAssertEqual(c.g[a, a], 0)
            for b in 0..<12 {
                XCTAssertEqual(c.f[a, b], c.f[b, a])
                XCTAssertEqual(c.g[a, b], c.g[b, a])
            }
        }
        let noG = Couplings.dipolar(positions: pos, orientation: SIMD3(0.2, -0.4, 1), elastic: false)
        XCTAssertTrue(noG.g.elements.allSatisfy { $0 == 0 })
    }

    /// In a square lattice θ differs per pair: with d̂ = x̂, the pair along x has θ = 0, along y θ = 90°,
    /// along the diagonal cos θ = 1/√2.
    func testPerPairAnglesInSquareLattice() {
        let a = 0.1
        let pos = Lattice.square(2, 2).unitPositions.map { $0 * a }
        let c = Couplings.dipolar(positions: pos, orientation: SIMD3(1, 0, 0))
        let z = 2 * Double.pi * a
        let cases: [(Int, Int, Double, Double)] = [
            (0, 1, z, 1), (0, 2, z, 0), (0, 3, z * 2.0.squareRoot(), 1 / 2.0.squareRoot()),
            (1, 2, z * 2.0.squareRoot(), -1 / 2.0.squareRoot())
        ]
        for (i, j, zeta, cosTheta) in cases {
            let e = Couplings.dipolarPair(zeta: zeta, cosTheta: cosTheta)
            XCTAssertEqual(c.f[i, j], e.f, accuracy: 1e-13)
            XCTAssertEqual(c.g[i, j], e.g, accuracy: 1e-11)
        }
    }

    /// Uniform model: f_eff = Σ_a Σ_{b≠a} (F/N)/(N − 1) = F for every N (by construction); one dipole
    /// sees Σ_{b≠a} f_ab = F(N − 1)/N; the eigenvalues of f are Γ + F(N−1)/N and Γ − F/N.
    func testUniformModelEffectiveCouplingsAndSpectrum() throws {
        for n in [2, 5, 40] {
            let c = Couplings.uniform(n: n, feff: 15, geff: -4)
            XCTAssertEqual(Couplings.effective(c.f), 15, accuracy: 1e-12)
            XCTAssertEqual(Couplings.effective(c.g), -4, accuracy: 1e-12)
            let row = (1..<n).reduce(0.0) { $0 + c.f[0, $1] }
            XCTAssertEqual(row, 15 * Double(n - 1) / Double(n), accuracy: 1e-12)
            let ev = try symmetricEigenvalues(c.f)
            XCTAssertEqual(ev.first ?? .nan, 1 - 15 / Double(n), accuracy: 1e-12)
            XCTAssertEqual(ev.last ?? .nan, 1 + 15 * Double(n - 1) / Double(n), accuracy: 1e-12)
            XCTAssertEqual(try Couplings.smallestRateEigenvalue(c.f), 1 - 15 / Double(n), accuracy: 1e-12)
        }
        let m = DipoleModel.collective(n: 6, feff: 9, geff: 1, pump: 2)
        XCTAssertEqual(m.feff, 9, accuracy: 1e-14)
        XCTAssertEqual(m.geff, 1, accuracy: 1e-14)
        XCTAssertEqual(m.uniform, UniformCouplings(feff: 9, geff: 1))
        XCTAssertEqual(Couplings.effective(Matrix([[1]])), 0)
    }

    /// Power law f_ab = A (a/r)^α, g = 0.
    func testPowerLawValues() {
        let pos = Lattice.chain(4).unitPositions.map { $0 * 2 }   // spacing 2
        let c = Couplings.powerLaw(positions: pos, spacing: 2, alpha: 1.5, strength: 0.25)
        XCTAssertEqual(c.f[0, 1], 0.25, accuracy: 1e-15)
        XCTAssertEqual(c.f[0, 2], 0.25 / pow(2, 1.5), accuracy: 1e-15)
        XCTAssertEqual(c.f[3, 0], 0.25 / pow(3, 1.5), accuracy: 1e-15)
        XCTAssertEqual(c.f[2, 2], 1)
        XCTAssertTrue(c.g.elements.allSatisfy { $0 == 0 })
        // α = 0: all-to-all with f_ab = A.
        let flat = Couplings.powerLaw(positions: pos, spacing: 2, alpha: 0, strength: 0.25)
        XCTAssertEqual(Couplings.effective(flat.f), 0.25 * 4, accuracy: 1e-14)
    }
}
