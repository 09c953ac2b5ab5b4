import Foundation
import Physics
import Results

/// The three printouts of a plan: text for people, JSON for tools, DOT for Graphviz.
extension ExecutionPlan {
    public func json() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? enc.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public func dot() -> String {
        var out = "digraph \"\(name)\" {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
        for stage in Stage.allCases {
            let ns = nodes.filter { $0.stage == stage }
            guard !ns.isEmpty else { continue }
            out += "  subgraph cluster_\(stage.rawValue) {\n    label=\"\(stage.rawValue)\";\n"
            for n in ns {
                let pts = n.points.count == points.count && points.count > 1 ? "all points" : "points \(Self.ranges(n.points))"
                out += "    \"\(n.id)\" [label=\"\(Self.escape(n.label))\\n\(pts)\"];\n"
            }
            out += "  }\n"
        }
        for n in nodes { for i in n.inputs { out += "  \"\(i)\" -> \"\(n.id)\";\n" } }
        return out + "}\n"
    }

    public func text() -> String {
        var out = "plan for '\(name)': \(points.count) point\(points.count == 1 ? "" : "s")"
        out += ", memory budget \(ByteCount(memoryBudget)) per point\n"
        if let o = optimize { out += "optimize: \(o) at every point\n" }
        out += "\ngraph (geometry → couplings → model → solve → observables → artifacts):\n"
        for stage in Stage.allCases {
            let ns = nodes.filter { $0.stage == stage }
            guard !ns.isEmpty else { continue }
            let shared = ns.count == 1 && points.count > 1 ? " (shared by all points)" : ""
            out += "  \(stage.rawValue): \(ns.count) node\(ns.count == 1 ? "" : "s")\(shared)\n"
            for n in ns.prefix(4) {
                out +=
                    "    \(n.id): \(n.label)\(n.inputs.isEmpty ? "" : " ← \(n.inputs.prefix(3).joined(separator: ", "))\(n.inputs.count > 3 ? ", …" : "")")\n"
            }
            if ns.count > 4 { out += "    … \(ns.count - 4) more\n" }
        }
        out += "\nbackends:\n"
        for (b, n) in backendCounts { out += "  \(b.rawValue): \(n) point\(n == 1 ? "" : "s")\n" }
        let total = points.reduce(0.0) { $0 + $1.estimate.seconds }
        let peak = points.map(\.estimate.memoryBytes).max() ?? 0
        out += "  total work ~\(CostEstimate.duration(total)) (rough), peak memory per point ≈ \(ByteCount(peak))\n"
        for w in Planner.costWarnings(points, machineMemory: Int(clamping: ProcessInfo.processInfo.physicalMemory)) {
            out += "  warning: \(w.message)\n"
        }
        out += "\npoints:\n"
        let shown = points.count <= 12 ? Array(points) : Array(points.prefix(6)) + Array(points.suffix(3))
        for (k, p) in shown.enumerated() {
            if points.count > 12 && k == 6 { out += "  … \(points.count - 9) more points\n" }
            let params = p.parameterOrder.map { "\($0) = \(String(format: "%.6g", p.parameters[$0] ?? .nan))" }.joined(separator: ", ")
            out += "  #\(p.index)\(params.isEmpty ? "" : " [\(params)]"): \(p.backend.rawValue), N = \(p.dipoles) — \(p.reason)\n"
            out += "      \(p.estimate.summary)\n"
            for b in BackendKind.allCases where b != p.backend {
                if let r = p.ruledOut[b.rawValue] { out += "      not \(b.rawValue): \(r)\n" }
            }
        }
        return out
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "\"", with: "\\\"") }

    /// "0-3, 7, 9-11"
    static func ranges(_ xs: [Int]) -> String {
        var out: [String] = []
        var i = 0
        let s = xs.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            out.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return out.joined(separator: ", ")
    }
}
