import Foundation
import Physics
import Results
import TestSupport
import XCTest

@testable import Execution
@testable import SpecLanguage

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Figures declared in `figures:` (docs/spec-language.md §12), their CSV and matplotlib scripts, and
/// the bundle page in a real browser.
final class DeclaredFigureTests: XCTestCase {
    static let spec = """
        dipolesync: 1
        name: figs
        system:
          lattice: {shape: all-to-all, sites: 20}
          couplings: {uniform: {feff: 5 Gamma}}
          pump: {rate: 2 Gamma}
        observables:
          - ZQ
          - {mutual-information: {pairs: [[0, 1]]}}
          - {discord: {pairs: [[0, 1]]}}
        sweep:
          grid:
            system.pump.rate: {log: [0.5 Gamma, 20 Gamma], points: 9}
            system.couplings.uniform.feff: [4 Gamma, 12 Gamma]
        figures:
          - name: overlay
            x: {axis: system.pump.rate, scale: log}
            curves: system.couplings.uniform.feff
            series:
              - {value: "mutual-information - discord", label: "I − D"}
              - {value: "ZQ / max(ZQ)", label: "Z_Q / max Z_Q", style: dashed}
              - {value: ZQ, label: collective, from: {bundle: elsewhere}, style: dotted}
              - {value: ZQ, label: missing, from: {bundle: nowhere}}
            reference-lines: [{y: 0.5, label: "half"}]
          - name: map
            kind: heat-map
            x: {scale: log}
            value: ZQ2
            colour: {label: "Z_Q^2", range: [-0.05, 0.2]}
            contours: [0.05]
            overlays: [mean-field-boundary]

        """

