import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Results
import TestSupport
import XCTest

@testable import CumulantBackend
@testable import Physics

/// Dephasing and non-radiative decay in the cumulant backend (docs/physics.md §5.7), against the dense
/// master equation with L_φ and L_nr written out in this target, QuTiP, and §1.5's lone dipole.
final class DecoherenceTests: XCTestCase {
    let backend = CumulantBackend()

    static func withDecoherence(_ m: DipoleModel, dephasing: Double, nonradiative: Double) -> DipoleModel {
        var m = m
        m.dephasing = dephasing
        m.nonradiativeDecay = nonradiative
        return m
    }

    /// N = 2 (no three-point terms): the closed right-hand side is Tr(O L[ρ]) exactly for random models and
    /// random U(1)-invariant states, with either term alone and both.
    func testRightHandSideIsExactForTwoDipoles() {
        var rng = SeededRandom(seed: 1611)
        for trial in 0..<6 {
            let base = DenseReference.randomModel(n: 2, rng: &rng, elastic: trial % 2 == 0, detuned: trial % 3 != 0)
            let rates = [(0.7, 0.0), (0.0, 0.9), (0.4, 0.6)][trial % 3]
            let model = Self.withDecoherence(base, dephasing: rates.0 + rng.uniform(), nonradiative: rates.1 == 0 ? 0 : rates.1 + rng.uniform())
            let ref = DenseReference(model: model)
            let rho = DenseReference.randomU1State(n: 2, rng: &rng)
            let exact = ref.packedMoments(ref.lindblad(rho))
            let system = CumulantSystem(model: model)
            var rhs = [Double](repeating: 0, count: system.packedCount)
            system.rhs(ref.packedMoments(rho), into: &rhs)
            for i in exact.indices { XCTAssertEqual(rhs[i], exact[i], accuracy: 1e-12, "trial \(trial) component \(i)") }
        }
    }

    /// N = 3: the decoherence terms are linear and local, so exact − closed is still exactly the three-point
    /// cumulant part, i.e. the same with and without γ_φ, γ_nr.
    func testThreeDipoleClosureErrorIsIndependentOfTheRates() {
        var rng = SeededRandom(seed: 1612)
        let base = DenseReference.randomModel(n: 3, rng: &rng)
        let model = Self.withDecoherence(base, dephasing: 0.8, nonradiative: 0.5)
        let rho = DenseReference.randomU1State(n: 3, rng: &rng)
        func closureError(_ m: DipoleModel) -> [Double] {
            let ref = DenseReference(model: m)
            let exact = ref.packedMoments(ref.lindblad(rho))
            let system = CumulantSystem(model: m)
            var rhs = [Double](repeating: 0, count: system.packedCount)
            system.rhs(ref.packedMoments(rho), into: &rhs)
            return zip(exact, rhs).map { $0 - $1 }
        }
        let e0 = closureError(base), e1 = closureError(model)
        XCTAssertGreaterThan(e0.map(abs).max() ?? 0, 1e-3)
        for i in e0.indices { XCTAssertEqual(e1[i], e0[i], accuracy: 1e-12, "component \(i)") }
    }

    /// The Jacobian product is the exact linearization with the added terms too.
    func testJacobianProductIsTheExactLinearization() {
        var rng = SeededRandom(seed: 1613)
        for elastic in [false, true] {
            let model = Self.withDecoherence(
                DenseReference.randomModel(n: 6, rng: &rng, elastic: elastic, detuned: elastic),
                dephasing: 1.3, nonradiative: 0.6)
            let system = CumulantSystem(model: model)
            let x = (0..<system.packedCount).map { _ in rng.normal() }
            let v = (0..<system.packedCount).map { _ in rng.normal() }
            var fp = x, fm = x, jv = x
            system.rhs(zip(x, v).map { $0 + $1 }, into: &fp)
            system.rhs(zip(x, v).map { $0 - $1 }, into: &fm)
            system.rhs(x, into: &jv)
            var y = Matrix(rows: 6, cols: 12)
            system.jacobianTimes(x, v, scratch: &y, into: &jv)
            for i in x.indices { XCTAssertEqual(jv[i], (fp[i] - fm[i]) / 2, accuracy: 1e-11) }
        }
    }

