import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// The exact backend: the full master equation of docs/physics.md §1.1 for any positions, couplings and
/// detunings, without approximation.
///
/// - `densityMatrix`: U(1) block-diagonal ρ = ⊕_k ρ_k (C(2N,N) numbers), the Liouvillian applied
///   matrix-free (`BlockLiouvillian`); steady state by preconditioned GMRES (`LiouvillianSteadyStateSolver`),
///   time evolution by Dormand–Prince; two-time correlations by quantum regression on the charge-1
///   family. A non-U(1) initial state under `evolve: until` uses all charge families (4^N numbers,
///   N ≤ 10, `FullStateFallback`).
/// - `jumpTrajectories`: quantum-jump trajectories in definite excitation-number sectors (N ≤ 24),
///   ensemble and time averages with standard errors (`<key>-stderr` values).
/// - `qfi-conditional` always uses quantum-state-diffusion trajectories on the 2^N vector.
/// The request's `settings.method` picks the representation; without one the density matrix is used
/// when `memoryEstimate` fits the budget, trajectories otherwise. `settings.trajectories` is the
/// trajectory schedule. What it can represent and what it costs: `ExactDescription.swift`.
public struct ExactBackend: WarmStartBackend, TrajectorySplittingBackend {
    public static let name = "exact"

    public init() {}

    /// Bytes the density-matrix method needs for N dipoles and these observables: the FGMRES bases and
    /// work vectors, 2r + 4 vectors of C(2N,N) complex numbers for the restart length r that the solver
    /// takes under `budget` (`krylovDimension`: up to 60 pairs when half the budget allows it; without a
    /// budget the minimal r = 12, 28 vectors), the preconditioner's eigenvectors and
    /// inverses (2 C(2N,N)), the sector tables, and for `two-time`/`spectrum` the Dormand–Prince
    /// stages on the charge-1 family (20 doubles per entry of C(2N,N−1)). `qfi-conditional` adds the
    /// diffusion trajectories' vectors (per thread). Measured at N = 12 with the budget of a 24 GiB
    /// machine (r = 60): 4.2 GiB peak for one steady state, 5.5 GB for an optimum with dephasing.
    public static func memoryEstimate(
        n: Int, observables: [ObservableRequest], evolution: Evolution = .steadyState,
        threads: Int = 1, budget: Int? = nil
    ) -> Int {
        guard n >= 1 else { return 0 }
        if n > 26 { return Int.max / 4 }
        let dm = SectorBasis.binomial(2 * n, n)
        // Only the steady state's GMRES lengthens its basis with the budget.
        var restart = 12
        if case .steadyState = evolution, let budget { restart = krylovDimension(n: n, budget: budget) }
        var bytes = SectorBasis.tableBytes(n: n) + dm * 16 * (2 * restart + 4)
        // H_eff in compressed-row form: C(N,k)(k(N−k)+1) entries of 20 bytes.
        var hnnz = 0
        for k in 0...n { hnnz += SectorBasis.binomial(n, k) * (k * (n - k) + 1) }
        bytes += hnnz * 20
        switch evolution {
        case .steadyState: break
        case .until: bytes += dm * 16 * 12
        }
        let kinds = Set(observables.map(\.kind))
        if kinds.contains(.twoTime) || kinds.contains(.spectrum) || kinds.contains(.frequency) {
            bytes += SectorBasis.binomial(2 * n, n - 1) * 16 * 12
        }
        if kinds.contains(.qfi) { bytes += dm * 16 * 2 }
        if kinds.contains(.qfiConditional) { bytes += DiffusionTrajectories.bytes(n: n) * max(1, threads) }
        return bytes
    }

    /// The FGMRES restart length: up to 60 (v_j, z_j) pairs when they fit in half the budget, else fewer (≥ 12).
    static func krylovDimension(n: Int, budget: Int) -> Int {
        let vector = 16 * SectorBasis.binomial(2 * n, n)
        return max(12, min(60, budget / 4 / max(vector, 1)))
    }

    /// Bytes of the jump-trajectory method: sector tables plus ~40 vectors of the largest sector per thread.
    public static func trajectoryMemoryEstimate(n: Int, threads: Int = 1) -> Int {
        guard n >= 1, n <= SectorBasis.maximumDipoles else { return Int.max / 4 }
        let dmax = SectorBasis.binomial(n, n / 2)
        let raising = n * (1 << (n - 1)) * 8
        return SectorBasis.tableBytes(n: n) + raising + dmax * 16 * 40 * max(1, threads)
    }

