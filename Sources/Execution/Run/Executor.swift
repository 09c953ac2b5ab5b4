import Foundation
import LinearAlgebra
import Physics
import Planning
import Results
import SpecLanguage

/// What one point produced.
public struct PointOutcome: Sendable {
    public var index: Int
    public var parameters: [(path: String, value: Double)]
    public var backend: BackendKind
    public var result: PointResult
    /// With `optimize`: the location of the maximum and how many solves it took.
    public var optimum: (path: String, value: Double, evaluations: Int)?
    public var seconds: Double
}

/// A point that could not be computed (exit code 3, docs/spec-language.md §11.2).
public struct ExecutionError: Error, CustomStringConvertible {
    public var point: Int
    public var parameters: [(path: String, value: Double)]
    public var underlying: Error
    public var description: String {
        let p = parameters.map { "\($0.path) = \(String(format: "%.6g", $0.value))" }.joined(separator: ", ")
        return "point \(point)\(p.isEmpty ? "" : " (\(p))") failed: \(underlying)"
    }
}

/// A point whose memory estimate exceeds what the machine has (refused before it allocates).
public struct MachineMemoryError: Error, CustomStringConvertible {
    public var needed: Int
    public var available: Int
    public var description: String {
        "it needs about \(ByteCount(needed)) by the plan's estimate, more than this machine's \(ByteCount(available)) of memory (solver.memory allows more than the machine has); run it on a larger machine or make the point smaller"
    }
}

/// Executes the plan: every point on its chosen backend, in parallel over points when there are
/// several, with results that do not depend on the number of threads: BLAS always runs on one
/// thread (OpenBLAS's multithreaded kernels change the last bits with the thread count), points
/// run in parallel, and a backend that parallelizes itself does so with a fixed partition.
public struct Executor {
    public let compiled: CompiledSpec
    public let plan: ExecutionPlan
    public let registry: BackendRegistry
    /// Total worker threads (nil: the spec's `solver.threads`, else every core).
    public var threads: Int?
    /// Only these point indices (nil: all). Used by sharded runs.
    public var only: Set<Int>?
    /// Called on the worker thread as soon as a point has finished (before the next one starts),
    /// e.g. to checkpoint it. An error it throws stops the run like a failed point.
    public var onPointDone: (@Sendable (PointOutcome) throws -> Void)?
    /// This machine's memory. A point whose plan estimate exceeds it is refused before anything
    /// runs (the budget `solver.memory` sets may be larger than the machine, and an allocation
    /// the system cannot give would abort the program instead of failing the point).
    public var machineMemory: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    public init(compiled: CompiledSpec, plan: ExecutionPlan, registry: BackendRegistry, threads: Int? = nil) {
        self.compiled = compiled
        self.plan = plan
        self.registry = registry
        self.threads = threads
    }

