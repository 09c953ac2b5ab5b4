import ArgumentParser
import Execution
import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import StandardBackends

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Execute a spec and write a result bundle (prints the bundle's path last).")

    @Argument(help: "A spec file.") var file: String
    @Option(help: "Write the bundle exactly into this folder (default: outputs/NAME/ID).") var out: String?
    @Flag(help: "Replace an existing bundle.") var force = false
    @Option(help: "Worker threads (default: solver.threads, else every core). Results do not depend on it.") var threads: Int?
    @Flag(help: "No progress on standard error.") var quiet = false
    @Option(
        help: ArgumentHelp(
            "Compute only shard K of N (points with index mod N = K-1; trajectory points split into units, see --trajectory-block) and write a shard bundle for `dipolesync merge` (default folder: outputs/NAME/ID.shards/shard-K-of-N).",
            valueName: "K/N"))
    var shard: String?
    @Option(
        help: ArgumentHelp(
            "With --shard: trajectories per unit of work when points average over trajectories (exact backend, qfi-conditional or jump trajectories); such points are split into units (the point's base and blocks of B trajectories), shared out round-robin like points.",
            valueName: "B"))
    var trajectoryBlock: Int = TrajectorySplit.defaultBlock
    @Flag(help: "Continue an interrupted run from the points its checkpoint kept.") var resume = false
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if let s = shard { do { _ = try ShardSpec(parsing: s) } catch { throw ValidationError("\(error)") } }
        if trajectoryBlock < 1 { throw ValidationError("--trajectory-block must be at least 1") }
    }

    /// What a shard computes of the plan, beside the plan's warning about the whole spec's work: its
    /// points and their estimated work, its trajectory points' work by its share of their units.
    static func shardShare(_ s: ShardSpec, plan: ExecutionPlan, ordinary: Set<Int>, split: TrajectorySplit) -> String {
        let all = plan.points.reduce(0.0) { $0 + $1.estimate.seconds }
        var mine = plan.points.filter { ordinary.contains($0.index) }.reduce(0.0) { $0 + $1.estimate.seconds }
        var text = "note: shard \(s) computes \(ordinary.count) of \(plan.points.count) point\(plan.points.count == 1 ? "" : "s")"
        if !split.isEmpty {
            let units = split.units(of: s).count
            let trajectories = plan.points.filter { split.work[$0.index] != nil }.reduce(0.0) { $0 + $1.estimate.seconds }
            mine += trajectories * Double(units) / Double(split.units.count)
            text += " and \(units) of \(split.units.count) trajectory units"
        }
        return text + ", ~\(CostEstimate.duration(mine)) of the plan's ~\(CostEstimate.duration(all)) of estimated work"
    }

    func run() throws {
        let shardSpec = try shard.map { try ShardSpec(parsing: $0) }
        let (compiled, plan) = try compileAndPlan(
            file, catalogs: catalog.catalogs, target: { out ?? OutputTarget.defaultPath(for: $0, shard: shardSpec) })
        let target = OutputTarget.absolute(out ?? OutputTarget.defaultPath(for: compiled, shard: shardSpec))
        // Before computing anything: the target can be written, and no other run writes it.
        let lock: TargetLock
        do {
            try OutputTarget.checkParentWritable(of: target)
            lock = try TargetLock.acquire(for: target)
        } catch {
            throw failure(error)
        }
        defer { lock.release() }
        OutputTarget.clearLeftovers(beside: target).forEach(printError)
        let identity = SpecIdentity(compiled)
        if resume && Checkpoint.isComplete(target, identity: identity, shard: shardSpec) {
            // A requeued task whose run had finished: nothing left to do.
            Checkpoint(forBundleAt: target, identity: identity).remove()
            printError("note: \(target) is already complete for this spec; nothing to resume")
            print(target)
            return
        }
        do { try OutputTarget.check(target, kind: shardSpec == nil ? .bundle : .shard, force: force) } catch {
            throw failure(error)
        }
        var executor = Executor(compiled: compiled, plan: plan, registry: .standard)
        executor.threads = threads
        var split: TrajectorySplit?
        if let s = shardSpec {
            do {
                let sp = try TrajectorySplit(executor: executor, block: trajectoryBlock)
                split = sp
                executor.only = Set(sp.ordinaryPoints(of: s, count: compiled.points.count))
                printError(Self.shardShare(s, plan: plan, ordinary: executor.only ?? [], split: sp))
            } catch {
                throw failure(error)
            }
        }
        let session = CheckpointedRun(executor: executor, target: target, resume: resume, note: { printError($0) })
        let t0 = Date()
        let outcomes: [PointOutcome]
        var units: [TrajectoryUnitResult] = []
        do {
            outcomes = try session.run(progress: ProgressReporter(quiet: quiet))
            if let sp = split, let s = shardSpec, !sp.isEmpty {
                // Trajectory units (not checkpointed: an interrupted shard recomputes its units).
                units = try TrajectorySplit.run(sp.units(of: s), executor: executor)
            }
        } catch let e as ShardError {
            throw failure(e)
        } catch {
            let status = failure(error)
            let kept = session.checkpointedPoints
            if kept > 0 {
                printError(
                    "note: \(kept) finished point\(kept == 1 ? " is" : "s are") kept in \(session.checkpoint.folder.path); add --resume to continue from them"
                )
            }
            throw status
        }
        let seconds = Date().timeIntervalSince(t0)
        let contents =
            shardSpec.map {
                ShardBundle.contents(
                    compiled: compiled, plan: plan, shard: $0, outcomes: outcomes, units: units, split: split,
                    threads: executor.effectiveThreads, totalSeconds: seconds)
            }
            ?? BundleWriter.contents(
                compiled: compiled, plan: plan, outcomes: outcomes,
                threads: executor.effectiveThreads, totalSeconds: seconds)
        do {
            let path = try BundleWriter.write(contents, to: target, force: force)
            session.checkpoint.remove()
            printFigureNotes(contents)
            print(path)
        } catch {
            let status = failure(error)
            if session.checkpointedPoints > 0 {
                printError("note: the finished points are kept in \(session.checkpoint.folder.path); add --resume to continue from them")
            }
            throw status
        }
    }
}