    public func solve(_ request: SolveRequest) throws -> PointResult {
        try solve(request, initialGuess: nil).result
    }

    /// `WarmStartBackend`: the previous steady state (a `BlockDensityMatrix` of the same N) starts GMRES.
    public func solve(_ request: SolveRequest, warmStart: (any Sendable)?) throws -> (result: PointResult, state: (any Sendable)?) {
        let r = try solve(request, initialGuess: warmStart as? BlockDensityMatrix)
        return (r.result, r.state)
    }

    /// Solves one point; `initialGuess` (a previous point's steady state of the same N) speeds up sweeps.
    /// Returns the steady state (or final state) when the density-matrix method ran.
    public func solve(_ request: SolveRequest, initialGuess: BlockDensityMatrix?) throws
        -> (result: PointResult, state: BlockDensityMatrix?)
    {
        // One code path with split runs: base, every trajectory of every ensemble, reduction.
        let work = try work(for: request)
        let (base, state) = try solveBase(request, work: work, initialGuess: initialGuess)
        let basis = SectorBasis(n: request.model.count)
        var contributions: [TrajectoryEnsembleKind: [TrajectoryContribution]] = [:]
        for e in work.ensembles {
            contributions[e.kind] = try trajectories(request, basis: basis, kind: e.kind, range: 0..<e.count)
        }
        return (try reduce(request, work: work, base: base, contributions: contributions), state)
    }

    // MARK: - Validation

    func validate(_ request: SolveRequest) throws {
        if let why = unsupportedDecoherence(request.model.decoherence) { throw BackendError.unsupported(why) }
        let model = request.model
        let n = model.count
        guard n >= 1 else { throw BackendError.unsupported("the exact backend needs at least one dipole") }
        guard n <= SectorBasis.maximumDipoles else {
            throw BackendError.unsupported("the exact backend handles at most \(SectorBasis.maximumDipoles) dipoles (got \(n))")
        }
        var fmax = 0.0
        for v in model.f.elements { fmax = max(fmax, abs(v)) }
        var lmin = (try? Couplings.smallestRateEigenvalue(model.f)) ?? 0
        // The check is made on f + γ_nr·1 (docs/physics.md §1.5), whose eigenvalues are f's plus γ_nr.
        if model.nonradiativeDecay != 0 { lmin += model.nonradiativeDecay }
        if lmin < -PlannerThresholds.rateMatrixTolerance * max(fmax, 1) {
            throw BackendError.unsupported(
                String(
                    format:
                        "the rate matrix f is not positive semidefinite (smallest eigenvalue %.4g Γ): not a Lindblad master equation", lmin))
        }
        guard model.pump >= 0, model.gamma >= 0, model.dephasing >= 0, model.nonradiativeDecay >= 0 else {
            throw BackendError.unsupported("negative rates")
        }
        for o in request.observables {
            switch o.kind {
            case .z, .phases:
                throw BackendError.unsupported("\(o.kind.rawValue) is a mean-field observable")
            case .twoTime, .mutualInformation, .discord:
                for p in o.pairs where p.a < 0 || p.b < 0 || p.a >= n || p.b >= n || p.a == p.b {
                    throw BackendError.unsupported("pair (\(p.a), \(p.b)) is not a pair of distinct dipoles among \(n)")
                }
            default: break
            }
            if (o.kind == .twoTime || o.kind == .spectrum) && (o.tauMax <= 0 || o.tauPoints < 4) {
                throw BackendError.unsupported("\(o.kind.rawValue) needs tau > 0 and at least 4 samples")
            }
        }
        if case .until(let time, let samples) = request.evolution, time < 0 || samples < 1 {
            throw BackendError.unsupported("evolve: until needs a time ≥ 0 and at least one sample")
        }
        if !request.initial.isU1Invariant {
            if case .steadyState = request.evolution {
            } else if n > FullStateFallback.maximumDipoles {
                throw BackendError.unsupported(
                    "a coherent initial state is evolved in the full 4^N representation, limited to N ≤ \(FullStateFallback.maximumDipoles)")
            }
        }
    }

