import Foundation
import Physics
import Results
import Testing

@testable import SpecLanguage

/// The `figures:` section (docs/spec-language.md §12): read into typed panels, checked with located
/// errors, and kept out of the resolved spec and the bundle ID.
@Suite struct FigureSpecTests {
    static let base = """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: all-to-all, sites: 6}
          couplings: {uniform: {feff: 5 Gamma}}
          pump: {rate: 2 Gamma}
        observables:
          - ZQ
          - inversion
          - {mutual-information: {pairs: [[0, 1]]}}
          - {discord: {pairs: [[0, 1]]}}
        sweep:
          grid:
            system.pump.rate: {from: 1 Gamma, to: 8 Gamma, points: 8}
            system.couplings.uniform.feff: [4 Gamma, 8 Gamma]

        """

    func compile(_ text: String) -> CompileOutcome {
        SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
    }

    @Test func figuresAreReadAndStayOutOfTheResolvedSpec() throws {
        let text =
            Self.base + """
                figures:
                  - name: correlations
                    title: Correlations
                    x: {axis: system.pump.rate, label: "W/Γ", scale: log, range: [0.5, 10]}
                    curves: system.couplings.uniform.feff
                    series:
                      - {value: mutual-information, label: I}
                      - {value: "mutual-information - discord", label: "I − D", style: dashed}
                      - "ZQ / max(ZQ)"
                    reference-lines: [{y: 0.5, label: half}]
                  - name: map
                    kind: heat-map
                    value: ZQ2
                    colour: {label: "Z_Q^2", range: [-0.01, 0.1]}
                    contours: [0, 0.05]
                    overlays: [mean-field-boundary]

                """
        let c = try #require(compile(text).compiled)
        #expect(c.base.figures.count == 2)
        let f = c.base.figures[0]
        #expect(f.x.path == "system.pump.rate" && f.x.log && f.x.range == [0.5, 10])
        #expect(f.curves == "system.couplings.uniform.feff")
        #expect(f.series.map(\.value.keys) == [["mutual-information"], ["mutual-information", "discord"], ["ZQ", "ZQ"]])
        #expect(f.series[1].style == .dashed)
        #expect(f.references.first?.value == 0.5)
        let m = c.base.figures[1]
        #expect(m.kind == .heatMap && m.x.path == "system.pump.rate" && m.y.path == "system.couplings.uniform.feff")
        #expect(m.contours.levels == [0, 0.05] && m.contours.value == nil && m.overlays == [.meanFieldBoundary])
        // Presentation only: the resolved spec (and so the bundle ID) is that of the spec without figures.
        let plain = try #require(compile(Self.base).compiled)
        #expect(JSONWriter.write(c.resolved()) == JSONWriter.write(plain.resolved()))
        #expect(c.points.count == plain.points.count)
    }

    @Test func expressionsParseWithPrecedenceAndEvaluateOverTheCurve() throws {
        let e = try FigureExpression.parse("(a - b) / max(a) + -2 * c").get()
        #expect(e.keys == ["a", "b", "a", "c"])
        let values: [String: [Double]] = ["a": [1, 4], "b": [1, 2], "c": [0.5, 1]]
        let got: [Double] = e.evaluate(count: 2) { values[$0] ?? [] }
        let expected: [Double] = [-1.0, 0.5 - 2]
        #expect(got == expected)
        // A hyphen between name characters belongs to the key; spaced or '−' it is a minus.
        #expect(try FigureExpression.parse("mutual-information - discord").get().keys == ["mutual-information", "discord"])
        #expect(try FigureExpression.parse("ZQ−inversion").get().keys == ["ZQ", "inversion"])
        #expect(try FigureExpression.parse("1e-3 * ZQ").get() == .binary("*", .number(1e-3), .key("ZQ")))
        for bad in ["ZQ +", "max(ZQ", "foo(ZQ)", "ZQ ) ", "", "1e999"] {
            #expect(throws: FigureExpression.ParseError.self, "\(bad)") { try FigureExpression.parse(bad).get() }
        }
        let deep = String(repeating: "(", count: 500) + "ZQ" + String(repeating: ")", count: 500)
        #expect(throws: FigureExpression.ParseError.self) { try FigureExpression.parse(deep).get() }
    }

