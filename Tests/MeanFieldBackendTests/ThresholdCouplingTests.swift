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
}
