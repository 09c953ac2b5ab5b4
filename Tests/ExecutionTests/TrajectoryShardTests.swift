import ExactBackend
import Foundation
import Physics
import Planning
import SpecLanguage
import XCTest

@testable import Execution

/// Sharded runs that split the trajectory ensembles of the exact backend (`qfi-conditional`), not
/// only the sweep points, merge to the single run's results.json bytes.
final class TrajectoryShardTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try ShardFixture.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let spec = """
        dipolesync: 1
        name: trajectory-shard-test
        system:
          lattice: {shape: all-to-all, sites: 3}
          couplings: {uniform: {feff: 2.5 Gamma, geff: 1 Gamma}}
          pump: {rate: 1 Gamma}
        observables: [ZQ, {qfi-conditional: {trajectories: 6, until: 4 /Gamma}}]
        sweep:
          grid:
            system.pump.rate: {values: [1 Gamma, 2.5 Gamma]}
        solver: {backend: exact, seed: 13}

        """

    func compile() throws -> (CompiledSpec, ExecutionPlan) {
        let path = dir.appendingPathComponent("spec.yaml").path
        try Self.spec.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = SpecCompiler.compile(file: path)
        guard let compiled = outcome.compiled, !outcome.hasErrors else {
            XCTFail("fixture does not compile: \(outcome.diagnostics.map(\.message))")
            throw XCTSkip("fixture")
        }
        guard let plan = Planner().plan(compiled).plan else { XCTFail("fixture does not plan"); throw XCTSkip("fixture") }
        XCTAssertEqual(plan.points.map(\.backend), [.exact, .exact])
        return (compiled, plan)
    }

    func executor(_ c: CompiledSpec, _ p: ExecutionPlan, threads: Int) -> Executor {
        Executor(compiled: c, plan: p, registry: .standard, threads: threads)
    }

    /// Shard K of N as `run --shard K/N --trajectory-block 2` writes it; `drop` leaves units out.
    @discardableResult
    func writeShard(
        _ c: CompiledSpec, _ p: ExecutionPlan, _ s: ShardSpec, block: Int = 2, drop: Set<String> = [],
        name: String? = nil
    ) throws -> String {
        var e = executor(c, p, threads: 1)
        let split = try TrajectorySplit(executor: e, block: block)
        e.only = Set(split.ordinaryPoints(of: s, count: c.points.count))
        let outcomes = try e.run()
        let units = try TrajectorySplit.run(split.units(of: s).filter { !drop.contains($0.name) }, executor: e)
        let contents = ShardBundle.contents(
            compiled: c, plan: p, shard: s, outcomes: outcomes, units: units, split: split,
            threads: 1, totalSeconds: 0.25)
        return try BundleWriter.write(contents, to: dir.appendingPathComponent(name ?? s.folderName).path, force: false)
    }

    func testEverySplitOfTrajectoriesMergesToTheSingleRunBytes() throws {
        let (c, p) = try compile()
        let single = try executor(c, p, threads: 2).run()
        XCTAssertEqual(single.count, 2)
        for o in single {
            // Both values present, the conditional QFI from the 6 trajectories of the spec.
            XCTAssertNotNil(o.result.number("ZQ2"))
            XCTAssertNotNil(o.result.number("qfi-conditional"))
            XCTAssertEqual(o.result.diagnostics.first { $0.key == "qfi-conditional-trajectories" }?.value, .number(6))
        }
        let expected = ShardFixture.resultBytes(
            BundleWriter.contents(
                compiled: c, plan: p, outcomes: single, threads: 2,
                totalSeconds: 1
            ).files)
        XCTAssertNotNil(expected["results.json"])

        // Two points, each a base and three blocks of two trajectories: 8 units.
        let split = try TrajectorySplit(executor: executor(c, p, threads: 1), block: 2)
        XCTAssertEqual(split.points, [0, 1])
        XCTAssertEqual(split.units.count, 8)
        XCTAssertEqual(split.units.map(\.global), Array(0..<8))
        XCTAssertEqual(
            split.units.filter { $0.point == 1 }.map(\.part),
            [.base, .block(.diffusion, first: 0, count: 2), .block(.diffusion, first: 2, count: 2), .block(.diffusion, first: 4, count: 2)])

        for n in [1, 2, 3, 5] {
            let folder = dir.appendingPathComponent("split-\(n)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for k in 1...n {
                let s = try ShardSpec(k: k, n: n)
                XCTAssertEqual(split.units(of: s).map(\.global), split.units.map(\.global).filter { $0 % n == k - 1 })
                try writeShard(c, p, s, name: "split-\(n)/" + s.folderName)
            }
            let merged = try ShardBundle.merge(try ShardBundle.expand([folder.path]))
            XCTAssertEqual(merged.outcomes.map(\.index), [0, 1])
            let got = ShardFixture.resultBytes(merged.contents().files)
            XCTAssertEqual(Set(got.keys), Set(expected.keys), "\(n) shards")
            for (path, data) in expected {
                XCTAssertEqual(got[path], data, "\(path) differs after merging \(n) shards")
            }
        }
    }

    func testMissingOrDuplicatedTrajectoryUnitsAreNamed() throws {
        let (c, p) = try compile()
        let s1 = try writeShard(c, p, try ShardSpec(k: 1, n: 3))
        let s3 = try writeShard(c, p, try ShardSpec(k: 3, n: 3))
        // Shard 2 of 3 not given: units 1, 4, 7 (point 0's first block, point 1's base and last block).
        XCTAssertThrowsError(try ShardBundle.merge([s1, s3])) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("point 0 qfi-conditional trajectories 0…1 (unit 1) is missing"), text)
            XCTAssertTrue(text.contains("belongs to shard 2/3, which was not given"), text)
            XCTAssertTrue(text.contains("point 1 (base) (unit 4)"), text)
        }
        // Shard 2 given but without one trajectory block: the message names that shard's folder.
        let s2 = try writeShard(c, p, try ShardSpec(k: 2, n: 3), drop: ["point-000001-qfi-conditional-000004"])
        XCTAssertThrowsError(try ShardBundle.merge([s1, s2, s3])) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("point 1 qfi-conditional trajectories 4…5 (unit 7) is missing"), text)
            XCTAssertTrue(text.contains("but \(s2) lacks it"), text)
            XCTAssertFalse(text.contains("unit 1)"), text)
        }
        // A shard given twice.
        let full2 = try writeShard(c, p, try ShardSpec(k: 2, n: 3), name: "full-2")
        XCTAssertThrowsError(try ShardBundle.merge([s1, full2, s3, s1])) { e in
            XCTAssertTrue("\(e)".contains("given more than once, by \(s1) and \(s1)"), "\(e)")
        }
        XCTAssertNoThrow(try ShardBundle.merge([s1, full2, s3]))
        // Shards split with another block size do not mix.
        let other = try writeShard(c, p, try ShardSpec(k: 2, n: 3), block: 3, name: "block-3")
        XCTAssertThrowsError(try ShardBundle.merge([s1, other, s3])) { e in
            XCTAssertTrue("\(e)".contains("split differently"), "\(e)")
        }
    }

    /// A unit file round-trips every bit, and a damaged one is refused.
    func testUnitCodecRoundTrips() throws {
        let t = TrajectoryContribution(
            index: 4, c: [0.1, -0.0, .nan, 1.0 / 3], d: [], series: [[1e-300, .infinity, 2], [0, 0, 5e-324]],
            qfi: 2.0 / 3, jumps: 7)
        let u = TrajectoryUnitResult(
            unit: TrajectoryUnit(point: 3, part: .block(.diffusion, first: 4, count: 1), global: 9),
            work: PointWork(density: true, ensembles: [TrajectoryEnsemble(kind: .diffusion, count: 5)]),
            base: nil, contributions: [t], seconds: 0.5)
        let back = try TrajectoryUnitCodec.decode(TrajectoryUnitCodec.data(u))
        XCTAssertEqual(back.unit, u.unit)
        XCTAssertEqual(back.work, u.work)
        XCTAssertEqual(back.contributions.count, 1)
        let b = back.contributions[0]
        XCTAssertEqual(b.index, 4)
        XCTAssertEqual(b.jumps, 7)
        XCTAssertEqual(b.qfi.bitPattern, t.qfi.bitPattern)
        XCTAssertEqual(b.c.map(\.bitPattern), t.c.map(\.bitPattern))
        XCTAssertEqual(b.series.flatMap { $0 }.map(\.bitPattern), t.series.flatMap { $0 }.map(\.bitPattern))
        let text = String(decoding: TrajectoryUnitCodec.data(u), as: UTF8.self)
        XCTAssertThrowsError(try TrajectoryUnitCodec.decode(Data(text.prefix(text.count / 2).utf8)))
        XCTAssertThrowsError(try TrajectoryUnitCodec.decode(Data(text.replacingOccurrences(of: "\"index\":4", with: "\"index\":5").utf8)))
    }
}