    /// Each bad figure gives one located error with these words.
    @Test(
        arguments: [
            ("  - {name: a, series: [ZQQ]}\n", "unknown observable 'ZQQ'", 24, "did you mean 'ZQ'"),
            (
                "  - {name: a, series: [mutual-information-discord]}\n", "unknown observable 'mutual-information-discord'", 24,
                "with spaces: 'mutual-information - discord'"
            ),
            ("  - {name: a, x: {axis: system.pump.rat}, series: [ZQ]}\n", "'system.pump.rat' is not a swept path", 25, "system.pump.rate"),
            ("  - {name: a, curves: system.lattice.spacing, series: [ZQ]}\n", "'system.lattice.spacing' is not a swept path", 0, nil),
            ("  - {name: a, kind: heat-map}\n", "a heat map needs 'value'", 0, nil),
            ("  - {name: a, kind: bloch}\n", "does not ask for", 0, "add 'phases'"),
            ("  - {name: a, series: [ZQ], contours: [1]}\n", "'contours' belongs to a heat map", 0, nil),
            ("  - {name: a, series: [\"ZQ +\"]}\n", "the expression ends early", 0, nil),
            ("  - {name: a, series: [ZQ], reference-lines: [{label: x}]}\n", "either 'x' or 'y'", 0, nil),
            ("  - {name: a, series: [ZQ]}\n  - {name: a, series: [ZQ]}\n", "figure name 'a' is used twice", 0, nil),
            ("  - {name: a, kind: heat-map, value: ZQ, x: {axis: system.lattice.sites}}\n", "not a swept path", 0, nil),
            (
                "  - {name: a, kind: heat-map, value: ZQ, x: {axis: system.couplings.uniform.feff}, y: {axis: system.couplings.uniform.feff}}\n",
                "x and y are the same path", 0, nil
            ),
            ("  - {name: a, series: [ZQ], overlays: [mean-field-boundary]}\n", "drawn over a heat map", 0, nil),
            (
                "  - {name: a, series: [ZQ], overlays: [mean-field-dephasing-threshold]}\n", "x axis is system.dephasing.rate", 0,
                "make system.dephasing.rate the x axis"
            ),
            ("  - {name: a, kind: bloch, overlays: [mean-field-dephasing-threshold]}\n", "does not apply to Bloch spheres", 0, nil),
            ("  - {name: a, series: [ZQ], x: {range: [2, 1]}}\n", "low < high", 0, nil),
            ("  - {name: A, series: [ZQ]}\n", "'figures.name' 'A' is not allowed", 12, nil),
            ("  - {name: a, series: [ZQ], kind: pie}\n", "pie", 0, nil),
            ("  - {name: a, kind: heat-map, value: ZQ, x: {axis: system.pump.rate, unit: deg}}\n", "needs an axis along an angle", 0, nil),
            (
                "  - {name: a, kind: heat-map, value: ZQ, contours: {value: g-nearest, levels: [1]}}\n",
                "not defined here: an all-to-all ensemble has no geometry", 0, nil
            ),
            ("  - {name: a, kind: heat-map, value: ZQ, contours: {value: g-nearst, levels: [1]}}\n", "unknown observable 'g-nearst'", 0, "g-nearest"),
            ("  - {name: a, kind: heat-map, value: ZQ, contours: {levels: [1]}}\n", "missing required key 'value'", 0, nil)
        ] as [(String, String, Int, String?)])
    func badFiguresAreLocatedErrors(figure: String, message: String, column: Int, hint: String?) throws {
        let text = Self.base + "figures:\n" + figure
        let outcome = compile(text)
        let errors = outcome.diagnostics.filter { $0.severity == .error }
        #expect(outcome.compiled == nil)
        let e = try #require(errors.first { $0.message.contains(message) }, "\(errors.map(\.message))")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).count - (figure.filter { $0 == "\n" }.count)
        #expect(e.location.line >= line, "\(e.location)")
        if column > 0 { #expect(e.location.column == column, "\(e.location)") }
        if let hint { #expect(e.hint?.contains(hint) == true, "\(e.hint ?? "no hint")") }
    }

    /// A swept path is a key of a figure's expressions (its value at each point); an unswept one is not.
    @Test func sweptPathsAreKeys() throws {
        let c = try #require(compile(Self.base + "figures:\n  - {name: a, series: [\"ZQ / system.pump.rate\"]}\n").compiled)
        #expect(c.base.figures[0].series[0].value.keys == ["ZQ", "system.pump.rate"])
        let bad = compile(Self.base + "figures:\n  - {name: a, series: [\"ZQ / system.dephasing.rate\"]}\n")
        #expect(bad.compiled == nil)
        #expect(bad.diagnostics.contains { $0.message.contains("'system.dephasing.rate'") }, "\(bad.diagnostics.map(\.message))")
    }

    /// The mean-field dephasing threshold is drawn for any couplings whose f_eff is fixed along the
    /// curves (that of the uniform state of a lattice, docs/physics.md §4.6); a sweep that moves it
    /// otherwise than through the all-to-all f_eff is a located error with a way out.
    @Test func theDephasingThresholdNeedsOneCouplingPerCurve() throws {
        func chain(sweeping extra: String) -> String {
            """
            dipolesync: 1
            name: chain
            system:
              lattice: {shape: chain, sites: 12, spacing: 0.02 lambda}
              couplings: dipolar
              polarization: {angle: magic}
              pump: {rate: 8 Gamma}
              dephasing: {rate: 0 Gamma}
            observables: [ZQ]
            sweep:
              grid:
                system.dephasing.rate: [0 Gamma, 4 Gamma]
            \(extra)
            figures:
              - name: a
                x: {axis: system.dephasing.rate}
                series: [ZQ]
                overlays: [mean-field-dephasing-threshold]

            """
        }
        let fixed = try #require(compile(chain(sweeping: "")).compiled)
        #expect(fixed.base.figures[0].overlays == [.meanFieldDephasingThreshold])
        for (path, values) in [("system.lattice.spacing", "[0.02 lambda, 0.1 lambda]"), ("system.nonradiative-decay.rate", "[0 Gamma, 1 Gamma]")] {
            let text = chain(sweeping: "    \(path): \(values)").replacingOccurrences(
                of: "  dephasing: {rate: 0 Gamma}", with: "  dephasing: {rate: 0 Gamma}\n  nonradiative-decay: {rate: 0 Gamma}")
            let outcome = compile(text)
            #expect(outcome.compiled == nil)
            let e = try #require(
                outcome.diagnostics.first { $0.message.contains("'\(path)' changes the couplings from point to point") },
                "\(outcome.diagnostics.map(\.message))")
            #expect(
                e.location.line
                    == text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("overlays:") }.map { $0 + 1 })
            #expect(e.hint?.contains("reference lines") == true)
        }
        // All-to-all couplings: neither the geometry nor g_eff moves it (Self.base sweeps f_eff itself).
        let allToAll = Self.base.replacingOccurrences(
            of: "    system.couplings.uniform.feff: [4 Gamma, 8 Gamma]",
            with:
                "    system.dephasing.rate: [0 Gamma, 1 Gamma]\n    system.couplings.uniform.geff: [0 Gamma, 3 Gamma]\n    system.lattice.sites: [6, 8]"
        )
        .replacingOccurrences(of: "{uniform: {feff: 5 Gamma}}", with: "{uniform: {feff: 5 Gamma, geff: 0 Gamma}}")
        .replacingOccurrences(of: "  pump: {rate: 2 Gamma}", with: "  pump: {rate: 2 Gamma}\n  dephasing: {rate: 0 Gamma}")
        let accepted = compile(
            allToAll + "figures:\n  - {name: a, x: {axis: system.dephasing.rate}, series: [ZQ], overlays: [mean-field-dephasing-threshold]}\n")
        #expect(accepted.compiled != nil, "\(accepted.diagnostics.map(\.message))")
    }

    /// A series from another spec is checked against that spec's observables and sweep.
    @Test func seriesFromAnotherSpecAreChecked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("figure-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let other = Self.base.replacingOccurrences(of: "name: t", with: "name: other")
        try other.write(to: dir.appendingPathComponent("other.yaml"), atomically: true, encoding: .utf8)
        let good = Self.base + "figures:\n  - {name: a, series: [ZQ, {value: ZQ, from: {spec: other.yaml}}]}\n"
        let path = dir.appendingPathComponent("main.yaml").path
        let c = try #require(SpecCompiler.compile(bytes: Array(good.utf8), path: path, catalog: Catalog()).compiled)
        #expect(c.base.figures[0].series[1].source == .spec(path: dir.appendingPathComponent("other.yaml").path, name: "other"))
        // A reference that does not compile (here: is missing) is a warning: the spec itself must still
        // compile, e.g. as a bundle's spec.yaml for `rerun`, where its neighbours are not.
        let missing = Self.base + "figures:\n  - {name: a, series: [{value: ZQ, from: {spec: nowhere.yaml}}]}\n"
        let m = SpecCompiler.compile(bytes: Array(missing.utf8), path: path, catalog: Catalog())
        #expect(m.compiled != nil)
        #expect(m.diagnostics.contains { $0.severity == .warning && $0.message.contains("'nowhere.yaml' does not compile: cannot read the file") })
        let bad = Self.base + "figures:\n  - {name: a, series: [{value: qfi, from: {spec: other.yaml}}]}\n"
        let outcome = SpecCompiler.compile(bytes: Array(bad.utf8), path: path, catalog: Catalog())
        #expect(outcome.diagnostics.contains { $0.message.contains("unknown observable 'qfi' (not a result of 'other.yaml')") })
    }

    @Test func theSchemaDeclaresFigures() {
        let json = JSONSchemaExport.schema()
        #expect(json.contains("\"figures\"") && json.contains("mean-field-boundary") && json.contains("reference-lines"))
        #expect(!ExperimentSchema.scalarPaths.contains { $0.hasPrefix("figures") })
    }
}
