import LinearAlgebra
import NumericalMethods
import Numerics
import Results
import TestSupport
import XCTest

@testable import CumulantBackend
@testable import Physics

/// Strongly collective models: above the synchronization threshold the closed equations also have
/// unstable fixed points near the uncorrelated state, which Newton-type iterations started there reach
/// (or wander between without converging). The solver must return the stable state, the one time
/// evolution from the ground state relaxes to.
final class StabilityTests: XCTestCase {
    let backend = CumulantBackend()

    /// f_ab = (Γ/4)(a/r_ab)^α on a chain, g = δ = 0.
    static func powerLawChain(n: Int, alpha: Double, pump: Double) -> DipoleModel {
        let c = Couplings.powerLaw(positions: Lattice.chain(n).unitPositions, spacing: 1, alpha: alpha, strength: 0.25)
        return DipoleModel(pump: pump, detunings: .init(repeating: 0, count: n), f: c.f, g: c.g)
    }

    /// α = 0, N = 200 (f_ab = Γ/4 for every pair: the uniform model with f_eff = 50 Γ), W = 3 Γ. From the
    /// uncorrelated start the continuation converges to a fixed point with Z_Q² < 0 and max Re λ(M) ≈ +13 Γ
    /// (the solver before this test returned it: Z_Q = 0, inversion 0.47). The returned state must be
    /// the symmetric reduction's (computed in the test by explicit relaxation), with max Re λ(M) < 0.
    func testAllToAllChainAvoidsTheUnstableFixedPoint() throws {
        let n = 200, w = 3.0
        let model = Self.powerLawChain(n: n, alpha: 0, pump: w)
        var productOnly = CumulantSteadyStateSolver(tolerance: 1e-11)
        productOnly.starts = [.productState]
        XCTAssertThrowsError(try productOnly.solve(CumulantSystem(model: model))) { error in
            guard case BackendError.noConvergence(let why) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("unstable"), why)
        }
        let reduced = try SymmetricReduction.steadyState(n: n, feff: 0.25 * Double(n), pump: w)
        XCTAssertGreaterThan(reduced[1], 0.01)   // synchronized: Z_Q² ≈ 0.02
        let r = try backend.solve(
            SolveRequest(
                model: model, observables: [.init(kind: .zq), .init(kind: .inversion)],
                tolerance: 1e-11))
        XCTAssertEqual(try XCTUnwrap(r.number("ZQ2")), reduced[1], accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.number("inversion")), reduced[0] / 2, accuracy: 1e-9)
        let rate = try XCTUnwrap(
            r.diagnostics.first { $0.0 == "regression-max-rate" }.flatMap { v -> Double? in
                if case .number(let x) = v.1 { return x } else { return nil }
            })
        XCTAssertLessThan(rate, 0)
    }

    /// A non-uniform case, α = 0.05, N = 120, W = 10 Γ: from the uncorrelated start the continuation does
    /// not converge at all (the solver before this test threw `noConvergence`). The steady state must be
    /// the state that the time evolution from the ground state reaches (Dormand–Prince to t = 80/Γ, far
    /// beyond the slowest relaxation time 1/|max Re λ(M)| ≈ 3/Γ), and mirror symmetric.
    func testNonUniformChainMatchesLongTimeEvolution() throws {
        let n = 120
        let model = Self.powerLawChain(n: n, alpha: 0.05, pump: 10)
        var productOnly = CumulantSteadyStateSolver(tolerance: 1e-11)
        productOnly.starts = [.productState]
        XCTAssertThrowsError(try productOnly.solve(CumulantSystem(model: model)))

        let system = CumulantSystem(model: model)
        let (x, report) = try CumulantSteadyStateSolver(tolerance: 1e-11).solve(system)
        XCTAssertLessThan(report.relativeResidual, 1e-10)
        XCTAssertLessThan(report.regressionMaxRate, -0.1)
        let evolved = try DormandPrince(relativeTolerance: 1e-9, absoluteTolerance: 1e-11).integrate(
            from: 0, system.productState([Double](repeating: -1, count: n)), to: [80],
            rhs: { _, y, dy in system.rhs(y, into: &dy) }
        ).y
        var worst = 0.0
        for i in x.indices { worst = max(worst, abs(x[i] - evolved[i])) }
        XCTAssertLessThan(worst, 1e-6)
        for a in 0..<n { XCTAssertEqual(x[a], x[n - 1 - a], accuracy: 1e-8) }
        XCTAssertGreaterThan(system.meanReC(x), 0.03)   // synchronized
    }

    /// Every start on its own reaches the same stable state where all do (α = 0.25, N = 200, W = 10 Γ).
    func testStartsAgree() throws {
        let model = Self.powerLawChain(n: 200, alpha: 0.25, pump: 10)
        var states: [[Double]] = []
        for start in CumulantSteadyStateSolver.Start.allCases {
            var solver = CumulantSteadyStateSolver(tolerance: 1e-11)
            solver.starts = [start]
            let (x, report) = try solver.solve(CumulantSystem(model: model))
            XCTAssertEqual(report.start, start.rawValue)
            XCTAssertLessThan(report.regressionMaxRate, 0)
            states.append(x)
        }
        for other in states.dropFirst() {
            for i in other.indices { XCTAssertEqual(other[i], states[0][i], accuracy: 1e-8) }
        }
    }

    /// A detuning common to all dipoles drops out of the equal-time equations (docs/physics.md §5.3.1): the
    /// steady state of a detuned chain is the resonant one, through the same preconditioner.
    func testCommonDetuningLeavesTheSteadyStateAlone() throws {
        var rng = SeededRandom(seed: 5)
        var model = DenseReference.randomModel(n: 12, rng: &rng, elastic: true, detuned: false)
        let (x0, r0) = try CumulantSteadyStateSolver(tolerance: 1e-12).solve(CumulantSystem(model: model))
        model.detunings = Array(repeating: -2.4, count: 12)
        let (x1, r1) = try CumulantSteadyStateSolver(tolerance: 1e-12).solve(CumulantSystem(model: model))
        XCTAssertEqual(r0.preconditioner, r1.preconditioner)
        XCTAssertEqual(r0.regressionMaxRate, r1.regressionMaxRate, accuracy: 1e-12)
        for i in x0.indices { XCTAssertEqual(x0[i], x1[i], accuracy: 1e-12) }
    }

    /// max Re λ(M) against the eigenvalues of the complex matrix M itself (zgeev), for the symmetric
    /// shortcut (s of one sign), the real general path (mixed signs), the detuned/elastic path, and the
    /// symmetric shortcut with a detuning common to all dipoles (it shifts every eigenvalue by iδ).
    func testRegressionRateMatchesDirectEigenvalues() throws {
        var rng = SeededRandom(seed: 77)
        let n = 9
        for trial in 0..<5 {
            var model = DenseReference.randomModel(n: n, rng: &rng, elastic: trial == 3, detuned: trial == 2 || trial == 3)
            if trial == 4 { model.detunings = Array(repeating: 1.7, count: n) }
            let system = CumulantSystem(model: model)
            let s: [Double] = (0..<n).map { a in
                let u = rng.uniform()
                switch trial {
                case 0, 4: return u;
                case 1: return a % 2 == 0 ? u : -u;
                default: return 2 * u - 1
                }
            }
            XCTAssertEqual(system.equalDetunings, trial != 2 && trial != 3)
            let m = LyapunovPreconditioner.regressionMatrix(system: system, s: s)
            let direct = try eigen(m).values.map(\.real).max() ?? 0
            XCTAssertEqual(
                try CumulantSteadyStateSolver.maxRegressionRate(system: system, s: s).rate, direct, accuracy: 1e-10,
                "trial \(trial)")
        }
    }

    /// The largest point of figS2-correlations-vs-n.yaml (N = 1000, f_eff = 900 Γ, W = 450 Γ): the explicit
    /// relaxation of the symmetric reduction runs out of steps before its 10⁻¹³ stop (its steps are held to
    /// ~1/(N f̄)), and Newton's method finishes it, so the uniform state is still the start and no
    /// pseudo-transient step is taken. (Before, both starts fell back to the product state, were rejected
    /// after 80 steps, and the relaxation fallback took 91 s.) Against the reduction solved in the test by
    /// explicit Euler and a difference-Jacobian Newton.
    func testLargeCollectiveModelStartsFromTheSymmetricReduction() throws {
        let n = 1000, feff = 900.0, w = 450.0
        let reduced = try SymmetricReduction.steadyState(n: n, feff: feff, pump: w)
        let r = try backend.solve(
            SolveRequest(model: .collective(n: n, feff: feff, pump: w), observables: [.init(kind: .zq), .init(kind: .inversion)]))
        XCTAssertTrue(r.diagnostics.contains { $0.0 == "steady-state-start" && $0.1 == .string("symmetric reduction") })
        XCTAssertTrue(r.diagnostics.contains { $0.0 == "pseudo-transient-steps" && $0.1 == .number(0) })
        XCTAssertEqual(try XCTUnwrap(r.number("ZQ2")), reduced[1], accuracy: 1e-10)
        XCTAssertEqual(try XCTUnwrap(r.number("inversion")), reduced[0] / 2, accuracy: 1e-10)
        XCTAssertGreaterThan(reduced[1], 0.12)   // near the f_eff → ∞ limit 1/8
    }

    /// The backend reports how the state was found.
    func testDiagnosticsNameTheStart() throws {
        let r = try backend.solve(SolveRequest(model: .collective(n: 30, feff: 20, pump: 8), observables: [.init(kind: .zq)]))
        XCTAssertTrue(r.diagnostics.contains { $0.0 == "steady-state-start" && $0.1 == .string("symmetric reduction") })
    }
}
