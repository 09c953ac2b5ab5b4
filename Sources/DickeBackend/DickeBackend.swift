import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// The permutation-symmetric backend ("permutation-symmetric"): all-to-all couplings and a uniform
/// detuning, solved exactly in the Dicke basis (docs/physics.md §6.4, `DickeLadder`), with local
/// dephasing and non-radiative decay if the model has them (docs/physics.md §6.4.1). Both keep the
/// state permutation symmetric and U(1) invariant, so every observable below stays exact with them.
///
/// - Steady state: U(1)-diagonal populations P(j, m) by linear level reduction (`DickeSteadyState`),
///   exact for N ≤ 400, on a verified window beyond.
/// - `evolve: until`: the population sector (k = 0) integrated with `DormandPrince` from ground,
///   excited or a product state with a fixed azimuth (a spin-coherent state in j = N/2). Observables
///   that need only k = 0 (ZQ, inversion, cluster-ZQ, correlations) are exact for every such state;
///   `qfi`, `mutual-information`, `discord` need the coherences of a non-U(1) state and are refused there.
/// - `spectrum`: ⟨J⁺(τ)J⁻(0)⟩ by quantum regression (the k = 1 sector started at J⁻ρ_ss).
/// - `two-time` (steady state): the pair function Z_ab(τ) needs states with only S_{N−1} symmetry
///   (σ⁻_bρ is not permutation symmetric); it is computed with one distinguished dipole and N − 1
///   permutation-symmetric others (`DistinguishedDipoles`, docs/physics.md §6.6).
///
/// Results: `ZQ`, `ZQ2` (Z_Q² = (⟨J⁺J⁻⟩ − ⟨J_z⟩ − N/2)/(N(N−1))), `inversion` (⟨J_z⟩/N), `cluster-ZQ`
/// (equal to Z_Q for every d ≥ 2), `qfi` + `qfi-witness`, `mutual-information`, `discord` (+ `-pairs`
/// lists; every pair has the same value), `spectrum` ({linewidth, peak-frequency}); tables
/// `correlations`, `spectrum` (omega, S, and tau, re, im of ⟨J⁺(τ)J⁻⟩ in `two-time-collective`) and
/// `timeseries`. Throws `BackendError.unsupported`, `.memory`, `.numerical`, `.noConvergence`.
public struct DickeBackend: Backend {
    public static let name = "permutation-symmetric"
    public init() {}

    /// The ladder of a request, or why the model is not permutation symmetric.
    public static func ladder(for model: DipoleModel) throws -> DickeLadder {
        guard let u = model.uniform else {
            throw BackendError.unsupported("the permutation-symmetric backend needs all-to-all uniform couplings")
        }
        guard model.detuningsAreUniform(tolerance: 1e-12 * max(1, model.detunings.map(abs).max() ?? 0)) else {
            throw BackendError.unsupported("the permutation-symmetric backend needs equal detunings")
        }
        let n = model.count
        guard n >= 1 else { throw BackendError.unsupported("no dipoles") }
        // Non-radiative decay is local decay: γ = Γ + γ_nr − f_eff/N; dephasing enters the ladder as γ_φ
        // (docs/physics.md §6.4.1). With γ_nr = 0 the decay rate passed is Γ itself.
        let nr = model.nonradiativeDecay
        let decay = nr == 0 ? model.gamma : model.gamma + nr
        guard nr >= 0 else { throw BackendError.unsupported("negative non-radiative decay rate \(nr)") }
        guard model.dephasing >= 0 else { throw BackendError.unsupported("negative dephasing rate \(model.dephasing)") }
        let lad = DickeLadder(
            n: n, gamma: decay, feff: u.feff, geff: u.geff, pump: model.pump,
            detuning: model.detunings.first ?? 0, dephasing: model.dephasing)
        if lad.local < -PlannerThresholds.rateMatrixTolerance * max(1, abs(decay)) {
            let what = nr == 0 ? "Γ − f_eff/N" : "Γ + γ_nr − f_eff/N"
            throw BackendError.unsupported(
                "the rate matrix is not positive semidefinite: smallest eigenvalue \(what) = \(lad.local) (needs f_eff ≤ N\(nr == 0 ? "Γ" : "(Γ + γ_nr)"))"
            )
        }
        guard model.pump >= 0 else { throw BackendError.unsupported("negative pump rate \(model.pump)") }
        return lad
    }