    public var effectiveThreads: Int {
        max(1, threads ?? compiled.base.solver.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    public func run(progress: ProgressReporter? = nil) throws -> [PointOutcome] {
        let todo = plan.points.filter { only?.contains($0.index) ?? true }
        if let big = todo.max(by: { $0.estimate.memoryBytes < $1.estimate.memoryBytes }), big.estimate.memoryBytes > machineMemory {
            let params = compiled.points.first { $0.index == big.index }?.parameters ?? []
            throw ExecutionError(
                point: big.index, parameters: params,
                underlying: MachineMemoryError(needed: big.estimate.memoryBytes, available: machineMemory))
        }
        let total = effectiveThreads
        let workers = max(1, min(total, todo.count))
        let innerThreads = max(1, total / workers)
        BLASLibrary.useOneThread()

        var outcomes = [PointOutcome?](repeating: nil, count: todo.count)
        var failure: ExecutionError?
        let lock = NSLock()
        var next = 0
        progress?.start(total: todo.count)
        concurrentForEach(iterations: workers) { _ in   // shared state only under `lock`
            while true {
                lock.lock()
                let k = next
                next += 1
                let stop = failure != nil
                lock.unlock()
                if stop || k >= todo.count { return }
                let pp = todo[k]
                guard let sp = compiled.points.first(where: { $0.index == pp.index }) ?? nil else { continue }
                let t0 = DispatchTime.now().uptimeNanoseconds
                do {
                    var o = try solvePoint(sp, pp, threads: innerThreads, progress: progress)
                    o.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    try onPointDone?(o)
                    lock.lock()
                    outcomes[k] = o
                    lock.unlock()
                    progress?.pointDone(o)
                } catch {
                    lock.lock()
                    if failure == nil { failure = ExecutionError(point: pp.index, parameters: sp.parameters, underlying: error) }
                    lock.unlock()
                }
            }
        }
        progress?.finish()
        if let f = failure { throw f }
        return outcomes.compactMap { $0 }
    }

    /// `progress` receives the backend's notes on the solve (`SolverProgress`).
    func request(for spec: ExperimentSpec, point pp: PointPlan, threads: Int, progress: ProgressReporter? = nil) -> SolveRequest {
        let point = pp.index
        let described = registry.backend(for: pp.backend) as? any DescribedBackend
        let matrices = described?.needsCouplingMatrices(method: pp.method) ?? true
        let model = ModelBuilder.model(spec.system, seed: spec.solver.seed, matrices: matrices, representation: pp.couplings)
        var request = SolveRequest(
            model: model, lattice: spec.system.lattice, observables: spec.observables,
            initial: spec.initial, evolution: spec.evolution, seed: spec.solver.seed,
            pointIndex: point, tolerance: spec.solver.tolerance, threads: threads,
            memoryBudget: spec.solver.memoryBudget ?? plan.memoryBudget,
            settings: PointSettings(spec: spec, plan: pp))
        request.progress = progress.map { reporter in SolverProgress { reporter.solverNote(point: point, $0) } }
        return request
    }

    func solvePoint(_ sp: SpecPoint, _ pp: PointPlan, threads: Int, progress: ProgressReporter? = nil) throws -> PointOutcome {
        guard let backend = registry.backend(for: pp.backend) else {
            throw BackendError.unsupported("the \(pp.backend.rawValue) backend is not available in this build")
        }
        guard let opt = sp.spec.optimize else {
            let r = try backend.solve(request(for: sp.spec, point: pp, threads: threads, progress: progress))
            return PointOutcome(index: sp.index, parameters: sp.parameters, backend: pp.backend, result: r, optimum: nil, seconds: 0)
        }
        var evaluations = 0
        var cache: [Double: PointResult] = [:]
        // The search asks only for the maximized observable (docs/spec-language.md §8): the others (a
        // spectrum, a hundred two-time fits) can cost far more than the steady state they are read from.
        // Each solve starts from the previous evaluation's state where the backend can use it: the
        // sequence of evaluations is fixed, so the result does not depend on threads or shards.
        let searched = sp.spec.observables.filter { $0.kind == opt.maximize.observable }
        let narrowed = searched.count < sp.spec.observables.count
        var warm: (any Sendable)?
        // The warm start the best evaluation so far began from: the optimum is solved again from it with
        // every observable, so its numbers are those of its search evaluation.
        var best: (x: Double, value: Double, warmIn: (any Sendable)?)?
        func solve(_ x: Double, observables: [ObservableRequest], warmIn: (any Sendable)?) throws -> (PointResult, (any Sendable)?) {
            guard var s = compiled.spec(for: sp, setting: opt.over, to: x) else {
                throw BackendError.unsupported("cannot set \(opt.over) to \(x)")
            }
            s.observables = observables
            let req = request(for: s, point: pp, threads: threads, progress: progress)
            if let w = backend as? any WarmStartBackend { return try w.solve(req, warmStart: warmIn) }
            return (try backend.solve(req), nil)
        }
        func objective(_ x: Double) throws -> Double {
            if let r = cache[x] { return Self.value(r, opt.maximize.rawValue) }
            let warmIn = warm
            let r: PointResult
            (r, warm) = try solve(x, observables: searched, warmIn: warmIn)
            evaluations += 1
            cache[x] = r
            let v = Self.value(r, opt.maximize.rawValue)
            progress?.searchStep(point: sp.index, evaluation: evaluations, path: opt.over, x: x, key: opt.maximize.rawValue, value: v)
            if narrowed && v >= (best?.value ?? -Double.infinity) { best = (x, v, warmIn) }
            return v
        }
        let xBest = try Optimizer.maximize(objective, low: opt.low, high: opt.high, relativeTolerance: opt.tolerance, scan: opt.scan)
        _ = try objective(xBest)
        guard var result = cache[xBest] else { throw BackendError.numerical("optimum lost") }
        if narrowed {
            let warmIn = best.flatMap { $0.x == xBest ? $0.warmIn : nil } ?? warm
            result = try solve(xBest, observables: sp.spec.observables, warmIn: warmIn).0
        }
        return PointOutcome(
            index: sp.index, parameters: sp.parameters, backend: pp.backend, result: result,
            optimum: (opt.over, xBest, evaluations), seconds: 0)
    }

    static func value(_ r: PointResult, _ key: String) -> Double {
        r.number(key) ?? -Double.infinity
    }
}

/// One-dimensional maximization on a bracket (docs/spec-language.md §8): a coarse scan of
/// `OptimizeSearch.scanPoints` points, equally spaced or in equal ratios (`OptimizeSearch.samples`;
/// so a second hump is not missed), then Brent's method
/// (parabolic interpolation through the best three points, golden-section steps where a parabola
/// is not trusted) in the two scan cells around the best sample, until the maximum is bracketed
/// to a width ≤ `relativeTolerance`·max(|a|, |b|) of that cell, as the golden-section search it
/// replaces did. The scan's neighbours of the best sample are the first parabola's other two
/// points, so a smooth peak is usually located in 3–6 further evaluations instead of 8–10.
public enum Optimizer {
    public static func maximize(
        _ f: (Double) throws -> Double, low: Double, high: Double,
        relativeTolerance: Double, scan: OptimizeScan = .linear
    ) throws -> Double {
        let n = OptimizeSearch.scanPoints
        let xs = OptimizeSearch.samples(low: low, high: high, spacing: scan)
        var fs: [Double] = []
        for x in xs { fs.append(try f(x)) }
        var best = 0
        for i in 1..<n where fs[i] > fs[best] { best = i }
        var a = xs[max(0, best - 1)], b = xs[min(n - 1, best + 1)]
        let tol = max(relativeTolerance * max(abs(a), abs(b)), 1e-12)
        // Brent's minimization of g = −f (Numerical Recipes §10.3): x the best point, w the second
        // best, v the previous w; a step must be less than half the one before last to be parabolic.
        var x = xs[best], gx = -fs[best]
        let lower = best > 0 ? (xs[best - 1], -fs[best - 1]) : nil
        let upper = best < n - 1 ? (xs[best + 1], -fs[best + 1]) : nil
        var (w, gw) = [lower, upper].compactMap { $0 }.min { $0.1 < $1.1 } ?? (x, gx)
        var (v, gv) = [lower, upper].compactMap { $0 }.max { $0.1 < $1.1 } ?? (x, gx)
        let golden = (3 - 5.0.squareRoot()) / 2
        var d = 0.0, e = b - a
        let tol1 = tol / 4, tol2 = 2 * tol1   // stops when b − a ≤ 2·tol2 = tol
        for _ in 0..<200 {
            let xm = (a + b) / 2
            if abs(x - xm) <= tol2 - (b - a) / 2 { break }
            var parabolic = false
            if abs(e) > tol1 {
                let r = (x - w) * (gx - gv)
                var q = (x - v) * (gx - gw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p }
                q = abs(q)
                let before = e
                if q > 0, abs(p) < abs(q * before / 2), p > q * (a - x), p < q * (b - x) {
                    e = d
                    d = p / q
                    parabolic = true
                    let u = x + d
                    if u - a < tol2 || b - u < tol2 { d = xm >= x ? tol1 : -tol1 }
                }
            }
            if !parabolic {
                e = x >= xm ? a - x : b - x
                d = golden * e
            }
            let u = abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1)
            let gu = -(try f(u))
            if gu <= gx {
                if u >= x { a = x } else { b = x }
                (v, gv) = (w, gw)
                (w, gw) = (x, gx)
                (x, gx) = (u, gu)
            } else {
                if u < x { a = u } else { b = u }
                if gu <= gw || w == x {
                    (v, gv) = (w, gw)
                    (w, gw) = (u, gu)
                } else if gu <= gv || v == x || v == w {
                    (v, gv) = (u, gu)
                }
            }
        }
        return x
    }
}
