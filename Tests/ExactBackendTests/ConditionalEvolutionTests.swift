import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import TestSupport
import XCTest

@testable import ExactBackend

/// `qfi-conditional` under `evolve: until` (papers' Fig. 2c): quantum-state-diffusion trajectories
/// integrated from the initial state, F̄_Q(t) averaged over trajectories in the `timeseries` table.
final class ConditionalEvolutionTests: XCTestCase {
    /// Uncoupled dipoles from the ground state: the QSD mean inversion follows the density-matrix
    /// evolution and the closed form s(t)/2, s(t) = s∞ − (1 + s∞) e^{−(Γ+W)t}, s∞ = (W − Γ)/(W + Γ),
    /// within three standard errors at every sample.
    func testMeanInversionFollowsDensityMatrix() throws {
        let n = 3, w = 1.5
        let model = DipoleModel(pump: w, detunings: [0.3, -0.2, 0.1], f: .identity(n), g: Matrix(rows: n, cols: n))
        let until = Evolution.until(time: 2, samples: 8)
        let exact = try PlannedExact(method: .densityMatrix)
            .solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .inversion)], evolution: until))
        let table = try XCTUnwrap(exact.tables.first { $0.name == "timeseries" })
        let col = try XCTUnwrap(table.columns.firstIndex(of: "inversion"))
        let basis = SectorBasis(n: n)
        let engine = try TrajectoryEngine(model: model, basis: basis)
        let qsd = DiffusionTrajectories(engine: engine, dt: 0.005 / engine.rateScale)
        let times = table.rows.map { $0[0] }
        let records = try parallelMap(count: 40, threads: 2) { j -> TrajectoryRecord in
            var rng = SeededRandom(seed: 7, stream: [0, UInt64(j), 0x0D1F])
            return qsd.run(start: 0, sampleTimes: times, averageFrom: 2, wantD: false, rng: &rng)
        }
        let sInf = (w - 1) / (w + 1)
        var largestError = 0.0
        for (i, t) in times.enumerated() {
            let (m, s) = ExactBackend.meanAndError(records.map { $0.series[i][1] })
            let dm = table.rows[i][col]
            XCTAssertEqual(dm, (sInf - (1 + sInf) * exp(-(1 + w) * t)) / 2, accuracy: 1e-7)
            if i == 0 { XCTAssertEqual(m, -0.5, accuracy: 1e-14); continue }
            XCTAssertGreaterThan(s, 0)
            XCTAssertLessThan(abs(m - dm), 3 * s, "t = \(t): QSD \(m) ± \(s), density matrix \(dm)")
            largestError = max(largestError, s)
        }
        XCTAssertGreaterThan(largestError, 0.01, "the comparison must have resolving power")
    }

    /// F̄_Q(0) of |↓…↓⟩ (and |↑…↑⟩) is 2N/3: F(J_x) = F(J_y) = 4·N/4 = N, F(J_z) = 0. The table has
    /// t, the trajectory mean, its standard error and trajectory 0; `values` hold the final row.
    /// With another observable the columns join the density matrix's `timeseries` table.
    func testTimeseriesTable() throws {
        let model = DipoleModel.collective(n: 4, feff: 3, pump: 1.5)
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 6
        for initial in [InitialState.ground, .excited] {
            let r = try ExactBackend().solve(
                SolveRequest(
                    model: model, observables: [qc], initial: initial,
                    evolution: .until(time: 0.5, samples: 5), seed: 2, threads: 2))
            let table = try XCTUnwrap(r.tables.first { $0.name == "timeseries" })
            XCTAssertEqual(table.columns, ["t", "qfi-conditional", "qfi-conditional-stderr", "qfi-conditional-trajectory-0"])
            XCTAssertEqual(table.rows.count, 6)
            XCTAssertEqual(table.rows[0][0], 0)
            XCTAssertEqual(table.rows[0][1], 8.0 / 3, accuracy: 1e-12)
            XCTAssertEqual(table.rows[0][2], 0, accuracy: 1e-12)
            XCTAssertEqual(table.rows[0][3], 8.0 / 3, accuracy: 1e-12)
            let last = try XCTUnwrap(table.rows.last)
            XCTAssertEqual(last[0], 0.5, accuracy: 1e-12)
            XCTAssertEqual(r.number("qfi-conditional"), last[1])
            XCTAssertEqual(r.number("qfi-conditional-stderr"), last[2])
            XCTAssertGreaterThan(last[2], 0, "coupled dipoles: trajectories differ")
            XCTAssertNotEqual(last[3], last[1])
            XCTAssertEqual(r.number("qfi-witness"), 8.0 / 3)
        }
        let r = try ExactBackend().solve(
            SolveRequest(
                model: model, observables: [ObservableRequest(kind: .inversion), qc],
                evolution: .until(time: 0.5, samples: 5), seed: 2, threads: 2))
        let table = try XCTUnwrap(r.tables.first { $0.name == "timeseries" })
        XCTAssertEqual(
            table.columns,
            [
                "t", "ZQ2", "inversion", "qfi-conditional", "qfi-conditional-stderr",
                "qfi-conditional-trajectory-0"
            ])
        XCTAssertTrue(table.rows.allSatisfy { $0.count == 6 })
        XCTAssertEqual(r.tables.filter { $0.name == "timeseries" }.count, 1)
        XCTAssertEqual(table.rows[0][2], -0.5, accuracy: 1e-14)
    }

    /// The evolution is bit-identical for 1 and 3 threads and changes with the seed.
    func testEvolutionThreadIndependence() throws {
        let model = DenseReference.randomModel(n: 3, seed: 11, pump: 1.2)
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 5
        let until = Evolution.until(time: 0.4, samples: 4)
        let a = try ExactBackend().solve(SolveRequest(model: model, observables: [qc], evolution: until, seed: 3, threads: 1))
        let b = try ExactBackend().solve(SolveRequest(model: model, observables: [qc], evolution: until, seed: 3, threads: 3))
        XCTAssertEqual(a, b)
        let c = try ExactBackend().solve(SolveRequest(model: model, observables: [qc], evolution: until, seed: 4, threads: 1))
        XCTAssertNotEqual(a.tables, c.tables)
    }
}