    // MARK: - Density matrix

    func solveDensity(_ request: SolveRequest, basis: SectorBasis, guess: BlockDensityMatrix?) throws
        -> (PointResult, BlockDensityMatrix?)
    {
        let l = BlockLiouvillian(model: request.model, basis: basis)
        l.threads = max(1, request.threads)
        var result = PointResult()
        switch request.evolution {
        case .steadyState:
            var g = guess
            if let gg = g, gg.layout != BlockLayout(n: basis.n, shift: 0) { g = nil }
            var solver = LiouvillianSteadyStateSolver(tolerance: request.tolerance)
            solver.restart = ExactBackend.krylovDimension(n: basis.n, budget: request.memoryBudget)
            let out = try solver.solve(l, guess: g)
            result.method =
                "exact density matrix (U(1) blocks, C(2N,N) = \(out.rho.layout.count) entries), steady state by GMRES(\(solver.restart)) preconditioned with the sector-diagonal Sylvester inverse"
            result.diagnostics.append(("residual", .number(out.residual)))
            result.diagnostics.append(("iterations", .number(Double(out.iterations))))
            try addDensityObservables(request, l: l, rho: out.rho, into: &result)
            return (result, out.rho)
        case .until(let time, let samples):
            let times = (0...samples).map { time * Double($0) / Double(samples) }
            let dp = DormandPrince(
                relativeTolerance: max(request.tolerance, 1e-12),
                absoluteTolerance: max(request.tolerance, 1e-12) * 1e-2)
            var rows: [[Double]] = []
            let wantQFI = request.request(.qfi) != nil
            if request.initial.isU1Invariant {
                let start = request.initial == .excited ? basis.n : 0
                let rho0 = BlockDensityMatrix.allInSector(start, basis: basis)
                let layout = rho0.layout
                var y0 = [Double](repeating: 0, count: 2 * layout.count)
                for i in rho0.entries.indices { y0[2 * i] = rho0.entries[i].real; y0[2 * i + 1] = rho0.entries[i].imaginary }
                var final: BlockDensityMatrix = rho0
                var sampleError: Error?
                do {
                    try dp.integrate(
                        from: 0, y0, to: times,
                        rhs: { _, y, dy in
                            y.withUnsafeBufferPointer { py in
                                dy.withUnsafeMutableBufferPointer { pd in
                                    l.apply(
                                        UnsafeRawPointer(py.baseAddress!).assumingMemoryBound(to: Complex<Double>.self),
                                        into: UnsafeMutableRawPointer(pd.baseAddress!).assumingMemoryBound(to: Complex<Double>.self),
                                        layout: layout)
                                }
                            }
                        },
                        observe: { t, y in
                            let rho = BlockDensityMatrix(layout: layout, entries: (0..<layout.count).map { Complex(y[2 * $0], y[2 * $0 + 1]) })
                            let mom = SecondMoments(rho, basis: basis)
                            var row = [t, OrderParameters.zq2(mom.c), mom.inversion]
                            if wantQFI {
                                do { row.append(try BlockFisher.averageQFI(rho, basis: basis)) } catch { sampleError = error }
                            }
                            rows.append(row)
                            final = rho
                        })
                } catch { throw BackendError.noConvergence("time evolution: \(error)") }
                if let e = sampleError { throw BackendError.numerical("QFI along the evolution: \(e)") }
                result.method = "exact density matrix (U(1) blocks), Dormand–Prince time evolution to t = \(time)"
                result.tables.append(
                    ResultTable(
                        name: "timeseries", columns: ["t", "ZQ2", "inversion"] + (wantQFI ? ["qfi"] : []),
                        rows: rows))
                try addDensityObservables(request, l: l, rho: final, into: &result)
                return (result, final)
            }
            // Coherent product state: all charge families.
            guard case .product(let polar, let azimuth) = request.initial else {
                throw BackendError.unsupported("initial state")
            }
            var rng = SeededRandom(seed: request.seed, stream: [UInt64(request.pointIndex), 0xA21])
            let phis = (0..<basis.n).map { _ in azimuth ?? 2 * Double.pi * rng.uniform() }
            let y0 = FullStateFallback.productState(basis: basis, polar: polar, azimuths: phis)
            var finalRho = ComplexMatrix(rows: 1, cols: 1)
            var sampleError: Error?
            do {
                try dp.integrate(
                    from: 0, y0, to: times, rhs: { _, y, dy in FullStateFallback.applyAll(l, y, &dy) },
                    observe: { t, y in
                        let rho = FullStateFallback.dense(y, basis: basis)
                        let mom = FullStateFallback.moments(rho, n: basis.n)
                        var row = [t, OrderParameters.zq2(mom.c), mom.inversion]
                        if wantQFI {
                            do { row.append(try FullStateFallback.averageQFI(rho, n: basis.n)) } catch { sampleError = error }
                        }
                        rows.append(row)
                        finalRho = rho
                    })
            } catch { throw BackendError.noConvergence("time evolution: \(error)") }
            if let e = sampleError { throw BackendError.numerical("QFI along the evolution: \(e)") }
            result.method = "exact density matrix, all 2N+1 charge families (4^N entries), Dormand–Prince time evolution to t = \(time)"
            result.tables.append(
                ResultTable(
                    name: "timeseries", columns: ["t", "ZQ2", "inversion"] + (wantQFI ? ["qfi"] : []),
                    rows: rows))
            try addFullObservables(request, rho: finalRho, into: &result)
            return (result, nil)
        }
    }

