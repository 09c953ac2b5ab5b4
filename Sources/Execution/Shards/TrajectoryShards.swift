import Foundation
import LinearAlgebra
import Physics
import Planning
import Results
import SpecLanguage

/// One piece of a trajectory point's work in a sharded run: the point's base (its density-matrix
/// solve, or nothing for jump trajectories) or a block of consecutive trajectories of one ensemble.
public struct TrajectoryUnit: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case base
        case block(TrajectoryEnsembleKind, first: Int, count: Int)
    }

    public var point: Int
    public var part: Part
    /// Position in the plan's list of units (the split's round-robin index).
    public var global: Int

    /// The file stem in a shard bundle: `point-NNNNNN-base` or `point-NNNNNN-KIND-TTTTTT`.
    public var name: String {
        switch part {
        case .base: return String(format: "point-%06d-base", point)
        case .block(let k, let first, _): return String(format: "point-%06d-%@-%06d", point, k.rawValue, first)
        }
    }

    public var description: String {
        switch part {
        case .base: return "point \(point) (base)"
        case .block(let k, let first, let count): return "point \(point) \(k.rawValue) trajectories \(first)…\(first + count - 1)"
        }
    }
}

/// What a unit produced.
public struct TrajectoryUnitResult: Sendable {
    public var unit: TrajectoryUnit
    /// The split decision of the point, recorded with every unit so merge can check they agree.
    public var work: PointWork
    /// For the base: the point's outcome without its trajectory ensembles.
    public var base: PointOutcome?
    /// For a block: its trajectories, in index order.
    public var contributions: [TrajectoryContribution]
    public var seconds: Double
}

/// How a plan with trajectory points splits among shards. Points of the exact backend whose work
/// includes trajectory ensembles (`qfi-conditional`, or the jump-trajectory method), without
/// `optimize`, are *trajectory points*: each becomes units — its base, then blocks of `block`
/// consecutive trajectories of each ensemble — numbered g = 0, 1, … over the trajectory points in
/// index order; shard K of N computes the units with g mod N = K − 1. Every other point is shared
/// out as before (point i to shard i mod N + 1). The split depends only on the spec, the plan, the
/// block size and N; trajectory t of a point draws from the same random stream wherever it runs,
/// and the reduction sums in trajectory order, so any split merges to the single run's bits.
public struct TrajectorySplit: Sendable {
    /// The default number of trajectories per unit.
    public static let defaultBlock = 16

    public var block: Int
    /// The trajectory points and their work, by point index.
    public var work: [Int: PointWork]
    /// All units, in g order.
    public var units: [TrajectoryUnit]

    /// The trajectory points of `executor`'s plan (`executor.registry` decides which backend a point
    /// gets). A point whose request the exact backend rejects stays an ordinary point, so its error is
    /// reported by the shard that owns it, as before.
    public init(executor: Executor, block: Int = TrajectorySplit.defaultBlock) throws {
        guard block >= 1 else { throw ShardError.invalid("a trajectory block holds at least one trajectory, not \(block)") }
        self.block = block
        var work: [Int: PointWork] = [:]
        var units: [TrajectoryUnit] = []
        for pp in executor.plan.points where pp.backend == .exact {
            guard let sp = executor.compiled.points.first(where: { $0.index == pp.index }), sp.spec.optimize == nil,
                let exact = executor.registry.backend(for: pp.backend) as? any TrajectorySplittingBackend,
                let w = try? exact.work(for: executor.request(for: sp.spec, point: pp, threads: 1)),
                !w.ensembles.isEmpty
            else { continue }
            work[pp.index] = w
            units.append(TrajectoryUnit(point: pp.index, part: .base, global: units.count))
            for e in w.ensembles {
                for first in stride(from: 0, to: e.count, by: block) {
                    units.append(
                        TrajectoryUnit(
                            point: pp.index, part: .block(e.kind, first: first, count: min(block, e.count - first)),
                            global: units.count))
                }
            }
        }
        self.work = work
        self.units = units
    }

