import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import Testing

@testable import DickeBackend

/// Local dephasing and non-radiative decay in the permutation-symmetric backend (docs/physics.md §6.4.1)
/// against the dense Liouvillian, the lone-dipole closed forms of §1.5 and PIQS.
@Suite struct DickeDecoherenceTests {
    typealias Parameters = DickeReferenceTests.Parameters

    /// Both terms together and each alone; the last has Γ − f_eff/N = 0, so all local decay is γ_nr.
    static let cases: [Parameters] = [
        .init(n: 2, feff: 1.3, geff: 0.7, delta: 0.4, w: 0.9, phi: 0.8, nr: 0.3),
        .init(n: 3, feff: 2.1, geff: -1.1, delta: 0.3, w: 1.7, phi: 0.35, nr: 0.6),
        .init(n: 4, feff: 3.7, geff: 0.9, delta: -0.6, w: 2.3, phi: 1.4, nr: 0),
        .init(n: 4, feff: 2.5, geff: 0.4, delta: 0.2, w: 1.9, phi: 0, nr: 0.7),
        .init(n: 5, feff: 4.2, geff: 1.6, delta: 0.8, w: 0.45, phi: 0.25, nr: 0.15),
        .init(n: 5, feff: 5.0, geff: 0.0, delta: 0.0, w: 3.0, phi: 2.0, nr: 0.5)
    ]

