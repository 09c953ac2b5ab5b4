import Foundation
import LinearAlgebra
import NumericalMethods
import Physics
import Results
import Testing

@testable import MeanFieldBackend

/// The mean-field dynamics of an all-to-all model held as f_eff and g_eff (`CouplingOperator`'s uniform
/// representation, O(N) sums, docs/physics.md §2.6) against the same model with dense f and g, and at
/// large N against the N → ∞ self-consistency equations (A1)/(A2) of docs/physics.md §4.3.
struct MeanFieldUniformTests {
    struct Case: CustomStringConvertible, Sendable {
        var n: Int
        var geff: Double
        var steady: Bool
        var description: String { "N = \(n), g_eff = \(geff)\(steady ? " steady" : "")" }
    }

    static let cases: [Case] = [9, 12].flatMap { n in
        [0.0, -3.5].flatMap { g in [false, true].map { Case(n: n, geff: g, steady: $0) } }
    }

    /// The model with dense matrices and without (`DipoleModel.uniform` only).
    static func models(n: Int, feff: Double, geff: Double, pump: Double, detunings: [Double]) -> (dense: DipoleModel, uniform: DipoleModel) {
        let dense = DipoleModel.collective(n: n, feff: feff, geff: geff, pump: pump, detunings: detunings)
        let zero = Matrix(rows: 0, cols: 0)
        let free = DipoleModel(pump: pump, detunings: detunings, f: zero, g: zero, uniform: UniformCouplings(feff: feff, geff: geff))
        return (dense, free)
    }

    @Test(arguments: cases) func uniformAgreesWithDense(_ c: Case) throws {
        let detunings = (0..<c.n).map { 0.8 * sin(1.3 * Double($0) + 0.4) }
        let (dm, um) = Self.models(n: c.n, feff: 14, geff: c.geff, pump: 6, detunings: detunings)
        #expect(um.representation == .uniform && dm.representation == .dense && !um.hasMatrices)
        let lattice = MeanFieldLatticeTests.Case(lattice: .chain(c.n), couplings: "", steady: c.steady)
        let dense = try MeanFieldBackend().solve(MeanFieldLatticeTests.request(dm, lattice))
        let free = try MeanFieldBackend().solve(MeanFieldLatticeTests.request(um, lattice))
        #expect(free.method.contains("couplings: uniform") && !dense.method.contains("couplings:"), "\(free.method)")
        MeanFieldLatticeTests.expectAgreement(dense, free, steady: c.steady)
        // The operator's rate scale is that of the dense rows.
        let (a, b) = (CouplingOperator(dm).couplingScale, CouplingOperator(um).couplingScale)
        #expect(abs(a - b) <= 1e-12 * a)
    }

    /// 10⁵ dipoles with Gaussian detunings (σ = 2 Γ, F = 15 Γ, W = 7.5 Γ), integrated from random phases
    /// to the steady state with no N×N array: Z, the inversion and ω agree with the self-consistent
    /// solution for the distribution (Z = 0.16784, ω = 0 by symmetry) to the sampling error of 10⁵ draws
    /// (~1/√N ≈ 0.3 % in Z; ω within a few σ/√N).
    @Test func largeDisorderedModelMatchesSelfConsistency() throws {
        let n = 100_000
        let sigma = 2.0, feff = 15.0, pump = 7.5
        var rng = SeededRandom(seed: 11, stream: [1])
        let detunings = (0..<n).map { _ in sigma * rng.normal() }
        let model = Self.models(n: 1, feff: feff, geff: 0, pump: pump, detunings: [0]).uniform
        var big = model
        big.detunings = detunings
        let request = SolveRequest(
            model: big, lattice: .chain(n), observables: [.z, .inversion, .frequency].map { ObservableRequest(kind: $0) },
            initial: .product(polar: 2.0, azimuth: nil), evolution: .steadyState, seed: 5, tolerance: 1e-7, threads: 1)
        let r = try MeanFieldBackend().solve(request)
        let sc = try MeanFieldClosedForm.selfConsistent(feff: feff, pump: pump, distribution: .gaussian(sigma: sigma))
        let z = try #require(r.number("Z")), inversion = try #require(r.number("inversion")), omega = try #require(r.number("frequency"))
        #expect(sc.z > 0.1)
        #expect(abs(z - sc.z) < 0.01 * sc.z, "Z = \(z), self-consistent \(sc.z)")
        #expect(abs(inversion - sc.inversion) < 0.01 * abs(sc.inversion), "inversion \(inversion) vs \(sc.inversion)")
        #expect(abs(omega) < 5 * sigma / Double(n).squareRoot(), "ω = \(omega)")
        #expect(r.method.contains("couplings: uniform"))
        // The planner's count of right-hand sides for an all-to-all model from random phases, within a factor 3.
        let planned = MeanFieldBackend().rhsEvaluations(initial: request.initial, evolution: .steadyState, uniform: true)
        guard case .number(let counted) = try #require(r.diagnostics.first { $0.key == "evaluations" }?.value) else {
            Issue.record("no evaluation count")
            return
        }
        #expect(planned / 3 < counted && counted < 3 * planned, "\(counted) right-hand sides, planned \(planned)")
    }
}