    /// N = 2 steady state with both terms on equals the null vector of the dense Liouvillian (~1e-10), by the
    /// solver and through the backend (both preconditioner kinds: resonant g = 0, and general).
    func testTwoDipoleSteadyStateIsExact() throws {
        var rng = SeededRandom(seed: 1614)
        var worst = 0.0
        for trial in 0..<6 {
            let base = DenseReference.randomModel(n: 2, rng: &rng, elastic: trial % 2 == 1, detuned: trial >= 3)
            let model = Self.withDecoherence(base, dephasing: 0.2 + 1.5 * rng.uniform(), nonradiative: 0.1 + rng.uniform())
            let ref = DenseReference(model: model)
            let exact = ref.packedMoments(try ref.steadyState())
            let system = CumulantSystem(model: model)
            let (x, report) = try CumulantSteadyStateSolver(tolerance: 1e-12).solve(system)
            XCTAssertLessThan(report.relativeResidual, 1e-11)
            for i in exact.indices {
                worst = max(worst, abs(x[i] - exact[i]))
                XCTAssertEqual(x[i], exact[i], accuracy: 1e-10, "trial \(trial) component \(i)")
            }
            let r = try backend.solve(SolveRequest(model: model, observables: [.init(kind: .zq), .init(kind: .inversion)]))
            XCTAssertEqual(try XCTUnwrap(r.number("ZQ2")), exact[2], accuracy: 1e-10)
            XCTAssertEqual(try XCTUnwrap(r.number("inversion")), (exact[0] + exact[1]) / 4, accuracy: 1e-10)
        }
        print("N = 2 with dephasing and non-radiative decay: max |cumulant − dense| = \(worst)")
    }

    /// N = 2 time evolution from the ground state with both terms against the dense master equation.
    func testTwoDipoleEvolutionMatchesDense() throws {
        var rng = SeededRandom(seed: 1615)
        let model = Self.withDecoherence(DenseReference.randomModel(n: 2, rng: &rng), dephasing: 0.9, nonradiative: 0.4)
        let ref = DenseReference(model: model)
        var rho0 = ComplexMatrix(rows: 4, cols: 4)
        rho0[0, 0] = .one
        let y0 = rho0.elements.flatMap { [$0.real, $0.imaginary] }
        let t = 1.7
        let dense = try DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
            .integrate(from: 0, y0, to: [t], rhs: ref.rhs(ref.liouvillian))
        let rho = ComplexMatrix(rows: 4, cols: 4, elements: (0..<16).map { Complex(dense.y[2 * $0], dense.y[2 * $0 + 1]) })
        let exact = ref.packedMoments(rho)
        let system = CumulantSystem(model: model)
        let run = try DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
            .integrate(from: 0, system.productState([-1, -1]), to: [t], rhs: { _, y, dy in system.rhs(y, into: &dy) })
        for i in exact.indices { XCTAssertEqual(run.y[i], exact[i], accuracy: 1e-9, "component \(i)") }
    }

    /// The lone dipole (docs/physics.md §1.5): ⟨σᶻ⟩ = (W − Γ − γ_nr)/(W + Γ + γ_nr), and the spectrum of
    /// ⟨σ⁺(τ)σ⁻⟩ = n e^{(iδ − Q_C/2)τ} is a Lorentzian of FWHM Q_C = Γ + γ_nr + W + 2γ_φ at δ.
    func testLoneDipole() throws {
        for (gphi, gnr) in [(0.6, 0.0), (0.0, 0.8), (0.5, 0.3)] {
            let (w, delta) = (2.0, 0.7)
            let lone = Self.withDecoherence(
                DipoleModel(pump: w, detunings: [delta], f: Matrix([[1]]), g: Matrix([[0]])),
                dephasing: gphi, nonradiative: gnr)
            let r = try backend.solve(SolveRequest(model: lone, observables: [.init(kind: .inversion), .init(kind: .spectrum)]))
            XCTAssertEqual(try XCTUnwrap(r.number("inversion")), (w - 1 - gnr) / (w + 1 + gnr) / 2, accuracy: 1e-10)
            guard case .object(let spec)? = r["spectrum"] else { return XCTFail("no spectrum") }
            XCTAssertEqual(try XCTUnwrap(spec[0].1.number), 1 + gnr + w + 2 * gphi, accuracy: 1e-8)
            XCTAssertEqual(try XCTUnwrap(spec[1].1.number), delta, accuracy: 1e-8)
        }
    }

