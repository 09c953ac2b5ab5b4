import LinearAlgebra
import NumericalMethods
import Numerics
import Results
import TestSupport
import XCTest

@testable import CumulantBackend
@testable import Physics

/// The three-variable reduction of §5 for the uniform model f_ab = F/N (a ≠ b), g = δ = 0, derived in
/// the test from the general equations: every off-diagonal C_ab = c (real), D_ab = d, s_a = s, and
/// Σ_{c≠a,b} f_ac C_cb = (N−2)(F/N) c:
///
///     ds/dt = P − Q s − 2(N−1)(F/N) c
///     dc/dt = −Q c + (F/2N)(s + d) + s (N−2)(F/N) c
///     dd/dt = 2P s − 2Q d + 4(F/N) c − 4 s (N−2)(F/N) c
enum SymmetricReduction {
    static func rhs(_ x: [Double], n: Int, feff: Double, pump w: Double) -> [Double] {
        let q = 1 + w, p = w - 1, f = feff / Double(n), nn = Double(n)
        let (s, c, d) = (x[0], x[1], x[2])
        return [
            p - q * s - 2 * (nn - 1) * f * c,
            -q * c + f / 2 * (s + d) + s * (nn - 2) * f * c,
            2 * p * s - 2 * q * d + 4 * f * c - 4 * s * (nn - 2) * f * c
        ]
    }

    /// Steady state by relaxation (explicit Euler to t = 200) then Newton with a difference Jacobian.
    static func steadyState(n: Int, feff: Double, pump: Double) throws -> [Double] {
        var x = [(pump - 1) / (pump + 1), 0, 0]
        let h = 0.2 / (1 + pump + feff)
        for _ in 0..<Int(200 / h) { let r = rhs(x, n: n, feff: feff, pump: pump); for i in 0..<3 { x[i] += h * r[i] } }
        for _ in 0..<20 {
            let r = rhs(x, n: n, feff: feff, pump: pump)
            var j = Matrix(rows: 3, cols: 3)
            for k in 0..<3 {
                var xp = x; xp[k] += 1e-7
                var xm = x; xm[k] -= 1e-7
                let rp = rhs(xp, n: n, feff: feff, pump: pump), rm = rhs(xm, n: n, feff: feff, pump: pump)
                for i in 0..<3 { j[i, k] = (rp[i] - rm[i]) / 2e-7 }
            }
            let dx = try LinearAlgebra.solve(j, r)
            for i in 0..<3 { x[i] -= dx[i] }
        }
        return x
    }
}

final class SteadyStateTests: XCTestCase {
    let backend = CumulantBackend()

    /// N = 2: the closed equations are exact, so the steady state must equal the null vector of the
    /// 16×16 Liouvillian.
    func testTwoDipoleSteadyStateIsExact() throws {
        var rng = SeededRandom(seed: 21)
        for trial in 0..<5 {
            let model = DenseReference.randomModel(n: 2, rng: &rng, elastic: trial % 2 == 1, detuned: trial >= 2)
            let ref = DenseReference(model: model)
            let exact = ref.packedMoments(try ref.steadyState())
            let system = CumulantSystem(model: model)
            let (x, report) = try CumulantSteadyStateSolver(tolerance: 1e-12).solve(system)
            XCTAssertLessThan(report.relativeResidual, 1e-11)
            for i in exact.indices { XCTAssertEqual(x[i], exact[i], accuracy: 1e-10, "trial \(trial) component \(i)") }
            // And through the backend's observables: ZQ2 = Re C_01, inversion = (s_0 + s_1)/4.
            let r = try backend.solve(SolveRequest(model: model, observables: [.init(kind: .zq), .init(kind: .inversion)]))
            XCTAssertEqual(r.number("ZQ2")!, exact[2], accuracy: 1e-10)
            XCTAssertEqual(r.number("inversion")!, (exact[0] + exact[1]) / 4, accuracy: 1e-10)
        }
    }

