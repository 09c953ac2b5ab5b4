import Foundation

/// Progress on standard error: one updating line on a terminal, one line per point otherwise, and
/// the backends' notes from within a long point (`solverNote`).
public final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var start = DispatchTime.now().uptimeNanoseconds
    private let interactive: Bool
    private let quiet: Bool
    /// Seconds between two printed solver notes (the first comes this long after the run starts), so
    /// that only long solves report and a log stays short.
    private let noteInterval: Double
    private var lastNote = DispatchTime.now().uptimeNanoseconds
    private let write: (String) -> Void

    /// `sink` takes the lines instead of standard error (tests); it is never a terminal.
    public init(quiet: Bool = false, noteInterval: Double = 10, sink: ((String) -> Void)? = nil) {
        self.quiet = quiet
        self.noteInterval = noteInterval
        interactive = sink == nil && isatty(STDERR_FILENO) != 0
        write = sink ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    func start(total: Int) {
        lock.lock(); defer { lock.unlock() }
        self.total = total
        done = 0
        start = DispatchTime.now().uptimeNanoseconds
        lastNote = start
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
            write(line)
        } else {
            let params = o.parameters.map { "\($0.path)=\(String(format: "%.6g", $0.value))" }.joined(separator: " ")
            let line = String(
                format: "point %d/%d done (#%d %@, %@) in %.2f s; ~%@ left\n", done, total, o.index,
                params.isEmpty ? "-" : params, o.backend.rawValue, o.seconds, Self.clock(left))
            write(line)
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
        write(line)
    }

    /// A backend's note on point `point` (`SolverProgress`), printed when `noteInterval` has passed since
    /// the last one (or the start): "point #3: cumulant steady state: step 7, … (2:13 elapsed)". On a
    /// terminal it ends the updating line first, which the next point redraws.
    func solverNote(point: Int, _ text: String) {
        lock.lock(); defer { lock.unlock() }
        guard !quiet else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard Double(now - lastNote) / 1e9 >= noteInterval else { return }
        lastNote = now
        let elapsed = Double(now - start) / 1e9
        write(String(format: "%@point #%d: %@ (%@ elapsed)\n", interactive ? "\r" : "", point, text, Self.clock(elapsed)))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if interactive && !quiet && total > 0 { write("\n") }
    }

    static func clock(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
