import Foundation
import Physics
import Results

/// One panel of the `figures:` section (docs/spec-language.md §12): presentation only, never part
/// of the resolved spec or the bundle ID. Axis values are in the canonical units of the swept path.
public struct FigureSpec: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case lines
        case heatMap = "heat-map"
        case bloch
    }

    public enum Style: String, Sendable, CaseIterable { case solid, dashed, dotted, points }

    /// The y axis of a heat map of the cluster order: the sizes d of `cluster-ZQ`, a result axis rather
    /// than a swept path; the map's value may then use the key `cluster-ZQ` (Z_Q^d at each d;
    /// docs/spec-language.md §12, docs/physics.md §3.2).
    public static let clusterSizeAxis = "cluster-size"
    /// The key of a point's optimum: the value of the `optimize.over` path where the maximum lies
    /// (docs/spec-language.md §8, §12), for a spec with `optimize`.
    public static let optimumKey = "optimum"

    /// The swept paths the analytic overlays are drawn along (docs/spec-language.md §12).
    public enum Swept {
        public static let pump = "system.pump.rate"
        public static let feff = "system.couplings.uniform.feff"
        public static let dephasing = "system.dephasing.rate"
    }

    /// A swept path that moves the mean-field dephasing threshold from point to point other than the
    /// all-to-all f_eff, for which it is drawn per value (nil: none; docs/physics.md §4.5): γ_nr, and for
    /// a lattice whatever changes its couplings. All-to-all couplings do not depend on the geometry, and
    /// g_eff does not enter the threshold.
    public static func thresholdChangingPath(_ spec: ExperimentSpec) -> String? {
        let uniform = if case .uniform = spec.system.couplings { true } else { false }
        let moving = ["system.nonradiative-decay."] + (uniform ? [] : FigureGeometry.couplingPrefixes)
        return (spec.sweep?.axes ?? []).map(\.path).first { path in moving.contains(where: path.hasPrefix) }
    }

    /// The keys a figure may read from a spec's points: those of its observables, the optimum's, and the
    /// swept paths (each point's value, e.g. to divide by a width that grows with γ_φ).
    public static func keys(of spec: ExperimentSpec) -> [String] {
        var seen = Set<String>()
        let observables = spec.observables.flatMap(\.figureKeys).filter { seen.insert($0).inserted }
        let swept = (spec.sweep?.axes ?? []).map(\.path).filter { seen.insert($0).inserted }
        return observables + (spec.optimize == nil ? [] : [optimumKey]) + swept
    }

    /// An axis: the swept path it runs along (x of every kind, y of a heat map), its label, scale and range.
    public struct Axis: Sendable {
        public var path: String?
        public var label: String?
        public var log: Bool
        public var range: [Double]?
        /// Colour bars only: the centre of a diverging map.
        public var centre: Double?
        /// Numbers along the axis are the swept values times this (`unit: deg` on an angle: 180/π).
        public var factor: Double = 1
    }

    /// Contour lines over a heat map: `levels` of `value` (nil: the coloured value). A value made of
    /// geometry keys only (`FigureGeometry`) is evaluated on a fine grid, not at the sweep points.
    public struct Contours: Sendable {
        public var value: FigureExpression?
        public var levels: [Double]
        /// Names the contoured value in the figure (default: its text).
        public var label: String?
    }

    /// Where a series takes its numbers: this bundle, the bundle of another spec (its default
    /// output folder or its archived copy), or a bundle folder. Paths are absolute.
    public enum Source: Sendable, Equatable {
        case this
        case spec(path: String, name: String)
        case bundle(path: String)
    }

    public struct Series: Sendable {
        public var value: FigureExpression
        public var label: String?
        public var style: Style
        public var source: Source
        /// Draw the ±1σ band of a value that is one observable with a `-stderr` key.
        public var errors: Bool
        public var location: SourceLocation
    }

    public enum Overlay: String, Sendable, CaseIterable {
        /// The mean-field synchronization threshold f_eff P = Q_∥Q_⊥ in the (W, f_eff) plane (docs/physics.md §4.2, §4.5).
        case meanFieldBoundary = "mean-field-boundary"
        /// The mean-field end of synchronization against dephasing, γ_φ = F/2 − √(2F(Γ + γ_nr)): a vertical
        /// line per f_eff over a `lines` figure of `system.dephasing.rate` (docs/physics.md §4.5).
        case meanFieldDephasingThreshold = "mean-field-dephasing-threshold"
    }

    public struct Reference: Sendable {
        public var horizontal: Bool
        public var value: Double
        public var label: String
    }

    public var name: String
    public var title: String?
    public var kind: Kind
    public var x: Axis
    public var y: Axis
    /// Lines: one curve per value of this swept path.
    public var curves: String?
    public var series: [Series]
    /// Heat maps: the colour, and its axis (label, log, range).
    public var value: FigureExpression?
    public var colour: Axis
    public var contours: Contours
    public var overlays: [Overlay]
    public var references: [Reference]
    public var location: SourceLocation
}

