import Foundation
import Physics
import SpecLanguage

#if canImport(Glibc)
    import Glibc
    import Results
#endif

/// What a folder written by dipolesync is, by the `manifest.json` it holds.
public enum TargetKind: String, Sendable {
    /// A result bundle (`run`, `merge`).
    case bundle
    /// A shard bundle (`run --shard`).
    case shard
    /// The work folder of `submit` (scripts, logs, shard bundles).
    case submission

    public var phrase: String {
        switch self {
        case .bundle: return "result bundle"
        case .shard: return "shard bundle"
        case .submission: return "submission folder"
        }
    }
}

/// Problems with an output folder found before anything is computed or written: a usage error (exit 2).
public struct TargetError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The folder a command writes (`--out`, or its default): checked before any computation, locked while
/// it is written, and cleared of the leftovers of killed runs.
///
/// `--force` replaces only a folder dipolesync recognises as its own of the expected kind (its
/// `manifest.json` says so), never a regular file, a symbolic link, an unrelated folder, the current
/// folder or one holding it.
public enum OutputTarget {
    /// The absolute, standardized path of `path` (relative to the current folder).
    public static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/"))
            .standardizedFileURL.path
    }

    /// The folder a command writes when `--out` is not given, relative to the current folder:
    /// `outputs/NAME/ID` for a bundle (`run`, `merge`, `submit`), `outputs/NAME/ID.shards/shard-K-of-N`
    /// for shard K of N (`run --shard`).
    public static func defaultPath(for compiled: CompiledSpec, shard: ShardSpec? = nil) -> String {
        let bundle = "outputs/\(compiled.base.name)/\(BundleWriter.id(compiled))"
        return shard.map { bundle + ".shards/" + $0.folderName } ?? bundle
    }

    /// The kind of dipolesync folder at `path` (nil when it is not a folder holding a dipolesync manifest).
    public static func recognised(_ path: String) -> TargetKind? {
        guard FileStatus.of(path) == .directory else { return nil }
        let m = (path as NSString).appendingPathComponent("manifest.json")
        guard FileStatus.of(m) == .file, let data = FileManager.default.contents(atPath: m),
            let v = try? JSONWriter.parse(data), v.field(["program", "name"]) == .string(ProgramInfo.name)
        else { return nil }
        let kind = v.field("kind")
        if kind == nil { return v.field("files") == nil ? nil : .bundle }
        if kind == .string("shard") { return .shard }
        if kind == .string("submission") { return .submission }
        return nil
    }

    /// Checks, before anything is computed, that `path` can be written as a `kind`: an existing entry
    /// must be a folder of that kind and `force` given (else `BundleError.exists`); nothing may be
    /// replaced that is a regular file, a symbolic link, another folder, the current folder or one
    /// holding it; the nearest existing parent must be a writable folder. Throws `TargetError` (usage).
    public static func check(_ path: String, kind: TargetKind, force: Bool) throws {
        let abs = absolute(path)
        switch FileStatus.of(abs) {
        case .missing: break
        case .symlink:
            let to = (try? FileManager.default.destinationOfSymbolicLink(atPath: abs)) ?? "?"
            throw TargetError(
                "\(abs) is a symbolic link (to \(to)\(FileStatus.of(resolved(abs)) == .missing ? ", which does not exist" : "")); give the folder itself"
            )
        case .file, .other:
            throw TargetError("\(abs) is a regular file, not a \(kind.phrase); dipolesync never replaces it, even with --force")
        case .directory:
            let here = realpathOf(FileManager.default.currentDirectoryPath), there = realpathOf(abs)
            if here == there || here.hasPrefix(there == "/" ? "/" : there + "/") {
                throw TargetError("\(abs) is the current folder or holds it; dipolesync never replaces it, even with --force")
            }
            let found = recognised(abs)
            guard found == kind else {
                let what = found.map { "a dipolesync \($0.phrase)" } ?? "a folder dipolesync did not write (it holds no dipolesync manifest.json)"
                throw TargetError(
                    "\(abs) already exists and is \(what); dipolesync replaces only a \(kind.phrase) of its own (with --force): choose another --out, or move it away yourself"
                )
            }
            guard force else { throw BundleError.exists(abs) }
        }
        try checkParentWritable(of: abs)
    }

    /// The nearest existing ancestor of `abs` must be a folder this process can write into.
    public static func checkParentWritable(of abs: String) throws {
        var p = (abs as NSString).deletingLastPathComponent
        while true {
            switch FileStatus.of(resolved(p)) {
            case .missing:
                if p == "/" || p.isEmpty { return }
                p = (p as NSString).deletingLastPathComponent
                continue
            case .directory:
                if access(p, W_OK | X_OK) != 0 {
                    throw TargetError("cannot create \(abs): \(p) is not writable (\(String(cString: strerror(errno))))")
                }
                return
            default:
                throw TargetError("cannot create \(abs): a parent (\(p)) is a regular file")
            }
        }
    }

    static func resolved(_ p: String) -> String { URL(fileURLWithPath: p).resolvingSymlinksInPath().path }

    static func realpathOf(_ p: String) -> String {
        guard let r = realpath(p, nil) else { return p }
        defer { free(r) }
        return String(cString: r)
    }

    /// Removes (or restores) what killed runs left beside `target`: `.NAME.partial-PID` and
    /// `.NAME.old-PID` folders whose PID is not a running process. A stale `.old-PID` holding a
    /// dipolesync folder is renamed back to `target` when `target` is missing (a kill between the two
    /// renames of a replacement). Nothing else is touched. Call it while holding the target's lock.
    /// Returns notes for standard error.
    @discardableResult
    public static func clearLeftovers(beside target: String) -> [String] {
        let abs = absolute(target)
        let parent = (abs as NSString).deletingLastPathComponent, name = (abs as NSString).lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        var notes: [String] = []
        let me = ProcessInfo.processInfo.processIdentifier
        for e in entries.sorted() {
            let suffix: Substring
            let isOld: Bool
            if e.hasPrefix(".\(name).partial-") {
                suffix = e.dropFirst(name.count + 10); isOld = false
            } else if e.hasPrefix(".\(name).old-") {
                suffix = e.dropFirst(name.count + 6); isOld = true
            } else {
                continue
            }
            guard !suffix.isEmpty, suffix.count <= 10, suffix.allSatisfy({ $0.isASCII && $0.isNumber }),
                let pid = Int32(suffix), pid > 0, pid != me
            else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }   // that process still runs
            let full = (parent as NSString).appendingPathComponent(e)
            guard FileStatus.of(full) == .directory else { continue }
            if isOld, FileStatus.of(abs) == .missing, recognised(full) != nil, rename(full, abs) == 0 {
                notes.append("note: restored \(abs) from \(full), left by an interrupted replacement")
                continue
            }
            if (try? FileManager.default.removeItem(atPath: full)) != nil {
                notes.append("note: removed \(full), left by an interrupted run")
            }
        }
        return notes
    }
}

