import Foundation
import LinearAlgebra
import Physics
import Planning
import Results
import SpecLanguage

/// The `manifest.json` of a result bundle (`run`, `merge`) or a shard bundle (`run --shard`): how it
/// was made and the SHA-256 of every other file (docs/spec-language.md §11.3). One type writes it and
/// reads it back (`rerun`, `merge`); `encode(to:)` fixes the keys and their order, and `data` writes it
/// through `JSONWriter`, so the file is byte for byte what dipolesync has always written.
///
/// Fields that older bundles do not carry (the pinned BLAS kernels, a bundle's host details in a
/// shard) are optional and left out when absent.
public struct BundleManifest: Codable, Equatable, Sendable {
    /// A result bundle (no "kind" key) or a shard bundle (`"kind": "shard"`).
    public enum Kind: String, Sendable { case bundle, shard }

    /// The bundle format (`ProgramInfo.bundleFormat` when written).
    public var format: Int
    public var kind: Kind
    public var program: Program
    public var spec: SpecRecord
    /// Which shard of which split this is (shard bundles only).
    public var shard: ShardRecord?
    /// The spec's seed, as recorded (a JSON number).
    public var seed: Double
    /// Points per backend, in the plan's order (result bundles only).
    public var backends: [BackendCount]?
    public var libraries: Libraries
    public var threads: Int
    public var host: Host
    /// ISO 8601 time of writing.
    public var created: String
    public var timings: Timings
    /// Every other file of the bundle with its SHA-256, in the order they were written.
    public var files: [FileHash]
    /// The shards a merged bundle was made from.
    public var mergedFrom: [MergedShard]?
    /// When the pictures were last drawn again from the stored results (`redraw`), and by which program.
    public var redrawn: Redrawn?

    /// The manifest's `program` record.
    public struct Program: Codable, Equatable, Sendable {
        public var name: String
        public var version: String
        public var sourceRevision: String?
        public var sourceModified: Bool?

        /// This executable.
        public static var current: Program {
            Program(
                name: ProgramInfo.name, version: ProgramInfo.version, sourceRevision: ProgramInfo.sourceRevision.revision,
                sourceModified: ProgramInfo.sourceRevision.dirty)
        }

        enum CodingKeys: String, CodingKey {
            case name, version
            case sourceRevision = "source-revision"
            case sourceModified = "source-modified"
        }
    }

    /// What the spec is: its name, bundle ID, the SHA-256 of the canonical resolved spec and its number of points.
    public struct SpecRecord: Codable, Equatable, Sendable {
        public var name: String
        public var id: String
        public var resolvedSHA256: String
        public var points: Int

        enum CodingKeys: String, CodingKey {
            case name, id
            case resolvedSHA256 = "resolved-sha256"
            case points
        }
    }

    /// A shard's place in the split: shard K of N, the rule, its points and (with trajectory points)
    /// the trajectory split and its units.
    public struct ShardRecord: Codable, Equatable, Sendable {
        public var k: Int
        public var n: Int
        public var split: String
        public var points: [Int]
        public var trajectorySplit: String?
        public var trajectoryBlock: Int?
        public var trajectoryPoints: [Int]?
        public var units: [String]?

        enum CodingKeys: String, CodingKey {
            case k, n, split, points
            case trajectorySplit = "trajectory-split"
            case trajectoryBlock = "trajectory-block"
            case trajectoryPoints = "trajectory-points"
            case units
        }
    }

    /// The `libraries` record: the BLAS build, the kernel set that computed the numbers, whether it
    /// was pinned (docs/reproducibility.md), the architecture, and BLAS's thread count.
    public struct Libraries: Codable, Equatable, Sendable {
        public var blas: String?
        public var blasThreads: Int?
        public var blasKernels: String?
        public var blasKernelsPinned: Bool?
        public var architecture: String?

        /// This process's.
        public static var current: Libraries {
            Libraries(
                blas: BLASLibrary.configuration, blasThreads: 1, blasKernels: BLASKernels.current,
                blasKernelsPinned: BLASKernels.isPinned, architecture: BLASKernels.architecture)
        }

        enum CodingKeys: String, CodingKey {
            case blas
            case blasThreads = "blas-threads"
            case blasKernels = "blas-kernels"
            case blasKernelsPinned = "blas-kernels-pinned"
            case architecture
        }
    }

