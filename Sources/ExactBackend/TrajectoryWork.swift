import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results

extension TrajectoryContribution {
    init(index: Int, _ r: TrajectoryRecord) {
        var cc = [Double](repeating: 0, count: 2 * r.c.count)
        for i in r.c.indices { cc[2 * i] = r.c[i].real; cc[2 * i + 1] = r.c[i].imaginary }
        self.init(index: index, c: cc, d: r.d, series: r.series, qfi: r.qfi, jumps: r.jumps)
    }

    var record: TrajectoryRecord {
        TrajectoryRecord(
            c: (0..<(c.count / 2)).map { Complex(c[2 * $0], c[2 * $0 + 1]) }, d: d, series: series,
            qfi: qfi, jumps: jumps)
    }
}

extension ExactBackend {
    /// Checks the request and decides how its point splits (the same decision `solve` makes).
    /// Throws what `solve` throws for an invalid request or one over the memory budget.
    public func work(for request: SolveRequest) throws -> PointWork {
        let n = request.model.count
        try validate(request)
        let kinds = Set(request.observables.map(\.kind))
        var useDensity: Bool
        let method = request.settings.method
        switch method {
        case .densityMatrix: useDensity = true
        case .jumpTrajectories: useDensity = false
        default:
            useDensity =
                ExactBackend.memoryEstimate(
                    n: n, observables: request.observables, evolution: request.evolution,
                    threads: request.threads) <= request.memoryBudget
        }
        let needsDensity = !kinds.isDisjoint(with: ExactBackend.densityMatrixObservables)
        if !useDensity && needsDensity {
            if method == .jumpTrajectories {
                throw BackendError.unsupported("qfi, two-time, spectrum and frequency need the density matrix, not jump trajectories")
            }
            useDensity = true
        }
        var ensembles: [TrajectoryEnsemble] = []
        if kinds == [.qfiConditional] {
            // Only the diffusion trajectories are needed: no density matrix, no jump ensemble.
            useDensity = false
        } else if useDensity {
            let need = ExactBackend.memoryEstimate(
                n: n, observables: request.observables, evolution: request.evolution,
                threads: request.threads)
            if need > request.memoryBudget { throw BackendError.memory(needed: need, budget: request.memoryBudget) }
        } else {
            let need = ExactBackend.trajectoryMemoryEstimate(n: n, threads: request.threads)
            if need > request.memoryBudget { throw BackendError.memory(needed: need, budget: request.memoryBudget) }
            guard request.initial.isU1Invariant else {
                throw BackendError.unsupported("jump trajectories start in a definite excitation number (ground or excited)")
            }
            ensembles.append(TrajectoryEnsemble(kind: .jumps, count: trajectoryCount(request)))
        }
        if kinds.contains(.qfiConditional) {
            let need = DiffusionTrajectories.bytes(n: n) * max(1, request.threads) + SectorBasis.tableBytes(n: n)
            if need > request.memoryBudget { throw BackendError.memory(needed: need, budget: request.memoryBudget) }
            guard request.initial.isU1Invariant else {
                throw BackendError.unsupported("qfi-conditional starts from the ground or the excited state")
            }
            ensembles.append(TrajectoryEnsemble(kind: .diffusion, count: trajectoryCount(request, .qfiConditional)))
        }
        return PointWork(density: useDensity, ensembles: ensembles)
    }

    /// The deterministic, non-trajectory part of a point: the density-matrix result (with its steady or
    /// final state) when `work.density`, else an empty result.
    public func solveBase(_ request: SolveRequest, work: PointWork) throws -> PointResult {
        try solveBase(request, work: work, initialGuess: nil).result
    }

    /// `solveBase` starting from a previous point's state, returning the steady (or final) state too.
    public func solveBase(_ request: SolveRequest, work: PointWork, initialGuess: BlockDensityMatrix?) throws
        -> (result: PointResult, state: BlockDensityMatrix?)
    {
        guard work.density else { return (PointResult(), nil) }
        return try solveDensity(request, basis: SectorBasis(n: request.model.count), guess: initialGuess)
    }