/// An exclusive lock on one output target, held while a command computes and writes it: a lock file
/// `.NAME.lock` beside the target (`flock`), removed when released. A second command writing the same
/// target fails at once with a usage error naming it.
public final class TargetLock {
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// The lock file of `target`.
    public static func lockPath(for target: String) -> String {
        let abs = OutputTarget.absolute(target)
        return ((abs as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".\((abs as NSString).lastPathComponent).lock")
    }

    /// Takes the lock (creating the target's parent folders), or throws `TargetError` when another
    /// process holds it.
    public static func acquire(for target: String) throws -> TargetLock {
        let path = lockPath(for: target)
        let parent = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw TargetError("cannot create \(parent): \(IOMessage.reason(error))")
        }
        for _ in 0..<20 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw TargetError("cannot create the lock file \(path): \(String(cString: strerror(errno)))") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                close(fd)
                if e == EWOULDBLOCK {
                    throw TargetError(
                        "another dipolesync is writing \(OutputTarget.absolute(target)) (it holds \(path)); wait for it to finish, or choose another --out"
                    )
                }
                throw TargetError("cannot lock \(path): \(String(cString: strerror(e)))")
            }
            // The holder before us may have removed the file after we opened it: lock the file that is there.
            var a = stat(), b = stat()
            if fstat(fd, &a) == 0, stat(path, &b) == 0, a.st_ino == b.st_ino, a.st_dev == b.st_dev {
                return TargetLock(path: path, fd: fd)
            }
            close(fd)
        }
        throw TargetError("cannot lock \(path): it keeps changing")
    }

    /// Removes the lock file and releases the lock.
    public func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// What is at a path, without following a symbolic link there.
enum FileStatus: Equatable {
    case missing, file, directory, symlink, other

    static func of(_ path: String) -> FileStatus {
        var s = stat()
        guard lstat(path, &s) == 0 else { return .missing }
        switch s.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }
}

/// A sentence for a file-system error instead of Foundation's raw text.
public enum IOMessage {
    /// The POSIX error number behind a Foundation error, if any.
    public static func errnoCode(_ error: Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return errnoCode(u) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileWriteOutOfSpaceError: return ENOSPC
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return EACCES
            case NSFileWriteVolumeReadOnlyError: return EROFS
            case NSFileWriteFileExistsError: return EEXIST
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return ENOENT
            default: break
            }
        }
        return nil
    }

    /// "no space left on device", "a parent is a regular file", … (else Foundation's description).
    public static func reason(_ error: Error) -> String {
        if let s = error as? ShardError { return s.description }
        if let s = error as? BundleError { return s.description }
        switch errnoCode(error) {
        case ENOSPC?: return "no space left on device"
        case EDQUOT?: return "disk quota exceeded"
        case ENOTDIR?: return "a parent is a regular file"
        case EACCES?, EPERM?: return "permission denied"
        case EROFS?: return "read-only file system"
        case EEXIST?: return "something else is already there"
        case ENOENT?: return "no such file or folder"
        case ENAMETOOLONG?: return "the name is too long"
        case let e?: return String(cString: strerror(e))
        case nil: return error.localizedDescription
        }
    }
}