/// A value drawn in a figure: result keys combined with numbers, + − * /, parentheses and the
/// functions max, min (over the drawn points: `ZQ / max(ZQ)`), abs and sqrt. Binary minus needs
/// spaces around it or the sign −, since result keys contain '-' (`mutual-information - discord`).
public indirect enum FigureExpression: Sendable, Equatable {
    case number(Double)
    case key(String)
    case unary(String, FigureExpression)
    case binary(Character, FigureExpression, FigureExpression)

    public static let functions = ["max", "min", "abs", "sqrt"]

    /// The result keys the expression reads.
    public var keys: [String] {
        switch self {
        case .number: return []
        case .key(let k): return [k]
        case .unary(_, let e): return e.keys
        case .binary(_, let a, let b): return a.keys + b.keys
        }
    }

    /// Whether the expression takes `max` or `min` over the points (so a point's value depends on others).
    public var usesAggregate: Bool {
        switch self {
        case .number, .key: return false
        case .unary(let f, let e): return f == "max" || f == "min" || e.usesAggregate
        case .binary(_, let a, let b): return a.usesAggregate || b.usesAggregate
        }
    }

    /// The text as written back (for default labels).
    public var text: String {
        switch self {
        case .number(let v): return fmt(v)
        case .key(let k): return k
        case .unary("-", let e): return "−" + e.text
        case .unary(let f, let e): return "\(f)(\(e.text))"
        case .binary(let op, let a, let b):
            let wrap = { (e: FigureExpression) -> String in
                if case .binary(let o, _, _) = e, (o == "+" || o == "-") && (op == "*" || op == "/") { return "(\(e.text))" }
                return e.text
            }
            return "\(wrap(a)) \(op == "-" ? "−" : String(op)) \(wrap(b))"
        }
    }

    /// The values over `count` points, with `value(key)` giving a key's values (NaN where missing).
    public func evaluate(count: Int, _ value: (String) -> [Double]) -> [Double] {
        switch self {
        case .number(let v): return Array(repeating: v, count: count)
        case .key(let k):
            let v = value(k)
            return (0..<count).map { $0 < v.count ? v[$0] : .nan }
        case .unary(let f, let e):
            let v = e.evaluate(count: count, value)
            let finite = v.filter(\.isFinite)
            switch f {
            case "-": return v.map { -$0 }
            case "abs": return v.map { abs($0) }
            case "sqrt": return v.map { $0 >= 0 ? $0.squareRoot() : .nan }
            case "max": return Array(repeating: finite.max() ?? .nan, count: count)
            default: return Array(repeating: finite.min() ?? .nan, count: count)
            }
        case .binary(let op, let a, let b):
            let (u, v) = (a.evaluate(count: count, value), b.evaluate(count: count, value))
            return zip(u, v).map { x, y in
                switch op {
                case "+": return x + y
                case "-": return x - y
                case "*": return x * y
                default: return y == 0 ? .nan : x / y
                }
            }
        }
    }

    /// Parses `text`; the error names the column (0-based offset into text) where parsing stopped.
    public static func parse(_ text: String) -> Result<FigureExpression, ParseError> {
        var p = Parser(chars: Array(text))
        do {
            let e = try p.expression()
            p.skipSpaces()
            if p.i < p.chars.count { throw ParseError(offset: p.i, message: "unexpected '\(p.chars[p.i])'") }
            return .success(e)
        } catch let e as ParseError {
            return .failure(e)
        } catch {
            return .failure(ParseError(offset: 0, message: "cannot read the expression"))
        }
    }

    public struct ParseError: Error, Sendable {
        public var offset: Int
        public var message: String
    }

    struct Parser {
        var chars: [Character]
        var i = 0
        var depth = 0

        mutating func skipSpaces() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        mutating func expression() throws -> FigureExpression {
            depth += 1
            defer { depth -= 1 }
            if depth > 50 { throw ParseError(offset: i, message: "the expression nests too deeply") }
            var e = try term()
            while true {
                skipSpaces()
                guard i < chars.count, chars[i] == "+" || chars[i] == "-" || chars[i] == "−" else { return e }
                let op: Character = chars[i] == "+" ? "+" : "-"
                i += 1
                e = .binary(op, e, try term())
            }
        }

        mutating func term() throws -> FigureExpression {
            var e = try factor()
            while true {
                skipSpaces()
                guard i < chars.count, chars[i] == "*" || chars[i] == "/" || chars[i] == "×" else { return e }
                let op: Character = chars[i] == "/" ? "/" : "*"
                i += 1
                e = .binary(op, e, try factor())
            }
        }

        mutating func factor() throws -> FigureExpression {
            skipSpaces()
            guard i < chars.count else { throw ParseError(offset: i, message: "the expression ends early") }
            let c = chars[i]
            if c == "-" || c == "−" {
                i += 1
                depth += 1
                defer { depth -= 1 }
                if depth > 50 { throw ParseError(offset: i, message: "the expression nests too deeply") }
                return .unary("-", try factor())
            }
            if c == "(" {
                i += 1
                let e = try expression()
                skipSpaces()
                guard i < chars.count, chars[i] == ")" else { throw ParseError(offset: i, message: "missing ')'") }
                i += 1
                return e
            }
            if c.isNumber || c == "." {
                let start = i
                while i < chars.count,
                    chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "E"
                        || ((chars[i] == "+" || chars[i] == "-") && (chars[i - 1] == "e" || chars[i - 1] == "E"))
                {
                    i += 1
                }
                guard let v = Double(String(chars[start..<i])), v.isFinite else {
                    throw ParseError(offset: start, message: "'\(String(chars[start..<i]))' is not a number")
                }
                return .number(v)
            }
            if c.isLetter {
                let start = i
                // A key: letters, digits, '.', and '-' between two name characters (`mutual-information`).
                while i < chars.count,
                    chars[i].isLetter || chars[i].isNumber || chars[i] == "." || chars[i] == "_"
                        || (chars[i] == "-" && i + 1 < chars.count && (chars[i + 1].isLetter || chars[i + 1].isNumber))
                {
                    i += 1
                }
                let name = String(chars[start..<i])
                skipSpaces()
                if i < chars.count, chars[i] == "(" {
                    guard FigureExpression.functions.contains(name) else {
                        throw ParseError(
                            offset: start, message: "unknown function '\(name)' (known: \(FigureExpression.functions.joined(separator: ", ")))")
                    }
                    i += 1
                    let e = try expression()
                    skipSpaces()
                    guard i < chars.count, chars[i] == ")" else { throw ParseError(offset: i, message: "missing ')'") }
                    i += 1
                    return .unary(name, e)
                }
                return .key(name)
            }
            throw ParseError(offset: i, message: "unexpected '\(c)'")
        }
    }
}

