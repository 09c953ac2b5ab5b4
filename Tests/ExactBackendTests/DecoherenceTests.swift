import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import XCTest

@testable import ExactBackend

extension DenseReference {
    /// C_ab = Tr(σ⁺_a σ⁻_b ρ).
    func correlations(_ rho: ComplexMatrix) -> ComplexMatrix {
        var c = ComplexMatrix(rows: n, cols: n)
        for a in 0..<n { for b in 0..<n { c[a, b] = expect(raise[a] * lower[b], rho) } }
        return c
    }
}

/// Single-dipole dephasing and non-radiative decay in the exact backend (docs/physics.md §1.5, §6.5).
final class DecoherenceTests: XCTestCase {
    static func model(n: Int, seed: UInt64, pump: Double, dephasing: Double = 0.7, nonradiative: Double = 0.4) -> DipoleModel {
        var m = DenseReference.randomModel(n: n, seed: seed, pump: pump)
        m.dephasing = dephasing
        m.nonradiativeDecay = nonradiative
        return m
    }

    /// The block Liouvillian with both terms equals the dense superoperator on random operators of every charge.
    func testBlockApplyMatchesDenseSuperoperator() throws {
        for n in [1, 2, 3, 4] {
            for (phi, nr) in [(0.7, 0.0), (0.0, 0.4), (0.7, 0.4)] {
                let model = Self.model(n: n, seed: UInt64(30 + n), pump: 1.3, dephasing: phi, nonradiative: nr)
                let ld = DenseReference(model: model).liouvillian
                let l = BlockLiouvillian(model: model)
                var rng = SeededRandom(seed: 7, stream: [UInt64(n)])
                for s in -n...n {
                    let layout = BlockLayout(n: n, shift: s)
                    let x = (0..<layout.count).map { _ in Complex(rng.uniform() - 0.5, rng.uniform() - 0.5) }
                    let yb = DenseReference.dense(l.apply(x, layout: layout), layout: layout, basis: l.basis)
                    let yd = ld.apply(DenseReference.dense(x, layout: layout, basis: l.basis).elements)
                    var err = 0.0
                    for i in 0..<yd.count { err = max(err, (yd[i] - yb.elements[i]).length) }
                    XCTAssertLessThan(err, 1e-12, "N = \(n), shift \(s), γφ = \(phi), γnr = \(nr)")
                }
            }
        }
    }

