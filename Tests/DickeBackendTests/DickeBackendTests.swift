import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import TestSupport
import Testing
import XCTest

@testable import DickeBackend

final class DickeBackendTests: XCTestCase {
    static let all: [ObservableRequest] = [
        .init(kind: .zq), .init(kind: .inversion), .init(kind: .qfi),
        .init(kind: .mutualInformation), .init(kind: .discord)
    ]

    /// A product state without a fixed azimuth is refused for time evolution (time evolution itself:
    /// `DickeReferenceTests.timeEvolutionMatchesDense`).
    func testRandomAzimuthIsRefusedForTimeEvolution() throws {
        let model = DipoleModel.collective(n: 3, feff: 2.2, geff: 0.8, pump: 1.1, detunings: Array(repeating: 0.5, count: 3))
        XCTAssertThrowsError(
            try DickeBackend().solve(
                SolveRequest(
                    model: model, observables: [.init(kind: .zq)],
                    initial: .product(polar: 1, azimuth: nil), evolution: .until(time: 1, samples: 2))))
    }

    func testCollectiveCorrelationMatchesDenseQuantumRegression() throws {
        let n = 3
        let model = DipoleModel.collective(n: n, feff: 2.5, geff: 1.3, pump: 1.4, detunings: Array(repeating: -0.7, count: n))
        let req = ObservableRequest(kind: .spectrum, tauMax: 2, tauPoints: 5)
        let res = try DickeBackend().solve(SolveRequest(model: model, observables: [req]))
        let table = try XCTUnwrap(res.tables.first { $0.name == "two-time-collective" })
        let dense = DenseReference(model: model)
        let rho = try dense.steadyState()
        let x0 = dense.jm * rho
        let y0 = x0.elements.flatMap { [$0.real, $0.imaginary] }
        var got: [Complex<Double>] = []
        let jp = dense.jp
        try DormandPrince(relativeTolerance: 1e-11, absoluteTolerance: 1e-13).integrate(
            from: 0, y0, to: table.rows.map { $0[0] }, rhs: dense.rhs(dense.liouvillian),
            observe: { _, y in
                let x = ComplexMatrix(
                    rows: dense.dim, cols: dense.dim, elements: (0..<(dense.dim * dense.dim)).map { Complex(y[2 * $0], y[2 * $0 + 1]) })
                got.append(dense.expect(jp, x))
            })
        for (row, g) in zip(table.rows, got) {
            XCTAssertEqual(row[1], g.real, accuracy: 1e-7, "tau \(row[0])")
            XCTAssertEqual(row[2], g.imaginary, accuracy: 1e-7, "tau \(row[0])")
        }
        XCTAssertNotNil(res["spectrum"])
    }

    func testUnsupportedModelsAreRefused() {
        var model = DipoleModel.collective(n: 4, feff: 2, pump: 1)
        model.detunings = [0, 0.1, 0, 0]
        XCTAssertThrowsError(try DickeBackend().solve(SolveRequest(model: model, observables: [.init(kind: .zq)])))
        XCTAssertThrowsError(try DickeBackend().solve(SolveRequest(model: .collective(n: 4, feff: 5, pump: 1), observables: [.init(kind: .zq)])))
        // two-time is computed in the steady state only (docs/physics.md §6.6).
        XCTAssertThrowsError(
            try DickeBackend().solve(
                SolveRequest(model: .collective(n: 4, feff: 2, pump: 1), observables: [.init(kind: .twoTime)], evolution: .until(time: 1, samples: 2))
            ))
        XCTAssertThrowsError(
            try DickeBackend().solve(SolveRequest(model: .collective(n: 4, feff: 2, pump: 1), observables: [.init(kind: .qfiConditional)])))
        let chain = DipoleModel(pump: 1, detunings: [0, 0], f: Matrix([[1, 0.5], [0.5, 1]]), g: Matrix(rows: 2, cols: 2))
        XCTAssertThrowsError(try DickeBackend().solve(SolveRequest(model: chain, observables: [.init(kind: .zq)])))
    }
}

