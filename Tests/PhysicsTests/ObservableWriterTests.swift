import Foundation
import Numerics
import Results
import XCTest

@testable import NumericalMethods
@testable import Physics

/// The shared observable writer (docs/physics.md §3.1): keys, order and the values it derives.
final class ObservableWriterTests: XCTestCase {
    func testZQFromSquare() {
        var r = PointResult()
        ObservableWriter.zq(fromSquare: 0.09, into: &r)
        XCTAssertEqual(r.values.map(\.key), ["ZQ", "ZQ2"])
        XCTAssertEqual(r.number("ZQ"), 0.09.squareRoot())
        XCTAssertEqual(r.number("ZQ2"), 0.09)
        // Z_Q = √max(0, Z_Q²): a slightly negative Z_Q² keeps its raw value beside Z_Q = 0.
        ObservableWriter.zq(fromSquare: -1e-3, into: &r)
        XCTAssertEqual(r.values.map(\.key), ["ZQ", "ZQ2"], "an existing key keeps its place")
        XCTAssertEqual(r.number("ZQ"), 0)
        XCTAssertEqual(r.number("ZQ2"), -1e-3)
    }

    func testQFIWitnessIsTwoNOverThree() {
        for n in [1, 2, 3, 10, 16] {
            var r = PointResult()
            ObservableWriter.qfi(4.5, dipoles: n, into: &r)
            XCTAssertEqual(r.values.map(\.key), ["qfi", "qfi-witness"])
            XCTAssertEqual(r.number("qfi"), 4.5)
            XCTAssertEqual(r.number("qfi-witness"), 2 * Double(n) / 3)
            XCTAssertEqual(ObservableWriter.qfiWitness(dipoles: n), 2 * Double(n) / 3)
        }
        var r = PointResult()
        ObservableWriter.qfi(1, dipoles: 6, into: &r)
        ObservableWriter.qfiConditional(mean: 5, standardError: 0.25, dipoles: 6, into: &r)
        XCTAssertEqual(r.values.map(\.key), ["qfi", "qfi-witness", "qfi-conditional", "qfi-conditional-stderr"])
        XCTAssertEqual(r.number("qfi-witness"), 4)
    }

    func testClusterZQRecordsSkippedSizes() {
        // Chain of 6: central dipole 3, so clusters of at most 3 fit.
        let c = { (a: Int, b: Int) -> Complex<Double> in a == b ? Complex(0.5) : Complex(0.04 * Double(1 + min(a, b))) }
        var r = PointResult()
        ObservableWriter.clusterZQ(sizes: [2, 5, 3, 9], lattice: .chain(6), correlation: c, into: &r)
        guard case .array(let list)? = r["cluster-ZQ"] else { return XCTFail("no cluster-ZQ list") }
        XCTAssertEqual(list.count, 2)
        let z2 = OrderParameters.zq2(count: 6, indices: [3, 4], correlation: c)
        XCTAssertEqual(list[0], .object([("d", .number(2)), ("ZQ", .number(z2.squareRoot())), ("ZQ2", .number(z2))]))
        if case .object(let o) = list[1] { XCTAssertEqual(o.first?.1, .number(3)) } else { XCTFail() }
        XCTAssertEqual(r.diagnostics.map(\.key), ["cluster-ZQ-skipped"])
        XCTAssertEqual(r.diagnostics.first?.value, .array([.number(5), .number(9)]))

        var quiet = PointResult()
        ObservableWriter.clusterZQ(sizes: [2, 5], lattice: .chain(6), recordSkipped: false, correlation: c, into: &quiet)
        XCTAssertTrue(quiet.diagnostics.isEmpty)
        var fits = PointResult()
        ObservableWriter.clusterZQ(sizes: [2], lattice: .chain(6), correlation: c, into: &fits)
        XCTAssertTrue(fits.diagnostics.isEmpty, "no diagnostic when every size fits")
    }

    func testPairValues() {
        var r = PointResult()
        ObservableWriter.pairValues(.mutualInformation, [(DipolePair(0, 1), 0.5)], into: &r)
        XCTAssertEqual(r.values.map(\.key), ["mutual-information"], "one pair: no list")
        ObservableWriter.pairValues(.discord, [(DipolePair(0, 1), 0.25), (DipolePair(2, 5), 0.125)], into: &r)
        XCTAssertEqual(r.values.map(\.key), ["mutual-information", "discord", "discord-pairs"])
        XCTAssertEqual(r.number("discord"), 0.25, "the first pair's value")
        XCTAssertEqual(
            r["discord-pairs"],
            .array([
                .object([("a", .number(0)), ("b", .number(1)), ("value", .number(0.25))]),
                .object([("a", .number(2)), ("b", .number(5)), ("value", .number(0.125))])
            ]))
    }

