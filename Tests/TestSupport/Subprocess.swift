import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way tests run another program (the `dipolesync` binary, python3 with QuTiP, Slurm's
/// commands): standard input from a file, standard output and error into files (so neither pipe can
/// fill up and block the child while the test reads the other), and a timeout after which the child
/// is killed and the result says so.
public enum Subprocess {
    public struct Output: Sendable {
        /// The exit status, 128 + the signal for a killed child, -9 after a timeout, -1 if it could not start.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool { status == -9 }
    }

    /// Runs `arguments[0]` (looked up on the PATH by /usr/bin/env) with the rest as its arguments.
    /// - Parameters:
    ///   - environment: variables to set (a nil value removes one) on top of this process's environment.
    ///   - replacingEnvironment: when given, the child's whole environment instead.
    public static func run(
        _ arguments: [String], input: Data? = nil, environment: [String: String?] = [:],
        replacingEnvironment: [String: String]? = nil, cwd: String? = nil,
        timeout: Double = 600
    ) -> Output {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory
        let tag = UUID().uuidString
        let inPath = tmp.appendingPathComponent("ds-in-\(tag)").path
        let outPath = tmp.appendingPathComponent("ds-out-\(tag)").path
        let errPath = tmp.appendingPathComponent("ds-err-\(tag)").path
        defer { for p in [inPath, outPath, errPath] { try? fm.removeItem(atPath: p) } }
        if let input { fm.createFile(atPath: inPath, contents: input) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var command = ["/usr/bin/env"]
        if let cwd { command += ["-C", cwd] }
        command += arguments
        var env = replacingEnvironment ?? ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = command.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp) == 0 else {
            return Output(status: -1, stdout: "", stderr: "cannot start \(arguments)")
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        var finished = false
        while Date() < deadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { finished = true; break }
            if r < 0 { break }
            usleep(20_000)
        }
        let o = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let e = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        if !finished {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            return Output(status: -9, stdout: o, stderr: e + "\ntimed out after \(timeout) s: \(arguments)")
        }
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: code, stdout: o, stderr: e)
    }

    /// Whether `python3 -c "import MODULE"` works (QuTiP, jsonschema, …).
    public static func pythonHas(_ module: String) -> Bool {
        run(["python3", "-c", "import \(module)"], timeout: 120).status == 0
    }
}

/// The repository's root folder (where Package.swift is).
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
