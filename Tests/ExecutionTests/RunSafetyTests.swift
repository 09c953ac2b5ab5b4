import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import XCTest

@testable import Execution

/// What `run`, `merge`, `submit` and `rerun` may and may not do to the user's files, and what they
/// accept as a bundle.
final class RunSafetyTests: XCTestCase {
    static let spec = """
        dipolesync: 1
        name: safety
        system:
          lattice: {shape: all-to-all, sites: 4}
          couplings: {uniform: {feff: 2 Gamma}}
          pump: {rate: 1 Gamma}
        observables: [ZQ, inversion]
        sweep:
          grid:
            system.pump.rate: [1 Gamma, 2 Gamma, 3 Gamma]
        solver: {seed: 5}

        """

    var dir: URL!
    var specPath: String { dir.appendingPathComponent("s.yaml").path }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else {
            throw XCTSkip("the dipolesync binary is not built next to the tests")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let d = dir!
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        try Self.spec.write(toFile: specPath, atomically: true, encoding: .utf8)
    }

    func run(_ args: [String], cwd: URL? = nil) throws -> CLITests.Output {
        try CLITests.run(args, cwd: cwd ?? dir)
    }

    func path(_ p: String) -> String { dir.appendingPathComponent(p).path }

    /// Writes a bundle with `run` and returns its path.
    func bundle(_ name: String = "b", extra: [String] = []) throws -> String {
        let r = try run(["run", specPath, "--out", path(name), "--quiet"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return path(name)
    }

    /// Rewrites a bundle file and its hash in the manifest, as if the bundle had been made that way.
    func resign(_ bundle: String, _ file: String, _ edit: (String) -> String) throws {
        let url = URL(fileURLWithPath: bundle).appendingPathComponent(file)
        let text = edit(try String(contentsOf: url, encoding: .utf8))
        try text.write(to: url, atomically: true, encoding: .utf8)
        let murl = URL(fileURLWithPath: bundle).appendingPathComponent("manifest.json")
        var m = try String(contentsOf: murl, encoding: .utf8)
        let r = try XCTUnwrap(m.range(of: "\"\(file)\": \"[0-9a-f]{64}\"", options: .regularExpression))
        m.replaceSubrange(r, with: "\"\(file)\": \"\(SHA256.hex(Array(text.utf8)))\"")
        try m.write(to: murl, atomically: true, encoding: .utf8)
    }

    // MARK: 1. --force replaces only what dipolesync wrote

    func testForceNeverReplacesAFileAFolderOrTheCurrentFolder() throws {
        let fm = FileManager.default
        // A regular file.
        try "precious".write(toFile: path("notes.txt"), atomically: true, encoding: .utf8)
        var r = try run(["run", specPath, "--out", path("notes.txt"), "--force", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("is a regular file"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("notes.txt"), encoding: .utf8), "precious")
        // A folder dipolesync did not write.
        try fm.createDirectory(atPath: path("thesis"), withIntermediateDirectories: true)
        try "chapter".write(toFile: path("thesis/ch1.tex"), atomically: true, encoding: .utf8)
        r = try run(["run", specPath, "--out", path("thesis"), "--force", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("dipolesync did not write"), r.stderr)
        XCTAssertTrue(fm.fileExists(atPath: path("thesis/ch1.tex")))
        // The current folder, and a folder holding it (even if it were a bundle).
        let b = try bundle()
        r = try run(["run", specPath, "--out", ".", "--force", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("current folder"), r.stderr)
        try fm.createDirectory(atPath: b + "/figures/inner", withIntermediateDirectories: true)
        r = try run(["run", specPath, "--out", b, "--force", "--quiet"], cwd: URL(fileURLWithPath: b + "/figures/inner"))
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("current folder or holds it"), r.stderr)
        try fm.removeItem(atPath: b + "/figures/inner")
        XCTAssertTrue(fm.fileExists(atPath: path("s.yaml")) && fm.fileExists(atPath: path("notes.txt")))
        // A bundle it wrote is replaced; a shard bundle is not taken for one.
        r = try run(["run", specPath, "--out", b, "--force", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try run(["run", specPath, "--shard", "1/1", "--out", b, "--force", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("result bundle"), r.stderr)
    }

    func testMergeAndSubmitForceRefuseForeignFolders() throws {
        let fm = FileManager.default
        XCTAssertEqual(try run(["run", specPath, "--shard", "1/1", "--out", path("shards/shard-1-of-1"), "--quiet"]).status, 0)
        try fm.createDirectory(atPath: path("data"), withIntermediateDirectories: true)
        try "keep".write(toFile: path("data/raw.h5"), atomically: true, encoding: .utf8)
        var r = try run(["merge", path("shards"), "--out", path("data"), "--force"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(fm.fileExists(atPath: path("data/raw.h5")))
        r = try run(["merge", path("shards"), "--out", path("notes"), "--force"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // submit --force: the work folder BUNDLE.slurm must be an earlier submission's.
        try fm.createDirectory(atPath: path("sub.slurm"), withIntermediateDirectories: true)
        try "keep".write(toFile: path("sub.slurm/job.sh"), atomically: true, encoding: .utf8)
        r = try run(["submit", specPath, "--slurm", "--out", path("sub"), "--force"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("dipolesync did not write"), r.stderr)
        XCTAssertTrue(fm.fileExists(atPath: path("sub.slurm/job.sh")))
        // The submission folder carries a manifest that marks it (and merge still reads its shards).
        XCTAssertEqual(OutputTarget.recognised(path("sub.slurm")), nil)
        try fm.removeItem(atPath: path("sub.slurm"))
        try fm.createDirectory(atPath: path("sub.slurm"), withIntermediateDirectories: true)
        let sub = SlurmSubmission(
            name: "safety", executable: "/x", spec: "/s", workFolder: path("sub.slurm"), target: path("sub"),
            tasks: 1, settings: SlurmSettings(), force: false, directory: "/")
        try Data(JSONWriter.write(sub.manifest(specID: "abc")).utf8).write(to: URL(fileURLWithPath: path("sub.slurm/manifest.json")))
        XCTAssertEqual(OutputTarget.recognised(path("sub.slurm")), .submission)
        try fm.moveItem(atPath: path("shards/shard-1-of-1"), toPath: path("sub.slurm/shard-1-of-1"))
        XCTAssertEqual(try ShardBundle.expand([path("sub.slurm")]), [path("sub.slurm/shard-1-of-1")])
    }

    // MARK: 2. leftovers, locks, checkpoints, idempotent resume

    func testStaleLeftoversOfKilledRunsAreRemovedAndNothingElse() throws {
        let fm = FileManager.default
        let dead = "4999999"   // above Linux's largest PID
        for name in [
            ".b.partial-\(dead)", ".b.old-\(dead)", ".b.partial-\(dead)x", ".b.partial-", ".bb.partial-\(dead)",
            ".b.partial-\(ProcessInfo.processInfo.processIdentifier)", "b.partial-\(dead)"
        ] {
            try fm.createDirectory(atPath: path(name + "/x"), withIntermediateDirectories: true)
        }
        let r = try run(["run", specPath, "--out", path("b"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let left = Set(try fm.contentsOfDirectory(atPath: dir.path))
        XCTAssertFalse(left.contains(".b.partial-\(dead)"))
        XCTAssertFalse(left.contains(".b.old-\(dead)"))
        for kept in [
            ".b.partial-\(dead)x", ".b.partial-", ".bb.partial-\(dead)", ".b.partial-\(ProcessInfo.processInfo.processIdentifier)",
            "b.partial-\(dead)"
        ] {
            XCTAssertTrue(left.contains(kept), kept)
        }
        XCTAssertFalse(left.contains(".b.lock"), "the lock file is removed when the run ends")
        XCTAssertFalse(left.contains(".b.checkpoint"))
    }

    func testAKilledReplacementIsRestored() throws {
        let b = try bundle()
        try FileManager.default.moveItem(atPath: b, toPath: path(".b.old-4999999"))
        let r = try run(["run", specPath, "--out", b, "--quiet"])
        XCTAssertEqual(r.status, 2, "the restored bundle is there again: " + r.stderr)
        XCTAssertTrue(r.stderr.contains("restored"), r.stderr)
        XCTAssertNoThrow(try BundleVerifier.verify(b))
    }

    func testASecondRunIntoTheSameTargetFailsAtOnce() throws {
        let lock = try TargetLock.acquire(for: path("b"))
        let r = try run(["run", specPath, "--out", path("b"), "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("another dipolesync is writing"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path(".b.checkpoint")))
        lock.release()
        XCTAssertEqual(try run(["run", specPath, "--out", path("b"), "--quiet"]).status, 0)
    }

    func testResumingAFinishedRunSucceeds() throws {
        let b = try bundle()
        var r = try run(["run", specPath, "--out", b, "--resume", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, b + "\n")
        XCTAssertTrue(r.stderr.contains("already complete"), r.stderr)
        // A requeued Slurm task: --resume --force on its finished shard.
        let s = path("shard-1-of-2")
        XCTAssertEqual(try run(["run", specPath, "--shard", "1/2", "--out", s, "--quiet"]).status, 0)
        r = try run(["run", specPath, "--shard", "1/2", "--out", s, "--resume", "--force", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("already complete"), r.stderr)
        // Another shard's folder is not "complete" for this one.
        r = try run(["run", specPath, "--shard", "2/2", "--out", s, "--resume", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
    }

    func testARunFailingBeforeItsFirstPointLeavesNoCheckpoint() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let target = path("cp-bundle")
        let run = CheckpointedRun(executor: ShardFixture.executor(c, p, TestBackend(failAt: 0), threads: 1), target: target, resume: false)
        XCTAssertThrowsError(try run.run())
        XCTAssertFalse(FileManager.default.fileExists(atPath: Checkpoint.folder(forBundleAt: target).path))
    }

    func testOnlyACheckpointFolderIsRemovedAsOne() throws {
        let fm = FileManager.default
        // Something of the user's that happens to have the checkpoint's name: kept, and the run says why it fails.
        try "mine".write(toFile: path(".b.checkpoint"), atomically: true, encoding: .utf8)
        var r = try run(["run", specPath, "--out", path("b"), "--quiet"])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot create the checkpoint \(path(".b.checkpoint")): something else is already there"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: path(".b.checkpoint"), encoding: .utf8), "mine")
        try fm.removeItem(atPath: path(".b.checkpoint"))
        try fm.createDirectory(atPath: path(".b.checkpoint"), withIntermediateDirectories: true)
        try "mine".write(toFile: path(".b.checkpoint/notes.txt"), atomically: true, encoding: .utf8)
        Checkpoint(forBundleAt: path("b"), identity: SpecIdentity(resolvedSHA256: "x", programVersion: "y", points: 1)).remove()
        XCTAssertTrue(fm.fileExists(atPath: path(".b.checkpoint/notes.txt")))
        r = try run(["run", specPath, "--out", path("c"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(fm.fileExists(atPath: path(".c.checkpoint")))
    }

    func testAHandEditedCheckpointPointIsComputedAgain() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        let target = path("cp-bundle")
        XCTAssertThrowsError(
            try CheckpointedRun(
                executor: ShardFixture.executor(c, p, TestBackend(failAt: 5), threads: 1),
                target: target, resume: false
            ).run())
        let file = Checkpoint.folder(forBundleAt: target).appendingPathComponent("point-000002.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        let r = try XCTUnwrap(text.range(of: #""ZQ",\s*[-0-9.e+]+"#, options: .regularExpression), text)
        text.replaceSubrange(r, with: "\"ZQ\", 0.987654")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let backend = TestBackend()
        var notes: [String] = []
        let outcomes = try CheckpointedRun(
            executor: ShardFixture.executor(c, p, backend), target: target, resume: true,
            note: { notes.append($0) }
        ).run()
        XCTAssertEqual(backend.solvedPoints, [2] + Array(5..<12))
        XCTAssertTrue(notes.contains { $0.contains("point-000002.json") && $0.contains("SHA-256") }, "\(notes)")
        let reference = try ShardFixture.executor(c, p, TestBackend()).run()
        XCTAssertEqual(
            ShardFixture.resultBytes(BundleWriter.resultFiles(compiled: c, outcomes: outcomes)),
            ShardFixture.resultBytes(BundleWriter.resultFiles(compiled: c, outcomes: reference)))
    }

    // MARK: 3. integrity

    func testABundleHoldsOnlyItsListedFilesAndNoLinks() throws {
        let b = try bundle()
        try "x".write(toFile: b + "/tables/extra.csv", atomically: true, encoding: .utf8)
        var r = try run(["rerun", b, "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("tables/extra.csv") && r.stderr.contains("not listed"), r.stderr)
        try FileManager.default.removeItem(atPath: b + "/tables/extra.csv")
        // A listed file replaced by a link to an identical copy outside the bundle.
        try FileManager.default.moveItem(atPath: b + "/results.json", toPath: path("outside.json"))
        try FileManager.default.createSymbolicLink(atPath: b + "/results.json", withDestinationPath: path("outside.json"))
        r = try run(["rerun", b, "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("symbolic link"), r.stderr)
        try FileManager.default.removeItem(atPath: b + "/results.json")
        try FileManager.default.moveItem(atPath: path("outside.json"), toPath: b + "/results.json")
        XCTAssertEqual(try run(["rerun", b, "--quiet"]).status, 0)
        // A shard with an extra file is not merged.
        XCTAssertEqual(try run(["run", specPath, "--shard", "1/1", "--out", path("shards/shard-1-of-1"), "--quiet"]).status, 0)
        try "x".write(toFile: path("shards/shard-1-of-1/points/notes.txt"), atomically: true, encoding: .utf8)
        r = try run(["merge", path("shards"), "--out", path("merged")])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("points/notes.txt"), r.stderr)
    }

    func testRerunChecksTheResolvedSpecThePlanAndTheKindOfBundle() throws {
        let b = try bundle()
        try FileManager.default.copyItem(atPath: b, toPath: path("seed"))
        try resign(path("seed"), "resolved.json") { $0.replacingOccurrences(of: "\"seed\": 5", with: "\"seed\": 999") }
        var r = try run(["rerun", path("seed"), "--quiet"])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("NOT reproduced") && r.stdout.contains("resolved.json"), r.stdout)
        // The plan: another backend fails; other estimates are a note.
        try FileManager.default.copyItem(atPath: b, toPath: path("plan"))
        try resign(path("plan"), "plan.json") {
            $0.replacingOccurrences(of: "\"backend\" : \"permutation-symmetric\"", with: "\"backend\" : \"exact\"")
        }
        r = try run(["rerun", path("plan"), "--quiet"])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("backend was \"exact\""), r.stdout)
        try FileManager.default.copyItem(atPath: b, toPath: path("estimate"))
        try resign(path("estimate"), "plan.json") { t in
            t.replacingOccurrences(of: #""flops" : [0-9.e+]+"#, with: "\"flops\" : 1", options: .regularExpression)
        }
        r = try run(["rerun", path("estimate"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("estimate of 3 points changed"), r.stdout)
        // A shard bundle.
        XCTAssertEqual(try run(["run", specPath, "--shard", "1/2", "--out", path("sh"), "--quiet"]).status, 0)
        r = try run(["rerun", path("sh"), "--quiet"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("shard bundle") && r.stderr.contains("merge"), r.stderr)
    }

    func testACatalogWithAnchorsMergeKeysAndFlowStyleIsArchivedFaithfully() throws {
        let cat = dir.appendingPathComponent("cat")
        try FileManager.default.createDirectory(at: cat, withIntermediateDirectories: true)
        try """
        catalog: 1
        common: &common
          linewidth: {value: 290e3 /s, source: "shared linewidth"}
          spacing: &sp {value: 200 nm, source: "lattice"}
        species:
          - {id: flow-atom, description: "flow style", wavelength: {value: 2.6 um, source: a}, linewidth: {value: 1e5 /s, source: b}}
          - id: anchored-atom
            <<: *common
            description: merged keys
            wavelength: {value: 0.7 um, source: "c"}
          - id: alias-atom
            wavelength: {value: 1.1 um, source: d}
            linewidth: {value: 3e4 /s, source: e}
            spacing: *sp
            pump: {three-level: {decay: {value: 30 MHz, source: "f"}}}

        """.write(to: cat.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        for species in ["flow-atom", "anchored-atom", "alias-atom"] {
            let spec = Self.spec.replacingOccurrences(of: "name: safety\nsystem:\n", with: "name: safety\nsystem:\n  species: \(species)\n")
                .replacingOccurrences(of: "{shape: all-to-all, sites: 4}", with: "{shape: chain, sites: 3, spacing: 0.1 lambda}")
                .replacingOccurrences(of: "couplings: {uniform: {feff: 2 Gamma}}", with: "couplings: dipolar")
            try spec.write(toFile: path("\(species).yaml"), atomically: true, encoding: .utf8)
            var r = try run(["run", path("\(species).yaml"), "--catalog", cat.path, "--out", path(species), "--quiet"])
            XCTAssertEqual(r.status, 0, species + ": " + r.stderr)
            let archived = try String(contentsOfFile: path(species + "/catalog.yaml"), encoding: .utf8)
            XCTAssertTrue(archived.contains("id: \"\(species)\""), archived)
            XCTAssertFalse(archived.contains("*") || archived.contains("<<") || archived.contains("flow-atom") && species != "flow-atom", archived)
            r = try run(["rerun", path(species), "--quiet"])
            XCTAssertEqual(r.status, 0, species + ": " + r.stdout + r.stderr)
            XCTAssertTrue(r.stdout.contains("reproduced: ") && !r.stdout.contains("NOT"), r.stdout)
        }
    }

    func testEveryShippedCatalogEntryReadsBackFromItsArchiveBitForBit() throws {
        let shipped = Catalog(folders: [CLITests.root.appendingPathComponent("specs/catalog").path])
        XCTAssertFalse(shipped.ids.isEmpty)
        for s in shipped.species.values {
            var back = Catalog()
            back.load(bytes: Array(Catalog.file(holding: [s]).utf8), path: "catalog.yaml")
            XCTAssertTrue(back.problems.isEmpty, "\(s.id): \(back.problems.map(\.message))")
            let b = try XCTUnwrap(back[s.id], s.id)
            XCTAssertEqual(b.wavelength.bitPattern, s.wavelength.bitPattern, s.id)
            XCTAssertEqual(b.linewidth.bitPattern, s.linewidth.bitPattern, s.id)
            XCTAssertEqual(b.spacing?.bitPattern, s.spacing?.bitPattern, s.id)
            XCTAssertEqual(b.pumpDecay?.bitPattern, s.pumpDecay?.bitPattern, s.id)
            XCTAssertEqual(b.pumpCrossSection?.bitPattern, s.pumpCrossSection?.bitPattern, s.id)
            XCTAssertEqual(b.pumpWavelength?.bitPattern, s.pumpWavelength?.bitPattern, s.id)
            XCTAssertEqual(b.sources, s.sources, s.id)
            XCTAssertEqual(b.description, s.description, s.id)
        }
    }

    // MARK: 4. messages and usage errors

    func testUnwritableTargetsAreFoundBeforeComputing() throws {
        try "x".write(toFile: path("file"), atomically: true, encoding: .utf8)
        var r = try run(["run", specPath, "--out", path("file/sub/b")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot create \(path("file/sub/b")): a parent (\(path("file"))) is a regular file"), r.stderr)
        XCTAssertFalse(r.stderr.contains("point 1/"), "nothing computed: " + r.stderr)
        try FileManager.default.createSymbolicLink(atPath: path("dangling"), withDestinationPath: path("nowhere/b"))
        r = try run(["run", specPath, "--out", path("dangling")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("symbolic link"), r.stderr)
        XCTAssertFalse(r.stderr.contains("point 1/"), "nothing computed: " + r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("nowhere")))
        XCTAssertEqual(IOMessage.reason(NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))), "no space left on device")
        XCTAssertEqual(IOMessage.reason(CocoaError(.fileWriteOutOfSpace)), "no space left on device")
        XCTAssertEqual(
            IOMessage.reason(
                NSError(
                    domain: NSCocoaErrorDomain, code: 4, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOTDIR))])),
            "a parent is a regular file")
    }

    func testAPointLargerThanTheMachineFailsBeforeAllocating() throws {
        let (c, p) = try ShardFixture.compile(in: dir)
        var plan = p
        plan.points[3].estimate.memoryBytes = 1 << 50
        let backend = TestBackend()
        var e = Executor(compiled: c, plan: plan, registry: BackendRegistry([.meanField: backend]))
        e.machineMemory = 16 << 30
        XCTAssertThrowsError(try e.run()) { error in
            XCTAssertTrue("\(error)".contains("point 3") && "\(error)".contains("more than this machine's 16.0 GiB"), "\(error)")
        }
        XCTAssertEqual(backend.solvedPoints, [], "nothing computed")
    }

    func testBadRerunOptionsAreUsageErrors() throws {
        let b = try bundle()
        for args in [["--rtol", "inf"], ["--rtol", "nan"], ["--rtol", "-1"], ["--threads", "0"]] {
            let r = try run(["rerun", b, "--quiet"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
        }
    }

    func testSubmitQuotesModulesAndRejectsLineBreaks() throws {
        var r = try run(["submit", specPath, "--slurm", "--dry-run", "--module", "gcc; touch /tmp/pwned", "--out", path("sub")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("module load 'gcc; touch /tmp/pwned'"), r.stdout)
        r = try run(["submit", specPath, "--slurm", "--dry-run", "--sbatch", "--x=1\nrm -rf ~", "--out", path("sub")])
        XCTAssertEqual(r.status, 2, r.stderr)
        try "modules: [\"a\\nb\"]\n".write(toFile: path("site.yaml"), atomically: true, encoding: .utf8)
        r = try run(["submit", specPath, "--slurm", "--dry-run", "--site", path("site.yaml"), "--out", path("sub")])
        XCTAssertEqual(r.status, 2, r.stderr)
        try "modules: \"a\\rb\"\n".write(toFile: path("site.yaml"), atomically: true, encoding: .utf8)
        r = try run(["submit", specPath, "--slurm", "--dry-run", "--site", path("site.yaml"), "--out", path("sub")])
        XCTAssertEqual(r.status, 2, r.stderr)
    }
}
