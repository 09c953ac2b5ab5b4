import ArgumentParser
import Execution
import Foundation
import Physics
import Planning
import Results
import SpecLanguage
import StandardBackends

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a spec's sweep on a Slurm cluster: a job array of shards and a dependent merge job.",
        discussion: """
            Every point is checked first (valid, backend available, memory estimate within --mem); \
            nothing is queued otherwise. Writes WORK = <bundle>.slurm/ (array.sh, merge.sh, a copy of \
            the spec, logs/, shard-K-of-N/), submits with `sbatch --parsable`, prints the job ids and \
            the bundle path last. Site defaults come from --site FILE (or $DIPOLESYNC_SITE); options \
            given here override them.
            """)

    @Argument(help: "A spec file.") var file: String
    @Flag(help: "Submit to Slurm (the only scheduler supported).") var slurm = false
    @Option(help: "Array tasks (shards) (default: the number of points, at most 64).") var tasks: Int?
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Wall time per task, Slurm syntax (e.g. 2:00:00).") var time: String?
    @Option(help: "Memory per task, Slurm syntax (e.g. 4G); every point's estimate must fit.") var mem: String?
    @Option(help: "Slurm account.") var account: String?
    @Option(help: "Slurm QOS.") var qos: String?
    @Option(help: "CPUs per task (= worker threads of each shard).") var cpus: Int?
    @Option(name: .customLong("module"), help: "A module to load in the job (repeatable).") var modules: [String] = []
    @Option(name: .customLong("sbatch"), help: "An extra #SBATCH line, e.g. --sbatch=--constraint=avx2 (repeatable).") var sbatchLines: [String] = []
    @Option(help: "A site file (YAML: account, partition, qos, time, mem, cpus, modules, sbatch).") var site: String?
    @Option(help: "Where the merged bundle lands (default: outputs/NAME/ID).") var out: String?
    @Flag(help: "Replace an earlier submission's folder and the bundle.") var force = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan summary and the scripts; submit nothing.") var dryRun = false
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        guard slurm else { throw ValidationError("give --slurm (the scheduler to submit to)") }
        if let t = tasks, t < 1 { throw ValidationError("--tasks must be at least 1") }
        if let c = cpus, c < 1 { throw ValidationError("--cpus must be at least 1") }
        if let m = mem, SlurmSettings.memoryBytes(m) == nil { throw ValidationError("--mem takes a Slurm size like 4G or 500M, not '\(m)'") }
        for (name, values) in [
            ("--partition", [partition]), ("--time", [time]), ("--mem", [mem]), ("--account", [account]),
            ("--qos", [qos]), ("--module", modules), ("--sbatch", sbatchLines)
        ] as [(String, [String?])] {
            for v in values.compactMap({ $0 }) where SlurmSettings.unsafe(v) {
                throw ValidationError("\(name) must be one line of printable characters, not \(SlurmSubmission.quote(v).debugDescription)")
            }
        }
    }

    func run() throws {
        let specPath = absolute(file)
        let (compiled, plan) = try compileAndPlan(specPath, catalogs: catalog.catalogs.map(absolute))
        var settings = SlurmSettings()
        if let f = site ?? ProcessInfo.processInfo.environment["DIPOLESYNC_SITE"] {
            do { settings = try SlurmSettings.site(file: f) } catch {
                throw failure(error)
            }
        }
        var cli = SlurmSettings()
        cli.account = account; cli.partition = partition; cli.qos = qos; cli.time = time; cli.mem = mem; cli.cpus = cpus
        cli.modules = modules; cli.sbatch = sbatchLines
        settings = settings.overridden(by: cli)

        // Every point is checked before anything is queued.
        var problems: [String] = []
        let available = BackendRegistry.standard.backends
        for b in Set(plan.points.map(\.backend)) where available[b] == nil {
            let n = plan.points.filter { $0.backend == b }.count
            problems.append(
                "\(n) point\(n == 1 ? "" : "s") need\(n == 1 ? "s" : "") the \(b.rawValue) backend, which this build of dipolesync does not have")
        }
        if let m = settings.mem, let bytes = SlurmSettings.memoryBytes(m) {
            let perTask = bytes / max(1, settings.cpus ?? 1)
            let over = plan.points.filter { $0.estimate.memoryBytes > perTask }
            if let worst = over.max(by: { $0.estimate.memoryBytes < $1.estimate.memoryBytes }) {
                problems.append(
                    "\(over.count) point\(over.count == 1 ? "" : "s") exceed the memory of a task (\(m)\(settings.cpus.map { $0 > 1 ? " over \($0) threads" : "" } ?? "")): point \(worst.index) needs about \(ByteCount(worst.estimate.memoryBytes)) on \(worst.backend.rawValue)"
                )
            }
        }

        let id = BundleWriter.id(compiled)
        let target = absolute(out ?? OutputTarget.defaultPath(for: compiled))
        let work = target + ".slurm"
        let count = compiled.points.count
        let nTasks = min(tasks ?? min(count, 64), count)
        let submission = SlurmSubmission(
            name: compiled.base.name, executable: Self.executablePath(), spec: work + "/spec.yaml",
            workFolder: work, target: target, tasks: nTasks, settings: settings, force: force,
            directory: FileManager.default.currentDirectoryPath)
        let perShard = (count + nTasks - 1) / nTasks
        let slowest = plan.points.map(\.estimate.seconds).max() ?? 0
        let summary = """
            \(compiled.base.name): \(count) point\(count == 1 ? "" : "s") (\(plan.backendCounts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", "))), \
            \(nTasks) array task\(nTasks == 1 ? "" : "s") of up to \(perShard) point\(perShard == 1 ? "" : "s"); \
            largest point ≈ \(ByteCount(plan.points.map(\.estimate.memoryBytes).max() ?? 0)), slowest ≈ \(String(format: "%.3g", slowest)) s
            """
        if dryRun {
            print(summary)
            print("work folder: \(work)\nbundle: \(target)\n")
            print("# \(submission.arrayScriptPath)\n" + submission.arrayScript)
            print("# \(submission.mergeScriptPath) (sbatch --dependency=afterok:<array job>)\n" + submission.mergeScript)
            for p in problems { printError("error: \(p)") }
            if !problems.isEmpty { throw ExitStatus.invalid }
            return
        }
        if !problems.isEmpty {
            for p in problems { printError("error: \(p)") }
            printError("nothing was submitted")
            throw ExitStatus.invalid
        }
        let fm = FileManager.default
        // --force replaces only an earlier submission's folder and a bundle dipolesync wrote.
        let lock: TargetLock
        do {
            try OutputTarget.check(target, kind: .bundle, force: force)
            try OutputTarget.checkParentWritable(of: work)
            lock = try TargetLock.acquire(for: work)
            OutputTarget.clearLeftovers(beside: work).forEach(printError)
            try OutputTarget.check(work, kind: .submission, force: force)
        } catch {
            throw failure(error)
        }
        defer { lock.release() }
        do {
            if OutputTarget.recognised(work) == .submission { try fm.removeItem(atPath: work) }
            try fm.createDirectory(atPath: work + "/logs", withIntermediateDirectories: true)
            try Data(JSONWriter.write(submission.manifest(specID: id)).utf8).write(to: URL(fileURLWithPath: work + "/manifest.json"))
            // The shards read a frozen copy of the spec (and its catalog entry beside it), so editing
            // the original while jobs wait changes nothing.
            try Data(compiled.source.text.utf8).write(to: URL(fileURLWithPath: submission.spec))
            if let s = compiled.base.species {
                try fm.createDirectory(atPath: work + "/catalog", withIntermediateDirectories: true)
                try Data(Catalog.file(holding: [s]).utf8).write(to: URL(fileURLWithPath: work + "/catalog/archived.yaml"))
            }
            try Data(submission.arrayScript.utf8).write(to: URL(fileURLWithPath: submission.arrayScriptPath))
            try Data(submission.mergeScript.utf8).write(to: URL(fileURLWithPath: submission.mergeScriptPath))
        } catch {
            throw failure(BundleError.io("cannot write \(work): \(IOMessage.reason(error))"))
        }
        let arrayID: String
        do { arrayID = try SlurmSubmission.sbatch(submission.arrayScriptPath) } catch {
            throw failure(error)
        }
        let mergeID: String
        do {
            mergeID = try SlurmSubmission.sbatch(submission.mergeScriptPath, extra: ["--dependency=afterok:\(arrayID)", "--kill-on-invalid-dep=yes"])
        } catch {
            let status = failure(error)
            printError(
                "note: the array job \(arrayID) is queued; merge by hand when it is done: \(submission.executable) merge \(work) --out \(target)")
            throw status
        }
        printError(summary)
        print("submitted array job \(arrayID) (\(nTasks) task\(nTasks == 1 ? "" : "s")) and merge job \(mergeID) (after \(arrayID) succeeds)")
        print("shards and logs: \(work)")
        print(target)
    }

    func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/")).standardizedFileURL.path
    }

    /// This executable, by absolute path (the jobs run the same binary).
    static func executablePath() -> String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        let arg0 = CommandLine.arguments.first ?? "dipolesync"
        if arg0.contains("/") {
            return URL(fileURLWithPath: arg0).standardizedFileURL.resolvingSymlinksInPath().path
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let c = "\(dir)/\(arg0)"
            if FileManager.default.isExecutableFile(atPath: c) { return URL(fileURLWithPath: c).resolvingSymlinksInPath().path }
        }
        return arg0
    }
}