    public func solve(_ request: SolveRequest) throws -> PointResult {
        if let why = unsupportedDecoherence(request.model.decoherence) { throw BackendError.unsupported(why) }
        let lad = try Self.ladder(for: request.model)
        if let o = request.request(.twoTime) {
            try Self.checkPairCorrelation(o, n: lad.n, evolution: request.evolution)
        }
        // What it computes is its description's list (DickeDescription.swift).
        for o in request.observables where !observables.contains(o.kind) {
            throw BackendError.unsupported("`\(o.kind.rawValue)` is not available from the permutation-symmetric backend")
        }
        var result = PointResult()
        switch request.evolution {
        case .steadyState:
            var ss = DickeSteadyState(ladder: lad)
            ss.memoryBudget = request.memoryBudget
            let sol = try ss.solve()
            let pops = sol.populations
            let moments = DickeMoments(pops)
            result.method =
                "Dicke-basis population chain (\(pops.n) dipoles, \(sol.states) populations), linear level reduction (dense LU per excitation level)"
                + (sol.truncated ? " on a window (boundary probability \(String(format: "%.1e", sol.boundaryMass)))" : "")
                + ", residual \(String(format: "%.1e", sol.residual))"
            result.diagnostics = [
                ("residual", .number(sol.residual)), ("states", .number(Double(sol.states))),
                ("truncated", .bool(sol.truncated)), ("boundary-probability", .number(sol.boundaryMass)),
                ("min-population", .number(sol.minimum))
            ]
            try fill(&result, moments: moments, pops: pops, u1: true, request: request)
            if let spec = request.request(.spectrum) {
                try addSpectrum(&result, lad: lad, pops: pops, request: spec, budget: request.memoryBudget)
            }
            if let o = request.request(.twoTime) {
                try addPairCorrelation(&result, lad: lad, pops: pops, request: o, tolerance: request.tolerance, budget: request.memoryBudget)
            }
        case .until(let time, let samples):
            try evolve(&result, lad: lad, request: request, time: time, samples: samples)
        }
        return result
    }

    // MARK: observables

    private func fill(
        _ result: inout PointResult, moments mo: DickeMoments, pops: DickePopulations?, u1: Bool,
        request: SolveRequest
    ) throws {
        let n = mo.n
        let correlation = { (a: Int, b: Int) in a == b ? Complex(mo.population) : Complex(mo.zq2) }
        if request.request(.zq) != nil { ObservableWriter.zq(fromSquare: mo.zq2, into: &result) }
        if request.request(.inversion) != nil { ObservableWriter.inversion(mo.inversion, into: &result) }
        if let c = request.request(.clusterZQ) {
            // This backend has never listed skipped sizes in `cluster-ZQ-skipped` (the spec compiler
            // rejects sizes that do not fit, so only direct API callers see the difference); kept so
            // results stay as they were.
            ObservableWriter.clusterZQ(
                sizes: c.clusterSizes, lattice: request.lattice, recordSkipped: false,
                correlation: correlation, into: &result)
        }
        if request.request(.correlations) != nil {
            ObservableWriter.correlations(count: n, correlation: correlation, into: &result)
        }
        let wantsPairs = request.request(.mutualInformation) != nil || request.request(.discord) != nil
        if (request.request(.qfi) != nil || wantsPairs) && !u1 {
            throw BackendError.unsupported(
                "qfi, mutual-information and discord of a state with coherences between excitation numbers are not available from the permutation-symmetric backend"
            )
        }
        if request.request(.qfi) != nil, let p = pops {
            ObservableWriter.qfi(Self.fisher(p), dipoles: n, into: &result)
        }
        if wantsPairs {
            guard n >= 2 else { throw BackendError.unsupported("pair correlations need two dipoles") }
            let rho = PairCorrelations.xState(sa: mo.sz, sb: mo.sz, dab: mo.zz, cab: Complex(mo.zq2))
            for kind in [ObservableKind.mutualInformation, .discord] {
                guard let r = request.request(kind) else { continue }
                // Every pair of a permutation-symmetric state has the same reduced state.
                let v = kind == .discord ? try PairCorrelations.discord(rho) : try PairCorrelations.mutualInformation(rho)
                ObservableWriter.pairValues(kind, r.pairs.map { ($0, v) }, into: &result)
            }
        }
    }

