import Foundation
import TestSupport
import XCTest

@testable import Execution

/// The command line as a user meets it: exit codes, diagnostics, and files left behind.
final class CLITests: XCTestCase {
    static var productsDirectory: URL {
        for b in Bundle.allBundles where b.bundlePath.hasSuffix(".xctest") { return b.bundleURL.deletingLastPathComponent() }
        return Bundle.main.bundleURL
    }

    static var binary: URL { productsDirectory.appendingPathComponent("dipolesync") }
    static let root = repositoryRoot

    typealias Output = Subprocess.Output

    /// Runs the dipolesync binary (in `cwd`, default the repository root; `environment` replaces the
    /// whole environment when given).
    @discardableResult
    static func run(_ args: [String], cwd: URL? = nil, environment: [String: String]? = nil, timeout: Double = 600) throws -> Output {
        Subprocess.run([binary.path] + args, replacingEnvironment: environment, cwd: (cwd ?? root).path, timeout: timeout)
    }

    func temporaryDirectory() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw XCTSkip("the dipolesync binary is not built next to the tests (\(Self.binary.path))")
        }
    }

    func testValidateReportsEveryProblemWithPositionsAndExitsOne() throws {
        let dir = try temporaryDirectory()
        let spec = dir.appendingPathComponent("bad.yaml")
        try "dipolesync: 1\nname: Bad\nsystem:\n  lattice: {shape: chian, sites: 4, spacing: 0.1 lambda}\n  pump: {rate: 2}\n".write(
            to: spec, atomically: true, encoding: .utf8)
        let r = try Self.run(["validate", spec.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(spec.path):2:7: error: 'name' 'Bad' is not allowed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(spec.path):4:20: error: unknown lattice shape 'chian'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("hint: did you mean 'chain'?"), r.stderr)
        XCTAssertTrue(r.stderr.contains("                   ^"), "a caret under the column")
        let j = try Self.run(["validate", "--format", "json", spec.path])
        XCTAssertEqual(j.status, 1)
        let items = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(items?.count, 3)
        XCTAssertEqual(items?.first?["line"] as? Int, 2)
    }

    /// An `optimize` point reports each solve of its search on standard error (a large point's search
    /// takes an hour): the value tried and the objective, one line a solve, and the point's line last.
    func testOptimizeReportsEachSolveOfItsSearch() throws {
        let dir = try temporaryDirectory()
        let spec = dir.appendingPathComponent("optimal.yaml")
        try """
        dipolesync: 1
        name: optimal
        system:
          lattice: {shape: all-to-all, sites: 6}
          couplings: {uniform: {feff: 5 Gamma}}
          pump: {rate: 2 Gamma}
        observables: [ZQ]
        optimize: {maximize: ZQ, over: system.pump.rate, within: [0.5 Gamma, 5 Gamma]}

        """.write(to: spec, atomically: true, encoding: .utf8)
        let r = try Self.run(["run", spec.path, "--out", dir.appendingPathComponent("out").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let steps = r.stderr.split(separator: "\n").filter { $0.contains("point #0: optimize solve ") }
        XCTAssertGreaterThanOrEqual(steps.count, 5, r.stderr)
        XCTAssertTrue(steps.first?.contains("optimize solve 1, system.pump.rate = ") ?? false, r.stderr)
        XCTAssertTrue(steps.allSatisfy { $0.contains("→ ZQ = ") }, r.stderr)
        XCTAssertEqual(steps.map { $0.split(separator: ",")[0] }, (1...steps.count).map { "point #0: optimize solve \($0)" }, "numbered in order")
        XCTAssertTrue(r.stderr.contains("point 1/1 done"), r.stderr)

        // With `scan: log` the first six solves are the bracket's samples in equal ratios (docs/spec-language.md §8).
        try String(contentsOf: spec, encoding: .utf8).replacingOccurrences(
            of: "within: [0.5 Gamma, 5 Gamma]}", with: "within: [0.3 Gamma, 200 Gamma], scan: log}"
        ).write(to: spec, atomically: true, encoding: .utf8)
        let l = try Self.run(["run", spec.path, "--out", dir.appendingPathComponent("log").path])
        XCTAssertEqual(l.status, 0, l.stderr)
        let tried = l.stderr.split(separator: "\n").filter { $0.contains("point #0: optimize solve ") }.compactMap {
            $0.components(separatedBy: "system.pump.rate = ").last?.components(separatedBy: " ").first
        }
        XCTAssertEqual(Array(tried.prefix(6)), ["0.3", "1.10129", "4.04282", "14.8411", "54.4814", "200"], l.stderr)
    }

    func testValidateAcceptsTheExamplesAndExitsZero() throws {
        let r = try Self.run(["validate", "specs/getting-started.yaml", "specs/fig5a-angle-spacing.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("specs/getting-started.yaml: ok (25 points)"), r.stdout)
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try Self.run(["validate"]).status, 2)
        XCTAssertEqual(try Self.run(["frobnicate"]).status, 2)
        XCTAssertEqual(try Self.run(["plan", "specs/getting-started.yaml", "--format", "pdf"]).status, 2)
        XCTAssertEqual(try Self.run(["run", "specs/getting-started.yaml", "--threads", "0"]).status, 2)
    }

    /// One case of each code of docs/spec-language.md §11.2 (the other tests check many more: usage
    /// errors above, output folders and locks in RunSafetyTests, shards in SlurmTests and ShardTests).
    func testEveryCodeOfTheExitCodeTable() throws {
        let dir = try temporaryDirectory()
        // 0: success, also --version.
        let version = try Self.run(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertEqual(version.stdout, ProgramInfo.version + "\n")
        // 1: an invalid spec.
        let bad = dir.appendingPathComponent("bad.yaml")
        try "dipolesync: 1\nname: t\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Self.run(["plan", bad.path]).status, 1)
        // 2: a site file with a mistake, reported as a diagnostic.
        let site = dir.appendingPathComponent("site.yaml")
        try "acount: x\n".write(to: site, atomically: true, encoding: .utf8)
        let s = try Self.run(["submit", "specs/getting-started.yaml", "--slurm", "--site", site.path, "--dry-run"])
        XCTAssertEqual(s.status, 2, s.stderr)
        XCTAssertTrue(s.stderr.hasPrefix("\(site.path):1:1: error: unknown key 'acount'"), s.stderr)
        // 3: a step that failed with its reason (here sbatch, which cannot be found).
        let q = try Self.run(
            ["submit", "specs/getting-started.yaml", "--slurm", "--out", dir.appendingPathComponent("b").path],
            environment: ["PATH": dir.path, "HOME": dir.path])
        XCTAssertEqual(q.status, 3, q.stderr)
        XCTAssertTrue(q.stderr.contains("error: sbatch failed"), q.stderr)
    }

    func testMissingFileAndGarbageAreInvalidSpecs() throws {
        let dir = try temporaryDirectory()
        XCTAssertEqual(try Self.run(["validate", dir.appendingPathComponent("nope.yaml").path]).status, 1)
        let junk = dir.appendingPathComponent("junk.yaml")
        try Data([0x00, 0xFF, 0xFE, 0x41]).write(to: junk)
        let r = try Self.run(["validate", junk.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("not valid UTF-8"), r.stderr)
    }

    func testPlanPrintsTextJSONAndDot() throws {
        let t = try Self.run(["plan", "specs/getting-started.yaml"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stdout.contains("permutation-symmetric: 25 points"), t.stdout)
        XCTAssertTrue(t.stdout.contains("couplings: 1 node (shared by all points)"), t.stdout)
        let j = try Self.run(["plan", "--format", "json", "specs/getting-started.yaml"])
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)))
        let d = try Self.run(["plan", "--format", "dot", "specs/getting-started.yaml"])
        XCTAssertTrue(d.stdout.hasPrefix("digraph"))
    }

    func testSchemaCommandPrintsTheSchemaFile() throws {
        let r = try Self.run(["schema"])
        let file = try String(contentsOf: Self.root.appendingPathComponent("schemas/experiment.schema.json"), encoding: .utf8)
        XCTAssertEqual(r.stdout, file)
    }

    func testAnInvalidSpecLeavesNoBundle() throws {
        let dir = try temporaryDirectory()
        let spec = dir.appendingPathComponent("s.yaml")
        try
            "dipolesync: 1\nname: t\nsystem:\n  lattice: {shape: all-to-all, sites: 4}\n  couplings: {uniform: {feff: 40 Gamma}}\n  pump: {rate: 1 Gamma}\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("bundle")
        let r = try Self.run(["run", spec.path, "--out", out.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("not positive semidefinite"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["s.yaml"])
    }

    func testRerunRejectsFoldersThatAreNotBundles() throws {
        let dir = try temporaryDirectory()
        let r = try Self.run(["rerun", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("manifest.json: missing"), r.stderr)
    }
}

/// The bundle committed under outputs/archived/ must still reproduce.
final class ArchivedBundleTests: XCTestCase {
    func testArchivedBundleReproduces() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else { throw XCTSkip("no dipolesync binary") }
        let bundle = CLITests.root.appendingPathComponent("outputs/archived/archived-three-backends")
        XCTAssertTrue(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("manifest.json").path))
        // Another build or machine may round differently in the last bits: compare to 1e-9.
        let r = try CLITests.run(["rerun", bundle.path, "--rtol", "1e-9", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("reproduced:") && !r.stdout.contains("NOT reproduced"), r.stdout)
        // The plan is made again with the bundle's memory budget: nothing of it counts as changed.
        XCTAssertFalse((r.stdout + r.stderr).contains("thresholds changed"), r.stdout + r.stderr)
        // The three backends the planner chose are recorded.
        let results = try String(contentsOf: bundle.appendingPathComponent("results.json"), encoding: .utf8)
        for b in ["permutation-symmetric", "exact", "cumulant"] { XCTAssertTrue(results.contains("\"backend\": \"\(b)\""), b) }
    }

    /// The points of a committed bundle in outputs/archived/, after checking its manifest's hashes.
    static func points(_ name: String) throws -> [[String: Any]] {
        let dir = CLITests.root.appendingPathComponent("outputs/archived/\(name)")
        _ = try BundleVerifier.verify(dir.path)
        let data = try Data(contentsOf: dir.appendingPathComponent("results.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(json["points"] as? [[String: Any]])
    }

    /// The committed Fig. 5b bundles are intact and show the papers' result: the exact 16-dipole chain
    /// follows the collective model with its f_eff and stays below it (within 3 standard errors).
    func testArchivedFig5bBundlesShowTheChainBelowTheCollectiveModel() throws {
        let chain = try Self.points("fig5b-chain-vs-collective"), collective = try Self.points("fig5b-collective-reference")
        XCTAssertEqual(chain.count, 28)
        XCTAssertEqual(collective.count, 28)
        for (c, u) in zip(chain, collective) {
            let co = try XCTUnwrap(c["observables"] as? [String: Double]), uo = try XCTUnwrap(u["observables"] as? [String: Double])
            let w = try XCTUnwrap((c["parameters"] as? [String: Double])?["system.pump.rate"])
            XCTAssertEqual(c["backend"] as? String, "exact")
            let (zc, zu, err) = (try XCTUnwrap(co["ZQ"]), try XCTUnwrap(uo["ZQ"]), try XCTUnwrap(co["ZQ-stderr"]))
            XCTAssertLessThan(zc, zu + 3 * err, "W = \(w): chain \(zc) ± \(err) against collective \(zu)")
            if w >= 2 {   // above threshold (below it, Z_Q ≈ 0 and its error is √σ(Z_Q²))
                XCTAssertLessThan(err, 0.01, "W = \(w)")
                XCTAssertGreaterThan(zc, 0.8 * zu, "W = \(w): the same W dependence")
            }
        }
    }

    /// The committed exact Fig. A1 bundle (docs/physics.md §6.6) is intact and holds γ_slow of the same
    /// two-exponential fit the cumulant reports (§3.3), with the shape the docs state: below threshold
    /// Z_12 is one exponential (γ_slow = γ, Γ/γ_slow → 2.4), above it Γ/γ_slow rises with Z_Q to its
    /// largest value inside the synchronized window, ≈ 2.5 near W = 4.3 Γ, and falls to 0.074 at 40 Γ.
    func testArchivedFigA1ExactBundleHasTheSlowRate() throws {
        let points = try Self.points("figa1-two-time-decay-exact")
        XCTAssertEqual(points.count, 40)
        var purity: [(w: Double, p: Double, z: Double)] = []
        for p in points {
            let w = try XCTUnwrap((p["parameters"] as? [String: Double])?["system.pump.rate"])
            let o = try XCTUnwrap(p["observables"] as? [String: Any])
            let pair = try XCTUnwrap((o["two-time"] as? [[String: Any]])?.first)
            for key in ["A", "nu", "gamma", "A-err", "nu-err", "gamma-err", "omega", "gamma-slow", "A-slow", "gamma-fast", "A-fast"] {
                XCTAssertNotNil(pair[key] as? Double, "W = \(w): \(key)")
            }
            let (g, gs) = (try XCTUnwrap(pair["gamma"] as? Double), try XCTUnwrap(pair["gamma-slow"] as? Double))
            if w < 0.2 { XCTAssertEqual(gs, g, accuracy: 2e-3 * g, "W = \(w): one exponential below threshold") }
            purity.append((w, 1 / gs, try XCTUnwrap(o["ZQ"] as? Double)))
        }
        let window = purity.filter { $0.z > 0.15 }
        let best = try XCTUnwrap(window.max { $0.p < $1.p })
        XCTAssertEqual(best.p, 2.47, accuracy: 0.05)
        XCTAssertTrue(best.w > 3 && best.w < 6, "peak at W = \(best.w)")
        XCTAssertEqual(try XCTUnwrap(purity.last).p, 0.074, accuracy: 0.002)
        XCTAssertEqual(try XCTUnwrap(purity.first).p, 2.38, accuracy: 0.02)
        // Above the window Γ/γ_slow falls with W, as Z_Q does.
        let above = purity.filter { $0.w > 7.5 }
        XCTAssertTrue(zip(above, above.dropFirst()).allSatisfy { $1.p < $0.p })
    }

    /// The committed cumulant Fig. A1 bundle (docs/physics.md §8.2) agrees with the exact one where the
    /// papers say it does: Γ/γ_slow within 25 % of the exact value from W = 3 Γ up, peaking (2.8) below
    /// the Z_Q optimum as the exact curve does (2.47), and following the subradiant rate below threshold.
    func testArchivedFigA1CumulantBundleFollowsTheExactOne() throws {
        func purity(_ name: String) throws -> [Double: (p: Double, z: Double)] {
            var out: [Double: (p: Double, z: Double)] = [:]
            for p in try Self.points(name) {
                let w = try XCTUnwrap((p["parameters"] as? [String: Double])?["system.pump.rate"])
                let o = try XCTUnwrap(p["observables"] as? [String: Any])
                let pair = try XCTUnwrap((o["two-time"] as? [[String: Any]])?.first)
                out[w] = (1 / (try XCTUnwrap(pair["gamma-slow"] as? Double)), try XCTUnwrap(o["ZQ"] as? Double))
            }
            return out
        }
        let cumulant = try purity("figa1-two-time-decay"), exact = try purity("figa1-two-time-decay-exact")
        XCTAssertEqual(Set(cumulant.keys), Set(exact.keys), "the same pump grid")
        for w in cumulant.keys.sorted() where w >= 3 {
            let (c, e) = (try XCTUnwrap(cumulant[w]).p, try XCTUnwrap(exact[w]).p)
            XCTAssertEqual(c, e, accuracy: 0.25 * e, "W = \(w)")
        }
        for w in cumulant.keys.sorted() where w < 0.2 {
            XCTAssertEqual(try XCTUnwrap(cumulant[w]).p, try XCTUnwrap(exact[w]).p, accuracy: 0.05 * 2.4, "W = \(w): subradiant")
        }
        let best = try XCTUnwrap(cumulant.filter { $0.key > 1 }.max { $0.value.p < $1.value.p })
        let zBest = try XCTUnwrap(cumulant.max { $0.value.z < $1.value.z })
        XCTAssertEqual(best.value.p, 2.8, accuracy: 0.1)
        XCTAssertLessThan(best.key, zBest.key, "Γ/γ_slow peaks below the Z_Q optimum")
    }

    /// The committed dephasing-resilience bundles (docs/physics.md §8.3) are intact and say what the docs
    /// say: at every f_eff, Z_Q at the optimal pump falls monotonically with γ_φ and still holds more than
    /// half its γ_φ = 0 value at the mean-field bound F/2 − √(2FΓ); at the optimal pump the collective line
    /// is far narrower than a lone dipole's (Γ + W + 2γ_φ) without dephasing and widens towards it, still
    /// narrower up to γ_φ = 20 Γ.
    func testArchivedDephasingBundlesShowTheResilience() throws {
        let points = try Self.points("dephasing-resilience")
        XCTAssertEqual(points.count, 36)
        var byF: [Double: [(phi: Double, z: Double)]] = [:]
        for p in points {
            let par = try XCTUnwrap(p["parameters"] as? [String: Double]), o = try XCTUnwrap(p["observables"] as? [String: Double])
            XCTAssertEqual(p["backend"] as? String, "permutation-symmetric")
            let f = try XCTUnwrap(par["system.couplings.uniform.feff"]), phi = try XCTUnwrap(par["system.dephasing.rate"])
            byF[f, default: []].append((phi, try XCTUnwrap(o["ZQ"])))
        }
        XCTAssertEqual(byF.keys.sorted(), [10, 15, 30])
        for (f, curve) in byF {
            let sorted = curve.sorted { $0.phi < $1.phi }
            for (a, b) in zip(sorted, sorted.dropFirst()) { XCTAssertLessThan(b.z, a.z, "f_eff = \(f): γφ = \(a.phi) → \(b.phi)") }
            let bound = f / 2 - (2 * f).squareRoot()
            let z0 = sorted[0].z
            let below = sorted.last { $0.phi <= bound } ?? sorted[0]
            XCTAssertGreaterThan(below.z, 0.5 * z0, "f_eff = \(f): Z_Q at γφ = \(below.phi) ≤ the mean-field bound \(bound)")
        }
        let lines = try Self.points("dephasing-resilience-linewidth")
        XCTAssertEqual(lines.count, 11)
        var previous = 0.0
        for p in lines {
            let phi = try XCTUnwrap((p["parameters"] as? [String: Double])?["system.dephasing.rate"])
            let w = try XCTUnwrap((p["optimum"] as? [String: Double])?["system.pump.rate"])
            let spectrum = try XCTUnwrap((p["observables"] as? [String: Any])?["spectrum"] as? [String: Double])
            let ratio = try XCTUnwrap(spectrum["linewidth"]) / (1 + w + 2 * phi)
            if phi == 0 { XCTAssertLessThan(ratio, 0.2, "collective line without dephasing") }
            if phi == 2 { XCTAssertLessThan(ratio, 0.35, "three times narrower at the mean-field end") }
            if phi <= 20 { XCTAssertLessThan(ratio, 0.9, "γφ = \(phi): still narrower than a lone dipole's") }
            XCTAssertGreaterThan(ratio, previous, "γφ = \(phi): the line widens towards a lone dipole's")
            previous = ratio
        }
    }

    /// The committed dephasing-resilience chains (docs/physics.md §8.3: magic angle, a = 0.02 λ, optimal
    /// pump) of 12 (exact), 200 and 900 dipoles (cumulant) are intact and say what the docs say: Z_Q falls
    /// with γ_φ at every length and with the length at every γ_φ, yet the fraction of its γ_φ = 0 value
    /// that survives a given γ_φ is the same at every length (within 0.06: 0.90–0.93 at 1 Γ, 0.72–0.77 at
    /// 4 Γ, 0.36–0.39 at 24 Γ). The N = 200 bundle's figures read the other two bundles.
    func testArchivedDephasingChainsKeepTheSameFractionAtEveryLength() throws {
        let chains = [
            ("dephasing-resilience-chain-12", "exact"), ("dephasing-resilience-chain", "cumulant"), ("dephasing-resilience-chain-900", "cumulant")
        ]
        var curves: [[Double: (z: Double, w: Double)]] = []
        for (name, backend) in chains {
            var curve: [Double: (z: Double, w: Double)] = [:]
            for p in try Self.points(name) {
                XCTAssertEqual(p["backend"] as? String, backend, name)
                let phi = try XCTUnwrap((p["parameters"] as? [String: Double])?["system.dephasing.rate"])
                let z = try XCTUnwrap((p["observables"] as? [String: Any])?["ZQ"] as? Double)
                let w = try XCTUnwrap((p["optimum"] as? [String: Double])?["system.pump.rate"])
                XCTAssertTrue(w > 0.5 && w < 29, "\(name), γφ = \(phi): the optimum W = \(w) lies inside the bracket")
                curve[phi] = (z, w)
            }
            let sorted = curve.keys.sorted()
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                XCTAssertLessThan(try XCTUnwrap(curve[b]).z, try XCTUnwrap(curve[a]).z, "\(name): γφ = \(a) → \(b)")
            }
            curves.append(curve)
        }
        let shared: [Double] = [0, 1, 4, 24]
        for phi in shared {
            let z = try curves.map { try XCTUnwrap($0[phi]).z }
            XCTAssertTrue(z[0] > z[1] && z[1] > z[2], "γφ = \(phi): Z_Q falls with N: \(z)")
        }
        for (phi, expected) in [(1.0, 0.915), (4.0, 0.745), (24.0, 0.375)] {
            let fractions = try curves.map { try XCTUnwrap($0[phi]).z / XCTUnwrap($0[0]).z }
            XCTAssertLessThan(try XCTUnwrap(fractions.max()) - XCTUnwrap(fractions.min()), 0.06, "γφ = \(phi): \(fractions)")
            for f in fractions { XCTAssertEqual(f, expected, accuracy: 0.04, "γφ = \(phi)") }
        }
        let csv = try String(
            contentsOf: CLITests.root.appendingPathComponent("outputs/archived/dephasing-resilience-chain/figures/surviving-fraction.csv"),
            encoding: .utf8)
        for label in ["N = 12 (exact)", "N = 200 (cumulant)", "N = 900 (cumulant)"] { XCTAssertTrue(csv.contains(label), label) }
    }

    /// The long chains (200 and 900 dipoles, cumulant) reach γ_φ = 47 Γ ≈ 2 f_eff and carry the collective
    /// linewidth at each optimum (docs/physics.md §8.3): narrower than a lone dipole's Γ + W + 2γ_φ by a
    /// factor 4 or more without dephasing, widening monotonically with γ_φ and towards the lone width,
    /// still narrower than it at 2 f_eff. The figures draw both lengths with the mean-field end of each
    /// chain's uniform state, γ_φ = F/2 − √(2FΓ) at F = f_eff (4.89 and 5.03 Γ), in its curve's colour.
    func testArchivedLongDephasingChainsCarryTheirLinewidthToTwiceTheCoupling() throws {
        var byLength: [[Double: Double]] = []
        for name in ["dephasing-resilience-chain", "dephasing-resilience-chain-900"] {
            var ratios: [(phi: Double, width: Double, ratio: Double)] = []
            for p in try Self.points(name) {
                let phi = try XCTUnwrap((p["parameters"] as? [String: Double])?["system.dephasing.rate"])
                let w = try XCTUnwrap((p["optimum"] as? [String: Double])?["system.pump.rate"])
                let o = try XCTUnwrap(p["observables"] as? [String: Any])
                let width = try XCTUnwrap((o["spectrum"] as? [String: Double])?["linewidth"])
                ratios.append((phi, width, width / (1 + w + 2 * phi)))
            }
            ratios.sort { $0.phi < $1.phi }
            XCTAssertEqual(ratios.last?.phi, 47, name)
            XCTAssertLessThan(try XCTUnwrap(ratios.first).ratio, 0.25, "\(name): \(ratios)")
            XCTAssertLessThan(try XCTUnwrap(ratios.last).ratio, 1, "\(name): \(ratios)")
            for (a, b) in zip(ratios, ratios.dropFirst()) {
                XCTAssertLessThan(a.width, b.width, "\(name): γφ = \(a.phi) → \(b.phi)")
                XCTAssertLessThan(a.ratio, b.ratio, "\(name): γφ = \(a.phi) → \(b.phi)")
            }
            byLength.append(Dictionary(uniqueKeysWithValues: ratios.map { ($0.phi, $0.ratio) }))
        }
        // The narrowing does not depend on the length: 200 and 900 dipoles agree to 0.01 at every shared γ_φ.
        for phi in [0.0, 1, 4, 24, 47] {
            XCTAssertEqual(try XCTUnwrap(byLength[0][phi]), try XCTUnwrap(byLength[1][phi]), accuracy: 0.01, "γφ = \(phi)")
        }
        // The 12-dipole chain (exact, at the optima of its own spec): a line narrower than a lone dipole's
        // by 5–22 % only (0.95, 0.86, 0.78, 0.87 of it), widening with γ_φ, at the same Z_Q as the optimum's.
        let optima = try Self.points("dephasing-resilience-chain-12")
        var previous = 0.0
        for p in try Self.points("dephasing-resilience-chain-12-linewidth") {
            let par = try XCTUnwrap(p["parameters"] as? [String: Double])
            let (phi, w) = (try XCTUnwrap(par["system.dephasing.rate"]), try XCTUnwrap(par["system.pump.rate"]))
            let o = try XCTUnwrap(p["observables"] as? [String: Any])
            let width = try XCTUnwrap((o["spectrum"] as? [String: Double])?["linewidth"])
            let optimum = try XCTUnwrap(optima.first { ($0["parameters"] as? [String: Double])?["system.dephasing.rate"] == phi })
            XCTAssertEqual(try XCTUnwrap((optimum["optimum"] as? [String: Double])?["system.pump.rate"]), w, accuracy: 6e-4, "γφ = \(phi)")
            let z = try XCTUnwrap((optimum["observables"] as? [String: Any])?["ZQ"] as? Double)
            XCTAssertEqual(try XCTUnwrap(o["ZQ"] as? Double), z, accuracy: 1e-3 * z, "γφ = \(phi): the optimum's Z_Q")
            XCTAssertGreaterThan(width / (1 + w + 2 * phi), 0.7, "γφ = \(phi)")
            XCTAssertLessThan(width / (1 + w + 2 * phi), 1, "γφ = \(phi)")
            XCTAssertGreaterThan(width, previous, "γφ = \(phi)")
            previous = width
        }
        let figures = CLITests.root.appendingPathComponent("outputs/archived/dephasing-resilience-chain/figures")
        let csv = try String(contentsOf: figures.appendingPathComponent("linewidth.csv"), encoding: .utf8)
        for label in ["N = 12 (exact)", "N = 200 (cumulant)", "N = 900 (cumulant)"] { XCTAssertTrue(csv.contains(label), label) }
        let script = try String(contentsOf: figures.appendingPathComponent("resilience.py"), encoding: .utf8)
        let lines = script.components(separatedBy: "\n").filter { $0.hasPrefix("ax.axvline(") }
        XCTAssertEqual(lines.count, 3, "one mean-field end per chain: \(lines)")
        for (line, expected) in zip(lines, [0.871, 4.890, 5.031]) {
            let value = try XCTUnwrap(Double(line.dropFirst("ax.axvline(".count).prefix { $0 != "," }))
            XCTAssertEqual(value, expected, accuracy: 2e-3, line)
        }
    }

    /// The committed Fig. 5a bundle (12-dipole chains, exact, optimal W, merged from two shards) is intact
    /// and shows the papers' result: Z_Q peaks at the magic angle for each spacing, and g changing by
    /// orders of magnitude lowers it by less than a factor of two.
    func testArchivedFig5aBundleShowsTheMaximumAtTheMagicAngle() throws {
        let points = try Self.points("fig5a-angle-spacing")
        XCTAssertEqual(points.count, 6)
        var z: [Double: [(theta: Double, zq: Double)]] = [:]
        for p in points {
            let par = try XCTUnwrap(p["parameters"] as? [String: Double])
            let zq = try XCTUnwrap((p["observables"] as? [String: Double])?["ZQ"])
            let w = try XCTUnwrap((p["optimum"] as? [String: Double])?["system.pump.rate"])
            XCTAssertTrue(w > 0.6 && w < 14.9, "the optimum W = \(w) lies inside the bracket")
            z[try XCTUnwrap(par["system.lattice.spacing"]), default: []].append((try XCTUnwrap(par["system.polarization.angle"]), zq))
        }
        for (a, row) in z {
            let best = try XCTUnwrap(row.max { $0.zq < $1.zq })
            XCTAssertEqual(best.theta, acos(1 / 3.0.squareRoot()), accuracy: 1e-9, "a = \(a): maximum at θ_m")
            let worst = try XCTUnwrap(row.map(\.zq).min())
            XCTAssertGreaterThan(worst, 0.5 * best.zq, "a = \(a): less than a factor of two")
        }
    }

    /// The committed 8- and 10-dipole Fig. 5(a) maps (docs/physics.md §8.2): 8 angles × 7 spacings,
    /// the maximum at θ_m at every spacing (the papers' claim), below Z_Q^max everywhere, a plateau off
    /// the ridge that moves by less than 0.05 while g(a) spans three orders of magnitude, and the same
    /// maximum as the 12-dipole chain at the corner all bundles hold.
    func testArchivedFig5aMapsHaveTheRidgeAtTheMagicAngle() throws {
        for name in ["fig5a-angle-spacing-map-8", "fig5a-angle-spacing-map-10"] {
            let map = try Self.fig5aByPoint(name), corner = try Self.fig5aByPoint("fig5a-angle-spacing")
            XCTAssertEqual(map.count, 56, name)
            let spacings = Set(map.keys.map { $0[1] }).sorted()
            XCTAssertEqual(spacings.count, 7)
            var plateau: [Double] = []
            for a in spacings {
                let row = map.filter { $0.key[1] == a }
                let best = try XCTUnwrap(row.max { $0.value < $1.value })
                XCTAssertEqual(best.key[0], Self.fig5aMagic, "\(name), a = \(a): maximum at θ_m")
                XCTAssertLessThan(best.value, 1)
                plateau += row.filter { abs($0.key[0] - Self.fig5aMagic) > 0.5 }.map(\.value)   // 0–15° and 90°, far from θ_m
            }
            XCTAssertLessThan((plateau.max() ?? 1) - (plateau.min() ?? 0), 0.05, name)
            // The corner of the 12-dipole chain: the same ranking at each of its spacings.
            for a in Set(corner.keys.map { $0[1] }) {
                let twelve = corner.filter { $0.key[1] == a }, shorter = map.filter { $0.key[1] == a && twelve[$0.key] != nil }
                XCTAssertEqual(shorter.count, 3)
                XCTAssertEqual(twelve.max { $0.value < $1.value }?.key, shorter.max { $0.value < $1.value }?.key, "\(name), a = \(a)")
            }
        }
    }

    /// Z_Q/Z_Q^max by [θ, a/λ] (rounded to 1e-6) of an archived Fig. 5(a) bundle.
    static func fig5aByPoint(_ name: String) throws -> [[Double]: Double] {
        var out: [[Double]: Double] = [:]
        for p in try points(name) {
            let par = try XCTUnwrap(p["parameters"] as? [String: Double])
            let zq = try XCTUnwrap((p["observables"] as? [String: Double])?["ZQ"])
            let key = [try XCTUnwrap(par["system.polarization.angle"]), try XCTUnwrap(par["system.lattice.spacing"])].map {
                ($0 * 1e6).rounded() / 1e6
            }
            out[key] = zq * 8.0.squareRoot()   // Z_Q/Z_Q^max
        }
        return out
    }

    static let fig5aMagic = (acos(1 / 3.0.squareRoot()) * 1e6).rounded() / 1e6

    /// How the map changes with N (docs/physics.md §8.2). The 12-dipole chain is held on a 3 × 4 grid
    /// by two bundles (θ = 0, θ_m, 90° at a = 0.02 and 0.06 λ, and at 0.04 and 0.08 λ): its maximum is at
    /// θ_m at every spacing, and at each of its 12 points Z_Q/Z_Q^max falls from 8 to 10 to 12 dipoles.
    /// At 0.02 λ the ridge at θ_m hardly moves (0.835 → 0.830 → 0.825) while the plateau at 0 and 90°
    /// falls by ~0.09: the ridge stands out more as the chain grows.
    func testArchivedFig5aMapsApproachTheTwelveDipoleChain() throws {
        let eight = try Self.fig5aByPoint("fig5a-angle-spacing-map-8"), ten = try Self.fig5aByPoint("fig5a-angle-spacing-map-10")
        let twelve = try Self.fig5aByPoint("fig5a-angle-spacing").merging(try Self.fig5aByPoint("fig5a-angle-spacing-more")) { a, _ in a }
        XCTAssertEqual(twelve.count, 12)
        for a in Set(twelve.keys.map { $0[1] }) {
            let row = twelve.filter { $0.key[1] == a }
            XCTAssertEqual(row.count, 3)
            XCTAssertEqual(row.max { $0.value < $1.value }?.key[0], Self.fig5aMagic, "a = \(a): maximum at θ_m")
        }
        for (key, z12) in twelve {
            let z8 = try XCTUnwrap(eight[key]), z10 = try XCTUnwrap(ten[key])
            XCTAssertTrue(z8 >= z10 && z10 >= z12, "\(key): \(z8), \(z10), \(z12)")
        }
        let small = try XCTUnwrap(twelve.keys.map { $0[1] }.min())
        let ridge = [Self.fig5aMagic, small]
        let ridgeDrop = try XCTUnwrap(eight[ridge]) - XCTUnwrap(twelve[ridge])
        for plain in [[0, small], [(Double.pi / 2 * 1e6).rounded() / 1e6, small]] {
            let plainDrop = try XCTUnwrap(eight[plain]) - XCTUnwrap(twelve[plain])
            XCTAssertGreaterThan(plainDrop, 5 * ridgeDrop, "\(plain)")
        }
    }

    /// The committed Fig. 2(d) bundle (the unconditional QFI of 16 collective dipoles, f_eff = 15 Γ,
    /// permutation-symmetric backend) reproduces, and the unconditional QFI stays far below the
    /// witness 2N/3 at every W, as docs/physics.md §6.3.2 says (only the conditional one comes near it).
    func testArchivedFig2dBundleReproducesAndStaysBelowTheWitness() throws {
        let name = "fig2d-unconditional-qfi"
        let points = try Self.points(name)
        XCTAssertEqual(points.count, 40)
        for p in points {
            let q = try XCTUnwrap((p["observables"] as? [String: Double])?["qfi"])
            XCTAssertTrue(q >= 0 && q < 0.5 * 32 / 3, "F_Q = \(q)")
        }
        let r = try CLITests.run(["rerun", CLITests.root.appendingPathComponent("outputs/archived/\(name)").path, "--rtol", "1e-9", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    /// The committed Fig. 2(c) bundle (N = 16, f_eff = 15 Γ, W = 7.5 Γ, 4 quantum-state-diffusion
    /// trajectories of 10/Γ; docs/physics.md §6.3.2) is intact and says what the docs say: F̄_Q starts at
    /// the witness 2N/3 (the ground state), and at t = 10/Γ the trajectory mean, 10.65 ± 0.07, is not
    /// above the witness outside its error bar — it sits on it.
    func testArchivedFig2cBundleSitsAtTheWitness() throws {
        let points = try Self.points("fig2c-conditional-qfi-trace")
        XCTAssertEqual(points.count, 1)
        let o = try XCTUnwrap(points[0]["observables"] as? [String: Double])
        XCTAssertEqual(points[0]["backend"] as? String, "exact")
        let witness = try XCTUnwrap(o["qfi-witness"]), q = try XCTUnwrap(o["qfi-conditional"]), e = try XCTUnwrap(o["qfi-conditional-stderr"])
        XCTAssertEqual(witness, 32.0 / 3, accuracy: 1e-12)
        XCTAssertLessThan(e, 0.1, "resolving power")
        XCTAssertLessThan(abs(q - witness), 2 * e, "F̄_Q(10/Γ) = \(q) ± \(e) against the witness \(witness)")
        let csv = try String(
            contentsOf: CLITests.root.appendingPathComponent(
                "outputs/archived/fig2c-conditional-qfi-trace/tables/point-0000/timeseries.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
        XCTAssertEqual(rows.count, 101)
        XCTAssertEqual(rows[0][1], witness, accuracy: 1e-12)
        XCTAssertEqual(rows[0][2], 0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(rows.last)[1], q, accuracy: 1e-12)
    }

    /// The committed Fig. 2(d) conditional bundle (N = 16, f_eff = 15 Γ, W = 3, 7.5, 12 Γ, 4 trajectories
    /// of 20/Γ averaged over the last 12/Γ; docs/physics.md §6.3.2) is intact and answers the papers'
    /// question: at W = 7.5 Γ, in the synchronized window, F̄_Q lies below the witness 2N/3 by more than
    /// three standard errors (and by more than the step error measured in the docs).
    func testArchivedFig2dConditionalBundleIsNotAboveTheWitness() throws {
        let points = try Self.points("fig2cd-conditional-qfi")
        XCTAssertEqual(points.count, 3)
        var byW: [Double: (q: Double, e: Double)] = [:]
        for p in points {
            let o = try XCTUnwrap(p["observables"] as? [String: Double])
            let w = try XCTUnwrap((p["parameters"] as? [String: Double])?["system.pump.rate"])
            XCTAssertEqual(p["backend"] as? String, "exact")
            XCTAssertEqual(try XCTUnwrap(o["qfi-witness"]), 32.0 / 3, accuracy: 1e-12)
            byW[w] = (try XCTUnwrap(o["qfi-conditional"]), try XCTUnwrap(o["qfi-conditional-stderr"]))
        }
        XCTAssertEqual(byW.keys.sorted(), [3, 7.5, 12])
        let synchronized = try XCTUnwrap(byW[7.5])
        XCTAssertLessThan(synchronized.e, 0.02, "resolving power")
        XCTAssertLessThan(
            synchronized.q + 3 * synchronized.e, 32.0 / 3, "W = 7.5 Γ: F̄_Q = \(synchronized.q) ± \(synchronized.e)")
    }

    func testRerunReportsADifferenceAndExitsOne() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else { throw XCTSkip("no dipolesync binary") }
        let source = CLITests.root.appendingPathComponent("outputs/archived/archived-three-backends")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("archived-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        addTeardownBlock { try? FileManager.default.removeItem(at: copy) }
        // Change one stored number and re-sign the manifest, as if the program's physics had changed.
        let resultsURL = copy.appendingPathComponent("results.json")
        var text = try String(contentsOf: resultsURL, encoding: .utf8)
        guard let range = text.range(of: #""inversion": -?[0-9.e-]+"#, options: .regularExpression) else { return XCTFail("no inversion") }
        text.replaceSubrange(range, with: "\"inversion\": 0.123")
        try text.write(to: resultsURL, atomically: true, encoding: .utf8)
        let manifestURL = copy.appendingPathComponent("manifest.json")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        let oldSHA = try XCTUnwrap(manifest.range(of: #""results.json": "[0-9a-f]{64}""#, options: .regularExpression))
        let newSHA = SHA256.hex(Array(text.utf8))
        try manifest.replacingCharacters(in: oldSHA, with: "\"results.json\": \"\(newSHA)\"").write(
            to: manifestURL, atomically: true, encoding: .utf8)
        let r = try CLITests.run(["rerun", copy.path, "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("NOT reproduced: 1 difference"), r.stdout)
        XCTAssertTrue(r.stdout.contains("results.json | points[0].observables.inversion | 0.123"), r.stdout)
    }

    /// A bundle written before an observable gained keys still reruns (docs/reproducibility.md §5): the
    /// exact pair two-time function of a bundle without `gamma-slow` … `A-fast` (as they were written before
    /// the two-exponential fit reached the sampled backends) reproduces, with a note naming the added keys;
    /// a key the bundle holds and the program no longer writes still fails the rerun.
    func testRerunOfABundleWithoutNewerKeysReproducesAndNamesThem() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else { throw XCTSkip("no dipolesync binary") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-pair-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("pair.yaml")
        try """
        dipolesync: 1
        name: pair
        system:
          lattice: {shape: all-to-all, sites: 6}
          couplings: {uniform: {feff: 4 Gamma}}
          pump: {rate: 2 Gamma}
        observables:
          - {two-time: {pairs: [[0, 1]], tau-max: 4 /Gamma, tau-points: 81}}
        solver: {backend: permutation-symmetric}

        """.write(to: spec, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("bundle")
        let r = try CLITests.run(["run", spec.path, "--out", out.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        func resign(_ edit: (String) -> String) throws {
            let resultsURL = out.appendingPathComponent("results.json")
            let text = edit(try String(contentsOf: resultsURL, encoding: .utf8))
            try text.write(to: resultsURL, atomically: true, encoding: .utf8)
            let manifestURL = out.appendingPathComponent("manifest.json")
            let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
            let oldSHA = try XCTUnwrap(manifest.range(of: #""results.json": "[0-9a-f]{64}""#, options: .regularExpression))
            try manifest.replacingCharacters(in: oldSHA, with: "\"results.json\": \"\(SHA256.hex(Array(text.utf8)))\"").write(
                to: manifestURL, atomically: true, encoding: .utf8)
        }
        // The bundle as the previous program wrote it: the pair's object ends at omega.
        try resign { text in
            text.replacingOccurrences(
                of: #",\s*"gamma-slow": [^,]+,\s*"gamma-slow-err": [^,]+,\s*"A-slow": [^,]+,\s*"gamma-fast": [^,]+,\s*"A-fast": [^\n]+"#,
                with: "", options: .regularExpression)
        }
        let stored = try String(contentsOf: out.appendingPathComponent("results.json"), encoding: .utf8)
        XCTAssertFalse(stored.contains("gamma-slow"))
        XCTAssertTrue(stored.contains("\"omega\""))
        let old = try CLITests.run(["rerun", out.path, "--quiet"])
        XCTAssertEqual(old.status, 0, old.stdout + old.stderr)
        XCTAssertTrue(old.stdout.contains("reproduced: "), old.stdout)
        XCTAssertTrue(
            old.stdout.contains("writes 5 result values the bundle does not hold (keys two-time.A-fast, two-time.A-slow, two-time.gamma-fast"),
            old.stdout)
        // A stored key the program does not write is a difference.
        try resign { $0.replacingOccurrences(of: "\"omega\"", with: "\"omega-old\"") }
        let renamed = try CLITests.run(["rerun", out.path, "--quiet"])
        XCTAssertEqual(renamed.status, 1, renamed.stdout)
        XCTAssertTrue(renamed.stdout.contains("two-time[0].omega-old | present | absent"), renamed.stdout)
    }
}