    /// The collective model against the symmetric reduction, and the 1/N approach to the closed form
    /// Z² = (f_eff P − Q²)/(2 f_eff²) (docs/physics.md §5.4: +32 % at N = 70, +8 % at N = 400 for f_eff = 15, W = 7.5).
    func testCollectiveModelMatchesSymmetricReductionAndLargeNLimit() throws {
        let feff = 15.0, w = 7.5
        let closed = (feff * (w - 1) - (w + 1) * (w + 1)) / (2 * feff * feff)
        for (n, excess) in [(70, 0.32), (400, 0.08)] {
            let reduced = try SymmetricReduction.steadyState(n: n, feff: feff, pump: w)
            let model = DipoleModel.collective(n: n, feff: feff, pump: w)
            let r = try backend.solve(
                SolveRequest(
                    model: model, observables: [.init(kind: .zq), .init(kind: .inversion)],
                    tolerance: 1e-11))
            let z2 = try XCTUnwrap(r.number("ZQ2"))
            XCTAssertEqual(z2, reduced[1], accuracy: 1e-9, "N = \(n)")
            XCTAssertEqual(try XCTUnwrap(r.number("inversion")), reduced[0] / 2, accuracy: 1e-9)
            XCTAssertEqual(z2 / closed - 1, excess, accuracy: 0.005, "N = \(n)")
        }
        // The reduction itself tends to the closed form as N → ∞ with corrections ~1/N.
        let big = try SymmetricReduction.steadyState(n: 100_000, feff: feff, pump: w)
        XCTAssertEqual(big[1] / closed - 1, 0, accuracy: 1e-3)
    }

    /// Physical constraints on a dipolar chain: the two-dipole X states are density matrices
    /// (|C_ab|² ≤ p_↑↓ p_↓↑, populations ≥ 0), |s_a| ≤ 1, and mirror symmetry of the chain holds.
    func testDipolarChainStateIsPhysicalAndMirrorSymmetric() throws {
        let n = 24
        let lattice = Lattice.chain(n)
        let positions = lattice.unitPositions.map { $0 * 0.1 }
        let c = Couplings.dipolar(positions: positions, orientation: SIMD3(1, 0, 1))
        let model = DipoleModel(pump: 4, detunings: .init(repeating: 0, count: n), f: c.f, g: c.g, positions: positions)
        let system = CumulantSystem(model: model)
        let (x, report) = try CumulantSteadyStateSolver(tolerance: 1e-11).solve(system)
        XCTAssertLessThan(report.relativeResidual, 1e-10)
        for a in 0..<n {
            XCTAssertLessThanOrEqual(abs(x[a]), 1)
            XCTAssertEqual(x[a], x[n - 1 - a], accuracy: 1e-8)
            for b in 0..<n where b != a {
                let sa = x[a], sb = x[b], d = system.d(x, a, b)
                let pUD = (1 + sa - sb - d) / 4, pDU = (1 - sa + sb - d) / 4
                XCTAssertGreaterThanOrEqual(pUD, -1e-12); XCTAssertGreaterThanOrEqual(pDU, -1e-12)
                XCTAssertGreaterThanOrEqual((1 + sa + sb + d) / 4, -1e-12)
                XCTAssertGreaterThanOrEqual((1 - sa - sb + d) / 4, -1e-12)
                XCTAssertLessThanOrEqual(system.c(x, a, b).lengthSquared, pUD * pDU + 1e-12)
                XCTAssertEqual(system.c(x, a, b).real, system.c(x, n - 1 - a, n - 1 - b).real, accuracy: 1e-8)
            }
        }
    }

