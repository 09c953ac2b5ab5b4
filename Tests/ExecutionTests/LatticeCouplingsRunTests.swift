import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import StandardBackends
import XCTest

@testable import Execution

/// Sweeps with lattice couplings (docs/physics.md §2.6, §5.3) through the executor, in mean field and in
/// the cumulant backend: the same bytes with one and two threads and after a 3-shard split, and the
/// plan's representation reaching the backend.
final class LatticeCouplingsRunTests: XCTestCase {
    static let spec = """
        dipolesync: 1
        name: lattice-shards
        system:
          lattice: {shape: chain, sites: 2500, spacing: 0.02 lambda}
          polarization: {angle: magic}
          couplings: {dipolar: {elastic: false}}
          pump: {rate: 12 Gamma}
        observables: [Z, ZQ, inversion, phases]
        sweep:
          grid:
            system.pump.rate: {from: 8 Gamma, to: 14 Gamma, points: 3}
        solver: {backend: mean-field, tolerance: 1e-6}

        """

    /// A 450-dipole power-law chain in the cumulant backend: above 400 dipoles the planner holds its
    /// couplings as a lattice and the solver takes the cosine-basis preconditioner (docs/physics.md §5.3.1).
    static let cumulantSpec = """
        dipolesync: 1
        name: lattice-shards-cumulant
        system:
          lattice: {shape: chain, sites: 450, spacing: 0.1 lambda}
          couplings: {power-law: {alpha: 1.0, strength: 0.25 Gamma}}
          pump: {rate: 3 Gamma}
        observables: [ZQ, inversion, {cluster-ZQ: {sizes: [2, 16]}}]
        sweep:
          grid:
            system.pump.rate: {from: 2 Gamma, to: 6 Gamma, points: 3}
        solver: {backend: cumulant}

        """

    func testThreadsAndShardsGiveTheSameBytes() throws {
        try Self.expectSameBytes(Self.spec)
    }

    func testCumulantThreadsAndShardsGiveTheSameBytes() throws {
        try Self.expectSameBytes(Self.cumulantSpec)
    }

    static func expectSameBytes(_ spec: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-lattice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("spec.yaml").path
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = SpecCompiler.compile(file: path)
        let c = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        let p = try XCTUnwrap(Planner().plan(c).plan)
        XCTAssertEqual(p.points.map(\.couplings), [.lattice, .lattice, .lattice])
        func run(threads: Int, only: Set<Int>? = nil) throws -> [PointOutcome] {
            var e = Executor(compiled: c, plan: p, registry: BackendRegistry.standard)
            e.threads = threads
            if let only { e.only = only }
            return try e.run()
        }
        let one = try run(threads: 1)
        let reference = BundleWriter.contents(compiled: c, plan: p, outcomes: one, threads: 1, totalSeconds: 1)
        let expected = ShardFixture.resultBytes(reference.files)
        let results = String(decoding: try XCTUnwrap(expected["results.json"]), as: UTF8.self)
        XCTAssertTrue(results.contains("couplings: lattice"))
        XCTAssertEqual(Set(one.map { $0.result.number("ZQ")! }).count, 3)
        let two = try run(threads: 2)
        let again = ShardFixture.resultBytes(BundleWriter.contents(compiled: c, plan: p, outcomes: two, threads: 1, totalSeconds: 1).files)
        XCTAssertEqual(again, expected)
        let folder = dir.appendingPathComponent("shards")
        for k in 1...3 {
            let s = try ShardSpec(k: k, n: 3)
            let outcomes = try run(threads: 1, only: Set(s.indices(of: c.points.count)))
            let contents = ShardBundle.contents(compiled: c, plan: p, shard: s, outcomes: outcomes, threads: 1, totalSeconds: 0.5)
            _ = try BundleWriter.write(contents, to: folder.appendingPathComponent(s.folderName).path, force: false)
        }
        let merged = try ShardBundle.merge(try ShardBundle.expand([folder.path]))
        let written = try BundleWriter.write(merged.contents(), to: dir.appendingPathComponent("merged").path, force: false)
        for (path, data) in expected {
            XCTAssertEqual(FileManager.default.contents(atPath: (written as NSString).appendingPathComponent(path)), data, path)
        }
    }

    /// A 450-dipole power-law chain in the cumulant backend (`extra`: lines added after the system's) and
    /// its plan.
    static func cumulantChain450(_ extra: String = "") throws -> (CompiledSpec, ExecutionPlan) {
        let text = """
            dipolesync: 1
            name: chain-450
            system:
              lattice: {shape: chain, sites: 450, spacing: 0.1 lambda}
              couplings: {power-law: {alpha: 1.5}}
              pump: {rate: 4 Gamma}
            \(extra)
            observables: [ZQ, inversion]
            solver: {backend: cumulant}

            """
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let c = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        return (c, try XCTUnwrap(Planner().plan(c).plan))
    }

