import ExactBackend
import Physics
import Planning
import Results
import TestSupport
import XCTest

@testable import Execution
@testable import SpecLanguage

final class ExecutorTests: XCTestCase {
    func compiled(_ text: String) throws -> (CompiledSpec, ExecutionPlan) { try compileAndPlan(text) }

    static let cumulantSweep = """
        dipolesync: 1
        name: threads
        system:
          lattice: {shape: chain, sites: 24, spacing: 0.05 lambda}
          couplings: {power-law: {alpha: 1.5}}
          detuning: {uniform: {width: 0.5 Gamma}}
          pump: {rate: 2 Gamma}
        observables: [ZQ, inversion, {mutual-information: {pairs: [[0, 1]]}}]
        sweep:
          grid:
            system.pump.rate: {from: 1 Gamma, to: 6 Gamma, points: 4}
        solver: {backend: cumulant}
        """

    func testResultsDoNotDependOnTheThreadCount() throws {
        let (c, p) = try compiled(Self.cumulantSweep)
        var e1 = Executor(compiled: c, plan: p, registry: .standard); e1.threads = 1
        var e2 = Executor(compiled: c, plan: p, registry: .standard); e2.threads = 2
        let f1 = BundleWriter.resultFiles(compiled: c, outcomes: try e1.run())
        let f2 = BundleWriter.resultFiles(compiled: c, outcomes: try e2.run())
        XCTAssertEqual(f1.map(\.path), f2.map(\.path))
        for (a, b) in zip(f1, f2) { XCTAssertEqual(a.data, b.data, "\(a.path) differs between 1 and 2 threads") }
        XCTAssertTrue(f1.contains { $0.path == "tables/ZQ.csv" })
        // One point: the backend itself gets 1 or 2 threads.
        let single = Self.cumulantSweep.components(separatedBy: "sweep:")[0] + "solver: {backend: cumulant}\n"
        let (cs, ps) = try compiled(single)
        var s1 = Executor(compiled: cs, plan: ps, registry: .standard); s1.threads = 1
        var s2 = Executor(compiled: cs, plan: ps, registry: .standard); s2.threads = 2
        XCTAssertEqual(
            BundleWriter.resultFiles(compiled: cs, outcomes: try s1.run()).map(\.data),
            BundleWriter.resultFiles(compiled: cs, outcomes: try s2.run()).map(\.data))
    }

    /// A backend's notes from within a point reach the progress reporter (`SolverProgress`): the cumulant
    /// steady state reports every pseudo-transient step, and the reporter prints notes no more often than
    /// its interval (none with an hour's interval, while the point's own line still comes).
    func testSolverNotesReachTheProgressReporter() throws {
        let (c, p) = try compiled(
            """
            dipolesync: 1
            name: notes
            system:
              lattice: {shape: chain, sites: 24, spacing: 0.05 lambda}
              couplings: {power-law: {alpha: 1.5}}
              pump: {rate: 4 Gamma}
            observables: [ZQ]
            solver: {backend: cumulant}
            """)
        let every = CollectedLines(), hourly = CollectedLines()
        let outcome = try XCTUnwrap(
            Executor(compiled: c, plan: p, registry: .standard).run(progress: ProgressReporter(noteInterval: 0, sink: every.append)).first)
        guard case .number(let steps)? = outcome.result.diagnostics.first(where: { $0.key == "pseudo-transient-steps" })?.value else {
            return XCTFail("no pseudo-transient-steps in \(outcome.result.diagnostics)")
        }
        let notes = every.all.filter { $0.hasPrefix("point #0: cumulant steady state: step ") }
        XCTAssertGreaterThan(steps, 0)
        XCTAssertEqual(Double(notes.count), steps, "\(every.all)")
        XCTAssertTrue(notes.last?.contains("residual") ?? false)
        _ = try Executor(compiled: c, plan: p, registry: .standard).run(progress: ProgressReporter(noteInterval: 3600, sink: hourly.append))
        XCTAssertFalse(hourly.all.contains { $0.contains("steady state") }, "\(hourly.all)")
        XCTAssertTrue(hourly.all.contains { $0.hasPrefix("point 1/1 done") }, "\(hourly.all)")
    }

