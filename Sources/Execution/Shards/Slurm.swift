import Foundation
import Physics
import Planning
import Results
import SpecLanguage

/// A site file (`submit --site`) that cannot be read or holds a mistake: `FILE:LINE:COL: error: …`
/// (a usage error, exit 2).
public struct SiteFileError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Cluster settings for `dipolesync submit`: from a site file, then overridden by the command line.
///
/// Site file (YAML), every key optional:
/// ```yaml
/// account: phys-1234
/// partition: short
/// qos: normal
/// time: "04:00:00"          # Slurm's --time syntax
/// mem: 8G                   # per task; Slurm's --mem syntax (K, M, G, T; a bare number is MiB)
/// cpus: 4                   # cpus per task = worker threads of each shard
/// modules: [openblas/0.3.21]  # `module load` lines
/// sbatch: ["--constraint=avx2"]  # extra #SBATCH lines
/// ```
public struct SlurmSettings: Equatable, Sendable {
    public var account: String?
    public var partition: String?
    public var qos: String?
    public var time: String?
    public var mem: String?
    public var cpus: Int?
    public var modules: [String] = []
    public var sbatch: [String] = []

    public init() {}

    public static let siteKeys = ["account", "partition", "qos", "time", "mem", "cpus", "modules", "sbatch"]

    /// Reads a site file; errors are `FILE:LINE:COL: error: …`.
    public static func site(file: String) throws -> SlurmSettings {
        guard let data = FileManager.default.contents(atPath: file) else { throw SiteFileError("\(file): cannot read the site file") }
        var s = SlurmSettings()
        let meaningful = String(decoding: data, as: UTF8.self).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") && $0 != "---" }
        if meaningful.isEmpty { return s }
        let engine = DiagnosticEngine(file: file)
        func fail(_ msg: String, _ loc: SourceLocation) -> SiteFileError {
            SiteFileError("\(file):\(loc.line):\(loc.column): error: \(msg)")
        }
        guard let root = YAMLParser.parse(Array(data), diagnostics: engine) else {
            let d = engine.sorted.first
            throw SiteFileError("\(file):\(d?.location.line ?? 1):\(d?.location.column ?? 1): error: \(d?.message ?? "not YAML")")
        }
        if root.isNull { return s }
        guard let entries = root.entries else { throw fail("a site file is a mapping of keys (\(siteKeys.joined(separator: ", ")))", root.location) }
        for e in entries {
            func scalar() throws -> String {
                guard let v = e.value.scalar, !e.value.isNull, !v.isEmpty else { throw fail("'\(e.key)' takes a single value", e.value.location) }
                guard !unsafe(v) else { throw fail("'\(e.key)' must be one line of printable characters", e.value.location) }
                return v
            }
            func list() throws -> [String] {
                if let v = e.value.scalar, !e.value.isNull {
                    guard !unsafe(v) else { throw fail("'\(e.key)' holds one-line strings of printable characters", e.value.location) }
                    return [v]
                }
                guard let items = e.value.items else { throw fail("'\(e.key)' takes a list", e.value.location) }
                return try items.map { i in
                    guard let v = i.scalar, !unsafe(v) else { throw fail("'\(e.key)' holds one-line strings of printable characters", i.location) }
                    return v
                }
            }
            switch e.key {
            case "account": s.account = try scalar()
            case "partition": s.partition = try scalar()
            case "qos": s.qos = try scalar()
            case "time": s.time = try scalar()
            case "mem":
                let m = try scalar()
                guard memoryBytes(m) != nil else { throw fail("'mem' is a Slurm memory size like 4G or 500M, not '\(m)'", e.value.location) }
                s.mem = m
            case "cpus":
                guard let c = Int(try scalar()), c >= 1 else { throw fail("'cpus' is a positive integer", e.value.location) }
                s.cpus = c
            case "modules": s.modules = try list()
            case "sbatch": s.sbatch = try list()
            default:
                throw fail("unknown key '\(e.key)' (a site file has \(siteKeys.joined(separator: ", ")))", e.keyLocation)
            }
        }
        return s
    }

    /// Whether a value cannot go into a script line: a line break or another control character.
    public static func unsafe(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    /// The first value that cannot go into a script line, with the key it came from.
    public var unsafeValue: (key: String, value: String)? {
        let all: [(String, String?)] =
            [("account", account), ("partition", partition), ("qos", qos), ("time", time), ("mem", mem)]
            + modules.map { ("modules", $0) } + sbatch.map { ("sbatch", $0) }
        for (k, v) in all { if let v, Self.unsafe(v) { return (k, v) } }
        return nil
    }

    /// These settings with every value `other` sets taking precedence (lists: `other`'s when non-empty).
    public func overridden(by other: SlurmSettings) -> SlurmSettings {
        var s = self
        s.account = other.account ?? account
        s.partition = other.partition ?? partition
        s.qos = other.qos ?? qos
        s.time = other.time ?? time
        s.mem = other.mem ?? mem
        s.cpus = other.cpus ?? cpus
        if !other.modules.isEmpty { s.modules = other.modules }
        if !other.sbatch.isEmpty { s.sbatch = other.sbatch }
        return s
    }

    /// Bytes of a Slurm memory size: a number with an optional K, M, G or T suffix (powers of 1024);
    /// a bare number is MiB, as in `sbatch --mem`.
    public static func memoryBytes(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var unit: Double = 1_048_576
        if let last = t.last, let p = ["K": 10, "M": 20, "G": 30, "T": 40][String(last)] {
            unit = Double(1 << p)
            t.removeLast()
        }
        guard let x = Double(t), x.isFinite, x > 0, x * unit < 9e18 else { return nil }
        return Int(x * unit)
    }
}

/// The job-array script, the dependent merge script and how they are submitted.
public struct SlurmSubmission {
    public var name: String
    /// Absolute paths.
    public var executable: String
    public var spec: String
    public var workFolder: String
    public var target: String
    public var tasks: Int
    public var settings: SlurmSettings
    /// Passed to the merge (replace an existing bundle at `target`).
    public var force: Bool
    /// The submitting shell's folder (jobs start there).
    public var directory: String

