import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import Testing

@testable import DickeBackend

/// The representation with D distinguished dipoles and N − D permutation-symmetric others
/// (docs/physics.md §6.6) against the dense master equation of §1.1 (TestSupport's `DenseReference`):
/// the steady state (its two-dipole reduced state, and that the generator annihilates it) and the pair
/// function Z_01(τ) by quantum regression, with pump, f_eff, g_eff, detuning, dephasing and non-radiative
/// decay on.
@Suite struct DistinguishedDipolesTests {
    typealias Parameters = DickeReferenceTests.Parameters

    static let cases: [Parameters] = [
        .init(n: 3, feff: 2.1, geff: -1.1, delta: 0.3, w: 1.7, phi: 0.35, nr: 0.6),
        .init(n: 4, feff: 3.7, geff: 0.9, delta: -0.6, w: 2.3),
        .init(n: 4, feff: 2.5, geff: 0.4, delta: 0.2, w: 1.9, phi: 0.8, nr: 0.7),
        .init(n: 5, feff: 4.2, geff: 1.6, delta: 0.8, w: 0.45, phi: 0.25, nr: 0.15),
        .init(n: 5, feff: 5.0, geff: 0.0, delta: 0.0, w: 3.0, phi: 2.0, nr: 0.5)
    ]

    static func steadyState(_ c: Parameters, distinguished d: Int) throws -> (DistinguishedDipoles, DistinguishedDipoles.Sector, [Double]) {
        let ladder = try DickeBackend.ladder(for: c.model)
        let pops = try DickeSteadyState(ladder: ladder).solve().populations
        let model = DistinguishedDipoles(ladder: ladder, distinguished: d)
        let sector = model.sector(charge: 0)
        return (model, sector, model.steadyState(pops, in: sector))
    }

    /// The steady state's two-dipole reduced state equals the dense one entry by entry, and the
    /// generator of §6.6 annihilates the state (a check of both: the state is built from the Dicke
    /// populations, not from the generator).
    @Test(arguments: cases) func steadyStateMatchesDense(_ c: Parameters) throws {
        let dense = DenseReference(model: c.model)
        let rho = try dense.steadyState()
        for d in [1, 2] {
            let (model, sector, x) = try Self.steadyState(c, distinguished: d)
            let tr = sector.partialTrace(x)
            // Reduced state of dipoles 0 (bit 0) and, for D = 2, 1 (bit 1) from the dense ρ.
            for p in 0..<model.states {
                for q in 0..<model.states {
                    var s = Complex<Double>.zero
                    for i in 0..<dense.dim {
                        for k in 0..<dense.dim where i & (model.states - 1) == p && k & (model.states - 1) == q {
                            if i >> d == k >> d { s = s + rho[i, k] }
                        }
                    }
                    let got = tr[p * model.states + q]
                    #expect((got - s).length < 1e-11, "D = \(d), ⟨\(p)|ρ|\(q)⟩: \(got) vs \(s)")
                }
            }
            let residual = model.generator(charge: 0).apply(x).map(abs).max() ?? .nan
            #expect(residual < 1e-12, "D = \(d): |L ρ| = \(residual)")
        }
    }

