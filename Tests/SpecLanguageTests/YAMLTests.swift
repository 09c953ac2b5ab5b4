import XCTest

@testable import SpecLanguage

final class YAMLTests: XCTestCase {
    func parse(_ s: String) -> (YAMLNode?, [Diagnostic]) {
        let e = DiagnosticEngine(file: "t.yaml")
        let n = YAMLParser.parse(s, diagnostics: e)
        return (n, e.diagnostics)
    }

    func testPositionsAreOneBasedLineAndColumn() {
        let (n, d) = parse("a: 1\nb:\n  c: [x, y]\n")
        XCTAssertTrue(d.isEmpty)
        XCTAssertEqual(n?["a"]?.location, SourceLocation(line: 1, column: 4))
        XCTAssertEqual(n?["b"]?["c"]?.location, SourceLocation(line: 3, column: 6))
        XCTAssertEqual(n?["b"]?["c"]?.items?[1].location, SourceLocation(line: 3, column: 10))
        XCTAssertEqual(n?.entries?[1].keyLocation, SourceLocation(line: 2, column: 1))
    }

    func testAnchorsAliasesAndMergeKeys() {
        let (n, d) = parse(
            """
            base: &b {shape: chain, sites: 4}
            copy: *b
            merged:
              <<: *b
              sites: 8
            many:
              <<: [*b, {extra: 1}]
            """)
        XCTAssertTrue(d.isEmpty, "\(d)")
        XCTAssertEqual(n?["copy"]?["sites"]?.scalar, "4")
        XCTAssertEqual(n?["copy"]?.location.line, 2, "an alias takes the position where it is used")
        XCTAssertEqual(n?["merged"]?["sites"]?.scalar, "8", "explicit keys override merged ones")
        XCTAssertEqual(n?["merged"]?["shape"]?.scalar, "chain")
        XCTAssertEqual(n?["many"]?["extra"]?.scalar, "1")
    }

    func testQuotedScalarsAreNotPlain() {
        let (n, _) = parse("a: '12'\nb: 12\n")
        XCTAssertFalse(n?["a"]?.isPlainScalar ?? true)
        XCTAssertTrue(n?["b"]?.isPlainScalar ?? false)
    }