    /// The GMRES steady state with both terms equals the dense null vector.
    func testSteadyStateMatchesDense() throws {
        for (n, w) in [(2, 1.7), (3, 4.0), (4, 2.3), (4, 0.4)] {
            let model = Self.model(n: n, seed: UInt64(40 + n), pump: w)
            let dense = try DenseReference(model: model).steadyState()
            let l = BlockLiouvillian(model: model)
            let out = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l)
            let rho = DenseReference.dense(out.rho.entries, layout: out.rho.layout, basis: l.basis)
            XCTAssertLessThan(rho.maxAbsDifference(dense), 1e-10, "N = \(n), W = \(w)")
        }
    }

    /// Time evolution from a coherent product state (the full 4^N fallback) with both terms equals the
    /// dense Liouvillian integrated by the same Dormand–Prince.
    func testFullStateFallbackMatchesDense() throws {
        let n = 3
        let model = Self.model(n: n, seed: 51, pump: 1.1, dephasing: 0.9, nonradiative: 0.3)
        let (polar, phi) = (1.1, 0.4)
        let r = try PlannedExact(method: .densityMatrix).solve(
            SolveRequest(
                model: model, observables: [ObservableRequest(kind: .zq), ObservableRequest(kind: .inversion)],
                initial: .product(polar: polar, azimuth: phi), evolution: .until(time: 0.8, samples: 4), tolerance: 1e-12))
        let ref = DenseReference(model: model)
        var psi = [Complex<Double>](repeating: .one, count: ref.dim)
        for m in 0..<ref.dim {
            for a in 0..<n {
                psi[m] = psi[m] * (m & (1 << a) != 0 ? Complex(cos(polar / 2)) : Complex(sin(polar / 2) * cos(phi), sin(polar / 2) * sin(phi)))
            }
        }
        var y0 = [Double](repeating: 0, count: 2 * ref.dim * ref.dim)
        for j in 0..<ref.dim {
            for i in 0..<ref.dim {
                let v = psi[i] * psi[j].conjugate
                y0[2 * (i + j * ref.dim)] = v.real; y0[2 * (i + j * ref.dim) + 1] = v.imaginary
            }
        }
        var last = y0
        try DormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
            .integrate(from: 0, y0, to: [0, 0.8], rhs: ref.rhs(ref.liouvillian), observe: { _, y in last = y })
        let rho = ComplexMatrix(rows: ref.dim, cols: ref.dim, elements: (0..<(ref.dim * ref.dim)).map { Complex(last[2 * $0], last[2 * $0 + 1]) })
        let c = ref.correlations(rho)
        let inversion = (0..<n).reduce(0.0) { $0 + (2 * c[$1, $1].real - 1) } / Double(2 * n)
        XCTAssertEqual(r.number("ZQ2") ?? .nan, OrderParameters.zq2(c), accuracy: 1e-8)
        XCTAssertEqual(r.number("inversion") ?? .nan, inversion, accuracy: 1e-8)
    }

    /// A lone dipole: ⟨σᶻ⟩ = (W − Γ − γ_nr)/(W + Γ + γ_nr) and ⟨σ⁺(τ)σ⁻⟩ = ⟨n⟩ e^{(iδ − κ)τ},
    /// κ = (Γ + γ_nr + W)/2 + γ_φ (docs/physics.md §1.5), also as the fitted linewidth 2κ.
    func testLoneDipoleClosedForms() throws {
        for (w, phi, nr) in [(0.8, 0.45, 0.3), (2.5, 1.2, 0.0), (0.3, 0.0, 0.9)] {
            var model = DipoleModel(pump: w, detunings: [0.7], f: .identity(1), g: Matrix(rows: 1, cols: 1))
            model.dephasing = phi
            model.nonradiativeDecay = nr
            let l = BlockLiouvillian(model: model)
            let rho = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho
            let mom = SecondMoments(rho, basis: l.basis)
            XCTAssertEqual(2 * mom.inversion, (w - 1 - nr) / (w + 1 + nr), accuracy: 1e-12)
            let kappa = (1 + nr + w) / 2 + phi
            let tau = (0..<41).map { 0.1 * Double($0) }
            let g = try QuantumRegression.correlation(l, rho: rho, dipoles: [0], tau: tau, tolerance: 1e-12)
            let p = (w / (w + 1 + nr))
            for (t, z) in zip(tau, g) {
                let expected = Complex(p * exp(-kappa * t) * cos(0.7 * t), p * exp(-kappa * t) * sin(0.7 * t))
                XCTAssertLessThan((z - expected).length, 1e-9, "τ = \(t)")
            }
            var o = ObservableRequest(kind: .spectrum)
            o.tauMax = 20; o.tauPoints = 400
            let r = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: [o]))
            guard case .object(let fields)? = r["spectrum"] else { return XCTFail("no spectrum") }
            let d = Dictionary(uniqueKeysWithValues: fields)
            XCTAssertEqual(d["linewidth"]?.number ?? .nan, 2 * kappa, accuracy: 1e-6)
        }
    }

    /// Large dephasing destroys the synchronization order parameter (Z_Q² falls roughly as 1/γ_φ).
    func testLargeDephasingDestroysZQ() throws {
        func zq2(_ phi: Double) throws -> Double {
            var model = DipoleModel.collective(n: 4, feff: 4, pump: 2)
            model.dephasing = phi
            let r = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .zq)]))
            return r.number("ZQ2") ?? .nan
        }
        let z0 = try zq2(0), z1 = try zq2(1), z50 = try zq2(50)
        XCTAssertGreaterThan(z0, z1)
        XCTAssertGreaterThan(z1, z50)
        XCTAssertLessThan(z50, 5e-2 * z0, "Z_Q² at γφ = 0: \(z0), at 50: \(z50)")
    }

    /// Jump-trajectory averages with both local jump operators agree with the density matrix within three
    /// standard errors (steady state and during the evolution from the excited state).
    func testJumpAveragesMatchDensityMatrix() throws {
        let model = Self.model(n: 4, seed: 5, pump: 2.0, dephasing: 0.8, nonradiative: 0.5)
        var zq = ObservableRequest(kind: .zq); zq.trajectories = 48
        let obs = [zq, ObservableRequest(kind: .inversion)]
        let exact = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: obs))
        let traj = try PlannedExact(
            method: .jumpTrajectories,
            trajectorySettings: TrajectorySettings(burnIn: 5, average: 20, sampleInterval: 0.05)
        )
        .solve(SolveRequest(model: model, observables: obs, seed: 3, threads: 2))
        for key in ["ZQ2", "inversion"] {
            let e = exact.number(key) ?? .nan, t = traj.number(key) ?? .nan, s = traj.number("\(key)-stderr") ?? .nan
            XCTAssertGreaterThan(s, 0)
            XCTAssertLessThan(abs(e - t), 3 * s, "\(key): exact \(e), trajectories \(t) ± \(s)")
        }
        let until = Evolution.until(time: 0.6, samples: 3)
        let exactT = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: obs, initial: .excited, evolution: until))
        let trajT = try PlannedExact(method: .jumpTrajectories).solve(
            SolveRequest(
                model: model, observables: obs, initial: .excited,
                evolution: until, seed: 4, threads: 2))
        let e = exactT.number("inversion") ?? .nan, t = trajT.number("inversion") ?? .nan, s = trajT.number("inversion-stderr") ?? .nan
        XCTAssertLessThan(abs(e - t), 3 * s, "exact \(e), trajectories \(t) ± \(s)")
    }

    /// QSD with the decoherence channels: ensemble inversion reproduces the density matrix, the conditional
    /// QFI is at least the QFI of the averaged state, and a lone dipole's pure state keeps F̄_Q = 2/3.
    func testDiffusionWithDecoherence() throws {
        var model = DipoleModel.collective(n: 3, feff: 3, pump: 1.5)
        model.dephasing = 0.6
        model.nonradiativeDecay = 0.3
        let basis = SectorBasis(n: 3)
        let engine = try TrajectoryEngine(model: model, basis: basis)
        let qsd = DiffusionTrajectories(engine: engine, dt: 0.004 / engine.rateScale)
        let times = (0...100).map { 3 + 0.2 * Double($0) }
        let records = try parallelMap(count: 24, threads: 2) { j -> TrajectoryRecord in
            var rng = SeededRandom(seed: 1, stream: [0, UInt64(j)])
            return qsd.run(start: 0, sampleTimes: times, averageFrom: 3, wantD: false, rng: &rng)
        }
        let inv = records.map { r in (0..<3).reduce(0.0) { $0 + (2 * r.c[$1 * 3 + $1].real - 1) / 6 } }
        let (m, s) = ExactBackend.meanAndError(inv)
        let rho = try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(BlockLiouvillian(model: model)).rho
        let exact = SecondMoments(rho, basis: basis).inversion
        XCTAssertLessThan(abs(m - exact), 3 * s + 0.01, "QSD \(m) ± \(s), exact \(exact)")
        let (qc, _) = ExactBackend.meanAndError(records.map(\.qfi))
        XCTAssertGreaterThan(qc, try BlockFisher.averageQFI(rho, basis: basis))

        var lone = DipoleModel(pump: 1.5, detunings: [0.2], f: .identity(1), g: Matrix(rows: 1, cols: 1))
        lone.dephasing = 0.8
        lone.nonradiativeDecay = 0.4
        var qcr = ObservableRequest(kind: .qfiConditional); qcr.trajectories = 4
        let r = try PlannedExact(trajectorySettings: TrajectorySettings(burnIn: 1, average: 3, sampleInterval: 0.1))
            .solve(SolveRequest(model: lone, observables: [qcr], threads: 2))
        XCTAssertEqual(r.number("qfi-conditional") ?? .nan, 2.0 / 3, accuracy: 1e-9)
    }

    /// The description lists both terms, so the planner may pick the exact backend for them.
    func testDescriptionListsBothTerms() {
        XCTAssertEqual(ExactBackend().decoherence, [.dephasing, .nonradiativeDecay])
        XCTAssertNil(ExactBackend().unsupportedDecoherence([.dephasing, .nonradiativeDecay]))
    }
}

