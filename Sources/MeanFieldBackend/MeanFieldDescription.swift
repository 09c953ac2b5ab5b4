import Foundation
import LinearAlgebra
import Physics
import Results

/// What the mean-field backend computes, its methods, and what a point costs (docs/physics.md §4).
/// The planner reads only this.
extension MeanFieldBackend: DescribedBackend {
    public var kind: BackendKind { .meanField }

    public var observables: Set<ObservableKind> { [.z, .frequency, .inversion, .zq, .phases, .correlations, .clusterZQ] }

    /// Both single-dipole terms, in the dynamic equations and the closed forms (docs/physics.md §4.5).
    public var decoherence: Set<LocalDecoherence> { [.dephasing, .nonradiativeDecay] }

    /// `correlations` are β_a* β_b: held as the N amplitudes and populations (docs/physics.md §4.1).
    public var factoredTables: Set<ObservableKind> { [.correlations] }

    /// The analytic methods read `DipoleModel.uniform` only.
    public func needsCouplingMatrices(method: PointMethod?) -> Bool { method == nil || method == .dynamic }

    /// The dynamic equations hold the couplings matrix-free when they can and `solver.couplings` says so,
    /// or says `auto` and N is above `matrixFreeCouplingsMinDipoles`: translation-invariant lattice
    /// couplings as FFT spectra (docs/physics.md §2.6), all-to-all couplings as f_eff and g_eff (O(N)
    /// sums, §4.1); dense matrices otherwise.
    public func couplingRepresentation(for outline: PointOutline, method: PointMethod?, thresholds: PlannerThresholds) -> CouplingRepresentation? {
        guard method == nil || method == .dynamic else { return nil }
        let possible: CouplingRepresentation? =
            outline.latticeExtents != nil ? .lattice : outline.uniformCouplings != nil ? .uniform : nil
        guard let possible else { return nil }
        switch outline.couplingChoice.forced {
        case nil: return outline.dipoles > thresholds.matrixFreeCouplingsMinDipoles ? possible : nil
        case .some(let forced): return forced == possible ? possible : nil
        }
    }

    /// The closed forms of docs/physics.md §4.2/§4.3 or the self-consistency equations (A1)/(A2) when
    /// the model is all-to-all, the state stationary and only the scalar order parameters are asked;
    /// the dynamic equations otherwise.
    public func method(for outline: PointOutline, thresholds: PlannerThresholds) -> (method: PointMethod, reason: String)? {
        let scalar: Set<ObservableKind> = [.z, .frequency, .inversion, .zq]
        guard let u = outline.allToAll, outline.evolution == .steadyState, outline.kinds.isSubset(of: scalar) else {
            return (.dynamic, "mean-field equations integrated to the steady state")
        }
        switch outline.detuning {
        case .some(.none): return (.closedForm, "collective model: the closed form of docs/physics.md §4.2")
        case .some(.lorentzian) where u.geff == 0:
            return (
                .closedForm,
                "collective model with Lorentzian disorder: the closed form of docs/physics.md §4.3 (N → ∞ average over the distribution)"
            )
        case .some(.uniform), .some(.gaussian), .some(.lorentzian):
            return (.selfConsistent, "collective model with disorder: the self-consistency equations (A1)/(A2), averaged over the distribution")
        case nil:
            return (.dynamic, "explicit detunings: mean-field equations integrated to the steady state")
        }
    }

    public func assess(_ outline: PointOutline, thresholds: PlannerThresholds) -> BackendAssessment {
        let method = self.method(for: outline, thresholds: thresholds)?.method ?? .dynamic
        let evaluations = rhsEvaluations(initial: outline.initial, evolution: outline.evolution, uniform: outline.uniformCouplings != nil)
        var estimate: CostEstimate
        let representation = couplingRepresentation(for: outline, method: method, thresholds: thresholds)
        if representation == .lattice, let ext = outline.latticeExtents {
            estimate = Self.latticeEstimate(extents: ext, elastic: outline.elastic, evaluations: evaluations)
        } else if representation == .uniform {
            estimate = Self.uniformEstimate(n: outline.dipoles, evaluations: evaluations)
        } else {
            // No N cap: the memory estimate (16 N² bytes of f and g) against the budget limits the dense
            // representation, as the lattice one's limits it (Planner.assess).
            estimate = Self.estimate(n: outline.dipoles, method: method, evaluations: evaluations)
        }
        estimate.memoryBytes = CostEstimate.bytes(Double(estimate.memoryBytes) + Self.tableBytes(outline))
        return BackendAssessment(refusal: nil, estimate: estimate)
    }

