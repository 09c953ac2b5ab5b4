import Physics
import Results
import XCTest

@testable import Planning
@testable import SpecLanguage

/// Specs with `system.dephasing` / `system.nonradiative-decay` plan to the mean-field and cumulant backends
/// where those are the right choice (both list the two terms in their descriptions, docs/physics.md §4.5, §5.7).
final class DecoherencePlanningTests: XCTestCase {
    static let terms = "  dephasing: {rate: 0.5 Gamma}\n  nonradiative-decay: {rate: 0.2 Gamma}"

    func plannedBackend(_ system: String, tail: String = "") throws -> (BackendKind?, String) {
        let text = "dipolesync: 1\nname: t\nsystem:\n" + system + "\n" + Self.terms + "\n" + tail + "\n"
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        let planned = Planner().plan(compiled)
        let plan = try XCTUnwrap(planned.plan, "\(planned.diagnostics.map(\.message))")
        let p = try XCTUnwrap(plan.points.first)
        return (p.backend, "\(p.reason); \(p.ruledOut)")
    }

    func testDecoherencePlansToMeanFieldAndCumulant() throws {
        let chain100 = "  lattice: {shape: chain, sites: 100, spacing: 0.1 lambda}\n  pump: {rate: 2 Gamma}"
        var (b, why) = try plannedBackend(chain100)
        XCTAssertEqual(b, .cumulant, why)
        (b, why) = try plannedBackend(chain100, tail: "observables: [{two-time: {pairs: [[0, 1]]}}, spectrum]")
        XCTAssertEqual(b, .cumulant, why)
        let chain6 = "  lattice: {shape: chain, sites: 6, spacing: 0.1 lambda}\n  pump: {rate: 2 Gamma}"
        (b, why) = try plannedBackend(chain6, tail: "solver: {backend: cumulant}")
        XCTAssertEqual(b, .cumulant, why)
        (b, why) = try plannedBackend(chain6, tail: "solver: {backend: mean-field}")
        XCTAssertEqual(b, .meanField, why)
        let uniform = "  lattice: {shape: all-to-all, sites: 20}\n  couplings: {uniform: {feff: 15 Gamma}}\n  pump: {rate: 7 Gamma}"
        (b, why) = try plannedBackend(uniform, tail: "observables: [Z, ZQ]")
        XCTAssertEqual(b, .meanField, why)
        let large = "  lattice: {shape: chain, sites: 5001, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 1}}\n  pump: {rate: 2 Gamma}"
        (b, why) = try plannedBackend(large)
        XCTAssertEqual(b, .meanField, why)
    }

    /// f_eff = 4.5 Γ on 4 dipoles violates f ⪰ 0 (docs/physics.md §2.5) but f + γ_nr·1 with γ_nr = 0.2 Γ does
    /// not: the forced cumulant backend is planned and solves.
    func testNonradiativeDecayMakesTheRateMatrixPhysical() throws {
        let system = "  lattice: {shape: all-to-all, sites: 4}\n  couplings: {uniform: {feff: 4.5 Gamma}}\n  pump: {rate: 3 Gamma}"
        let (b, why) = try plannedBackend(system, tail: "solver: {backend: cumulant}")
        XCTAssertEqual(b, .cumulant, why)
    }
}
