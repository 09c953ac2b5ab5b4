import Foundation
import LinearAlgebra

// Benchmarks run the kernels that runs use (docs/reproducibility.md); DIPOLESYNC_BLAS_KERNELS=native
// measures the CPU's own.
BLASKernels.pinProcess()

// Each backend registers its benchmark cases in a file of its own (MeanFieldBench.swift, …).
// Usage: dipolesync-bench CASE [ARGS...]; prints `key: value` lines that benchmarks/*.sh collect.
let cases: [String: ([String]) throws -> Void] = [
    "mean-field": meanFieldBenchmark,
    "cumulant": cumulantBenchmark,
    "dicke": dickeBenchmark,
    "exact": exactBenchmark
]

let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first, let run = cases[name] else {
    FileHandle.standardError.write("usage: dipolesync-bench \(cases.keys.sorted().joined(separator: "|")) [ARGS...]\n".data(using: .utf8)!)
    exit(2)
}
print("blas_kernels: \(BLASKernels.current)\(BLASKernels.isPinned ? " (pinned)" : " (native)")")
do {
    try run(Array(args.dropFirst()))
} catch {
    FileHandle.standardError.write("dipolesync-bench: \(error)\n".data(using: .utf8)!)
    exit(3)
}

/// Peak resident memory of this process in bytes (Linux: VmHWM from /proc/self/status).
func peakResidentBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

/// Wall-clock seconds of `body`.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
}

/// CPU seconds (user + system) this process has used so far, all threads: on a shared machine the
/// cost of a computation, where wall-clock time also counts the other processes' load.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}