    func addMomentObservables(
        _ request: SolveRequest, moments mom: SecondMoments, pairState: (Int, Int) -> ComplexMatrix,
        into result: inout PointResult
    ) throws {
        let n = mom.n
        for o in request.observables {
            switch o.kind {
            case .zq:
                ObservableWriter.zq(fromSquare: OrderParameters.zq2(mom.c), into: &result)
            case .inversion:
                ObservableWriter.inversion(mom.inversion, into: &result)
            case .clusterZQ:
                ObservableWriter.clusterZQ(
                    sizes: o.clusterSizes, lattice: request.lattice, correlation: { mom.c[$0, $1] },
                    into: &result)
            case .correlations:
                ObservableWriter.correlations(count: n, correlation: { mom.c[$0, $1] }, into: &result)
            case .mutualInformation, .discord:
                var values: [(pair: DipolePair, value: Double)] = []
                for p in o.pairs {
                    let rho = pairState(p.a, p.b)
                    do {
                        values.append((p, o.kind == .discord ? try PairCorrelations.discord(rho) : try PairCorrelations.mutualInformation(rho)))
                    } catch { throw BackendError.numerical("\(o.kind.rawValue) of pair (\(p.a), \(p.b)): \(error)") }
                }
                ObservableWriter.pairValues(o.kind, values, into: &result)
            default: break
            }
        }
    }

    func addDensityObservables(
        _ request: SolveRequest, l: BlockLiouvillian, rho: BlockDensityMatrix,
        into result: inout PointResult
    ) throws {
        let basis = l.basis
        let mom = SecondMoments(rho, basis: basis)
        try addMomentObservables(request, moments: mom, pairState: { mom.pairState($0, $1) }, into: &result)
        let n = basis.n
        for o in request.observables {
            switch o.kind {
            case .qfi:
                let q: Double
                do { q = try BlockFisher.averageQFI(rho, basis: basis) } catch {
                    throw BackendError.numerical("QFI: \(error)")
                }
                ObservableWriter.qfi(q, dipoles: n, into: &result)
            case .twoTime:
                let tau = (0..<o.tauPoints).map { o.tauMax * Double($0) / Double(o.tauPoints - 1) }
                let fits = try o.pairs.map { p in
                    let g = try QuantumRegression.correlation(l, rho: rho, dipoles: [p.a, p.b], tau: tau, tolerance: request.tolerance)
                    let omega = QuantumRegression.meanFrequency(g, spacing: tau[1] - tau[0])
                    return ObservableWriter.TwoTimePair(pair: p, tau: tau, z: g, frame: omega)
                }
                ObservableWriter.twoTime(fits, into: &result)
            case .spectrum, .frequency:
                if o.kind == .frequency && request.request(.spectrum) != nil { continue }
                let spec = request.request(.spectrum) ?? o
                let tau = (0..<spec.tauPoints).map { spec.tauMax * Double($0) / Double(spec.tauPoints - 1) }
                let g = try QuantumRegression.correlation(l, rho: rho, dipoles: Array(0..<n), tau: tau, tolerance: request.tolerance)
                let dt = tau[1] - tau[0]
                let omega = QuantumRegression.meanFrequency(g, spacing: dt)
                let y = zip(tau, g).map { t, z in (z * Complex(cos(omega * t), -sin(omega * t))).real }
                let fit = CosineFit.fit(tau: tau, y: y)
                // S(ω) = 2 Re ∫₀^τmax G(τ) e^{−iωτ} dτ (trapezoid) on ω̄ ± 10 linewidths.
                let width = max(2 * fit.decay, 1e-3)
                var rows: [[Double]] = []
                for i in 0..<401 {
                    let w = omega + width * 10 * (Double(i) / 200 - 1)
                    var s = Complex<Double>.zero
                    for (k, t) in tau.enumerated() {
                        let wt = (k == 0 || k == tau.count - 1) ? 0.5 * dt : dt
                        s = s + Complex(wt) * g[k] * Complex(cos(w * t), -sin(w * t))
                    }
                    rows.append([w, 2 * s.real])
                }
                if request.request(.spectrum) != nil {
                    // `+ 0` turns a −0 peak into 0.
                    ObservableWriter.spectrum(
                        linewidth: 2 * fit.decay, peakFrequency: omega + 0, estimator: .fittedDecay,
                        table: rows, into: &result)
                }
                if request.request(.frequency) != nil { ObservableWriter.frequency(omega, into: &result) }
            default: break
            }
        }
    }

