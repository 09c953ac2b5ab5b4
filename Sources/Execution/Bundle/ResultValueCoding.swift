import Foundation
import Physics
import Results

/// Encodes `Encodable` values into `ResultValue`s and decodes them back, keeping object keys in the
/// order they are encoded (and, when decoding, in the order the JSON holds them). Written out with
/// `JSONWriter`, a type's JSON is therefore fixed byte for byte by its `encode(to:)`: the way the
/// bundle manifest (`BundleManifest`) keeps manifest.json exactly as it always was.
public enum ResultValueCoder {
    /// The value `value` encodes to.
    public static func encode<T: Encodable>(_ value: T) throws -> ResultValue {
        let node = EncodingNode()
        try node.store(value, codingPath: [])
        return node.value
    }

    /// A `T` decoded from `value`.
    public static func decode<T: Decodable>(_ type: T.Type, from value: ResultValue) throws -> T {
        try ValueDecoder(value: value, codingPath: []).decodeValue(type)
    }
}

// MARK: - Encoding

/// One value under construction: a scalar, an object whose keys keep their order, or an array.
private final class EncodingNode {
    enum Content {
        case scalar(ResultValue)
        case object([(String, EncodingNode)])
        case array([EncodingNode])
    }
    var content: Content = .scalar(.null)

    var value: ResultValue {
        switch content {
        case .scalar(let v): return v
        case .object(let o): return .object(o.map { ($0.0, $0.1.value) })
        case .array(let a): return .array(a.map(\.value))
        }
    }

    /// Stores `value`: numbers, strings and booleans directly, a `ResultValue` as it is, anything
    /// else through its `encode(to:)`.
    func store<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws {
        switch value {
        case let v as ResultValue: content = .scalar(v)
        case let b as Bool: content = .scalar(.bool(b))
        case let s as String: content = .scalar(.string(s))
        case let x as Double: content = .scalar(.number(x))
        case let x as Float: content = .scalar(.number(Double(x)))
        case let i as any BinaryInteger: content = .scalar(.number(Double(i)))
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }

    func append(key: String, _ child: EncodingNode) {
        if case .object(var o) = content {
            if let i = o.firstIndex(where: { $0.0 == key }) { o[i].1 = child } else { o.append((key, child)) }
            content = .object(o)
        } else {
            content = .object([(key, child)])
        }
    }

    func append(_ child: EncodingNode) {
        if case .array(var a) = content { a.append(child); content = .array(a) } else { content = .array([child]) }
    }
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeEncoder(node: node, codingPath: codingPath) }
}

private struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    var codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.append(key: key.stringValue, EncodingNode()) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = EncodingNode()
        try child.store(value, codingPath: codingPath + [key])
        node.append(key: key.stringValue, child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        node.append(key: key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = EncodingNode()
        node.append(key: key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let child = EncodingNode()
        node.append(key: "super", child)
        return NodeEncoder(node: child, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        let child = EncodingNode()
        node.append(key: key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    var codingPath: [CodingKey]
    var count: Int { if case .array(let a) = node.content { return a.count } else { return 0 } }

    mutating func encodeNil() throws { node.append(EncodingNode()) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = EncodingNode()
        try child.store(value, codingPath: codingPath)
        node.append(child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        node.append(child)
        return NodeEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = EncodingNode()
        node.append(child)
        return NodeEncoder(node: child, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let child = EncodingNode()
        node.append(child)
        return NodeEncoder(node: child, codingPath: codingPath)
    }
}

private struct SingleNodeEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    var codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .scalar(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}

// MARK: - Decoding

private struct ValueDecoder: Decoder {
    let value: ResultValue
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(BundleVerifier.short(value))"))
    }

    /// Decodes numbers, strings and booleans directly (whole numbers into integer types only when
    /// exact), a `ResultValue` as it is, anything else through its `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == ResultValue.self, let v = value as? T { return v }
        if T.self == Bool.self {
            guard case .bool(let b) = value, let v = b as? T else { throw mismatch("a boolean") }
            return v
        }
        if T.self == String.self {
            guard case .string(let s) = value, let v = s as? T else { throw mismatch("a string") }
            return v
        }
        if T.self == Double.self {
            guard case .number(let x) = value, let v = x as? T else { throw mismatch("a number") }
            return v
        }
        if let integer = T.self as? any BinaryInteger.Type {
            guard case .number(let x) = value, let i = Self.exactly(x, as: integer), let v = i as? T else { throw mismatch("a whole number") }
            return v
        }
        return try T(from: self)
    }

    private static func exactly<I: BinaryInteger>(_ x: Double, as: I.Type) -> I? { I(exactly: x) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw mismatch("an object") }
        return KeyedDecodingContainer(KeyedValueDecoder<Key>(entries: o, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw mismatch("an array") }
        return UnkeyedValueDecoder(items: a, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValueDecoder(decoder: self) }
}

private struct KeyedValueDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [(String, ResultValue)]
    var codingPath: [CodingKey]

    /// The keys in the order the object holds them.
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.0) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.0 == key.stringValue } }

    func child(_ key: Key) throws -> ValueDecoder {
        guard let v = entries.first(where: { $0.0 == key.stringValue })?.1 else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no '\(key.stringValue)'"))
        }
        return ValueDecoder(value: v, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).value == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    func superDecoder() throws -> Decoder { ValueDecoder(value: .object(entries), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
}

private struct UnkeyedValueDecoder: UnkeyedDecodingContainer {
    let items: [ResultValue]
    var codingPath: [CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [ResultValue], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array has only \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: items[currentIndex], codingPath: codingPath)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> Decoder { try next() }
}

private struct SingleValueDecoder: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