    func testBundleIsCompleteAndRerunDetectsTampering() throws {
        let (c, p) = try compiled(Self.cumulantSweep)
        let outcomes = try Executor(compiled: c, plan: p, registry: .standard).run()
        let contents = BundleWriter.contents(compiled: c, plan: p, outcomes: outcomes, threads: 2, totalSeconds: 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = try BundleWriter.write(contents, to: dir.path, force: false)
        for f in [
            "spec.yaml", "resolved.json", "plan.json", "manifest.json", "results.json", "index.html", "tables/points.csv",
            "figures/ZQ.svg"
        ] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/" + f), f)
        }
        XCTAssertThrowsError(try BundleWriter.write(contents, to: dir.path, force: false), "no overwrite without --force")
        XCTAssertNoThrow(try BundleWriter.write(contents, to: dir.path, force: true))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.deletingLastPathComponent().path)
                .filter { $0.contains(dir.lastPathComponent) && $0 != dir.lastPathComponent }, [], "no temporary folders left")
        let listed = try BundleVerifier.verify(path)
        XCTAssertEqual(listed.count, contents.files.count - 1)
        // Recomputing gives the same bits.
        let again = BundleWriter.resultFiles(compiled: c, outcomes: try Executor(compiled: c, plan: p, registry: .standard).run())
        XCTAssertTrue(BundleVerifier.compareResults(bundle: path, listed: listed, fresh: again, rtol: 0).differences.isEmpty)
        // A changed number is found and named.
        var altered = again
        let i = altered.firstIndex { $0.path == "results.json" }!
        let text = String(decoding: altered[i].data, as: UTF8.self)
        let results = try JSONWriter.parse(altered[i].data)
        guard case .object(let top) = results, case .array(let pts) = top[2].1, case .object(let p0) = pts[3],
            case .object(let obs) = p0.first(where: { $0.0 == "observables" })!.1, let zq = obs.first(where: { $0.0 == "inversion" })?.1.number
        else {
            return XCTFail("unexpected results layout: \(text.prefix(200))")
        }
        XCTAssertNotEqual(zq, 0)
        XCTAssertTrue(text.contains("\(zq)"), "\(zq) not in \(text.prefix(400))")
        altered[i].data = Data(text.replacingOccurrences(of: "\(zq)", with: "\(zq * (1 + 1e-6))").utf8)
        let diff = BundleVerifier.compareResults(bundle: path, listed: listed, fresh: altered, rtol: 0).differences
        XCTAssertEqual(diff.map(\.location), ["points[3].observables.inversion"])
        // Tampering with a file or truncating one is caught by the hashes, naming the file.
        let results2 = URL(fileURLWithPath: path).appendingPathComponent("tables/points.csv")
        try Data("index\n".utf8).write(to: results2)
        XCTAssertThrowsError(try BundleVerifier.verify(path)) { e in
            XCTAssertTrue("\(e)".contains("tables/points.csv"), "\(e)")
        }
        try FileManager.default.removeItem(at: results2)
        XCTAssertThrowsError(try BundleVerifier.verify(path)) { e in XCTAssertTrue("\(e)".contains("missing"), "\(e)") }
    }

    func testOptimizerFindsTheMaximumOfKnownFunctions() throws {
        // A parabola with its top at 7.3, and a function with a smaller hump near the bracket's low end.
        var calls = 0
        let x = try Optimizer.maximize(
            {
                calls += 1; return -($0 - 7.3) * ($0 - 7.3)
            }, low: 0.5, high: 40, relativeTolerance: 1e-6)
        XCTAssertEqual(x, 7.3, accuracy: 1e-4)
        XCTAssertLessThan(calls, 80)
        let y = try Optimizer.maximize(
            { 0.5 * exp(-($0 - 1) * ($0 - 1)) + exp(-($0 - 30) * ($0 - 30) / 20) }, low: 0, high: 40,
            relativeTolerance: 1e-6)
        XCTAssertEqual(y, 30, accuracy: 1e-3)
    }

    /// `scan: log` (docs/spec-language.md §8): samples in equal ratios with exact ends (the linear scan's
    /// are the arithmetic of the bundles made before the key existed). Over a bracket of decades both
    /// find a single Z_Q(W)-like peak at 3–5 Γ, in 14–18 solves either way (Brent's steps are set by the
    /// tolerance relative to the cell); where a narrow peak at the low end stands beside a broad lower
    /// hump further up, only the log scan, which samples the low end, finds the higher one.
    func testLogScanSamplesInEqualRatiosAndFindsANarrowPeakAtTheLowEnd() throws {
        let log = OptimizeSearch.samples(low: 0.3, high: 200, spacing: .log)
        XCTAssertEqual(log.first, 0.3)
        XCTAssertEqual(log.last, 200)
        for i in 1..<log.count { XCTAssertEqual(log[i] / log[i - 1], pow(200 / 0.3, 0.2), accuracy: 1e-12) }
        let linear = OptimizeSearch.samples(low: 0.3, high: 200, spacing: .linear)
        XCTAssertEqual(linear, (0..<6).map { 0.3 + (200 - 0.3) * Double($0) / 5 })

        let shapes: [(String, (Double) -> Double)] = [
            ("rise and decline at f = 8", { w in w <= 1 ? 0 : (w - 1) / (w + 1) * exp(-w / 8) }),
            ("rise and decline at f = 12", { w in w <= 1 ? 0 : (w - 1) / (w + 1) * exp(-w / 12) }),
            ("lorentzian at 3.4", { w in 1 / (1 + (w - 3.4) * (w - 3.4)) })
        ]
        for (name, f) in shapes {
            let found = try [OptimizeScan.linear, .log].map { try Optimizer.maximize(f, low: 0.3, high: 200, relativeTolerance: 1e-3, scan: $0) }
            // Both reach the maximum to the tolerance (1e-3 of the cell's end) and agree to second order.
            XCTAssertEqual(f(found[1]), f(found[0]), accuracy: 1e-5 * f(found[0]), name)
        }
        let twoHumps = { (w: Double) in exp(-(w - 3) * (w - 3) / 2) + 0.5 * exp(-(w - 100) * (w - 100) / 3600) }
        XCTAssertEqual(try Optimizer.maximize(twoHumps, low: 0.3, high: 200, relativeTolerance: 1e-3, scan: .log), 3, accuracy: 0.01)
        XCTAssertEqual(try Optimizer.maximize(twoHumps, low: 0.3, high: 200, relativeTolerance: 1e-3, scan: .linear), 100, accuracy: 1)
    }

    /// The golden-section search `Optimizer` used before Brent's method (an 11-point scan, then golden
    /// section in the two cells around the best sample to a width ≤ tolerance·max(|a|, |b|)).
    static func goldenSectionReference(_ f: (Double) -> Double, low: Double, high: Double, relativeTolerance: Double) -> (x: Double, calls: Int) {
        var calls = 0
        func g0(_ x: Double) -> Double {
            calls += 1
            return f(x)
        }
        let n = 11
        let xs = (0..<n).map { low + (high - low) * Double($0) / Double(n - 1) }
        let fs = xs.map { g0($0) }
        let best = fs.indices.max { fs[$0] < fs[$1] }!
        var a = xs[max(0, best - 1)], b = xs[min(n - 1, best + 1)]
        let g = (5.0.squareRoot() - 1) / 2
        var c = b - g * (b - a), d = a + g * (b - a)
        var fc = g0(c), fd = g0(d)
        let tol = relativeTolerance * max(abs(a), abs(b))
        while abs(b - a) > tol {
            if fc >= fd { b = d; d = c; fd = fc; c = b - g * (b - a); fc = g0(c) } else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = g0(d) }
        }
        return ([(xs[best], fs[best]), (c, fc), (d, fd)].max { $0.1 < $1.1 }!.0, calls)
    }

    func testBrentOptimizerAgreesWithTheGoldenSectionSearchWithFewerEvaluations() throws {
        // Shapes of Z_Q(W) at the papers' couplings: a rise from threshold, a broad maximum near
        // f_eff/2 and a slow decline (docs/physics.md §4.2), and one skewed the other way.
        let shapes: [(String, (Double) -> Double)] = [
            ("rise and decline at f = 11", { w in w <= 1 ? 0 : (w - 1) / (w + 1) * exp(-w / 11) }),
            ("rise and decline at f = 5", { w in w <= 1 ? 0 : (w - 1) / (w + 1) * exp(-w / 5) }),
            ("lorentzian at 7.3", { w in 1 / (1 + (w - 7.3) * (w - 7.3) / 4) }),
            ("skewed", { w in w * w * exp(-w / 2.5) })
        ]
        var brentCalls = 0, goldenCalls = 0
        for (name, f) in shapes {
            var calls = 0
            let x = try Optimizer.maximize(
                {
                    calls += 1; return f($0)
                }, low: 0.5, high: 15, relativeTolerance: 0.02)
            let old = Self.goldenSectionReference(f, low: 0.5, high: 15, relativeTolerance: 0.02)
            // Both locate the maximum within the tolerance (0.02 · 15 = 0.3 at most), so their maxima
            // agree to second order in it.
            XCTAssertEqual(x, old.x, accuracy: 0.3, name)
            XCTAssertEqual(f(x), f(old.x), accuracy: 2e-3 * f(old.x), name)
            brentCalls += calls
            goldenCalls += old.calls
        }
        XCTAssertLessThanOrEqual(
            Double(brentCalls), 0.7 * Double(goldenCalls), "Brent \(brentCalls) against golden section \(goldenCalls) evaluations")
    }

    func testAFailingPointStopsTheRunWithItsReason() throws {
        struct Failing: Backend {
            static let name = "failing"
            func solve(_ r: SolveRequest) throws -> PointResult {
                if r.model.pump > 3 { throw BackendError.noConvergence("residual stuck at 1e-3") }
                return PointResult(values: [("inversion", .number(r.model.pump))])
            }
        }
        let (c, p) = try compiled(Self.cumulantSweep)
        let e = Executor(compiled: c, plan: p, registry: BackendRegistry([.cumulant: Failing()]))
        XCTAssertThrowsError(try e.run()) { err in
            XCTAssertTrue("\(err)".contains("did not converge: residual stuck at 1e-3"), "\(err)")
            XCTAssertTrue("\(err)".contains("system.pump.rate = 4.33333") || "\(err)".contains("system.pump.rate = 6"), "\(err)")
        }
    }
}

