import LinearAlgebra
import Numerics
import Physics
import Results
import TestSupport
import XCTest

@testable import ExactBackend

/// The split API (`work`, `solveBase`, `trajectories`, `reduce`) against the single-process `solve`.
final class TrajectorySplitTests: XCTestCase {
    /// Bit patterns of everything a result holds, diagnostics included.
    static func bits(_ r: PointResult) -> [String] {
        func b(_ v: ResultValue) -> String {
            switch v {
            case .number(let x): return "n\(x.bitPattern)"
            case .string(let s): return "s\(s)"
            case .bool(let x): return "b\(x)"
            case .null: return "null"
            case .array(let a): return "[" + a.map(b).joined(separator: ",") + "]"
            case .object(let kv): return "{" + kv.map { "\($0.0)=\(b($0.1))" }.joined(separator: ",") + "}"
            }
        }
        return r.values.map { "\($0.key)=\(b($0.value))" } + r.diagnostics.map { "d:\($0.key)=\(b($0.value))" }
            + r.tables.map { t in "t:\(t.name):\(t.columns)" + t.rows.flatMap { $0 }.map { String($0.bitPattern) }.joined(separator: ",") }
            + ["m:\(r.method)"]
    }

    /// Trajectories computed in uneven blocks, on other thread counts and handed over out of order,
    /// reduce to exactly what `solve` returns.
    func check(_ backend: PlannedExact, _ request: SolveRequest, expect ensembles: [TrajectoryEnsembleKind]) throws {
        let single = try backend.solve(request)
        let work = try backend.work(for: request)
        XCTAssertEqual(work.ensembles.map(\.kind), ensembles)
        let base = try backend.solveBase(request, work: work)
        var contributions: [TrajectoryEnsembleKind: [TrajectoryContribution]] = [:]
        for e in work.ensembles {
            var list: [TrajectoryContribution] = []
            var first = 0, size = 1
            while first < e.count {
                var r = request
                r.threads = size % 2 + 1
                let range = first..<min(e.count, first + size)
                list = try backend.trajectories(r, kind: e.kind, range: range) + list   // reversed order of blocks
                first = range.upperBound
                size += 1
            }
            contributions[e.kind] = list
        }
        let reduced = try backend.reduce(request, work: work, base: base, contributions: contributions)
        XCTAssertEqual(Self.bits(reduced), Self.bits(single))
        XCTAssertFalse(single.values.isEmpty)
        // A missing or doubled trajectory is refused.
        for e in work.ensembles {
            var short = contributions
            short[e.kind]?.removeLast()
            XCTAssertThrowsError(try backend.reduce(request, work: work, base: base, contributions: short)) {
                XCTAssertTrue("\($0)".contains("missing"), "\($0)")
            }
            var doubled = contributions
            doubled[e.kind]?[0] = contributions[e.kind]![1]
            XCTAssertThrowsError(try backend.reduce(request, work: work, base: base, contributions: doubled))
        }
    }

    func testDensityBaseWithConditionalQFI() throws {
        let model = DipoleModel.collective(n: 3, feff: 2.5, pump: 1.5)
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 5
        let backend = PlannedExact(trajectorySettings: TrajectorySettings(burnIn: 0.5, average: 1))
        let request = SolveRequest(
            model: model, observables: [ObservableRequest(kind: .zq), ObservableRequest(kind: .inversion), qc],
            seed: 21, pointIndex: 3, threads: 1)
        try check(backend, request, expect: [.diffusion])
        // The base carries the density-matrix values; the reduction adds the conditional QFI.
        let work = try backend.work(for: request)
        XCTAssertTrue(work.density)
        let base = try backend.solveBase(request, work: work)
        XCTAssertNotNil(base.number("ZQ2"))
        XCTAssertNil(base.number("qfi-conditional"))
        // Evolution: the conditional time series is reduced too.
        var until = request
        until.evolution = .until(time: 0.8, samples: 4)
        try check(backend, until, expect: [.diffusion])
    }

    func testJumpTrajectoriesAndConditionalQFI() throws {
        let model = DipoleModel.collective(n: 3, feff: 2.5, pump: 1.5)
        var zq = ObservableRequest(kind: .zq); zq.trajectories = 5
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 3
        var mi = ObservableRequest(kind: .mutualInformation); mi.trajectories = 4
        let backend = PlannedExact(method: .jumpTrajectories, trajectorySettings: TrajectorySettings(burnIn: 0.5, average: 1))
        let request = SolveRequest(
            model: model, observables: [zq, mi, qc],
            seed: 5, pointIndex: 1, threads: 2)
        try check(backend, request, expect: [.jumps, .diffusion])
        XCTAssertEqual(try backend.work(for: request).count(.jumps), 5)
    }