    /// ⟨J⁺(τ)J⁻(0)⟩ of the steady state (the k = 1 sector with dephasing) against dense quantum regression.
    @Test(arguments: [cases[1], cases[4]]) func collectiveCorrelationMatchesDense(_ c: Parameters) throws {
        let model = c.model
        let res = try DickeBackend().solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .spectrum, tauMax: 2, tauPoints: 5)]))
        let table = try #require(res.tables.first { $0.name == "two-time-collective" })
        let dense = DenseReference(model: model)
        let l = dense.liouvillian
        let x0 = dense.jm * (try dense.steadyState(of: l))
        var got: [Complex<Double>] = []
        let jp = dense.jp
        try DormandPrince(relativeTolerance: 1e-11, absoluteTolerance: 1e-13).integrate(
            from: 0, x0.elements.flatMap { [$0.real, $0.imaginary] }, to: table.rows.map { $0[0] }, rhs: dense.rhs(l),
            observe: { _, y in
                let x = ComplexMatrix(
                    rows: dense.dim, cols: dense.dim, elements: (0..<(dense.dim * dense.dim)).map { Complex(y[2 * $0], y[2 * $0 + 1]) })
                got.append(dense.expect(jp, x))
            })
        #expect(got.count == table.rows.count)
        for (row, g) in zip(table.rows, got) {
            #expect(abs(row[1] - g.real) < 1e-7, "tau \(row[0])")
            #expect(abs(row[2] - g.imaginary) < 1e-7, "tau \(row[0])")
        }
    }

    /// A lone dipole (docs/physics.md §1.5): ⟨σᶻ⟩ = (W − Γ − γ_nr)/(W + Γ + γ_nr) in the steady state,
    /// ⟨σᶻ⟩(t) relaxing at W + Γ + γ_nr from |↑⟩, and ⟨σ⁺(τ)σ⁻⟩ = ⟨σ⁺σ⁻⟩ e^{−[(Γ + γ_nr + W)/2 + γ_φ − iδ]τ}.
    @Test(arguments: [(0.7, 0.0, 0.4, 0.25), (1.5, 2.0, 0.0, -0.5), (2.3, 0.6, 0.9, 0.0)])
    func loneDipoleClosedForms(w: Double, phi: Double, nr: Double, delta: Double) throws {
        var model = DipoleModel.collective(n: 1, feff: 0, pump: w, detunings: [delta])
        model.dephasing = phi
        model.nonradiativeDecay = nr
        let total = w + 1 + nr
        let sz = (w - 1 - nr) / total
        let tauMax = 1.5
        let res = try DickeBackend().solve(
            SolveRequest(
                model: model,
                observables: [
                    .init(kind: .inversion),
                    .init(kind: .spectrum, tauMax: tauMax, tauPoints: 7)
                ]))
        #expect(isClose(res.number("inversion") ?? .nan, sz / 2, within: 1e-13))
        let table = try #require(res.tables.first { $0.name == "two-time-collective" })
        let upper = (1 + sz) / 2
        let rate = total / 2 + phi
        for row in table.rows {
            let tau = row[0]
            let g = Complex(upper) * Complex.exp(Complex(-rate * tau, delta * tau))
            #expect(abs(row[1] - g.real) < 1e-9 && abs(row[2] - g.imaginary) < 1e-9, "τ = \(tau): \(row[1]) \(row[2]) vs \(g)")
        }
        let t = 0.8
        let ev = try DickeBackend().solve(
            SolveRequest(
                model: model, observables: [.init(kind: .inversion)], initial: .excited,
                evolution: .until(time: t, samples: 2)))
        let expected = sz + (1 - sz) * exp(-total * t)
        #expect(abs((ev.number("inversion") ?? .nan) - expected / 2) < 1e-9)
    }

    /// Z_Q falls monotonically with γ_φ and vanishes as γ_φ → ∞: Z_Q² ∝ 1/γ_φ at large γ_φ (the pair
    /// coherence is fed at ∝ f_eff/N and dephased at 2γ_φ), N = 30, f_eff = 15, W = 7.5.
    @Test func largeDephasingDestroysSynchronization() throws {
        var z2: [Double] = []
        let rates = [0.0, 0.5, 2, 10, 100, 1000]
        for phi in rates {
            var model = DipoleModel.collective(n: 30, feff: 15, pump: 7.5)
            model.dephasing = phi
            z2.append(try #require(try DickeBackend().solve(SolveRequest(model: model, observables: [.init(kind: .zq)])).number("ZQ2")))
        }
        for i in 1..<z2.count { #expect(z2[i] < z2[i - 1], "γφ = \(rates[i])") }
        #expect(z2[0] > 0.05)
        #expect(z2[5] < 3e-3 * z2[0])
        #expect(abs(1000 * z2[5] / (100 * z2[4]) - 1) < 0.15)
    }

    /// The windowed steady state (N beyond `fullWindowLimit`) with dephasing equals the full chain's.
    @Test func windowWithDephasingMatchesFullSolve() throws {
        let lad = DickeLadder(n: 240, gamma: 1.2, feff: 15, geff: 0.3, pump: 7.5, detuning: 0, dephasing: 0.6)
        var windowed = DickeSteadyState(ladder: lad)
        windowed.fullWindowLimit = 80
        let w = try windowed.solve()
        #expect(w.truncated)
        #expect(w.residual < 1e-11)
        let full = try DickeSteadyState(ladder: lad).solve()
        #expect(!full.truncated)
        #expect(full.residual < 1e-11)
        #expect(isClose(full.populations.values.reduce(0, +), 1, within: 1e-12))
        #expect(full.minimum > -1e-14)
        #expect(isClose(DickeMoments(w.populations).zq2, DickeMoments(full.populations).zq2, within: 1e-11))
        #expect(isClose(DickeMoments(w.populations).inversion, DickeMoments(full.populations).inversion, within: 1e-11))
    }

    /// The two dephasing channels carry exactly the j-changing loss of each state.
    @Test func dephasingChannelsSumToTheLoss() {
        for n in [1, 2, 7, 12] {
            let lad = DickeLadder(n: n, gamma: 1, feff: 0.5, geff: 0, pump: 1, detuning: 0, dephasing: 0.7)
            for t in 0..<lad.jCount {
                let j = lad.j(t)
                for m in stride(from: -j, through: j, by: 1) {
                    let sum = lad.dephasingRate(.down, j, m) + lad.dephasingRate(.up, j, m)
                    #expect(abs(sum - lad.dephasingLoss(j, m)) < 1e-12 * Double(n), "N=\(n) j=\(j) m=\(m)")
                }
            }
        }
    }

    /// The description lists both terms; negative rates are refused by `solve`.
    @Test func descriptionAndRefusals() {
        #expect(DickeBackend().decoherence == [.dephasing, .nonradiativeDecay])
        #expect(DickeBackend().unsupportedDecoherence([.dephasing, .nonradiativeDecay]) == nil)
        var model = DipoleModel.collective(n: 4, feff: 2, pump: 1)
        model.dephasing = -1
        #expect(throws: BackendError.self) { try DickeBackend().solve(SolveRequest(model: model, observables: [.init(kind: .zq)])) }
        model.dephasing = 0
        model.nonradiativeDecay = -0.5
        #expect(throws: BackendError.self) { try DickeBackend().solve(SolveRequest(model: model, observables: [.init(kind: .zq)])) }
        // γ_nr makes f_eff = N(Γ + γ_nr) admissible (the positivity check of f + γ_nr·1).
        var strong = DipoleModel.collective(n: 4, feff: 5, pump: 1)
        strong.nonradiativeDecay = 0.25
        #expect((try? DickeBackend().solve(SolveRequest(model: strong, observables: [.init(kind: .zq)]))) != nil)
    }
}