    /// The machine that wrote it (a shard records only its name and cores).
    public struct Host: Codable, Equatable, Sendable {
        public var name: String
        public var os: String?
        public var cores: Int
        public var memoryBytes: UInt64?

        enum CodingKeys: String, CodingKey {
            case name, os, cores
            case memoryBytes = "memory-bytes"
        }
    }

    public struct Timings: Codable, Equatable, Sendable {
        public var totalSeconds: Double
        /// Per point (result bundles only).
        public var points: [PointTiming]?

        enum CodingKeys: String, CodingKey {
            case totalSeconds = "total-seconds"
            case points
        }
    }

    /// One point's time, and with `optimize` how many solves it took.
    public struct PointTiming: Codable, Equatable, Sendable {
        public var index: Int
        public var seconds: Double
        public var solves: Int?
    }

    public struct BackendCount: Equatable, Sendable {
        public var backend: String
        public var points: Int
    }

    public struct FileHash: Equatable, Sendable {
        public var path: String
        public var sha256: String
    }

    /// One entry of `merged-from`.
    public struct MergedShard: Codable, Equatable, Sendable {
        public var shard: String
        public var path: String
        public var host: String
        public var sourceRevision: String
        public var points: Int
        /// Trajectory units the shard held (only with a trajectory split).
        public var units: Int?

        enum CodingKeys: String, CodingKey {
            case shard, path, host
            case sourceRevision = "source-revision"
            case points, units
        }
    }

    /// The `redrawn` record: the program that drew the pictures, the index page and (with `redraw
    /// --spec`) wrote the spec, and when; the numbers stay those of the original run.
    public struct Redrawn: Codable, Equatable, Sendable {
        public var program: Program
        public var created: String
    }

    enum CodingKeys: String, CodingKey {
        case format, kind, program, spec, shard, seed, backends, libraries, threads, host, created, timings, files
        case mergedFrom = "merged-from"
        case redrawn
    }

