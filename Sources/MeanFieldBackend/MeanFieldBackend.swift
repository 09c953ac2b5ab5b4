import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// How the mean-field backend obtains its numbers.
public enum MeanFieldMethod: Sendable, Equatable {
    /// Integrate the equations of docs/physics.md §4.1 for the actual model (any geometry, detunings, g).
    case dynamic
    /// The closed forms of docs/physics.md §4.2 and §4.3 for an all-to-all model in the limit N → ∞: `.none`
    /// (identical dipoles, any g_eff) or `.lorentzian` (g_eff = 0).
    case closedForm(DetuningDistribution)
    /// The self-consistency equations (long paper (A1)/(A2)) for an all-to-all model with detunings
    /// distributed as given, N → ∞, any g_eff.
    case selfConsistent(DetuningDistribution)

    var label: String {
        switch self {
        case .dynamic: return "dynamic"
        case .closedForm: return "closed form"
        case .selfConsistent: return "self-consistency equations"
        }
    }
}

/// The mean-field backend ("mean-field"): product states ρ = ⊗_a ρ_a, described by β_a = ⟨σ⁻_a⟩ and
/// s_a = ⟨σᶻ_a⟩ (docs/physics.md §4.1).
///
/// Conventions. A dipole's Bloch vector is (⟨σˣ⟩, ⟨σʸ⟩, ⟨σᶻ⟩) = (2 Re β, −2 Im β, s), so
/// ⟨σ⁺_a⟩ = β_a* = S⊥_a e^{iφ_a} with S⊥_a = |β_a| (half the transverse Bloch length, the papers' S⊥)
/// and φ_a the Bloch azimuth; a pure state cos(θ/2)|↑⟩ + e^{iφ} sin(θ/2)|↓⟩ has
/// β = ½ sin θ e^{−iφ}, s = cos θ. Observables and result keys:
///
/// - `Z`: Z = |(1/N) Σ_a S⊥_a e^{iφ_a}| = |(1/N) Σ_a β_a| ≤ 1/√8 at the synchronized optimum
///   (identical dipoles: |β|² = (F P − Q²)/(2F²), maximal 1/8 at W = F/2, F ≫ Γ).
/// - `frequency`: ω, the common phase velocity of ⟨σ⁺_a⟩ (β_a ∝ e^{−iωt}; an isolated dipole has
///   ω = δ_a; see `MeanFieldClosedForm` for the sign relative to the papers).
/// - `ZQ`, `ZQ2`: Z_Q² = mean_{a≠b} Re(β_a* β_b) (⟨σ⁺_aσ⁻_b⟩ ≈ β_a* β_b);
///   `cluster-ZQ` likewise over the clusters of the lattice.
/// - `inversion`: S^z = mean_a s_a/2.
/// - tables `phases` (a, x, y, z position in λ, S-perp, phi, s) and `correlations`
///   (⟨σ⁺_aσ⁻_b⟩ = β_a* β_b, diagonal (1 + s_a)/2); for `Evolution.until` the table `timeseries`
///   (t and each requested scalar). Above 10⁶ numbers the bundle writes them as `.npy`
///   (docs/spec-language.md §11.3). `cluster-ZQ` sums β in O(d) a cluster (`OrderParameters.productZQ2`).
///
/// Other observables (QFI, pair correlations, two-time, spectrum) throw `BackendError.unsupported`:
/// a product state has none.
public struct MeanFieldBackend: Backend {
    public static let name = "mean-field"

    public var method: MeanFieldMethod
    /// |β_a| of the seeded random transverse components added to a U(1)-invariant initial state
    /// (ground, excited, or a product state on a pole): mean field cannot break the symmetry itself.
    public var symmetryBreakingAmplitude: Double
    /// The latest time (1/Γ) a steady-state integration may reach before `noConvergence`.
    public var maxTime: Double
    /// The absolute tolerance of the integrator is `absoluteToleranceRatio` × request.tolerance.
    public var absoluteToleranceRatio: Double

