import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

/// The second-order cumulant backend (docs/physics.md §5): s_a, C_ab, D_ab for any geometry, detunings and
/// couplings, O(N²) memory and O(N³) work per evaluation through BLAS, or O(N² log N) through FFTs when
/// the couplings are held as a translation-invariant lattice (docs/physics.md §5.3).
///
/// Observables: `ZQ` (ZQ, ZQ2), `inversion`, `cluster-ZQ`, `correlations` (table), `mutual-information`
/// and `discord` (from the two-dipole X states), `two-time` (regression; per pair the fits of
/// ObservableWriter.twoTime and ν from the dipoles' own emission peaks), `spectrum` (collective emission spectrum; table `spectrum`)
/// and `frequency` (the spectrum's peak). `Z`, `phases`, `qfi`, `qfi-conditional` need the state
/// itself and are not available. Only U(1)-invariant initial states (ground, excited) are accepted.
public struct CumulantBackend: Backend {
    public static let name = "cumulant"

    public init() {}

    /// Why it lacks the observables its description (CumulantDescription.swift) does not list.
    static let unsupportedKinds: [ObservableKind: String] = [
        .z: "the mean-field order parameter Z vanishes identically in the U(1)-symmetric cumulant closure (⟨σ⁻⟩ = 0); use mean-field",
        .phases: "Bloch-vector phases vanish in the U(1)-symmetric closure; use mean-field",
        .qfi: "the quantum Fisher information needs the full density matrix; use exact or permutation-symmetric",
        .qfiConditional: "conditional QFI needs state-diffusion trajectories of the full state; use exact"
    ]

    /// Bytes the steady-state solver needs for N dipoles with GMRES(restart), plus the regression if
    /// asked. `lattice`: the extents when the couplings are held as a lattice (docs/physics.md §5.3; no
    /// N×N coupling matrix), nil for dense matrices; `reflected`: the reflected packed layout
    /// (`PackedLayout`). The preconditioner's share is its form's (`LyapunovPreconditioner.Form`).
    public static func memoryEstimate(
        n: Int, elastic: Bool, equalDetunings: Bool, restart: Int, regression: Bool, lattice: [Int]? = nil, reflected: Bool = false,
        threads: Int = 1
    ) -> Int {
        let packed = 8 * PackedLayout.count(n: n, reflected: reflected)
        var bytes = CumulantSystem.fixedBytes(
            n: n, elastic: elastic, representation: lattice == nil ? .dense : .lattice, reflected: reflected)
        if let lattice { bytes += CumulantSystem.latticeBytes(extents: lattice, elastic: elastic, threads: threads) }
        bytes += CumulantSteadyStateSolver.packedVectors(restart: restart) * packed
        bytes += LyapunovPreconditioner.Form(n: n, elastic: elastic, equalDetunings: equalDetunings, lattice: lattice != nil).bytes(n: n)
        if regression { bytes += 16 * n * n * 5 }
        return bytes + (1 << 20)
    }

    /// The largest GMRES restart (at most 20, at least 2) whose `memoryEstimate` fits `budget`, or nil
    /// when not even the smallest does. The planner's estimate and `solve` use the same choice.
    public static func restart(
        budget: Int, n: Int, elastic: Bool, equalDetunings: Bool, regression: Bool, lattice: [Int]?, reflected: Bool = false, threads: Int
    ) -> Int? {
        (2...20).reversed().first {
            memoryEstimate(
                n: n, elastic: elastic, equalDetunings: equalDetunings, restart: $0, regression: regression, lattice: lattice,
                reflected: reflected, threads: threads) <= budget
        }
    }