    public var isEmpty: Bool { units.isEmpty }

    /// The trajectory points, ascending.
    public var points: [Int] { work.keys.sorted() }

    public func units(of shard: ShardSpec) -> [TrajectoryUnit] { units.filter { $0.global % shard.n == shard.k - 1 } }

    /// The ordinary (non-trajectory) points shard `shard` computes, ascending.
    public func ordinaryPoints(of shard: ShardSpec, count: Int) -> [Int] {
        shard.indices(of: count).filter { work[$0] == nil }
    }

    /// Computes `units` one after the other, each with all of `executor.effectiveThreads` threads
    /// (trajectories in parallel; BLAS single-threaded).
    /// Errors are `ExecutionError`s naming the point.
    public static func run(_ units: [TrajectoryUnit], executor: Executor, progress: ProgressReporter? = nil) throws
        -> [TrajectoryUnitResult]
    {
        let threads = executor.effectiveThreads
        // BLAS single-threaded, as the executor runs points of a sweep: the density-matrix base's last
        // bits depend on BLAS threading (trajectories parallelize over their own workers instead).
        BLASLibrary.useOneThread()
        var out: [TrajectoryUnitResult] = []
        for u in units {
            guard let pp = executor.plan.points.first(where: { $0.index == u.point }),
                let sp = executor.compiled.points.first(where: { $0.index == u.point })
            else {
                throw ShardError.invalid("\(u): no such point in the plan")
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            do {
                guard let exact = executor.registry.backend(for: pp.backend) as? any TrajectorySplittingBackend else {
                    throw BackendError.unsupported("\(u) needs the exact backend")
                }
                let request = executor.request(for: sp.spec, point: pp, threads: threads)
                let work = try exact.work(for: executor.request(for: sp.spec, point: pp, threads: 1))
                var r = TrajectoryUnitResult(unit: u, work: work, base: nil, contributions: [], seconds: 0)
                switch u.part {
                case .base:
                    let base = try exact.solveBase(request, work: work)
                    r.base = PointOutcome(
                        index: u.point, parameters: sp.parameters, backend: pp.backend, result: base,
                        optimum: nil, seconds: 0)
                case .block(let kind, let first, let count):
                    r.contributions = try exact.trajectories(request, kind: kind, range: first..<(first + count))
                }
                r.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                out.append(r)
            } catch {
                throw ExecutionError(point: u.point, parameters: sp.parameters, underlying: error)
            }
        }
        return out
    }
}

/// The lossless JSON form of a unit (numbers as in `OutcomeCodec`).
public enum TrajectoryUnitCodec {
    public static let format = 1

    public static func encode(_ r: TrajectoryUnitResult) -> ResultValue {
        let num = OutcomeCodec.number
        var fields: [(String, ResultValue)] = [
            ("unit-format", .number(Double(format))),
            ("point", .number(Double(r.unit.point))),
            ("unit", .number(Double(r.unit.global))),
            (
                "work",
                .object([
                    ("density", .bool(r.work.density)),
                    ("ensembles", .array(r.work.ensembles.map { .array([.string($0.kind.rawValue), .number(Double($0.count))]) }))
                ])
            ),
            ("seconds", num(r.seconds))
        ]
        switch r.unit.part {
        case .base:
            fields.append(("part", .string("base")))
            if let b = r.base { fields.append(("outcome", OutcomeCodec.encode(b))) }
        case .block(let kind, let first, let count):
            fields.append(("part", .string(kind.rawValue)))
            fields.append(("first", .number(Double(first))))
            fields.append(("count", .number(Double(count))))
            fields.append(
                (
                    "trajectories",
                    .array(
                        r.contributions.map { t in
                            .object([
                                ("index", .number(Double(t.index))), ("qfi", num(t.qfi)), ("jumps", .number(Double(t.jumps))),
                                ("c", .array(t.c.map(num))), ("d", .array(t.d.map(num))),
                                ("series", .array(t.series.map { .array($0.map(num)) }))
                            ])
                        })
                ))
        }
        return .object(fields)
    }