    public init(
        method: MeanFieldMethod = .dynamic, symmetryBreakingAmplitude: Double = 1e-3,
        maxTime: Double = 5000, absoluteToleranceRatio: Double = 1e-2
    ) {
        self.method = method
        self.symmetryBreakingAmplitude = symmetryBreakingAmplitude
        self.maxTime = maxTime
        self.absoluteToleranceRatio = absoluteToleranceRatio
    }

    public func solve(_ request: SolveRequest) throws -> PointResult {
        try validate(request)
        var backend = self
        backend.method = method(for: request)
        switch backend.method {
        case .dynamic: return try backend.solveDynamic(request)
        case .closedForm(let d), .selfConsistent(let d): return try backend.solveAnalytic(request, distribution: d)
        }
    }

    /// The method of `request`: the planner's (`settings.method`, averaging over the model's detuning
    /// distribution), else this backend's own `method`.
    func method(for request: SolveRequest) -> MeanFieldMethod {
        let d = request.model.detuningDistribution ?? DetuningDistribution.none
        switch request.settings.method {
        case .closedForm: return .closedForm(d)
        case .selfConsistent: return .selfConsistent(d)
        case .dynamic: return .dynamic
        default: return method
        }
    }

    private static let scalarKinds: [ObservableKind] = [.zq, .inversion, .z, .frequency]

    private func validate(_ request: SolveRequest) throws {
        if let why = unsupportedDecoherence(request.model.decoherence) { throw BackendError.unsupported(why) }
        let m = request.model
        guard m.dephasing.isFinite, m.dephasing >= 0, m.nonradiativeDecay.isFinite, m.nonradiativeDecay >= 0 else {
            throw BackendError.unsupported("dephasing and non-radiative decay rates must be finite and ≥ 0")
        }
        guard m.count >= 1 else { throw BackendError.unsupported("mean-field needs at least one dipole") }
        guard m.pump.isFinite, m.pump >= 0 else { throw BackendError.unsupported("pump rate W = \(m.pump) must be finite and ≥ 0") }
        guard m.detunings.allSatisfy(\.isFinite) else { throw BackendError.unsupported("non-finite detuning") }
        guard request.tolerance.isFinite, request.tolerance > 0 else {
            throw BackendError.unsupported("tolerance \(request.tolerance) must be positive")
        }
        // What it computes is its description's list (MeanFieldDescription.swift).
        for o in request.observables where !observables.contains(o.kind) {
            throw BackendError.unsupported("mean-field describes product states and has no `\(o.kind.rawValue)`")
        }
    }

    // MARK: - Dynamic

    /// Whether a product state at polar angle θ lies so close to a pole (|β| = ½|sin θ| below half
    /// `symmetryBreakingAmplitude`) that it starts from seeded random transverse components instead.
    func needsSymmetryBreaking(polar: Double) -> Bool { abs(0.5 * sin(polar)) < symmetryBreakingAmplitude / 2 }

    /// The initial (β, s) of `request.initial`, with seeded phases (SeededRandom(seed, [pointIndex])).
    func initialState(_ request: SolveRequest) -> (y: [Double], description: String) {
        let n = request.model.count
        var rng = SeededRandom(seed: request.seed, stream: [UInt64(request.pointIndex)])
        var y = [Double](repeating: 0, count: 3 * n)
        var polar: Double, azimuth: Double?
        var desc: String
        switch request.initial {
        case .ground: polar = Double.pi; azimuth = nil; desc = "ground state"
        case .excited: polar = 0; azimuth = nil; desc = "excited state"
        case .product(let t, let p):
            polar = t; azimuth = p
            desc = "product state θ = \(t)" + (p.map { ", φ = \($0)" } ?? ", random φ")
        }
        var amplitude = 0.5 * sin(polar)
        var s = cos(polar)
        if needsSymmetryBreaking(polar: polar) {
            let e = symmetryBreakingAmplitude
            amplitude = e
            s = (s >= 0 ? 1 : -1) * max(0, 1 - 4 * e * e).squareRoot()
            azimuth = nil
            desc += " with random transverse components |β| = \(e)"
        }
        for a in 0..<n {
            let phi = azimuth ?? 2 * Double.pi * rng.uniform()
            // β = ½ sin θ e^{−iφ}
            y[a] = amplitude * cos(phi)
            y[n + a] = -amplitude * sin(phi)
            y[2 * n + a] = s
        }
        return (y, desc)
    }

