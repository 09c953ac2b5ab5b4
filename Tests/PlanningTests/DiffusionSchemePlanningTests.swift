import Physics
import Results
import XCTest

@testable import Planning
@testable import SpecLanguage

/// `solver.diffusion-scheme` reaches the planner: its estimate, its reason and the settings a point's
/// backend is given (docs/spec-language.md §9, docs/physics.md §6.3.3).
final class DiffusionSchemePlanningTests: XCTestCase {
    /// The Fig. 2(d) point (N = 16, f_eff = 15 Γ, W = 7.5 Γ, 4 trajectories of 20/Γ).
    static func spec(_ solverExtra: String) -> String {
        """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: all-to-all, sites: 16}
          couplings: {uniform: {feff: 15 Gamma}}
          pump: {rate: 7.5 Gamma}
        observables:
          - {qfi-conditional: {trajectories: 4, until: 20 /Gamma}}
        solver:
          backend: exact
        \(solverExtra)
        """
    }

    func point(_ solverExtra: String) throws -> (PointPlan, PointSettings) {
        let outcome = SpecCompiler.compile(bytes: Array(Self.spec(solverExtra).utf8), path: "spec.yaml", catalog: Catalog())
        let c = try XCTUnwrap(outcome.compiled, "\(outcome.diagnostics.map(\.message))")
        let planned = Planner().plan(c)
        let p = try XCTUnwrap(planned.plan?.points.first, "\(planned.diagnostics.map(\.message))")
        return (p, PointSettings(spec: c.points[0].spec, plan: p))
    }

    func testTheSchemeAndItsStepReachThePlanAndTheBackendSettings() throws {
        let (milstein, ms) = try point("")
        let (weak, ws) = try point("  diffusion-scheme: weak-2")
        XCTAssertEqual(ms.trajectories.diffusionScheme, .milstein)
        XCTAssertEqual(ms.trajectories.diffusionStepFraction, 0.05, "the step of the archived bundles (docs/physics.md §6.3.1)")
        XCTAssertEqual(ws.trajectories.diffusionScheme, .weak2)
        XCTAssertEqual(ws.trajectories.diffusionStepFraction, 0.1, "twice the step (docs/physics.md §6.3.3)")
        XCTAssertEqual(ws.trajectories.diffusionBurnIn, ms.trajectories.diffusionBurnIn)
        XCTAssertEqual(ws.trajectories.diffusionAverage, ms.trajectories.diffusionAverage)
        XCTAssertTrue(milstein.reason.contains("milstein scheme at the step 0.05/(rate scale)"), milstein.reason)
        XCTAssertTrue(weak.reason.contains("weak-2 scheme at the step 0.1/(rate scale)"), weak.reason)
        // Half the steps at 1.6× the cost of a step: 0.8× the work (benchmarks/exact.sh measured 0.83×).
        XCTAssertEqual(weak.estimate.flops / milstein.estimate.flops, 0.8, accuracy: 1e-12)
        XCTAssertEqual(weak.estimate.memoryBytes, milstein.estimate.memoryBytes)
        XCTAssertEqual(weak.backend, milstein.backend)
        XCTAssertEqual(weak.method, milstein.method)
    }
}
