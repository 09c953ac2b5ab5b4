import Testing

@testable import MeanFieldBackend

/// The synchronization boundary drawn over phase diagrams (`mean-field-boundary`, docs/physics.md §4.2, §4.5).
@Suite struct ThresholdCouplingTests {
    /// Just above F_c the closed-form Z is nonzero, just below it vanishes; without decoherence
    /// F_c = (1 + W)²/(W − 1), smallest (8 Γ) at W = 3 Γ; below W = Γ (+ γ_nr) nothing synchronizes.
    @Test(arguments: [(1.5, 0.0, 0.0), (3.0, 0.0, 0.0), (7.5, 0.0, 0.0), (40.0, 0.0, 0.0), (5.0, 0.5, 0.0), (5.0, 0.0, 0.3), (9.0, 1.0, 0.25)])
    func zVanishesExactlyBelowTheThreshold(w: Double, dephasing: Double, nonradiative: Double) throws {
        let f = try #require(MeanFieldClosedForm.thresholdCoupling(pump: w, dephasing: dephasing, nonradiative: nonradiative))
        if dephasing == 0 && nonradiative == 0 { #expect(abs(f - (1 + w) * (1 + w) / (w - 1)) <= 1e-12 * f) }
        let above = MeanFieldClosedForm.collectiveZ(feff: f * (1 + 1e-6), pump: w, dephasing: dephasing, nonradiative: nonradiative)
        let below = MeanFieldClosedForm.collectiveZ(feff: f * (1 - 1e-6), pump: w, dephasing: dephasing, nonradiative: nonradiative)
        #expect(above > 0 && below == 0)
        #expect(MeanFieldClosedForm.criticalWidth(feff: f, pump: w, dephasing: dephasing, nonradiative: nonradiative).magnitude < 1e-9 * f)
    }

    @Test func noThresholdWithoutGain() {
        #expect(MeanFieldClosedForm.thresholdCoupling(pump: 1) == nil)
        #expect(MeanFieldClosedForm.thresholdCoupling(pump: 0.5) == nil)
        #expect(MeanFieldClosedForm.thresholdCoupling(pump: 1.2, nonradiative: 0.3) == nil)
        #expect(MeanFieldClosedForm.thresholdCoupling(pump: 3)! == 8)
    }

    /// The end of synchronization against dephasing (`mean-field-dephasing-threshold`, docs/physics.md §4.5):
    /// at γ_φ,c the threshold coupling at the optimal pump W_opt = F/2 − Γ − γ_nr − γ_φ is F itself, and
    /// the closed-form Z over a fine pump grid is nonzero just below γ_φ,c and zero just above it.
    @Test(arguments: [(10.0, 0.0), (15.0, 0.0), (30.0, 0.0), (23.5, 0.4)])
    func largestDephasingEndsSynchronizationAtEveryPump(f: Double, nonradiative: Double) throws {
        let c = try #require(MeanFieldClosedForm.largestDephasing(feff: f, nonradiative: nonradiative))
        #expect(abs(c - (f / 2 - (2 * f * (1 + nonradiative)).squareRoot())) <= 1e-12 * f)
        let wOpt = f / 2 - 1 - nonradiative - c
        let fc = try #require(MeanFieldClosedForm.thresholdCoupling(pump: wOpt, dephasing: c, nonradiative: nonradiative))
        #expect(abs(fc - f) <= 1e-9 * f)
        let pumps = (0..<4001).map { 0.01 * Double($0) }
        func best(_ g: Double) -> Double {
            pumps.map { MeanFieldClosedForm.collectiveZ(feff: f, pump: $0, dephasing: g, nonradiative: nonradiative) }.max() ?? 0
        }
        #expect(best(c * (1 - 1e-3)) > 0)
        #expect(best(c * (1 + 1e-3)) == 0)
    }

    /// No dephasing is tolerated where the coupling does not synchronize even without it, F ≤ 8(Γ + γ_nr).
    @Test func noLargestDephasingBelowTheWedgeTip() {
        #expect(MeanFieldClosedForm.largestDephasing(feff: 8) == nil)
        #expect(MeanFieldClosedForm.largestDephasing(feff: 10, nonradiative: 0.25) == nil)
        #expect(MeanFieldClosedForm.largestDephasing(feff: 8.01) ?? 0 > 0)
    }
}
