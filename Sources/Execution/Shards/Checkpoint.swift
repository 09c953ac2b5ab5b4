import Foundation
import Physics
import Planning
import Results
import SpecLanguage

/// What identifies the computation a shard or checkpoint belongs to.
public struct SpecIdentity: Equatable, Sendable, CustomStringConvertible {
    /// SHA-256 of the canonical (compact) resolved spec; its first 12 digits are the bundle ID.
    public var resolvedSHA256: String
    public var programVersion: String
    public var points: Int

    public init(resolvedSHA256: String, programVersion: String, points: Int) {
        self.resolvedSHA256 = resolvedSHA256
        self.programVersion = programVersion
        self.points = points
    }

    public init(_ compiled: CompiledSpec) {
        self.init(
            resolvedSHA256: SHA256.hex(JSONWriter.write(compiled.resolved(), pretty: false)),
            programVersion: ProgramInfo.version, points: compiled.points.count)
    }

    public var description: String {
        "spec \(resolvedSHA256.prefix(12)), \(points) point\(points == 1 ? "" : "s"), dipolesync \(programVersion)"
    }
}

/// Problems with checkpoints, shards and merges (exit 1: the input does not check out; exit 3 for I/O).
public enum ShardError: Error, CustomStringConvertible {
    case invalid(String)
    case io(String)

    public var description: String {
        switch self {
        case .invalid(let s), .io(let s): return s
        }
    }
}

/// The points a run has finished, kept in a hidden folder beside the target bundle
/// (`PARENT/.NAME.checkpoint/`) so an interrupted run can continue where it stopped.
///
/// Each point is written to a temporary file and renamed into place as soon as it finishes, so a
/// kill at any moment leaves only whole point files. `checkpoint.json` names the resolved spec and
/// program version the points belong to.
public struct Checkpoint: Sendable {
    public let folder: URL
    public let identity: SpecIdentity

    /// The checkpoint folder of a bundle written to `target`.
    public static func folder(forBundleAt target: String) -> URL {
        let dest = URL(fileURLWithPath: target).standardizedFileURL
        return dest.deletingLastPathComponent().appendingPathComponent(".\(dest.lastPathComponent).checkpoint")
    }

    public init(forBundleAt target: String, identity: SpecIdentity) {
        folder = Self.folder(forBundleAt: target)
        self.identity = identity
    }

    public var exists: Bool { FileStatus.of(folder.path) == .directory }

    var infoURL: URL { folder.appendingPathComponent("checkpoint.json") }

    static func pointName(_ index: Int) -> String { String(format: "point-%06d.json", index) }

    /// The identity recorded in an existing checkpoint.
    public func recordedIdentity() throws -> SpecIdentity {
        guard let data = FileManager.default.contents(atPath: infoURL.path) else {
            throw ShardError.invalid("\(infoURL.path): missing (not a dipolesync checkpoint?)")
        }
        let v: ResultValue
        do { v = try JSONWriter.parse(data) } catch { throw ShardError.invalid("\(infoURL.path): \(error)") }
        guard case .string(let sha)? = v.field("resolved-sha256"), case .string(let version)? = v.field("program-version"),
            case .number(let n)? = v.field("points"), let points = Int(exactly: n)
        else {
            throw ShardError.invalid("\(infoURL.path): not a dipolesync checkpoint")
        }
        return SpecIdentity(resolvedSHA256: sha, programVersion: version, points: points)
    }

