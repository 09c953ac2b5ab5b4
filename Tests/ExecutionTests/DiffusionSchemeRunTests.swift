import Foundation
import Physics
import Planning
import Results
import TestSupport
import XCTest

@testable import Execution
@testable import SpecLanguage

/// `solver.diffusion-scheme` through the whole pipeline (docs/spec-language.md §9, docs/physics.md §6.3.3),
/// and the committed bundles, none of which names it, keep their resolved spec, ID and plan.
final class DiffusionSchemeRunTests: XCTestCase {
    /// Three collective dipoles with pump and emission channels (they do not commute, so the schemes differ).
    static let spec = """
        dipolesync: 1
        name: tiny-qsd
        system:
          lattice: {shape: all-to-all, sites: 3}
          couplings: {uniform: {feff: 2.5 Gamma}}
          pump: {rate: 1.5 Gamma}
        observables:
          - {qfi-conditional: {trajectories: 4, until: 2 /Gamma}}
        solver:
          backend: exact
          seed: 7
          diffusion-scheme: SCHEME
        """

    func run(_ scheme: String, threads: Int) throws -> PointResult {
        let (c, p) = try compileAndPlan(Self.spec.replacingOccurrences(of: "SCHEME", with: scheme))
        return try XCTUnwrap(Executor(compiled: c, plan: p, registry: .standard, threads: threads).run().first).result
    }

    func testWeakOrderTwoRunsAreIndependentOfTheThreadCountAndSayTheirScheme() throws {
        let one = try run("weak-2", threads: 1), two = try run("weak-2", threads: 2)
        XCTAssertEqual(one, two)
        let q1 = try XCTUnwrap(one.number("qfi-conditional")), q2 = try XCTUnwrap(two.number("qfi-conditional"))
        XCTAssertEqual(q1.bitPattern, q2.bitPattern)
        XCTAssertEqual(
            one.number("qfi-conditional-stderr")?.bitPattern, two.number("qfi-conditional-stderr")?.bitPattern)
        XCTAssertTrue(one.method.contains("weak-2 scheme at the step 0.1/(rate scale)"), one.method)
        // The step the backend took is weak-2's: 0.1/(rate scale), twice milstein's.
        let milstein = try run("milstein", threads: 2)
        XCTAssertTrue(milstein.method.contains("milstein scheme at the step 0.05/(rate scale)"), milstein.method)
        let hWeak = try XCTUnwrap(one.diagnostics.first { $0.key == "qfi-conditional-step" }?.value.number)
        let hMilstein = try XCTUnwrap(milstein.diagnostics.first { $0.key == "qfi-conditional-step" }?.value.number)
        XCTAssertEqual(hWeak / hMilstein, 2, accuracy: 1e-12)
        // Another scheme, another estimate from the same random streams, both within the range of the
        // direction-averaged QFI of a pure state of 3 spins ½, [1, N(N + 2)/3 = 5].
        let qm = try XCTUnwrap(milstein.number("qfi-conditional"))
        XCTAssertNotEqual(q1, qm)
        for q in [q1, qm] { XCTAssertTrue(q >= 1 && q <= 5, "\(q)") }
    }

    /// Every committed bundle's spec.yaml (none sets solver.diffusion-scheme) still resolves to its
    /// resolved.json, spec ID and resolved-spec hash, and is planned alike (backend, method) — what
    /// `dipolesync rerun` checks before it recomputes anything.
    func testArchivedBundlesKeepTheirResolvedSpecIDAndPlan() throws {
        let root = repositoryRoot.appendingPathComponent("outputs/archived")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        XCTAssertTrue(names.contains("fig2cd-conditional-qfi") && names.contains("fig2c-conditional-qfi-trace"))
        for name in names {
            let dir = root.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: dir + "/manifest.json") else { continue }
            let archived = try ArchivedSpec(folder: dir, manifest: BundleManifest(folder: dir))
            // (Comments may mention the key, as the Fig. 2(c, d) specs' headers do.)
            XCTAssertEqual(archived.compiled.base.solver.diffusionScheme, .milstein, name)
            XCTAssertEqual(archived.mismatches, [], name)
            var thresholds = PlannerThresholds.standard
            thresholds.memoryBudgetOverride = archived.plannedMemoryBudget
            let plan = try XCTUnwrap(Planner(thresholds: thresholds).plan(archived.compiled).plan, name)
            XCTAssertEqual(archived.comparePlan(fresh: plan).mismatches, [], name)
        }
    }
}
