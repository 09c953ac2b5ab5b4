import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import Testing

@testable import MeanFieldBackend

extension DenseReference {
    func trace(_ m: ComplexMatrix) -> Complex<Double> { (0..<dim).reduce(.zero) { $0 + m[$1, $1] } }

    /// The product state ⊗_a ρ_a with ⟨σ⁻_a⟩ = β_a, ⟨σᶻ_a⟩ = s_a (bit a of the index set ⇔ dipole a up).
    func productState(beta: [Complex<Double>], s: [Double]) -> ComplexMatrix {
        var rho = ComplexMatrix(rows: dim, cols: dim)
        for j in 0..<dim {
            for i in 0..<dim {
                var v = Complex<Double>.one
                for a in 0..<n {
                    let ui = (i >> a) & 1, uj = (j >> a) & 1
                    // ρ_a = [[(1+s)/2, β], [β*, (1−s)/2]] in the basis (|↑⟩, |↓⟩): ⟨σ⁻⟩ = ρ_{↑↓}.
                    switch (ui, uj) {
                    case (1, 1): v = v * Complex((1 + s[a]) / 2)
                    case (0, 0): v = v * Complex((1 - s[a]) / 2)
                    case (1, 0): v = v * beta[a]
                    default: v = v * beta[a].conjugate
                    }
                }
                rho[i, j] = v
            }
        }
        return rho
    }
}

/// Dephasing and non-radiative decay in the mean-field backend (docs/physics.md §4.5).
@Suite struct MeanFieldDecoherenceTests {
    /// On a product state the mean-field right-hand side is Tr(σ⁻_a L[ρ]), Tr(σᶻ_a L[ρ]) of the full
    /// master equation including L_φ and L_nr (N = 3, random f, g, δ, W, Bloch vectors).
    @Test func rightHandSideEqualsMasterEquationOnProductStates() throws {
        var rng = SeededRandom(seed: 16, stream: [1])
        for trial in 0..<3 {
            let n = 3
            var model = DenseReference.randomModel(n: n, rng: &rng)
            model.dephasing = 0.3 + rng.uniform()
            model.nonradiativeDecay = 0.2 + rng.uniform()
            let ref = DenseReference(model: model)
            var beta: [Complex<Double>] = [], s: [Double] = []
            for _ in 0..<n {
                let th = Double.pi * rng.uniform(), ph = 2 * Double.pi * rng.uniform(), r = 0.9 * rng.uniform() + 0.05
                beta.append(Complex(0.5 * r * sin(th) * cos(ph), -0.5 * r * sin(th) * sin(ph)))
                s.append(r * cos(th))
            }
            let rho = ref.productState(beta: beta, s: s)
            for a in 0..<n {
                #expect((ref.trace(ref.lower[a] * rho) - beta[a]).length < 1e-14)
                #expect(abs(ref.trace(ref.sz[a] * rho).real - s[a]) < 1e-14)
            }
            let l = ref.lindblad(rho)   // includes L_φ + L_nr (docs/physics.md §1.5)
            let dyn = MeanFieldDynamics(model: model)
            var y = [Double](repeating: 0, count: 3 * n), dy = y
            for a in 0..<n { y[a] = beta[a].real; y[n + a] = beta[a].imaginary; y[2 * n + a] = s[a] }
            dyn.rhs(y, &dy)
            for a in 0..<n {
                let dBeta = ref.trace(ref.lower[a] * l), dS = ref.trace(ref.sz[a] * l).real
                #expect(abs(dy[a] - dBeta.real) < 1e-13, "trial \(trial) Re dβ_\(a)")
                #expect(abs(dy[n + a] - dBeta.imaginary) < 1e-13, "trial \(trial) Im dβ_\(a)")
                #expect(abs(dy[2 * n + a] - dS) < 1e-13, "trial \(trial) ds_\(a)")
            }
        }
    }