    private func solveDynamic(_ request: SolveRequest) throws -> PointResult {
        let model = request.model
        let n = model.count
        let dyn = MeanFieldDynamics(model: model)
        let rtol = request.tolerance
        let atol = max(absoluteToleranceRatio * rtol, 1e-15)
        let integrator = DormandPrince(relativeTolerance: rtol, absoluteTolerance: atol)
        let (y0, initialDescription) = initialState(request)
        let rhs: DormandPrince.RightHandSide = { _, y, dy in dyn.rhs(y, &dy) }
        let scalars = Self.scalarKinds.filter { request.request($0) != nil }
        var result = PointResult()
        var finalY: [Double]
        var dy = [Double](repeating: 0, count: 3 * n)
        var notes = ThrottledNotes(progress: request.progress)
        switch request.evolution {
        case .steadyState:
            // The largest local rates: decay Γ_a + γ_nr, and the transverse damping adds 2γ_φ (docs/physics.md §4.5).
            let gammaMax = (dyn.fDiagonal.max() ?? model.gamma) + model.nonradiativeDecay + 2 * model.dephasing
            // The fastest rate of the equations: the residual of a numerically stationary state is
            // about (integration error) × (this rate), so ε scales with it.
            let detuningScale = model.detunings.reduce(0) { max($0, abs($1)) }
            let rateScale = gammaMax + model.pump + dyn.couplings.couplingScale + detuningScale
            let epsilon = 10 * rtol * rateScale
            let hold = 2 / (gammaMax + model.pump)
            var holdStart: Double?
            var lastResidual = Double.infinity
            let outcome: (t: Double, y: [Double], steps: Int)
            do {
                outcome = try integrator.integrate(
                    from: 0, y0, to: [maxTime], rhs: rhs,
                    shouldStop: { t, y, dydt in
                        let (_, r, growth) = dyn.rotatingFrameResidual(y, dydt)
                        lastResidual = r
                        notes.note {
                            String(format: "mean-field dynamics: t = %.4g/Γ, residual %.2e Γ (stationary below ε = %.2e Γ)", t, r, epsilon)
                        }
                        // Stationary: small residual, and the coherences not growing away from the
                        // unstable fixed point β ≈ 0 (where the residual is small too). Integration
                        // errors are relative (rtol), so the growth rate of a truly stationary state is
                        // of order rtol × rate < ε read as a rate.
                        if r <= epsilon && (growth ?? 0) <= epsilon {
                            if holdStart == nil { holdStart = t }
                            return t - (holdStart ?? t) >= hold
                        }
                        holdStart = nil
                        return false
                    })
            } catch let e as DormandPrince.Failure {
                throw BackendError.numerical(e.description)
            }
            guard lastResidual <= epsilon, let h = holdStart, outcome.t - h >= hold else {
                throw BackendError.noConvergence(
                    "mean-field dynamics not stationary in a rotating frame by t = \(maxTime)/Γ: residual "
                        + "max|dβ/dt + iωβ|, |ds/dt| = \(lastResidual) > ε = \(epsilon) (the state may be a "
                        + "non-stationary attractor, or relax more slowly than the time limit allows)")
            }
            finalY = outcome.y
            result.method =
                "mean-field, dynamic: Dormand–Prince 5(4) (rtol \(rtol), atol \(atol)) from the "
                + "\(initialDescription) to t = \(outcome.t)/Γ, stationary in the rotating frame "
                + "(max|dβ/dt + iωβ|, |ds/dt| ≤ ε = \(epsilon) and coherence growth rate ≤ ε over \(hold)/Γ)"
                + Self.couplingsNote(dyn)
            result.diagnostics = [
                ("steps", .number(Double(outcome.steps))), ("time", .number(outcome.t)),
                ("residual", .number(lastResidual)), ("epsilon", .number(epsilon)),
                ("evaluations", .number(Double(dyn.evaluations)))
            ]
        case .until(let time, let samples):
            guard time.isFinite, time >= 0, samples >= 1 else {
                throw BackendError.unsupported("evolve until \(time) with \(samples) samples")
            }
            let times = samples == 1 ? [time] : (0..<samples).map { time * Double($0) / Double(samples - 1) }
            var rows: [[Double]] = []
            var sampleDy = [Double](repeating: 0, count: 3 * n)
            let outcome: (t: Double, y: [Double], steps: Int)
            do {
                outcome = try integrator.integrate(
                    from: 0, y0, to: times, rhs: rhs,
                    observe: { t, y in
                        notes.note { String(format: "mean-field dynamics: t = %.4g/Γ of %.4g/Γ", t, time) }
                        if scalars.contains(.frequency) { dyn.rhs(y, &sampleDy) }
                        let v = Self.scalarValues(y, sampleDy, n: n, dyn: dyn, kinds: scalars)
                        rows.append([t] + v.map(\.value))
                    })
            } catch let e as DormandPrince.Failure {
                throw BackendError.numerical(e.description)
            }
            finalY = outcome.y
            let columns = ["t"] + Self.scalarColumns(scalars)
            result.tables.append(ResultTable(name: "timeseries", columns: columns, rows: rows))
            result.method =
                "mean-field, dynamic: Dormand–Prince 5(4) (rtol \(rtol), atol \(atol)) from the "
                + "\(initialDescription) to t = \(time)/Γ" + Self.couplingsNote(dyn)
            result.diagnostics = [
                ("steps", .number(Double(outcome.steps))),
                ("evaluations", .number(Double(dyn.evaluations)))
            ]
        }
        guard finalY.allSatisfy(\.isFinite) else { throw BackendError.numerical("non-finite mean-field state") }
        dyn.rhs(finalY, &dy)
        try fillObservables(&result, y: finalY, dy: dy, request: request, dyn: dyn)
        return result
    }