    /// Memory of the per-dipole tables a point returns and the bundle holds before writing them: the
    /// `correlations` table as its factors (three numbers a dipole, `factoredTables`), in the checkpoint
    /// as such, and while it is written its `.npy` file's bytes (8 a number, N² rows of 4), built in
    /// memory and hashed where they lie (measured: N = 3 000, a 288 MB file, 320 MB peak for the whole
    /// run; 882 MB while the hash copied the file twice); `phases`, N rows of 7 numbers (about 90 bytes
    /// a row); and while they are written, the checkpoint's and the file's bytes (`TableFile.writingBytes`).
    static func tableBytes(_ outline: PointOutline) -> Double {
        let n = Double(outline.dipoles)
        var bytes = 0.0
        if outline.kinds.contains(.correlations) { bytes += 24 * n + TableFile.writingBytes(rows: n, columns: 3) + 32 * n * n }
        if outline.kinds.contains(.phases) { bytes += 90 * n + TableFile.writingBytes(rows: n, columns: 7) }
        return bytes
    }

    public func preferenceReason(_ outline: PointOutline) -> String {
        let kinds = outline.kinds
        return kinds.contains(.z) || kinds.contains(.phases)
            ? "the observables Z/phases are mean-field quantities"
            : "N = \(outline.dipoles) is beyond the other backends"
    }

    /// The dynamic method with lattice couplings: the spectra and FFT buffers (`LatticeCouplings.bytes`,
    /// a second product's for the spectra's construction), the integrator's O(N) state; `evaluations`
    /// right-hand sides with a forward and an inverse complex FFT of the embedding (size M) each,
    /// counted as 2.5 M log₂ M flops apiece: FFTW's transforms run at about twice the 2·10⁹ flop/s of
    /// `CostEstimate.seconds` on their nominal 5 M log₂ M (measured: 9.6 ms a right-hand side at
    /// N = 10⁵, M ≈ 2·10⁵; ~0.1 s at N = 10⁶, `benchmarks/meanfield.sh`).
    public static func latticeEstimate(extents: [Int], elastic: Bool, evaluations: Double) -> CostEstimate {
        let n = Double(extents.reduce(1, *))
        let m = Double(extents.map(CirculantConvolution.embeddingLength).reduce(1, *))
        let bytes = Double(LatticeCouplings.bytes(extents: extents, elastic: elastic)) + 16 * m + 9 * 24 * n + 1e6
        return CostEstimate(memoryBytes: CostEstimate.bytes(bytes), flops: evaluations * (5 * m * log2(max(m, 2)) + 20 * m))
    }

    /// Right-hand sides a dynamic solve evaluates (Dormand–Prince, 7 stages a step). From one common
    /// phase (`startsInPhase`) to the steady state a lattice relaxes in a few tens of steps: 235 for
    /// the 10⁶-dipole synchronized chain of `benchmarks/meanfield.sh` (`chain-1e6`). From random
    /// phases an all-to-all model (`uniform`) locks through its one collective field in about a hundred
    /// steps: 643 right-hand sides for the 10⁶ Gaussian-detuned dipoles of `collective-1e6`, 607 for
    /// 10⁵ (more close to the synchronization threshold, where the relaxation slows down). Other
    /// geometries from random phases, or any run to a fixed end time at a tight tolerance, take a few
    /// hundred steps: 2 737 for the synchronized 10⁴ chain (2 389 at 10⁵; the 1000 × 1000 square took
    /// 469), 3 847–4 159 for the Fig. 2(a) insets (N = 100 to 40/Γ at rtol 1e-10); a run that only
    /// decays to the incoherent state needs fewer (187 for the ⁸⁷Sr chain), so this is an upper
    /// estimate there.
    func rhsEvaluations(initial: InitialState, evolution: Evolution, uniform: Bool = false) -> Double {
        guard evolution == .steadyState else { return 3000 }
        return startsInPhase(initial) ? 300 : uniform ? 1000 : 3000
    }

    /// Whether every dipole starts with one common phase: a product state off the poles with a given
    /// azimuth. On a pole the backend adds seeded random transverse components (`initialState`).
    func startsInPhase(_ initial: InitialState) -> Bool {
        guard case .product(let polar, let azimuth) = initial, azimuth != nil else { return false }
        return !needsSymmetryBreaking(polar: polar)
    }

    /// The dynamic method with all-to-all couplings held as f_eff and g_eff: the integrator's O(N) state
    /// and, per right-hand side, the coupling sums and the equations in ~40 N flops.
    public static func uniformEstimate(n: Int, evaluations: Double) -> CostEstimate {
        let N = Double(n)
        return CostEstimate(memoryBytes: CostEstimate.bytes(9 * 24 * N + 1e6), flops: evaluations * 40 * N)
    }

    /// The dynamic method with dense couplings: the model's f and g and O(N) integrator state; each
    /// right-hand side reads f and g once (16 N² bytes, bandwidth-bound: ~N² flops' worth of time,
    /// calibrated on the 10⁴ chain, 37 ms a product). The analytic methods cost nothing to speak of.
    public static func estimate(n: Int, method: PointMethod, evaluations: Double) -> CostEstimate {
        let N = Double(n)
        if method != .dynamic { return CostEstimate(memoryBytes: 1 << 20, flops: 1e6) }
        return CostEstimate(
            memoryBytes: CostEstimate.bytes(CostEstimate.modelBytes(n: n, matrices: true) + 9 * 24 * N + 1e6),
            flops: evaluations * N * N)
    }
}
