import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import TestSupport
import XCTest

@testable import ExactBackend

final class TwoTimeTests: XCTestCase {
    /// Uncoupled dipoles: Z_ab(τ) = p (e^{iδ_a τ} + e^{iδ_b τ}) e^{−(Γ+W)τ/2} with p = W/(W+Γ);
    /// δ_a = −δ_b = Δ gives A = 2p, ν = Δ, γ = (Γ+W)/2 exactly.
    func testUncoupledClosedForm() throws {
        let w = 1.5, delta = 0.8
        let model = DipoleModel(pump: w, detunings: [delta, -delta, 0.3], f: .identity(3), g: Matrix(rows: 3, cols: 3))
        var o = ObservableRequest(kind: .twoTime, pairs: [DipolePair(0, 1)])
        o.tauMax = 6; o.tauPoints = 121
        let r = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: [o]))
        let p = w / (w + 1)
        guard let table = r.tables.first(where: { $0.name == "two-time-0-1" }) else { return XCTFail("no table") }
        for row in table.rows {
            let t = row[0]
            let expected = 2 * p * cos(delta * t) * exp(-(1 + w) * t / 2)
            XCTAssertEqual(row[1], expected, accuracy: 1e-8)
            XCTAssertEqual(row[2], 0, accuracy: 1e-8)
        }
        guard case .array(let list)? = r["two-time"], case .object(let fields)? = list.first else { return XCTFail() }
        let d = Dictionary(uniqueKeysWithValues: fields)
        XCTAssertEqual(d["A"]?.number ?? .nan, 2 * p, accuracy: 1e-6)
        XCTAssertEqual(d["nu"]?.number ?? .nan, delta, accuracy: 1e-6)
        XCTAssertEqual(d["gamma"]?.number ?? .nan, (1 + w) / 2, accuracy: 1e-6)
    }

    /// Quantum regression on the charge-1 blocks equals the dense Liouvillian propagated by small RK4
    /// steps, for a dipolar chain with random detunings.
    func testRegressionMatchesDense() throws {
        let n = 3
        let model = DenseReference.randomModel(n: n, seed: 77, pump: 2.5)
        let ref = DenseReference(model: model)
        let ld = ref.liouvillian
        let rhoD = try ref.steadyState()
        let l = BlockLiouvillian(model: model)
        let rho = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho
        let tau = [0, 0.25, 0.5, 1.0]
        let g = try QuantumRegression.correlation(l, rho: rho, dipoles: [0, 2], tau: tau, tolerance: 1e-12)
        // Dense: χ = (σ⁻_0 + σ⁻_2) ρ, RK4 with h = 1e-3, G = Tr[(σ⁺_0 + σ⁺_2) χ].
        var sm = ref.lower[0]
        for i in 0..<sm.elements.count { sm.elements[i] = sm.elements[i] + ref.lower[2].elements[i] }
        var chi = (sm * rhoD).elements
        let sp = sm.adjoint
        func trace(_ x: [Complex<Double>]) -> Complex<Double> {
            let m = ComplexMatrix(rows: ref.dim, cols: ref.dim, elements: x)
            let p = sp * m
            var t = Complex<Double>.zero
            for i in 0..<ref.dim { t = t + p[i, i] }
            return t
        }
        var t = 0.0
        let h = 1e-3
        for (k, target) in tau.enumerated() {
            while t < target - 1e-12 {
                let k1 = ld.apply(chi)
                let k2 = ld.apply(zip(chi, k1).map { $0 + Complex(h / 2) * $1 })
                let k3 = ld.apply(zip(chi, k2).map { $0 + Complex(h / 2) * $1 })
                let k4 = ld.apply(zip(chi, k3).map { $0 + Complex(h) * $1 })
                for i in chi.indices { chi[i] = chi[i] + Complex(h / 6) * (k1[i] + Complex(2) * k2[i] + Complex(2) * k3[i] + k4[i]) }
                t += h
            }
            XCTAssertLessThan((trace(chi) - g[k]).length, 1e-9, "τ = \(target)")
        }
    }

    /// Spectrum of one pumped dipole: ⟨σ⁺(τ)σ⁻⟩ = p e^{(iδ − (Γ+W)/2)τ}: a Lorentzian at δ with FWHM Γ + W.
    func testSingleDipoleSpectrum() throws {
        let model = DipoleModel(pump: 0.5, detunings: [0.7], f: .identity(1), g: Matrix(rows: 1, cols: 1))
        var o = ObservableRequest(kind: .spectrum)
        o.tauMax = 20; o.tauPoints = 400
        let r = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: [o, ObservableRequest(kind: .frequency)]))
        guard case .object(let fields)? = r["spectrum"] else { return XCTFail() }
        let d = Dictionary(uniqueKeysWithValues: fields)
        XCTAssertEqual(d["peak-frequency"]?.number ?? .nan, 0.7, accuracy: 1e-8)
        XCTAssertEqual(d["linewidth"]?.number ?? .nan, 1.5, accuracy: 1e-6)
        XCTAssertEqual(r.number("frequency") ?? .nan, 0.7, accuracy: 1e-8)
    }
}