    /// What results.json's `method` adds for a matrix-free representation (nothing for dense couplings,
    /// so their results read as before).
    private static func couplingsNote(_ dyn: MeanFieldDynamics) -> String {
        switch dyn.couplings.representation {
        case .dense: return ""
        case .uniform: return "; couplings: uniform (all-to-all: f_eff and g_eff, O(N) sums)"
        case .lattice:
            let m = dyn.couplings.lattice?.fSpectrum.count ?? 0
            return "; couplings: lattice (translation-invariant, FFT products on a circulant embedding of \(m) sites)"
        }
    }

    private static func scalarColumns(_ kinds: [ObservableKind]) -> [String] {
        kinds.flatMap { k -> [String] in k == .zq ? ["ZQ", "ZQ2"] : [k.rawValue] }
    }

    /// Scalar observables of a state y (dy is needed only for `frequency`).
    static func scalarValues(
        _ y: [Double], _ dy: [Double], n: Int, dyn: MeanFieldDynamics,
        kinds: [ObservableKind]
    ) -> [(key: String, value: Double)] {
        var sr = 0.0, si = 0.0, s2 = 0.0, sz = 0.0
        for a in 0..<n {
            sr += y[a]; si += y[n + a]
            s2 += y[a] * y[a] + y[n + a] * y[n + a]
            sz += y[2 * n + a]
        }
        let nn = Double(n)
        var out: [(key: String, value: Double)] = []
        for k in kinds {
            switch k {
            case .zq:
                // mean_{a≠b} Re(β_a* β_b) = (|Σβ|² − Σ|β|²)/(N(N−1))
                let z2 = n >= 2 ? (sr * sr + si * si - s2) / (nn * (nn - 1)) : 0
                out.append((ObservableWriter.Key.zq, OrderParameters.zq(fromSquare: z2)))
                out.append((ObservableWriter.Key.zq2, z2))
            case .inversion: out.append((ObservableWriter.Key.inversion, sz / (2 * nn)))
            case .z: out.append((ObservableWriter.Key.z, (sr * sr + si * si).squareRoot() / nn))
            case .frequency: out.append((ObservableWriter.Key.frequency, dyn.rotatingFrameResidual(y, dy).omega ?? .nan))
            default: break
            }
        }
        return out
    }

