import Foundation
import LinearAlgebra
import Physics
import Results

/// What a bundle's manifest says about the machine arithmetic that computed it, and how `rerun`
/// compares against it (docs/reproducibility.md).
public struct ArithmeticRecord: Equatable, Sendable {
    /// The OpenBLAS kernel set (e.g. "Haswell"); nil when the manifest does not say.
    public var kernels: String?
    /// Whether the kernels were pinned to the portable set (false: the user opted out, or a bundle
    /// written before pinning existed).
    public var pinned: Bool
    /// The OpenBLAS version, e.g. "0.3.21".
    public var blasVersion: String?
    /// `uname -m` of the machine that computed it; nil for bundles that predate the record (x86-64).
    public var architecture: String?

    /// The record of this process.
    public static var current: ArithmeticRecord {
        ArithmeticRecord(
            kernels: BLASKernels.current, pinned: BLASKernels.isPinned,
            blasVersion: version(of: BLASLibrary.configuration), architecture: BLASKernels.architecture)
    }

    /// Reads the `libraries` record of a manifest. Bundles written before the kernels were recorded on
    /// their own carry them in OpenBLAS's build description ("OpenBLAS 0.3.21 … Haswell MAX_THREADS=64").
    public init(libraries: BundleManifest.Libraries) {
        let config = libraries.blas ?? ""
        var kernels = libraries.blasKernels
        if kernels == nil {
            let words = config.split(separator: " ").map(String.init)
            if let i = words.firstIndex(where: { $0.hasPrefix("MAX_THREADS") }), i > 0 { kernels = words[i - 1] }
        }
        self.init(
            kernels: kernels, pinned: libraries.blasKernelsPinned ?? false, blasVersion: Self.version(of: config),
            architecture: libraries.architecture)
    }

    /// The record of a manifest given as JSON (an empty record when it has no readable `libraries`).
    public init(manifest: ResultValue) {
        guard let value = manifest.field("libraries"),
            let libraries = try? ResultValueCoder.decode(BundleManifest.Libraries.self, from: value)
        else {
            self.init(kernels: nil, pinned: false, blasVersion: nil, architecture: nil)
            return
        }
        self.init(libraries: libraries)
    }

    public init(kernels: String?, pinned: Bool, blasVersion: String?, architecture: String?) {
        self.kernels = kernels
        self.pinned = pinned
        self.blasVersion = blasVersion
        self.architecture = architecture
    }

    /// "0.3.21" from "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
    static func version(of config: String) -> String? {
        let words = config.split(separator: " ")
        guard words.count > 1, words[0] == "OpenBLAS" else { return nil }
        return String(words[1])
    }

    public var summary: String {
        "\(kernels ?? "unrecorded") kernels, OpenBLAS \(blasVersion ?? "?"), \(architecture ?? "x86_64")"
    }
}

/// How a rerun compares numbers: bit for bit where the arithmetic is the same, otherwise within a
/// tolerance that it states with the reason.
public struct RerunComparison: Sendable {
    /// The tolerance applied when the arithmetic differs and the user gave none.
    public static let crossMachineTolerance = 1e-9

    public var rtol: Double
    /// Why `rtol` is what it is, when it is not the bit-identical default or the user's choice.
    public var reason: String?

    /// `stored` is the bundle's record, `now` this process's, `requested` the user's `--rtol`.
    public init(stored: ArithmeticRecord, now: ArithmeticRecord, requested: Double?) {
        if let r = requested { self.rtol = r; self.reason = nil; return }
        var differs: [String] = []
        if let k = stored.kernels, k.caseInsensitiveCompare(now.kernels ?? "") != .orderedSame {
            let why = BLASKernels.canRun(k) ? "\(BLASKernels.choiceVariable)=native" : "this CPU cannot run them"
            differs.append("it was computed with \(k) kernels, this run uses \(now.kernels ?? "unknown") (\(why))")
        }
        if let v = stored.blasVersion, let w = now.blasVersion, v != w { differs.append("it was computed with OpenBLAS \(v), this is \(w)") }
        if (stored.architecture ?? "x86_64") != (now.architecture ?? "x86_64") {
            differs.append("it was computed on \(stored.architecture ?? "x86_64"), this is \(now.architecture ?? "?")")
        }
        if differs.isEmpty { self.rtol = 0; self.reason = nil; return }
        self.rtol = Self.crossMachineTolerance
        self.reason = "comparing within rtol \(Self.crossMachineTolerance) instead of bit for bit: " + differs.joined(separator: "; ")
    }

    /// Before re-executing a bundle, makes this process run the kernel set that computed it, when this
    /// CPU can (re-executes the program; returns when nothing needs to change or it cannot).
    public static func adoptKernels(of stored: ArithmeticRecord) {
        guard let k = stored.kernels, k.caseInsensitiveCompare(BLASKernels.current) != .orderedSame,
            (stored.architecture ?? "x86_64") == BLASKernels.architecture
        else { return }
        BLASKernels.pinProcess(to: k)
    }
}
