import Foundation
import LinearAlgebra
import Physics
import Results
import TestSupport
import XCTest

@testable import Execution

/// Results must not depend on the machine's CPU (docs/reproducibility.md): the program pins OpenBLAS's
/// kernel set before it computes anything, records it, and `rerun` repeats it.
final class ReproducibilityTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else { throw XCTSkip("no dipolesync binary") }
    }

    /// The environment of this test process with `changes` applied (nil removes a variable).
    static func environment(_ changes: [String: String?]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in changes { env[k] = v }
        return env
    }

    /// Two CPUs pick different OpenBLAS kernels; `OPENBLAS_CORETYPE` in the environment makes one
    /// machine behave like either. Whatever the environment asks, the committed bundle reruns bit for
    /// bit (before pinning, Sandybridge and Prescott kernels each changed 13–21 numbers in the last bits).
    func testArchivedBundleRerunsBitForBitWhateverKernelsTheEnvironmentAsksFor() throws {
        guard BLASKernels.canRun("Haswell") else {
            throw XCTSkip("this CPU cannot run the Haswell kernels the bundle was computed with (no AVX2/FMA)")
        }
        let bundle = CLITests.root.appendingPathComponent("outputs/archived/archived-three-backends").path
        for coretype in ["Sandybridge", "Prescott", nil] {
            let r = try CLITests.run(
                ["rerun", bundle, "--quiet"],
                environment: Self.environment(["OPENBLAS_CORETYPE": coretype, "DIPOLESYNC_BLAS_PINNED": nil]))
            XCTAssertEqual(r.status, 0, "OPENBLAS_CORETYPE=\(coretype ?? "unset"): " + r.stdout + r.stderr)
            XCTAssertTrue(r.stdout.contains("reproduced: 7 files of results bit for bit"), r.stdout)
        }
    }

    /// Opting out of pinning (`DIPOLESYNC_BLAS_KERNELS=native`) is possible; a rerun on other kernels
    /// then says which tolerance it applies and why. (The differing kernels are forced here.)
    func testRerunOnOtherKernelsStatesItsToleranceAndWhy() throws {
        guard BLASKernels.architecture == "x86_64" else { throw XCTSkip("forces an x86-64 kernel set") }
        let bundle = CLITests.root.appendingPathComponent("outputs/archived/archived-three-backends").path
        let r = try CLITests.run(
            ["rerun", bundle, "--quiet"],
            environment: Self.environment([
                "DIPOLESYNC_BLAS_KERNELS": "native", "OPENBLAS_CORETYPE": "Prescott",
                "DIPOLESYNC_BLAS_PINNED": nil
            ]))
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(
            r.stdout.contains(
                "note: comparing within rtol 1e-09 instead of bit for bit: it was computed with Haswell kernels, this run uses Prescott"), r.stdout)
        XCTAssertTrue(r.stdout.contains("reproduced: 7 files of results within rtol 1e-09"), r.stdout)
    }

    /// A new bundle records the kernels, that they were pinned, and the architecture; the revision it
    /// records was fixed when the binary was built, so a copy of the binary far from any git checkout
    /// (as on a cluster) records the same one.
    func testManifestRecordsPinnedKernelsAndTheBuildsRevisionEvenForACopiedBinary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-repro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("dipolesync")
        try FileManager.default.copyItem(at: CLITests.binary, to: copy)
        let spec = dir.appendingPathComponent("s.yaml")
        try
            "dipolesync: 1\nname: t\nsystem:\n  lattice: {shape: all-to-all, sites: 3}\n  couplings: {uniform: {feff: 3 Gamma}}\n  pump: {rate: 1 Gamma}\nobservables: [ZQ]\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = Subprocess.run([copy.path, "run", spec.path, "--out", dir.appendingPathComponent("b").path, "--quiet"], cwd: dir.path)
        XCTAssertEqual(r.status, 0, r.stderr)
        let manifest = try JSONWriter.parse(Data(contentsOf: dir.appendingPathComponent("b/manifest.json")))
        let record = ArithmeticRecord(manifest: manifest)
        XCTAssertEqual(record.architecture, BLASKernels.architecture)
        if let expected = BLASKernels.defaultChoice {
            XCTAssertEqual(record.kernels, expected)
            XCTAssertTrue(record.pinned)
        }
        guard case .object(let top) = manifest, case .object(let program)? = top.first(where: { $0.0 == "program" })?.1,
            case .string(let revision)? = program.first(where: { $0.0 == "source-revision" })?.1
        else {
            return XCTFail("no program.source-revision")
        }
        XCTAssertEqual(revision, ProgramInfo.sourceRevision.revision, "the binary and the tests are one build")
        if FileManager.default.fileExists(atPath: CLITests.root.appendingPathComponent(".git").path) {
            XCTAssertNotEqual(revision, "unknown", "built in a git checkout, so the revision is known")
            XCTAssertEqual(revision.count, 40)
        }
    }

    /// Old manifests carry the kernels only in OpenBLAS's build description.
    func testArithmeticRecordReadsOldAndNewManifests() throws {
        let old = ResultValue.object([
            (
                "libraries",
                .object([
                    ("blas", .string("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64")),
                    ("blas-threads", .number(1))
                ])
            )
        ])
        XCTAssertEqual(
            ArithmeticRecord(manifest: old),
            ArithmeticRecord(kernels: "Haswell", pinned: false, blasVersion: "0.3.21", architecture: nil))
        let new = ResultValue.object([
            (
                "libraries",
                .object([
                    ("blas", .string("OpenBLAS 0.3.21 DYNAMIC_ARCH Haswell MAX_THREADS=64")),
                    ("blas-kernels", .string("SkylakeX")), ("blas-kernels-pinned", .bool(true)),
                    ("architecture", .string("x86_64"))
                ])
            )
        ])
        XCTAssertEqual(
            ArithmeticRecord(manifest: new),
            ArithmeticRecord(kernels: "SkylakeX", pinned: true, blasVersion: "0.3.21", architecture: "x86_64"))
        XCTAssertEqual(ArithmeticRecord(manifest: .null), ArithmeticRecord(kernels: nil, pinned: false, blasVersion: nil, architecture: nil))
    }

    /// Bit for bit where the arithmetic is the same; a stated tolerance where it is not; the user's
    /// `--rtol` always wins.
    func testRerunComparisonPolicy() {
        let here = ArithmeticRecord(kernels: "Haswell", pinned: true, blasVersion: "0.3.21", architecture: "x86_64")
        XCTAssertEqual(RerunComparison(stored: here, now: here, requested: nil).rtol, 0)
        XCTAssertNil(RerunComparison(stored: here, now: here, requested: nil).reason)
        var arm = here
        arm.kernels = "ARMV8"
        arm.architecture = "aarch64"
        let c = RerunComparison(stored: here, now: arm, requested: nil)
        XCTAssertEqual(c.rtol, RerunComparison.crossMachineTolerance)
        XCTAssertTrue(c.reason?.contains("computed on x86_64, this is aarch64") == true, c.reason ?? "")
        var newer = here
        newer.blasVersion = "0.3.28"
        XCTAssertTrue(RerunComparison(stored: here, now: newer, requested: nil).reason?.contains("OpenBLAS 0.3.21, this is 0.3.28") == true)
        XCTAssertEqual(RerunComparison(stored: here, now: arm, requested: 1e-6).rtol, 1e-6)
        XCTAssertNil(RerunComparison(stored: here, now: arm, requested: 1e-6).reason)
    }
}
