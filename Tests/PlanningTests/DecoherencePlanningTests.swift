import DickeBackend
import ExactBackend
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
        (b, why) = try plannedBackend(large, tail: "solver: {couplings: dense}")
        XCTAssertEqual(b, .meanField, why)
        (b, why) = try plannedBackend(large)
        XCTAssertEqual(b, .cumulant, why)
    }

    /// f_eff = 4.5 Γ on 4 dipoles violates f ⪰ 0 (docs/physics.md §2.5) but f + γ_nr·1 with γ_nr = 0.2 Γ does
    /// not: the forced cumulant backend is planned and solves.
    func testNonradiativeDecayMakesTheRateMatrixPhysical() throws {
        let system = "  lattice: {shape: all-to-all, sites: 4}\n  couplings: {uniform: {feff: 4.5 Gamma}}\n  pump: {rate: 3 Gamma}"
        let (b, why) = try plannedBackend(system, tail: "solver: {backend: cumulant}")
        XCTAssertEqual(b, .cumulant, why)
    }
}

/// The cost estimates with decoherence (docs/physics.md §9.1): the rates enter where the work depends
/// on them, and with both rates zero every estimate is what it was without them.
final class DecoherenceEstimateTests: XCTestCase {
    func outline(_ system: String, observables: String) throws -> PointOutline {
        let text = "dipolesync: 1\nname: t\nsystem:\n" + system + "\nobservables: " + observables + "\n"
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        return PointOutline(compiled.base, thresholds: .standard, budget: 8 << 30, cores: 2)
    }

    static let collective = "  lattice: {shape: all-to-all, sites: 50}\n  couplings: {uniform: {feff: 15 Gamma}}\n  pump: {rate: 7.5 Gamma}"
    static let pair = "[{two-time: {pairs: [[0, 1]], tau-max: 20 /Gamma, tau-points: 1000}}]"
    static let spectrum = "[{spectrum: {tau-max: 20 /Gamma, tau-points: 1000}}]"

    /// The regressions of the permutation-symmetric backend (pair function, spectrum): their Dormand–Prince
    /// steps follow the largest rate, which dephasing raises in proportion to γ_φ N (docs/physics.md §9.1).
    /// The estimated slow-down at γ_φ = 20 Γ against γ_φ = 0 is the measured one within 25 % (N = 50,
    /// f_eff = 15 Γ, W = 7.5 Γ, τ_max = 20/Γ, 1000 samples: pair ×2.36, spectrum ×2.01); the steady state's
    /// estimate stays that without dephasing (an upper bound: the window narrows); rate 0 is no rate.
    func testPermutationSymmetricRegressionCountsTheDecoherenceRates() throws {
        for (observables, measured) in [(Self.pair, 2.36), (Self.spectrum, 2.01)] {
            let clean = try outline(Self.collective, observables: observables)
            let dephased = try outline(Self.collective + "\n  dephasing: {rate: 20 Gamma}", observables: observables)
            XCTAssertEqual(dephased.dephasing, 20)
            XCTAssertEqual(clean.dephasing, 0)
            let zero = try outline(Self.collective + "\n  dephasing: {rate: 0 Gamma}", observables: observables)
            XCTAssertEqual(DickeBackend.estimate(zero), DickeBackend.estimate(clean), "rate 0: the estimate without the term")
            let a = DickeBackend.estimate(clean), b = DickeBackend.estimate(dephased)
            XCTAssertEqual(a.flops, b.flops)
            let ratio = try XCTUnwrap(b.observableFlops) / XCTUnwrap(a.observableFlops)
            XCTAssertEqual(ratio, measured, accuracy: 0.25 * measured, observables)
            XCTAssertTrue(DickeBackend().preferenceReason(dephased).contains("§6.4.1"))
            XCTAssertFalse(DickeBackend().preferenceReason(clean).contains("§6.4.1"))
        }
    }