    private func fillObservables(
        _ result: inout PointResult, y: [Double], dy: [Double], request: SolveRequest,
        dyn: MeanFieldDynamics
    ) throws {
        let n = request.model.count
        let beta = { (a: Int) in Complex(y[a], y[n + a]) }
        for o in request.observables {
            switch o.kind {
            case .zq, .inversion, .z, .frequency:
                // The state is finite (checked by the caller), so only `frequency` can be NaN (no common frequency).
                let values = Self.scalarValues(y, dy, n: n, dyn: dyn, kinds: [o.kind])
                func value(_ key: String) -> Double { values.first { $0.key == key }?.value ?? .nan }
                switch o.kind {
                case .zq: ObservableWriter.zq(fromSquare: value(ObservableWriter.Key.zq2), into: &result)
                case .inversion: ObservableWriter.inversion(value(ObservableWriter.Key.inversion), into: &result)
                case .z: ObservableWriter.z(value(ObservableWriter.Key.z), into: &result)
                default:
                    let omega = value(ObservableWriter.Key.frequency)
                    ObservableWriter.frequency(omega.isNaN ? nil : omega, into: &result)
                }
            case .clusterZQ:
                // β_a* β_b summed in O(d) (a cluster may hold every dipole of a 10⁶ lattice).
                ObservableWriter.clusterZQ(
                    sizes: o.clusterSizes, lattice: request.lattice,
                    zq2: { OrderParameters.productZQ2(count: n, indices: $0, beta: beta) }, into: &result)
            case .correlations:
                // β_a* β_b from the N amplitudes as the table is written: no N² array (docs/physics.md §4.1).
                ObservableWriter.productCorrelations(
                    re: Array(y[0..<n]), im: Array(y[n..<(2 * n)]), populations: (0..<n).map { (1 + y[2 * n + $0]) / 2 }, into: &result)
            case .phases:
                var rows: [[Double]] = []
                rows.reserveCapacity(n)
                let pos = request.model.positions
                for a in 0..<n {
                    let p = a < pos.count ? pos[a] : SIMD3<Double>(0, 0, 0)
                    let b = beta(a)
                    rows.append([Double(a), p.x, p.y, p.z, b.length, atan2(-b.imaginary, b.real), y[2 * n + a]])
                }
                result.tables.append(
                    ResultTable(
                        name: "phases", columns: ["a", "x", "y", "z", "S-perp", "phi", "s"],
                        rows: rows))
            default:
                throw BackendError.unsupported("mean-field has no `\(o.kind.rawValue)`")
            }
        }
    }

    // MARK: - Closed forms and self-consistency

