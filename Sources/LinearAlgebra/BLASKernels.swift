internal import CLAPACK
import Foundation

/// Which OpenBLAS kernel set computes our products, and pinning it so that results do not depend on
/// the CPU (docs/reproducibility.md).
///
/// Debian's OpenBLAS is built with DYNAMIC_ARCH: at load time it picks the kernels for the CPU it
/// finds (Haswell, SkylakeX, Cooperlake, Zen, …), and different kernels sum in different orders, so
/// the last bits of a result depend on the machine. OpenBLAS reads `OPENBLAS_CORETYPE` once, when
/// the library is loaded, before any of our code runs; so the command line re-executes itself with
/// the variable set (`pinProcess`), and records the kernel set it ran with in every manifest.
public enum BLASKernels {
    /// The environment variable through which a user opts out of pinning
    /// (`DIPOLESYNC_BLAS_KERNELS=native`): faster on some CPUs, but the bundle is marked not portable.
    public static let choiceVariable = "DIPOLESYNC_BLAS_KERNELS"
    /// Set by `pinProcess` on the re-executed process: the kernel set it asked for (never re-exec twice).
    static let pinnedVariable = "DIPOLESYNC_BLAS_PINNED"

    /// The portable kernel set of each architecture: the one every bundle is computed with unless the
    /// user opts out. On x86-64 it is Haswell (AVX2 + FMA, every x86-64 server CPU since 2013–2015,
    /// Intel and AMD alike); older x86-64 CPUs fall back to the first of `fallbacks` they can run.
    public static var portable: String? {
        switch architecture {
        case "x86_64": return "Haswell"
        case "aarch64", "arm64": return "ARMV8"
        default: return nil
        }
    }

    /// Kernel sets for x86-64 CPUs without AVX2/FMA, in order of preference.
    static let fallbacks = ["Sandybridge", "Prescott"]

    /// The CPU features each kernel set needs (names as in /proc/cpuinfo). A kernel set not listed is
    /// never forced: OpenBLAS would run instructions the CPU may not have.
    static let requirements: [String: [String]] = [
        "Prescott": ["sse3"], "Core2": ["ssse3"], "Nehalem": ["sse4_2"],
        "Sandybridge": ["avx"], "Haswell": ["avx2", "fma"], "Zen": ["avx2", "fma"],
        "SkylakeX": ["avx512f", "avx512dq", "avx512bw", "avx512vl"],
        "Cooperlake": ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_bf16"],
        "ARMV8": []
    ]

    /// The machine's architecture as `uname -m` prints it.
    public static var architecture: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The kernel set OpenBLAS is running with in this process (e.g. "Haswell").
    public static var current: String {
        guard let c = openblas_get_corename() else { return "unknown" }
        return String(cString: c).trimmingCharacters(in: .whitespaces)
    }

    /// Whether this process runs the kernel set it was pinned to (false when the user opted out or
    /// pinning was impossible on this CPU or architecture).
    public static var isPinned: Bool {
        guard let asked = ProcessInfo.processInfo.environment[pinnedVariable] else { return false }
        return asked.caseInsensitiveCompare(current) == .orderedSame
    }

    /// The CPU's feature flags (x86: the `flags` line of /proc/cpuinfo); empty where unknown.
    static let cpuFlags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") || line.hasPrefix("Features") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            var flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            if flags.contains("pni") { flags.insert("sse3") }
            return flags
        }
        return []
    }()

    /// Whether this CPU can run `kernels` (a kernel set name, case-insensitive).
    public static func canRun(_ kernels: String) -> Bool {
        guard let key = requirements.keys.first(where: { $0.caseInsensitiveCompare(kernels) == .orderedSame }),
            let needs = requirements[key]
        else { return false }
        if key == "ARMV8" { return architecture == "aarch64" || architecture == "arm64" }
        guard architecture == "x86_64" else { return false }
        return needs.allSatisfy(cpuFlags.contains)
    }

    /// The kernel set this machine pins by default: the portable one, or the best fallback it can run.
    public static var defaultChoice: String? {
        guard let p = portable else { return nil }
        if canRun(p) { return p }
        return architecture == "x86_64" ? fallbacks.first(where: canRun) : nil
    }

    /// Makes this process run `kernels` (default: `defaultChoice`) by re-executing it with
    /// `OPENBLAS_CORETYPE` set, overriding what the environment says. Returns (without re-executing)
    /// when the process already runs them, when this process was already re-executed for them, when
    /// the user opted out (`DIPOLESYNC_BLAS_KERNELS=native`), or when the CPU cannot run them.
    /// Call it first thing in `main`, before anything else has happened; it never returns if it re-executes.
    public static func pinProcess(to kernels: String? = nil) {
        let env = ProcessInfo.processInfo.environment
        if env[choiceVariable]?.lowercased() == "native" { return }
        // A re-executed process keeps the kernels it was re-executed for (a rerun may have asked for
        // the bundle's own); only an explicit request changes them again.
        if kernels == nil, env[pinnedVariable] != nil { return }
        guard let want = kernels ?? defaultChoice, canRun(want) else { return }
        if current.caseInsensitiveCompare(want) == .orderedSame { setenv(pinnedVariable, want, 1); return }
        if env[pinnedVariable]?.caseInsensitiveCompare(want) == .orderedSame { return }   // asked once already
        setenv("OPENBLAS_CORETYPE", want, 1)
        setenv(pinnedVariable, want, 1)
        reexecute()
    }

    /// Replaces this process with a fresh copy of itself (same arguments, current environment).
    /// Returns only if that fails, leaving the process as it was.
    static func reexecute() {
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cargs.append(nil)
        fflush(nil)   // every open output stream
        execv("/proc/self/exe", &cargs)
        for p in cargs { free(p) }   // execv failed: carry on unpinned; the manifest will say so
    }
}
