import Foundation

/// Lines collected from any thread: a sink for the progress reports tests read back (`SolverProgress`,
/// `ProgressReporter(sink:)`).
public final class CollectedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    public init() {}

    public func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    public var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