    /// A lone dipole against docs/physics.md §1.5: |β(t)| = |β₀| e^{−[(Γ+γ_nr+W)/2 + γ_φ]t},
    /// s(t) = P/Q_∥ + (s₀ − P/Q_∥) e^{−Q_∥t}, ⟨σ⁺⟩ turning at +δ.
    @Test(arguments: [(0.5, 0.0), (0.0, 0.7), (0.4, 0.3)])
    func loneDipole(dephasing: Double, nonradiative: Double) throws {
        let (delta, w, th, ph, t) = (0.8, 2.4, 1.1, 0.3, 1.7)
        var model = DipoleModel(pump: w, detunings: [delta], f: Matrix([[1]]), g: Matrix([[0]]))
        model.dephasing = dephasing
        model.nonradiativeDecay = nonradiative
        let req = SolveRequest(
            model: model, observables: [ObservableRequest(kind: .phases), ObservableRequest(kind: .frequency)],
            initial: .product(polar: th, azimuth: ph), evolution: .until(time: t, samples: 2),
            tolerance: 1e-11)
        let r = try MeanFieldBackend().solve(req)
        let row = try #require(r.tables.first { $0.name == "phases" }).rows[0]
        let qPar = 1 + nonradiative + w, p = w - 1 - nonradiative
        #expect(abs(row[4] - 0.5 * sin(th) * exp(-(qPar / 2 + dephasing) * t)) < 1e-9)
        #expect(abs(row[5] - remainder(ph + delta * t, 2 * Double.pi)) < 1e-9)
        #expect(abs(row[6] - (p / qPar + (cos(th) - p / qPar) * exp(-qPar * t))) < 1e-9)
        #expect(abs(try #require(r.number("frequency")) - delta) < 1e-9)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let feff, geff, w, dephasing, nonradiative: Double
        var testDescription: String { "F = \(feff), G = \(geff), W = \(w), γ_φ = \(dephasing), γ_nr = \(nonradiative)" }
    }

    static let grid: [Case] = [
        Case(feff: 15, geff: 0, w: 7.5, dephasing: 0.5, nonradiative: 0), Case(feff: 15, geff: 4, w: 5, dephasing: 0, nonradiative: 0.8),
        Case(feff: 20, geff: -3, w: 8, dephasing: 1, nonradiative: 0.5), Case(feff: 30, geff: 0, w: 12, dephasing: 3, nonradiative: 1),
        Case(feff: 15, geff: 0, w: 7.5, dephasing: 3, nonradiative: 0),   // γ_φ > F/2 − √(2F): unsynchronized
        Case(feff: 10, geff: 2, w: 4, dephasing: 0.2, nonradiative: 2)   // below threshold through γ_nr
    ]

    /// The dynamic steady state of the collective model (N = 200) against the closed forms of §4.5 (Z, Z_Q,
    /// inversion, frequency) with F = f_eff (N−1)/N, on both sides of the threshold F P = Q_∥Q_⊥.
    @Test(arguments: grid) func dynamicMatchesClosedForm(_ c: Case) throws {
        let n = 200
        var model = DipoleModel.collective(n: n, feff: c.feff, geff: c.geff, pump: c.w)
        model.dephasing = c.dephasing
        model.nonradiativeDecay = c.nonradiative
        let req = SolveRequest(
            model: model, observables: [.z, .zq, .inversion, .frequency].map { ObservableRequest(kind: $0) },
            seed: 7, tolerance: 1e-10)
        let r = try MeanFieldBackend().solve(req)
        let f = c.feff * Double(n - 1) / Double(n), g = c.geff * Double(n - 1) / Double(n)
        let z = MeanFieldClosedForm.collectiveZ(feff: f, pump: c.w, dephasing: c.dephasing, nonradiative: c.nonradiative)
        #expect(isClose(try #require(r.number("Z")), z, within: 1e-7))
        #expect(isClose(try #require(r.number("ZQ")), z, within: 1e-6))
        let inv = MeanFieldClosedForm.inversion(feff: f, pump: c.w, z: z, dephasing: c.dephasing, nonradiative: c.nonradiative)
        #expect(isClose(try #require(r.number("inversion")), inv, within: 1e-7))
        if z > 0 {
            // Synchronized: S^z = Q_⊥/(2F).
            #expect(isClose(inv, (1 + c.nonradiative + c.w + 2 * c.dephasing) / (2 * f), within: 1e-12))
            let omega = MeanFieldClosedForm.collectiveFrequency(
                feff: f, geff: g, pump: c.w, dephasing: c.dephasing,
                nonradiative: c.nonradiative)
            #expect(isClose(try #require(r.number("frequency")), omega, within: 1e-7))
        } else {
            #expect(isClose(inv, (c.w - 1 - c.nonradiative) / (2 * (1 + c.nonradiative + c.w)), within: 1e-12))
        }
    }

