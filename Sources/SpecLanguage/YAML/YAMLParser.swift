internal import CYAML
import Foundation

/// Reads one YAML document through libyaml's event API into a `YAMLNode` tree whose nodes keep their
/// 1-based line and column. Anchors, aliases and `<<` merge keys are resolved; duplicate keys,
/// several documents, non-scalar keys, control characters, bytes that are not UTF-8 and nesting
/// deeper than `maximumDepth` are reported with positions.
public enum YAMLParser {
    /// Aliases may not expand the document past this many nodes (a guard against "billion laughs").
    public static let maximumNodes = 1_000_000
    /// Lists and mappings may not nest deeper than this (the reader recurses once per level; a spec
    /// nests about 6 deep). Like the JSON reader's limit, it keeps hostile input from exhausting the stack.
    public static let maximumDepth = 128

    public static func parse(_ bytes: [UInt8], diagnostics: DiagnosticEngine) -> YAMLNode? {
        if let bad = firstInvalidUTF8(bytes) {
            diagnostics.error(
                "the file is not valid UTF-8 (byte 0x\(String(bad.byte, radix: 16, uppercase: true)))",
                at: bad.location, hint: "save the spec as UTF-8")
            return nil
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.error("could not start the YAML parser", at: .start)
            return nil
        }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buf -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var builder = Builder(diagnostics: diagnostics, bytes: bytes)
            return builder.run(&parser)
        }
    }

    public static func parse(_ text: String, diagnostics: DiagnosticEngine) -> YAMLNode? {
        parse(Array(text.utf8), diagnostics: diagnostics)
    }

    /// The position of the first byte that breaks UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (byte: UInt8, location: SourceLocation)? {
        var line = 1, col = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            var need = 0
            if b < 0x80 {
                need = 0
            } else if b & 0xE0 == 0xC0 && b >= 0xC2 {
                need = 1
            } else if b & 0xF0 == 0xE0 {
                need = 2
            } else if b & 0xF8 == 0xF0 && b <= 0xF4 {
                need = 3
            } else {
                return (b, SourceLocation(line: line, column: col))
            }
            if i + need >= bytes.count && need > 0 { return (b, SourceLocation(line: line, column: col)) }
            for k in 0..<need where bytes[i + 1 + k] & 0xC0 != 0x80 {
                return (bytes[i + 1 + k], SourceLocation(line: line, column: col))
            }
            if need == 2 {
                let cp = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                if cp < 0x800 || (0xD800...0xDFFF).contains(cp) { return (b, SourceLocation(line: line, column: col)) }
            } else if need == 3 {
                let cp =
                    (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                    | (UInt32(bytes[i + 2] & 0x3F) << 6) | UInt32(bytes[i + 3] & 0x3F)
                if cp < 0x10000 || cp > 0x10FFFF { return (b, SourceLocation(line: line, column: col)) }
            }
            if b == 0x0A { line += 1; col = 1 } else { col += 1 }
            i += need + 1
        }
        return nil
    }

    /// The 1-based line and column (in characters) of byte `offset` of `bytes`.
    static func location(ofByte offset: Int, in bytes: [UInt8]) -> SourceLocation {
        var line = 1, col = 1
        for b in bytes.prefix(max(0, offset)) {
            if b == 0x0A { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
        }
        return SourceLocation(line: line, column: col)
    }

    private struct Builder {
        let diagnostics: DiagnosticEngine
        let bytes: [UInt8]
        var anchors: [String: YAMLNode] = [:]
        var nodeCount = 0
        /// Lists and mappings open around the node being read.
        var depth = 0
        var failed = false

        init(diagnostics: DiagnosticEngine, bytes: [UInt8]) {
            self.diagnostics = diagnostics
            self.bytes = bytes
        }

        static func location(_ m: yaml_mark_t) -> SourceLocation {
            SourceLocation(line: Int(m.line) + 1, column: Int(m.column) + 1)
        }

        mutating func next(_ parser: inout yaml_parser_t) -> yaml_event_t? {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
                var message = "YAML syntax error: \(problem)"
                if let ctx = parser.context.map({ String(cString: $0) }) { message += " (\(ctx))" }
                // The reader (encoding, control characters) gives a byte offset, not a mark.
                var at = Self.location(parser.problem_mark)
                if parser.error == YAML_READER_ERROR {
                    at = YAMLParser.location(ofByte: parser.problem_offset, in: bytes)
                    if parser.problem_value >= 0 {
                        message += String(format: " (U+%04X)", Int(parser.problem_value))
                    }
                }
                diagnostics.error(
                    message, at: at,
                    hint: problem.contains("tab")
                        ? "indent with spaces, not tabs"
                        : problem.contains("control characters")
                            ? "remove the character, or write it as an escape such as \\t in a double-quoted string" : nil)
                failed = true
                return nil
            }
            return event
        }

        mutating func run(_ parser: inout yaml_parser_t) -> YAMLNode? {
            var root: YAMLNode?
            var documents = 0
            while !failed {
                guard var event = next(&parser) else { return nil }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    if documents == 0 {
                        diagnostics.error(
                            "the spec is empty", at: .start,
                            hint: "a spec is a YAML mapping that starts with 'dipolesync: 1'")
                        return nil
                    }
                    return root
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        diagnostics.error(
                            "a spec file holds one YAML document; this is a second one",
                            at: Self.location(event.start_mark),
                            hint: "split the documents into separate files")
                        return nil
                    }
                case YAML_DOCUMENT_END_EVENT, YAML_STREAM_START_EVENT:
                    break
                default:
                    root = node(from: &event, &parser)
                    if failed { return nil }
                }
            }
            return nil
        }

        mutating func count(_ at: SourceLocation) -> Bool {
            nodeCount += 1
            if nodeCount > YAMLParser.maximumNodes {
                if !failed {
                    diagnostics.error(
                        "the document expands to more than \(YAMLParser.maximumNodes) nodes", at: at,
                        hint: "aliases that refer to aliases multiply; write the values out")
                }
                failed = true
                return false
            }
            return true
        }

        /// Builds the node that starts with `event` (already read).
        mutating func node(from event: inout yaml_event_t, _ parser: inout yaml_parser_t) -> YAMLNode? {
            let loc = Self.location(event.start_mark)
            guard count(loc) else { return nil }
            switch event.type {
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let target = anchors[name] else {
                    diagnostics.error(
                        "unknown anchor '*\(name)'", at: loc,
                        hint: Suggestions.hint(for: name, in: Array(anchors.keys)))
                    return YAMLNode.scalar("", at: loc)
                }
                nodeCount += Builder.size(target)
                if nodeCount > YAMLParser.maximumNodes { _ = count(loc); return nil }
                var copy = target
                copy.location = loc
                return copy
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let plain = s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nil
                let n = YAMLNode.scalar(text, plain: plain, at: loc)
                if let a = s.anchor { anchors[String(cString: a)] = n }
                return n
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard depth < YAMLParser.maximumDepth else {
                    diagnostics.error(
                        "lists and mappings nest more than \(YAMLParser.maximumDepth) levels deep", at: loc,
                        hint: "a spec nests a few levels; this looks like a damaged or generated file")
                    failed = true
                    return nil
                }
                depth += 1
                defer { depth -= 1 }
                return event.type == YAML_SEQUENCE_START_EVENT
                    ? sequence(from: &event, at: loc, &parser)
                    : mapping(from: &event, at: loc, &parser)
            default:
                diagnostics.error("unexpected YAML event", at: loc)
                failed = true
                return nil
            }
        }

        /// The list that starts with `event` (already read).
        mutating func sequence(from event: inout yaml_event_t, at loc: SourceLocation, _ parser: inout yaml_parser_t) -> YAMLNode? {
            let anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
            var items: [YAMLNode] = []
            while !failed {
                guard var e = next(&parser) else { return nil }
                defer { yaml_event_delete(&e) }
                if e.type == YAML_SEQUENCE_END_EVENT { break }
                guard let child = node(from: &e, &parser) else { return nil }
                items.append(child)
            }
            let n = YAMLNode(.sequence(items), at: loc)
            if let a = anchor { anchors[a] = n }
            return n
        }

        /// The mapping that starts with `event` (already read). Keys are looked up by hash, so a
        /// mapping of many keys reads in linear time.
        mutating func mapping(from event: inout yaml_event_t, at loc: SourceLocation, _ parser: inout yaml_parser_t) -> YAMLNode? {
            let anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
            var entries: [YAMLNode.Entry] = []
            var merged: [YAMLNode.Entry] = []
            /// Index of each explicit key in `entries`, and the keys merged in through `<<`.
            var keyIndex: [String: Int] = [:]
            var mergedKeys = Set<String>()
            while !failed {
                guard var ke = next(&parser) else { return nil }
                defer { yaml_event_delete(&ke) }
                if ke.type == YAML_MAPPING_END_EVENT { break }
                guard let key = node(from: &ke, &parser) else { return nil }
                guard var ve = next(&parser) else { return nil }
                defer { yaml_event_delete(&ve) }
                guard let value = node(from: &ve, &parser) else { return nil }
                guard let k = key.scalar else {
                    diagnostics.error(
                        "a mapping key must be a plain name, not \(key.kindDescription)",
                        at: key.location)
                    continue
                }
                if k == "<<" && key.isPlainScalar {
                    // Merge key: the merged mappings' entries fill in keys not given explicitly.
                    let sources = value.items ?? [value]
                    for src in sources {
                        guard let es = src.entries else {
                            diagnostics.error("'<<' merges mappings, not \(src.kindDescription)", at: src.location)
                            continue
                        }
                        for e in es where mergedKeys.insert(e.key).inserted { merged.append(e) }
                    }
                    continue
                }
                if let first = keyIndex[k] {
                    diagnostics.error(
                        "duplicate key '\(k)' (first given at line \(entries[first].keyLocation.line))",
                        at: key.location, hint: "remove one of the two")
                    continue
                }
                keyIndex[k] = entries.count
                entries.append(YAMLNode.Entry(key: k, keyLocation: key.location, value: value))
            }
            for e in merged where keyIndex[e.key] == nil { entries.append(e) }
            let n = YAMLNode(.mapping(entries), at: loc)
            if let a = anchor { anchors[a] = n }
            return n
        }

        static func size(_ n: YAMLNode) -> Int {
            switch n.kind {
            case .scalar: return 1
            case .sequence(let s): return 1 + s.reduce(0) { $0 + size($1) }
            case .mapping(let m): return 1 + m.reduce(0) { $0 + size($1.value) }
            }
        }
    }
}
