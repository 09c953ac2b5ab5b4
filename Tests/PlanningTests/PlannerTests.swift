import DickeBackend
import Physics
import Results
import Testing
import XCTest

@testable import ExactBackend
@testable import Planning
@testable import SpecLanguage

final class PlannerTests: XCTestCase {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var system: String
        var tail: String = ""
        var backend: BackendKind?
        /// A fragment of the error when no backend (or the forced one) can serve.
        var error: String?
        /// Fragments expected in the reasons other backends were ruled out.
        var ruledOut: [String: String] = [:]
        /// The method the plan names (exact: density matrix or jump trajectories).
        var method: PointMethod?
        var testDescription: String { name }
    }

    static func text(_ c: Case) -> String {
        "dipolesync: 1\nname: t\nsystem:\n" + c.system + "\n" + c.tail + "\n"
    }

    static let uniform = "  lattice: {shape: all-to-all, sites: 20}\n  couplings: {uniform: {feff: 15 Gamma}}\n  pump: {rate: 7 Gamma}"
    static func chain(_ n: Int, extra: String = "") -> String {
        "  lattice: {shape: chain, sites: \(n), spacing: 0.1 lambda}\n  pump: {rate: 2 Gamma}" + (extra.isEmpty ? "" : "\n" + extra)
    }

    static let cases: [Case] = [
        Case(
            name: "collective model", system: uniform, backend: .permutationSymmetric,
            ruledOut: ["exact": "exceeds the exact density-matrix limit of 14", "cumulant": "valid, but permutation-symmetric is preferred"]),
        Case(
            name: "collective with uniform disorder", system: uniform + "\n  detuning: {uniform: {width: 1 Gamma}}", backend: .cumulant,
            ruledOut: ["permutation-symmetric": "not uniform"]),
        Case(
            name: "collective with zero-width disorder is uniform", system: uniform + "\n  detuning: {uniform: {width: 0 Gamma}}",
            backend: .permutationSymmetric),
        Case(
            name: "small dipolar chain", system: chain(6), backend: .exact, ruledOut: ["permutation-symmetric": "not uniform"],
            method: .densityMatrix),
        Case(name: "exact within a stated budget", system: chain(13), tail: "solver: {memory: 8 GiB}", backend: .exact),
        Case(
            name: "exact at its size limit but over the budget", system: chain(14), tail: "solver: {memory: 8 GiB}", backend: .cumulant,
            ruledOut: ["exact": "over the memory budget of 8.0 GiB"]),
        Case(
            name: "one past the exact limit", system: chain(15), backend: .cumulant,
            ruledOut: ["exact": "N = 15 exceeds the exact density-matrix limit of 14 (jump trajectories reach N = 20"]),
        Case(
            name: "forced exact past the density-matrix limit runs jump trajectories", system: chain(16),
            tail: "solver: {backend: exact, trajectories: {count: 8, burn-in: 5 /Gamma, average: 20 /Gamma}}", backend: .exact,
            method: .jumpTrajectories),
        Case(
            name: "jump trajectories reach N = 20", system: chain(20), tail: "solver: {backend: exact}", backend: .exact,
            method: .jumpTrajectories),
        Case(
            name: "jump trajectories stop at N = 20", system: chain(21), tail: "solver: {backend: exact}",
            error: "N = 21 exceeds the jump-trajectory limit of 20"),
        Case(
            name: "jump trajectories give no density-matrix observables", system: chain(16),
            tail: "observables: [ZQ, spectrum]\nsolver: {backend: exact}", error: "spectrum need the density matrix"),
        Case(
            name: "jump trajectories need a definite excitation number", system: chain(16),
            tail: "initial: {product: {polar: 90 deg, azimuth: 0 deg}}\nsolver: {backend: exact}", error: "backend 'exact' cannot solve"),
        Case(
            name: "jump trajectories asked for at small N", system: chain(6), tail: "solver: {exact-method: jump-trajectories}",
            backend: .exact, method: .jumpTrajectories),
        Case(
            name: "over the budget, the density matrix cannot be replaced by trajectories for qfi", system: chain(12),
            tail: "observables: [qfi]\nsolver: {backend: exact, memory: 100 MiB}",
            error: "over the memory budget of 100.0 MiB, and qfi need the density matrix"),
        Case(
            name: "the density matrix asked for past its limit", system: chain(16),
            tail: "solver: {backend: exact, exact-method: density-matrix}", error: "N = 16 exceeds the exact density-matrix limit of 14"),
        Case(name: "two-dipole chain is uniform", system: chain(2), backend: .permutationSymmetric),
        Case(
            name: "cumulant limit is inclusive",
            system: "  lattice: {shape: chain, sites: 5000, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 1}}\n  pump: {rate: 2 Gamma}",
            backend: .cumulant),
        Case(
            name: "beyond cumulant with dense couplings",
            system: "  lattice: {shape: chain, sites: 5001, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 1}}\n  pump: {rate: 2 Gamma}",
            tail: "solver: {couplings: dense}",
            backend: .meanField, ruledOut: ["cumulant": "N = 5001 exceeds its limit of 5000 with dense couplings"]),
        Case(
            name: "cumulant with lattice couplings has no N cap",
            system: "  lattice: {shape: chain, sites: 5001, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 1}}\n  pump: {rate: 2 Gamma}",
            backend: .cumulant),
        Case(
            name: "cumulant with lattice couplings is limited by memory",
            system: "  lattice: {shape: chain, sites: 100000, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 1}}\n  pump: {rate: 2 Gamma}",
            backend: .meanField, ruledOut: ["cumulant": "over the memory budget"]),
        Case(
            name: "Z needs mean-field", system: chain(6), tail: "observables: [Z, ZQ]", backend: .meanField, ruledOut: ["exact": "does not compute Z"]
        ),
        Case(name: "phases need mean-field", system: uniform, tail: "observables: [phases]", backend: .meanField),
        Case(name: "qfi on a chain", system: chain(8), tail: "observables: [qfi]", backend: .exact),
        Case(
            name: "qfi on a large chain is impossible", system: chain(40), tail: "observables: [qfi]", error: "no backend can deliver 'qfi' at N = 40"
        ),
        Case(
            name: "qfi-conditional at N = 500",
            system: "  lattice: {shape: all-to-all, sites: 500}\n  couplings: {uniform: {feff: 15 Gamma}}\n  pump: {rate: 7 Gamma}",
            tail: "observables: [{qfi-conditional: {trajectories: 10}}]", error: "no backend can deliver 'qfi-conditional' at N = 500"),
        Case(
            name: "qfi-conditional at N = 16 by trajectories", system: uniform.replacingOccurrences(of: "sites: 20", with: "sites: 16"),
            tail: "observables: [{qfi-conditional: {trajectories: 10}}]", backend: .exact),
        Case(name: "two-time on a large chain", system: chain(100), tail: "observables: [{two-time: {pairs: [[0, 1]]}}]", backend: .cumulant),
        Case(
            name: "two-time on the uniform model is exact", system: uniform, tail: "observables: [{two-time: {pairs: [[0, 1]]}}]",
            backend: .permutationSymmetric),
        Case(
            name: "random initial phases rule out the U(1) methods", system: chain(30), tail: "initial: {product: {polar: 90 deg, azimuth: random}}",
            backend: .meanField,
            ruledOut: ["cumulant": "initial state diagonal in excitation number"]),
        Case(
            name: "forced permutation-symmetric on a dipolar chain", system: chain(6), tail: "solver: {backend: permutation-symmetric}",
            error: "backend 'permutation-symmetric' cannot solve this spec: the couplings or detunings are not uniform"),
        Case(
            name: "forced exact on a large chain", system: chain(40), tail: "solver: {backend: exact}",
            error: "N = 40 exceeds the jump-trajectory limit of 20"),
        Case(
            name: "forced cumulant is honoured", system: chain(6), tail: "solver: {backend: cumulant}", backend: .cumulant,
            ruledOut: ["exact": "forces cumulant"]),
        Case(name: "forced mean-field is honoured", system: uniform, tail: "solver: {backend: mean-field}", backend: .meanField),
        Case(
            name: "memory budget rules out exact", system: chain(12), tail: "solver: {memory: 100 MiB}", backend: .cumulant,
            ruledOut: ["exact": "over the memory budget of 100.0 MiB"])
    ]

    func testPumpSweepSharesOneCouplingsNode() throws {
        let text =
            "dipolesync: 1\nname: t\nsystem:\n" + Self.chain(8) + "\nsweep:\n  grid:\n    system.pump.rate: {from: 1 Gamma, to: 5 Gamma, points: 5}\n"
        let compiled = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: "s", catalog: Catalog()).compiled)
        let plan = try XCTUnwrap(Planner().plan(compiled).plan)
        XCTAssertEqual(plan.nodes.filter { $0.stage == .geometry }.count, 1)
        XCTAssertEqual(plan.nodes.filter { $0.stage == .couplings }.count, 1)
        XCTAssertEqual(plan.nodes.filter { $0.stage == .model }.count, 5)
        XCTAssertEqual(plan.nodes.filter { $0.stage == .solve }.count, 5)
        XCTAssertEqual(plan.nodes.filter { $0.stage == .artifacts }.count, 1)
        XCTAssertEqual(plan.nodes.first { $0.stage == .couplings }?.points, [0, 1, 2, 3, 4])
        // A spacing sweep does not share couplings.
        let t2 = text.replacingOccurrences(
            of: "system.pump.rate: {from: 1 Gamma, to: 5 Gamma, points: 5}", with: "system.lattice.spacing: [0.1 lambda, 0.2 lambda]")
        let c2 = try XCTUnwrap(SpecCompiler.compile(bytes: Array(t2.utf8), path: "s", catalog: Catalog()).compiled)
        let p2 = try XCTUnwrap(Planner().plan(c2).plan)
        XCTAssertEqual(p2.nodes.filter { $0.stage == .couplings }.count, 2)
    }

    func testNodeIdsAreNumberedWithinTheirStage() throws {
        // Ids are counted per stage as nodes are made (this used to rescan every node, quadratic in points).
        let text =
            "dipolesync: 1\nname: t\nsystem:\n" + Self.chain(4)
            + "\nsweep:\n  grid:\n    system.pump.rate: {from: 1 Gamma, to: 5 Gamma, points: 7}\n    system.lattice.spacing: [0.1 lambda, 0.2 lambda]\n"
        let compiled = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: "s", catalog: Catalog()).compiled)
        let plan = try XCTUnwrap(Planner().plan(compiled).plan)
        for stage in Stage.allCases {
            let ids = plan.nodes.filter { $0.stage == stage }.map(\.id)
            XCTAssertEqual(ids, (0..<ids.count).map { "\(stage.rawValue)-\($0)" }, "\(stage)")
        }
        XCTAssertEqual(plan.nodes.filter { $0.stage == .couplings }.count, 2)
        XCTAssertEqual(plan.nodes.filter { $0.stage == .solve }.count, 14)
        let ids = Set(plan.nodes.map(\.id))
        XCTAssertEqual(ids.count, plan.nodes.count)
        for n in plan.nodes { for i in n.inputs { XCTAssertTrue(ids.contains(i), "\(n.id) ← \(i)") } }
        XCTAssertEqual(plan.points.map(\.solveNode), (0..<14).map { "solve-\($0)" })
    }

    func testPlanWarnsAboutHoursOfWorkAndMoreMemoryThanTheMachine() throws {
        // An exact 12-dipole chain is about a minute a point: 100 points is hours.
        let text =
            "dipolesync: 1\nname: t\nsystem:\n" + Self.chain(12)
            + "\nsweep:\n  grid:\n    system.pump.rate: {from: 1 Gamma, to: 5 Gamma, points: 100}\n"
        let compiled = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: "s", catalog: Catalog()).compiled)
        let planned = Planner().plan(compiled)
        let plan = try XCTUnwrap(planned.plan)
        let w = try XCTUnwrap(
            planned.diagnostics.first { $0.severity == .warning && $0.message.hasPrefix("the plan estimates") },
            "\(planned.diagnostics)")
        XCTAssertTrue(w.message.hasSuffix("of work (100 points)"), w.message)
        XCTAssertEqual(w.location, SourceLocation(line: 7, column: 3), "at the sweep")
        XCTAssertTrue(plan.text().contains("  warning: the plan estimates ~"), plan.text())
        // A small plan has nothing to warn about.
        let small = try XCTUnwrap(
            SpecCompiler.compile(bytes: Array(("dipolesync: 1\nname: t\nsystem:\n" + Self.uniform + "\n").utf8), path: "s", catalog: Catalog())
                .compiled)
        XCTAssertTrue(Planner().plan(small).diagnostics.isEmpty)
        // Memory beyond the machine (possible when solver.memory is set above it).
        var big = plan.points[0]
        big.estimate = CostEstimate(memoryBytes: 64 << 30, flops: 1)
        let ws = Planner.costWarnings([big], machineMemory: 16 << 30)
        XCTAssertEqual(ws.map(\.message), ["a point needs ≈ 64.0 GiB, more than this machine's 16.0 GiB of memory"])
    }

    func testPrintoutsComeFromThePlanObject() throws {
        let text = "dipolesync: 1\nname: t\nsystem:\n" + Self.uniform + "\n"
        let compiled = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: "s", catalog: Catalog()).compiled)
        let plan = try XCTUnwrap(Planner().plan(compiled).plan)
        let decoded = try JSONDecoder().decode(ExecutionPlan.self, from: Data(plan.json().utf8))
        XCTAssertEqual(decoded, plan, "plan.json round-trips to the object run executes")
        XCTAssertTrue(plan.dot().hasPrefix("digraph"))
        XCTAssertTrue(plan.text().contains("permutation-symmetric: 1 point"))
    }

    func testCostModelsAreMonotoneAndExactCountsBlocks() {
        XCTAssertEqual(CostEstimate.binomial(24, 12), 2_704_156)
        XCTAssertLessThan(
            DickeBackend.estimate(n: 100, timeEvolution: false).memoryBytes,
            DickeBackend.estimate(n: 200, timeEvolution: false).memoryBytes)
    }

    /// `optimize` repeats the solve, not the observables read from the optimum (docs/spec-language.md §8):
    /// the plan multiplies the solve's work by the search's solves and adds the spectrum's once.
    func testOptimizeMultipliesTheSolveAndNotTheObservables() throws {
        func point(_ tail: String) throws -> PointPlan {
            let text = "dipolesync: 1\nname: t\nsystem:\n" + Self.uniform + "\n" + tail
            let compiled = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: "s", catalog: Catalog()).compiled)
            return try XCTUnwrap(Planner().plan(compiled).plan?.points.first)
        }
        let spectrum = "observables: [ZQ, {spectrum: {tau-max: 40 /Gamma}}]\n"
        let once = try point(spectrum)
        let optimized = try point(spectrum + "optimize: {maximize: ZQ, over: system.pump.rate, within: [1 Gamma, 20 Gamma]}\n")
        let spectrumWork = try XCTUnwrap(once.estimate.observableFlops)
        XCTAssertGreaterThan(spectrumWork, 10 * once.estimate.flops, "at N = 20 the regression costs more than the steady state")
        XCTAssertEqual(optimized.estimate.observableFlops, spectrumWork)
        let solves = optimized.estimate.flops / once.estimate.flops
        // The 6-point scan and Brent's steps, bounded by golden section's count (13 from a cell of
        // 7.6 Γ down to 1e-3 × 20 Γ) and capped at 7.
        XCTAssertEqual(solves, Double(OptimizeSearch.scanPoints + 7), accuracy: 1e-9)
        XCTAssertNil(try point("observables: [ZQ]\n").estimate.observableFlops, "a steady state's Z_Q costs nothing to read")
    }

    /// The permutation-symmetric full chain (N = 900, f_eff/N = 0.25 Γ: the scaled windows are expected to
    /// fail, docs/physics.md §6.4.2) is one-off work in a search: an optimized point costs the windowed
    /// solve at every step and the chain once, not the chain at every step (fig4a-cluster-order-chain's
    /// α = 0 point measured 20 CPU s for 10 solves).
    func testASearchPaysTheFullChainOnce() throws {
        func point(_ tail: String) throws -> PointPlan {
            let text = """
                dipolesync: 1
                name: t
                system:
                  lattice: {shape: all-to-all, sites: 900}
                  couplings: {uniform: {feff: 225 Gamma, geff: 0 Gamma}}
                  pump: {rate: 100 Gamma}
                observables: [ZQ]
                solver: {backend: permutation-symmetric}

                """ + tail
            let compiled = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: "s", catalog: Catalog()).compiled)
            return try XCTUnwrap(Planner().plan(compiled).plan?.points.first)
        }
        let once = try point("")
        let search = try point("optimize: {maximize: ZQ, over: system.pump.rate, within: [0.5 Gamma, 150 Gamma]}\n")
        let chain = try XCTUnwrap(once.estimate.oneOffFlops)
        XCTAssertEqual(chain, 1.5 * pow(900, 4) / 32, accuracy: 1)
        let solves = Double(OptimizeSearch.scanPoints + 7)
        XCTAssertEqual(search.estimate.flops, (once.estimate.flops - chain) * solves + chain, accuracy: 1e-6 * chain)
        XCTAssertLessThan(search.estimate.seconds, 60, "a search of 13 solves at N = 900, not 13 full chains")
        XCTAssertEqual(CostEstimate(memoryBytes: 0, flops: 12, oneOffFlops: 10).repeated(solves: 5).flops, 20)
        XCTAssertEqual(CostEstimate(memoryBytes: 0, flops: 12).repeated(solves: 5).flops, 60)
    }

    /// The backends' hard limits hold at least what the planner may send them (PlannerThresholds).
    func testBackendHardLimitsCoverThePlannerThresholds() {
        let t = PlannerThresholds.standard
        XCTAssertLessThanOrEqual(t.exactDensityMatrixMaxDipoles, SectorBasis.maximumDipoles)
        XCTAssertLessThanOrEqual(t.exactTrajectoryMaxDipoles, SectorBasis.maximumDipoles)
        XCTAssertLessThanOrEqual(t.exactCoherentDensityMatrixMaxDipoles, FullStateFallback.maximumDipoles)
        XCTAssertLessThanOrEqual(t.exactCoherentDensityMatrixMaxDipoles, t.exactDensityMatrixMaxDipoles)
    }

    /// Every backend of the build describes itself, once, in the planner's order.
    func testThePlannerAsksEveryStandardBackend() {
        XCTAssertEqual(Planner().backends.map(\.kind), BackendKind.allCases)
    }
}