    func addFullObservables(_ request: SolveRequest, rho: ComplexMatrix, into result: inout PointResult) throws {
        let n = request.model.count
        let mom = FullStateFallback.moments(rho, n: n)
        try addMomentObservables(
            request, moments: mom, pairState: { FullStateFallback.pairState(rho, n: n, a: $0, b: $1) },
            into: &result)
        for o in request.observables {
            switch o.kind {
            case .qfi:
                let q: Double
                do { q = try FullStateFallback.averageQFI(rho, n: n) } catch { throw BackendError.numerical("QFI: \(error)") }
                ObservableWriter.qfi(q, dipoles: n, into: &result)
            case .twoTime, .spectrum, .frequency:
                throw BackendError.unsupported("\(o.kind.rawValue) is a steady-state observable; use evolve: steady-state")
            default: break
            }
        }
    }

    // MARK: - Trajectories

    /// The sample times of one ensemble's trajectories and where their time average starts.
    func sampleTimes(_ request: SolveRequest, _ kind: TrajectoryEnsembleKind) -> (times: [Double], averageFrom: Double) {
        switch request.evolution {
        case .steadyState:
            let s = request.settings.trajectories
            let burnIn = kind == .diffusion ? s.diffusionBurnIn ?? s.burnIn : s.burnIn
            let averaging = kind == .diffusion ? s.diffusionAverage ?? s.average : s.average
            let interval = kind == .diffusion ? s.diffusionSampleInterval : s.sampleInterval
            let count = max(1, Int((averaging / interval).rounded()))
            return ((0...count).map { burnIn + averaging * Double($0) / Double(count) }, burnIn)
        case .until(let time, let samples):
            return ((0...samples).map { time * Double($0) / Double(samples) }, time)
        }
    }

    /// Trajectories of the jump ensemble (`kind` nil) or of the ensemble an observable asks for.
    func trajectoryCount(_ request: SolveRequest, _ kind: ObservableKind? = nil) -> Int {
        if let k = kind, let o = request.request(k) { return max(2, o.trajectories) }
        return ExactBackend.trajectories(request.settings.trajectories, request.observables)
    }

    /// Mean and standard error of the mean.
    static func meanAndError(_ xs: [Double]) -> (Double, Double) {
        let m = xs.reduce(0, +) / Double(xs.count)
        guard xs.count > 1 else { return (m, .nan) }
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        return (m, (v / Double(xs.count)).squareRoot())
    }

