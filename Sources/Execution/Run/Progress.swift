import Foundation

/// Progress on standard error: one updating line on a terminal, one line per point otherwise.
public final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var start = DispatchTime.now().uptimeNanoseconds
    private let interactive: Bool
    private let quiet: Bool

    public init(quiet: Bool = false) {
        self.quiet = quiet
        interactive = isatty(STDERR_FILENO) != 0
    }

    func start(total: Int) {
        lock.lock(); defer { lock.unlock() }
        self.total = total
        done = 0
        start = DispatchTime.now().uptimeNanoseconds
    }

    func pointDone(_ o: PointOutcome) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        guard !quiet else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = Double(done) / max(elapsed, 1e-9)
        let left = Double(total - done) / max(rate, 1e-9)
        if interactive {
            let line = String(
                format: "\r[%d/%d] %.2f points/s, %@ elapsed, ~%@ left   ", done, total, rate,
                Self.clock(elapsed), Self.clock(left))
            FileHandle.standardError.write(Data(line.utf8))
        } else {
            let params = o.parameters.map { "\($0.path)=\(String(format: "%.6g", $0.value))" }.joined(separator: " ")
            let line = String(
                format: "point %d/%d done (#%d %@, %@) in %.2f s; ~%@ left\n", done, total, o.index,
                params.isEmpty ? "-" : params, o.backend.rawValue, o.seconds, Self.clock(left))
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// One solve of an `optimize` search (a point of the papers' figures at large N takes 10–20 solves of
    /// minutes each, so the point alone would leave the user without news for an hour): a line with the
    /// value tried, the objective and the time since the run started. On a terminal it ends the updating
    /// line first, which the next point redraws.
    func searchStep(point: Int, evaluation: Int, path: String, x: Double, key: String, value: Double) {
        lock.lock(); defer { lock.unlock() }
        guard !quiet else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let line = String(
            format: "%@point #%d: optimize solve %d, %@ = %.6g → %@ = %.6g (%@ elapsed)\n", interactive ? "\r" : "", point, evaluation,
            path, x, key, value, Self.clock(elapsed))
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if interactive && !quiet && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
