import Foundation

/// The structure of the spec language, declared once. The validator walks a YAML tree against it and
/// `JSONSchemaExport` prints it as JSON Schema, so the two cannot disagree.
public indirect enum Shape: Sendable {
    /// A mapping with the given fields; unknown keys are errors.
    case object(ObjectShape)
    /// A value with a unit of `family` ("7.5 Gamma"); a bare number only when `family` is dimensionless.
    case quantity(UnitFamily, Bound)
    /// A plain number.
    case number(Bound)
    case integer(min: Int?, max: Int?)
    /// A string; `pattern` is a regular expression the whole string must match.
    case string(pattern: String?, example: String?)
    /// One of a fixed set of names.
    case keyword([String])
    case boolean
    case list(Shape, min: Int?, max: Int?)
    /// One of several alternatives, told apart by the node: a name, a one-key mapping `{tag: …}`,
    /// or another shape (scalar, list or mapping).
    case variants([Variant])
    /// A mapping whose keys are free (sweep paths) and whose values all have one shape.
    case dictionary(keyDescription: String, value: Shape)
    /// Any scalar (a number or a quantity checked later against what it refers to).
    case scalar(description: String)

    public struct Bound: Sendable {
        public var lower: Double?
        public var lowerInclusive: Bool
        public var upper: Double?
        public static let none = Bound(lower: nil, lowerInclusive: true, upper: nil)
        public static let positive = Bound(lower: 0, lowerInclusive: false, upper: nil)
        public static let nonNegative = Bound(lower: 0, lowerInclusive: true, upper: nil)

        func violation(_ x: Double) -> String? {
            if let l = lower {
                if lowerInclusive && x < l { return l == 0 ? "must not be negative" : "must be at least \(fmt(l))" }
                if !lowerInclusive && x <= l { return l == 0 ? "must be positive" : "must be greater than \(fmt(l))" }
            }
            if let u = upper, x > u { return "must be at most \(fmt(u))" }
            return nil
        }
    }
}

func fmt(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}

public struct Field: Sendable {
    public var name: String
    public var shape: Shape
    public var doc: String
    /// The default as it would be written in a spec (also shown in the schema).
    public var defaultText: String?
    public var required: Bool

    public init(_ name: String, _ shape: Shape, _ doc: String, default d: String? = nil, required: Bool = false) {
        self.name = name
        self.shape = shape
        self.doc = doc
        self.defaultText = d
        self.required = required
    }
}

public struct ObjectShape: Sendable {
    public var fields: [Field]
    public var doc: String
    public init(_ doc: String, _ fields: [Field]) { self.doc = doc; self.fields = fields }
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

public enum Variant: Sendable {
    /// A bare name, e.g. `ground`.
    case keyword(String, doc: String)
    /// A one-key mapping `{name: value}`, e.g. `{uniform: {width: 1 Gamma}}`.
    case tagged(String, Shape, doc: String)
    /// Any other shape, chosen when the node's kind fits it.
    case other(Shape)

    var keywordName: String? { if case .keyword(let n, _) = self { return n }; return nil }
    var tagName: String? { if case .tagged(let n, _, _) = self { return n }; return nil }
}