    /// Large dephasing destroys synchronization: Z = 0 once γ_φ ≥ F/2 − √(2F(Γ + γ_nr)) at every pump, and
    /// the optimal pump is F/2 − Γ − γ_nr − γ_φ below that.
    @Test func largeDephasingDestroysZ() throws {
        let f = 40.0
        for gnr in [0.0, 0.5] {
            let critical = f / 2 - (2 * f * (1 + gnr)).squareRoot()
            for w in stride(from: 1.0, through: 60, by: 0.25) {
                #expect(MeanFieldClosedForm.collectiveZ(feff: f, pump: w, dephasing: critical * 1.001, nonradiative: gnr) == 0)
            }
            let gphi = 0.5 * critical
            let wopt = try #require(MeanFieldClosedForm.optimalPump(feff: f, dephasing: gphi, nonradiative: gnr))
            #expect(abs(wopt - (f / 2 - 1 - gnr - gphi)) < 1e-5)
            #expect(MeanFieldClosedForm.collectiveZ(feff: f, pump: wopt, dephasing: gphi, nonradiative: gnr) > 0.1)
            let near = critical * 0.999
            #expect(MeanFieldClosedForm.collectiveZ(feff: f, pump: f / 2 - 1 - gnr - near, dephasing: near, nonradiative: gnr) > 0)
        }
        var model = DipoleModel.collective(n: 100, feff: 15, pump: 7.5)
        model.dephasing = 4
        let r = try MeanFieldBackend().solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .z)], tolerance: 1e-9))
        #expect(try #require(r.number("Z")) < 1e-6)
    }

    /// With decoherence the self-consistency solver reproduces the Lorentzian closed form of §4.5 and the
    /// identical-dipole forms (Z independent of G, ω = −G Q_⊥/(2F)); Z vanishes at Δ_c = (F P − Q_∥Q_⊥)/(2Q_∥).
    @Test(arguments: [(0.5, 0.0), (0.0, 0.6), (1.0, 0.4)])
    func selfConsistencyAndLorentzian(dephasing gphi: Double, nonradiative gnr: Double) throws {
        for f in [15.0, 40] {
            for w in [6.0, 12, 19] {
                for d in [0.0, 0.3, 1, 3] {
                    let closed = MeanFieldClosedForm.lorentzianZ(feff: f, pump: w, hwhm: d, dephasing: gphi, nonradiative: gnr)
                    let sc = try MeanFieldClosedForm.selfConsistent(
                        feff: f, pump: w, dephasing: gphi, nonradiative: gnr,
                        distribution: .lorentzian(hwhm: d))
                    #expect(abs(sc.z - closed) < 1e-9, "F = \(f), W = \(w), Δ = \(d)")
                    if d == 0 {
                        #expect(abs(closed - MeanFieldClosedForm.collectiveZ(feff: f, pump: w, dephasing: gphi, nonradiative: gnr)) < 1e-12)
                    }
                    if closed > 0 {
                        #expect(
                            abs(
                                sc.inversion
                                    - MeanFieldClosedForm.inversion(
                                        feff: f, pump: w, z: closed, dephasing: gphi,
                                        nonradiative: gnr)) < 1e-9)
                    }
                }
                let dc = MeanFieldClosedForm.criticalWidth(feff: f, pump: w, dephasing: gphi, nonradiative: gnr)
                if dc > 0 {
                    #expect(MeanFieldClosedForm.lorentzianZ(feff: f, pump: w, hwhm: dc * (1 - 1e-4), dephasing: gphi, nonradiative: gnr) > 0)
                    #expect(MeanFieldClosedForm.lorentzianZ(feff: f, pump: w, hwhm: dc * (1 + 1e-4), dephasing: gphi, nonradiative: gnr) == 0)
                }
            }
        }
        for g in [-6.0, 2.5] {
            let sc = try MeanFieldClosedForm.selfConsistent(
                feff: 20, geff: g, pump: 7.5, dephasing: gphi, nonradiative: gnr,
                distribution: .none)
            let z = MeanFieldClosedForm.collectiveZ(feff: 20, pump: 7.5, dephasing: gphi, nonradiative: gnr)
            #expect(z > 0.1)
            #expect(abs(sc.z - z) < 1e-12)
            #expect(abs(try #require(sc.frequency) + g * (1 + gnr + 7.5 + 2 * gphi) / 40) < 1e-12)
        }
    }

    /// Lorentzian disorder (deterministic quantiles, N = 400) with both terms: the dynamic Z approaches the
    /// closed form of §4.5, as without decoherence (O(1/N) finite-sample differences).
    @Test func dynamicWithLorentzianDisorderMatchesClosedForm() throws {
        let n = 400
        let (feff, w, d, gphi, gnr) = (20.0, 9.0, 0.8, 0.6, 0.4)
        var model = DipoleModel.collective(
            n: n, feff: feff, pump: w,
            detunings: DetuningDistribution.lorentzian(hwhm: d).quantiles(count: n))
        model.dephasing = gphi
        model.nonradiativeDecay = gnr
        let r = try MeanFieldBackend().solve(
            SolveRequest(
                model: model, observables: [.z, .frequency].map { ObservableRequest(kind: $0) },
                seed: 7, tolerance: 1e-7))
        let z = MeanFieldClosedForm.lorentzianZ(
            feff: feff * Double(n - 1) / Double(n), pump: w, hwhm: d, dephasing: gphi,
            nonradiative: gnr)
        #expect(z > 0.1)
        #expect(abs(try #require(r.number("Z")) - z) < 3e-3 * z)
    }

    /// The analytic methods of the backend pass the rates on (closed form and self-consistency agree with
    /// the functions, and differ from the values without decoherence).
    @Test func backendAnalyticMethodsUseTheRates() throws {
        var model = DipoleModel.collective(n: 1000, feff: 15, pump: 7.5)
        model.dephasing = 0.7
        model.nonradiativeDecay = 0.3
        let f = 15 * 999 / 1000.0
        let z = MeanFieldClosedForm.collectiveZ(feff: f, pump: 7.5, dephasing: 0.7, nonradiative: 0.3)
        #expect(z < MeanFieldClosedForm.collectiveZ(feff: f, pump: 7.5) - 0.01)
        for method in [MeanFieldMethod.closedForm(.none), .selfConsistent(.none)] {
            let r = try MeanFieldBackend(method: method).solve(
                SolveRequest(model: model, observables: [.z, .inversion].map { ObservableRequest(kind: $0) }))
            #expect(abs(try #require(r.number("Z")) - z) < 1e-10)
            #expect(abs(try #require(r.number("inversion")) - (1 + 0.3 + 7.5 + 1.4) / (2 * f)) < 1e-10)
        }
    }
}
