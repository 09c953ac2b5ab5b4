import Dispatch

/// Fork–join: runs `body(0)`, …, `body(iterations − 1)` on the global thread pool and returns when every
/// call has finished (`DispatchQueue.concurrentPerform`).
///
/// This is the one place the program's parallel loops go through. `concurrentPerform` asks for a
/// `@Sendable` closure because, in general, a closure handed to another thread may outlive the call;
/// here it cannot (the call blocks until all iterations are done), and every caller's iterations write
/// disjoint memory or take a lock, which each call site states. So the closure is passed on unchecked
/// rather than every caller copying its buffers into `Sendable` boxes.
public func concurrentForEach(iterations: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: iterations) { body($0) }
    }
}