/// The Dicke backend against independent references, one test per parameter set.
@Suite struct DickeReferenceTests {
    /// (N, f_eff, g_eff, δ, W) and the single-dipole rates γ_φ, γ_nr of docs/physics.md §1.5 (default 0).
    struct Parameters: Sendable, CustomTestStringConvertible {
        var n: Int, feff: Double, geff: Double, delta: Double, w: Double, phi: Double = 0, nr: Double = 0
        var testDescription: String { "N=\(n) feff=\(feff) geff=\(geff) δ=\(delta) W=\(w) γφ=\(phi) γnr=\(nr)" }
        var model: DipoleModel {
            var m = DipoleModel.collective(n: n, feff: feff, geff: geff, pump: w, detunings: Array(repeating: delta, count: n))
            m.dephasing = phi
            m.nonradiativeDecay = nr
            return m
        }
    }

    /// Random-ish uniform parameters, with detuning and elastic coupling; the last has γ = Γ − f_eff/N = 0
    /// (no local decay).
    static let cases: [Parameters] = [
        .init(n: 2, feff: 1.3, geff: 0.7, delta: 0.4, w: 0.9), .init(n: 3, feff: 2.1, geff: -1.1, delta: 0.3, w: 1.7),
        .init(n: 4, feff: 3.7, geff: 0.9, delta: -0.6, w: 2.3), .init(n: 5, feff: 4.2, geff: 1.6, delta: 0.8, w: 0.45),
        .init(n: 4, feff: 4.0, geff: 0.0, delta: 0.0, w: 3.0)
    ]

    /// Z_Q², inversion, ⟨J²⟩, ⟨J² J_z²⟩, QFI, mutual information and discord of the steady state against the
    /// dense Liouvillian's null vector (docs/physics.md §3), without and with the decoherence terms of §1.5
    /// (`DickeDecoherenceTests.cases`: both together, each alone, all local decay from γ_nr).
    @Test(arguments: cases + DickeDecoherenceTests.cases) func steadyStateMatchesDenseLiouvillian(_ c: Parameters) throws {
        let n = c.n
        let model = c.model
        let res = try DickeBackend().solve(SolveRequest(model: model, observables: DickeBackendTests.all))
        let dense = DenseReference(model: model)
        let rho = try dense.steadyState()
        let jz = dense.expect(dense.jz, rho).real
        let jpjm = dense.expect(dense.jp * dense.jm, rho).real
        let zq2 = (jpjm - jz - Double(n) / 2) / Double(n * (n - 1))
        #expect(isClose(res.number("ZQ2") ?? .nan, zq2, within: 1e-10))
        #expect(isClose(res.number("inversion") ?? .nan, jz / Double(n), within: 1e-10))
        // Dicke-basis moments beyond those: ⟨J²⟩ and ⟨J_z²⟩ fix more of the (j, m) distribution.
        var ss = DickeSteadyState(ladder: try DickeBackend.ladder(for: model))
        ss.fullWindowLimit = 400
        let p = try ss.solve().populations
        let jzm = dense.jz
        let jsq: ComplexMatrix = dense.jx * dense.jx + dense.jy * dense.jy + jzm * jzm
        let j2: Double = dense.expect(jsq, rho).real
        #expect(isClose(p.expectation { j, _ in j * (j + 1) }, j2, within: 1e-10))
        let jsqz2: ComplexMatrix = jsq * (jzm * jzm)
        #expect(isClose(p.expectation { j, m in j * (j + 1) * m * m }, dense.expect(jsqz2, rho).real, within: 1e-9))
        // QFI against the dense mixed-state formula.
        let fq =
            (try QuantumFisher.mixed(rho, generator: dense.jx) + QuantumFisher.mixed(rho, generator: dense.jy)
                + QuantumFisher.mixed(rho, generator: dense.jz)) / 3
        #expect(isClose(res.number("qfi") ?? .nan, fq, within: 1e-8))
        #expect(isClose(res.number("qfi-witness") ?? .nan, 2 * Double(n) / 3, within: 1e-14))
        // Pair state: partial trace of the dense state over every dipole but 0 and 1.
        let rab = dense.pairState(rho, 0, 1)
        #expect(isClose(res.number("mutual-information") ?? .nan, try PairCorrelations.mutualInformation(rab), within: 1e-9))
        #expect(isClose(res.number("discord") ?? .nan, try PairCorrelations.discord(rab), within: 1e-8))
    }