    func testSpectrumNamesItsEstimatorInTheMethodOnly() {
        var r = PointResult(method: "some solver")
        ObservableWriter.spectrum(linewidth: 1.5, peakFrequency: -0.25, estimator: .fittedDecay, table: [[0, 1]], into: &r)
        XCTAssertEqual(r.values.map(\.key), ["spectrum"])
        XCTAssertEqual(r["spectrum"], .object([("linewidth", .number(1.5)), ("peak-frequency", .number(-0.25))]))
        XCTAssertEqual(r.tables.map(\.name), ["spectrum"])
        XCTAssertEqual(r.tables.first?.columns, ["omega", "S"])
        XCTAssertEqual(r.method, "some solver; spectrum linewidth: " + ObservableWriter.SpectrumEstimator.fittedDecay.name)
        let names = [ObservableWriter.SpectrumEstimator.fittedDecay, .gridHalfMaximum, .lorentzianSumHalfMaximum].map(\.name)
        XCTAssertEqual(Set(names).count, 3, "each estimator has its own name")
    }

    func testStandardErrors() {
        var r = PointResult()
        ObservableWriter.zq(fromSquare: 0.04, into: &r)
        ObservableWriter.zqStandardErrors(zq2Error: 0.001, into: &r)
        ObservableWriter.standardError(of: "inversion", 0.01, into: &r)
        XCTAssertEqual(r.values.map(\.key), ["ZQ", "ZQ2", "ZQ2-stderr", "ZQ-stderr", "inversion-stderr"])
        XCTAssertEqual(r.number("ZQ-stderr"), 0.001 / (2 * 0.2))
        // Unresolved Z_Q² (Z_Q² ≤ σ): the error is √σ; a non-finite σ gives NaN.
        XCTAssertEqual(ObservableWriter.zqStandardError(zq: 0.01, zq2Error: 0.01), 0.1)
        XCTAssertTrue(ObservableWriter.zqStandardError(zq: 0.2, zq2Error: .nan).isNaN)
        var noZQ = PointResult()
        ObservableWriter.zqStandardErrors(zq2Error: 0.001, into: &noZQ)
        XCTAssertEqual(noZQ.values.map(\.key), ["ZQ2-stderr"])
    }

    func testFrequencyNilIsNull() {
        var r = PointResult()
        ObservableWriter.frequency(nil, into: &r)
        XCTAssertEqual(r["frequency"], .null)
        ObservableWriter.frequency(2, into: &r)
        XCTAssertEqual(r["frequency"], .number(2))
    }

