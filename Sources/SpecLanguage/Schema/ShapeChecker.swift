import Foundation

/// Walks a YAML tree against a `Shape` and reports every structural problem: unknown keys (with
/// did-you-mean), missing keys, wrong kinds, unknown names, units of the wrong family, out-of-range
/// numbers. It builds nothing: `SpecBuilder` reads the tree afterwards.
struct ShapeChecker {
    let diagnostics: DiagnosticEngine

    func check(_ node: YAMLNode, against shape: Shape, path: String) {
        switch shape {
        case .object(let o): checkObject(node, o, path: path)
        case .quantity(let family, let bound): checkQuantity(node, family, bound, path: path)
        case .number(let bound):
            guard let s = scalarText(node, expected: "a number", path: path) else { return }
            guard let x = Double(s), x.isFinite, node.isPlainScalar else {
                diagnostics.error("\(name(path)) must be a number, not '\(s)'", at: node.location)
                return
            }
            if let v = bound.violation(x) { diagnostics.error("\(name(path)) \(v) (got \(s))", at: node.location) }
        case .integer(let lo, let hi):
            guard let s = scalarText(node, expected: "a whole number", path: path) else { return }
            guard let k = Int(s), node.isPlainScalar else {
                var hint: String?
                if let x = Double(s), x.isFinite, abs(x) < 1e15 { hint = "write a whole number, e.g. \(Int(x.rounded(.down)))" }
                diagnostics.error("\(name(path)) must be a whole number, not '\(s)'", at: node.location, hint: hint)
                return
            }
            if let lo, k < lo {
                diagnostics.error(
                    "\(name(path)) must be at least \(lo) (got \(k))", at: node.location,
                    hint: hi.map { "allowed range: \(lo)…\($0)" })
            } else if let hi, k > hi {
                diagnostics.error(
                    "\(name(path)) must be at most \(hi) (got \(k))", at: node.location,
                    hint: lo.map { "allowed range: \($0)…\(hi)" })
            }
        case .string(let pattern, let example):
            guard let s = scalarText(node, expected: "a string", path: path) else { return }
            if pattern == ExperimentSchema.namePattern, s.count > ExperimentSchema.maximumNameLength {
                diagnostics.error(
                    "\(name(path)) has \(s.count) characters; it names the bundle folder, which takes at most \(ExperimentSchema.maximumNameLength)",
                    at: node.location, hint: example.map { "a short name, for example '\($0)'" })
            } else if let p = pattern, s.range(of: p, options: .regularExpression) == nil {
                let rule =
                    p == ExperimentSchema.namePattern
                    ? "use lowercase letters, digits and '-', starting with a letter or digit"
                    : "expected the form \(p)"
                diagnostics.error(
                    "\(name(path)) '\(s)' is not allowed: \(rule)", at: node.location,
                    hint: example.map { "for example '\($0)'" })
            }
        case .keyword(let names):
            guard let s = scalarText(node, expected: "one of \(list(names))", path: path) else { return }
            if !names.contains(s) {
                diagnostics.error(
                    "unknown \(kindWord(path)) '\(s)'", at: node.location,
                    hint: Suggestions.hint(for: s, in: names) ?? "expected one of \(list(names))")
            }
        case .boolean:
            guard let s = scalarText(node, expected: "on or off", path: path) else { return }
            if Self.boolean(s) == nil {
                diagnostics.error("\(name(path)) must be on or off, not '\(s)'", at: node.location)
            }
        case .list(let item, let lo, let hi):
            guard let items = node.items else {
                diagnostics.error("\(name(path)) must be a list, not \(node.kindDescription)", at: node.location)
                return
            }
            if let lo, items.count < lo {
                diagnostics.error(
                    "\(name(path)) needs at least \(lo) item\(lo == 1 ? "" : "s") (got \(items.count))",
                    at: node.location)
            }
            if let hi, items.count > hi {
                diagnostics.error(
                    "\(name(path)) takes at most \(hi) item\(hi == 1 ? "" : "s") (got \(items.count))",
                    at: node.location)
            }
            for it in items { check(it, against: item, path: path + "[]") }
        case .variants(let vs): checkVariants(node, vs, path: path)
        case .dictionary(_, let value):
            guard let entries = node.entries else {
                diagnostics.error("\(name(path)) must be a mapping, not \(node.kindDescription)", at: node.location)
                return
            }
            for e in entries { check(e.value, against: value, path: path + "." + e.key) }
        case .scalar(let description):
            if node.scalar == nil {
                diagnostics.error("\(name(path)) must be \(description), not \(node.kindDescription)", at: node.location)
            }
        }
    }