final class MeanFieldPipelineTests: XCTestCase {
    /// Fig. 2a through the whole pipeline: the planner picks the closed form for the collective model,
    /// and Z > 0 exactly where F·P > Q² with F = f_eff(N−1)/N, P = W − Γ, Q = W + Γ.
    func testPhaseDiagramWedge() throws {
        let text = """
            dipolesync: 1
            name: wedge
            system:
              lattice: {shape: all-to-all, sites: 200}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 1 Gamma}
            observables: [Z, inversion, frequency]
            sweep:
              grid:
                system.pump.rate: {from: 0.5 Gamma, to: 40 Gamma, points: 9}
                system.couplings.uniform.feff: {from: 0.5 Gamma, to: 40 Gamma, points: 9}
            """
        let (c, plan) = try compileAndPlan(text)
        XCTAssertTrue(plan.points.allSatisfy { $0.backend == .meanField && $0.method == .closedForm })
        let results = try Executor(compiled: c, plan: plan, registry: .standard).run()
        var inside = 0
        for r in results {
            let w = r.parameters[0].value, feff = r.parameters[1].value
            let f = feff * 199 / 200, p = w - 1, q = w + 1
            let z = try XCTUnwrap(r.result.number("Z"))
            if f * p > q * q {
                inside += 1
                XCTAssertEqual(z, (f * p - q * q).squareRoot() / (2.0.squareRoot() * f), accuracy: 1e-12)
            } else {
                XCTAssertEqual(z, 0)
            }
            XCTAssertLessThanOrEqual(z, 1 / 8.0.squareRoot())
            XCTAssertTrue(r.result.method.contains("closed form"), r.result.method)
        }
        XCTAssertGreaterThan(inside, 10)
    }