    /// F̄_Q = (F(J_x) + F(J_y) + F(J_z))/3 of a state diagonal in |j, m⟩ with d_j copies per block:
    /// J_z is diagonal (F(J_z) = 0) and J_x, J_y couple (j, m) ↔ (j, m+1) of the same copy, so
    ///
    ///     F(J_x) = F(J_y) = Σ_{j,m} (P_{j,m} − P_{j,m+1})² / (P_{j,m} + P_{j,m+1}) · (j − m)(j + m + 1),
    ///
    /// the degeneracies cancelling between the per-copy eigenvalues P/d_j and the d_j copies.
    public static func fisher(_ p: DickePopulations, cutoff: Double = 1e-300) -> Double {
        let j0 = Double(p.n % 2) / 2
        var f = 0.0
        for k in p.lo.indices {
            let l = p.levelLow + k
            let m = p.m(level: l)
            for t in p.lo[k]...max(p.lo[k], p.hi[k]) where t <= p.hi[k] {
                let jj = j0 + Double(t)
                guard jj > m else { continue }
                let a = max(0, p.values[p.offset[k] + t - p.lo[k]])
                let b = max(0, p.value(level: l + 1, t: t))
                let s = a + b
                if s > cutoff { f += (a - b) * (a - b) / s * (jj - m) * (jj + m + 1) }
            }
        }
        return 2 * f / 3
    }

    // MARK: pair two-time function (docs/physics.md §6.6)

    /// Why `two-time` cannot be computed for this point (thrown before any work).
    static func checkPairCorrelation(_ o: ObservableRequest, n: Int, evolution: Evolution) throws {
        guard case .steadyState = evolution else {
            throw BackendError.unsupported("two-time is computed in the steady state by the permutation-symmetric backend")
        }
        guard n >= 2 else { throw BackendError.unsupported("two-time needs two dipoles") }
        guard o.tauMax > 0, o.tauMax.isFinite, o.tauPoints >= 2 else {
            throw BackendError.unsupported("two-time needs tau-max > 0 and at least two tau points")
        }
        for p in o.pairs where !(p.a >= 0 && p.b >= 0 && p.a < n && p.b < n && p.a != p.b) {
            throw BackendError.unsupported("two-time: (\(p.a), \(p.b)) is not a pair of distinct dipoles in 0..<\(n)")
        }
    }