    /// Regression (docs/physics.md §5.5, §5.7): dG_ab/dτ at τ = 0 from the dense master equation,
    /// Tr(σ⁺_a L[σ⁻_b ρ]), minus the closed M G(0) is the three-point part only, the same with and without
    /// the rates, so the added diagonal −(γ_nr/2 + γ_φ) of M is exact (N = 2 and 3, random U(1) states).
    func testRegressionMatrixCarriesTheRates() {
        var rng = SeededRandom(seed: 1616)
        for n in [2, 3] {
            let base = DenseReference.randomModel(n: n, rng: &rng)
            let model = Self.withDecoherence(base, dephasing: 0.7, nonradiative: 1.1)
            let rho = DenseReference.randomU1State(n: n, rng: &rng)
            func error(_ m: DipoleModel) -> [Complex<Double>] {
                let ref = DenseReference(model: m)
                let system = CumulantSystem(model: m)
                let s = (0..<n).map { ref.expect(ref.sz[$0], rho).real }
                let mm = LyapunovPreconditioner.regressionMatrix(system: system, s: s)
                var out: [Complex<Double>] = []
                for b in 0..<n {
                    let x = ref.lower[b] * rho
                    let lx = ref.lindblad(x)
                    for a in 0..<n {
                        var closed = Complex<Double>.zero
                        for c in 0..<n { closed = closed + mm[a, c] * ref.expect(ref.raise[c] * ref.lower[b], rho) }
                        out.append(ref.expect(ref.raise[a], lx) - closed)
                    }
                }
                return out
            }
            let e0 = error(base), e1 = error(model)
            for i in e0.indices { XCTAssertLessThan((e1[i] - e0[i]).length, 1e-12, "N = \(n) entry \(i)") }
        }
    }

    /// N = 4 and 5 collective models: the closure is approximate, so only loose agreement with the dense
    /// Liouvillian and QuTiP (measured differences printed); large γ_φ destroys Z_Q in both.
    func testSmallCollectiveModelsAgreeLoosely() throws {
        for (n, feff, w, gphi, gnr) in [(4, 3.5, 2.0, 0.3, 0.2), (4, 3.0, 2.5, 0.1, 0.5)] {
            let model = Self.withDecoherence(DipoleModel.collective(n: n, feff: feff, pump: w), dephasing: gphi, nonradiative: gnr)
            let ref = DenseReference(model: model)
            let exact = ref.packedMoments(try ref.steadyState())
            let r = try backend.solve(SolveRequest(model: model, observables: [.init(kind: .zq), .init(kind: .inversion)]))
            let z2 = try XCTUnwrap(r.number("ZQ2")), s = 2 * (try XCTUnwrap(r.number("inversion")))
            print(
                "N = \(n), F = \(feff), W = \(w), γ_φ = \(gphi), γ_nr = \(gnr): ZQ2 cumulant \(z2), dense \(exact[n]); s cumulant \(s), dense \(exact[0])"
            )
            XCTAssertGreaterThan(exact[n], 0.01)
            XCTAssertEqual(z2, exact[n], accuracy: 0.15 * exact[n])
            XCTAssertEqual(s, exact[0], accuracy: 0.02)
        }
    }

    func testFiveDipolesAgreeWithQuTiPLoosely() throws {
        if !Subprocess.pythonHas("qutip") { throw XCTSkip("QuTiP not installed: import qutip failed") }
        let model = Self.withDecoherence(DipoleModel.collective(n: 5, feff: 4, pump: 2.5), dephasing: 0.2, nonradiative: 0.15)
        let q = try QuTiPTests.qutip(model)
        let r = try backend.solve(SolveRequest(model: model, observables: [.init(kind: .zq), .init(kind: .inversion)]))
        let z2 = try XCTUnwrap(r.number("ZQ2")), z2Exact = q.c[1][0]
        print(
            "N = 5 with γ_φ = 0.2, γ_nr = 0.15: ZQ2 cumulant \(z2), QuTiP \(z2Exact); s cumulant \(2 * (r.number("inversion") ?? 0)), QuTiP \(q.s[0])"
        )
        XCTAssertEqual(z2, z2Exact, accuracy: 0.1 * abs(z2Exact))
        XCTAssertEqual(try XCTUnwrap(r.number("inversion")) * 2, q.s[0], accuracy: 0.01)
        // And the dense reference of this target agrees with QuTiP to solver precision.
        let exact = DenseReference(model: model).packedMoments(try DenseReference(model: model).steadyState())
        XCTAssertEqual(exact[5], z2Exact, accuracy: 1e-7)
        XCTAssertEqual(exact[0], q.s[0], accuracy: 1e-7)
    }

