import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import TestSupport
import XCTest

@testable import Execution

/// Bundle plumbing: the one manifest type, the default output folders and the exit statuses
/// (docs/spec-language.md §11.2, §11.3).
final class PlumbingTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try ShardFixture.temporaryFolder()
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    /// The keys of a manifest's top level, in order.
    func keys(_ data: Data) throws -> [String] {
        guard case .object(let o) = try JSONWriter.parse(data) else { return [] }
        return o.map(\.0)
    }

    // MARK: manifest.json

    /// Every field, its key, order and formatting, pinned: this is manifest.json as dipolesync has
    /// always written it (a merged bundle, and a shard with a trajectory split).
    /// SHA-256 against Python's hashlib on messages around the 64-byte block and the 56-byte padding
    /// boundaries (bytes (7i + 3) mod 256), for the array, Data and string entry points.
    func testSHA256MatchesHashlibAtBlockBoundaries() {
        let expected: [(Int, String)] = [
            (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"),
            (56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"),
            (63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"),
            (64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"),
            (65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"),
            (119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"),
            (120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"),
            (128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"),
            (1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371")
        ]
        for (n, digest) in expected {
            let bytes = (0..<n).map { UInt8((7 * $0 + 3) % 256) }
            XCTAssertEqual(SHA256.hex(bytes), digest, "\(n) bytes")
            XCTAssertEqual(SHA256.hex(Data(bytes)), digest, "\(n) bytes as Data")
        }
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testTheManifestIsWrittenExactlyAsBefore() throws {
        let libraries = BundleManifest.Libraries(
            blas: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64",
            blasThreads: 1, blasKernels: "Haswell", blasKernelsPinned: true, architecture: "x86_64")
        let program = BundleManifest.Program(name: "dipolesync", version: "0.1.0", sourceRevision: "abc", sourceModified: false)
        let spec = BundleManifest.SpecRecord(name: "t", id: "0123456789ab", resolvedSHA256: "0123456789abcdef", points: 2)
        let bundle = BundleManifest(
            format: 1, kind: .bundle, program: program, spec: spec, seed: 7,
            backends: [.init(backend: "exact", points: 1), .init(backend: "cumulant", points: 1)], libraries: libraries, threads: 2,
            host: .init(name: "vm", os: "Debian GNU/Linux 12 (bookworm)", cores: 2, memoryBytes: 25276518400),
            created: "2026-11-22T05:00:47Z",
            timings: .init(totalSeconds: 0.5, points: [.init(index: 0, seconds: 0.25, solves: 19), .init(index: 1, seconds: 0.125)]),
            files: [.init(path: "spec.yaml", sha256: "aa"), .init(path: "tables/points.csv", sha256: "bb")],
            mergedFrom: [
                .init(shard: "1/2", path: "/x/shard-1", host: "vm", sourceRevision: "abc", points: 1),
                .init(shard: "2/2", path: "/x/shard-2", host: "vm", sourceRevision: "abc", points: 0, units: 3)
            ])
        let expectedBundle = """
            {
              "format": 1,
              "program": {
                "name": "dipolesync",
                "version": "0.1.0",
                "source-revision": "abc",
                "source-modified": false
              },
              "spec": {
                "name": "t",
                "id": "0123456789ab",
                "resolved-sha256": "0123456789abcdef",
                "points": 2
              },
              "seed": 7,
              "backends": {
                "exact": 1,
                "cumulant": 1
              },
              "libraries": {
                "blas": "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64",
                "blas-threads": 1,
                "blas-kernels": "Haswell",
                "blas-kernels-pinned": true,
                "architecture": "x86_64"
              },
              "threads": 2,
              "host": {
                "name": "vm",
                "os": "Debian GNU/Linux 12 (bookworm)",
                "cores": 2,
                "memory-bytes": 25276518400
              },
              "created": "2026-11-22T05:00:47Z",
              "timings": {
                "total-seconds": 0.5,
                "points": [
                  {
                    "index": 0,
                    "seconds": 0.25,
                    "solves": 19
                  },
                  {
                    "index": 1,
                    "seconds": 0.125
                  }
                ]
              },
              "files": {
                "spec.yaml": "aa",
                "tables/points.csv": "bb"
              },
              "merged-from": [
                {
                  "shard": "1/2",
                  "path": "/x/shard-1",
                  "host": "vm",
                  "source-revision": "abc",
                  "points": 1
                },
                {
                  "shard": "2/2",
                  "path": "/x/shard-2",
                  "host": "vm",
                  "source-revision": "abc",
                  "points": 0,
                  "units": 3
                }
              ]
            }

            """
        XCTAssertEqual(String(decoding: bundle.data, as: UTF8.self), expectedBundle)
        XCTAssertEqual(try BundleManifest(json: bundle.data), bundle, "reads back through the same type")

        let shard = BundleManifest(
            format: 1, kind: .shard, program: program, spec: spec,
            shard: .init(
                k: 1, n: 2, split: "round-robin", points: [], trajectorySplit: "units", trajectoryBlock: 4,
                trajectoryPoints: [0, 1], units: ["point-000000-base"]),
            seed: 13, libraries: libraries, threads: 1, host: .init(name: "vm", cores: 2), created: "2026-12-02T02:44:29Z",
            timings: .init(totalSeconds: 0.0625), files: [.init(path: "units/point-000000-base.json", sha256: "cc")])
        let expectedShard = """
            {
              "format": 1,
              "kind": "shard",
              "program": {
                "name": "dipolesync",
                "version": "0.1.0",
                "source-revision": "abc",
                "source-modified": false
              },
              "spec": {
                "name": "t",
                "id": "0123456789ab",
                "resolved-sha256": "0123456789abcdef",
                "points": 2
              },
              "shard": {
                "k": 1,
                "n": 2,
                "split": "round-robin",
                "points": [],
                "trajectory-split": "units",
                "trajectory-block": 4,
                "trajectory-points": [0, 1],
                "units": [
                  "point-000000-base"
                ]
              },
              "seed": 13,
              "libraries": {
                "blas": "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64",
                "blas-threads": 1,
                "blas-kernels": "Haswell",
                "blas-kernels-pinned": true,
                "architecture": "x86_64"
              },
              "threads": 1,
              "host": {
                "name": "vm",
                "cores": 2
              },
              "created": "2026-12-02T02:44:29Z",
              "timings": {
                "total-seconds": 0.0625
              },
              "files": {
                "units/point-000000-base.json": "cc"
              }
            }

            """
        XCTAssertEqual(String(decoding: shard.data, as: UTF8.self), expectedShard)
        XCTAssertEqual(try BundleManifest(json: shard.data), shard)
    }

    /// The committed bundles (written by earlier versions, some before the kernels were recorded)
    /// read back and write out again byte for byte.
    func testArchivedManifestsReadBackAndWriteOutByteForByte() throws {
        let archived = repositoryRoot.appendingPathComponent("outputs/archived")
        let bundles = try FileManager.default.contentsOfDirectory(atPath: archived.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertGreaterThanOrEqual(bundles.count, 4)
        for b in bundles {
            let data = try Data(contentsOf: archived.appendingPathComponent(b).appendingPathComponent("manifest.json"))
            let m = try BundleManifest(json: data)
            XCTAssertEqual(m.data, data, b)
            XCTAssertEqual(m.kind, .bundle, b)
            XCTAssertEqual(m.files.first?.path, "spec.yaml", "files in the order written: \(b)")
        }
    }

    /// What `run`, `run --shard` and `merge` write: the keys in the order of earlier versions, and
    /// the same manifest read back (by rerun's and merge's readers).
    func testRunShardAndMergeManifestsKeepTheirKeysAndReadBack() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let outcomes = try ShardFixture.executor(c, p, TestBackend(), threads: 1).run()
        let whole = BundleWriter.contents(compiled: c, plan: p, outcomes: outcomes, threads: 1, totalSeconds: 1)
        let wholeData = try XCTUnwrap(whole.data("manifest.json"))
        XCTAssertEqual(
            try keys(wholeData),
            [
                "format", "program", "spec", "seed", "backends", "libraries", "threads", "host", "created",
                "timings", "files"
            ])
        XCTAssertEqual(try BundleManifest(json: wholeData).data, wholeData)
        XCTAssertEqual(try BundleManifest(json: wholeData).files.map(\.path), whole.files.dropLast().map(\.path))

        let shards = try (1...2).map { try ShardFixture.writeShard(c, p, ShardSpec(k: $0, n: 2), into: dir) }
        let shardData = try Data(contentsOf: URL(fileURLWithPath: shards[0]).appendingPathComponent("manifest.json"))
        XCTAssertEqual(
            try keys(shardData),
            [
                "format", "kind", "program", "spec", "shard", "seed", "libraries", "threads", "host",
                "created", "timings", "files"
            ])
        let (manifest, files) = try BundleVerifier.check(shards[0])
        XCTAssertEqual(manifest.kind, .shard)
        XCTAssertEqual(manifest.data, shardData)
        XCTAssertEqual(files.map(\.path), manifest.files.map(\.path))
        XCTAssertEqual(try ShardBundle.load(shards[0]).manifest, manifest)

        let merged = try ShardBundle.merge(shards, registry: BackendRegistry([.meanField: TestBackend()])).contents()
        let mergedData = try XCTUnwrap(merged.data("manifest.json"))
        XCTAssertEqual(
            try keys(mergedData),
            [
                "format", "program", "spec", "seed", "backends", "libraries", "threads", "host", "created",
                "timings", "files", "merged-from"
            ])
        XCTAssertEqual(try BundleManifest(json: mergedData).mergedFrom?.map(\.shard), ["1/2", "2/2"])
        XCTAssertEqual(try BundleManifest(json: mergedData).data, mergedData)
    }

    /// rerun and merge load the archived spec alike: compiled with the bundle's catalog, checked
    /// against resolved.json and the manifest's spec id.
    func testTheArchivedSpecLoaderNamesWhatDoesNotMatch() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let outcomes = try ShardFixture.executor(c, p, TestBackend(), threads: 1).run()
        let path = try BundleWriter.write(
            BundleWriter.contents(compiled: c, plan: p, outcomes: outcomes, threads: 1, totalSeconds: 1),
            to: dir.appendingPathComponent("b").path, force: false)
        let manifest = try BundleManifest(folder: path)
        let archived = try ArchivedSpec(folder: path, manifest: manifest)
        XCTAssertEqual(archived.mismatches, [])
        XCTAssertEqual(BundleWriter.id(archived.compiled), manifest.spec.id)
        XCTAssertNotNil(archived.storedPlan)
        XCTAssertEqual(archived.plannedMemoryBudget, p.memoryBudget)
        var other = manifest
        other.spec.id = "000000000000"
        XCTAssertEqual(
            try ArchivedSpec(folder: path, manifest: other).mismatches,
            ["manifest.json names the spec id \"000000000000\", but spec.yaml resolves to \(manifest.spec.id)"])
        try "dipolesync: 1\nname: t\n".write(toFile: path + "/spec.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ArchivedSpec(folder: path, manifest: manifest)) { XCTAssertTrue($0 is ArchivedSpec.Failure, "\($0)") }
    }

    // MARK: default output folders

    func testTheDefaultOutputFolders() throws {
        let (c, _) = try ShardFixture.compile(in: dir)
        let id = BundleWriter.id(c)
        XCTAssertEqual(OutputTarget.defaultPath(for: c), "outputs/shard-test/\(id)")
        XCTAssertEqual(OutputTarget.defaultPath(for: c, shard: try ShardSpec(k: 3, n: 8)), "outputs/shard-test/\(id).shards/shard-3-of-8")
    }

    // MARK: exit statuses

    /// docs/spec-language.md §11.2 lists exactly the codes the program uses.
    func testTheExitCodeTableListsTheProgramsCodes() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/spec-language.md"), encoding: .utf8)
        let section = try XCTUnwrap(
            doc.components(separatedBy: "### 11.2 Exit codes").dropFirst().first?
                .components(separatedBy: "\n### ").first)
        let codes = section.split(separator: "\n").compactMap { line -> Int32? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return line.hasPrefix("|") ? cells.first.flatMap { Int32($0) } : nil
        }
        XCTAssertEqual(codes, ExitStatus.allCases.map(\.rawValue))
        XCTAssertEqual(ExitStatus.allCases.map(\.rawValue), [0, 1, 2, 3])
    }

    /// Each kind of error has its code in one place.
    func testEachErrorHasItsExitStatus() {
        let cases: [(Error, ExitStatus)] = [
            (TargetError("locked"), .usage),
            (SiteFileError("site.yaml:1:1: error: unknown key"), .usage),
            (BundleError.exists("/b"), .usage),
            (BundleError.invalid(file: "f", reason: "r"), .invalid),
            (BundleError.io("disk full"), .computation),
            (ShardError.invalid("missing shard"), .invalid),
            (ShardError.io("sbatch failed"), .computation),
            (ArchivedSpec.Failure(lines: ["spec.yaml:1:1: error: …"]), .invalid),
            (OutcomeCodec.DecodeError.invalid("bad point"), .invalid),
            (ExecutionError(point: 0, parameters: [], underlying: BackendError.numerical("no convergence")), .computation),
            (MachineMemoryError(needed: 2, available: 1), .computation),
            (ExitStatus.invalid, .invalid),
            (BackendError.numerical("anything else"), .computation)
        ]
        for (error, status) in cases { XCTAssertEqual(ExitStatus(for: error), status, "\(error)") }
        XCTAssertNil(ExitStatus.of(BackendError.numerical("not one of dipolesync's command errors")))
        XCTAssertEqual(ExitStatus.message(for: TargetError("x")), "error: x")
        XCTAssertEqual(ExitStatus.message(for: SiteFileError("s.yaml:1:1: error: y")), "s.yaml:1:1: error: y", "already a diagnostic")
    }
}