    private func solveAnalytic(_ request: SolveRequest, distribution: DetuningDistribution) throws -> PointResult {
        let model = request.model
        guard let u = model.uniform else {
            throw BackendError.unsupported("the mean-field \(method.label) needs all-to-all couplings")
        }
        guard distribution.isValid else { throw BackendError.unsupported("invalid detuning distribution \(distribution)") }
        if case .evolutionUntil = EvolutionKind(request.evolution) {
            throw BackendError.unsupported("the mean-field \(method.label) gives steady states only")
        }
        let n = Double(model.count)
        // The coupling sums one dipole sees: Σ_{b≠a} f_ab = f_eff (N−1)/N for f_ab = f_eff/N.
        let f = n > 1 ? u.feff * (n - 1) / n : 0
        let g = n > 1 ? u.geff * (n - 1) / n : 0
        let w = model.pump, gamma = model.gamma
        // Single-dipole decoherence enters the closed forms through Q_∥, Q_⊥ and P (docs/physics.md §4.5).
        let gphi = model.dephasing, gnr = model.nonradiativeDecay
        var offset = 0.0
        if case .none = distribution {
            guard model.detuningsAreUniform() else {
                throw BackendError.unsupported("detuning distribution `none` but the dipoles' detunings differ")
            }
            offset = model.detunings.first ?? 0
        }
        var z: Double, omega: Double?, inversion: Double
        var description: String
        switch method {
        case .closedForm:
            switch distribution {
            case .none:
                z = MeanFieldClosedForm.collectiveZ(feff: f, pump: w, gamma: gamma, dephasing: gphi, nonradiative: gnr)
                omega =
                    z > 0
                    ? MeanFieldClosedForm.collectiveFrequency(
                        feff: f, geff: g, pump: w, gamma: gamma,
                        detuning: offset, dephasing: gphi,
                        nonradiative: gnr) : nil
                description = "identical dipoles: Z = √(F P − Q²)/(√2 F), ω = δ − G Q/(2F)"
            case .lorentzian(let d):
                guard g == 0 else {
                    throw BackendError.unsupported("the Lorentzian closed form needs g_eff = 0; use the self-consistency equations")
                }
                z = MeanFieldClosedForm.lorentzianZ(
                    feff: f, pump: w, hwhm: d, gamma: gamma, dephasing: gphi,
                    nonradiative: gnr)
                omega = z > 0 ? 0 : nil
                description = "Lorentzian detunings (HWHM \(d)): Z = √(F P − Q² + 2Δ² − 2Δ√(Δ² + F P))/(√2 F)"
            default:
                throw BackendError.unsupported("no closed form for \(distribution); use the self-consistency equations")
            }
            inversion = MeanFieldClosedForm.inversion(
                feff: f, pump: w, z: z, gamma: gamma, dephasing: gphi,
                nonradiative: gnr)
        default:
            do {
                let s = try MeanFieldClosedForm.selfConsistent(
                    feff: f, geff: g, pump: w, gamma: gamma,
                    dephasing: gphi, nonradiative: gnr,
                    distribution: distribution)
                z = s.z; omega = s.frequency.map { $0 + offset }; inversion = s.inversion
            } catch let e as SelfConsistencyError {
                throw BackendError.noConvergence(e.description)
            }
            description = "self-consistency equations for \(distribution) detunings (adaptive quadrature, nested root solves)"
        }
        var result = PointResult()
        result.method =
            "mean-field, \(method.label), N → ∞ with F = \(f), G = \(g) (the coupling sums of one "
            + "dipole, f_eff (N−1)/N): \(description)"
        for o in request.observables {
            switch o.kind {
            case .zq: ObservableWriter.zq(fromSquare: z * z, into: &result)
            case .z: ObservableWriter.z(z, into: &result)
            case .inversion: ObservableWriter.inversion(inversion, into: &result)
            case .frequency: ObservableWriter.frequency(omega, into: &result)
            case .clusterZQ:
                ObservableWriter.clusterZQ(
                    sizes: o.clusterSizes, lattice: request.lattice, correlation: { _, _ in Complex(z * z) },
                    into: &result)
            default:
                throw BackendError.unsupported("the mean-field \(method.label) has no per-dipole `\(o.kind.rawValue)`")
            }
        }
        return result
    }
}

/// Whether an evolution is a steady state (a helper that keeps the pattern match readable).
private enum EvolutionKind {
    case steady, evolutionUntil
    init(_ e: Evolution) {
        switch e {
        case .steadyState: self = .steady
        case .until: self = .evolutionUntil
        }
    }
}

/// A backend's progress notes (`SolverProgress`) from a loop of cheap steps: the first step and then at most
/// one a second, the text built only when sent.
struct ThrottledNotes {
    let progress: SolverProgress?
    private var last: UInt64?

    init(progress: SolverProgress?) { self.progress = progress }

    mutating func note(_ text: () -> String) {
        guard let progress else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if let last, now - last < 1_000_000_000 { return }
        last = now
        progress.note(text())
    }
}