    /// Large dephasing destroys Z_Q (N = 30, f_eff = 15, W = 7.5): Z_Q² drops from 0.074 to below a tenth, and the
    /// collective model still matches the three-variable reduction with Q, P and Q_C of §5.7.
    func testLargeDephasingDestroysZQAndSymmetricReductionAgrees() throws {
        let n = 30
        var values: [Double] = []
        for gphi in [0.0, 1.0, 30.0] {
            let model = Self.withDecoherence(DipoleModel.collective(n: n, feff: 15, pump: 7.5), dephasing: gphi, nonradiative: 0.3)
            let system = CumulantSystem(model: model)
            let (x, _) = try CumulantSteadyStateSolver(tolerance: 1e-12).solve(system)
            // Three-variable reduction derived here from §5.7 (s, c, d uniform).
            let q = 1 + 0.3 + 7.5, p = 7.5 - 1 - 0.3, qc = q + 2 * gphi, f = 15 / Double(n), nn = Double(n)
            func rhs(_ v: [Double]) -> [Double] {
                let (s, c, d) = (v[0], v[1], v[2])
                return [
                    p - q * s - 2 * (nn - 1) * f * c,
                    -qc * c + f / 2 * (s + d) + s * (nn - 2) * f * c,
                    2 * p * s - 2 * q * d + 4 * f * c - 4 * s * (nn - 2) * f * c
                ]
            }
            let residual = rhs([x[0], x[n], x[n + 2]])
            for r in residual { XCTAssertLessThan(abs(r), 1e-9) }
            for a in 1..<n { XCTAssertEqual(x[a], x[0], accuracy: 1e-10) }
            values.append(SteadyStateSolverZQ2.meanC(system, x))
        }
        print("N = 30, f_eff = 15, W = 7.5, γ_nr = 0.3: ZQ2 at γ_φ = 0, 1, 30: \(values)")
        XCTAssertGreaterThan(values[0], 0.05)
        XCTAssertLessThan(values[1], values[0])
        // What remains at γ_φ = 30 is the perturbative pair correlation C ≈ (f/2)(s + D)/Q_C = O(1/(N Q_C)), not order.
        XCTAssertLessThan(values[2], 0.1 * values[0])
    }

    /// Positivity is checked on f + γ_nr·1 (docs/physics.md §1.5): f_eff = 4.5 Γ for N = 4 has the eigenvalue
    /// Γ − f_eff/N = −0.125 Γ and is refused, but γ_nr = 0.2 Γ makes the model physical.
    func testPositivityUsesNonradiativeDecay() throws {
        let model = DipoleModel.collective(n: 4, feff: 4.5, pump: 3)
        let req = { (m: DipoleModel) in SolveRequest(model: m, observables: [.init(kind: .zq)]) }
        XCTAssertThrowsError(try backend.solve(req(model)))
        let fixed = Self.withDecoherence(model, dephasing: 0, nonradiative: 0.2)
        let r = try backend.solve(req(fixed))
        let exact = DenseReference(model: fixed).packedMoments(try DenseReference(model: fixed).steadyState())
        XCTAssertEqual(try XCTUnwrap(r.number("ZQ2")), exact[4], accuracy: 0.2 * abs(exact[4]))
    }

    /// Negative or non-finite rates are refused, not trapped.
    func testRejectsInvalidRates() {
        let model = Self.withDecoherence(DipoleModel.collective(n: 3, feff: 2, pump: 3), dephasing: -1, nonradiative: 0)
        XCTAssertThrowsError(try backend.solve(SolveRequest(model: model, observables: [.init(kind: .zq)])))
    }
}

enum SteadyStateSolverZQ2 {
    static func meanC(_ system: CumulantSystem, _ x: [Double]) -> Double { system.meanReC(x) }
}