/// The planner's choice for each case of `PlannerTests.cases`, one test per case: the backend (or the
/// error), the method, and a reason for every backend it ruled out.
@Suite struct PlannerChoiceTests {
    @Test(arguments: PlannerTests.cases) func backendChoiceAndReasons(_ c: PlannerTests.Case) throws {
        let outcome = SpecCompiler.compile(bytes: Array(PlannerTests.text(c).utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try #require(outcome.compiled, "did not compile: \(outcome.diagnostics.map(\.message))")
        let planned = Planner().plan(compiled)
        if let e = c.error {
            #expect(planned.plan == nil)
            #expect(planned.diagnostics.contains { $0.message.contains(e) }, "expected '\(e)', got \(planned.diagnostics.map(\.message))")
            return
        }
        let p = try #require(planned.plan?.points.first, "no plan: \(planned.diagnostics.map(\.message))")
        #expect(p.backend == c.backend, "\(p.reason); \(p.ruledOut)")
        if let m = c.method { #expect(p.method == m) }
        #expect(p.ruledOut.count == 3, "every other backend has a reason")
        for (b, fragment) in c.ruledOut {
            #expect(p.ruledOut[b]?.contains(fragment) ?? false, "\(b) ruled out for '\(p.ruledOut[b] ?? "-")'")
        }
        #expect(p.estimate.memoryBytes > 0)
    }
}