    /// A rerun holds the couplings as the bundle's plan.json says (`ArchivedSpec.pinStorage`): a
    /// 450-dipole cumulant chain the planner now puts on lattice couplings, stored as planned dense (as
    /// before 2026-12-04), runs dense again; the two representations agree to the solver's tolerance
    /// only, which is why the rerun must not switch.
    func testRerunHoldsTheCouplingsOfThePlanThatRan() throws {
        let (c, now) = try Self.cumulantChain450()
        XCTAssertEqual(now.points.map(\.couplings), [.lattice])
        var stored = now
        stored.points[0].couplings = nil
        var pinned = now
        let notes = ArchivedSpec.pinStorage(&pinned, to: stored)
        XCTAssertEqual(pinned.points.map(\.couplings), [nil])
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes.first?.contains("couplings held dense as in plan.json (this version would choose lattice)") ?? false, "\(notes)")
        var unchanged = now
        XCTAssertEqual(ArchivedSpec.pinStorage(&unchanged, to: now), [])
        let dense = try XCTUnwrap(Executor(compiled: c, plan: pinned, registry: .standard).run().first)
        let lattice = try XCTUnwrap(Executor(compiled: c, plan: now, registry: .standard).run().first)
        XCTAssertFalse(dense.result.method.contains("couplings: lattice"), dense.result.method)
        XCTAssertTrue(lattice.result.method.contains("couplings: lattice"), lattice.result.method)
        let (zd, zl) = (try XCTUnwrap(dense.result.number("ZQ")), try XCTUnwrap(lattice.result.number("ZQ")))
        XCTAssertEqual(zd, zl, accuracy: 1e-7 * zd)
    }

    /// The planner stores a cumulant state with lattice couplings and equal detunings once per orbit of
    /// the lattice's point reflection (plan.json's `symmetry: reflection`, docs/physics.md §5.3.2), steady
    /// states and dynamics (since 2026-12-07) alike, not with detuning disorder; a rerun of a bundle planned before it (no
    /// `symmetry`) holds the full layout (`ArchivedSpec.pinStorage`), since the two agree only to the
    /// solver's tolerance.
    func testRerunHoldsTheStateSymmetryOfThePlanThatRan() throws {
        let (c, now) = try Self.cumulantChain450()
        XCTAssertEqual(now.points.map(\.symmetry), [.reflection])
        XCTAssertTrue(now.json().contains("\"symmetry\" : \"reflection\"") || now.json().contains("\"symmetry\":\"reflection\""), now.json())
        XCTAssertTrue(now.points[0].reason.contains("reflection"), now.points[0].reason)
        XCTAssertEqual(try Self.cumulantChain450("  detuning: {uniform: {width: 1 Gamma}}").1.points.map(\.symmetry), [nil])
        XCTAssertEqual(try Self.cumulantChain450("evolve: {until: 1 /Gamma, samples: 2}").1.points.map(\.symmetry), [.reflection])
        let (notes, full, half) = try Self.runPinnedAndCurrent(c, now, clearing: \.symmetry)
        XCTAssertEqual(notes, ["point 0: state symmetry none as in plan.json (this version would choose reflection)"])
        XCTAssertFalse(full.method.contains("reflection"), full.method)
        XCTAssertTrue(half.method.contains("state stored once per orbit of the lattice's point reflection"), half.method)
    }

    /// Runs `now`'s point as planned and as `ArchivedSpec.pinStorage` holds it for a plan.json without
    /// `field` (one written before the choice was recorded): the notes, the pinned and the current
    /// results, whose Z_Q and inversion must agree to the solver's tolerance (1e-8), not bit for bit.
    static func runPinnedAndCurrent<T>(
        _ c: CompiledSpec, _ now: ExecutionPlan, clearing field: WritableKeyPath<PointPlan, T?>
    ) throws -> (notes: [String], pinned: PointResult, current: PointResult) {
        var stored = now
        stored.points[0][keyPath: field] = nil
        var pinned = now
        let notes = ArchivedSpec.pinStorage(&pinned, to: stored)
        XCTAssertNil(pinned.points[0][keyPath: field])
        let old = try XCTUnwrap(Executor(compiled: c, plan: pinned, registry: .standard).run().first).result
        let new = try XCTUnwrap(Executor(compiled: c, plan: now, registry: .standard).run().first).result
        for key in ["ZQ", "inversion"] {
            let (a, b) = (try XCTUnwrap(old.number(key)), try XCTUnwrap(new.number(key)))
            XCTAssertEqual(a, b, accuracy: 1e-8 * abs(a), key)
        }
        return (notes, old, new)
    }

    /// The planner records the revision of the cumulant steady-state iteration (plan.json's
    /// `solverRevision`, docs/physics.md §5.3.1; none for dynamics); a rerun of a bundle planned before
    /// revisions were recorded holds revision 1 (`ArchivedSpec.pinStorage`), whose forcing term differs
    /// and whose results agree with revision 2's only to the solver's tolerance.
    func testRerunHoldsTheSolverRevisionOfThePlanThatRan() throws {
        let (c, now) = try Self.cumulantChain450()
        XCTAssertEqual(now.points.map(\.solverRevision), [2])
        XCTAssertTrue(now.json().contains("\"solverRevision\" : 2"), now.json())
        XCTAssertEqual(try Self.cumulantChain450("evolve: {until: 1 /Gamma, samples: 2}").1.points.map(\.solverRevision), [nil])
        let (notes, old, new) = try Self.runPinnedAndCurrent(c, now, clearing: \.solverRevision)
        XCTAssertEqual(notes, ["point 0: solver revision 1 (none recorded) as in plan.json (this version would use 2)"])
        XCTAssertFalse(old.method.contains("Eisenstat"), old.method)
        XCTAssertTrue(new.method.contains("Eisenstat–Walker forcing"), new.method)
    }
}
