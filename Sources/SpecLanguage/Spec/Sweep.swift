import Foundation

/// Sweep and optimize paths: which scalars can be varied, and how their values are read.
enum SweepPaths {
    struct Target {
        var family: UnitFamily
        var isInteger: Bool
        var shape: Shape
    }

    /// The scalar a dotted path names, or a diagnostic.
    static func target(_ path: String, at loc: SourceLocation, diagnostics: DiagnosticEngine) -> Target? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let shape = ExperimentSchema.shape(at: parts), ExperimentSchema.scalarPaths.contains(path) else {
            let hint = Suggestions.hint(for: path, in: ExperimentSchema.scalarPaths)
            if ExperimentSchema.shape(at: parts) != nil {
                diagnostics.error(
                    "'\(path)' is not a single number, so it cannot be swept", at: loc,
                    hint: hint ?? "sweepable paths include system.pump.rate, system.lattice.spacing")
            } else {
                diagnostics.error(
                    "'\(path)' names nothing in the spec", at: loc,
                    hint: hint ?? "sweepable paths include system.pump.rate, system.lattice.spacing")
            }
            return nil
        }
        switch shape {
        case .quantity(let f, _): return Target(family: f, isInteger: false, shape: shape)
        case .number: return Target(family: .dimensionless, isInteger: false, shape: shape)
        case .integer: return Target(family: .dimensionless, isInteger: true, shape: shape)
        case .variants(let vs):
            // e.g. lattice sites: an integer or a list; only the integer form can be swept.
            for v in vs {
                if case .other(let s) = v, case .integer = s { return Target(family: .dimensionless, isInteger: true, shape: s) }
                if case .other(let s) = v, case .quantity(let f, _) = s { return Target(family: f, isInteger: false, shape: s) }
            }
            return nil
        default:
            return nil
        }
    }

    /// A value written for a path of `family`, in canonical units.
    static func value(
        _ node: YAMLNode, family: UnitFamily, gammaSI: Double?, lambdaSI: Double?,
        diagnostics: DiagnosticEngine, path: String
    ) -> Double? {
        guard let text = node.scalar else {
            diagnostics.error("a value for '\(path)' must be a single number, not \(node.kindDescription)", at: node.location)
            return nil
        }
        switch Quantity.parse(text) {
        case .failure:
            diagnostics.error(
                "'\(text)' is not a \(family == .dimensionless ? "number" : family.rawValue) for '\(path)'",
                at: node.location, hint: family == .dimensionless ? nil : "e.g. \(family.examples)")
            return nil
        case .success(let q):
            guard q.unit.family == family else {
                if q.unit.family == .dimensionless {
                    diagnostics.error(
                        "'\(path)' is a \(family.rawValue): '\(text)' needs a unit", at: node.location,
                        hint: "e.g. \(family.examples)")
                } else {
                    diagnostics.error(
                        "'\(path)' is \(family == .dimensionless ? "a plain number" : "a \(family.rawValue)"), but '\(q.unitText)' is a unit of \(q.unit.family.rawValue)",
                        at: node.location)
                }
                return nil
            }
            guard let v = q.canonical(gammaSI: gammaSI, lambdaSI: lambdaSI) else {
                diagnostics.error(
                    "'\(text)' is in physical units, but the spec names no species to convert it",
                    at: node.location, hint: "add system.species, or use Gamma/lambda units")
                return nil
            }
            return v
        }
    }

    /// How a canonical value is written back into a spec: full precision and the canonical unit.
    static func text(_ v: Double, family: UnitFamily, isInteger: Bool) -> String {
        // A whole number too large for an Int is written as a number (the checker then refuses it).
        if isInteger, abs(v) < 1e15 { return String(Int(v.rounded())) }
        let num = String(format: "%.17g", v)
        switch family {
        case .rate: return num + " Gamma"
        case .length: return num + " lambda"
        case .time: return num + " /Gamma"
        case .angle: return num + " rad"
        case .intensity: return num + " W/m^2"
        case .area: return num + " m^2"
        case .dimensionless: return num
        }
    }
}