    public func solve(_ request: SolveRequest) throws -> PointResult {
        if let why = unsupportedDecoherence(request.model.decoherence) { throw BackendError.unsupported(why) }
        let model = request.model
        let n = model.count
        guard n >= 1 else { throw BackendError.unsupported("the cumulant backend needs at least one dipole") }
        let lattice = model.hasMatrices ? nil : model.lattice
        guard model.hasMatrices || lattice != nil else {
            throw BackendError.unsupported(
                "the cumulant backend needs the couplings as dense matrices or a lattice, not in the \(model.representation.rawValue) representation")
        }
        for o in request.observables {
            if !observables.contains(o.kind) {
                throw BackendError.unsupported(
                    "observable \(o.kind.rawValue) is not available from the cumulant backend: \(Self.unsupportedKinds[o.kind] ?? "")")
            }
            for pair in o.pairs where [.twoTime, .mutualInformation, .discord].contains(o.kind) {
                guard pair.a >= 0, pair.b >= 0, pair.a < n, pair.b < n, pair.a != pair.b else {
                    throw BackendError.unsupported(
                        "observable \(o.kind.rawValue): pair (\(pair.a), \(pair.b)) is not a pair of distinct dipoles in 0..<\(n)")
                }
            }
            if o.kind == .twoTime || o.kind == .spectrum {
                guard o.tauMax > 0, o.tauMax.isFinite, o.tauPoints >= 2 else {
                    throw BackendError.unsupported("observable \(o.kind.rawValue) needs tau-max > 0 and at least two tau points")
                }
            }
        }
        guard request.initial.isU1Invariant else {
            throw BackendError.unsupported(
                "the cumulant backend (U(1)-symmetric closure, ⟨σ±⟩ = 0): \(Self.initialStateRefusal); initial state \(request.initial) has coherences"
            )
        }
        let finiteCouplings =
            if let lattice {
                lattice.fKernel.allSatisfy(\.isFinite) && (lattice.gKernel ?? []).allSatisfy(\.isFinite)
                    && lattice.fSpectrum.allSatisfy(\.isFinite) && (lattice.gSpectrum ?? []).allSatisfy(\.isFinite)
            } else {
                model.f.elements.allSatisfy(\.isFinite) && model.g.elements.allSatisfy(\.isFinite)
            }
        guard finiteCouplings, model.detunings.allSatisfy(\.isFinite), model.pump.isFinite, model.pump >= 0 else {
            throw BackendError.unsupported("the model has non-finite couplings, detunings or a negative pump")
        }
        guard model.dephasing.isFinite, model.dephasing >= 0, model.nonradiativeDecay.isFinite, model.nonradiativeDecay >= 0 else {
            throw BackendError.unsupported("dephasing and non-radiative decay rates must be finite and ≥ 0")
        }
        let elastic = lattice.map { $0.gKernel != nil } ?? model.g.elements.contains { $0 != 0 }
        let equalDetunings = model.detunings.allSatisfy { $0 == model.detunings.first }
        let regression = request.observables.contains { [.twoTime, .spectrum, .frequency].contains($0.kind) }
        let threads = max(1, request.threads)
        // The planner's `stateSymmetry` (held by rerun from plan.json), only where this version's rule
        // allows it (a plan.json edited by hand may ask for it elsewhere: the full layout then). Every
        // start and initial state here is a uniform product state, reflection-symmetric.
        let reflected =
            request.settings.symmetry == .reflection
            && Self.stateSymmetry(n: n, elastic: elastic, equalDetunings: equalDetunings, lattice: lattice != nil) == .reflection
        guard
            let restart = Self.restart(
                budget: request.memoryBudget, n: n, elastic: elastic, equalDetunings: equalDetunings, regression: regression,
                lattice: lattice?.extents, reflected: reflected, threads: threads)
        else {
            let needed = Self.memoryEstimate(
                n: n, elastic: elastic, equalDetunings: equalDetunings, restart: 2, regression: regression, lattice: lattice?.extents,
                reflected: reflected, threads: threads)
            throw BackendError.memory(needed: needed, budget: request.memoryBudget)
        }

        // OpenBLAS stays on one thread; `BlockedProducts` parallelizes with a fixed partition (bit-reproducible).
        BLASLibrary.useOneThread()
        // Lindblad form needs f ⪰ 0 (docs/physics.md §2.5), checked on f + γ_nr·1 (§1.5): LAPACK on the
        // dense matrix, the circulant bound or Lanczos for the lattice (§2.6).
        let fMin: Double
        let fScale: Double
        if let lattice {
            fMin = try lattice.smallestRateEigenvalue(tolerance: PlannerThresholds.rateMatrixTolerance) + model.nonradiativeDecay
            fScale = lattice.fKernel.reduce(0) { max($0, abs($1)) }
        } else {
            var rates = model.f
            if model.nonradiativeDecay != 0 { for a in 0..<n { rates[a, a] += model.nonradiativeDecay } }
            fMin = try singleThreaded { try Couplings.smallestRateEigenvalue(rates) }
            fScale = model.f.elements.reduce(0) { max($0, abs($1)) }
        }
        if fMin < -PlannerThresholds.rateMatrixTolerance * max(fScale, 1) * Double(n) {
            throw BackendError.unsupported(
                "the rate matrix f is not positive semidefinite (smallest eigenvalue \(fMin) Γ), so the master equation is not of Lindblad form")
        }

        let system = CumulantSystem(model: model, reflection: reflected)
        system.threads = threads
        let couplingsNote =
            (lattice.map {
                "; couplings: lattice (translation-invariant, K*C by FFTs on a circulant embedding of \($0.fSpectrum.count) sites)"
            } ?? "") + (system.layout.reflected ? "; state stored once per orbit of the lattice's point reflection" : "")
        var result = PointResult()
        var state: [Double]
        switch request.evolution {
        case .steadyState:
            var solver = CumulantSteadyStateSolver(tolerance: request.tolerance, restart: restart)
            solver.progress = request.progress
            solver.revision = try Self.steadyStateRevision(request.settings.solverRevision)
            let (x, report) = try solver.solve(system)
            state = x
            result.method =
                String(
                    format:
                        "cumulant expansion to second order (U(1)-symmetric closure), steady state by pseudo-transient continuation with preconditioned GMRES(%d)",
                    restart) + (solver.revision == .eisenstatWalker ? " and Eisenstat–Walker forcing" : "")
                + String(format: "; residual %.2e", report.residual) + couplingsNote
            result.diagnostics += [
                ("residual", .number(report.residual)),
                ("relative-residual", .number(report.relativeResidual)),
                ("pseudo-transient-steps", .number(Double(report.outerIterations))),
                ("krylov-iterations", .number(Double(report.krylovIterations))),
                ("preconditioner", .string(report.preconditioner)),
                ("steady-state-start", .string(report.start)),
                (report.regressionRateIsBound ? "regression-max-rate-bound" : "regression-max-rate", .number(report.regressionMaxRate))
            ]
            if report.integratorSteps > 0 {
                result.diagnostics.append(("relaxation-steps", .number(Double(report.integratorSteps))))
            }
            if !report.rejected.isEmpty {
                result.diagnostics.append(("rejected-starts", .array(report.rejected.map { .string($0) })))
            }
        case .until(let time, let samples):
            guard time >= 0, time.isFinite, samples >= 1 else {
                throw BackendError.unsupported("evolve until needs a finite time ≥ 0 and at least one sample")
            }
            let s0: Double
            switch request.initial {
            case .ground: s0 = -1
            case .excited: s0 = 1
            case .product(let polar, _): s0 = cos(polar) >= 0 ? 1 : -1
            }
            let x0 = system.productState([Double](repeating: s0, count: n))
            let outputs = samples == 1 ? [time] : (0..<samples).map { time * Double($0) / Double(samples - 1) }
            let tol = max(request.tolerance, 1e-12)
            let integrator = DormandPrince(relativeTolerance: tol, absoluteTolerance: tol)
            var rows: [[Double]] = []
            var columns = ["t"]
            let wantZQ = request.request(.zq) != nil, wantInv = request.request(.inversion) != nil
            let miPair = request.request(.mutualInformation)?.pairs.first
            let dPair = request.request(.discord)?.pairs.first
            if wantZQ { columns += ["ZQ", "ZQ2"] }
            if wantInv { columns.append("inversion") }
            if miPair != nil { columns.append("mutual-information") }
            if dPair != nil { columns.append("discord") }
            var observeError: Error?
            let run: (t: Double, y: [Double], steps: Int)
            do {
                run = try integrator.integrate(
                    from: 0, x0, to: outputs, rhs: { _, y, dy in system.rhs(y, into: &dy) },
                    observe: { t, y in
                        var row = [t]
                        if wantZQ { let z2 = system.meanReC(y); row += [OrderParameters.zq(fromSquare: z2), z2] }
                        if wantInv { row.append(system.inversions(y).reduce(0, +) / Double(2 * n)) }
                        do {
                            if let p = miPair { row.append(try PairCorrelations.mutualInformation(Self.xState(system, y, p))) }
                            if let p = dPair { row.append(try PairCorrelations.discord(Self.xState(system, y, p))) }
                        } catch { observeError = error }
                        rows.append(row)
                    })
            } catch {
                throw BackendError.numerical("cumulant time evolution: \(error)")
            }
            if let e = observeError { throw BackendError.numerical("pair correlations: \(e)") }
            state = run.y
            result.tables.append(ResultTable(name: "timeseries", columns: columns, rows: rows))
            result.method =
                String(
                    format: "cumulant expansion to second order (U(1)-symmetric closure), Dormand–Prince 5(4) to t = %g, rtol %.1e", time, tol)
                + couplingsNote
            result.diagnostics.append(("integrator-steps", .number(Double(run.steps))))
        }
        guard state.allSatisfy(\.isFinite) else { throw BackendError.numerical("the cumulant solution is not finite") }
        try observables(request, system: system, state: state, into: &result)
        return result
    }