/// Numbers of a point's geometry that a figure can contour (docs/spec-language.md §12): the couplings
/// of the nearest-neighbour pair of a regular lattice, dipoles 0 and 1, one spacing a apart along x
/// (docs/physics.md §2.1), in Γ. Only the sweep paths `system.lattice.spacing` and
/// `system.polarization.angle` change them among the paths that shape the couplings.
public enum FigureGeometry {
    /// `g-nearest`: the elastic coupling g(a); `f-nearest`: the dissipative f(a).
    public static let keys = ["g-nearest", "f-nearest"]
    /// The sweep paths a geometry key may be sampled along (others under these prefixes change the couplings otherwise).
    public static let samplePaths = ["system.lattice.spacing", "system.polarization.angle"]
    static let couplingPrefixes = ["system.lattice.", "system.couplings.", "system.polarization."]

    /// Why the system has no such numbers (nil: it has).
    public static func unavailable(_ s: SystemSpec) -> String? {
        switch s.lattice {
        case .chain, .square, .triangular, .cubic: break
        case .positions: return "a lattice of listed positions has no nearest-neighbour pair along x"
        case .allToAll: return "an all-to-all ensemble has no geometry"
        }
        if case .uniform = s.couplings { return "uniform couplings do not depend on the geometry" }
        return nil
    }

