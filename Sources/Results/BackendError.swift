import Foundation

/// Why a backend could not deliver a point.
public enum BackendError: Error, CustomStringConvertible, Sendable {
    /// The backend cannot represent this model or observable (a planner bug if it reaches a run).
    case unsupported(String)
    /// The estimated memory exceeds the budget.
    case memory(needed: Int, budget: Int)
    /// An iterative method did not converge.
    case noConvergence(String)
    /// A numerical failure (singular matrix, non-finite values).
    case numerical(String)

    public var description: String {
        switch self {
        case .unsupported(let s): return "unsupported: \(s)"
        case .memory(let n, let b):
            return "needs about \(ByteCount(n)) but the memory budget is \(ByteCount(b))"
        case .noConvergence(let s): return "did not converge: \(s)"
        case .numerical(let s): return "numerical failure: \(s)"
        }
    }
}

/// A byte count printed with a binary prefix ("1.5 GiB").
public struct ByteCount: CustomStringConvertible, Sendable {
    public let bytes: Int
    public init(_ bytes: Int) { self.bytes = bytes }
    public var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var v = Double(bytes), k = 0
        while v >= 1024 && k < units.count - 1 { v /= 1024; k += 1 }
        return k == 0 ? "\(bytes) B" : String(format: "%.1f %@", v, units[k])
    }
}