    static func xState(_ system: CumulantSystem, _ y: [Double], _ p: DipolePair) -> ComplexMatrix {
        PairCorrelations.xState(sa: system.s(y, p.a), sb: system.s(y, p.b), dab: system.d(y, p.a, p.b), cab: system.c(y, p.a, p.b))
    }

    private func observables(
        _ request: SolveRequest, system: CumulantSystem, state: [Double],
        into result: inout PointResult
    ) throws {
        let n = system.n
        let corr: (Int, Int) -> Complex<Double> = { system.c(state, $0, $1) }
        var regression: Regression?
        func getRegression() throws -> Regression {
            if let r = regression { return r }
            let r = try Regression(system: system, state: state)
            regression = r
            return r
        }
        for o in request.observables {
            switch o.kind {
            case .zq:
                ObservableWriter.zq(fromSquare: OrderParameters.zq2(count: n, correlation: corr), into: &result)
            case .inversion:
                ObservableWriter.inversion(system.inversions(state).reduce(0, +) / Double(2 * n), into: &result)
            case .clusterZQ:
                let lattice = request.lattice.count == n ? request.lattice : .allToAll(n)
                ObservableWriter.clusterZQ(sizes: o.clusterSizes, lattice: lattice, correlation: corr, into: &result)
            case .correlations:
                ObservableWriter.correlations(count: n, correlation: corr, into: &result)
            case .mutualInformation, .discord:
                let values = try o.pairs.map { p -> (pair: DipolePair, value: Double) in
                    let rho = Self.xState(system, state, p)
                    return (p, o.kind == .discord ? try PairCorrelations.discord(rho) : try PairCorrelations.mutualInformation(rho))
                }
                ObservableWriter.pairValues(o.kind, values, into: &result)
            case .twoTime:
                let reg = try getRegression()
                let frame = reg.spectralLine(reg.collectiveWeights()).peak
                let taus = (0..<o.tauPoints).map { o.tauMax * Double($0) / Double(o.tauPoints - 1) }
                var lines: [Int: (frequency: Double, decay: Double)] = [:]
                func line(_ a: Int) -> (frequency: Double, decay: Double) {
                    if let l = lines[a] { return l }
                    let l = reg.dipoleLine(a)
                    lines[a] = l
                    return l
                }
                let pairs = o.pairs.map { p -> ObservableWriter.TwoTimePair in
                    let w = reg.pairWeights(p.a, p.b)
                    let z = taus.map { reg.evaluate(w, at: $0) }
                    // Fit in the frame rotating at the collective frequency (docs/physics.md §3.3).
                    return ObservableWriter.TwoTimePair(
                        pair: p, tau: taus, z: z, frame: frame,
                        precession: .init(
                            nu: line(p.b).frequency - line(p.a).frequency, lineDecay: max(line(p.a).decay, line(p.b).decay),
                            detuningDifference: system.detunings[p.b] - system.detunings[p.a]))
                }
                let dipoles = lines.keys.sorted().map { a in
                    (index: a, detuning: system.detunings[a], frequency: lines[a]?.frequency ?? .nan, decay: lines[a]?.decay ?? .nan)
                }
                ObservableWriter.twoTime(pairs, dipoles: dipoles, into: &result)
                result.diagnostics.append(("two-time-frame-frequency", .number(frame)))
            case .spectrum, .frequency:
                let reg = try getRegression()
                let c = reg.collectiveWeights()
                let line = reg.spectralLine(c)
                if o.kind == .frequency {
                    ObservableWriter.frequency(line.peak, into: &result)
                    continue
                }
                let points = max(o.tauPoints, 201)
                let lo = line.peak - 10 * line.fwhm, hi = line.peak + 10 * line.fwhm
                let rows = (0..<points).map { i -> [Double] in
                    let w = lo + (hi - lo) * Double(i) / Double(points - 1)
                    return [w, reg.spectrum(c, at: w)]
                }
                ObservableWriter.spectrum(
                    linewidth: line.fwhm, peakFrequency: line.peak, estimator: .lorentzianSumHalfMaximum,
                    table: rows, into: &result)
            case .z, .phases, .qfi, .qfiConditional:
                break   // rejected above
            }
        }
    }
}