    /// Trajectories `range` of one ensemble, in index order, each from its own random stream
    /// (so any grouping of trajectories gives the same contributions). Uses `request.threads` workers.
    public func trajectories(_ request: SolveRequest, kind: TrajectoryEnsembleKind, range: Range<Int>) throws
        -> [TrajectoryContribution]
    {
        let basis = SectorBasis(n: request.model.count)
        return try trajectories(request, basis: basis, kind: kind, range: range)
    }

    func trajectories(_ request: SolveRequest, basis: SectorBasis, kind: TrajectoryEnsembleKind, range: Range<Int>) throws
        -> [TrajectoryContribution]
    {
        guard range.lowerBound >= 0 else { throw BackendError.unsupported("negative trajectory index") }
        guard request.initial.isU1Invariant else {
            throw BackendError.unsupported("trajectories start from the ground or the excited state")
        }
        let n = basis.n
        let engine = try TrajectoryEngine(model: request.model, basis: basis)
        let (times, from) = sampleTimes(request, kind)
        let start = request.initial == .excited ? n : 0
        let first = range.lowerBound
        switch kind {
        case .jumps:
            let jumps = JumpTrajectories(engine: engine, tolerance: max(request.tolerance, 1e-7))
            let wantD = request.request(.mutualInformation) != nil || request.request(.discord) != nil
            return try parallelMap(count: range.count, threads: request.threads) { i -> TrajectoryContribution in
                let j = first + i
                var rng = SeededRandom(seed: request.seed, stream: [UInt64(request.pointIndex), UInt64(j)])
                return TrajectoryContribution(
                    index: j,
                    try jumps.run(
                        start: start, sampleTimes: times, averageFrom: from,
                        wantD: wantD, rng: &rng))
            }
        case .diffusion:
            let qsd = DiffusionTrajectories(
                engine: engine, dt: diffusionStep(engine.rateScale, request), scheme: request.settings.trajectories.diffusionScheme)
            return try parallelMap(count: range.count, threads: request.threads) { i -> TrajectoryContribution in
                let j = first + i
                // Streams of diffusion trajectories are offset so they never coincide with jump trajectories.
                var rng = SeededRandom(seed: request.seed, stream: [UInt64(request.pointIndex), UInt64(j), 0x0D1F])
                return TrajectoryContribution(
                    index: j,
                    qsd.run(
                        start: start, sampleTimes: times, averageFrom: from,
                        wantD: false, rng: &rng))
            }
        }
    }

    /// The step of the diffusion trajectories (docs/physics.md §6.3.1).
    func diffusionStep(_ rateScale: Double, _ request: SolveRequest) -> Double {
        request.settings.trajectories.diffusionStepFraction / rateScale
    }

    /// How the diffusion trajectories were integrated, for results' `method`: "weak-2 scheme at the step
    /// 0.1/(rate scale)" (docs/physics.md §6.3.1, §6.3.3).
    func diffusionSchemeText(_ request: SolveRequest) -> String {
        let t = request.settings.trajectories
        return "\(t.diffusionScheme.rawValue) scheme at the step \(String(format: "%.4g", t.diffusionStepFraction))/(rate scale)"
    }

