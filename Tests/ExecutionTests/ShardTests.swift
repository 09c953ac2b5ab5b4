import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import XCTest

@testable import Execution

final class ShardTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try ShardFixture.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    // MARK: lossless outcomes

    func testOutcomeCodecRoundTripsEveryBit() throws {
        let oddNaN = Double(bitPattern: 0x7FF8_0000_0000_1234)
        let xs: [Double] = [0.1, 1.0 / 3, -0.0, 0.0, 5e-324, -1.7976931348623157e308, .infinity, -.infinity, .nan, oddNaN, 6.02214076e23]
        let result = PointResult(
            values: [
                ("ZQ", .number(0.25)), ("xs", .array(xs.map { .number($0) })), ("~a", .string("~b")),
                ("s", .string("plain \"quoted\"\n")), ("o", .object([("k", .null), ("b", .bool(false))])), ("ZQ", .number(-1))
            ],
            tables: [
                ResultTable(name: "t~", columns: ["~c", "d"], rows: [xs, xs.reversed()].map { Array($0.prefix(2)) } + [[.nan, oddNaN]]),
                ResultTable(
                    name: "correlations", columns: ["a", "b", "re", "im"],
                    storage: .pairProducts(re: Array(xs.prefix(3)), im: Array(xs.suffix(3)), diagonal: [0.5, -0.0, oddNaN]))
            ],
            method: "~method", diagnostics: [("d", .number(.infinity))])
        let o = PointOutcome(
            index: 41, parameters: [("system.pump.rate", 1.0 / 7), ("b", -0.0)], backend: .cumulant,
            result: result, optimum: ("system.pump.rate", 7.4, 23), seconds: 0.125)
        let back = try OutcomeCodec.decode(OutcomeCodec.data(o))
        func bits(_ v: ResultValue) -> String {
            switch v {
            case .number(let x): return "n\(x.bitPattern)"
            case .string(let s): return "s\(s)"
            case .bool(let b): return "b\(b)"
            case .null: return "null"
            case .array(let a): return "[" + a.map(bits).joined(separator: ",") + "]"
            case .object(let kv): return "{" + kv.map { "\($0.0)=\(bits($0.1))" }.joined(separator: ",") + "}"
            }
        }
        XCTAssertEqual(back.index, 41)
        XCTAssertEqual(back.backend, .cumulant)
        XCTAssertEqual(back.parameters.map(\.path), ["system.pump.rate", "b"])
        XCTAssertEqual(back.parameters.map(\.value.bitPattern), o.parameters.map(\.value.bitPattern))
        XCTAssertEqual(back.optimum?.path, "system.pump.rate")
        XCTAssertEqual(back.optimum?.value, 7.4)
        XCTAssertEqual(back.optimum?.evaluations, 23)
        XCTAssertEqual(back.seconds, 0.125)
        XCTAssertEqual(back.result.values.map(\.key), o.result.values.map(\.key))
        XCTAssertEqual(back.result.values.map { bits($0.value) }, o.result.values.map { bits($0.value) })
        XCTAssertEqual(back.result.tables.map(\.name), ["t~", "correlations"])
        XCTAssertEqual(back.result.tables[0].columns, ["~c", "d"])
        for i in 0..<2 {
            XCTAssertEqual(back.result.tables[i].rows.flatMap { $0 }.map(\.bitPattern), o.result.tables[i].rows.flatMap { $0 }.map(\.bitPattern))
        }
        // A factored table comes back as its factors (the checkpoint holds 3N numbers, not 4N²).
        guard case .pairProducts(let re, let im, let diagonal) = back.result.tables[1].storage else { return XCTFail("not factored") }
        XCTAssertEqual((re + im + diagonal).map(\.bitPattern), (Array(xs.prefix(3)) + Array(xs.suffix(3)) + [0.5, -0.0, oddNaN]).map(\.bitPattern))
        XCTAssertEqual(back.result.tables[1].rowCount, 9)
        XCTAssertEqual(back.result.method, "~method")
        XCTAssertEqual(back.result.diagnostics.map { bits($0.value) }, ["n\(Double.infinity.bitPattern)"])
        // Damaged point files are refused, never half-read.
        let text = String(decoding: OutcomeCodec.data(o), as: UTF8.self)
        XCTAssertThrowsError(try OutcomeCodec.decode(Data(text.prefix(text.count / 2).utf8)))
        XCTAssertThrowsError(try OutcomeCodec.decode(Data(text.replacingOccurrences(of: "\"~inf\"", with: "\"~bad\"").utf8)))
        XCTAssertThrowsError(try OutcomeCodec.decode(Data(text.replacingOccurrences(of: "\"point-format\": 1", with: "\"point-format\": 9").utf8)))
    }

    // MARK: shards

    func testShardSplitsArePartitions() throws {
        for (text, ok) in [
            ("1/1", true), ("3/8", true), ("8/8", true), ("0/4", false), ("5/4", false), ("1/0", false),
            ("a/b", false), ("3", false), ("-1/2", false), ("1/2/3", false)
        ] {
            XCTAssertEqual((try? ShardSpec(parsing: text)) != nil, ok, text)
        }
        for count in [0, 1, 7, 12, 100] {
            for n in 1...6 {
                let all = try (1...n).flatMap { try ShardSpec(k: $0, n: n).indices(of: count) }
                XCTAssertEqual(all.sorted(), Array(0..<count), "count \(count), n \(n)")
                for k in 1...n { XCTAssertTrue(try ShardSpec(k: k, n: n).indices(of: count).allSatisfy { $0 % n == k - 1 }) }
            }
        }
    }

    func testEverySplitIntoOneToFiveShardsMergesToTheSameBytesAsOneRun() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        XCTAssertEqual(c.points.count, 12)
        let single = try ShardFixture.executor(c, p, TestBackend(), threads: 2).run()
        let reference = BundleWriter.contents(compiled: c, plan: p, outcomes: single, threads: 2, totalSeconds: 1)
        let expected = ShardFixture.resultBytes(reference.files)
        XCTAssertGreaterThan(expected.count, 5)
        // The reference is nontrivial: points differ, NaN and infinities reach the tables.
        let results = String(decoding: expected["results.json"]!, as: UTF8.self)
        XCTAssertTrue(results.contains("\"maybe-nan\": null"))
        XCTAssertTrue(String(decoding: expected["tables/point-0003/timeseries.csv"]!, as: UTF8.self).contains(",inf"))
        XCTAssertEqual(Set(single.map { $0.result.number("ZQ2")! }).count, 12)

        for n in 1...5 {
            let folder = dir.appendingPathComponent("n\(n)")
            for k in 1...n { try ShardFixture.writeShard(c, p, try ShardSpec(k: k, n: n), into: folder) }
            let merged = try ShardBundle.merge(try ShardBundle.expand([folder.path]))
            XCTAssertEqual(merged.shards.count, n)
            let written = try BundleWriter.write(merged.contents(), to: dir.appendingPathComponent("merged-\(n)").path, force: false)
            for (path, data) in expected {
                let got = FileManager.default.contents(atPath: (written as NSString).appendingPathComponent(path))
                XCTAssertEqual(got, data, "\(path) after merging \(n) shards")
            }
            // The merged bundle passes the same checks as any bundle, and says where it came from.
            let listed = try BundleVerifier.verify(written)
            XCTAssertEqual(Set(listed.map(\.path)).intersection(expected.keys).count, expected.count)
            let manifest = try JSONWriter.parse(FileManager.default.contents(atPath: written + "/manifest.json")!)
            guard case .array(let from)? = manifest.field("merged-from") else { return XCTFail("no merged-from") }
            XCTAssertEqual(from.count, n)
            XCTAssertEqual(BundleWriter.id(merged.compiled), reference.id)
        }
    }

    func testShardBundlesListEveryFileAndTheirPoints() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let path = try ShardFixture.writeShard(c, p, try ShardSpec(k: 2, n: 5), into: dir)
        let loaded = try ShardBundle.load(path)
        XCTAssertEqual(loaded.outcomes.map(\.index), [1, 6, 11])
        XCTAssertEqual(loaded.shard, try ShardSpec(k: 2, n: 5))
        XCTAssertEqual(loaded.identity, SpecIdentity(c))
        let files = try FileManager.default.subpathsOfDirectory(atPath: path).filter { !$0.hasSuffix("points") }.sorted()
        XCTAssertEqual(
            files,
            [
                "manifest.json", "plan.json", "points/point-000001.json", "points/point-000006.json",
                "points/point-000011.json", "resolved.json", "results.json", "spec.yaml"
            ])
    }

    // MARK: bad input

    func testMergeRefusesShardsOfAnotherSpecMissingDuplicatedOrCorrupted() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let good = dir.appendingPathComponent("good")
        var paths: [String] = []
        for k in 1...4 { paths.append(try ShardFixture.writeShard(c, p, try ShardSpec(k: k, n: 4), into: good)) }
        XCTAssertNoThrow(try ShardBundle.merge(paths))

        func message(_ shards: [String]) -> String {
            do { _ = try ShardBundle.merge(shards); return "" } catch { return "\(error)" }
        }
        // Another spec (another seed): both sides named.
        let (c2, p2) = try ShardFixture.compile(in: dir, seed: 8, name: "other.yaml")
        let foreign = try ShardFixture.writeShard(c2, p2, try ShardSpec(k: 4, n: 4), into: dir.appendingPathComponent("other"))
        var m = message(Array(paths.prefix(3)) + [foreign])
        XCTAssertTrue(m.contains("different specs"), m)
        XCTAssertTrue(m.contains(foreign) && m.contains(paths[0]), m)
        // A missing shard: named as K/N.
        m = message([paths[0], paths[1], paths[3]])
        XCTAssertTrue(m.contains("missing") && m.contains("shard 3/4"), m)
        XCTAssertTrue(m.contains("2, 6, 10"), m)
        // A duplicated shard: both copies named.
        let copy = dir.appendingPathComponent("copy-of-2").path
        try FileManager.default.copyItem(atPath: paths[1], toPath: copy)
        m = message(paths + [copy])
        XCTAssertTrue(m.contains("more than once") && m.contains(paths[1]) && m.contains(copy), m)
        // Shards of another split mixed in: points twice.
        let other = try ShardFixture.writeShard(c, p, try ShardSpec(k: 1, n: 3), into: dir.appendingPathComponent("n3"))
        XCTAssertTrue(message(paths + [other]).contains("more than once"))

        // Corrupted: a changed number (hash mismatch), a truncated point with a re-signed manifest,
        // a truncated manifest, a deleted point file. Each names the shard.
        let fm = FileManager.default
        func corrupt(_ name: String, _ change: (String) throws -> Void) throws -> String {
            let d = dir.appendingPathComponent(name).path
            try fm.copyItem(atPath: paths[2], toPath: d)
            try change(d)
            return message([paths[0], paths[1], d, paths[3]])
        }
        m = try corrupt("flipped") { d in
            let f = d + "/points/point-000006.json"
            let s = try String(contentsOfFile: f, encoding: .utf8)
            try s.replacingOccurrences(of: "\"index\": 6", with: "\"index\": 7").write(toFile: f, atomically: true, encoding: .utf8)
        }
        XCTAssertTrue(m.contains("flipped") && m.contains("SHA-256"), m)
        m = try corrupt("truncated-point") { d in
            let f = d + "/points/point-000002.json"
            let s = try String(contentsOfFile: f, encoding: .utf8)
            let cut = String(s.prefix(s.count / 2))
            try cut.write(toFile: f, atomically: true, encoding: .utf8)
            let mf = d + "/manifest.json"
            let old = SHA256.hex(s), new = SHA256.hex(cut)
            try String(contentsOfFile: mf, encoding: .utf8).replacingOccurrences(of: old, with: new).write(
                toFile: mf, atomically: true, encoding: .utf8)
        }
        XCTAssertTrue(m.contains("truncated-point") && m.contains("point-000002.json") && m.contains("malformed"), m)
        m = try corrupt("truncated-manifest") { d in
            let mf = d + "/manifest.json"
            let s = try String(contentsOfFile: mf, encoding: .utf8)
            try String(s.prefix(100)).write(toFile: mf, atomically: true, encoding: .utf8)
        }
        XCTAssertTrue(m.contains("truncated-manifest") && m.contains("manifest.json"), m)
        m = try corrupt("deleted") { d in try fm.removeItem(atPath: d + "/points/point-000010.json") }
        XCTAssertTrue(m.contains("deleted") && m.contains("missing"), m)
        // Another build: another source revision, or the same revision with uncommitted changes.
        func rebuilt(_ name: String, _ edit: @escaping (String) -> String) throws -> String {
            try corrupt(name) { d in
                let mf = d + "/manifest.json"
                try edit(try String(contentsOfFile: mf, encoding: .utf8)).write(toFile: mf, atomically: true, encoding: .utf8)
            }
        }
        let revision = ProgramInfo.sourceRevision.revision
        m = try rebuilt("other-revision") {
            $0.replacingOccurrences(of: "\"source-revision\": \"\(revision)\"", with: "\"source-revision\": \"0123456789abcdef\"")
        }
        XCTAssertTrue(m.contains("different builds") && m.contains("other-revision (0123456789ab"), m)
        let modified = !ProgramInfo.sourceRevision.dirty
        m = try rebuilt("other-tree") { $0.replacingOccurrences(of: "\"source-modified\": \(!modified)", with: "\"source-modified\": \(modified)") }
        XCTAssertTrue(m.contains("different builds") && m.contains("other-tree"), m)
        XCTAssertTrue(m.contains("\(revision.prefix(12)) modified"), m)
        // A complete (non-shard) bundle is not a shard.
        let full = try BundleWriter.write(
            BundleWriter.contents(
                compiled: c, plan: p, outcomes: try ShardFixture.executor(c, p, TestBackend()).run(),
                threads: 1, totalSeconds: 0), to: dir.appendingPathComponent("full").path, force: false)
        XCTAssertTrue(message([full]).contains("not a shard bundle"))
        XCTAssertThrowsError(try ShardBundle.expand([dir.appendingPathComponent("nowhere").path]))
        XCTAssertThrowsError(try ShardBundle.expand([dir.appendingPathComponent("good/shard-1-of-4/points").path]))
    }

    // MARK: resume

    func testAnInterruptedRunResumesToTheSameBytes() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let reference = ShardFixture.resultBytes(
            BundleWriter.resultFiles(compiled: c, outcomes: try ShardFixture.executor(c, p, TestBackend()).run()))
        let target = dir.appendingPathComponent("bundle").path
        var notes: [String] = []

        // A crash at point 5 with one worker: points 0…4 are kept, each as a whole file.
        let crashing = CheckpointedRun(executor: ShardFixture.executor(c, p, TestBackend(failAt: 5), threads: 1), target: target, resume: false)
        XCTAssertThrowsError(try crashing.run())
        XCTAssertEqual(crashing.checkpointedPoints, 5)
        let folder = Checkpoint.folder(forBundleAt: target)
        XCTAssertEqual(folder.lastPathComponent, ".bundle.checkpoint")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))

        // Resume: only the 7 remaining points are computed, and the results are the same bytes.
        let backend = TestBackend()
        let resumed = CheckpointedRun(executor: ShardFixture.executor(c, p, backend), target: target, resume: true, note: { notes.append($0) })
        let outcomes = try resumed.run()
        XCTAssertEqual(backend.solvedPoints, Array(5..<12))
        XCTAssertEqual(ShardFixture.resultBytes(BundleWriter.resultFiles(compiled: c, outcomes: outcomes)), reference)
        XCTAssertTrue(notes.contains { $0.contains("5 of 12") }, "\(notes)")

        // Without --resume, an old checkpoint is discarded with a note and everything is computed.
        notes = []
        let fresh = TestBackend()
        _ = try CheckpointedRun(executor: ShardFixture.executor(c, p, fresh), target: target, resume: false, note: { notes.append($0) }).run()
        XCTAssertEqual(fresh.solvedPoints, Array(0..<12))
        XCTAssertTrue(notes.contains { $0.contains("discarding") }, "\(notes)")

        // A damaged point file (and a stray temporary file) in the checkpoint: that point is computed again.
        let again = TestBackend()
        try "{\"point-format\": 1, \"index\": 3".write(to: folder.appendingPathComponent("point-000003.json"), atomically: true, encoding: .utf8)
        try "junk".write(to: folder.appendingPathComponent(".tmp-1-x"), atomically: true, encoding: .utf8)
        notes = []
        let repaired = try CheckpointedRun(executor: ShardFixture.executor(c, p, again), target: target, resume: true, note: { notes.append($0) })
            .run()
        XCTAssertEqual(again.solvedPoints, [3])
        XCTAssertEqual(ShardFixture.resultBytes(BundleWriter.resultFiles(compiled: c, outcomes: repaired)), reference)
        XCTAssertTrue(notes.contains { $0.contains("damaged") }, "\(notes)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".tmp-1-x").path))

        // A checkpoint of another spec is refused with --resume.
        let (c2, p2) = try ShardFixture.compile(in: dir, seed: 8, name: "other.yaml")
        XCTAssertThrowsError(try CheckpointedRun(executor: ShardFixture.executor(c2, p2, TestBackend()), target: target, resume: true).run()) { e in
            XCTAssertTrue("\(e)".contains("another computation"), "\(e)")
        }
        // Resuming with nothing to resume starts from the beginning.
        let empty = TestBackend()
        let other = dir.appendingPathComponent("elsewhere").path
        _ = try CheckpointedRun(executor: ShardFixture.executor(c, p, empty), target: other, resume: true).run()
        XCTAssertEqual(empty.solvedPoints.count, 12)
    }

    func testAnInterruptedShardResumesAndMerges() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let single = try ShardFixture.executor(c, p, TestBackend()).run()
        let expected = ShardFixture.resultBytes(BundleWriter.resultFiles(compiled: c, outcomes: single))
        let folder = dir.appendingPathComponent("shards")
        let s1 = try ShardSpec(k: 1, n: 2)
        try ShardFixture.writeShard(c, p, try ShardSpec(k: 2, n: 2), into: folder)
        // Shard 1/2 crashes at its third point (index 4), then resumes.
        let target = folder.appendingPathComponent(s1.folderName).path
        var e = ShardFixture.executor(c, p, TestBackend(failAt: 4), threads: 1)
        e.only = Set(s1.indices(of: 12))
        XCTAssertThrowsError(try CheckpointedRun(executor: e, target: target, resume: false).run())
        let backend = TestBackend()
        var e2 = ShardFixture.executor(c, p, backend)
        e2.only = Set(s1.indices(of: 12))
        let run = CheckpointedRun(executor: e2, target: target, resume: true)
        let outcomes = try run.run()
        XCTAssertEqual(backend.solvedPoints, [4, 6, 8, 10])
        _ = try BundleWriter.write(
            ShardBundle.contents(compiled: c, plan: p, shard: s1, outcomes: outcomes, threads: 2, totalSeconds: 0),
            to: target, force: false)
        run.checkpoint.remove()
        // The hidden checkpoint is gone and not taken for a shard.
        XCTAssertEqual(try ShardBundle.expand([folder.path]).count, 2)
        let merged = try ShardBundle.merge(try ShardBundle.expand([folder.path]))
        XCTAssertEqual(ShardFixture.resultBytes(merged.contents().files), expected)
    }
}