    /// A key of the `files` and `backends` tables.
    struct NameKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    public init(
        format: Int = ProgramInfo.bundleFormat, kind: Kind, program: Program = .current, spec: SpecRecord,
        shard: ShardRecord? = nil, seed: Double, backends: [BackendCount]? = nil, libraries: Libraries = .current,
        threads: Int, host: Host, created: String, timings: Timings, files: [FileHash], mergedFrom: [MergedShard]? = nil
    ) {
        self.format = format
        self.kind = kind
        self.program = program
        self.spec = spec
        self.shard = shard
        self.seed = seed
        self.backends = backends
        self.libraries = libraries
        self.threads = threads
        self.host = host
        self.created = created
        self.timings = timings
        self.files = files
        self.mergedFrom = mergedFrom
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        if kind != .bundle { try c.encode(kind.rawValue, forKey: .kind) }
        try c.encode(program, forKey: .program)
        try c.encode(spec, forKey: .spec)
        try c.encodeIfPresent(shard, forKey: .shard)
        try c.encode(seed, forKey: .seed)
        if let backends {
            var b = c.nestedContainer(keyedBy: NameKey.self, forKey: .backends)
            for e in backends { try b.encode(e.points, forKey: NameKey(e.backend)) }
        }
        try c.encode(libraries, forKey: .libraries)
        try c.encode(threads, forKey: .threads)
        try c.encode(host, forKey: .host)
        try c.encode(created, forKey: .created)
        try c.encode(timings, forKey: .timings)
        var f = c.nestedContainer(keyedBy: NameKey.self, forKey: .files)
        for e in files { try f.encode(e.sha256, forKey: NameKey(e.path)) }
        try c.encodeIfPresent(mergedFrom, forKey: .mergedFrom)
        try c.encodeIfPresent(redrawn, forKey: .redrawn)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(Int.self, forKey: .format)
        switch try c.decodeIfPresent(String.self, forKey: .kind) {
        case nil: kind = .bundle
        case Kind.shard.rawValue?: kind = .shard
        case let other?:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "not a bundle or shard bundle (kind \(other))")
        }
        program = try c.decode(Program.self, forKey: .program)
        spec = try c.decode(SpecRecord.self, forKey: .spec)
        shard = try c.decodeIfPresent(ShardRecord.self, forKey: .shard)
        seed = try c.decode(Double.self, forKey: .seed)
        if c.contains(.backends) {
            let b = try c.nestedContainer(keyedBy: NameKey.self, forKey: .backends)
            backends = try b.allKeys.map { BackendCount(backend: $0.stringValue, points: try b.decode(Int.self, forKey: $0)) }
        } else {
            backends = nil
        }
        libraries = try c.decode(Libraries.self, forKey: .libraries)
        threads = try c.decode(Int.self, forKey: .threads)
        host = try c.decode(Host.self, forKey: .host)
        created = try c.decode(String.self, forKey: .created)
        timings = try c.decode(Timings.self, forKey: .timings)
        let f = try c.nestedContainer(keyedBy: NameKey.self, forKey: .files)
        files = try f.allKeys.map { FileHash(path: $0.stringValue, sha256: try f.decode(String.self, forKey: $0)) }
        mergedFrom = try c.decodeIfPresent([MergedShard].self, forKey: .mergedFrom)
        redrawn = try c.decodeIfPresent(Redrawn.self, forKey: .redrawn)
    }

    // MARK: Writing and reading

    /// The file's bytes: pretty JSON with the keys in the order above.
    public var data: Data {
        // Encoding plain records into a ResultValue cannot fail.
        Data(JSONWriter.write((try? ResultValueCoder.encode(self)) ?? .null).utf8)
    }

    /// Reads a manifest from its bytes. Throws `JSONWriter.JSONError` for malformed JSON and
    /// `DecodingError` for JSON that is not a bundle or shard manifest.
    public init(json data: Data) throws {
        self = try ResultValueCoder.decode(Self.self, from: JSONWriter.parse(data))
    }

    /// Reads `DIR/manifest.json`.
    public init(folder dir: String) throws {
        let path = (dir as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleError.invalid(file: path, reason: "missing (not a dipolesync bundle?)")
        }
        try self.init(json: data)
    }

    /// What a `DecodingError` says was wrong, in words: the dotted key path and the problem.
    public static func explain(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ p: [CodingKey], _ key: CodingKey? = nil) -> String {
            (p + (key.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".")
        }
        switch e {
        case .keyNotFound(let key, let ctx): return "has no '\(path(ctx.codingPath, key))'"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            return "'\(path(ctx.codingPath))': \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    // MARK: Building

    /// The spec record of `compiled`.
    public static func specRecord(_ compiled: CompiledSpec) -> SpecRecord {
        let identity = SpecIdentity(compiled)
        return SpecRecord(
            name: compiled.base.name, id: BundleWriter.id(compiled), resolvedSHA256: identity.resolvedSHA256,
            points: identity.points)
    }

    /// The SHA-256 of each file, in order.
    public static func hashes(_ files: [(path: String, data: Data)]) -> [FileHash] {
        files.map { FileHash(path: $0.path, sha256: SHA256.hex($0.data)) }
    }

    /// The time of writing, as manifests record it.
    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// A result bundle's manifest.
    public static func bundle(
        compiled: CompiledSpec, plan: ExecutionPlan, outcomes: [PointOutcome], threads: Int,
        totalSeconds: Double, files: [(path: String, data: Data)],
        libraries: Libraries = .current, mergedFrom: [MergedShard]? = nil
    ) -> BundleManifest {
        let info = ProcessInfo.processInfo
        let timings = outcomes.sorted { $0.index < $1.index }.map { o in
            PointTiming(index: o.index, seconds: o.seconds, solves: o.optimum?.evaluations)
        }
        return BundleManifest(
            kind: .bundle, spec: specRecord(compiled), seed: Double(compiled.base.solver.seed),
            backends: plan.backendCounts.map { BackendCount(backend: $0.0.rawValue, points: $0.1) }, libraries: libraries,
            threads: threads,
            host: Host(
                name: info.hostName, os: info.operatingSystemVersionString, cores: info.activeProcessorCount,
                memoryBytes: info.physicalMemory),
            created: now(), timings: Timings(totalSeconds: totalSeconds, points: timings), files: hashes(files),
            mergedFrom: mergedFrom)
    }

    /// A shard bundle's manifest.
    public static func shard(
        compiled: CompiledSpec, shard: ShardRecord, threads: Int, totalSeconds: Double,
        files: [(path: String, data: Data)]
    ) -> BundleManifest {
        let info = ProcessInfo.processInfo
        return BundleManifest(
            kind: .shard, spec: specRecord(compiled), shard: shard, seed: Double(compiled.base.solver.seed),
            threads: threads, host: Host(name: info.hostName, cores: info.activeProcessorCount),
            created: now(), timings: Timings(totalSeconds: totalSeconds), files: hashes(files))
    }
}
