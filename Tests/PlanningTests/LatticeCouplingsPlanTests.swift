import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import Testing

/// The planner's choice of coupling representation (`solver.couplings`, docs/physics.md §2.6).
struct LatticeCouplingsPlanTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var system: String
        var solver: String = ""
        var observables = "[Z, ZQ, inversion]"
        /// The representation the plan names (nil: dense), or the error's fragment.
        var couplings: CouplingRepresentation?
        var error: String?
        var backend = BackendKind.meanField
        var testDescription: String { name }
    }

    static func chain(_ n: Int, _ couplings: String = "") -> String {
        "  lattice: {shape: chain, sites: \(n), spacing: 0.02 lambda}\n  polarization: {angle: magic}\n  pump: {rate: 12 Gamma}"
            + (couplings.isEmpty ? "" : "\n  couplings: " + couplings)
    }

    static let cases: [Case] = [
        Case(name: "a 50 000-dipole chain plans in mean field with lattice couplings", system: chain(50_000), couplings: .lattice),
        Case(name: "a 2001-dipole chain is above the auto threshold", system: chain(2001), couplings: .lattice),
        Case(name: "a 2000-dipole chain stays dense", system: chain(2000), solver: "solver: {backend: mean-field}", couplings: nil),
        Case(
            name: "a 300 × 300 square lattice", system: "  lattice: {shape: square, sites: [300, 300], spacing: 0.1 lambda}\n  pump: {rate: 5 Gamma}",
            couplings: .lattice),
        Case(
            name: "forced lattice on a small chain", system: chain(50), solver: "solver: {backend: mean-field, couplings: lattice}",
            couplings: .lattice),
        Case(
            name: "forced dense on a 50 000 chain is over the dense limit", system: chain(50_000), solver: "solver: {couplings: dense}",
            error: "no backend can deliver"),
        Case(
            name: "forced lattice on a triangular lattice",
            system: "  lattice: {shape: triangular, sites: [4, 4], spacing: 0.1 lambda}\n  pump: {rate: 5 Gamma}",
            solver: "solver: {backend: mean-field, couplings: lattice}", error: "translation-invariant"),
        Case(
            name: "forced lattice with the cumulant backend", system: chain(200), solver: "solver: {backend: cumulant, couplings: lattice}",
            observables: "[ZQ]", couplings: .lattice, backend: .cumulant),
        Case(
            name: "the cumulant backend takes lattice couplings above the threshold",
            system: "  lattice: {shape: chain, sites: 3000, spacing: 1 lambda}\n  couplings: {power-law: {alpha: 1.5}}\n  pump: {rate: 4 Gamma}",
            observables: "[ZQ]", couplings: .lattice, backend: .cumulant),
        Case(
            name: "the cumulant backend with forced dense couplings",
            system: "  lattice: {shape: chain, sites: 3000, spacing: 1 lambda}\n  couplings: {power-law: {alpha: 1.5}}\n  pump: {rate: 4 Gamma}",
            solver: "solver: {couplings: dense}", observables: "[ZQ]", couplings: nil, backend: .cumulant),
        Case(
            name: "the N² correlations of a 50 000 chain exceed the memory budget", system: chain(50_000), observables: "[ZQ, correlations]",
            error: "no backend can deliver 'correlations' at N = 50000"),
        Case(
            name: "a non-physical power law on a 10⁵ chain is refused without a dense matrix",
            system: chain(100_000, "{power-law: {alpha: 0.5, strength: 1 Gamma}}"), error: "not positive semidefinite")
    ]

    @Test(arguments: cases) func representationChoice(_ c: Case) throws {
        let text = "dipolesync: 1\nname: t\nsystem:\n\(c.system)\nobservables: \(c.observables)\n\(c.solver)\n"
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try #require(outcome.compiled, "did not compile: \(outcome.diagnostics.map(\.message))")
        var thresholds = PlannerThresholds.standard
        thresholds.memoryBudgetOverride = 8 << 30
        let planned = Planner(thresholds: thresholds).plan(compiled)
        if let e = c.error {
            #expect(planned.plan == nil)
            #expect(planned.diagnostics.contains { ($0.message + ($0.hint ?? "")).contains(e) }, "\(planned.diagnostics.map(\.message))")
            return
        }
        let p = try #require(planned.plan?.points.first, "no plan: \(planned.diagnostics.map(\.message))")
        #expect(p.backend == c.backend)
        #expect(p.couplings == c.couplings)
        #expect(p.reason.contains("couplings: lattice") == (c.couplings == .lattice))
        if c.couplings == .lattice && c.backend == .meanField {
            // O(N) memory: far below the 16 N² bytes of dense matrices.
            #expect(Double(p.estimate.memoryBytes) < 2000 * Double(p.dipoles) + 1e7)
        }
    }
}
