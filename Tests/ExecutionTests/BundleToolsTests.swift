import Physics
import Results
import XCTest

@testable import Execution

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class BundleToolsTests: XCTestCase {
    func testSHA256KnownVectors() {
        // FIPS 180-4 examples.
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex(String(repeating: "a", count: 1000)),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    func testJSONRoundTripsNumbersBitForBitAndKeepsKeyOrder() throws {
        let values: [Double] = [0.1, 1.0 / 3.0, -2.5e-300, 6.02214076e23, .ulpOfOne, -0.0, 123456789.0]
        let v = ResultValue.object([("z", .array(values.map { .number($0) })), ("a", .string("q\"uote\n")), ("m", .bool(true)), ("n", .null)])
        let text = JSONWriter.write(v)
        let back = try JSONWriter.parse(Data(text.utf8))
        XCTAssertEqual(back, v)
        guard case .object(let o) = back, case .array(let xs) = o[0].1 else { return XCTFail() }
        XCTAssertEqual(o.map(\.0), ["z", "a", "m", "n"])
        for (x, y) in zip(xs, values) { XCTAssertEqual(x.number?.bitPattern, y.bitPattern) }
        // Foundation agrees that it is JSON.
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        XCTAssertThrowsError(try JSONWriter.parse(Data("{\"a\": }".utf8)))
        XCTAssertThrowsError(try JSONWriter.parse(Data("[1, 2".utf8)))
        XCTAssertThrowsError(try JSONWriter.parse(Data(String(repeating: "[", count: 10000).utf8)))
    }

    func testDifferencesAreFoundAndToleranceRespected() {
        var d: [BundleVerifier.Difference] = []
        let a = ResultValue.object([("x", .number(1.0)), ("y", .array([.number(2.0)]))])
        let b = ResultValue.object([("x", .number(1.0 + 1e-12)), ("y", .array([.number(2.0)]))])
        BundleVerifier.compare(a, b, file: "r.json", rtol: 0, into: &d)
        XCTAssertEqual(d.map(\.location), ["x"])
        d = []
        BundleVerifier.compare(a, b, file: "r.json", rtol: 1e-9, into: &d)
        XCTAssertTrue(d.isEmpty)
        // Solver details (method text, residuals, iteration counts) are reported but are not results.
        d = []
        let withDiagnostics = { (r: Double, z: Double) -> ResultValue in
            .object([
                (
                    "points",
                    .array([
                        .object([
                            ("observables", .object([("ZQ", .number(z))])), ("method", .string("m")),
                            ("diagnostics", .object([("residual", .number(r))]))
                        ])
                    ])
                )
            ])
        }
        BundleVerifier.compare(withDiagnostics(1e-10, 0.3), withDiagnostics(2e-10, 0.3), file: "results.json", rtol: 0, into: &d)
        XCTAssertEqual(d.map(\.isSolverDetail), [true])
        d = []
        BundleVerifier.compare(withDiagnostics(1e-10, 0.3), withDiagnostics(1e-10, 0.31), file: "results.json", rtol: 0, into: &d)
        XCTAssertEqual(d.map(\.isSolverDetail), [false])
        d = []
        BundleVerifier.compareCSV("a,b\n1.0,2.0\n", "a,b\n1.0,2.5\n", file: "t.csv", rtol: 1e-9, into: &d)
        XCTAssertEqual(d.first?.location, "row 1, column 2")
    }

    func testSVGPicturesAreWellFormed() throws {
        let line = SVGPlot.line(
            title: "Z_Q <vs> W", xLabel: "W/Γ", yLabel: "Z_Q",
            series: [SVGPlot.Series(label: "a", x: [1, 2, 3], y: [0, 0.2, .nan])])
        let heat = SVGPlot.heatMap(
            title: "h", xLabel: "x", yLabel: "y", zLabel: "z", x: [1, 2], y: [1, 10, 100],
            z: [[0, 1, 2], [3, .nan, 5]], logY: true)
        let phases = SVGPlot.phases(title: "p", phi: [0, 1, 2], length: [0.5, 0.4, 0.3])
        for svg in [line, heat, phases] {
            let doc = try XMLDocument(data: Data(svg.utf8))
            XCTAssertEqual(doc.rootElement()?.name, "svg")
        }
        XCTAssertTrue(line.contains("Z_Q &lt;vs&gt; W"))
        XCTAssertEqual(SVGPlot.ticks(0, 1), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0])
    }
}
