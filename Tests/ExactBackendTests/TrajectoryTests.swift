import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import TestSupport
import XCTest

@testable import ExactBackend

final class TrajectoryTests: XCTestCase {
    /// Jump-trajectory averages agree with the density matrix within three standard errors, for a
    /// dipolar chain with detunings, in the steady state and during the evolution from the ground state.
    func testJumpAveragesMatchDensityMatrix() throws {
        let model = DenseReference.randomModel(n: 4, seed: 5, pump: 2.0)
        var zq = ObservableRequest(kind: .zq); zq.trajectories = 48
        let obs = [zq, ObservableRequest(kind: .inversion)]
        let exact = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: obs))
        let traj = try PlannedExact(
            method: .jumpTrajectories,
            trajectorySettings: TrajectorySettings(burnIn: 5, average: 20, sampleInterval: 0.05)
        )
        .solve(SolveRequest(model: model, observables: obs, seed: 3, threads: 2))
        for key in ["ZQ2", "inversion"] {
            let e = exact.number(key)!, t = traj.number(key)!, s = traj.number("\(key)-stderr")!
            XCTAssertGreaterThan(s, 0)
            XCTAssertLessThan(abs(e - t), 3 * s, "\(key): exact \(e), trajectories \(t) ± \(s)")
        }
        // Transient: inversion at t = 0.6 from the ground state.
        let until = Evolution.until(time: 0.6, samples: 3)
        let exactT = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: obs, evolution: until))
        let trajT = try PlannedExact(method: .jumpTrajectories).solve(
            SolveRequest(
                model: model, observables: obs, evolution: until,
                seed: 4, threads: 2))
        let e = exactT.number("inversion")!, t = trajT.number("inversion")!, s = trajT.number("inversion-stderr")!
        XCTAssertLessThan(abs(e - t), 3 * s, "exact \(e), trajectories \(t) ± \(s)")
        XCTAssertNotNil(trajT.tables.first { $0.name == "timeseries" })
    }

    /// Results are bit-identical for any number of threads.
    func testThreadIndependence() throws {
        let model = DenseReference.randomModel(n: 3, seed: 6, pump: 1.5)
        var zq = ObservableRequest(kind: .zq); zq.trajectories = 6
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 5
        let backend = PlannedExact(method: .jumpTrajectories, trajectorySettings: TrajectorySettings(burnIn: 1, average: 2))
        let a = try backend.solve(SolveRequest(model: model, observables: [zq, qc], seed: 9, threads: 1))
        let b = try backend.solve(SolveRequest(model: model, observables: [zq, qc], seed: 9, threads: 3))
        XCTAssertEqual(a, b)
        let c = try backend.solve(SolveRequest(model: model, observables: [zq, qc], seed: 10, threads: 1))
        XCTAssertNotEqual(a.number("ZQ2"), c.number("ZQ2"))
    }

    /// A pure single-dipole state always has F̄_Q = 2/3; uncoupled dipoles stay in product states under
    /// QSD, so F̄_Q = 2N/3 up to the O(dt) error of the Euler–Maruyama step.
    func testConditionalQFIOfProductStates() throws {
        let settings = TrajectorySettings(burnIn: 1, average: 3, sampleInterval: 0.1)
        for n in [1, 3] {
            let model = DipoleModel(pump: 1.5, detunings: Array(repeating: 0.2, count: n), f: .identity(n), g: Matrix(rows: n, cols: n))
            var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 4
            let r = try PlannedExact(trajectorySettings: settings).solve(SolveRequest(model: model, observables: [qc], threads: 2))
            XCTAssertEqual(r.number("qfi-conditional") ?? .nan, 2 * Double(n) / 3, accuracy: n == 1 ? 1e-9 : 2e-2)
        }
    }

    /// QSD ensemble averages reproduce the density matrix, and the conditional QFI is at least the QFI
    /// of the averaged state (convexity of the QFI).
    func testDiffusionAveragesAndConvexity() throws {
        let model = DipoleModel.collective(n: 3, feff: 3, pump: 1.5)
        let basis = SectorBasis(n: 3)
        let engine = try TrajectoryEngine(model: model, basis: basis)
        let qsd = DiffusionTrajectories(engine: engine, dt: 0.002 / engine.rateScale * 2)
        let times = (0...100).map { 3 + 0.2 * Double($0) }
        let records = try parallelMap(count: 24, threads: 2) { j -> TrajectoryRecord in
            var rng = SeededRandom(seed: 1, stream: [0, UInt64(j)])
            return qsd.run(start: 0, sampleTimes: times, averageFrom: 3, wantD: false, rng: &rng)
        }
        let inv = records.map { r in (0..<3).reduce(0.0) { $0 + (2 * r.c[$1 * 3 + $1].real - 1) / 6 } }
        let (m, s) = ExactBackend.meanAndError(inv)
        let l = BlockLiouvillian(model: model)
        let rho = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho
        let exact = SecondMoments(rho, basis: basis).inversion
        XCTAssertLessThan(abs(m - exact), 3 * s + 0.01, "QSD \(m) ± \(s), exact \(exact)")
        let mixed = try BlockFisher.averageQFI(rho, basis: basis)
        let (qc, _) = ExactBackend.meanAndError(records.map(\.qfi))
        XCTAssertGreaterThan(qc, mixed)
    }
}
