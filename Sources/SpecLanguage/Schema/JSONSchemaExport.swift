import Foundation
import Physics
import Results

/// Prints the spec language as a JSON Schema (draft-07, what editors' YAML language servers read),
/// from the same `Shape` definitions the validator walks.
public enum JSONSchemaExport {
    public static func schema() -> String {
        var root = object(ExperimentSchema.root)
        root.insert(("$schema", .string("http://json-schema.org/draft-07/schema#")), at: 0)
        root.insert(("$id", .string("https://dipolesync.invalid/schemas/experiment.schema.json")), at: 1)
        root.insert(("title", .string("dipolesync experiment spec, version \(ExperimentSchema.version)")), at: 2)
        return JSONWriter.write(.object(root))
    }

    /// JSON with ordered keys (so the output is stable and diffable).
    typealias J = ResultValue

    static func object(_ o: ObjectShape) -> [(String, J)] {
        var props: [(String, J)] = []
        for f in o.fields {
            var s = shape(f.shape)
            s.insert(("description", .string(f.doc)), at: 0)
            if let d = f.defaultText { s.append(("default", defaultValue(d))) }
            props.append((f.name, .object(s)))
        }
        var out: [(String, J)] = [
            ("type", .string("object")), ("description", .string(o.doc)),
            ("properties", .object(props)), ("additionalProperties", .bool(false))
        ]
        let req = o.fields.filter(\.required).map { J.string($0.name) }
        if !req.isEmpty { out.append(("required", .array(req))) }
        return out
    }

    static func defaultValue(_ text: String) -> J {
        if let i = Int(text) { return .number(Double(i)) }
        if let x = Double(text) { return .number(x) }
        if text.hasPrefix("[") || text.hasPrefix("{"), let node = YAMLParser.parse(text, diagnostics: DiagnosticEngine(file: "")) {
            return fromYAML(node)
        }
        if text == "on" { return .bool(true) }
        return .string(text)
    }

    static func fromYAML(_ n: YAMLNode) -> J {
        switch n.kind {
        case .scalar(let s, let plain):
            if plain, let i = Int(s) { return .number(Double(i)) }
            if plain, let x = Double(s) { return .number(x) }
            return .string(s)
        case .sequence(let items): return .array(items.map(fromYAML))
        case .mapping(let es): return .object(es.map { ($0.key, fromYAML($0.value)) })
        }
    }

    static func quantityPattern(_ family: UnitFamily) -> String {
        let units = family.unitNames.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        let number = "[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?"
        let magic = family == .angle ? "|magic" : ""
        return "^(((2pi|2π)\\*)?\(number) ?(\(units))\(magic))$"
    }

    static func shape(_ s: Shape) -> [(String, J)] {
        switch s {
        case .object(let o): return object(o)
        case .quantity(let f, let b):
            if f == .dimensionless { return numberSchema(b) }
            return [
                ("type", .string("string")), ("pattern", .string(quantityPattern(f))),
                (
                    "examples",
                    .array(
                        f.examples.split(separator: ",").map {
                            .string($0.trimmingCharacters(in: CharacterSet(charactersIn: " '")))
                        })
                )
            ]
        case .number(let b): return numberSchema(b)
        case .integer(let lo, let hi):
            var o: [(String, J)] = [("type", .string("integer"))]
            if let lo { o.append(("minimum", .number(Double(lo)))) }
            if let hi { o.append(("maximum", .number(Double(hi)))) }
            return o
        case .string(let p, let ex):
            var o: [(String, J)] = [("type", .string("string"))]
            if let p { o.append(("pattern", .string(p))) }
            if let ex { o.append(("examples", .array([.string(ex)]))) }
            return o
        case .keyword(let names): return [("type", .string("string")), ("enum", .array(names.map { .string($0) }))]
        case .boolean: return [("enum", .array([.bool(true), .bool(false), .string("on"), .string("off")]))]
        case .list(let item, let lo, let hi):
            var o: [(String, J)] = [("type", .string("array")), ("items", .object(shape(item)))]
            if let lo { o.append(("minItems", .number(Double(lo)))) }
            if let hi { o.append(("maxItems", .number(Double(hi)))) }
            return o
        case .variants(let vs):
            var alts: [J] = []
            let names = vs.compactMap(\.keywordName)
            if !names.isEmpty {
                alts.append(.object([("type", .string("string")), ("enum", .array(names.map { .string($0) }))]))
            }
            for v in vs {
                switch v {
                case .keyword: break
                case .tagged(let n, let sh, let doc):
                    var inner = shape(sh)
                    if !doc.isEmpty { inner.insert(("description", .string(doc)), at: 0) }
                    alts.append(
                        .object([
                            ("type", .string("object")), ("properties", .object([(n, .object(inner))])),
                            ("required", .array([.string(n)])), ("additionalProperties", .bool(false))
                        ]))
                case .other(let sh): alts.append(.object(shape(sh)))
                }
            }
            return [("anyOf", .array(alts))]
        case .dictionary(let key, let value):
            return [
                ("type", .string("object")),
                (
                    "propertyNames",
                    .object([
                        ("description", .string(key)),
                        ("pattern", .string("^[a-z][a-zA-Z0-9-]*(\\.[a-zA-Z0-9-]+)*$"))
                    ])
                ),
                ("additionalProperties", .object(shape(value)))
            ]
        case .scalar(let d):
            return [("description", .string(d)), ("type", .array([.string("string"), .string("number"), .string("integer")]))]
        }
    }

    static func numberSchema(_ b: Shape.Bound) -> [(String, J)] {
        var o: [(String, J)] = [("type", .string("number"))]
        if let l = b.lower { o.append((b.lowerInclusive ? "minimum" : "exclusiveMinimum", .number(l))) }
        if let u = b.upper { o.append(("maximum", .number(u))) }
        return o
    }

}
