import Physics
import Results
import XCTest

@testable import Planning
@testable import SpecLanguage

/// A collective spec with `system.dephasing` and `system.nonradiative-decay` plans to the
/// permutation-symmetric backend, which models both (docs/physics.md §6.4.1).
final class DickeDecoherencePlanningTests: XCTestCase {
    static let system =
        "  lattice: {shape: all-to-all, sites: 20}\n  couplings: {uniform: {feff: 15 Gamma}}\n  pump: {rate: 7 Gamma}\n"
        + "  dephasing: {rate: 0.5 Gamma}\n  nonradiative-decay: {rate: 0.2 Gamma}\n"

    func plan(_ tail: String) throws -> ExecutionPlan {
        let text = "dipolesync: 1\nname: t\nsystem:\n" + Self.system + tail
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        let planned = Planner().plan(compiled)
        return try XCTUnwrap(planned.plan, "\(planned.diagnostics.map(\.message))")
    }

    func testCollectiveSpecWithDecoherencePlansToPermutationSymmetric() throws {
        for tail in [
            "", "observables: [ZQ, inversion, qfi, mutual-information, discord, spectrum]\n",
            "solver: {backend: permutation-symmetric}\n",
            "sweep:\n  grid:\n    system.dephasing.rate: {values: [0 Gamma, 1 Gamma, 10 Gamma]}\n"
        ] {
            let plan = try plan(tail)
            XCTAssertFalse(plan.points.isEmpty)
            for p in plan.points {
                XCTAssertEqual(p.backend, .permutationSymmetric, "\(tail): \(p.reason); \(p.ruledOut)")
            }
        }
    }
}
