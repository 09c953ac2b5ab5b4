/// A YAML node with the position where it starts, after anchors, aliases and merge keys are resolved.
public struct YAMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A scalar's text; `plain` is false for quoted and block scalars (they are always strings).
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        /// Entries in document order; keys are unique scalars.
        case mapping([Entry])
    }

    public struct Entry: Sendable, Equatable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: YAMLNode
        public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    public static func scalar(_ s: String, plain: Bool = true, at location: SourceLocation) -> YAMLNode {
        YAMLNode(.scalar(s, plain: plain), at: location)
    }

    public var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    public var isPlainScalar: Bool {
        if case .scalar(_, let p) = kind { return p }
        return false
    }

    /// Whether a plain scalar is YAML's null (`~`, `null`, empty).
    public var isNull: Bool {
        if case .scalar(let s, true) = kind { return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" }
        return false
    }

    public var entries: [Entry]? {
        if case .mapping(let e) = kind { return e }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let s) = kind { return s }
        return nil
    }

    /// The value of `key` in a mapping.
    public subscript(key: String) -> YAMLNode? {
        entries?.first { $0.key == key }?.value
    }

    /// A short description of the node's kind for messages ("a mapping", "a list", "'abc'").
    public var kindDescription: String {
        switch kind {
        case .scalar(let s, _): return s.isEmpty ? "an empty value" : "'\(s)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// Replaces the node at `path` (mapping keys), creating missing mappings on the way.
    /// Returns false when the path runs into a scalar or a list.
    public mutating func replace(path: [String], with node: YAMLNode) -> Bool {
        guard let head = path.first else { self = node; return true }
        if isNull { kind = .mapping([]) }
        guard case .mapping(var entries) = kind else { return false }
        if let i = entries.firstIndex(where: { $0.key == head }) {
            var child = entries[i].value
            guard child.replace(path: Array(path.dropFirst()), with: node) else { return false }
            entries[i].value = child
        } else {
            var child = YAMLNode(.mapping([]), at: node.location)
            guard child.replace(path: Array(path.dropFirst()), with: node) else { return false }
            entries.append(Entry(key: head, keyLocation: node.location, value: child))
        }
        kind = .mapping(entries)
        return true
    }

    /// The node at `path`, if every step is a mapping key.
    public func node(at path: [String]) -> YAMLNode? {
        var n = self
        for k in path {
            guard let next = n[k] else { return nil }
            n = next
        }
        return n
    }
}