/// The Krylov no-jump propagator of the jump trajectories against Dormand–Prince at tight tolerance,
/// with and without a waiting-time threshold.
final class KrylovPropagatorTests: XCTestCase {
    func testAgainstDormandPrince() throws {
        let model = DenseReference.randomModel(n: 5, seed: 8, pump: 1.3)
        let engine = try TrajectoryEngine(model: model, basis: SectorBasis(n: 5))
        let k = 2, d = engine.basis.dimension(k)
        var rng = SeededRandom(seed: 1, stream: [9])
        var psi0 = (0..<d).map { _ in Complex(rng.normal(), rng.normal()) }
        let s = 1 / psi0.reduce(0.0) { $0 + $1.lengthSquared }.squareRoot()
        psi0 = psi0.map { Complex($0.real * s, $0.imaginary * s) }
        func reference(_ t: Double) throws -> [Complex<Double>] {
            var y0 = [Double](repeating: 0, count: 2 * d)
            for i in 0..<d { y0[2 * i] = psi0[i].real; y0[2 * i + 1] = psi0[i].imaginary }
            let out = try DormandPrince(relativeTolerance: 1e-13, absoluteTolerance: 1e-15).integrate(
                from: 0, y0, to: [t],
                rhs: { _, y, dy in
                    y.withUnsafeBufferPointer { p in
                        dy.withUnsafeMutableBufferPointer { q in
                            engine.derivative(
                                UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: Complex<Double>.self),
                                UnsafeMutableRawPointer(q.baseAddress!).assumingMemoryBound(to: Complex<Double>.self), sector: k)
                        }
                    }
                })
            return (0..<d).map { Complex(out.y[2 * $0], out.y[2 * $0 + 1]) }
        }
        let krylov = KrylovPropagator(engine: engine, tolerance: 1e-11, maxDimension: 4)
        let ws = KrylovPropagator.Workspace(engine: engine, mMax: 4)
        // No threshold: several Krylov steps (m = 4 < d = 10) up to t = 0.7.
        var psi = psi0, t = 0.0, steps = 0
        while t < 0.7 { (t, _) = krylov.advance(&psi, sector: k, from: t, to: 0.7, threshold: 0, workspace: ws); steps += 1 }
        XCTAssertGreaterThan(steps, 1)
        let ref = try reference(0.7)
        for i in 0..<d { XCTAssertLessThan((psi[i] - ref[i]).length, 1e-9) }
        // Threshold: stops where ‖ψ‖² = r, on the reference trajectory.
        let r = 0.5 * ref.reduce(0.0) { $0 + $1.lengthSquared } + 0.25
        psi = psi0; t = 0
        var crossed = false
        while !crossed && t < 0.7 {
            (t, crossed) = krylov.advance(&psi, sector: k, from: t, to: 0.7, threshold: r, workspace: ws)
        }
        XCTAssertTrue(crossed)
        XCTAssertEqual(psi.reduce(0.0) { $0 + $1.lengthSquared }, r, accuracy: 1e-10)
        let refT = try reference(t)
        for i in 0..<d { XCTAssertLessThan((psi[i] - refT[i]).length, 1e-9) }
    }
}
