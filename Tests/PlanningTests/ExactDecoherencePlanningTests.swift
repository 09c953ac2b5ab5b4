import Physics
import Results
import XCTest

@testable import ExactBackend
@testable import Planning
@testable import SpecLanguage

/// Specs with single-dipole dephasing and non-radiative decay (docs/physics.md §1.5) plan to the exact
/// backend where its methods reach (docs/physics.md §6.5).
final class ExactDecoherencePlanningTests: XCTestCase {
    static let terms = "  dephasing: {rate: 0.5 Gamma}\n  nonradiative-decay: {rate: 0.2 Gamma}"

    func testSpecsWithTheTermsPlanToTheExactBackend() {
        let cases: [(name: String, system: String, tail: String, method: PointMethod?)] = [
            ("small dipolar chain", PlannerTests.chain(6, extra: Self.terms), "", .densityMatrix),
            ("dephasing alone", PlannerTests.chain(6, extra: "  dephasing: {rate: 2 Gamma}"), "", .densityMatrix),
            (
                "forced exact past the density-matrix limit", PlannerTests.chain(16, extra: Self.terms),
                "solver: {backend: exact, trajectories: {count: 8, burn-in: 5 /Gamma, average: 20 /Gamma}}", .jumpTrajectories
            ),
            (
                "two-time and spectrum", PlannerTests.chain(6, extra: Self.terms),
                "observables: [ZQ, {two-time: {pairs: [[0, 1]]}}, spectrum]", .densityMatrix
            ),
            ("conditional QFI", PlannerTests.chain(6, extra: Self.terms), "observables: [{qfi-conditional: {trajectories: 10}}]", nil)
        ]
        for c in cases {
            let text = PlannerTests.text(PlannerTests.Case(name: c.name, system: c.system, tail: c.tail))
            let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
            guard let compiled = outcome.compiled else {
                XCTFail("\(c.name): did not compile: \(outcome.diagnostics.map(\.message))")
                continue
            }
            let planned = Planner().plan(compiled)
            guard let p = planned.plan?.points.first else {
                XCTFail("\(c.name): no plan: \(planned.diagnostics.map(\.message))")
                continue
            }
            XCTAssertEqual(p.backend, .exact, "\(c.name): \(p.reason); \(p.ruledOut)")
            if let m = c.method { XCTAssertEqual(p.method, m, c.name) }
        }
    }
}