    /// The dynamic method on the same model reproduces the closed form (one point, N = 100).
    func testDynamicAgreesWithClosedFormThroughThePipeline() throws {
        let text = """
            dipolesync: 1
            name: dyn
            system:
              lattice: {shape: all-to-all, sites: 100}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 7.5 Gamma}
            observables: [Z, inversion, phases]
            solver: {tolerance: 1e-9}
            """
        let (c, plan) = try compileAndPlan(text)
        XCTAssertEqual(plan.points[0].method, .dynamic, "phases need the dynamic equations")
        let r = try XCTUnwrap(try Executor(compiled: c, plan: plan, registry: .standard).run().first)
        let f = 15.0 * 99 / 100, p = 6.5, q = 8.5
        XCTAssertEqual(r.result.number("Z") ?? 0, (f * p - q * q).squareRoot() / (2.0.squareRoot() * f), accuracy: 1e-5)
        XCTAssertNotNil(r.result.tables.first { $0.name == "phases" })
    }
}

final class FigureTests: XCTestCase {
    /// A mean-field point with `phases` gets a phase snapshot, a 1-D sweep gets line plots.
    func testPhaseSnapshotAndLinePlots() throws {
        let text = """
            dipolesync: 1
            name: pics
            system:
              lattice: {shape: all-to-all, sites: 40}
              couplings: {uniform: {feff: 15 Gamma}}
              pump: {rate: 7.5 Gamma}
            observables: [Z, phases]
            sweep:
              grid:
                system.pump.rate: [5 Gamma, 7.5 Gamma]
            """
        let (c, plan) = try compileAndPlan(text)
        let outcomes = try Executor(compiled: c, plan: plan, registry: .standard).run()
        let figures = Figures.make(spec: c.base, outcomes: outcomes)
        let paths = figures.map(\.path)
        XCTAssertTrue(paths.contains("figures/Z.svg"), "\(paths)")
        XCTAssertTrue(paths.contains("figures/point-0000-phases.svg"), "\(paths)")
        let snapshot = try XCTUnwrap(figures.first { $0.path == "figures/point-0001-phases.svg" }?.svg)
        XCTAssertEqual(snapshot.components(separatedBy: "<circle cx=").count - 1, 40, "one dot per dipole")
        // The Bloch spheres: one per point, a dot and an equator mark per dipole.
        let bloch = try XCTUnwrap(figures.first { $0.path == "figures/bloch.svg" }?.svg)
        XCTAssertEqual(bloch.components(separatedBy: "<circle cx=").count - 1, 2 * (1 + 40 + 40), "sphere outline, tips, phase marks")
    }