    /// Z_ab(τ) with one distinguished dipole and N − 1 permutation-symmetric others (`DistinguishedDipoles`;
    /// every pair of the symmetric model has the same function), fitted like the exact backend's: in the
    /// frame of its mean rotation frequency, by `ObservableWriter.TwoTimePair` (the single cosine and the
    /// two-exponential fit, docs/physics.md §3.3).
    private func addPairCorrelation(
        _ result: inout PointResult, lad: DickeLadder, pops: DickePopulations, request o: ObservableRequest,
        tolerance: Double, budget: Int
    ) throws {
        let bytes = Self.pairCorrelationBytes(n: lad.n)
        if bytes > budget { throw BackendError.memory(needed: bytes, budget: budget) }
        let model = DistinguishedDipoles(ladder: lad, distinguished: 1)
        let s0 = model.sector(charge: 0)
        let rho = model.steadyState(pops, in: s0)
        let generator = model.generator(charge: -1)
        let tau = (0..<o.tauPoints).map { o.tauMax * Double($0) / Double(o.tauPoints - 1) }
        let z: [Complex<Double>]
        do {
            z = try model.pairCorrelation(
                steadyState: rho, sector: s0, generator: generator, taus: tau,
                relativeTolerance: max(1e-12, min(1e-8, tolerance)))
        } catch { throw BackendError.numerical("two-time: \(error)") }
        let omega = SignalFrequency.mean(z, spacing: tau[1] - tau[0])
        // Every pair of the symmetric model has the same function and fits.
        guard let p0 = o.pairs.first else { return }
        let first = ObservableWriter.TwoTimePair(pair: p0, tau: tau, z: z, frame: omega)
        let fits = o.pairs.map { p in
            var f = first
            f.pair = p
            return f
        }
        ObservableWriter.twoTime(fits, into: &result)
        result.method +=
            "; two-time: one distinguished dipole and \(lad.n - 1) permutation-symmetric others (\(generator.sector.size) coherences), Dormand–Prince 5(4)"
    }

    /// Bytes of the pair two-time function for N dipoles: per entry of a sector (4 blocks of at most
    /// (N/2 + 1)² complex entries) the charge-0 state, the integrator's nine vectors and the output, and
    /// the charge −1 generator's sparse rows (at most 40 nonzeros a row, held twice while it is built:
    /// 32 bytes an entry as triplets, 24 as rows).
    public static func pairCorrelationBytes(n: Int) -> Int {
        let entries = 4 * Double(n / 2 + 1) * Double(n / 2 + 1)
        return CostEstimate.bytes(entries * (16 * 11 + 56 * 40 + 8 * 4) + 1e6)
    }

    // MARK: spectrum

    private func addSpectrum(
        _ result: inout PointResult, lad: DickeLadder, pops: DickePopulations,
        request spec: ObservableRequest, budget: Int
    ) throws {
        let sector = DickeSector(ladder: lad, k: 1)
        let bytes = sector.size * 2 * 8 * 12
        if bytes > budget { throw BackendError.memory(needed: bytes, budget: budget) }
        // X = J⁻ρ: X_{m, m+1} = A⁻_{j,m+1} P_{j,m+1}.
        var x0 = [Double](repeating: 0, count: 2 * sector.size)
        var weights = [Double](repeating: 0, count: sector.size)
        for t in 0..<lad.jCount {
            let jj = lad.j(t)
            for i in 0..<sector.count[t] {
                let m = sector.mLow[t] + Double(i)
                let a = ((jj + m + 1) * (jj - m)).squareRoot()
                let level = Int((m + 1 + lad.half).rounded())
                x0[2 * (sector.offset[t] + i)] = a * pops.value(level: level, t: t)
                weights[sector.offset[t] + i] = a
            }
        }
        let samples = max(2, spec.tauPoints)
        let taus = (0..<samples).map { spec.tauMax * Double($0) / Double(samples - 1) }
        var g = [Complex<Double>]()
        let integrator = DormandPrince(relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * max(1e-300, x0.map(abs).max() ?? 1))
        do {
            try integrator.integrate(
                from: 0, x0, to: taus,
                rhs: { _, y, dy in
                    y.withUnsafeBufferPointer { yp in dy.withUnsafeMutableBufferPointer { dp in sector.apply(yp, dp) } }
                },
                observe: { _, y in
                    var re = 0.0, im = 0.0
                    for i in 0..<weights.count { re += weights[i] * y[2 * i]; im += weights[i] * y[2 * i + 1] }
                    g.append(Complex(re, im))
                })
        } catch { throw BackendError.numerical("spectrum: \(error)") }
        let fit = Self.spectrumSummary(taus: taus, g: g)
        result.tables.append(
            ResultTable(
                name: "two-time-collective", columns: ["tau", "re", "im"],
                rows: zip(taus, g).map { [$0, $1.real, $1.imaginary] }))
        ObservableWriter.spectrum(
            linewidth: fit.linewidth, peakFrequency: fit.peak, estimator: .gridHalfMaximum,
            table: fit.table, into: &result)
    }