    /// `two-time`'s resolvability criterion (docs/physics.md §3.3) on its four cases and identical dipoles,
    /// and the keys, tables and histogram the writer makes.
    func testTwoTimeResolvabilityAndKeys() {
        func pair(nu: Double, line: Double, dd: Double) -> ObservableWriter.TwoTimePair {
            ObservableWriter.TwoTimePair(
                pair: DipolePair(0, 1), tau: [0], z: [Complex(1, 0)], frame: 0,
                fit: CosineFit(
                    amplitude: 1, frequency: 0, decay: 2, amplitudeError: 0, frequencyError: 0, decayError: 0, residualSumOfSquares: 0),
                twoExponential: TwoExponentialFit(
                    slowAmplitude: 0.5, slowDecay: 0.2, fastAmplitude: 0.5, fastDecay: 2, slowAmplitudeError: 0, slowDecayError: 0,
                    fastAmplitudeError: 0, fastDecayError: 0, residualSumOfSquares: 0),
                precession: .init(nu: nu, lineDecay: line, detuningDifference: dd))
        }
        XCTAssertTrue(pair(nu: 0, line: 0.2, dd: 0.3).precession!.resolvable, "entrained against a larger detuning difference")
        XCTAssertFalse(pair(nu: 0, line: 0.4, dd: 0.3).precession!.resolvable, "entrained, but the line is wider than the detuning difference")
        XCTAssertTrue(pair(nu: -0.5, line: 0.4, dd: -0.6).precession!.resolvable, "a drift larger than the line widths")
        XCTAssertFalse(pair(nu: -0.3, line: 0.4, dd: -0.6).precession!.resolvable, "a drift hidden by the decay")
        XCTAssertFalse(pair(nu: 0, line: 0.4, dd: 0).precession!.resolvable, "identical dipoles")
        var r = PointResult()
        ObservableWriter.twoTime(
            [pair(nu: 0, line: 0.2, dd: 0.3), pair(nu: -0.3, line: 0.4, dd: -0.6)],
            dipoles: [(0, 0.1, 0, 0.2), (1, 0.4, 0, 0.2)], into: &r)
        XCTAssertEqual(r.values.map(\.key), ["two-time"])
        guard case .array(let list)? = r["two-time"], case .object(let first) = list[0] else { return XCTFail() }
        XCTAssertEqual(
            first.map(\.0),
            [
                "a", "b", "A", "nu", "gamma", "A-err", "gamma-err", "gamma-slow", "gamma-slow-err", "A-slow", "gamma-fast",
                "A-fast", "line-decay", "detuning-difference", "resolvable"
            ])
        XCTAssertEqual(
            r.tables.map(\.name), ["two-time-0-1", "two-time-0-1", "nu-vs-b", "nu-vs-detuning", "two-time-dipoles", "nu-histogram"])
        let hist = r.tables[5]
        XCTAssertEqual(hist.columns, ["nu", "count", "count-resolvable"])
        XCTAssertEqual(hist.rows.reduce(0) { $0 + $1[1] }, 2)
        XCTAssertEqual(hist.rows.reduce(0) { $0 + $1[2] }, 1)
        XCTAssertEqual(r.tables[2].rows.map { $0[3] }, [1, 0])
        XCTAssertEqual(r.tables[3].rows.map { $0[0] }, [-0.6, 0.3], "sorted by the detuning difference")
    }

    /// One pair type for every backend (docs/physics.md §3.3): Z_ab(τ) sampled without the regression's modes
    /// (exact, permutation-symmetric) is fitted here by both fits — a known A_s e^{−γ_s τ} + A_f e^{−γ_f τ}
    /// rotating at ω is recovered in the frame ω — and written with the keys those backends always wrote
    /// first ({a, b, A, nu, gamma, A-err, nu-err, gamma-err, omega}), then the two-exponential ones, and no
    /// precession tables.
    func testSampledPairIsFittedTwiceAndKeepsItsKeys() throws {
        let omega = 0.7
        let tau = (0..<801).map { 0.01 * Double($0) }
        let z = tau.map { t in Complex(0.3 * exp(-0.4 * t) + 0.7 * exp(-3 * t)) * Complex(cos(omega * t), sin(omega * t)) }
        let p = ObservableWriter.TwoTimePair(pair: DipolePair(2, 5), tau: tau, z: z, frame: omega)
        XCTAssertNil(p.precession)
        XCTAssertEqual(p.twoExponential.slowDecay, 0.4, accuracy: 1e-6)
        XCTAssertEqual(p.twoExponential.fastDecay, 3, accuracy: 1e-5)
        XCTAssertEqual(p.twoExponential.slowAmplitude, 0.3, accuracy: 1e-6)
        XCTAssertTrue(p.fit.decay > 0.4 && p.fit.decay < 3, "the single cosine fit lies between the two rates: \(p.fit.decay)")
        var r = PointResult()
        ObservableWriter.twoTime([p], into: &r)
        guard case .array(let list)? = r["two-time"], case .object(let first) = list[0] else { return XCTFail() }
        XCTAssertEqual(
            first.map(\.0),
            [
                "a", "b", "A", "nu", "gamma", "A-err", "nu-err", "gamma-err", "omega", "gamma-slow", "gamma-slow-err", "A-slow",
                "gamma-fast", "A-fast"
            ])
        XCTAssertEqual(first.first { $0.0 == "omega" }?.1, .number(omega))
        XCTAssertEqual(first.first { $0.0 == "gamma-slow" }?.1.number ?? 0, 0.4, accuracy: 1e-6)
        XCTAssertEqual(r.tables.map(\.name), ["two-time-2-5"])
        XCTAssertEqual(r.tables[0].rows[1], [0.01, z[1].real, z[1].imaginary])
    }
}