/// Cross-check against QuTiP's `steadystate` with the collapse operators √(γ_φ/2) σᶻ_a and √γ_nr σ⁻_a
/// added (skipped when QuTiP is not installed): dipolar chains N = 2…5, C_ab (hence Z_Q², the inversion and
/// every pair correlation) to 1e-8.
final class DecoherenceQuTiPTests: XCTestCase {
    func testSteadyStateMatchesQuTiP() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("exact_qutip_decoherence_\(getpid()).py").path
        try QuTiPTests.script.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        for (n, w, phi, nr) in [(2, 1.5, 0.3, 0.2), (3, 1.2, 0.7, 0.4), (4, 2.5, 0.5, 0.6), (5, 3.0, 0.25, 0.35)] {
            let model = DecoherenceTests.model(n: n, seed: UInt64(70 + n), pump: w, dephasing: phi, nonradiative: nr)
            var f: [Double] = [], g: [Double] = []
            for a in 0..<n { for b in 0..<n { f.append(model.f[a, b]); g.append(model.g[a, b]) } }
            let payload: [String: Any] = ["n": n, "f": f, "g": g, "delta": model.detunings, "W": w, "phi": phi, "nr": nr]
            let out = try QuTiPTests.python(script, input: try JSONSerialization.data(withJSONObject: payload))
            guard let json = try JSONSerialization.jsonObject(with: out) as? [String: [Double]],
                let re = json["c_re"], let im = json["c_im"]
            else { return XCTFail("bad QuTiP output") }
            let l = BlockLiouvillian(model: model)
            let mom = SecondMoments(try LiouvillianSteadyStateSolver(tolerance: 1e-12).solve(l).rho, basis: l.basis)
            var cq = ComplexMatrix(rows: n, cols: n)
            var worst = 0.0
            for a in 0..<n {
                for b in 0..<n {
                    cq[a, b] = Complex(re[a * n + b], im[a * n + b])
                    worst = max(worst, (mom.c[a, b] - cq[a, b]).length)
                }
            }
            XCTAssertLessThan(worst, 1e-8, "N = \(n): C_ab")
            XCTAssertEqual(OrderParameters.zq2(mom.c), OrderParameters.zq2(cq), accuracy: 1e-8, "N = \(n): Z_Q²")
            let invQ = (0..<n).reduce(0.0) { $0 + (2 * re[$1 * n + $1] - 1) } / Double(2 * n)
            XCTAssertEqual(mom.inversion, invQ, accuracy: 1e-8, "N = \(n): inversion")
            XCTAssertEqual(mom.c[0, 1].real, re[1], accuracy: 1e-8, "N = \(n): Re C_01")
        }
    }

}