    /// Quantum-jump trajectories take N(W + Γ + γ_nr + γ_φ)/2 jumps per 1/Γ.
    func testJumpTrajectoriesCountTheLocalJumps() {
        let base = ExactBackend.jumpTrajectoryEstimate(n: 12, pump: 3, trajectories: 10, time: 5, threads: 2)
        let more = ExactBackend.jumpTrajectoryEstimate(
            n: 12, pump: 3, trajectories: 10, time: 5, threads: 2, dephasing: 2, nonradiativeDecay: 1)
        XCTAssertEqual(more.flops / base.flops, (3 + 1 + 1 + 2) / (3 + 1.0), accuracy: 1e-12)
        XCTAssertEqual(more.memoryBytes, base.memoryBytes)
    }
}

/// A backend that models no decoherence term: the permutation-symmetric backend with its description's
/// `decoherence` left at the protocol's default (none).
private struct WithoutDecoherence: DescribedBackend {
    static let name = "permutation-symmetric"
    let base = DickeBackend()
    var kind: BackendKind { base.kind }
    var observables: Set<ObservableKind> { base.observables }
    func assess(_ outline: PointOutline, thresholds: PlannerThresholds) -> BackendAssessment { base.assess(outline, thresholds: thresholds) }
    func preferenceReason(_ outline: PointOutline) -> String { base.preferenceReason(outline) }
    func solve(_ request: SolveRequest) throws -> PointResult { try base.solve(request) }
}

/// With a build whose backends do not model a term, a spec that sets it gets one located error naming the
/// term, and the backend is refused in the same words by the planner and by its own guard.
final class DecoherenceRefusalTests: XCTestCase {
    func testATermNoBackendModelsIsALocatedError() throws {
        let text = """
            dipolesync: 1
            name: t
            system:
              lattice: {shape: all-to-all, sites: 20}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 7 Gamma}
              dephasing: {rate: 1 Gamma}

            """
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try XCTUnwrap(outcome.compiled)
        let planned = Planner(backends: [WithoutDecoherence()]).plan(compiled)
        XCTAssertNil(planned.plan)
        let e = try XCTUnwrap(planned.diagnostics.first { $0.severity == .error })
        XCTAssertTrue(e.message.contains("no backend of this build models single-dipole dephasing"), e.message)
        XCTAssertEqual(e.location.line, 7)
        // The standard build models it.
        XCTAssertNotNil(Planner().plan(compiled).plan)
        // The backend's own guard says the same as the planner's refusal.
        let why = try XCTUnwrap(WithoutDecoherence().unsupportedDecoherence([.dephasing, .nonradiativeDecay]))
        XCTAssertTrue(why.contains("dephasing or nonradiative-decay"), why)
        XCTAssertNil(DickeBackend().unsupportedDecoherence([.dephasing, .nonradiativeDecay]))
    }
}

/// The permutation-symmetric steady state where the scaled window fails and the full chain is solved
/// (docs/physics.md §6.4.2, "Full-chain fallback"): the all-to-all power law at strength Γ/4 beyond
/// N = 400. Its estimate is the full chain's (measured at N = 900: 16 s and 0.75 GB on one core); the
/// collective model at f_eff = 15 Γ keeps the window's (1.6 s measured at N = 1000).
final class DickeFullChainEstimateTests: XCTestCase {
    func estimate(_ system: String) throws -> CostEstimate {
        let text = "dipolesync: 1\nname: t\nsystem:\n" + system + "\nobservables: [ZQ]\n"
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        let o = PointOutline(compiled.base, thresholds: .standard, budget: 8 << 30, cores: 2)
        XCTAssertTrue(o.permutationSymmetric)
        return DickeBackend.estimate(o)
    }

    func testTheFullChainIsEstimatedWhereTheWindowFails() throws {
        let powerLaw = try estimate(
            "  lattice: {shape: chain, sites: 900, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 0, strength: 0.25 Gamma}}\n  pump: {rate: 5 Gamma}"
        )
        XCTAssertGreaterThan(powerLaw.seconds, 16.0 / 3)
        XCTAssertLessThan(powerLaw.seconds, 16.0 * 3)
        XCTAssertGreaterThan(Double(powerLaw.memoryBytes), 0.75e9 / 3)
        XCTAssertLessThan(Double(powerLaw.memoryBytes), 0.75e9 * 3)
        XCTAssertEqual(powerLaw.memoryBytes, CostEstimate.bytes(Double(DickeSteadyState.fullChainMemoryEstimate(n: 900)) + 1e6))
        let collective = try estimate(
            "  lattice: {shape: all-to-all, sites: 1000}\n  couplings: {uniform: {feff: 15 Gamma}}\n  pump: {rate: 7.5 Gamma}")
        XCTAssertLessThan(collective.seconds, 1.6 * 3)
        XCTAssertGreaterThan(collective.seconds, 1.6 / 3)
        // Below N = 400 the full chain is solved anyway, with the window's estimate.
        let small = try estimate(
            "  lattice: {shape: chain, sites: 300, spacing: 0.1 lambda}\n  couplings: {power-law: {alpha: 0, strength: 0.25 Gamma}}\n  pump: {rate: 5 Gamma}"
        )
        XCTAssertEqual(small.flops, DickeBackend.estimate(n: 300, timeEvolution: false).flops)
    }