    /// The `weak2` diffusion scheme (docs/physics.md §6.3.3) with every kind of channel (pump, emission,
    /// non-radiative decay, dephasing): blocks, thread counts and order of hand-over do not change a bit,
    /// and it is not the `milstein` result.
    func testConditionalQFIWithTheWeakSecondOrderScheme() throws {
        var model = DipoleModel.collective(n: 3, feff: 2.5, pump: 1.5)
        model.dephasing = 0.3
        model.nonradiativeDecay = 0.2
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 4
        var settings = TrajectorySettings(burnIn: 0.5, average: 1)
        settings.diffusionScheme = .weak2
        let backend = PlannedExact(trajectorySettings: settings)
        let request = SolveRequest(model: model, observables: [qc], seed: 21, pointIndex: 2, threads: 2)
        try check(backend, request, expect: [.diffusion])
        settings.diffusionScheme = .milstein
        let old = try PlannedExact(trajectorySettings: settings).solve(request)
        XCTAssertNotEqual(try backend.solve(request).number("qfi-conditional"), old.number("qfi-conditional"))
    }

    /// A trajectory's contribution does not depend on the block it is computed in.
    func testContributionsDoNotDependOnTheirBlock() throws {
        let model = DipoleModel.collective(n: 2, feff: 1.5, pump: 1)
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 4
        let backend = PlannedExact(trajectorySettings: TrajectorySettings(burnIn: 0.2, average: 0.5))
        let request = SolveRequest(model: model, observables: [qc], seed: 2)
        let all = try backend.trajectories(request, kind: .diffusion, range: 0..<4)
        let one = try backend.trajectories(request, kind: .diffusion, range: 2..<3)
        XCTAssertEqual(one.map(\.index), [2])
        XCTAssertEqual(one[0].qfi.bitPattern, all[2].qfi.bitPattern)
        XCTAssertEqual(one[0].series.flatMap { $0 }.map(\.bitPattern), all[2].series.flatMap { $0 }.map(\.bitPattern))
        XCTAssertNotEqual(all[1].qfi, all[2].qfi)
    }

    /// The jump-operator basis diagonalizes f (residual and orthonormality), and trajectories do not
    /// depend on BLAS threading (LAPACK's eigenvectors in the degenerate subspace of uniform couplings did).
    func testJumpOperatorBasisIsDeterministic() throws {
        for (n, seed) in [(1, 1), (3, 2), (6, 3)] {
            let f = DenseReference.randomModel(n: n, seed: UInt64(seed), pump: 1).f
            let (w, v) = TrajectoryEngine.jacobiEigen(f)
            XCTAssertEqual(w, w.sorted())
            for mu in 0..<n {
                for a in 0..<n {
                    var fv = 0.0
                    for b in 0..<n { fv += f[a, b] * v[mu * n + b] }
                    XCTAssertEqual(fv, w[mu] * v[mu * n + a], accuracy: 1e-12)
                }
                for nu in 0..<n {
                    var dot = 0.0
                    for b in 0..<n { dot += v[mu * n + b] * v[nu * n + b] }
                    XCTAssertEqual(dot, mu == nu ? 1 : 0, accuracy: 1e-12)
                }
            }
        }
        let uniform = DipoleModel.collective(n: 3, feff: 2.5, pump: 1)
        let (w, _) = TrajectoryEngine.jacobiEigen(uniform.f)
        XCTAssertEqual(w[0], w[1], accuracy: 1e-12)   // degenerate: the case that matters
        var qc = ObservableRequest(kind: .qfiConditional); qc.trajectories = 2
        let backend = PlannedExact(trajectorySettings: TrajectorySettings(burnIn: 0.2, average: 0.5))
        let request = SolveRequest(model: uniform, observables: [qc], seed: 4)
        let previous = BLASLibrary.threads
        defer { BLASLibrary.setThreads(previous) }
        BLASLibrary.setThreads(1)
        let one = try backend.solve(request)
        BLASLibrary.setThreads(2)
        let two = try backend.solve(request)
        XCTAssertEqual(Self.bits(one), Self.bits(two))
    }
}
