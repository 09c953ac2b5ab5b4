import MeanFieldBackend

/// Closed-form curves that pictures draw over computed results, taken from the backends that own
/// them (Execution names no backend module).
public enum AnalyticCurves {
    /// The mean-field synchronization boundary of identical all-to-all dipoles: the f_eff (in Γ) above
    /// which they synchronize at pump W (in Γ), nil where none does (docs/physics.md §4.2, §4.5).
    public static func meanFieldThresholdCoupling(pump w: Double, dephasing: Double = 0, nonradiative: Double = 0) -> Double? {
        MeanFieldClosedForm.thresholdCoupling(pump: w, dephasing: dephasing, nonradiative: nonradiative)
    }

    /// The mean-field end of synchronization against dephasing: the γ_φ (in Γ) beyond which no pump
    /// synchronizes identical all-to-all dipoles of coupling f_eff (in Γ), nil where none does at
    /// γ_φ = 0 (docs/physics.md §4.5).
    public static func meanFieldLargestDephasing(feff: Double, nonradiative: Double = 0) -> Double? {
        MeanFieldClosedForm.largestDephasing(feff: feff, nonradiative: nonradiative)
    }
}