    public static func data(_ r: TrajectoryUnitResult) -> Data { Data((JSONWriter.write(encode(r), pretty: false) + "\n").utf8) }

    public static func decode(_ data: Data) throws -> TrajectoryUnitResult {
        let v: ResultValue
        do { v = try JSONWriter.parse(data) } catch { throw OutcomeCodec.DecodeError.invalid("\(error)") }
        func bad(_ s: String) -> OutcomeCodec.DecodeError { .invalid(s) }
        func int(_ key: String, in x: ResultValue? = nil) throws -> Int {
            guard let f = (x ?? v).field(key) else { throw bad("the unit has no '\(key)'") }
            return try OutcomeCodec.integer(f, key)
        }
        func doubles(_ x: ResultValue?, _ what: String) throws -> [Double] {
            guard case .array(let a)? = x else { throw bad("'\(what)' is a list") }
            return try a.map { try OutcomeCodec.double($0, what) }
        }
        let fmt = try int("unit-format")
        guard fmt >= 1, fmt <= format else { throw bad("unit format \(fmt) is not one this dipolesync reads (\(format))") }
        let point = try int("point"), global = try int("unit")
        guard point >= 0, global >= 0 else { throw bad("negative index") }
        guard case .bool(let density)? = v.field(["work", "density"]), case .array(let es)? = v.field(["work", "ensembles"]) else {
            throw bad("malformed 'work'")
        }
        let ensembles = try es.map { e -> TrajectoryEnsemble in
            guard case .array(let kc) = e, kc.count == 2, case .string(let k) = kc[0], let kind = TrajectoryEnsembleKind(rawValue: k) else {
                throw bad("malformed ensemble")
            }
            return TrajectoryEnsemble(kind: kind, count: try OutcomeCodec.integer(kc[1], "ensemble count"))
        }
        let seconds = try v.field("seconds").map { try OutcomeCodec.double($0, "seconds") } ?? 0
        guard case .string(let part)? = v.field("part") else { throw bad("the unit has no 'part'") }
        var r = TrajectoryUnitResult(
            unit: TrajectoryUnit(point: point, part: .base, global: global),
            work: PointWork(density: density, ensembles: ensembles), base: nil, contributions: [],
            seconds: seconds)
        if part == "base" {
            guard let o = v.field("outcome") else { throw bad("the base unit has no outcome") }
            let outcome = try OutcomeCodec.decode(o)
            guard outcome.index == point else { throw bad("the base unit of point \(point) holds point \(outcome.index)") }
            r.base = outcome
            return r
        }
        guard let kind = TrajectoryEnsembleKind(rawValue: part) else { throw bad("unknown unit part '\(part)'") }
        let first = try int("first"), count = try int("count")
        guard first >= 0, count >= 1 else { throw bad("malformed trajectory block") }
        r.unit.part = .block(kind, first: first, count: count)
        guard case .array(let ts)? = v.field("trajectories") else { throw bad("'trajectories' is a list") }
        r.contributions = try ts.map { t in
            guard case .array(let rows)? = t.field("series") else { throw bad("'series' is a list") }
            return TrajectoryContribution(
                index: try int("index", in: t), c: try doubles(t.field("c"), "c"),
                d: try doubles(t.field("d"), "d"),
                series: try rows.map { try doubles($0, "a sample") },
                qfi: try OutcomeCodec.double(t.field("qfi") ?? .null, "qfi"),
                jumps: try int("jumps", in: t))
        }
        guard r.contributions.map(\.index) == Array(first..<(first + count)) else {
            throw bad("the block \(first)…\(first + count - 1) holds trajectories \(ShardBundle.short(r.contributions.map(\.index)))")
        }
        return r
    }
}
