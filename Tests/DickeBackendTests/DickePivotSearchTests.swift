import Foundation
import TestSupport
import Testing

@testable import DickeBackend

/// Parameter sets on which the fixed pivots of the level reduction (0, N/2, N) all failed with
/// "steady-state populations are not finite": below threshold at small W and large N, and with
/// dephasing at N = 300 (docs/physics.md §6.4.2). The pivot search must solve them.
@Suite struct DickePivotSearchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let n: Int, feff: Double, w: Double, dephasing: Double
        var testDescription: String { "N=\(n) feff=\(feff) W=\(w) γφ=\(dephasing)" }
    }

    static let failing: [Case] = [
        .init(n: 300, feff: 15, w: 0.2, dephasing: 0), .init(n: 200, feff: 30, w: 0.2, dephasing: 0),
        .init(n: 300, feff: 1, w: 0.2, dephasing: 0), .init(n: 300, feff: 60, w: 0.2, dephasing: 0),
        .init(n: 300, feff: 1, w: 5, dephasing: 1), .init(n: 300, feff: 5, w: 5, dephasing: 1)
    ]

    /// Normalized, non-negative, a small residual of the untruncated balance equations, the sum rule
    /// d⟨J_z⟩/dt = 0, and (f_eff ≤ 30Γ) agreement with an independent solve: the window at N from the full chain at
    /// N/4 with the pivot at the reference's scaled peak (docs/physics.md §6.4).
    @Test(arguments: failing) func solvesWhereFixedPivotsFail(_ c: Case) throws {
        let lad = DickeLadder(n: c.n, gamma: 1, feff: c.feff, geff: 0, pump: c.w, detuning: 0, dephasing: c.dephasing)
        let sol = try DickeSteadyState(ladder: lad).solve()
        #expect(!sol.truncated)
        #expect(isClose(sol.populations.values.reduce(0, +), 1, within: 1e-12))
        #expect(sol.minimum > -1e-14)
        #expect(sol.residual < 1e-11)
        // ⟨J_z⟩ balance: W⟨N/2 − m⟩ = γ⟨N/2 + m⟩ + c⟨J⁺J⁻⟩ (dephasing keeps m).
        let mom = DickeMoments(sol.populations)
        let h = Double(c.n) / 2
        let gain = c.w * (h - mom.jz), loss = lad.local * (h + mom.jz) + lad.collective * mom.jpjm
        #expect(abs(gain - loss) < 1e-10 * gain)
        // The window reference needs the N/4 chain in the same regime (f_eff/N small there too).
        guard c.feff <= 30 else { return }
        var windowed = DickeSteadyState(ladder: lad)
        windowed.fullWindowLimit = 100
        let ref = try windowed.solve()
        #expect(ref.truncated)
        #expect(ref.residual < 1e-11)
        let rm = DickeMoments(ref.populations)
        #expect(isClose(mom.inversion, rm.inversion, within: 1e-10))
        #expect(isClose(mom.zq2, rm.zq2, within: 1e-10))
        #expect(isClose(mom.zz, rm.zz, within: 1e-10))
    }

    /// Continuity in W across the failing band at N = 300, f_eff = 15: the inversion moves smoothly.
    @Test func continuousInPump() throws {
        var values = [Double]()
        let pumps = [0.15, 0.2, 0.25]
        for w in pumps {
            let lad = DickeLadder(n: 300, gamma: 1, feff: 15, geff: 0, pump: w, detuning: 0)
            values.append(DickeMoments(try DickeSteadyState(ladder: lad).solve().populations).inversion)
        }
        for i in 1..<(values.count - 1) {
            // Second differences small against first differences (a smooth curve on this grid).
            let d1 = values[i + 1] - values[i - 1], d2 = values[i + 1] - 2 * values[i] + values[i - 1]
            #expect(d1 > 0)
            #expect(abs(d2) < 0.2 * abs(d1))
        }
    }
}

/// Parameter sets on which the window scaled from the N/4 reference failed above `fullWindowLimit`:
/// the all-to-all power law at strength Γ/4 (f_eff = (N − 1)/4), below threshold ("kept probability on its
/// boundary") and at W = 10 Γ ("populations are not finite"). They fall back to the full chain, which fits
/// the memory budget (docs/physics.md §6.4.2); N = 900 failed the same way at W = 0.5, 2, 5, 10, 60 Γ.
@Suite struct DickeWindowFallbackTests {
    @Test(arguments: [(404, 0.5), (600, 10.0)]) func fallsBackToTheFullChain(_ n: Int, _ w: Double) throws {
        let lad = DickeLadder(n: n, gamma: 1, feff: Double(n - 1) / 4, geff: 0, pump: w, detuning: 0)
        let sol = try DickeSteadyState(ladder: lad).solve()
        #expect(!sol.truncated)
        #expect(sol.states == (n / 2 + 1) * (n / 2 + 1))
        #expect(isClose(sol.populations.values.reduce(0, +), 1, within: 1e-12))
        #expect(sol.minimum > -1e-14)
        #expect(sol.residual < 1e-11)
        let mom = DickeMoments(sol.populations)
        let h = Double(n) / 2
        let gain = w * (h - mom.jz), loss = lad.local * (h + mom.jz) + lad.collective * mom.jpjm
        #expect(abs(gain - loss) < 1e-10 * gain)
        // Without the fallback the solve throws; with the memory budget below the full chain's it still does.
        var tight = DickeSteadyState(ladder: lad)
        tight.memoryBudget = DickeSteadyState.memoryEstimate(.fullWindow(n: n)) - 1
        #expect(throws: (any Error).self) { try tight.solve() }
    }
}
