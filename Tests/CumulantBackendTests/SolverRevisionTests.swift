import Foundation
import LinearAlgebra
import Physics
import Results
import TestSupport
import Testing

@testable import CumulantBackend

/// The revisions of the cumulant steady-state iteration (`CumulantSteadyStateSolver.Revision`,
/// docs/physics.md §5.3.1): revision 1's forcing term kept exactly (bundles planned before revisions
/// were recorded rerun with it, bit for bit), revision 2's Eisenstat–Walker forcing never tighter than
/// it and reaching the same state, the backend refusing a revision it does not know.
struct SolverRevisionTests {
    static func solver(_ revision: CumulantSteadyStateSolver.Revision) -> CumulantSteadyStateSolver {
        var s = CumulantSteadyStateSolver(tolerance: 1e-10)
        s.revision = revision
        return s
    }

    /// Revision 1 is η = max(min(0.05, ½ ‖F‖/scale), 0.1 target/‖F‖) whatever the history; revision 2
    /// equals it at the first step, is never below it, follows 0.9 (‖F‖/‖F_prev‖)² up to 0.05, and
    /// keeps 0.9 η_prev² when that exceeds 0.1.
    @Test func forcingTerms() {
        let (one, two) = (Self.solver(.fixedForcing), Self.solver(.eisenstatWalker))
        let scale = 10.0, target = 1e-10 * scale
        for res in [5.0, 1e-2, 1e-5, 1e-8] {
            let fixed = max(min(0.05, 0.5 * res / scale), 0.1 * target / res)
            for previous in [nil, res * 2, res * 100, res / 2] as [Double?] {
                for previousEta in [0.05, 0.5, 1e-4] {
                    let a = one.forcing(residual: res, previous: previous, previousEta: previousEta, scale: scale, target: target)
                    let b = two.forcing(residual: res, previous: previous, previousEta: previousEta, scale: scale, target: target)
                    #expect(a == fixed)
                    #expect(b >= a)
                    if previous == nil { #expect(b == a) }
                }
            }
        }
        // ‖F‖/scale = 10⁻⁴ after a fall by 2: revision 1 asks 5·10⁻⁵, revision 2 0.9/4 capped at 0.05.
        #expect(two.forcing(residual: 1e-3, previous: 2e-3, previousEta: 0.05, scale: scale, target: target) == 0.05)
        // A fall by 100: 0.9·10⁻⁴, above revision 1's 5·10⁻⁵.
        let quadratic = two.forcing(residual: 1e-3, previous: 1e-1, previousEta: 0.01, scale: scale, target: target)
        #expect(abs(quadratic - 0.9e-4) <= 1e-15)
        // The safeguard: a previous η of 0.5 (0.9·0.25 > 0.1) keeps the next one from falling below 0.05.
        #expect(two.forcing(residual: 1e-3, previous: 1e-1, previousEta: 0.5, scale: scale, target: target) == 0.05)
    }

    /// Both revisions reach the same steady state — on dense couplings (the Fig. 4(a)-type power-law
    /// chain) and on an elastic dipolar plane in the cosine form — and revision 2 needs no more Krylov
    /// iterations (loose solves where the residual falls slowly).
    @Test(arguments: [false, true])
    func revisionsReachTheSameState(lattice onLattice: Bool) throws {
        let lattice = onLattice ? Lattice.square(21, 21) : Lattice.chain(40)
        let (dense, fft) = latticeModelPair(
            lattice: lattice, couplings: onLattice ? "dipolar magic" : "power-law", alpha: 1.5, strength: 0.25,
            detunings: Array(repeating: 0, count: lattice.count), pump: onLattice ? 3 : 4)
        let system = CumulantSystem(model: onLattice ? fft : dense)
        if onLattice { system.lowRankThreshold = 100 }
        let (x1, r1) = try Self.solver(.fixedForcing).solve(system)
        let (x2, r2) = try Self.solver(.eisenstatWalker).solve(system)
        #expect(r1.preconditioner.contains("f and g diagonal") == onLattice, "\(r1.preconditioner)")
        let difference = zip(x1, x2).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-8, "states differ by \(difference)")
        #expect(r2.krylovIterations <= r1.krylovIterations, "revision 2: \(r2.krylovIterations), revision 1: \(r1.krylovIterations)")
    }

    /// A request names its revision through `PointSettings.solverRevision`: none is revision 1, a known
    /// one is used (the results' method says Eisenstat–Walker for revision 2), an unknown one — a bundle
    /// of a newer program — is refused with the revisions this version knows.
    @Test func requestsNameTheirRevision() throws {
        #expect(try CumulantBackend.steadyStateRevision(nil) == .fixedForcing)
        #expect(try CumulantBackend.steadyStateRevision(2) == .eisenstatWalker)
        let (dense, _) = latticeModelPair(
            lattice: .chain(8), couplings: "power-law", alpha: 1.5, strength: 0.25, detunings: Array(repeating: 0, count: 8), pump: 4)
        func run(_ revision: Int?) throws -> PointResult {
            try CumulantBackend().solve(
                SolveRequest(model: dense, observables: [ObservableRequest(kind: .zq)], settings: PointSettings(solverRevision: revision)))
        }
        let (old, new) = (try run(nil), try run(2))
        #expect(!old.method.contains("Eisenstat"), "\(old.method)")
        #expect(new.method.contains("Eisenstat–Walker"), "\(new.method)")
        #expect(abs((old.number("ZQ") ?? 0) - (new.number("ZQ") ?? 1)) <= 1e-9)
        do {
            _ = try run(99)
            Issue.record("revision 99 was accepted")
        } catch BackendError.unsupported(let why) {
            #expect(why.contains("solver revision 99") && why.contains("1, 2"), "\(why)")
        }
    }
}