    public init(
        name: String, executable: String, spec: String, workFolder: String, target: String, tasks: Int,
        settings: SlurmSettings, force: Bool, directory: String
    ) {
        self.name = name
        self.executable = executable
        self.spec = spec
        self.workFolder = workFolder
        self.target = target
        self.tasks = tasks
        self.settings = settings
        self.force = force
        self.directory = directory
    }

    /// Single-quoted for the shell.
    public static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func header(job: String, output: String) -> [String] {
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(job)", "#SBATCH --output=\(output)", "#SBATCH --chdir=\(directory)"]
        if let p = settings.partition { lines.append("#SBATCH --partition=\(p)") }
        if let a = settings.account { lines.append("#SBATCH --account=\(a)") }
        if let q = settings.qos { lines.append("#SBATCH --qos=\(q)") }
        if let t = settings.time { lines.append("#SBATCH --time=\(t)") }
        if let m = settings.mem { lines.append("#SBATCH --mem=\(m)") }
        return lines
    }

    func body() -> [String] {
        var lines = settings.sbatch.map { $0.hasPrefix("#SBATCH") ? $0 : "#SBATCH " + $0 }
        lines += ["", "set -euo pipefail"]
        lines += settings.modules.map { "module load \(Self.quote($0))" }
        return lines
    }

    /// The array script: task K runs `dipolesync run SPEC --shard K/N` into `WORK/shard-K-of-N`
    /// (with --resume, so a requeued task continues from its checkpoint).
    public var arrayScript: String {
        let q = Self.quote
        let cpus = settings.cpus ?? 1
        var lines = header(job: "dipolesync-\(name)", output: workFolder + "/logs/shard-%a.out")
        lines.insert("#SBATCH --array=1-\(tasks)", at: 2)
        lines.append("#SBATCH --ntasks=1")
        lines.append("#SBATCH --cpus-per-task=\(cpus)")
        lines += body()
        lines.append("k=\"$SLURM_ARRAY_TASK_ID\"")
        lines.append(
            "exec \(q(executable)) run \(q(spec)) --shard \"$k/\(tasks)\" --out \(q(workFolder))\"/shard-$k-of-\(tasks)\" --resume --force --threads \(cpus)"
        )
        return lines.joined(separator: "\n") + "\n"
    }

    /// The merge script, submitted with `--dependency=afterok:ARRAY`.
    public var mergeScript: String {
        let q = Self.quote
        var lines = header(job: "dipolesync-\(name)-merge", output: workFolder + "/logs/merge.out")
        lines.append("#SBATCH --ntasks=1")
        lines += body()
        lines.append("exec \(q(executable)) merge \(q(workFolder)) --out \(q(target))\(force ? " --force" : "")")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The work folder's manifest.json: marks it as a submission folder, which `submit --force` may replace.
    public func manifest(specID: String) -> ResultValue {
        .object([
            ("format", .number(Double(ProgramInfo.bundleFormat))),
            ("kind", .string("submission")),
            ("program", .object([("name", .string(ProgramInfo.name)), ("version", .string(ProgramInfo.version))])),
            ("spec", .object([("name", .string(name)), ("id", .string(specID))])),
            ("bundle", .string(target)),
            ("tasks", .number(Double(tasks))),
            ("created", .string(ISO8601DateFormatter().string(from: Date())))
        ])
    }

    public var arrayScriptPath: String { workFolder + "/array.sh" }
    public var mergeScriptPath: String { workFolder + "/merge.sh" }

    /// Runs `sbatch --parsable [extra] SCRIPT` and returns the job id.
    public static func sbatch(_ script: String, extra: [String] = [], sbatchPath: String = "sbatch") throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [sbatchPath, "--parsable"] + extra + [script]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw ShardError.io("cannot start sbatch: \(error.localizedDescription)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0 else {
            let msg = String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ShardError.io("sbatch failed (exit \(p.terminationStatus)): \(msg.isEmpty ? text : msg)")
        }
        // --parsable prints "jobid" or "jobid;cluster".
        guard let id = text.split(separator: "\n").last?.split(separator: ";").first, !id.isEmpty,
            id.allSatisfy({ $0.isNumber || $0 == "_" })
        else {
            throw ShardError.io("sbatch printed no job id: '\(text)'")
        }
        return String(id)
    }
}