    /// Whether a swept path may be an axis along which geometry keys are sampled.
    public static func canSample(along path: String) -> Bool {
        samplePaths.contains(path) || !couplingPrefixes.contains { path.hasPrefix($0) }
    }

    /// The system with `path` set to `value` (canonical units); paths that leave the couplings alone leave it unchanged.
    public static func system(_ s: SystemSpec, setting path: String, to value: Double) -> SystemSpec {
        var t = s
        switch path {
        case "system.lattice.spacing": t.spacing = value
        case "system.polarization.angle": t.polarization = SystemSpec.polarization(angle: value)
        default: break
        }
        return t
    }

    /// The value of a geometry key for this system (nil: not a geometry key or not available).
    public static func value(_ key: String, _ s: SystemSpec) -> Double? {
        guard keys.contains(key), unavailable(s) == nil else { return nil }
        switch s.couplings {
        case .dipolar(let elastic):
            let norm = (s.polarization * s.polarization).sum().squareRoot()
            let cosTheta = norm > 0 ? s.polarization.x / norm : 0
            let (f, g) = Couplings.dipolarPair(zeta: 2 * Double.pi * s.spacing, cosTheta: cosTheta)
            return key == "g-nearest" ? (elastic ? g : 0) : f
        case .powerLaw(_, let strength): return key == "g-nearest" ? 0 : strength   // A (a/a)^α
        case .uniform: return nil
        }
    }
}

extension ObservableRequest {
    /// The result keys an observable fills that are one number per point (docs/physics.md §3.1), for
    /// checking the names in figure expressions; `-stderr` keys are accepted beside each.
    public var figureKeys: [String] {
        typealias K = ObservableWriter.Key
        switch kind {
        case .zq: return [K.zq, K.zq2]
        case .qfi: return [K.qfi, K.qfiWitness]
        case .qfiConditional: return [K.qfiConditional, K.qfiWitness]
        case .spectrum: return [K.spectrum + ".linewidth", K.spectrum + ".peak-frequency"]
        // The first pair's fit (docs/physics.md §3.3); the slow/fast split only where the backend reports it.
        case .twoTime: return ["A", "nu", "gamma", "gamma-slow", "A-slow", "gamma-fast", "A-fast"].map { K.twoTime + "." + $0 }
        // One key per cluster size: Z_Q^d of that cluster (`cluster-ZQ.d450`).
        case .clusterZQ: return clusterSizes.map { K.clusterZQ(size: $0) }
        case .correlations, .phases: return []
        default: return [kind.rawValue]
        }
    }
}
