import LinearAlgebra
import Numerics
import Physics
import Results
import TestSupport
import XCTest

@testable import ExactBackend

final class ObservableTests: XCTestCase {
    /// C_ab, inversion, the pair states and the mixed QFI from the blocks equal dense evaluations.
    func testObservablesMatchDenseEvaluation() throws {
        for n in [3, 4] {
            let model = DenseReference.randomModel(n: n, seed: UInt64(40 + n), pump: 3.1)
            let ref = DenseReference(model: model)
            let dense = try ref.steadyState()
            let l = BlockLiouvillian(model: model)
            let rho = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho
            let mom = SecondMoments(rho, basis: l.basis)
            var inv = 0.0
            for a in 0..<n {
                let sz = ref.raise[a] * ref.lower[a]
                var pop = Complex<Double>.zero
                for i in 0..<ref.dim { for k in 0..<ref.dim { pop = pop + sz[i, k] * dense[k, i] } }
                inv += (2 * pop.real - 1) / Double(2 * n)
                for b in 0..<n where b != a {
                    let op = ref.raise[a] * ref.lower[b]
                    var c = Complex<Double>.zero
                    for i in 0..<ref.dim { for k in 0..<ref.dim { c = c + op[i, k] * dense[k, i] } }
                    XCTAssertLessThan((c - mom.c[a, b]).length, 1e-10)
                    let pair = FullStateFallback.pairState(dense, n: n, a: a, b: b)   // the dense partial trace
                    XCTAssertLessThan(pair.maxAbsDifference(mom.pairState(a, b)), 1e-10)
                }
            }
            XCTAssertEqual(mom.inversion, inv, accuracy: 1e-10)
            // QFI: the dense formula with dense J_x, J_y, J_z.
            let q = try BlockFisher.averageQFI(rho, basis: l.basis)
            let qd = try FullStateFallback.averageQFI(dense, n: n)
            XCTAssertEqual(q, qd, accuracy: 1e-8)
            XCTAssertGreaterThan(q, 1e-3)
        }
    }

    /// Closed forms without couplings: independent dipoles have S^z = (W − Γ)/(2(W + Γ)), Z_Q² = 0,
    /// and without pump the steady state is the ground state.
    func testIndependentDipolesAndGroundState() throws {
        let n = 4
        let cases: [(Double, Double)] = [(0.5, (0.5 - 1) / (2 * 1.5)), (3, (3.0 - 1) / 8), (0, -0.5)]
        for (w, expected) in cases {
            let f = Matrix.identity(n)
            let model = DipoleModel(pump: w, detunings: [0.3, -0.2, 0.1, 0], f: f, g: Matrix(rows: n, cols: n))
            let r = try PlannedExact(method: .densityMatrix).solve(
                SolveRequest(
                    model: model,
                    observables: [
                        ObservableRequest(kind: .zq), ObservableRequest(kind: .inversion)
                    ]))
            XCTAssertEqual(r.number("inversion") ?? .nan, expected, accuracy: 1e-10)
            XCTAssertEqual(r.number("ZQ2") ?? .nan, 0, accuracy: 1e-10)
        }
    }

    /// The collective model is permutation symmetric: every C_ab (a ≠ b) and every ⟨n_a⟩ agree, and the
    /// result does not depend on the sign of g (docs/physics.md §1.3).
    func testCollectiveModelSymmetry() throws {
        let n = 5
        var values: [Double] = []
        for geff in [2.0, -2.0] {
            let model = DipoleModel.collective(n: n, feff: 4, geff: geff, pump: 2)
            let l = BlockLiouvillian(model: model)
            let rho = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho
            let mom = SecondMoments(rho, basis: l.basis)
            for a in 0..<n {
                XCTAssertEqual(mom.c[a, a].real, mom.c[0, 0].real, accuracy: 1e-10)
                for b in 0..<n where b != a {
                    XCTAssertLessThan((mom.c[a, b] - mom.c[0, 1]).length, 1e-10)
                }
            }
            XCTAssertGreaterThan(mom.c[0, 1].real, 1e-3, "f_eff = 4, W = 2 is synchronized")
            values.append(OrderParameters.zq2(mom.c))
        }
        XCTAssertEqual(values[0], values[1], accuracy: 1e-10)
    }

    /// A rate matrix that is not positive semidefinite is rejected with its smallest eigenvalue.
    func testRejectsNonLindbladRates() {
        let model = DipoleModel.collective(n: 4, feff: 40, pump: 2)
        XCTAssertThrowsError(try ExactBackend().solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .zq)]))) {
            XCTAssertTrue("\($0)".contains("positive semidefinite"), "\($0)")
        }
    }

    /// The memory budget is enforced before allocation.
    func testMemoryBudget() {
        let model = DipoleModel.collective(n: 10, feff: 4, pump: 2)
        let req = SolveRequest(model: model, observables: [ObservableRequest(kind: .zq)], memoryBudget: 1 << 20)
        XCTAssertThrowsError(try PlannedExact(method: .densityMatrix).solve(req)) { e in
            guard case BackendError.memory = e else { return XCTFail("\(e)") }
        }
        XCTAssertGreaterThan(ExactBackend.memoryEstimate(n: 12, observables: []), 16 * 2_704_156 * 20)
        XCTAssertLessThan(ExactBackend.memoryEstimate(n: 12, observables: []), 8 << 30)
        // With a point's budget on a 24 GiB machine the steady state's GMRES keeps 60 pairs (measured:
        // 4.2 GiB for one steady state, 5.5 GB for an optimum with dephasing); a small budget, 12.
        let large = ExactBackend.memoryEstimate(n: 12, observables: [], budget: 11 << 30)
        XCTAssertEqual(ExactBackend.krylovDimension(n: 12, budget: 11 << 30), 60)
        XCTAssertGreaterThan(Double(large), 4.2 * 1.074e9)
        XCTAssertLessThan(Double(large), 1.5 * 5.5e9)
        XCTAssertEqual(ExactBackend.memoryEstimate(n: 12, observables: [], budget: 2 << 30), ExactBackend.memoryEstimate(n: 12, observables: []))
        XCTAssertEqual(
            ExactBackend.memoryEstimate(n: 12, observables: [], evolution: .until(time: 1, samples: 2), budget: 11 << 30),
            ExactBackend.memoryEstimate(n: 12, observables: [], evolution: .until(time: 1, samples: 2)))
    }

    /// Passing the previous state as a guess converges to the same state in fewer iterations.
    func testInitialGuessForSweeps() throws {
        let model = DenseReference.randomModel(n: 5, seed: 7, pump: 2)
        let backend = PlannedExact(method: .densityMatrix)
        let req = SolveRequest(model: model, observables: [ObservableRequest(kind: .zq)])
        let (r1, s1) = try backend.solve(req, initialGuess: nil)
        let (r2, _) = try backend.solve(req, initialGuess: s1)
        XCTAssertEqual(r1.number("ZQ2") ?? .nan, r2.number("ZQ2") ?? .nan, accuracy: 1e-10)
        let it1 = r1.diagnostics.first { $0.key == "iterations" }?.value.number ?? 0
        let it2 = r2.diagnostics.first { $0.key == "iterations" }?.value.number ?? 0
        XCTAssertLessThan(it2, it1)
    }
}