    /// The numbers inside an observable's object (the spectrum's linewidth and peak) are drawn against the
    /// sweep like any scalar, and only from the points that have them.
    func testNumbersInsideAnObservableAreDrawn() throws {
        let text = """
            dipolesync: 1
            name: lines
            system:
              lattice: {shape: all-to-all, sites: 10}
              couplings: {uniform: {feff: 5 Gamma}}
              pump: {rate: 2 Gamma}
            observables: [ZQ, spectrum]
            sweep:
              zip:
                system.dephasing.rate: [0 Gamma, 1 Gamma, 2 Gamma]
                system.pump.rate: [2 Gamma, 1.5 Gamma, 1 Gamma]
            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p -> PointOutcome in
            var r = PointResult()
            r["ZQ"] = .number(0.1)
            r["spectrum"] = .object([("linewidth", .number(1 + 2 * p.parameters[0].value)), ("peak-frequency", .number(0))])
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .permutationSymmetric, result: r, optimum: nil, seconds: 0)
        }
        let figures = Figures.make(spec: c.base, outcomes: outcomes)
        let paths = figures.map(\.path)
        XCTAssertTrue(paths.contains("figures/spectrum-linewidth.svg"), "\(paths)")
        XCTAssertTrue(paths.contains("figures/spectrum-peak-frequency.svg"), "\(paths)")
        let svg = try XCTUnwrap(figures.first { $0.path == "figures/spectrum-linewidth.svg" }?.svg)
        XCTAssertTrue(svg.contains("linewidth/Γ versus"), "titled by the field's name")
        XCTAssertFalse(svg.contains("nan"))
        XCTAssertEqual(Figures.value("spectrum.linewidth", outcomes[2]), 5)
        XCTAssertNil(Figures.value("spectrum.width", outcomes[2]))
        XCTAssertNil(Figures.value("ZQ.linewidth", outcomes[2]))
    }

    /// A grid with a short axis is drawn as a family of curves, and a value with a standard error gets
    /// error bars instead of a picture of its own.
    func testFamilyOfCurvesWithErrorBars() throws {
        let text = """
            dipolesync: 1
            name: family
            system:
              lattice: {shape: chain, sites: 4, spacing: 0.1 lambda}
              pump: {rate: 1 Gamma}
            sweep:
              grid:
                system.lattice.spacing: [0.02 lambda, 0.03 lambda]
                system.pump.rate: {from: 1 Gamma, to: 8 Gamma, points: 8}
            """
        let (c, _) = try compileAndPlan(text)
        let outcomes = c.points.map { p -> PointOutcome in
            var r = PointResult()
            let w = p.parameters[1].value
            r["ZQ2"] = .number(0.01 * w)
            r["ZQ2-stderr"] = .number(0.001 * w)
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .exact, result: r, optimum: nil, seconds: 0)
        }
        let figures = Figures.make(spec: c.base, outcomes: outcomes)
        XCTAssertEqual(figures.map(\.path), ["figures/ZQ2.svg"], "no separate picture of the error")
        let svg = try XCTUnwrap(figures.first?.svg)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2, "one curve per spacing")
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 16, "one marker per point")
        XCTAssertEqual(svg.components(separatedBy: "<polygon").count - 1, 2, "one shaded error band per curve")
        XCTAssertTrue(svg.contains("spacing a/λ = 0.02") && svg.contains("spacing a/λ = 0.03"), "legend names the curves")
        XCTAssertTrue(svg.contains("versus pump rate W/Γ</tspan>"))
        XCTAssertFalse(svg.contains("nan"))
        // The short axis second: still one curve per spacing, with x along the pump rate.
        let swapped = text.replacingOccurrences(of: "    system.lattice.spacing: [0.02 lambda, 0.03 lambda]\n", with: "")
            .replacingOccurrences(of: "points: 8}", with: "points: 8}\n    system.lattice.spacing: [0.02 lambda, 0.03 lambda]")
        let (c2, _) = try compileAndPlan(swapped)
        XCTAssertEqual(c2.base.sweep?.axes.map(\.path), ["system.pump.rate", "system.lattice.spacing"])
        let outcomes2 = c2.points.map { p -> PointOutcome in
            var r = PointResult()
            let a = p.parameters[1].value, w = p.parameters[0].value
            r["ZQ2"] = .number(a * w)   // rises with W on each curve only if x is the pump rate
            return PointOutcome(index: p.index, parameters: p.parameters, backend: .exact, result: r, optimum: nil, seconds: 0)
        }
        let svg2 = try XCTUnwrap(Figures.make(spec: c2.base, outcomes: outcomes2).first { $0.path == "figures/ZQ2.svg" }?.svg)
        XCTAssertEqual(svg2.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg2.contains("versus pump rate W/Γ") && svg2.contains("spacing a/λ = 0.03"))
        // Along each curve, y grows with x: the markers' pixel x increases while pixel y decreases.
        let circles = svg2.components(separatedBy: "<circle cx=\"").dropFirst().map { s -> (Double, Double) in
            let f = s.split(separator: "\"")
            return (Double(f[0]) ?? .nan, Double(f[2]) ?? .nan)
        }
        XCTAssertEqual(circles.count, 16)
        for curve in [circles[0..<8], circles[8..<16]] {
            let pts = Array(curve)
            for i in 1..<pts.count { XCTAssertTrue(pts[i].0 > pts[i - 1].0 && pts[i].1 < pts[i - 1].1, "\(pts)") }
        }
    }

    /// The planner's settings hand the exact backend, in its request, the planner's method and the
    /// spec's two trajectory schedules: `solver.trajectories` for the jump ensemble, `qfi-conditional`'s
    /// `until` for the diffusion one.
    func testRequestCarriesTheExactBackendsSettingsFromThePlanAndSpec() throws {
        let text = """
            dipolesync: 1
            name: traj
            system:
              lattice: {shape: chain, sites: 16, spacing: 0.05 lambda}
              pump: {rate: 3 Gamma}
            observables: [ZQ, {qfi-conditional: {trajectories: 2000, until: 10 /Gamma}}]
            solver:
              backend: exact
              trajectories: {count: 8, burn-in: 5 /Gamma, average: 20 /Gamma, sample-interval: 0.2 /Gamma}
            """
        let (c, p) = try compileAndPlan(text)
        let pp = try XCTUnwrap(p.points.first)
        XCTAssertEqual(pp.method, .jumpTrajectories)
        let settings = Executor(compiled: c, plan: p, registry: .standard).request(for: c.base, point: pp, threads: 1).settings
        XCTAssertEqual(settings.method, .jumpTrajectories)
        XCTAssertEqual(
            settings.trajectories,
            TrajectorySettings(
                trajectories: 8, burnIn: 5, average: 20, sampleInterval: 0.2,
                diffusionBurnIn: 4, diffusionAverage: 6))
        XCTAssertTrue(BackendRegistry.standard.backend(for: pp.backend) is any TrajectorySplittingBackend)
        // Without the block: the documented defaults, whatever qfi-conditional asks for its own ensemble.
        let (c2, p2) = try compileAndPlan(
            text.replacingOccurrences(of: "  trajectories: {count: 8, burn-in: 5 /Gamma, average: 20 /Gamma, sample-interval: 0.2 /Gamma}", with: ""))
        let e2 = Executor(compiled: c2, plan: p2, registry: .standard)
            .request(for: c2.base, point: try XCTUnwrap(p2.points.first), threads: 1).settings.trajectories
        XCTAssertEqual(e2.trajectories, 200)
        XCTAssertEqual(e2.sampleInterval, 0.1)
        XCTAssertEqual(e2.diffusionSampleInterval, 0.1)
    }
}