    /// Z_Q² and the inversion after 1.5/Γ from |↓…↓⟩, |↑…↑⟩ and a product state with an azimuth (coherences
    /// between excitation numbers), against the dense Liouvillian integrated with the same method; without
    /// and with the decoherence terms of docs/physics.md §1.5.
    @Test(arguments: [Parameters(n: 3, feff: 2.2, geff: 0.8, delta: 0.5, w: 1.1)] + DickeDecoherenceTests.cases[1...3])
    func timeEvolutionMatchesDense(_ c: Parameters) throws {
        let n = c.n
        let model = c.model
        let dense = DenseReference(model: model)
        let l = dense.liouvillian
        for (initial, polar) in [(InitialState.ground, Double.pi), (.excited, 0), (.product(polar: 1.1, azimuth: 0.3), 1.1)] {
            let res = try DickeBackend().solve(
                SolveRequest(
                    model: model, observables: [.init(kind: .zq), .init(kind: .inversion)],
                    initial: initial, evolution: .until(time: 1.5, samples: 3)))
            // Dense |θ, φ⟩^⊗N with cos(θ/2)|↑⟩ + e^{iφ} sin(θ/2)|↓⟩ (bit set for ↑).
            let phi = 0.3
            var psi = [Complex<Double>](repeating: .zero, count: dense.dim)
            for i in 0..<dense.dim {
                var a = Complex<Double>.one
                for b in 0..<n { a = a * ((i >> b) & 1 == 1 ? Complex(cos(polar / 2)) : Complex(cos(phi), sin(phi)) * Complex(sin(polar / 2))) }
                psi[i] = a
            }
            var y0 = [Double](repeating: 0, count: 2 * dense.dim * dense.dim)
            for col in 0..<dense.dim {
                for r in 0..<dense.dim {
                    let v = psi[r] * psi[col].conjugate
                    y0[2 * (r + dense.dim * col)] = v.real; y0[2 * (r + dense.dim * col) + 1] = v.imaginary
                }
            }
            let out = try DormandPrince(relativeTolerance: 1e-11, absoluteTolerance: 1e-13).integrate(from: 0, y0, to: [1.5], rhs: dense.rhs(l))
            let rho = ComplexMatrix(
                rows: dense.dim, cols: dense.dim, elements: (0..<(dense.dim * dense.dim)).map { Complex(out.y[2 * $0], out.y[2 * $0 + 1]) })
            let jz = dense.expect(dense.jz, rho).real
            let zq2 = (dense.expect(dense.jp * dense.jm, rho).real - jz - Double(n) / 2) / Double(n * (n - 1))
            #expect(isClose(res.number("ZQ2") ?? .nan, zq2, within: 1e-8), "\(initial)")
            #expect(isClose(res.number("inversion") ?? .nan, jz / Double(n), within: 1e-8), "\(initial)")
            #expect(res.tables.first { $0.name == "timeseries" }?.rows.count == 4)
        }
    }

    /// Normalized, non-negative populations with a small residual, and Z_Q² ≤ 1/8, over a spread of N, f_eff and W.
    @Test(arguments: [(31, 10.0, 0.2), (64, 30.0, 14.0), (65, 5.0, 40.0), (120, 60.0, 30.0)])
    func conservation(n: Int, feff: Double, w: Double) throws {
        let lad = DickeLadder(n: n, gamma: 1, feff: feff, geff: 0.5, pump: w, detuning: 0.2)
        let sol = try DickeSteadyState(ladder: lad).solve()
        #expect(isClose(sol.populations.values.reduce(0, +), 1, within: 1e-12))
        #expect(sol.minimum > -1e-14)
        #expect(sol.residual < 1e-11)
        #expect(DickeMoments(sol.populations).zq2 <= 1 / 8.0 + 1e-12)
    }