    /// Z_01(τ) = ⟨(σ⁺_0(τ) + σ⁺_1(τ))(σ⁻_0 + σ⁻_1)⟩ with one and with two distinguished dipoles against
    /// dense quantum regression.
    @Test(arguments: cases) func pairCorrelationMatchesDense(_ c: Parameters) throws {
        let dense = DenseReference(model: c.model)
        let l = dense.liouvillian
        let rho = try dense.steadyState(of: l)
        let s = dense.lower[0] + dense.lower[1]
        let x0 = s * rho
        let taus = [0, 0.1, 0.35, 0.8, 1.7]
        var want: [Complex<Double>] = []
        try DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-15).integrate(
            from: 0, x0.elements.flatMap { [$0.real, $0.imaginary] }, to: taus, rhs: dense.rhs(l),
            observe: { _, y in
                let x = ComplexMatrix(
                    rows: dense.dim, cols: dense.dim, elements: (0..<(dense.dim * dense.dim)).map { Complex(y[2 * $0], y[2 * $0 + 1]) })
                want.append(dense.expect(s.adjoint, x))
            })
        for d in [1, 2] {
            let (model, sector, x) = try Self.steadyState(c, distinguished: d)
            let z = try model.pairCorrelation(
                steadyState: x, sector: sector, generator: model.generator(charge: -1), taus: taus, relativeTolerance: 1e-12)
            for (k, tau) in taus.enumerated() {
                #expect((z[k] - want[k]).length < 1e-10, "D = \(d), τ = \(tau): \(z[k]) vs \(want[k])")
            }
        }
    }

    /// N = 70 with two distinguished dipoles: the reduced pair state of the rewritten steady state gives
    /// the symmetric observables of the Dicke solution (⟨n_a⟩, Z_Q² = ⟨σ⁺_a σ⁻_b⟩, ⟨σᶻ_a σᶻ_b⟩), and the
    /// generator of §6.6 annihilates it — without and with dephasing and non-radiative decay.
    @Test(arguments: [
        Parameters(n: 70, feff: 15, geff: 0, delta: 0, w: 7.5), Parameters(n: 70, feff: 15, geff: 2.5, delta: 0.4, w: 3, phi: 0.5, nr: 0.3)
    ])
    func largeNMatchesDicke(_ c: Parameters) throws {
        let (model, sector, x) = try Self.steadyState(c, distinguished: 2)
        let ladder = try DickeBackend.ladder(for: c.model)
        let mo = DickeMoments(try DickeSteadyState(ladder: ladder).solve().populations)
        let r = sector.partialTrace(x)   // r[p·4 + q], bit 0 dipole a, bit 1 dipole b
        #expect(abs(r[0].real + r[5].real + r[10].real + r[15].real - 1) < 1e-12)
        #expect(abs(r[15].real + r[5].real - mo.population) < 1e-12, "⟨n_a⟩")
        #expect(abs(r[15].real + r[10].real - mo.population) < 1e-12, "⟨n_b⟩")
        // ⟨σ⁺_a σ⁻_b⟩ = Tr[|a↑b↓⟩⟨a↓b↑| ρ] = ⟨a↓b↑|ρ|a↑b↓⟩ = r[2·4 + 1].
        #expect((r[2 * 4 + 1] - Complex(mo.zq2)).length < 1e-12, "Z_Q²: \(r[9]) vs \(mo.zq2)")
        #expect(abs(r[0].real - r[5].real - r[10].real + r[15].real - mo.zz) < 1e-12, "⟨σᶻσᶻ⟩")
        let l = model.generator(charge: 0)
        let residual = l.apply(x).map(abs).max() ?? .nan
        #expect(residual < 1e-12, "|L ρ| = \(residual)")
        // A state that is not stationary (the entries shifted by one place) has a large residual.
        var moved = x
        for i in 0..<(x.count / 2 - 1) { moved[2 * i] = x[2 * i + 2] }
        #expect((l.apply(moved).map(abs).max() ?? 0) > 1e-3)
    }

    /// Z_01(τ) from one and from two distinguished dipoles (different representations, different
    /// initial operators) at N = 12 with every term on.
    @Test func oneAndTwoDistinguishedAgree() throws {
        let c = Parameters(n: 12, feff: 6, geff: 1.3, delta: 0.7, w: 4, phi: 0.4, nr: 0.2)
        let taus = [0, 0.2, 0.7, 1.5, 3]
        var z: [[Complex<Double>]] = []
        for d in [1, 2] {
            let (model, sector, x) = try Self.steadyState(c, distinguished: d)
            z.append(
                try model.pairCorrelation(
                    steadyState: x, sector: sector, generator: model.generator(charge: -1), taus: taus, relativeTolerance: 1e-12))
        }
        for k in taus.indices { #expect((z[0][k] - z[1][k]).length < 1e-10, "τ = \(taus[k]): \(z[0][k]) vs \(z[1][k])") }
        #expect(z[0][0].length > 0.1 && z[0][4].length < 0.5 * z[0][0].length)
    }

    /// The backend's `two-time` at N = 70: the table's Z(0) is ⟨(σ⁺_a + σ⁺_b)(σ⁻_a + σ⁻_b)⟩ =
    /// 2⟨n⟩ + 2 Z_Q² of the Dicke steady state, the entry repeats for every pair asked, and the fit
    /// reproduces Z(0) as A (within the fit's own error: Z is not a single exponential).
    @Test func backendTwoTimeAtN70() throws {
        let model = DipoleModel.collective(n: 70, feff: 15, pump: 7.5)
        let res = try DickeBackend().solve(
            SolveRequest(
                model: model,
                observables: [
                    .init(kind: .zq), .init(kind: .inversion), .init(kind: .twoTime, pairs: [.init(0, 1), .init(3, 9)], tauMax: 4, tauPoints: 201)
                ]))
        let table = try #require(res.tables.first { $0.name == "two-time-0-1" })
        #expect(res.tables.contains { $0.name == "two-time-3-9" })
        let zq2 = try #require(res.number("ZQ2")), inversion = try #require(res.number("inversion"))
        #expect(abs(table.rows[0][1] - (2 * (0.5 + inversion) + 2 * zq2)) < 1e-12)
        #expect(abs(table.rows[0][2]) < 1e-14)
        guard case .array(let entries) = res["two-time"] else { Issue.record("no two-time list"); return }
        #expect(entries.count == 2)
        guard case .object(let first) = entries[0], case .number(let gamma) = first.first(where: { $0.0 == "gamma" })?.1 else {
            Issue.record("no gamma"); return
        }
        #expect(gamma > 0.5 && gamma < 20)
    }
}
