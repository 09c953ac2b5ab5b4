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
        var line = Figure(name: "l", title: "Z_Q <vs> W", x: Figure.Axis(label: "W/Γ"), y: Figure.Axis(label: "Z_Q"))
        line.series = [Figure.Series(label: "a", x: [1, 2, 3], y: [0, 0.2, .nan], error: [0.01, 0.02, 0.03])]
        var heat = Figure(name: "h", title: "h", kind: .heatMap, x: Figure.Axis(label: "x"), y: Figure.Axis(label: "y", log: true))
        heat.map = Figure.Map(x: [1, 2], y: [1, 10, 100], z: [[0, 1, 2], [3, .nan, 5]], colour: Figure.Axis(label: "z"), contours: [2.5])
        var bloch = Figure(name: "b", title: "p", kind: .bloch, x: Figure.Axis(label: ""), y: Figure.Axis(label: ""))
        bloch.spheres = [Figure.Sphere(label: "W = 1", phi: [0, 1, 2], perp: [0.5, 0.4, 0.3], sz: [0, 0.1, -0.2])]
        for f in [line, heat, bloch] {
            let doc = try XMLDocument(data: Data(SVGPlot.render(f).utf8))
            XCTAssertEqual(doc.rootElement()?.name, "svg")
        }
        XCTAssertTrue(SVGPlot.render(line).contains("Z<tspan dy=\"4\" font-size=\"75%\">Q</tspan><tspan dy=\"-4\">\u{00A0}&lt;vs&gt; W</tspan>"))
        XCTAssertEqual(SVGPlot.render(line).components(separatedBy: "<polygon").count - 1, 1, "the error is a shaded band")
    }

    /// Ticks are round: steps of 1, 2 or 5 × 10ᵏ, at least three; log axes get decades (and 2, 5 within
    /// three decades).
    func testNiceTicks() {
        XCTAssertEqual(SVGPlot.ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(SVGPlot.ticks(-0.013, 0.27), [0, 0.05, 0.1, 0.15, 0.2, 0.25])
        XCTAssertEqual(SVGPlot.ticks(3, 4.1), [3, 3.2, 3.4, 3.6, 3.8, 4])
        XCTAssertEqual(SVGPlot.ticks(0.5, 1.2), [0.6, 0.8, 1, 1.2])
        XCTAssertEqual(SVGPlot.logTicks(log10(0.5), log10(40)), [0.5, 1, 2, 5, 10, 20])
        XCTAssertEqual(SVGPlot.logTicks(-3, 2), [0.001, 0.01, 0.1, 1, 10, 100])
        for (a, b) in [(0.0, 1.0), (-7.3, 12.9), (1e-5, 3e-5), (2.0, 2.3)] {
            let t = SVGPlot.ticks(a, b)
            XCTAssertGreaterThanOrEqual(t.count, 3, "\(a)…\(b): \(t)")
            let step = t[1] - t[0]
            let mantissa = step / pow(10, floor(log10(step)))
            XCTAssertTrue([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "\(a)…\(b): step \(step)")
        }
    }

    /// Sub- and superscripts: `Z_Q^2`, `f_{eff}`, `S^z`; a lone `_` or `^` after a space stays text.
    func testMathLabels() {
        XCTAssertEqual(MathLabel.runs("Z_Q^2"), [.init(text: "Z", shift: 0), .init(text: "Q", shift: -1), .init(text: "2", shift: 1)])
        XCTAssertEqual(MathLabel.runs("f_{eff}/Γ"), [.init(text: "f", shift: 0), .init(text: "eff", shift: -1), .init(text: "/Γ", shift: 0)])
        XCTAssertEqual(MathLabel.runs("a _ b"), [.init(text: "a _ b", shift: 0)])
        XCTAssertEqual(MathLabel.matplotlib("S^z (1/Γ)"), "S$^{\\mathrm{z}}$ (1/Γ)")
        XCTAssertEqual(MathLabel.plain("f_{eff}/Γ"), "f_eff/Γ")
    }

    /// Contours by marching squares: a linear ramp z = x crosses 0.5 on the vertical line x = 0.5.
    func testContourOfARampIsStraight() {
        let x = [0.0, 1, 2], y = [0.0, 1, 2]
        let z = x.map { xi in y.map { _ in xi / 2 } }
        let segs = Contour.segments(x: x, y: y, z: z, level: 0.5)
        XCTAssertEqual(segs.count, 2)
        for s in segs { XCTAssertEqual(s.0.0, 1, accuracy: 1e-12); XCTAssertEqual(s.1.0, 1, accuracy: 1e-12) }
    }
}