    /// Made-up results whose derived values are known: I = W/10, D = W/20, Z_Q = F·W/100 (Z_Q² its square).
    static func outcomes(_ c: CompiledSpec) -> [PointOutcome] {
        c.points.map { p in
            var r = PointResult()
            let (w, f) = (p.parameters[0].value, p.parameters[1].value)
            r["ZQ"] = .number(f * w / 100)
            r["ZQ2"] = .number(f * w / 100 * f * w / 100)
            r["mutual-information"] = .number(w / 10)
            r["discord"] = .number(w / 20)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .permutationSymmetric, result: r, optimum: nil, seconds: 0)
        }
    }

    func testDeclaredFiguresDrawDerivedValuesOtherBundlesAndTheBoundary() throws {
        let (c, _) = try compileAndPlan(Self.spec)
        // The "other bundle": two curves over W (by its second path, a spacing), Z_Q = 0.3 everywhere.
        let other = (0..<6).map { k -> PointOutcome in
            var r = PointResult()
            r["ZQ"] = .number(0.3)
            r["ZQ-stderr"] = .number(0.01)
            return PointOutcome(
                index: k, parameters: [("system.lattice.spacing", k < 3 ? 0.02 : 0.03), ("system.pump.rate", Double(1 + k % 3))],
                backend: .exact, result: r, optimum: nil, seconds: 0)
        }
        let figures = Figures.figures(spec: c.base, outcomes: Self.outcomes(c)) { source in
            if case .bundle(let p) = source, p.hasSuffix("/elsewhere") { return .success(other) }
            return .failure(FigureSourceError(reason: "no bundle here"))
        }
        XCTAssertEqual(figures.map(\.name), ["overlay", "map"])
        let lines = figures[0]
        XCTAssertEqual(
            lines.series.map(\.label),
            [
                "I − D, f_{eff}/Γ = 4", "I − D, f_{eff}/Γ = 12", "Z_Q / max Z_Q, f_{eff}/Γ = 4", "Z_Q / max Z_Q, f_{eff}/Γ = 12",
                "collective, spacing a/λ = 0.02", "collective, spacing a/λ = 0.03"
            ])
        for s in lines.series[0..<2] {
            XCTAssertEqual(s.x.count, 9)
            for (x, y) in zip(s.x, s.y) { XCTAssertEqual(y, x / 10 - x / 20, accuracy: 1e-12) }
        }
        // Normalized along each curve: the largest value is 1.
        for s in lines.series[2..<4] { XCTAssertEqual(s.y.max() ?? 0, 1, accuracy: 1e-12) }
        XCTAssertEqual(lines.series[4].x, [1, 2, 3])
        XCTAssertEqual(lines.series[4].error, [0.01, 0.01, 0.01], "one key with a -stderr: a band")
        XCTAssertEqual(lines.series[2].style, .dashed)
        XCTAssertTrue(lines.x.log)
        XCTAssertEqual(lines.notes, ["missing: no bundle here"])
        XCTAssertEqual(lines.references.map(\.value), [0.5])
        let svg = SVGPlot.render(lines)
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)))
        XCTAssertTrue(svg.contains("missing: no bundle here"))
        XCTAssertEqual(svg.components(separatedBy: "<polygon").count - 1, 2, "bands of the referenced curves")

        let map = figures[1]
        let m = try XCTUnwrap(map.map)
        XCTAssertEqual(m.x.count, 9)
        XCTAssertEqual(m.y, [4, 12])
        XCTAssertEqual(m.z[8][1], pow(12 * 20 / 100.0, 2), accuracy: 1e-12)
        XCTAssertEqual(m.colour.range?.0, -0.05)
        // The overlay is the mean-field threshold f_eff = (Γ + W)²/(W − Γ) (docs/physics.md §4.2), on the W axis range.
        let boundary = try XCTUnwrap(map.series.first)
        XCTAssertEqual(boundary.label, "mean-field boundary")
        XCTAssertGreaterThan(boundary.x.count, 100)
        // Left out (NaN) only where it climbs past 4 × the map's largest f_eff (12 Γ), next to W = Γ.
        for (w, f) in zip(boundary.x, boundary.y) {
            XCTAssertGreaterThan(w, 1)
            XCTAssertLessThanOrEqual(w, 20 * (1 + 1e-12))
            let exact = (1 + w) * (1 + w) / (w - 1)
            if exact > 48 { XCTAssertTrue(f.isNaN, "W = \(w)") } else { XCTAssertEqual(f, exact, accuracy: 1e-9 * f) }
        }
        XCTAssertGreaterThan(boundary.y.filter(\.isFinite).max() ?? 0, 40, "the line still leaves the map at the top")
        XCTAssertEqual(boundary.y.filter(\.isFinite).min() ?? 0, 8, accuracy: 1e-3, "the wedge's tip: f_eff = 8 Γ at W = 3 Γ")
        let mapSVG = SVGPlot.render(map)
        XCTAssertNoThrow(try XMLDocument(data: Data(mapSVG.utf8)))
        // The colour bar has several ticks (−0.05 … 0.2 in steps of 0.05).
        for t in ["-0.05", "0.05", "0.1", "0.15", "0.2"] { XCTAssertTrue(mapSVG.contains(">\(t)</text>"), t) }
    }

    /// Fig. 5(a)'s panel: Z_Q/Z_Q^max over θ in degrees and a/λ, with contours of the nearest-neighbour
    /// elastic coupling g(a) sampled from the geometry, not from the six sweep points.
    /// A `zip` sweep moves every zipped path along x: the curve holds every point, not only those at
    /// the partner's first value (the dephasing-resilience-linewidth panel drew one point).
    /// The per-dipole pictures of a large lattice draw every k-th dipole with k coprime with N, so the
    /// subset covers every column of a square lattice (k = 125 on 500 × 500 would draw 4 columns).
    func testDrawnDipolesOfASquareLatticeCoverEveryColumn() {
        let side = 500
        let t = ResultTable(name: "phases", columns: ["a"], rows: (0..<(side * side)).map { [Double($0)] })
        let (rows, k) = Figures.drawnRows(t)
        XCTAssertEqual(k, 127)
        XCTAssertLessThanOrEqual(rows.count, Figures.maxDrawnDipoles)
        XCTAssertEqual(Set(rows.map { Int($0[0]) % side }).count, side)
        XCTAssertEqual(Figures.subsetNote(t, stride: k), " (every 127th of 250000 dipoles)")
        XCTAssertEqual(Figures.subsetNote(t, stride: 501), " (every 501st of 250000 dipoles)")
        XCTAssertEqual(Figures.subsetNote(t, stride: 112), " (every 112th of 250000 dipoles)")
        XCTAssertEqual(Figures.drawnRows(ResultTable(name: "phases", columns: ["a"], rows: [[0], [1]])).stride, 1)
    }

    func testZipSweepCurvesHoldEveryPoint() throws {
        let text = """
            dipolesync: 1
            name: zipped
            system:
              lattice: {shape: all-to-all, sites: 10}
              couplings: {uniform: {feff: 6 Gamma}}
              pump: {rate: 2 Gamma}
              dephasing: {rate: 0 Gamma}
            observables: [ZQ]
            sweep:
              zip:
                system.dephasing.rate: [0 Gamma, 0.5 Gamma, 1 Gamma, 2 Gamma]
                system.pump.rate: [2 Gamma, 2.5 Gamma, 3 Gamma, 2 Gamma]
            figures:
              - name: line
                x: {axis: system.dephasing.rate}
                series:
                  - {value: ZQ}

            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p -> PointOutcome in
            var r = PointResult()
            r["ZQ"] = .number(0.3 - 0.1 * p.parameters[0].value)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .exact, result: r, optimum: nil, seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes).first)
        XCTAssertEqual(f.series.count, 1)
        XCTAssertEqual(f.series.first?.x, [0, 0.5, 1, 2])
        let y = f.series.first?.y ?? []
        XCTAssertEqual(y.count, 4)
        for (a, b) in zip(y, [0.3, 0.25, 0.2, 0.1]) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        // A grid still holds the other path at its first value (one curve per value with `curves:`).
        XCTAssertFalse(Figures.determined("b", by: "a", in: [("a", 1, "b", 1), ("a", 1, "b", 2)].map(Self.point)))
        XCTAssertTrue(Figures.determined("b", by: "a", in: [("a", 1, "b", 1), ("a", 2, "b", 1)].map(Self.point)))
    }

    /// Without `figures:`, a `two-time` observable of many pairs draws the first `maxDrawnPairs` pair
    /// functions of each point (the rest are in tables/), ν as scatter plots split by `resolvable`, and
    /// one histogram of ν across the points on common bins whose staircases count every pair.
    func testManyPairsDrawAFewPairFunctionsAndOneHistogramOfNu() throws {
        let text = """
            dipolesync: 1
            name: pairs
            system:
              lattice: {shape: chain, sites: 30, spacing: 0.1 lambda}
              couplings: {power-law: {alpha: 1, strength: 0.25 Gamma}}
              pump: {rate: 2 Gamma}
            observables: [ZQ]
            sweep:
              grid:
                system.couplings.power-law.alpha: [0, 2]

            """
        let (c, _) = try compileAndPlan(text)
        let pairs = 10
        let outcomes = c.points.map { p -> PointOutcome in
            var r = PointResult()
            r["ZQ"] = .number(0.1)
            for b in 0..<pairs {
                r.tables.append(
                    ResultTable(name: ObservableWriter.Key.twoTimeTable(15, b), columns: ["tau", "re", "im"], rows: [[0, 1, 0], [1, 0.5, 0]]))
            }
            // Point 0: every pair entrained; point 1: ν = b/10 − 0.45, the even partners resolvable.
            let nu: [Double] = (0..<pairs).map { b in p.index == 0 ? 0 : Double(b) / 10 - 0.45 }
            let rows = (0..<pairs).map { (b: Int) -> [Double] in
                let resolvable: Double = b % 2 == 0 ? 1 : 0
                return [Double(b), nu[b], nu[b], resolvable]
            }
            r.tables.append(
                ResultTable(name: ObservableWriter.Key.nuAgainstPartnerTable, columns: ["b", "nu", "detuning-difference", "resolvable"], rows: rows))
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .cumulant, result: r, optimum: nil, seconds: 0)
        }
        let figures = Figures.figures(spec: c.base, outcomes: outcomes)
        let names = figures.map(\.name)
        for i in 0..<2 {
            let drawn = (0..<pairs).filter { names.contains(String(format: "point-%04d-two-time-15-%d", i, $0)) }
            XCTAssertEqual(drawn, Array(0..<Figures.maxDrawnPairs), "point \(i)")
        }
        XCTAssertTrue(figures.contains { $0.name == "point-0000-two-time-15-0" && $0.title.contains("pair 1 of 10 drawn") })
        let scatter = try XCTUnwrap(figures.first { $0.name == "point-0001-nu-vs-b" })
        XCTAssertEqual(scatter.series.map { $0.y.count }, [5, 5, 10], "resolvable, not resolvable, the bare difference")
        XCTAssertEqual(scatter.series[0].x, [0, 2, 4, 6, 8])
        let histogram = try XCTUnwrap(figures.first { $0.name == "nu-histogram" })
        XCTAssertEqual(histogram.series.map(\.label), ["exponent α = 0", "exponent α = 2"])
        for s in histogram.series {
            // Each bin is a flat step of two points between the zero ends: the counts add up to the pairs.
            let counts = stride(from: 1, to: s.y.count - 1, by: 2).map { s.y[$0] }
            XCTAssertEqual(counts.reduce(0, +), Double(pairs), s.label)
            XCTAssertEqual(s.x.first, -0.45)
            XCTAssertEqual(s.x.last ?? 0, 0.45, accuracy: 1e-12)
        }
        XCTAssertEqual(histogram.series[0].y.max(), Double(pairs), "all entrained pairs in one bin")
        XCTAssertTrue(ObservableWriter.Key.isTwoTimePairTable("two-time-100-7"))
        for name in ["two-time-dipoles", "two-time-1", "two-time-1-2-3", "two-time--1-2", "two-time-+1-2"] {
            XCTAssertFalse(ObservableWriter.Key.isTwoTimePairTable(name), name)
        }
    }

    /// Uncertainties carried through a derived value (docs/spec-language.md §12): `1 / two-time.gamma-slow`
    /// gets the band σ/γ² of the fit's `gamma-slow-err`, `10 * ZQ` ten times the `ZQ-stderr`; a value of
    /// two keys or with max() gets none.
    func testDerivedValuesCarryTheUncertaintyOfTheirKey() throws {
        let text = """
            dipolesync: 1
            name: bands
            system:
              lattice: {shape: all-to-all, sites: 20}
              couplings: {uniform: {feff: 5 Gamma}}
              pump: {rate: 2 Gamma}
            observables:
              - ZQ
              - {two-time: {pairs: [[0, 1]], tau-max: 10 /Gamma, tau-points: 20}}
            sweep:
              grid:
                system.pump.rate: [1 Gamma, 2 Gamma, 4 Gamma]
            figures:
              - name: purity
                series:
                  - {value: "1 / two-time.gamma-slow", label: "Γ/γ_slow"}
                  - {value: "10 * ZQ", label: "10 Z_Q"}
                  - {value: "ZQ / max(ZQ)", label: "normalized"}
                  - {value: "ZQ * two-time.gamma-slow", label: "two keys"}

            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p -> PointOutcome in
            let w = p.parameters[0].value
            var r = PointResult()
            r["ZQ"] = .number(w / 10)
            r["ZQ-stderr"] = .number(0.01)
            r["two-time"] = .array([.object([("a", .number(0)), ("b", .number(1)), ("gamma-slow", .number(w)), ("gamma-slow-err", .number(0.1 * w))])]
            )
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .cumulant, result: r, optimum: nil, seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes).first)
        XCTAssertEqual(f.series.map(\.label), ["Γ/γ_slow", "10 Z_Q", "normalized", "two keys"])
        let purity = try XCTUnwrap(f.series[0].error)
        for (w, e) in zip([1.0, 2, 4], purity) {
            // |1/(γ − σ) − 1/(γ + σ)|/2 = σ/(γ² − σ²), σ = 0.1 γ.
            XCTAssertEqual(e, 0.1 * w / (w * w - 0.01 * w * w), accuracy: 1e-12)
        }
        for e in try XCTUnwrap(f.series[1].error) { XCTAssertEqual(e, 0.1, accuracy: 1e-12) }
        XCTAssertNil(f.series[2].error)
        XCTAssertNil(f.series[3].error)
    }

    /// Fig. 2(c) without a `figures:` section: the conditional QFI's time series is drawn as one quantity
    /// (y label and title F̄_Q, not "time evolution"), its single trajectory dotted and numbered from 1,
    /// the mean with its error band, and the witness 2N/3 of the point as a dashed line.
    func testConditionalQFITimeSeriesCarriesTheWitness() throws {
        let text = """
            dipolesync: 1
            name: trace
            system:
              lattice: {shape: all-to-all, sites: 4}
              couplings: {uniform: {feff: 3 Gamma}}
              pump: {rate: 1.5 Gamma}
            observables: [ZQ]

            """
        let (c, _) = try compileAndPlan(text)
        var r = PointResult()
        r["qfi-conditional"] = .number(2.9)
        r["qfi-witness"] = .number(8.0 / 3)
        r.tables = [
            ResultTable(
                name: "timeseries", columns: ["t", "qfi-conditional", "qfi-conditional-stderr", "qfi-conditional-trajectory-0"],
                rows: [[0, 2.7, 0, 2.7], [1, 2.8, 0.1, 2.9], [2, 2.9, 0.1, 3.0]])
        ]
        let outcome = PointOutcome(index: 0, parameters: [], backend: .exact, result: r, optimum: nil, seconds: 0)
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: [outcome]).first { $0.name == "timeseries" })
        XCTAssertEqual(f.y.label, "conditional F̄_Q")
        XCTAssertEqual(f.title, "conditional F̄_Q against time")
        XCTAssertEqual(f.x.label, "time t (1/Γ)")
        XCTAssertEqual(f.series.map(\.label), ["conditional F̄_Q", "conditional F̄_Q, trajectory 1"])
        XCTAssertEqual(f.series.map(\.style), [.solid, .dotted])
        XCTAssertEqual(f.series[0].error, [0, 0.1, 0.1])
        XCTAssertEqual(f.references.map(\.value), [8.0 / 3])
        XCTAssertEqual(f.references.map(\.label), ["witness 2N/3"])
    }

    static func point(_ p: (String, Double, String, Double)) -> PointOutcome {
        PointOutcome(index: 0, parameters: [(p.0, p.1), (p.2, p.3)], backend: .exact, result: PointResult(), optimum: nil, seconds: 0)
    }

    func testAngleAxisInDegreesAndContoursOfTheNearestNeighbourCoupling() throws {
        let text = """
            dipolesync: 1
            name: chain-map
            system:
              lattice: {shape: chain, sites: 4, spacing: 0.05 lambda}
              couplings: dipolar
              pump: {rate: 4 Gamma}
            observables: [ZQ]
            sweep:
              grid:
                system.polarization.angle: {values: [0 deg, magic, 90 deg]}
                system.lattice.spacing: {values: [0.02 lambda, 0.04 lambda, 0.08 lambda]}
            figures:
              - name: map
                kind: heat-map
                x: {axis: system.polarization.angle, unit: deg}
                value: "ZQ * sqrt(8)"
                contours: {value: g-nearest, levels: [-100, -10, 0, 10], label: "g(a)/Γ"}

            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p -> PointOutcome in
            var r = PointResult()
            r["ZQ"] = .number(0.1 + p.parameters[0].value / 10 + p.parameters[1].value)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .exact, result: r, optimum: nil, seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes).first)
        let m = try XCTUnwrap(f.map)
        let magic = acos(1 / 3.0.squareRoot())
        XCTAssertEqual(m.x[0], 0)
        XCTAssertEqual(m.x[1], magic * 180 / .pi, accuracy: 1e-12)
        XCTAssertEqual(m.x[2], 90, accuracy: 1e-12)
        XCTAssertEqual(m.z[1][2], (0.1 + magic / 10 + 0.08) * 8.0.squareRoot(), accuracy: 1e-12)
        let field = try XCTUnwrap(m.contourField)
        XCTAssertEqual(field.x.count, Figures.geometrySamples)
        XCTAssertEqual(field.x.last ?? 0, 90, accuracy: 1e-9)
        XCTAssertEqual(field.y.first ?? 0, 0.02, accuracy: 1e-15)
        // Near field along the chain (θ = 0): g = −3Γ/ζ³ − 3Γ/(2ζ) + O(ζ), ζ = 2πa/λ (docs/physics.md §2.1).
        let zeta = 2 * Double.pi * 0.02
        XCTAssertEqual(field.z[0][0], -3 / (zeta * zeta * zeta) - 1.5 / zeta, accuracy: 1e-3 * abs(field.z[0][0]))
        // g changes sign next to the magic angle, where the near-field term vanishes.
        let zero = Contour.segments(x: field.x, y: field.y, z: field.z, level: 0)
        XCTAssertFalse(zero.isEmpty)
        for s in zero { XCTAssertTrue((50...60).contains(s.0.0) && (50...60).contains(s.1.0), "\(s)") }
        let svg = SVGPlot.render(f)
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)))
        XCTAssertTrue(svg.contains(">-100</text>") && svg.contains("lines: g(a)/Γ"))
        XCTAssertFalse(svg.contains(MathLabel.svg(SVGPlot.contourLabel(m, 0))), "lines of a field of their own are not legend entries")
        let csv = FigureExport.csv(f)
        XCTAssertEqual(csv.components(separatedBy: "\ncontours,").count - 1, Figures.geometrySamples * Figures.geometrySamples)
        XCTAssertTrue(FigureExport.python(f).contains("ax.contour(cx, cy, cz"))
    }

    /// `mean-field-dephasing-threshold` over Z_Q against γ_φ: a vertical line at γ_φ = F/2 − √(2F(Γ + γ_nr))
    /// for every swept f_eff above the wedge's tip 8(Γ + γ_nr), none below it (docs/physics.md §4.5).
    func testDephasingThresholdOverlayIsAVerticalLinePerCoupling() throws {
        let text = """
            dipolesync: 1
            name: resilience
            system:
              lattice: {shape: all-to-all, sites: 40}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 6 Gamma}
              dephasing: {rate: 0 Gamma}
              nonradiative-decay: {rate: 0.25 Gamma}
            observables: [ZQ]
            sweep:
              grid:
                system.couplings.uniform.feff: [8 Gamma, 15 Gamma, 30 Gamma]
                system.dephasing.rate: [0 Gamma, 1 Gamma, 5 Gamma, 20 Gamma]
            figures:
              - name: resilience
                x: {axis: system.dephasing.rate}
                curves: system.couplings.uniform.feff
                series: [ZQ]
                overlays: [mean-field-dephasing-threshold]
                reference-lines: [{y: 0.1, label: "a tenth"}]

            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p in
            var r = PointResult()
            r["ZQ"] = .number(0.2)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .permutationSymmetric, result: r, optimum: nil, seconds: 0)
        }
        let figures = Figures.figures(spec: c.base, outcomes: outcomes) { _ in .failure(FigureSourceError(reason: "none")) }
        let f = try XCTUnwrap(figures.first)
        XCTAssertEqual(f.series.count, 3)
        XCTAssertEqual(f.references.count, 3, "the reference line and two thresholds (f_eff = 8 Γ < 8(Γ + γ_nr) has none)")
        XCTAssertEqual(f.references.first?.value, 0.1)
        let lines = f.references.dropFirst()
        XCTAssertTrue(lines.allSatisfy { $0.direction == .vertical })
        for (line, feff) in zip(lines, [15.0, 30]) {
            XCTAssertEqual(line.value, feff / 2 - (2 * feff * 1.25).squareRoot(), accuracy: 1e-12)
            XCTAssertTrue(line.label.contains("f_{eff} = \(Int(feff)) Γ"), line.label)
        }
        XCTAssertNoThrow(try XMLDocument(data: Data(SVGPlot.render(f).utf8)))
    }

    /// The threshold over dipolar chains: one line per system drawn, at γ_φ = F/2 − √(2FΓ) with F the
    /// chain's f_eff (docs/physics.md §2.4, §4.6), here summed independently from the magic-angle kernel
    /// f(r) = Γ sin(kr)/(kr); each in the colour of its system's curve, in the SVG and the script.
    func testDephasingThresholdOfChainsIsDrawnPerSystemInItsColour() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("threshold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func chain(_ name: String, sites: Int, figures: String = "") -> String {
            """
            dipolesync: 1
            name: \(name)
            system:
              lattice: {shape: chain, sites: \(sites), spacing: 0.02 lambda}
              couplings: dipolar
              polarization: {angle: magic}
              pump: {rate: 8 Gamma}
              dephasing: {rate: 0 Gamma}
            observables: [ZQ]
            sweep:
              grid:
                system.dephasing.rate: [0 Gamma, 4 Gamma, 24 Gamma]
            \(figures)
            """
        }
        try chain("long", sites: 200).write(to: dir.appendingPathComponent("long.yaml"), atomically: true, encoding: .utf8)
        let text = chain(
            "short", sites: 12,
            figures: """
                figures:
                  - name: resilience
                    x: {axis: system.dephasing.rate}
                    series:
                      - {value: ZQ, label: "N = 12"}
                      - {value: ZQ, label: "N = 200", from: {spec: long.yaml}}
                    overlays: [mean-field-dephasing-threshold]

                """)
        let path = dir.appendingPathComponent("short.yaml").path
        let c = try XCTUnwrap(SpecCompiler.compile(bytes: Array(text.utf8), path: path, catalog: Catalog()).compiled)
        let outcomes = c.points.map { p in
            var r = PointResult()
            r["ZQ"] = .number(0.2)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .exact, result: r, optimum: nil, seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes) { _ in .success(outcomes) }.first)
        XCTAssertEqual(f.series.count, 2)
        func feff(_ n: Int) -> Double {
            var sum = 0.0
            for a in 0..<n { for b in 0..<n where a != b { let kr = 2 * Double.pi * 0.02 * Double(abs(a - b)); sum += sin(kr) / kr } }
            return sum / Double(n - 1)
        }
        XCTAssertEqual(f.references.count, 2, f.references.map(\.label).description)
        for (k, (line, n)) in zip(f.references, [12, 200]).enumerated() {
            let F = feff(n)
            XCTAssertEqual(line.value, F / 2 - (2 * F).squareRoot(), accuracy: 1e-9, "N = \(n)")
            XCTAssertEqual(line.colour, k)
            XCTAssertTrue(line.label.contains(String(format: "f_{eff} = %.3g Γ", F)), line.label)
        }
        XCTAssertEqual(feff(200), 23.5, accuracy: 0.05)
        // A swept path in an expression is each point's value: Z_Q / (1 + γ_φ) here.
        var ratio = c.base
        ratio.figures[0].series = [ratio.figures[0].series[0]]
        ratio.figures[0].series[0].value = try FigureExpression.parse("ZQ / (1 + system.dephasing.rate)").get()
        let drawn = try XCTUnwrap(Figures.figures(spec: ratio, outcomes: outcomes) { _ in .success(outcomes) }.first?.series.first)
        XCTAssertEqual(drawn.x, [0, 4, 24])
        for (y, expected) in zip(drawn.y, [0.2, 0.04, 0.008]) { XCTAssertEqual(y, expected, accuracy: 1e-15) }
        XCTAssertEqual(drawn.y.count, 3)
        let svg = SVGPlot.render(f)
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)))
        XCTAssertTrue(svg.contains("stroke=\"\(SVGPlot.palette[1])\" stroke-width=\"1.3\""))
        XCTAssertTrue(FigureExport.python(f).contains("axvline(\(FigureExport.pyNumber(f.references[1].value)), color=\"\(SVGPlot.palette[1])\""))
    }

    /// `optimum` is the location of each point's optimum in a spec with `optimize` (W_opt against the
    /// swept axis); in a spec without `optimize` it is a located error that says so.
    func testTheOptimumIsAValueOfASpecThatOptimizes() throws {
        let text = """
            dipolesync: 1
            name: optimal
            system:
              lattice: {shape: all-to-all, sites: 20}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 6 Gamma}
              dephasing: {rate: 0 Gamma}
            observables: [ZQ]
            sweep:
              grid:
                system.dephasing.rate: [0 Gamma, 1 Gamma, 4 Gamma]
            optimize: {maximize: ZQ, over: system.pump.rate, within: [1 Gamma, 20 Gamma]}
            figures:
              - name: pump
                x: {axis: system.dephasing.rate}
                series: [optimum, "optimum / max(optimum)"]

            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p in
            var r = PointResult()
            r["ZQ"] = .number(0.2)
            let phi = p.parameters[0].value
            return PointOutcome(
                index: p.index, parameters: p.parameters, backend: .permutationSymmetric, result: r,
                optimum: (path: "system.pump.rate", value: 7.5 - phi, evaluations: 12), seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes) { _ in .failure(FigureSourceError(reason: "none")) }.first)
        XCTAssertEqual(f.series.map(\.y), [[7.5, 6.5, 3.5], [1, 6.5 / 7.5, 3.5 / 7.5]])
        let plain = text.replacingOccurrences(of: "optimize: {maximize: ZQ, over: system.pump.rate, within: [1 Gamma, 20 Gamma]}\n", with: "")
        let outcome = SpecCompiler.compile(bytes: Array(plain.utf8), path: "optimal.yaml", catalog: Catalog())
        XCTAssertNil(outcome.compiled)
        let error = try XCTUnwrap(outcome.diagnostics.first { $0.message.contains("'optimum'") })
        XCTAssertEqual(error.location.line, 15)
        XCTAssertTrue(error.hint?.contains("a spec with 'optimize'") == true, error.hint ?? "")
    }

    /// Figures are presentation: with or without them, the resolved spec, the bundle ID and the
    /// results are the same; the bundle lists each figure's SVG, CSV and script.
    /// `observable.field` reads an object's field and, for a list (`two-time`), the first entry's.
    func testFigureValuesReadObjectFieldsAndTheFirstTwoTimePair() throws {
        var r = PointResult()
        r["spectrum"] = .object([("linewidth", .number(0.25)), ("peak-frequency", .number(-1))])
        r["two-time"] = .array([
            .object([("a", .number(0)), ("b", .number(1)), ("gamma", .number(2)), ("gamma-slow", .number(0.5))]),
            .object([("a", .number(0)), ("b", .number(2)), ("gamma", .number(7))])
        ])
        let o = PointOutcome(index: 0, parameters: [], backend: .cumulant, result: r, optimum: nil, seconds: 0)
        XCTAssertEqual(Figures.value("spectrum.linewidth", o), 0.25)
        XCTAssertEqual(Figures.value("two-time.gamma", o), 2)
        XCTAssertEqual(Figures.value("two-time.gamma-slow", o), 0.5)
        XCTAssertNil(Figures.value("two-time.A-slow", o), "a field the backend does not report leaves the point out")
        let purity = try FigureExpression.parse("1 / two-time.gamma-slow").get()
        XCTAssertEqual(purity.evaluate(count: 1) { k in [Figures.value(k, o) ?? .nan] }, [2])
    }

    func testFiguresLeaveTheBundleIDAndResultsAlone() throws {
        let (c, plan) = try compileAndPlan(Self.spec)
        let plainText = String(Self.spec[..<Self.spec.range(of: "figures:")!.lowerBound])
        let (plain, _) = try compileAndPlan(plainText)
        XCTAssertEqual(BundleWriter.id(c), BundleWriter.id(plain))
        let outcomes = Self.outcomes(c)
        let contents = BundleWriter.contents(compiled: c, plan: plan, outcomes: outcomes, threads: 1, totalSeconds: 0)
        let paths = contents.files.map(\.path)
        for f in ["overlay", "map"] {
            for ext in ["svg", "csv", "py"] { XCTAssertTrue(paths.contains("figures/\(f).\(ext)"), "\(f).\(ext)") }
        }
        XCTAssertEqual(
            BundleWriter.resultFiles(compiled: c, outcomes: outcomes).map(\.data),
            BundleWriter.resultFiles(compiled: plain, outcomes: outcomes).map(\.data))
        let csv = String(decoding: try XCTUnwrap(contents.data("figures/map.csv")), as: UTF8.self)
        XCTAssertTrue(csv.hasPrefix("series,x,y,value,error\n"))
        XCTAssertEqual(csv.split(separator: "\n").filter { $0.hasPrefix("map,") }.count, 18, "one row per cell")
    }

    /// Writes the bundle of a small mean-field run (line plots, a heat map, Bloch spheres, time series) to a folder.
    func writeSampleBundle() throws -> URL {
        let text = """
            dipolesync: 1
            name: sample
            system:
              lattice: {shape: all-to-all, sites: 20}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 7.5 Gamma}
            initial: {product: {polar: 90 deg, azimuth: random}}
            evolve: {until: 10 /Gamma, samples: 50}
            observables: [Z, inversion, phases]
            sweep:
              grid:
                system.pump.rate: [1 Gamma, 7.5 Gamma]
            solver: {backend: mean-field, seed: 3}
            """
        let (c, plan) = try compileAndPlan(text)
        let outcomes = try Executor(compiled: c, plan: plan, registry: .standard).run()
        var contents = BundleWriter.contents(compiled: c, plan: plan, outcomes: outcomes, threads: 1, totalSeconds: 0)
        // A heat map and a declared figure too.
        var heat = Figure(
            name: "heat", title: "Z_Q^2 map", kind: .heatMap, x: Figure.Axis(label: "W/Γ", log: true), y: Figure.Axis(label: "f_{eff}/Γ"))
        heat.map = Figure.Map(
            x: [0.5, 1, 2, 4], y: [2, 4, 8], z: [[0, 0.1, 0.2], [0.1, 0.2, 0.3], [0.2, 0.3, 0.4], [0.3, 0.4, .nan]],
            colour: Figure.Axis(label: "Z_Q^2"), contours: [0.25])
        heat.series = [Figure.Series(label: "boundary", x: [1, 2, 4], y: [2, 5, 7], style: .dashed)]
        contents.files += Figures.files([heat])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-figures-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return URL(fileURLWithPath: try BundleWriter.write(contents, to: dir.path, force: false))
    }

    /// Every figure's matplotlib script redraws it from its CSV (when matplotlib is installed;
    /// scripts/setup --with-qutip installs it).
    func testMatplotlibScriptsRedrawEveryFigure() throws {
        guard Subprocess.run(["python3", "-c", "import matplotlib"]).status == 0 else {
            throw XCTSkip("matplotlib is not installed (scripts/setup --with-qutip installs it)")
        }
        let bundle = try writeSampleBundle()
        let figures = bundle.appendingPathComponent("figures")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: figures.path).filter { $0.hasSuffix(".py") }.sorted()
        XCTAssertTrue(scripts.contains("bloch.py") && scripts.contains("heat.py") && scripts.contains("Z.py"), "\(scripts)")
        for s in scripts {
            let out = figures.appendingPathComponent(s.replacingOccurrences(of: ".py", with: "-mpl.png")).path
            let r = Subprocess.run(["python3", figures.appendingPathComponent(s).path, out], environment: ["MPLBACKEND": "Agg"], timeout: 300)
            XCTAssertEqual(r.status, 0, "\(s): \(r.stderr)")
            let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 2000, "\(s) wrote no picture")
        }
    }

    /// The bundle page in headless Chromium: the page loads, and every picture on it decodes (a
    /// broken SVG or a missing file is an image of width 0).
    func testIndexPageRendersInChromium() throws {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap({ Self.which($0) }).first else {
            throw XCTSkip("chromium is not installed (scripts/setup --with-qutip installs the Debian package chromium)")
        }
        let bundle = try writeSampleBundle()
        let index = try String(contentsOf: bundle.appendingPathComponent("index.html"), encoding: .utf8)
        let sources = index.components(separatedBy: "<img src=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
        XCTAssertGreaterThanOrEqual(sources.count, 5, "\(sources)")
        // A page beside index.html that loads the same images and reports how many decoded.
        let probe = """
            <!DOCTYPE html><html><body><div id="result">pending</div>
            \(sources.map { "<img src=\"\($0)\">" }.joined(separator: "\n"))
            <script>
            window.addEventListener("load", () => {
              const imgs = [...document.images];
              const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute("src"));
              document.getElementById("result").textContent = "loaded " + (imgs.length - bad.length) + "/" + imgs.length + " broken: " + bad.join(" ");
            });
            </script></body></html>
            """
        try probe.write(to: bundle.appendingPathComponent("probe.html"), atomically: true, encoding: .utf8)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=10000"]
        let r = Subprocess.run([chromium] + flags + ["--dump-dom", bundle.appendingPathComponent("probe.html").absoluteString], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("loaded \(sources.count)/\(sources.count) broken: <"), "\(r.stdout.suffix(600))")
        let page = Subprocess.run([chromium] + flags + ["--dump-dom", bundle.appendingPathComponent("index.html").absoluteString], timeout: 300)
        XCTAssertEqual(page.status, 0, page.stderr)
        XCTAssertTrue(page.stdout.contains("<h2>Pictures</h2>") && page.stdout.contains("</table>"), "\(page.stdout.prefix(400))")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// `y: {axis: cluster-size}`: the cluster order Z_Q^d over (α, d) with its contour (docs/spec-language.md §12).
final class ClusterMapFigureTests: XCTestCase {
    static let spec = """
        dipolesync: 1
        name: clusters
        system:
          lattice: {shape: chain, sites: 40, spacing: 0.1 lambda}
          couplings: {power-law: {alpha: 1, strength: 0.25 Gamma}}
          pump: {rate: 4 Gamma}
        observables:
          - ZQ
          - {cluster-ZQ: {sizes: [2, 4, 8]}}
        sweep:
          grid:
            system.couplings.power-law.alpha: {values: [0.5, 1, 2]}
        figures:
          - name: order
            kind: heat-map
            y: {axis: cluster-size, scale: log}
            value: "cluster-ZQ / ZQ"
            contours: [0.5]

        """

    func testClusterOrderMapTakesTheSizesAsItsYAxis() throws {
        let (c, _) = try compileAndPlan(Self.spec)
        // Z_Q^d = α/d, Z_Q = 1: the value is α/d at (α, d).
        let outcomes = c.points.map { p -> PointOutcome in
            let alpha = p.parameters[0].value
            var r = PointResult()
            r["ZQ"] = .number(1)
            r["cluster-ZQ"] = .array([2.0, 4, 8].map { d in .object([("d", .number(d)), ("ZQ", .number(alpha / d))]) })
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .cumulant, result: r, optimum: nil, seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes).first)
        let m = try XCTUnwrap(f.map)
        XCTAssertEqual(m.x, [0.5, 1, 2])
        XCTAssertEqual(m.y, [2, 4, 8])
        XCTAssertEqual(m.z[2][1], 2.0 / 4, accuracy: 1e-15)
        XCTAssertEqual(m.z[0][2], 0.5 / 8, accuracy: 1e-15)
        XCTAssertEqual(m.contours, [0.5])
        XCTAssertTrue(f.y.log)
        XCTAssertNoThrow(try XMLDocument(data: Data(SVGPlot.render(f).utf8)))
        XCTAssertTrue(FigureExport.python(f).contains("ax.contour"))
    }

    func testClusterSizeAxisNeedsAHeatMapAndTheObservable() throws {
        let noCluster = Self.spec.replacingOccurrences(of: "  - {cluster-ZQ: {sizes: [2, 4, 8]}}\n", with: "")
        XCTAssertTrue(try diagnosticsText(noCluster).contains("add {cluster-ZQ"))
        let lines = Self.spec.replacingOccurrences(of: "kind: heat-map", with: "kind: lines")
        XCTAssertTrue(try diagnosticsText(lines).contains("cluster-size"))
    }

    /// `cluster-ZQ.dN` is one cluster's Z_Q^d as a number per point: a curve of the largest cluster's
    /// order against α, with values built on it; only the requested sizes are keys (a closest one named).
    func testOneClustersOrderIsAValueOfItsOwn() throws {
        let curve = Self.spec.replacingOccurrences(
            of: """
                    kind: heat-map
                    y: {axis: cluster-size, scale: log}
                    value: "cluster-ZQ / ZQ"
                    contours: [0.5]
                """,
            with: """
                    x: {axis: system.couplings.power-law.alpha}
                    series:
                      - {value: cluster-ZQ.d8, label: "Z_Q^8"}
                      - {value: "cluster-ZQ.d2 / ZQ", label: "Z_Q^2/Z_Q"}
                """)
        XCTAssertNotEqual(curve, Self.spec)
        let (c, _) = try compileAndPlan(curve)
        let outcomes = c.points.map { p -> PointOutcome in
            let alpha = p.parameters[0].value
            var r = PointResult()
            r["ZQ"] = .number(0.5)
            r["cluster-ZQ"] = .array([2.0, 4, 8].map { d in .object([("d", .number(d)), ("ZQ", .number(alpha / d)), ("ZQ2", .number(0))]) })
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .cumulant, result: r, optimum: nil, seconds: 0)
        }
        let f = try XCTUnwrap(Figures.figures(spec: c.base, outcomes: outcomes).first)
        XCTAssertEqual(f.series.map(\.label), ["Z_Q^8", "Z_Q^2/Z_Q"])
        XCTAssertEqual(f.series[0].x, [0.5, 1, 2])
        XCTAssertEqual(f.series[0].y, [0.5 / 8, 1.0 / 8, 2.0 / 8])
        XCTAssertEqual(f.series[1].y, [0.5, 1, 2])
        let unknown = curve.replacingOccurrences(of: "cluster-ZQ.d8", with: "cluster-ZQ.d16")
        let text = try diagnosticsText(unknown)
        XCTAssertTrue(text.contains("unknown observable 'cluster-ZQ.d16'") && text.contains("did you mean 'cluster-ZQ.d"), text)
    }

    private func diagnosticsText(_ text: String) throws -> String {
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: "clusters.yaml", catalog: Catalog())
        XCTAssertNil(outcome.compiled)
        return outcome.diagnostics.map { $0.message + " " + ($0.hint ?? "") }.joined(separator: "\n")
    }
}

/// What a figure notes about itself (drawn in red under the SVG and printed as `warning: figure
/// 'NAME': …` by `run`, `merge` and `redraw`): curves without a finite point, contour levels the map
/// never reaches.
final class FigureNoteTests: XCTestCase {
    static let spec = """
        dipolesync: 1
        name: notes
        system:
          lattice: {shape: all-to-all, sites: 10}
          couplings: {uniform: {feff: 6 Gamma}}
          pump: {rate: 2 Gamma}
        observables: [ZQ, inversion]
        sweep:
          grid:
            system.pump.rate: [1 Gamma, 2 Gamma, 4 Gamma]
            system.couplings.uniform.feff: [4 Gamma, 8 Gamma]
        figures:
          - name: lines
            x: {axis: system.pump.rate}
            series:
              - {value: ZQ, label: "Z_Q"}
              - {value: inversion, label: "S^z"}
              - {value: "sqrt(-1 - abs(ZQ))", label: "imaginary"}
          - name: map
            kind: heat-map
            value: ZQ
            contours: [0.1, 0.3, 5, -1]

        """

    /// Z_Q = W·F/100 (0.04 … 0.32); `inversion` is in no point's results.
    static func outcomes(_ c: CompiledSpec) -> [PointOutcome] {
        c.points.map { p in
            var r = PointResult()
            r["ZQ"] = .number(p.parameters[0].value * p.parameters[1].value / 100)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .permutationSymmetric, result: r, optimum: nil, seconds: 0)
        }
    }

    func testCurvesWithoutAFiniteValueAndUnreachableContoursAreNoted() throws {
        let (c, plan) = try compileAndPlan(Self.spec)
        let figures = Figures.figures(spec: c.base, outcomes: Self.outcomes(c))
        let lines = try XCTUnwrap(figures.first { $0.name == "lines" })
        XCTAssertEqual(lines.notes.count, 2, "\(lines.notes)")
        XCTAssertTrue(lines.notes[0].hasPrefix("S^z: no finite values"), lines.notes[0])
        XCTAssertTrue(lines.notes[1].hasPrefix("imaginary: no finite values"), lines.notes[1])
        XCTAssertFalse(lines.notes.contains { $0.hasPrefix("Z_Q") })
        let svg = SVGPlot.render(lines)
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)))
        XCTAssertTrue(svg.contains("S^z: no finite values"))

        let map = try XCTUnwrap(figures.first { $0.name == "map" })
        XCTAssertEqual(map.notes.count, 2, "\(map.notes)")
        XCTAssertTrue(map.notes[0].hasPrefix("contour 5 is outside the values of Z_Q (0.04 … 0.32)"), map.notes[0])
        XCTAssertTrue(map.notes[1].hasPrefix("contour -1 is outside"), map.notes[1])
        let mapSVG = SVGPlot.render(map)
        XCTAssertNoThrow(try XMLDocument(data: Data(mapSVG.utf8)))
        // The lines that are drawn are named in the legend, the unreachable ones are not.
        let m = try XCTUnwrap(map.map)
        XCTAssertEqual(SVGPlot.contourLabel(m, 0.1), "Z_Q = 0.1")
        for level in [0.1, 0.3] { XCTAssertTrue(mapSVG.contains(MathLabel.svg(SVGPlot.contourLabel(m, level)) + "</text>"), "\(level)") }
        for level in [5.0, -1] { XCTAssertFalse(mapSVG.contains(MathLabel.svg(SVGPlot.contourLabel(m, level))), "\(level)") }

        // The bundle carries them, named by figure, for the commands to print.
        let contents = BundleWriter.contents(compiled: c, plan: plan, outcomes: Self.outcomes(c), threads: 1, totalSeconds: 0)
        XCTAssertEqual(contents.notes.count, 4)
        XCTAssertTrue(contents.notes[0].hasPrefix("figure 'lines': S^z: no finite values"), contents.notes[0])
        XCTAssertTrue(contents.notes[2].hasPrefix("figure 'map': contour 5 "), contents.notes[2])
    }

    /// A note longer than the picture is broken at spaces into lines that each fit its width, keeping every
    /// word, and the picture grows by a line for each.
    func testLongNotesWrapInsideThePicture() throws {
        var f = Figure(name: "n", title: "t", x: Figure.Axis(label: "x"), y: Figure.Axis(label: "y"))
        f.series = [Figure.Series(label: "a", x: [0, 1], y: [0, 1])]
        let path = "outputs/dephasing-resilience-chain-900/25bbee8ff742, outputs/archived/dephasing-resilience-chain-900"
        f.notes = ["N = 900 (cumulant): no bundle of dephasing-resilience-chain-900.yaml (run it first: looked in \(path))", "short"]
        let lines = SVGPlot.noteLines(f, width: SVGPlot.width)
        XCTAssertEqual(lines.count, 3, "\(lines)")
        XCTAssertEqual(lines.prefix(2).joined(separator: " "), f.notes[0])
        for l in lines { XCTAssertLessThanOrEqual(SVGPlot.plainTextWidth(l, size: 10), SVGPlot.width - 16, l) }
        let svg = SVGPlot.render(f)
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)))
        XCTAssertTrue(svg.contains("height=\"\(Int(SVGPlot.height) + 14 * 3)\""))
    }

    /// With every value in range and finite, nothing is noted.
    func testAFigureThatDrawsWholeHasNoNotes() throws {
        let text = Self.spec.replacingOccurrences(of: "      - {value: inversion, label: \"S^z\"}\n", with: "")
            .replacingOccurrences(of: "      - {value: \"sqrt(-1 - abs(ZQ))\", label: \"imaginary\"}\n", with: "")
            .replacingOccurrences(of: "[0.1, 0.3, 5, -1]", with: "[0.1, 0.3]")
        let (c, _) = try compileAndPlan(text)
        for f in Figures.figures(spec: c.base, outcomes: Self.outcomes(c)) { XCTAssertEqual(f.notes, [], f.name) }
    }
}

/// The legend beside a plot is as wide as its longest entry, curves and labelled reference lines alike.
final class LegendLayoutTests: XCTestCase {
    /// Swept values in legend entries: whole numbers in full (the N = 10000 of fig4a-finite-size printed
    /// as "1e+04" before), others to four significant digits.
    func testLegendValuesPrintWholeNumbersInFull() {
        XCTAssertEqual(SVGPlot.legendValue(10000), "10000")
        XCTAssertEqual(SVGPlot.legendValue(900), "900")
        XCTAssertEqual(SVGPlot.legendValue(-3), "-3")
        XCTAssertEqual(SVGPlot.legendValue(2.5), "2.5")
        XCTAssertEqual(SVGPlot.legendValue(0.123456), "0.1235")
        XCTAssertEqual(SVGPlot.legendValue(1e8), "1e+08")
    }

    /// The x and the label of each legend entry of an SVG (text at the legend's font size, 12).
    static func legendEntries(_ svg: String) -> [(x: Double, text: String)] {
        svg.components(separatedBy: "\n").compactMap { line -> (Double, String)? in
            guard let r = line.range(of: "<text x=\""), line.contains("font-size=\"12\">") else { return nil }
            let rest = line[r.upperBound...]
            guard let q = rest.firstIndex(of: "\""), let x = Double(rest[..<q]) else { return nil }
            return (x, line)
        }
    }

    static func width(_ svg: String) -> Double {
        let r = svg.range(of: "width=\"")!
        return Double(svg[r.upperBound...].prefix { $0 != "\"" })!
    }

    /// A curve of one point (a sweep run one point at a time, e.g. the N = 10⁴ finite-size chain) is drawn
    /// on an axis of ±10 % around its value, not ±0.5 (which drew Z_Q = 0.23 on −0.27…0.73); zero and a
    /// log axis keep a fixed half width.
    func testASingleValueSpansTenPercentAroundIt() {
        let one = SVGPlot.Scale.fit([0.231], axis: Figure.Axis(label: "Z_Q"), pad: 0, p0: 0, p1: 1)
        XCTAssertEqual(one.lo, 0.2079, accuracy: 1e-12)
        XCTAssertEqual(one.hi, 0.2541, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(one.ticks.filter { $0 >= one.lo && $0 <= one.hi }.count, 2)
        let zero = SVGPlot.Scale.fit([0, 0], axis: Figure.Axis(label: "y"), pad: 0, p0: 0, p1: 1)
        XCTAssertEqual([zero.lo, zero.hi], [-0.5, 0.5])
        let log = SVGPlot.Scale.fit([100], axis: Figure.Axis(label: "y", log: true), pad: 0, p0: 0, p1: 1)
        XCTAssertEqual([log.lo, log.hi], [1.5, 2.5])
        let two = SVGPlot.Scale.fit([0.1, 0.3], axis: Figure.Axis(label: "y"), pad: 0, p0: 0, p1: 1)
        XCTAssertEqual([two.lo, two.hi], [0.1, 0.3])
    }

    func testTextWidthFollowsTheLettersAndShrinksScripts() {
        XCTAssertGreaterThan(SVGPlot.textWidth("mmmm", size: 12), 2 * SVGPlot.textWidth("iiii", size: 12))
        XCTAssertLessThan(SVGPlot.textWidth("Z_{eff}", size: 12), SVGPlot.textWidth("Zeff", size: 12))
        XCTAssertEqual(SVGPlot.textWidth("", size: 12), 0)
        XCTAssertEqual(SVGPlot.textWidth("abc", size: 24), 2 * SVGPlot.textWidth("abc", size: 12), accuracy: 1e-12)
        // On the wide side of Helvetica's widths: "mean-field end, f_{eff} = 30 Γ" at 12 px is drawn ≈ 140 px
        // wide in Liberation Sans (rsvg-convert); the estimate gives ≈ 160 px.
        let w = SVGPlot.textWidth("mean-field end, f_{eff} = 30 Γ", size: 12)
        XCTAssertTrue(w > 150 && w < 185, "\(w)")
    }

    func testLongLabelsOfCurvesAndReferenceLinesFitInTheLegend() throws {
        let long = "a very long label of a reference line, f_{eff} = 30 Γ, with more words to draw"
        for labels in [["Z_Q", "S^z"], ["Z_Q (exact), f_{eff}/Γ = 10", "Z_Q (exact), f_{eff}/Γ = 30"]] {
            var f = Figure(name: "t", title: "t", x: Figure.Axis(label: "x"), y: Figure.Axis(label: "y"))
            f.series = labels.map { Figure.Series(label: $0, x: [0, 1, 2], y: [1, 2, 3]) }
            f.references = [
                Figure.ReferenceLine(direction: .vertical, value: 1, label: "mean-field end, f_{eff} = 30 Γ"),
                Figure.ReferenceLine(direction: .horizontal, value: 2, label: long)
            ]
            let svg = SVGPlot.render(f)
            XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)))
            let w = Self.width(svg)
            let entries = Self.legendEntries(svg)
            XCTAssertEqual(entries.count, 4)
            for ((x, _), label) in zip(entries, labels + ["mean-field end, f_{eff} = 30 Γ", long]) {
                XCTAssertLessThanOrEqual(x + SVGPlot.textWidth(label, size: 12), w - 8, label)
            }
        }
        // Over a heat map: the curves' legend beside the colour bar.
        var m = Figure(name: "m", title: "m", kind: .heatMap, x: Figure.Axis(label: "x"), y: Figure.Axis(label: "y"))
        m.map = Figure.Map(x: [0, 1], y: [0, 1], z: [[0, 1], [1, 2]], colour: Figure.Axis(label: "z"))
        m.series = [Figure.Series(label: long, x: [0, 1], y: [0, 1])]
        let svg = SVGPlot.render(m)
        let entry = try XCTUnwrap(Self.legendEntries(svg).last)
        XCTAssertLessThanOrEqual(entry.x + SVGPlot.textWidth(long, size: 12), Self.width(svg) - 8)
    }
}