    /// The emission spectrum S(ω) = 2 Re ∫₀^τmax g(τ) e^{−iωτ} dτ (trapezoid rule) of g(τ) = ⟨J⁺(τ)J⁻(0)⟩,
    /// its peak frequency and its full width at half maximum (linear interpolation between samples).
    static func spectrumSummary(taus: [Double], g: [Complex<Double>]) -> (linewidth: Double, peak: Double, table: [[Double]]) {
        guard taus.count >= 2 else { return (0, 0, []) }
        let dt = taus[1] - taus[0]
        let tmax = taus.last ?? 1
        let wmax = Double.pi / dt
        let count = 801
        var rows = [[Double]]()
        for k in 0..<count {
            let w = -min(wmax, 40) + 2 * min(wmax, 40) * Double(k) / Double(count - 1)
            var s = 0.0
            for i in taus.indices {
                let c = (i == 0 || i == taus.count - 1) ? 0.5 : 1
                s += c * (g[i].real * cos(w * taus[i]) + g[i].imaginary * sin(w * taus[i]))
            }
            rows.append([w, 2 * s * dt])
        }
        _ = tmax
        var best = 0
        for k in rows.indices where rows[k][1] > rows[best][1] { best = k }
        let half = rows[best][1] / 2
        var l = best, r = best
        while l > 0 && rows[l][1] > half { l -= 1 }
        while r < rows.count - 1 && rows[r][1] > half { r += 1 }
        func cross(_ a: Int, _ b: Int) -> Double {
            let (x0, y0, x1, y1) = (rows[a][0], rows[a][1], rows[b][0], rows[b][1])
            return y1 == y0 ? x0 : x0 + (half - y0) * (x1 - x0) / (y1 - y0)
        }
        let width = cross(r, max(r - 1, 0)) - cross(l, min(l + 1, rows.count - 1))
        return (abs(width), rows[best][0], rows)
    }

    // MARK: time evolution

