import LinearAlgebra
import NumericalMethods
import Numerics
import Results
import TestSupport
import XCTest

@testable import CumulantBackend
@testable import Physics

final class RegressionTests: XCTestCase {
    let backend = CumulantBackend()

    private func steady(_ model: DipoleModel) throws -> (CumulantSystem, [Double]) {
        let system = CumulantSystem(model: model)
        let (x, _) = try CumulantSteadyStateSolver(tolerance: 1e-12).solve(system)
        return (system, x)
    }

    /// G(τ) from the eigen-decomposition equals a direct integration of dG/dτ = M G, and G(0) is the
    /// equal-time correlation matrix (C off the diagonal, (1 + s_a)/2 on it).
    func testRegressionMatchesDirectIntegrationAndEqualTimeValues() throws {
        var rng = SeededRandom(seed: 41)
        let n = 6
        let model = DenseReference.randomModel(n: n, rng: &rng)
        let (system, x) = try steady(model)
        let reg = try Regression(system: system, state: x)
        let m = LyapunovPreconditioner.regressionMatrix(system: system, s: Array(x[0..<n]))
        for a in 0..<n {
            for b in 0..<n {
                let g0 = reg.evaluate(reg.correlationWeights(a, b), at: 0)
                XCTAssertEqual(g0.real, system.c(x, a, b).real, accuracy: 1e-10)
                XCTAssertEqual(g0.imaginary, system.c(x, a, b).imaginary, accuracy: 1e-10)
            }
        }
        let z0 = reg.evaluate(reg.pairWeights(1, 4), at: 0)
        XCTAssertEqual(z0.real, (1 + x[1]) / 2 + (1 + x[4]) / 2 + 2 * system.c(x, 1, 4).real, accuracy: 1e-10)
        XCTAssertEqual(z0.imaginary, 0, accuracy: 1e-10)
        // Direct integration of column b = 2 of G.
        let b = 2, tau = 1.3
        let y0 = (0..<n).flatMap { a -> [Double] in
            let c = system.c(x, a, b); return [c.real, c.imaginary]
        }
        let run = try DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-14).integrate(
            from: 0, y0, to: [tau],
            rhs: { _, y, dy in
                for a in 0..<n {
                    var s = Complex<Double>.zero
                    for c in 0..<n { s = s + m[a, c] * Complex(y[2 * c], y[2 * c + 1]) }
                    dy[2 * a] = s.real; dy[2 * a + 1] = s.imaginary
                }
            })
        for a in 0..<n {
            let g = reg.evaluate(reg.correlationWeights(a, b), at: tau)
            XCTAssertEqual(g.real, run.y[2 * a], accuracy: 1e-9)
            XCTAssertEqual(g.imaginary, run.y[2 * a + 1], accuracy: 1e-9)
        }
    }

    /// Uniform model: M = −Q/2 + ½ s (F − iG)/N (11ᵀ − I) has the collective eigenvalue
    /// λ_c = −Q/2 + ½ s (F − iG)(N−1)/N and the (N−1)-fold λ = −Q/2 − ½ s (F − iG)/N; ⟨J⁺(τ)J⁻⟩ is the single
    /// exponential e^{λ_c τ}⟨J⁺J⁻⟩, so the spectrum is one Lorentzian of FWHM −2 Re λ_c at Im λ_c.
    func testCollectiveModelDecayRatesAndSpectrum() throws {
        let n = 40, feff = 12.0, geff = 3.0, w = 5.0
        let model = DipoleModel.collective(n: n, feff: feff, geff: geff, pump: w)
        let (system, x) = try steady(model)
        let s = x[0]
        let reg = try Regression(system: system, state: x)
        let k = Complex(feff, -geff) * Complex(0.5 * s / Double(n))
        let lc = Complex(-(1 + w) / 2) + k * Complex(Double(n - 1))
        let lo = Complex(-(1 + w) / 2) - k
        let sorted = reg.lambda.sorted { $0.real > $1.real }
        XCTAssertEqual(sorted[0].real, lc.real, accuracy: 1e-9)
        XCTAssertEqual(sorted[0].imaginary, lc.imaginary, accuracy: 1e-9)
        for l in sorted.dropFirst() {
            XCTAssertEqual(l.real, lo.real, accuracy: 1e-9); XCTAssertEqual(l.imaginary, lo.imaginary, accuracy: 1e-9)
        }
        let r = try backend.solve(
            SolveRequest(
                model: model, observables: [.init(kind: .spectrum), .init(kind: .frequency)],
                tolerance: 1e-12))
        guard case .object(let spec)? = r["spectrum"] else { return XCTFail("no spectrum") }
        XCTAssertEqual(spec[0].0, "linewidth")
        XCTAssertEqual(spec[0].1.number!, -2 * lc.real, accuracy: 1e-7 * abs(lc.real))
        XCTAssertEqual(spec[1].1.number!, lc.imaginary, accuracy: 1e-7)
        XCTAssertEqual(r.number("frequency")!, lc.imaginary, accuracy: 1e-7)
        let table = try XCTUnwrap(r.tables.first { $0.name == "spectrum" })
        let peakRow = try XCTUnwrap(table.rows.max { $0[1] < $1[1] })
        XCTAssertEqual(peakRow[0], lc.imaginary, accuracy: 0.11 * abs(lc.real))   // half the grid spacing
    }

    /// ∫ S(ω) dω/2π = ⟨J⁺J⁻⟩ = Σ_ab ⟨σ⁺_a σ⁻_b⟩ for a detuned, elastically coupled array (many Lorentzians);
    /// and a lone detuned dipole (no coupling) emits at ω = +δ with FWHM Γ + W.
    func testSpectrumIntegratesToIntensityAndSignConvention() throws {
        var rng = SeededRandom(seed: 43)
        let model = DenseReference.randomModel(n: 5, rng: &rng)
        let (system, x) = try steady(model)
        let reg = try Regression(system: system, state: x)
        let c = reg.collectiveWeights()
        var intensity = 0.0
        for a in 0..<5 { for b in 0..<5 { intensity += system.c(x, a, b).real } }
        // Integrate on ω = Ω tan θ (θ ∈ (−π/2, π/2)), midpoint rule: smooth for Lorentzian tails.
        let omega0 = 10.0, m = 200_000
        var integral = 0.0
        for i in 0..<m {
            let th = -Double.pi / 2 + Double.pi * (Double(i) + 0.5) / Double(m)
            let w = omega0 * tan(th)
            integral += reg.spectrum(c, at: w) * omega0 / (cos(th) * cos(th)) * (Double.pi / Double(m))
        }
        XCTAssertEqual(integral / (2 * Double.pi), intensity, accuracy: 1e-6 * intensity)

        let lone = DipoleModel(pump: 2, detunings: [0.7], f: Matrix([[1]]), g: Matrix([[0]]))
        let r = try backend.solve(SolveRequest(model: lone, observables: [.init(kind: .spectrum)]))
        guard case .object(let spec)? = r["spectrum"] else { return XCTFail("no spectrum") }
        XCTAssertEqual(spec[0].1.number!, 3, accuracy: 1e-8)
        XCTAssertEqual(spec[1].1.number!, 0.7, accuracy: 1e-8)
    }

    /// The backend's two-time output: one entry and one table per pair, the fitted curve follows the
    /// sampled Z_ab(τ), the histogram counts every pair, and entrained dipoles (no detunings, g = 0) have ν = 0.
    func testTwoTimeOutputForAChain() throws {
        let n = 30
        let lattice = Lattice.chain(n)
        let c = Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: 0.5, strength: 0.25)
        let model = DipoleModel(pump: 2, detunings: .init(repeating: 0, count: n), f: c.f, g: c.g)
        let pairs = (16..<22).map { DipolePair(15, $0) }
        let r = try backend.solve(
            SolveRequest(
                model: model, lattice: lattice,
                observables: [.init(kind: .twoTime, pairs: pairs, tauMax: 10, tauPoints: 200)]))
        guard case .array(let entries)? = r["two-time"] else { return XCTFail("no two-time") }
        XCTAssertEqual(entries.count, pairs.count)
        for (entry, p) in zip(entries, pairs) {
            guard case .object(let o) = entry else { return XCTFail() }
            let d = Dictionary(uniqueKeysWithValues: o.map { ($0.0, $0.1.number ?? .nan) })
            XCTAssertEqual(d["b"], Double(p.b))
            XCTAssertEqual(d["nu"]!, 0, accuracy: 1e-4)   // ν τ_max ≪ 1: a sum of real exponentials has no oscillation
            let table = try XCTUnwrap(r.tables.first { $0.name == "two-time-15-\(p.b)" })
            XCTAssertEqual(table.columns, ["tau", "re", "im"])
            XCTAssertEqual(table.rows.count, 200)
            for row in table.rows {
                XCTAssertEqual(row[2], 0, accuracy: 1e-10)   // real without detunings and elastic couplings
                XCTAssertEqual(row[1], d["A"]! * cos(d["nu"]! * row[0]) * exp(-d["gamma"]! * row[0]), accuracy: 0.05 * d["A"]!)
            }
        }
        let hist = try XCTUnwrap(r.tables.first { $0.name == "nu-histogram" })
        XCTAssertEqual(hist.rows.reduce(0) { $0 + $1[1] }, Double(pairs.count))
    }

    /// The entries of `two-time` as dictionaries of numbers (and `resolvable`).
    private func twoTimeEntries(_ r: PointResult) throws -> [(numbers: [String: Double], resolvable: Bool)] {
        guard case .array(let entries)? = r["two-time"] else { throw XCTSkip("no two-time") }
        return entries.map { e in
            guard case .object(let o) = e else { return ([:], false) }
            var resolvable = false
            if case .bool(let b)? = o.first(where: { $0.0 == "resolvable" })?.1 { resolvable = b }
            return (Dictionary(uniqueKeysWithValues: o.compactMap { k, v in v.number.map { (k, $0) } }), resolvable)
        }
    }

    /// Uniform model: Z_01(τ) is exactly two exponentials, at the collective eigenvalue
    /// λ_c = −Q/2 + ½ s F (N−1)/N and at the (N−1)-fold λ_o = −Q/2 − ½ s F/N. `gamma-slow` (the shared
    /// two-exponential fit) is −Re of the slower one: λ_c in the synchronized window (the collective
    /// line the papers' Fig. A1 follows), λ_o below threshold (s < 0 makes the collective mode the fast,
    /// superradiant one). Identical dipoles have no frequency to resolve (ν = 0, `resolvable` false).
    func testSlowDecayOfThePairFunctionIsTheSlowerRegressionEigenvalue() throws {
        let n = 40, feff = 12.0
        for w in [5.0, 0.3] {
            let model = DipoleModel.collective(n: n, feff: feff, geff: 0, pump: w)
            let (_, x) = try steady(model)
            let s = x[0]
            let lc = -(1 + w) / 2 + 0.5 * s * feff * Double(n - 1) / Double(n)
            let lo = -(1 + w) / 2 - 0.5 * s * feff / Double(n)
            let r = try backend.solve(
                SolveRequest(
                    model: model,
                    observables: [.init(kind: .twoTime, pairs: [DipolePair(0, 1)], tauMax: 40, tauPoints: 2000)],
                    tolerance: 1e-12))
            let e = try XCTUnwrap(try twoTimeEntries(r).first)
            XCTAssertEqual(e.numbers["gamma-slow"]!, -max(lc, lo), accuracy: 1e-6 * (1 + w), "W = \(w)")
            XCTAssertEqual(e.numbers["gamma-fast"]!, -min(lc, lo), accuracy: 1e-5 * (1 + w), "W = \(w)")
            XCTAssertLessThan(e.numbers["gamma-slow-err"]!, 1e-6)
            XCTAssertEqual(e.numbers["nu"]!, 0, accuracy: 1e-9)
            XCTAssertFalse(e.resolvable)
            if w == 5 {
                XCTAssertGreaterThan(lc, lo, "the collective mode is the slow one in the synchronized window")
                // The single-exponential γ sits between the two rates (dominated by the fast part).
                XCTAssertGreaterThan(e.numbers["gamma"]!, -lc)
            } else {
                XCTAssertLessThan(lc, lo, "below threshold the collective mode is superradiant (fast)")
            }
        }
    }

    /// Signed ν against the closed form. Two uncoupled dipoles detuned by δ_0 = 0.3, δ_1 = −0.5 each emit at
    /// their own detuning, so ν_01 = ω_1 − ω_0 = −0.8 and ν_10 = +0.8, and
    /// Z_01(τ) = p (e^{iδ_0τ} + e^{iδ_1τ}) e^{−(Γ+W)τ/2}, p = W/(Γ + W), whose modulus beats at |ν|.
    /// A weak coupling pulls the two frequencies together (|ν| < 0.8) without changing the sign.
    /// Coupled by f, the modes are the eigenvalues iδ̄ − Q/2 ± √(s_0 s_1 f²/4 − Δ²/4): the frequency
    /// difference √(Δ² − s_0 s_1 f²) < 0.8. Resolvability: |δ_1 − δ_0| = 0.8 against the line half width
    /// (Γ + W)/2: not resolvable at W = 4 (2.5), resolvable at W = 0.2 (0.6) with δ = ±1.
    func testSignedRelativeFrequencyAndResolvability() throws {
        func model(_ d: [Double], w: Double, f: Double) -> DipoleModel {
            DipoleModel(pump: w, detunings: d, f: Matrix([[1, f], [f, 1]]), g: Matrix([[0, 0], [0, 0]]))
        }
        let request = { (m: DipoleModel) in
            SolveRequest(
                model: m, observables: [.init(kind: .twoTime, pairs: [DipolePair(0, 1), DipolePair(1, 0)], tauMax: 20, tauPoints: 801)],
                tolerance: 1e-12)
        }
        let w = 4.0, p = w / (1 + w)
        let r = try backend.solve(request(model([0.3, -0.5], w: w, f: 0)))
        let e = try twoTimeEntries(r)
        XCTAssertEqual(e[0].numbers["nu"]!, -0.8, accuracy: 1e-9)
        XCTAssertEqual(e[1].numbers["nu"]!, 0.8, accuracy: 1e-9)
        XCTAssertEqual(e[0].numbers["detuning-difference"]!, -0.8, accuracy: 1e-15)
        XCTAssertFalse(e[0].resolvable)
        XCTAssertFalse(e[1].resolvable)
        XCTAssertEqual(e[0].numbers["gamma"]!, (1 + w) / 2, accuracy: 0.05 * (1 + w) / 2)   // the papers' fit, approximately
        let table = try XCTUnwrap(r.tables.first { $0.name == "two-time-0-1" })
        for row in table.rows {
            let t = row[0], d = exp(-(1 + w) * t / 2)
            XCTAssertEqual(row[1], p * (cos(0.3 * t) + cos(-0.5 * t)) * d, accuracy: 1e-10)
            XCTAssertEqual(row[2], p * (sin(0.3 * t) + sin(-0.5 * t)) * d, accuracy: 1e-10)
        }
        let dipoles = try XCTUnwrap(r.tables.first { $0.name == "two-time-dipoles" })
        XCTAssertEqual(dipoles.columns, ["dipole", "delta", "omega", "width"])
        XCTAssertEqual(dipoles.rows.map { $0[0] }, [0, 1])
        for row in dipoles.rows {
            XCTAssertEqual(row[2], row[1], accuracy: 1e-9)
            XCTAssertEqual(row[3], (1 + w) / 2, accuracy: 1e-9)
        }
        XCTAssertEqual(e[0].numbers["line-decay"]!, (1 + w) / 2, accuracy: 1e-9)
        let nuTable = try XCTUnwrap(r.tables.first { $0.name == "nu-vs-b" })
        XCTAssertEqual(nuTable.rows.map { ($0[1] * 1e6).rounded() / 1e6 }, [-0.8, 0.8])

        let weakModel = model([0.3, -0.5], w: w, f: 0.3)
        let weak = try twoTimeEntries(try backend.solve(request(weakModel)))
        let (_, xs) = try steady(weakModel)
        XCTAssertEqual(weak[0].numbers["nu"]!, -(0.64 - xs[0] * xs[1] * 0.09).squareRoot(), accuracy: 1e-9)
        XCTAssertGreaterThan(weak[0].numbers["nu"]!, -0.8)
        XCTAssertEqual(weak[1].numbers["nu"]!, -weak[0].numbers["nu"]!, accuracy: 1e-9)

        let sharp = try twoTimeEntries(try backend.solve(request(model([1, -1], w: 0.2, f: 0))))
        XCTAssertEqual(sharp[0].numbers["nu"]!, -2, accuracy: 1e-9)
        XCTAssertTrue(sharp[0].resolvable)
    }

    /// Fig. A1 (N = 70, f_eff = 15 Γ; docs/physics.md §8.2): in the synchronized window the slow rate of
    /// the pair function is the collective line — half the width of ⟨J⁺J⁻⟩'s spectrum, an independent
    /// estimator (analytic Lorentzians of all modes against a fit of the sampled pair function) — and
    /// Γ/γ_slow rises and falls with W as Z_Q does (threshold, window, strong pump), unlike the
    /// single-exponential Γ/γ, which only falls.
    func testFigA1SlowRateIsTheCollectiveLineAndFollowsZQ() throws {
        var purity: [Double] = [], single: [Double] = [], zq: [Double] = []
        for w in [0.5, 3.6, 7.2, 20] {
            let r = try backend.solve(
                SolveRequest(
                    model: DipoleModel.collective(n: 70, feff: 15, geff: 0, pump: w),
                    observables: [
                        .init(kind: .twoTime, pairs: [DipolePair(0, 1)], tauMax: 40, tauPoints: 2000), .init(kind: .spectrum), .init(kind: .zq)
                    ],
                    tolerance: 1e-12))
            let e = try XCTUnwrap(try twoTimeEntries(r).first)
            guard case .object(let spec)? = r["spectrum"] else { return XCTFail("no spectrum") }
            let halfWidth = try XCTUnwrap(spec[0].1.number) / 2
            if w >= 3 { XCTAssertEqual(e.numbers["gamma-slow"]!, halfWidth, accuracy: 1e-4 * halfWidth, "W = \(w)") }
            purity.append(1 / e.numbers["gamma-slow"]!)
            single.append(1 / e.numbers["gamma"]!)
            zq.append(try XCTUnwrap(r.number("ZQ")))
        }
        XCTAssertEqual(zq[0], 0, accuracy: 1e-9)   // below threshold
        XCTAssertGreaterThan(purity[1], 2 * purity[3])
        XCTAssertGreaterThan(purity[2], 2 * purity[3])
        XCTAssertGreaterThan(zq[2], zq[3])
        XCTAssertGreaterThan(purity[1], 1.5 * purity[0], "the collective line narrows above threshold")
        for (x, y) in zip(single, single.dropFirst()) { XCTAssertGreaterThan(x, y, "the single-exponential Γ/γ only falls") }
    }
}