    func testAliasBombIsStopped() {
        var s = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 { s += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let (n, d) = parse(s)
        XCTAssertNil(n)
        XCTAssertTrue(d.contains { $0.message.contains("expands to more than") })
    }

    func testDeepNestingIsALocatedErrorNotAStackOverflow() {
        // 7000 levels (14 KB) used to overflow the stack in the reader.
        let flow = "a: " + String(repeating: "[", count: 7000) + String(repeating: "]", count: 7000) + "\n"
        let (n, d) = parse(flow)
        XCTAssertNil(n)
        XCTAssertEqual(d.first?.message, "lists and mappings nest more than \(YAMLParser.maximumDepth) levels deep")
        XCTAssertEqual(d.first?.location, SourceLocation(line: 1, column: 3 + YAMLParser.maximumDepth), "the root mapping is the first level")
        let block = (0..<3000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " 1\n"
        let (m, e) = parse(block)
        XCTAssertNil(m)
        XCTAssertTrue(e.contains { $0.message.contains("nest more than") }, "\(e)")
        let mixed = String(repeating: "{a: [", count: 4000) + String(repeating: "]}", count: 4000)
        XCTAssertNil(parse(mixed).0)
        // Exactly at the limit is fine.
        let ok = "a: " + String(repeating: "[", count: YAMLParser.maximumDepth - 1) + String(repeating: "]", count: YAMLParser.maximumDepth - 1)
        XCTAssertNotNil(parse(ok).0)
    }

    func testDeepNestingInACatalogFileIsReportedAgainstIt() {
        var c = Catalog()
        c.load(bytes: Array(("catalog: 1\nspecies: " + String(repeating: "[", count: 7000)).utf8), path: "deep.yaml")
        XCTAssertEqual(c.problems.first?.file, "deep.yaml")
        XCTAssertTrue(c.problems.first?.message.contains("nest more than") ?? false, "\(c.problems)")
    }

    func testControlCharactersAreReportedOnTheirLine() {
        let (n, d) = parse("a: 1\nb: x\u{01}y\nc: 2\n")
        XCTAssertNil(n)
        XCTAssertEqual(d.first?.location, SourceLocation(line: 2, column: 5))
        XCTAssertTrue(d.first?.message.contains("control characters") ?? false)
        XCTAssertTrue(d.first?.message.contains("U+0001") ?? false, "\(d)")
        let (_, e) = parse("a: 1\nbé: 2\n  \u{1B}[31m: 3\n")
        XCTAssertEqual(e.first?.location, SourceLocation(line: 3, column: 3))
    }

    func testManyKeysAndDuplicatesFoundInLargeMappings() {
        // Duplicate detection must not compare every key with every other (10⁵ keys took 21 s).
        var s = (0..<100_000).map { "k\($0): \($0)" }.joined(separator: "\n")
        s += "\nk500: again\n"
        let (n, d) = parse(s)
        XCTAssertEqual(n?.entries?.count, 100_000)
        XCTAssertEqual(d.map(\.message), ["duplicate key 'k500' (first given at line 501)"])
        XCTAssertEqual(d.first?.location.line, 100_001)
    }

    func testInvalidUTF8Positions() {
        XCTAssertNil(YAMLParser.firstInvalidUTF8(Array("héllo wörld".utf8)))
        let bad: [UInt8] = Array("ab\ncd".utf8) + [0xC3, 0x28]
        let r = YAMLParser.firstInvalidUTF8(bad)
        XCTAssertEqual(r?.location, SourceLocation(line: 2, column: 3))
        XCTAssertEqual(YAMLParser.firstInvalidUTF8([0xED, 0xA0, 0x80])?.byte, 0xED, "UTF-16 surrogates are not UTF-8")
        XCTAssertEqual(YAMLParser.firstInvalidUTF8([0xF8])?.byte, 0xF8)
    }

    func testReplacePathCreatesMappings() {
        var (n, _) = parse("system: {pump: {rate: 1 Gamma}}\n")
        XCTAssertTrue(n!.replace(path: ["system", "pump", "rate"], with: .scalar("2 Gamma", at: .start)))
        XCTAssertEqual(n?["system"]?["pump"]?["rate"]?.scalar, "2 Gamma")
        XCTAssertTrue(n!.replace(path: ["system", "lattice", "spacing"], with: .scalar("0.1 lambda", at: .start)))
        XCTAssertEqual(n?.node(at: ["system", "lattice", "spacing"])?.scalar, "0.1 lambda")
        XCTAssertFalse(n!.replace(path: ["system", "pump", "rate", "x"], with: .scalar("1", at: .start)))
    }
}

final class UnitTests: XCTestCase {
    func q(_ s: String) -> Quantity? { if case .success(let q) = Quantity.parse(s) { return q }; return nil }

    func testUnitsConvertToCanonicalUnits() throws {
        let gamma = 290e3, lambda = 2.6e-6
        XCTAssertEqual(q("200 nm")?.canonical(gammaSI: gamma, lambdaSI: lambda) ?? 0, 200e-9 / 2.6e-6, accuracy: 1e-15)
        XCTAssertEqual(q("0.077 lambda")?.canonical(gammaSI: nil, lambdaSI: nil), 0.077)
        XCTAssertEqual(q("2 Å")?.canonical(gammaSI: gamma, lambdaSI: lambda) ?? 0, 2e-10 / 2.6e-6, accuracy: 1e-18)
        XCTAssertEqual(q("290e3 /s")?.canonical(gammaSI: gamma, lambdaSI: lambda) ?? 0, 1, accuracy: 1e-15)
        XCTAssertEqual(q("1 MHz")?.canonical(gammaSI: gamma, lambdaSI: lambda) ?? 0, 1e6 / 290e3, accuracy: 1e-12)
        // 2pi*f is an angular frequency: 2π × 0.5 MHz = 3.14e6 s⁻¹.
        XCTAssertEqual(q("2pi*0.5 MHz")?.canonical(gammaSI: gamma, lambdaSI: lambda) ?? 0, 2 * .pi * 0.5e6 / 290e3, accuracy: 1e-9)
        XCTAssertEqual(q("10 us")?.canonical(gammaSI: gamma, lambdaSI: lambda) ?? 0, 10e-6 * 290e3, accuracy: 1e-12)
        XCTAssertEqual(q("200 /Gamma")?.canonical(gammaSI: nil, lambdaSI: nil), 200)
        XCTAssertEqual(q("90 deg")?.canonical(gammaSI: nil, lambdaSI: nil) ?? 0, .pi / 2, accuracy: 1e-15)
        XCTAssertEqual(q("magic")?.value ?? 0, acos(1 / 3.0.squareRoot()), accuracy: 1e-15)
        XCTAssertEqual(q("5 kW/cm^2")?.si(gammaSI: nil, lambdaSI: nil), 5e7)
        XCTAssertEqual(q("1e-16 cm^2")?.si(gammaSI: nil, lambdaSI: nil) ?? 0, 1e-20, accuracy: 1e-35)
        XCTAssertEqual(q("7.5 Γ")?.unit.family, .rate)
        XCTAssertEqual(q("3")?.unit.family, .dimensionless)
    }

    func testPhysicalUnitsNeedASpecies() {
        XCTAssertNil(q("200 nm")?.canonical(gammaSI: nil, lambdaSI: nil))
        XCTAssertNil(q("1 MHz")?.canonical(gammaSI: nil, lambdaSI: nil))
    }

    func testMalformedQuantities() {
        XCTAssertEqual(Quantity.parse("fast"), .failure(.notANumber))
        XCTAssertEqual(Quantity.parse("1 parsec"), .failure(.unknownUnit("parsec")))
        XCTAssertEqual(Quantity.parse("."), .failure(.notANumber))
        XCTAssertEqual(Quantity.parse("1e400 Gamma"), .failure(.notANumber))
        XCTAssertEqual(Quantity.parse(""), .failure(.notANumber))
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestions.closest(to: "spacng", in: ["sites", "spacing", "shape"]), "spacing")
        XCTAssertEqual(Suggestions.closest(to: "inversoin", in: ["inversion", "ZQ"]), "inversion")
        XCTAssertNil(Suggestions.closest(to: "zzzzzzzz", in: ["inversion", "ZQ"]))
    }
}