    static func boolean(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "on", "true", "yes": return true
        case "off", "false", "no": return false
        default: return nil
        }
    }

    private func checkObject(_ node: YAMLNode, _ o: ObjectShape, path: String) {
        guard let entries = node.entries else {
            let keys = o.fields.map(\.name)
            diagnostics.error(
                "\(name(path)) must be a mapping, not \(node.kindDescription)", at: node.location,
                hint: "expected keys: \(keys.joined(separator: ", "))")
            return
        }
        for e in entries {
            if let f = o.field(e.key) {
                if e.value.isNull && !f.required {
                    diagnostics.error(
                        "\(name(path.isEmpty ? e.key : path + "." + e.key)) has no value", at: e.keyLocation,
                        hint: f.defaultText.map { "leave the key out for the default (\($0))" })
                    continue
                }
                check(e.value, against: f.shape, path: path.isEmpty ? e.key : path + "." + e.key)
            } else {
                let known = o.fields.map(\.name)
                let guess = Suggestions.closest(to: e.key, in: known)
                diagnostics.error(
                    "unknown key '\(e.key)'\(path.isEmpty ? "" : " in \(path)")", at: e.keyLocation,
                    hint: guess.map { "did you mean '\($0)'?" } ?? "expected one of \(list(known))")
                // Check the value as if the key were spelled right, so its own problems show up now.
                if let g = guess, let f = o.field(g), !entries.contains(where: { $0.key == g }) {
                    check(e.value, against: f.shape, path: path.isEmpty ? g : path + "." + g)
                }
            }
        }
        let misspelled = Set(entries.compactMap { e in o.field(e.key) == nil ? Suggestions.closest(to: e.key, in: o.fields.map(\.name)) : nil })
        for f in o.fields where f.required && !entries.contains(where: { $0.key == f.name }) && !misspelled.contains(f.name) {
            diagnostics.error("missing required key '\(f.name)'\(path.isEmpty ? "" : " in \(path)")", at: node.location)
        }
    }

    private func checkQuantity(_ node: YAMLNode, _ family: UnitFamily, _ bound: Shape.Bound, path: String) {
        guard
            let s = scalarText(node, expected: family == .dimensionless ? "a number" : "a \(family.rawValue) such as \(family.examples)", path: path)
        else { return }
        switch Quantity.parse(s) {
        case .failure(.notANumber):
            diagnostics.error(
                "\(name(path)) must be a \(family.rawValue), not '\(s)'", at: node.location,
                hint: "write a number and a unit, e.g. \(family.examples)")
        case .failure(.unknownUnit(let u)):
            let all = Quantity.units.keys.sorted()
            diagnostics.error(
                "unknown unit '\(u)' in \(name(path))", at: node.location,
                hint: Suggestions.hint(for: u, in: family.unitNames)
                    ?? Suggestions.hint(for: u, in: all)
                    ?? "\(family.rawValue) units: \(family.unitNames.joined(separator: ", "))")
        case .success(let q):
            if q.unit.family != family {
                if q.unit.family == .dimensionless {
                    diagnostics.error(
                        "\(name(path)) needs a unit: a \(family.rawValue) such as \(family.examples)",
                        at: node.location, hint: "bare numbers are only allowed for dimensionless quantities")
                } else {
                    diagnostics.error(
                        "\(name(path)) must be a \(family.rawValue), but '\(q.unitText)' is a unit of \(q.unit.family.rawValue)",
                        at: node.location, hint: "\(family.rawValue) units: \(family.unitNames.joined(separator: ", "))")
                }
                return
            }
            if let v = bound.violation(q.value) { diagnostics.error("\(name(path)) \(v) (got \(s))", at: node.location) }
        }
    }

    private func checkVariants(_ node: YAMLNode, _ vs: [Variant], path: String) {
        let keywords = vs.compactMap(\.keywordName)
        let tags = vs.compactMap(\.tagName)
        let others: [Shape] = vs.compactMap {
            if case .other(let s) = $0 { return s }; return nil
        }
        let accepted = (keywords + tags.map { "{\($0): …}" })
        switch node.kind {
        case .scalar(let s, _):
            if keywords.contains(s) { return }
            if let sc = others.first(where: { isScalarShape($0) }) { check(node, against: sc, path: path); return }
            if tags.contains(s) {
                diagnostics.error("'\(s)' in \(name(path)) needs its options: write {\(s): …}", at: node.location)
                return
            }
            diagnostics.error(
                "unknown \(kindWord(path)) '\(s)'", at: node.location,
                hint: Suggestions.hint(for: s, in: keywords + tags) ?? "expected one of \(list(accepted))")
        case .sequence:
            if let ls = others.first(where: {
                if case .list = $0 { return true }; return false
            }) {
                check(node, against: ls, path: path)
            } else {
                diagnostics.error("\(name(path)) must not be a list", at: node.location, hint: "expected one of \(list(accepted))")
            }
        case .mapping(let entries):
            if entries.count == 1, let e = entries.first,
                case .tagged(_, let shape, _)? = vs.first(where: { $0.tagName == e.key })
            {
                check(e.value, against: shape, path: path + "." + e.key)
                return
            }
            if let os = others.first(where: {
                if case .object = $0 { return true }; return false
            }) {
                check(node, against: os, path: path)
                return
            }
            if entries.count == 1, let e = entries.first {
                if keywords.contains(e.key) {
                    diagnostics.error(
                        "'\(e.key)' takes no options in \(name(path))", at: e.keyLocation,
                        hint: "write just \(e.key)")
                } else {
                    diagnostics.error(
                        "unknown \(kindWord(path)) '\(e.key)'", at: e.keyLocation,
                        hint: Suggestions.hint(for: e.key, in: tags + keywords) ?? "expected one of \(list(accepted))")
                }
            } else {
                diagnostics.error(
                    "\(name(path)) takes exactly one of \(list(tags)), not \(entries.count) keys",
                    at: entries.count > 1 ? entries[1].keyLocation : node.location)
            }
        }
    }

    private func isScalarShape(_ s: Shape) -> Bool {
        switch s {
        case .quantity, .number, .integer, .string, .keyword, .boolean, .scalar: return true
        default: return false
        }
    }

    private func scalarText(_ node: YAMLNode, expected: String, path: String) -> String? {
        guard let s = node.scalar else {
            diagnostics.error("\(name(path)) must be \(expected), not \(node.kindDescription)", at: node.location)
            return nil
        }
        return s
    }

    /// "system.lattice.spacing" → "'system.lattice.spacing'"; list items read "an item of …".
    private func name(_ path: String) -> String {
        var p = path
        var item = false
        while p.hasSuffix("[]") { p.removeLast(2); item = true }
        let clean = p.replacingOccurrences(of: "[]", with: "")
        return item ? "an item of '\(clean)'" : "'\(clean)'"
    }

    /// What the unknown name was meant to be, from the last key of the path.
    private func kindWord(_ path: String) -> String {
        let last = path.replacingOccurrences(of: "[]", with: "").split(separator: ".").last.map(String.init) ?? path
        switch last {
        case "shape": return "lattice shape"
        case "observables": return "observable"
        case "backend": return "backend"
        case "maximize": return "observable"
        default: return "value for '\(last)'"
        }
    }

    private func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