    func addTrajectoryObservables(
        _ request: SolveRequest, records: [TrajectoryRecord], times: [Double],
        into result: inout PointResult
    ) throws {
        let n = request.model.count
        let count = Double(records.count)
        var c = ComplexMatrix(rows: n, cols: n)
        var d = Matrix(rows: n, cols: n)
        for r in records {
            for a in 0..<n {
                for b in 0..<n {
                    c[a, b] = c[a, b] + Complex(r.c[a * n + b].real / count, r.c[a * n + b].imaginary / count)
                    if !r.d.isEmpty { d[a, b] += r.d[a * n + b] / count }
                }
            }
        }
        let mom = SecondMoments(c: c, d: d)
        try addMomentObservables(request, moments: mom, pairState: { mom.pairState($0, $1) }, into: &result)
        // Standard errors of the scalar observables from the per-trajectory values.
        let perTrajectory = records.map { r -> (Double, Double) in
            let cm = ComplexMatrix(rows: n, cols: n, elements: (0..<(n * n)).map { r.c[($0 % n) * n + $0 / n] })
            let m = SecondMoments(c: cm, d: Matrix(rows: n, cols: n))
            return (OrderParameters.zq2(cm), m.inversion)
        }
        if request.request(.zq) != nil {
            ObservableWriter.zqStandardErrors(zq2Error: ExactBackend.meanAndError(perTrajectory.map(\.0)).1, into: &result)
        }
        if request.request(.inversion) != nil {
            ObservableWriter.standardError(
                of: ObservableWriter.Key.inversion,
                ExactBackend.meanAndError(perTrajectory.map(\.1)).1, into: &result)
        }
        if case .until = request.evolution {
            let cols = 2
            var rows: [[Double]] = []
            for (i, t) in times.enumerated() {
                var row = [t]
                for k in 0..<cols {
                    let (m, e) = ExactBackend.meanAndError(records.map { $0.series[i][k] })
                    row.append(m); row.append(e)
                }
                rows.append(row)
            }
            result.tables.append(
                ResultTable(
                    name: "timeseries",
                    columns: ["t", "ZQ2", "ZQ2-stderr", "inversion", "inversion-stderr"], rows: rows))
        }
    }

    /// Conditional QFI from quantum-state-diffusion trajectories (time-averaged after the burn-in for a
    /// steady state; at the final time for `evolve: until`), with its standard error over trajectories.
    func addConditionalQFI(_ request: SolveRequest, records: [TrajectoryRecord], dt: Double, into result: inout PointResult) {
        let n = request.model.count
        let count = records.count
        let times = sampleTimes(request, .diffusion).times
        let values: [Double]
        switch request.evolution {
        case .steadyState: values = records.map(\.qfi)
        case .until: values = records.map { $0.series.last?[2] ?? 0 }
        }
        let (m, e) = ExactBackend.meanAndError(values)
        ObservableWriter.qfiConditional(mean: m, standardError: e, dipoles: n, into: &result)
        result.diagnostics.append(("qfi-conditional-trajectories", .number(Double(count))))
        result.diagnostics.append(("qfi-conditional-step", .number(dt)))
        if case .until = request.evolution {
            // F̄_Q(t): trajectory mean, its standard error, and the first trajectory's own curve (papers' Fig. 2c).
            var columns: [[Double]] = []
            for i in times.indices {
                let (qm, qe) = ExactBackend.meanAndError(records.map { $0.series[i][2] })
                columns.append([qm, qe, records[0].series[i][2]])
            }
            ExactBackend.mergeTimeseries(
                times: times, names: ["qfi-conditional", "qfi-conditional-stderr", "qfi-conditional-trajectory-0"],
                values: columns, into: &result)
        }
    }

    /// Adds columns to the `timeseries` table: appended to an existing table with the same sample times,
    /// or a new table (t plus the columns) when there is none.
    static func mergeTimeseries(times: [Double], names: [String], values: [[Double]], into result: inout PointResult) {
        if let i = result.tables.firstIndex(where: { $0.name == "timeseries" }),
            result.tables[i].rows.count == times.count,
            zip(result.tables[i].rows, times).allSatisfy({ abs(($0.first ?? .nan) - $1) <= 1e-9 * max(1, abs($1)) })
        {
            var table = result.tables[i]
            table.columns += names
            for r in table.rows.indices { table.rows[r] += values[r] }
            result.tables[i] = table
            return
        }
        result.tables.append(
            ResultTable(
                name: "timeseries", columns: ["t"] + names,
                rows: times.indices.map { [times[$0]] + values[$0] }))
    }
}

extension SecondMoments {
    init(c: ComplexMatrix, d: Matrix) {
        self.c = c
        self.d = d
    }
}