    /// Creates the folder and its `checkpoint.json` (kept if it already exists).
    public func create(name: String) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            if !fm.fileExists(atPath: infoURL.path) {
                let info = ResultValue.object([
                    ("kind", .string("dipolesync checkpoint")),
                    ("name", .string(name)),
                    ("resolved-sha256", .string(identity.resolvedSHA256)),
                    ("program-version", .string(identity.programVersion)),
                    ("points", .number(Double(identity.points)))
                ])
                try Self.atomicWrite(Data(JSONWriter.write(info).utf8), to: infoURL)
            }
        } catch let e as ShardError { throw e } catch {
            throw ShardError.io("cannot create the checkpoint \(folder.path): \(IOMessage.reason(error))")
        }
    }

    /// The first line of a checkpointed point file; the SHA-256 of the rest (the point's
    /// `OutcomeCodec` form) follows it, so a point edited by hand is recognised and computed again.
    static let pointHeader = "dipolesync checkpoint point sha256="

    /// Writes one finished point (temporary file, then rename: never a half-written point file),
    /// creating the checkpoint folder with the first point.
    public func save(_ o: PointOutcome, name: String) throws {
        try create(name: name)
        let body = OutcomeCodec.data(o)
        var data = Data((Self.pointHeader + SHA256.hex(body) + "\n").utf8)
        data.append(body)
        try Self.atomicWrite(data, to: folder.appendingPathComponent(Self.pointName(o.index)))
    }

    /// The outcome in a checkpointed point file, after checking its SHA-256.
    static func decodePoint(_ data: Data) throws -> PointOutcome {
        let header = Array(Self.pointHeader.utf8)
        let bytes = [UInt8](data)
        guard bytes.starts(with: header), let nl = bytes.firstIndex(of: 0x0A), nl == header.count + 64 else {
            throw ShardError.invalid("it has no SHA-256 line (written by another version, or edited)")
        }
        let recorded = String(decoding: bytes[header.count..<nl], as: UTF8.self)
        let body = Array(bytes[(nl + 1)...])
        guard SHA256.hex(body) == recorded else { throw ShardError.invalid("it does not match its SHA-256 (modified or truncated)") }
        return try OutcomeCodec.decode(Data(body))
    }

    /// The points in the checkpoint that decode cleanly, and a note for every file that did not
    /// (such files are removed and their points computed again).
    public func load() -> (outcomes: [PointOutcome], notes: [String]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return ([], []) }
        var outcomes: [PointOutcome] = []
        var notes: [String] = []
        for name in names.sorted() {
            let url = folder.appendingPathComponent(name)
            if name.hasPrefix(".tmp-") { try? fm.removeItem(at: url); continue }
            guard name.hasPrefix("point-"), name.hasSuffix(".json") else { continue }
            do {
                guard let data = fm.contents(atPath: url.path) else { throw ShardError.io("unreadable") }
                let o = try Self.decodePoint(data)
                guard name == Self.pointName(o.index), o.index < identity.points else {
                    throw ShardError.invalid("holds point \(o.index)")
                }
                outcomes.append(o)
            } catch {
                notes.append("note: \(url.path) is damaged (\(error)); its point is computed again")
                try? fm.removeItem(at: url)
            }
        }
        return (outcomes, notes)
    }

    /// Removes the checkpoint folder — only a folder that is one (it holds `checkpoint.json`, or
    /// nothing but point and temporary files): anything else by that name is the user's.
    public func remove() {
        let fm = FileManager.default
        guard FileStatus.of(folder.path) == .directory, let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        let ours =
            names.contains("checkpoint.json")
            || names.allSatisfy { $0.hasPrefix(".tmp-") || ($0.hasPrefix("point-") && $0.hasSuffix(".json")) }
        if ours { try? fm.removeItem(at: folder) }
    }

    /// Whether `target` already holds the finished, intact dipolesync folder of this computation (for
    /// shards: of the same shard), so that `run --resume` has nothing left to do.
    public static func isComplete(_ target: String, identity: SpecIdentity, shard: ShardSpec?) -> Bool {
        guard OutputTarget.recognised(target) == (shard == nil ? .bundle : .shard),
            let data = FileManager.default.contents(atPath: (target as NSString).appendingPathComponent("manifest.json")),
            let m = try? JSONWriter.parse(data),
            m.field(["spec", "resolved-sha256"]) == .string(identity.resolvedSHA256)
        else { return false }
        if let s = shard {
            guard m.field(["shard", "k"])?.number == Double(s.k), m.field(["shard", "n"])?.number == Double(s.n) else { return false }
        }
        return (try? BundleVerifier.verify(target)) != nil
    }

    static func atomicWrite(_ data: Data, to url: URL) throws {
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw ShardError.io("could not write \(url.path): \(IOMessage.reason(error))")
        }
    }
}

extension ResultValue {
    /// The value of `key` in an object (nil for other values or a missing key).
    func field(_ key: String) -> ResultValue? {
        if case .object(let o) = self { return o.first { $0.0 == key }?.1 }
        return nil
    }

    func field(_ path: [String]) -> ResultValue? {
        var v: ResultValue? = self
        for k in path { v = v?.field(k) }
        return v
    }
}