struct Rerun: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-execute a bundle's spec and compare every number with the stored results.")

    @Argument(help: "A bundle folder.") var bundle: String
    @Option(help: "Relative tolerance (default: bit-identical where the bundle's arithmetic can be repeated here, else 1e-9, and rerun says why).")
    var rtol: Double?
    @Option(help: "Worker threads.") var threads: Int?
    @Flag(help: "No progress on standard error.") var quiet = false

    func validate() throws {
        if let r = rtol, !(r.isFinite && r >= 0) { throw ValidationError("--rtol must be a finite number ≥ 0, not \(r)") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let files: [(path: String, sha: String)]
        let manifest: BundleManifest
        do { (manifest, files) = try BundleVerifier.check(bundle) } catch {
            throw failure(error)
        }
        if manifest.kind == .shard {
            printError(
                "error: \(bundle) is a shard bundle (from `run --shard`): merge its shards first (`dipolesync merge FOLDER-OF-SHARDS`), then rerun the merged bundle"
            )
            throw ExitStatus.usage
        }
        // Re-execute with the kernels that computed the bundle, where this CPU can run them.
        let stored = ArithmeticRecord(libraries: manifest.libraries)
        RerunComparison.adoptKernels(of: stored)
        let comparison = RerunComparison(stored: stored, now: .current, requested: rtol)
        let rtol = comparison.rtol
        if let why = comparison.reason { print("note: \(why)") }
        // The bundle's own spec and catalog entries, so the rerun does not depend on today's catalog.
        let archived: ArchivedSpec
        do { archived = try ArchivedSpec(folder: bundle, manifest: manifest) } catch {
            throw failure(error)
        }
        let compiled = archived.compiled
        if !archived.mismatches.isEmpty {
            print("NOT reproduced: the bundle does not belong to its own spec")
            for m in archived.mismatches { print("  \(m)") }
            throw ExitStatus.invalid
        }
        // Plan with the memory budget the bundle was planned with, not this machine's.
        var thresholds = PlannerThresholds.standard
        thresholds.memoryBudgetOverride = archived.plannedMemoryBudget
        let planned = Planner(thresholds: thresholds).plan(compiled)
        guard var plan = planned.plan else {
            for d in planned.diagnostics { printError(DiagnosticRenderer.text(d, source: compiled.source)) }
            throw ExitStatus.invalid
        }
        if let stored = archived.storedPlan {
            for note in ArchivedSpec.pinStorage(&plan, to: stored).prefix(20) { print("note: \(note)") }
        }
        let planCheck = archived.comparePlan(fresh: plan)
        if !planCheck.mismatches.isEmpty {
            print(
                "NOT reproduced: the spec is planned differently now than in plan.json (\(planCheck.mismatches.count) difference\(planCheck.mismatches.count == 1 ? "" : "s")); set solver.backend or solver.memory to pin it"
            )
            for m in planCheck.mismatches.prefix(20) { print("  \(m)") }
            throw ExitStatus.invalid
        }
        var executor = Executor(compiled: compiled, plan: plan, registry: .standard)
        executor.threads = threads
        let outcomes: [PointOutcome]
        do { outcomes = try executor.run(progress: ProgressReporter(quiet: quiet)) } catch {
            throw failure(error)
        }
        let fresh = BundleWriter.resultFiles(compiled: compiled, outcomes: outcomes)
        let (compared, all) = BundleVerifier.compareResults(bundle: bundle, listed: files, fresh: fresh, rtol: rtol)
        let details = all.filter(\.isSolverDetail)
        let added = all.filter(\.isAddedKey)
        let differences = all.filter { !$0.isSolverDetail && !$0.isAddedKey }
        if !planCheck.notes.isEmpty {
            print("note: the plan's other details changed (they do not count as results): " + planCheck.notes.joined(separator: "; "))
        }
        if !details.isEmpty {
            print(
                "note: \(details.count) solver detail\(details.count == 1 ? "" : "s") (method text, residuals, iteration counts) changed; they do not count as results:"
            )
            for d in details.prefix(20) { print("  \(d.location): \(d.stored) → \(d.recomputed)") }
        }
        if !added.isEmpty {
            let keys = Set(added.map(\.keyPath)).sorted()
            print(
                "note: this program writes \(added.count) result value\(added.count == 1 ? "" : "s") the bundle does not hold (keys \(keys.joined(separator: ", "))); every stored value was compared (docs/reproducibility.md §5)"
            )
        }
        if differences.isEmpty {
            print("reproduced: \(compared) file\(compared == 1 ? "" : "s") of results \(rtol == 0 ? "bit for bit" : "within rtol \(rtol)")")
            return
        }
        print(
            "NOT reproduced: \(differences.count) difference\(differences.count == 1 ? "" : "s")\(rtol == 0 ? " (bit-identical comparison; try --rtol)" : "")"
        )
        print("file | where | stored | recomputed | relative")
        for d in differences.prefix(200) {
            print("\(d.file) | \(d.location) | \(d.stored) | \(d.recomputed) | \(d.relative.isFinite ? String(format: "%.2e", d.relative) : "-")")
        }
        if differences.count > 200 { print("… \(differences.count - 200) more") }
        throw ExitStatus.invalid
    }
}