    private func evolve(
        _ result: inout PointResult, lad: DickeLadder, request: SolveRequest, time: Double,
        samples: Int
    ) throws {
        let n = lad.n
        let sector = DickeSector(ladder: lad, k: 0)
        let bytes = sector.size * 2 * 8 * 12
        if bytes > request.memoryBudget { throw BackendError.memory(needed: bytes, budget: request.memoryBudget) }
        var x0 = [Double](repeating: 0, count: 2 * sector.size)
        let top = lad.jCount - 1   // j = N/2
        var u1 = true
        switch request.initial {
        case .ground: if let i = sector.index(top, -lad.half) { x0[2 * i] = 1 }
        case .excited: if let i = sector.index(top, lad.half) { x0[2 * i] = 1 }
        case .product(let polar, let azimuth):
            if azimuth == nil && !request.initial.isU1Invariant {
                throw BackendError.unsupported(DickeBackend.randomPhasesRefusal)
            }
            u1 = request.initial.isU1Invariant
            // |θ⟩^⊗N: populations of |N/2, m⟩ are binomial, C(N, N/2+m) cos²ᴷ(θ/2) sin²⁽ᴺ⁻ᴷ⁾(θ/2), K = N/2 + m.
            let c2 = cos(polar / 2) * cos(polar / 2), s2 = sin(polar / 2) * sin(polar / 2)
            for kk in 0...n {
                let logC = lgamma(Double(n + 1)) - lgamma(Double(kk + 1)) - lgamma(Double(n - kk + 1))
                let lp =
                    logC + (c2 > 0 ? Double(kk) * log(c2) : (kk == 0 ? 0 : -Double.infinity))
                    + (s2 > 0 ? Double(n - kk) * log(s2) : (kk == n ? 0 : -Double.infinity))
                if let i = sector.index(top, Double(kk) - lad.half) { x0[2 * i] = exp(lp) }
            }
        }
        let steps = max(1, samples)
        let times = (0...steps).map { time * Double($0) / Double(steps) }
        var series = [[Double]]()
        var lastPops: DickePopulations?
        let integrator = DormandPrince(relativeTolerance: max(1e-12, min(1e-6, request.tolerance)), absoluteTolerance: 1e-14)
        func populations(_ y: [Double]) -> DickePopulations {
            var p = DickePopulations.fullWindow(n: n)
            for t in 0..<lad.jCount {
                for i in 0..<sector.count[t] {
                    let m = sector.mLow[t] + Double(i)
                    let level = Int((m + lad.half).rounded())
                    let k = level - p.levelLow
                    p.values[p.offset[k] + t - p.lo[k]] = y[2 * (sector.offset[t] + i)]
                }
            }
            return p
        }
        var columns = ["t"]
        if request.request(.zq) != nil { columns += ["ZQ", "ZQ2"] }
        if request.request(.inversion) != nil { columns.append("inversion") }
        do {
            try integrator.integrate(
                from: 0, x0, to: times,
                rhs: { _, y, dy in
                    y.withUnsafeBufferPointer { yp in dy.withUnsafeMutableBufferPointer { dp in sector.apply(yp, dp) } }
                },
                observe: { t, y in
                    let p = populations(y)
                    let mo = DickeMoments(p)
                    var row = [t]
                    if request.request(.zq) != nil { row += [OrderParameters.zq(fromSquare: mo.zq2), mo.zq2] }
                    if request.request(.inversion) != nil { row.append(mo.inversion) }
                    series.append(row)
                    lastPops = p
                })
        } catch { throw BackendError.numerical("time evolution: \(error)") }
        guard let p = lastPops else { throw BackendError.numerical("no samples") }
        try fill(&result, moments: DickeMoments(p), pops: p, u1: u1, request: request)
        result.tables.append(ResultTable(name: "timeseries", columns: columns, rows: series))
        result.method = "Dicke-basis population sector (\(sector.size) populations), Dormand–Prince 5(4)"
    }
}

/// The collective moments of a U(1)-invariant permutation-symmetric state and the pair values they fix.
public struct DickeMoments: Sendable {
    public let n: Int
    /// ⟨J_z⟩, ⟨J_z²⟩, ⟨J⁺J⁻⟩.
    public let jz: Double, jz2: Double, jpjm: Double

    public init(_ p: DickePopulations) {
        n = p.n
        jz = p.expectation { _, m in m }
        jz2 = p.expectation { _, m in m * m }
        jpjm = p.expectation { j, m in (j + m) * (j - m + 1) }
    }

    /// S^z = ⟨J_z⟩/N.
    public var inversion: Double { jz / Double(n) }
    /// ⟨σᶻ_a⟩ = 2⟨J_z⟩/N.
    public var sz: Double { 2 * jz / Double(n) }
    /// ⟨σ⁺_a σ⁻_a⟩ = ½ + ⟨J_z⟩/N.
    public var population: Double { 0.5 + jz / Double(n) }
    /// ⟨σᶻ_a σᶻ_b⟩ (a ≠ b) = (4⟨J_z²⟩ − N)/(N(N−1)).
    public var zz: Double { n > 1 ? (4 * jz2 - Double(n)) / Double(n * (n - 1)) : 0 }
    /// Z_Q² = ⟨σ⁺_a σ⁻_b⟩ (a ≠ b) = (⟨J⁺J⁻⟩ − ⟨J_z⟩ − N/2)/(N(N−1)).
    public var zq2: Double { n > 1 ? (jpjm - jz - Double(n) / 2) / Double(n * (n - 1)) : 0 }
}
