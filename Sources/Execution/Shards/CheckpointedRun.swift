import Foundation
import Physics
import Planning
import SpecLanguage

/// Which points a shard computes: shard K of N (K = 1…N, like `SLURM_ARRAY_TASK_ID`) takes the
/// points whose index i satisfies i mod N = K − 1. Interleaving spreads the expensive corners of a
/// sweep over all shards, and the split depends only on (K, N, number of points).
public struct ShardSpec: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let k: Int
    public let n: Int

    public init(k: Int, n: Int) throws {
        guard n >= 1, k >= 1, k <= n else { throw ShardError.invalid("a shard is K/N with 1 ≤ K ≤ N, not \(k)/\(n)") }
        self.k = k
        self.n = n
    }

    /// Parses "K/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else {
            throw ShardError.invalid("--shard takes K/N (e.g. 3/8), not '\(text)'")
        }
        try self.init(k: k, n: n)
    }

    public func owns(_ index: Int) -> Bool { index % n == k - 1 }

    /// The point indices of this shard among `count` points, ascending.
    public func indices(of count: Int) -> [Int] { Array(stride(from: k - 1, to: count, by: n)) }

    /// The folder name a shard bundle gets by default.
    public var folderName: String { "shard-\(k)-of-\(n)" }

    public var description: String { "\(k)/\(n)" }
}

/// A run that checkpoints every finished point and can continue an interrupted one: the points of
/// `executor.only` (every point when nil) are computed, except those a matching checkpoint holds.
/// The outcomes are exactly those of an uninterrupted run, since each point's computation depends
/// only on the spec and the point index.
public struct CheckpointedRun {
    public var executor: Executor
    /// Where the bundle will be written (the checkpoint lives beside it).
    public var target: String
    /// Continue from an existing checkpoint (else an existing one is discarded with a note).
    public var resume: Bool
    /// Receives notes for standard error.
    public var note: (String) -> Void

    public init(executor: Executor, target: String, resume: Bool, note: @escaping (String) -> Void = { _ in }) {
        self.executor = executor
        self.target = target
        self.resume = resume
        self.note = note
    }

    public var checkpoint: Checkpoint { Checkpoint(forBundleAt: target, identity: SpecIdentity(executor.compiled)) }

    /// Runs the remaining points; the caller removes the checkpoint once the bundle is written.
    /// Throws `ShardError.invalid` for a checkpoint of another spec (with `resume`), `ShardError.io`
    /// when the checkpoint cannot be written, and the executor's `ExecutionError`.
    public func run(progress: ProgressReporter? = nil) throws -> [PointOutcome] {
        let cp = checkpoint
        let plan = executor.plan
        let wanted = Set(plan.points.map(\.index).filter { executor.only?.contains($0) ?? true })
        var done: [PointOutcome] = []
        if cp.exists {
            if resume {
                let recorded = try cp.recordedIdentity()
                guard recorded == cp.identity else {
                    throw ShardError.invalid(
                        "the checkpoint \(cp.folder.path) belongs to another computation (\(recorded)) than this one (\(cp.identity)); remove it or run without --resume"
                    )
                }
                let (loaded, notes) = cp.load()
                notes.forEach(note)
                let backendOf = Dictionary(plan.points.map { ($0.index, $0.backend) }, uniquingKeysWith: { a, _ in a })
                done = loaded.filter { wanted.contains($0.index) && backendOf[$0.index] == $0.backend }
                note("resuming: \(done.count) of \(wanted.count) point\(wanted.count == 1 ? "" : "s") taken from \(cp.folder.path)")
            } else {
                note("note: discarding the checkpoint of an earlier interrupted run at \(cp.folder.path) (--resume continues from it)")
                cp.remove()
            }
        } else if resume {
            note("note: no checkpoint at \(cp.folder.path); starting from the beginning")
        }
        // The folder appears with the first finished point: a run that fails before it leaves nothing.
        let have = Set(done.map(\.index))
        var ex = executor
        ex.only = wanted.subtracting(have)
        let name = executor.compiled.base.name
        ex.onPointDone = { try cp.save($0, name: name) }
        let fresh = ex.only?.isEmpty == false ? try ex.run(progress: progress) : []
        return (done + fresh).sorted { $0.index < $1.index }
    }

    /// How many finished points the checkpoint holds (for the message after a failure).
    public var checkpointedPoints: Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoint.folder.path)) ?? []
        return names.filter { $0.hasPrefix("point-") && $0.hasSuffix(".json") }.count
    }
}