    /// The same point gives the same bits with 1 and 2 BLAS threads.
    func testResultsDoNotDependOnThreadCount() throws {
        var rng = SeededRandom(seed: 5)
        let n = 150
        let lattice = Lattice.chain(n)
        let c = Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: 1.2, strength: 0.25)
        let det = (0..<n).map { _ in rng.uniform() - 0.5 }
        let model = DipoleModel(pump: 3, detunings: det, f: c.f, g: c.g)
        let obs: [ObservableRequest] = [
            .init(kind: .zq), .init(kind: .inversion), .init(kind: .correlations),
            .init(kind: .clusterZQ, clusterSizes: [2, 10, 50])
        ]
        let r1 = try backend.solve(SolveRequest(model: model, lattice: lattice, observables: obs, threads: 1))
        let r2 = try backend.solve(SolveRequest(model: model, lattice: lattice, observables: obs, threads: 2))
        XCTAssertTrue(r1 == r2, "results differ between 1 and 2 threads")
        XCTAssertNotNil(r1["cluster-ZQ"])
    }

    /// Evolution of two dipoles from the ground state equals the dense master equation at every sample,
    /// and a long evolution of a chain reaches the steady state.
    func testEvolutionMatchesDenseMasterEquationAndRelaxesToSteadyState() throws {
        var rng = SeededRandom(seed: 31)
        let model = DenseReference.randomModel(n: 2, rng: &rng)
        let ref = DenseReference(model: model)
        var rho0 = ComplexMatrix(rows: 4, cols: 4); rho0[0, 0] = .one   // index 0: both down
        let times = [0.0, 0.5, 1.0, 1.5, 2.0]
        var exact: [[Double]] = []
        try DormandPrince(relativeTolerance: 1e-11, absoluteTolerance: 1e-13).integrate(
            from: 0, rho0.elements.flatMap { [$0.real, $0.imaginary] }, to: times,
            rhs: { _, y, dy in
                let rho = ComplexMatrix(rows: 4, cols: 4, elements: stride(from: 0, to: 32, by: 2).map { Complex(y[$0], y[$0 + 1]) })
                let l = ref.lindblad(rho)
                for i in 0..<16 { dy[2 * i] = l.elements[i].real; dy[2 * i + 1] = l.elements[i].imaginary }
            },
            observe: { _, y in
                let rho = ComplexMatrix(rows: 4, cols: 4, elements: stride(from: 0, to: 32, by: 2).map { Complex(y[$0], y[$0 + 1]) })
                exact.append(ref.packedMoments(rho))
            })
        let r = try backend.solve(
            SolveRequest(
                model: model, observables: [.init(kind: .zq), .init(kind: .inversion)],
                evolution: .until(time: 2, samples: 5), tolerance: 1e-11))
        let table = try XCTUnwrap(r.tables.first { $0.name == "timeseries" })
        XCTAssertEqual(table.columns, ["t", "ZQ", "ZQ2", "inversion"])
        for (row, m) in zip(table.rows, exact) {
            XCTAssertEqual(row[2], m[2], accuracy: 1e-8)
            XCTAssertEqual(row[3], (m[0] + m[1]) / 4, accuracy: 1e-8)
        }
        XCTAssertEqual(r.number("ZQ2")!, exact.last![2], accuracy: 1e-8)

        let chain = DipoleModel.collective(n: 12, feff: 8, pump: 4)
        let long = try backend.solve(SolveRequest(model: chain, observables: [.init(kind: .zq)], evolution: .until(time: 60, samples: 2)))
        let steady = try backend.solve(SolveRequest(model: chain, observables: [.init(kind: .zq)]))
        XCTAssertEqual(long.number("ZQ2")!, steady.number("ZQ2")!, accuracy: 1e-7)
    }

    /// The low-rank preconditioner (used for large N) reaches the same steady state as the full one.
    func testLowRankPreconditionerGivesTheSameSteadyState() throws {
        let lattice = Lattice.chain(260)
        let c = Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: 1.5, strength: 0.25)
        let model = DipoleModel(pump: 3, detunings: .init(repeating: 0, count: 260), f: c.f, g: c.g)
        let (full, r1) = try CumulantSteadyStateSolver(tolerance: 1e-11).solve(CumulantSystem(model: model))
        let lowRank = CumulantSystem(model: model)
        lowRank.lowRankThreshold = 100
        let (low, r2) = try CumulantSteadyStateSolver(tolerance: 1e-11).solve(lowRank)
        XCTAssertTrue(r1.preconditioner.contains("eigenvectors of f") && r2.preconditioner.contains("extreme"), r2.preconditioner)
        XCTAssertLessThan(r2.relativeResidual, 1e-11)
        for i in full.indices { XCTAssertEqual(low[i], full[i], accuracy: 1e-8) }
        print("krylov iterations: full \(r1.krylovIterations), low-rank \(r2.krylovIterations)")
    }

    func testRejectsWhatTheClosureCannotDo() {
        let model = DipoleModel.collective(n: 4, feff: 2, pump: 3)
        let cases: [(SolveRequest, String)] = [
            (SolveRequest(model: model, observables: [.init(kind: .zq)], initial: .product(polar: .pi / 2, azimuth: 0)), "U(1)"),
            (SolveRequest(model: model, observables: [.init(kind: .qfi)]), "Fisher"),
            (SolveRequest(model: model, observables: [.init(kind: .z)]), "mean-field"),
            (SolveRequest(model: model, observables: [.init(kind: .discord, pairs: [DipolePair(0, 7)])]), "pair"),
            (SolveRequest(model: .collective(n: 4, feff: 40, pump: 3), observables: [.init(kind: .zq)]), "semidefinite")
        ]
        for (request, word) in cases {
            XCTAssertThrowsError(try backend.solve(request)) { error in
                guard case BackendError.unsupported(let why) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(why.contains(word), why)
            }
        }
        XCTAssertThrowsError(
            try backend.solve(
                SolveRequest(
                    model: .collective(n: 300, feff: 2, pump: 3),
                    observables: [.init(kind: .zq)], memoryBudget: 1 << 20))
        ) { error in
            guard case BackendError.memory(let needed, _) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(needed, 1 << 20)
        }
    }
}