    /// The full chain's memory estimate, computed from its levels' j ranges, equals the one of the
    /// allocated full window that the solver holds.
    func testTheFullChainMemoryNeedsNoPopulations() {
        for n in [1, 2, 7, 40, 401] {
            XCTAssertEqual(DickeSteadyState.fullChainMemoryEstimate(n: n), DickeSteadyState.memoryEstimate(.fullWindow(n: n)), "N = \(n)")
        }
    }
}

/// The exact backend's regressions (`spectrum`, `two-time`) are estimated from the generator's local rates
/// (`ExactBackend.regressionFlops`) against CPU seconds measured with `run --threads 1` on magic-angle
/// chains at a = 0.02 λ (τ_max = 20/Γ, 400 samples; 2026-12-03): within a factor 3 of each, and growing
/// with the pump and the dephasing as the runs did.
final class ExactRegressionEstimateTests: XCTestCase {
    func estimate(sites: Int, pump: Double, dephasing: Double = 0, observables: String = "[ZQ, spectrum]") throws -> CostEstimate {
        let text = """
            dipolesync: 1
            name: t
            system:
              lattice: {shape: chain, sites: \(sites), spacing: 0.02 lambda}
              couplings: dipolar
              polarization: {angle: magic}
              pump: {rate: \(pump) Gamma}
              dephasing: {rate: \(dephasing) Gamma}
            observables: \(observables)
            solver: {backend: exact}

            """
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
        let compiled = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        let o = PointOutline(compiled.base, thresholds: .standard, budget: 8 << 30, cores: 2)
        return ExactBackend.densityMatrixEstimate(o, threads: 1)
    }

    func testTheSpectrumIsEstimatedWithinAFactorThreeOfMeasuredRuns() throws {
        let measured: [(sites: Int, pump: Double, dephasing: Double, seconds: Double)] = [
            (7, 7.85, 0, 1.3), (8, 7.85, 0, 7.0), (10, 7.85, 0, 163), (8, 25, 0, 12.4), (8, 14.53, 24, 15.4)
        ]
        for m in measured {
            let e = try estimate(sites: m.sites, pump: m.pump, dephasing: m.dephasing)
            XCTAssertGreaterThan(e.seconds, m.seconds / 3, "\(m)")
            XCTAssertLessThan(e.seconds, m.seconds * 3, "\(m)")
        }
        // The N = 12 member of dephasing-resilience-chain-12 would take about an hour a point, not ~1 min.
        XCTAssertGreaterThan(try estimate(sites: 12, pump: 7.85).seconds, 1800)
        // Z_Q alone reads nothing; each pair of two-time is one more regression.
        XCTAssertNil(try estimate(sites: 8, pump: 7.85, observables: "[ZQ]").observableFlops)
        let one = try XCTUnwrap(try estimate(sites: 8, pump: 7.85, observables: "[{two-time: {pairs: [[0, 1]]}}]").observableFlops)
        let two = try XCTUnwrap(try estimate(sites: 8, pump: 7.85, observables: "[{two-time: {pairs: [[0, 1], [0, 2]]}}]").observableFlops)
        XCTAssertEqual(two, 2 * one, accuracy: 1e-6 * one)
        let both = try XCTUnwrap(try estimate(sites: 8, pump: 7.85, observables: "[spectrum, frequency]").observableFlops)
        XCTAssertEqual(both, try XCTUnwrap(try estimate(sites: 8, pump: 7.85).observableFlops), "frequency comes with the spectrum")
    }
}