    /// f_eff = 15, W = 7.5: Z_Q² → (f P − Q²)/(2 f²) = 0.0561111 with 1/N corrections (docs/physics.md §4),
    /// approached monotonically from N = 50 to 400.
    @Test(.tags(.slow)) func largeNApproachesMeanFieldClosedForm() throws {
        let limit = (15.0 * 6.5 - 8.5 * 8.5) / (2 * 225)
        var previous = Double.infinity
        for n in [50, 100, 200, 400] {
            let res = try DickeBackend().solve(SolveRequest(model: .collective(n: n, feff: 15, pump: 7.5), observables: [.init(kind: .zq)]))
            let z2 = try #require(res.number("ZQ2"))
            #expect(abs(z2 - limit) < previous, "N = \(n)")
            previous = abs(z2 - limit)
            #expect(z2 <= 1.0 / 8 + 1e-12)
        }
        #expect(previous < 0.005)
    }

    /// N = 800 goes through the window from N = 200; the windowed solution equals the full chain's.
    @Test(.tags(.slow)) func windowMatchesFullSolve() throws {
        let lad = DickeLadder(n: 800, gamma: 1, feff: 15, geff: 0, pump: 7.5, detuning: 0)
        var windowed = DickeSteadyState(ladder: lad)
        windowed.fullWindowLimit = 400
        let w = try windowed.solve()
        #expect(w.truncated)
        #expect(w.residual < 1e-12)
        let full = try DickeSteadyState(ladder: lad).solve(window: .fullWindow(n: 800), pivot: nil)
        #expect(!full.truncated)
        #expect(full.residual < 1e-12)
        #expect(isClose(DickeMoments(w.populations).zq2, DickeMoments(full.populations).zq2, within: 1e-12))
        #expect(isClose(DickeMoments(w.populations).inversion, DickeMoments(full.populations).inversion, within: 1e-12))
    }

    /// Points below threshold at large f_eff whose scaled window steps by several j between levels where it
    /// meets the end of the reference window (docs/physics.md §6.4.2): the first window's reduction is
    /// singular and the smoothed window (`DickeSteadyState.connected`) solves; the result equals the full
    /// chain's. (Found by a probe of N = 600 … 1500, f_eff = 30 … 60 Γ, W = 0.3 … 80 Γ.)
    @Test(.tags(.slow), arguments: [(600, 40.0, 0.6216586184509102), (600, 60.0, 0.48761275514955427), (600, 60.0, 0.6216586184509102)])
    func steppedWindowsAreSmoothed(n: Int, feff: Double, w: Double) throws {
        let lad = DickeLadder(n: n, gamma: 1, feff: feff, geff: 0, pump: w, detuning: 0)
        let windowed = try DickeSteadyState(ladder: lad).solve()
        #expect(windowed.truncated)
        #expect(windowed.residual < 1e-9)
        #expect(windowed.boundaryMass <= 1e-12)
        let full = try DickeSteadyState(ladder: lad).solve(window: .fullWindow(n: n), pivot: nil)
        #expect(full.residual < 1e-9)
        #expect(isClose(DickeMoments(windowed.populations).zq2, DickeMoments(full.populations).zq2, within: 1e-10))
        #expect(isClose(DickeMoments(windowed.populations).inversion, DickeMoments(full.populations).inversion, within: 1e-10))
    }

    /// `connected` only widens, and leaves neighbouring levels' ends at most one j apart.
    @Test func connectedWindowsStepByAtMostOne() {
        let w = DickePopulations(n: 40, levelLow: 18, levelHigh: 22, lo: [2, 2, 9, 2, 2], hi: [3, 3, 12, 4, 4])
        let c = DickeSteadyState.connected(w)
        for k in 0..<5 {
            #expect(c.lo[k] <= w.lo[k] && c.hi[k] >= w.hi[k])
            #expect(c.lo[k] >= DickePopulations.tMin(n: 40, level: 18 + k))
            if k > 0 { #expect(abs(c.lo[k] - c.lo[k - 1]) <= 1 && abs(c.hi[k] - c.hi[k - 1]) <= 1) }
        }
    }
}
