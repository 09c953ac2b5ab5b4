import MeanFieldBackend

/// Closed-form curves that pictures draw over computed results, taken from the backends that own
/// them (Execution names no backend module).
public enum AnalyticCurves {
    /// The mean-field synchronization boundary of identical all-to-all dipoles: the f_eff (in Γ) above
    /// which they synchronize at pump W (in Γ), nil where none does (docs/physics.md §4.2, §4.5).
    public static func meanFieldThresholdCoupling(pump w: Double, dephasing: Double = 0, nonradiative: Double = 0) -> Double? {
        MeanFieldClosedForm.thresholdCoupling(pump: w, dephasing: dephasing, nonradiative: nonradiative)
    }
}