    /// Turns the base result and every ensemble's full list of contributions (trajectories 0 ..< count,
    /// in any order; they are put in index order) into the point's result: the same `PointResult`
    /// `solve` returns, bit for bit (sums run in trajectory-index order). Throws
    /// `BackendError.unsupported` when a trajectory is missing or given twice.
    public func reduce(
        _ request: SolveRequest, work: PointWork, base: PointResult,
        contributions: [TrajectoryEnsembleKind: [TrajectoryContribution]]
    ) throws -> PointResult {
        var records: [TrajectoryEnsembleKind: [TrajectoryRecord]] = [:]
        for e in work.ensembles {
            let list = (contributions[e.kind] ?? []).sorted { $0.index < $1.index }
            guard list.count == e.count, list.enumerated().allSatisfy({ $0.offset == $0.element.index }) else {
                let have = Set(list.map(\.index))
                let missing = (0..<e.count).filter { !have.contains($0) }
                throw BackendError.unsupported(
                    "\(e.kind.rawValue) trajectories of point \(request.pointIndex): expected 0..<\(e.count), got \(list.count)\(missing.isEmpty ? "" : ", missing \(missing.prefix(8).map(String.init).joined(separator: ", "))")"
                )
            }
            let n = request.model.count
            let samples = sampleTimes(request, e.kind).times.count
            let columns = e.kind == .jumps ? 2 : 3
            let wantD = e.kind == .jumps && (request.request(.mutualInformation) != nil || request.request(.discord) != nil)
            for t in list
            where t.c.count != 2 * n * n || t.d.count != (wantD ? n * n : 0) || t.series.count != samples
                || t.series.contains(where: { $0.count != columns }) || t.jumps < 0
            {
                throw BackendError.unsupported(
                    "\(e.kind.rawValue) trajectory \(t.index) of point \(request.pointIndex) does not have the shape of this point's trajectories (N = \(n), \(samples) samples)"
                )
            }
            records[e.kind] = list.map(\.record)
        }
        var result = base
        if !work.density && records[.jumps] == nil {
            // Only qfi-conditional was asked: the diffusion trajectories are the whole result.
            result = PointResult()
            result.method = "exact quantum-state-diffusion trajectories (full 2^N vector, \(diffusionSchemeText(request)))"
        } else if !work.density {
            let jumps = records[.jumps] ?? []
            result = PointResult()
            result.method = "exact quantum-jump trajectories in excitation-number sectors (\(jumps.count) trajectories)"
            try addTrajectoryObservables(request, records: jumps, times: sampleTimes(request, .jumps).times, into: &result)
            let totalJumps = jumps.reduce(0) { $0 + $1.jumps }
            result.diagnostics.append(("trajectories", .number(Double(jumps.count))))
            result.diagnostics.append(("jumps-per-trajectory", .number(Double(totalJumps) / Double(jumps.count))))
        }
        if let diffusion = records[.diffusion] {
            addConditionalQFI(
                request, records: diffusion, dt: diffusionStep(TrajectoryEngine.rateScale(request.model), request),
                into: &result)
            if work.density || records[.jumps] != nil {
                result.method += "; qfi-conditional: quantum-state-diffusion trajectories (\(diffusionSchemeText(request)))"
            }
        }
        return result
    }
}

extension TrajectoryEngine {
    /// Eigen-decomposition f = Σ_μ λ_μ v_μ v_μᵀ of a real symmetric N×N matrix by cyclic Jacobi
    /// rotations in plain Swift (eigenvalues ascending, `vectors[μ·N + b]` = v_μb). The trajectories'
    /// jump operators J_μ = Σ_b v_μb σ⁻_b are arbitrary within degenerate eigenspaces (uniform
    /// couplings have an (N−1)-fold degenerate λ), and a trajectory's noise couples to them one by
    /// one, so the basis must be the same bits on every machine and for every BLAS thread count —
    /// which LAPACK's dsyev with a threaded BLAS does not guarantee.
    static func jacobiEigen(_ m: Matrix) -> (values: [Double], vectors: [Double]) {
        let n = m.rows
        var a = [Double](repeating: 0, count: n * n)   // row-major, symmetrized
        for i in 0..<n { for j in 0..<n { a[i * n + j] = 0.5 * (m[i, j] + m[j, i]) } }
        var v = [Double](repeating: 0, count: n * n)   // columns are eigenvectors: v[k·n + μ]
        for i in 0..<n { v[i * n + i] = 1 }
        var scale = 0.0
        for x in a { scale = max(scale, abs(x)) }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-32 * scale * scale || off == 0 { break }
            for p in 0..<max(0, n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t =
                        abs(theta) > 1e150
                        ? 1 / (2 * theta)
                        : (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {   // columns p, q
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {   // rows p, q
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    a[p * n + q] = 0
                    a[q * n + p] = 0
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { (a[$0 * n + $0], $0) < (a[$1 * n + $1], $1) }
        var vectors = [Double](repeating: 0, count: n * n)
        for (mu, col) in order.enumerated() { for b in 0..<n { vectors[mu * n + b] = v[b * n + col] } }
        return (order.map { a[$0 * n + $0] }, vectors)
    }
}
