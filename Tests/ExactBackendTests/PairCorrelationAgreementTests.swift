import Foundation
import Numerics
import Physics
import Results
import TestSupport
import Testing

@testable import DickeBackend
@testable import ExactBackend

/// `two-time` of the permutation-symmetric backend (one distinguished dipole, docs/physics.md §6.6)
/// against the exact backend's regression on the U(1) blocks of the full density matrix (§6.1, §3.3), at
/// N = 6 and 8 with pump, f_eff, g_eff, detuning, dephasing and non-radiative decay: the sampled Z_01(τ)
/// and the fitted A, ν, γ and γ_slow.
@Suite struct PairCorrelationAgreementTests {
    @Test(arguments: [(6, 4.5, 1.2, 0.5, 3.1, 0.3, 0.2), (8, 7.0, -0.8, 0.0, 4.0, 0.0, 0.0), (8, 6.0, 0.0, 0.3, 2.0, 0.6, 0.4)])
    func matchesExactBackend(_ c: (n: Int, feff: Double, geff: Double, delta: Double, w: Double, phi: Double, nr: Double)) throws {
        var model = DipoleModel.collective(n: c.n, feff: c.feff, geff: c.geff, pump: c.w, detunings: Array(repeating: c.delta, count: c.n))
        model.dephasing = c.phi
        model.nonradiativeDecay = c.nr
        let observables = [ObservableRequest(kind: .twoTime, pairs: [DipolePair(2, 5)], tauMax: 3, tauPoints: 61)]
        let dicke = try DickeBackend().solve(SolveRequest(model: model, observables: observables, tolerance: 1e-12))
        let exact = try PlannedExact(method: .densityMatrix).solve(SolveRequest(model: model, observables: observables, tolerance: 1e-12))
        let a = try #require(dicke.tables.first { $0.name == "two-time-2-5" })
        let b = try #require(exact.tables.first { $0.name == "two-time-2-5" })
        #expect(a.rows.count == b.rows.count)
        for (x, y) in zip(a.rows, b.rows) {
            #expect(x[0] == y[0])
            #expect(abs(x[1] - y[1]) < 1e-9 && abs(x[2] - y[2]) < 1e-9, "τ = \(x[0]): (\(x[1]), \(x[2])) vs (\(y[1]), \(y[2]))")
        }
        func fields(_ r: PointResult) -> [String: Double] {
            guard case .array(let list)? = r["two-time"], case .object(let f)? = list.first else { return [:] }
            return Dictionary(uniqueKeysWithValues: f.compactMap { k, v in v.number.map { (k, $0) } })
        }
        let fa = fields(dicke), fb = fields(exact)
        for key in ["A", "nu", "gamma", "omega"] {
            let (x, y) = (fa[key] ?? .nan, fb[key] ?? .nan)
            #expect(abs(x - y) <= 1e-6 * max(1, abs(y)), "\(key): \(x) vs \(y)")
        }
        // The two-exponential fit is the same for both (one result type, `ObservableWriter.TwoTimePair`),
        // and its slow rate is that of the dominant tail: between 0 and the single-exponential γ.
        for key in ["gamma-slow", "A-slow"] {
            let (x, y) = (fa[key] ?? .nan, fb[key] ?? .nan)
            #expect(abs(x - y) <= 1e-5 * max(1, abs(y)), "\(key): \(x) vs \(y)")
        }
        #expect((fb["gamma-slow"] ?? .nan) > 0 && (fb["gamma-slow"] ?? .nan) <= (fb["gamma-fast"] ?? .nan))
    }
}
