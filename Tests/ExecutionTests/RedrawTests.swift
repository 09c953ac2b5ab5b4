import Foundation
import NumericalMethods
import Physics
import Results
import TestSupport
import XCTest

@testable import Execution

/// `dipolesync redraw`: pictures drawn again from a bundle's stored results (docs/spec-language.md
/// §11.6), and `results.json` read back by the inverse of the writer.
final class RedrawTests: XCTestCase {
    /// Two pump rates of eight collective dipoles evolved in time: scalars and per-point tables.
    static let spec = """
        dipolesync: 1
        name: redraw-check
        description: eight collective dipoles, two pump rates, time series
        system:
          lattice: {shape: all-to-all, sites: 8}
          couplings:
            uniform: {feff: 6 Gamma, geff: 0 Gamma}
          detuning: none
          pump: {rate: 3 Gamma}
        initial: ground
        evolve: {until: 4 /Gamma, samples: 20}
        observables: [ZQ, inversion]
        sweep:
          grid:
            system.pump.rate: {values: [2 Gamma, 4 Gamma]}
        solver: {backend: permutation-symmetric, seed: 3}

        """

    func temporaryDirectory() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("dipolesync-redraw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else {
            throw XCTSkip("the dipolesync binary is not built next to the tests (\(CLITests.binary.path))")
        }
    }

    /// Every file of a bundle folder by relative path.
    static func contents(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
        while let u = e?.nextObject() as? URL {
            if let d = FileManager.default.contents(atPath: u.path), !u.hasDirectoryPath {
                out[String(u.path.dropFirst(dir.path.count + 1))] = d
            }
        }
        return out
    }

    /// A bundle of `spec` in a new folder, and the spec file.
    func runBundle() throws -> (dir: URL, bundle: URL, spec: URL) {
        let dir = try temporaryDirectory()
        let specURL = dir.appendingPathComponent("redraw-check.yaml")
        try Self.spec.write(to: specURL, atomically: true, encoding: .utf8)
        let bundle = dir.appendingPathComponent("bundle")
        let r = try CLITests.run(["run", specURL.path, "--quiet", "--out", bundle.path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return (dir, bundle, specURL)
    }

    func testRedrawOfAnUnchangedSpecReproducesEveryPictureAndRecordsItself() throws {
        let (dir, bundle, _) = try runBundle()
        let out = dir.appendingPathComponent("redrawn")
        let r = try CLITests.run(["redraw", bundle.path, "--out", out.path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), out.path)
        let before = try Self.contents(bundle)
        let after = try Self.contents(out)
        XCTAssertEqual(Set(before.keys), Set(after.keys))
        // The per-point time series were read back from their tables: their pictures are there.
        XCTAssertTrue(before.keys.contains { $0.hasPrefix("tables/point-0001/") }, "\(before.keys.sorted())")
        for (path, data) in before where path != "manifest.json" {
            XCTAssertEqual(after[path], data, "\(path) changed")
        }
        let old = try BundleManifest(json: try XCTUnwrap(before["manifest.json"]))
        let new = try BundleManifest(json: try XCTUnwrap(after["manifest.json"]))
        XCTAssertNil(old.redrawn)
        XCTAssertEqual(new.redrawn?.program.name, "dipolesync")
        var same = new
        same.redrawn = nil
        XCTAssertEqual(same, old, "only the redraw record is new")
        // The redrawn bundle checks out and reproduces.
        let rerun = try CLITests.run(["rerun", out.path, "--quiet"], cwd: dir)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
    }

    func testRedrawWithANewFiguresSectionReplacesOnlyThePictures() throws {
        let (dir, bundle, specURL) = try runBundle()
        let before = try Self.contents(bundle)
        let restyled =
            "# restyled\n" + Self.spec
                + """
                figures:
                  - name: order
                    title: "Z_Q and S^z against W"
                    x: {axis: system.pump.rate, label: "W/Γ"}
                    series:
                      - {value: ZQ, label: "Z_Q"}
                      - {value: inversion, label: "S^z", style: dashed}

                """
        try restyled.write(to: specURL, atomically: true, encoding: .utf8)
        let r = try CLITests.run(["redraw", bundle.path, "--spec", specURL.path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let after = try Self.contents(bundle)
        XCTAssertEqual(after.keys.filter { $0.hasPrefix("figures/") }.sorted(), ["figures/order.csv", "figures/order.py", "figures/order.svg"])
        XCTAssertEqual(after["spec.yaml"], Data(restyled.utf8))
        for (path, data) in before where !path.hasPrefix("figures/") && !["spec.yaml", "index.html", "manifest.json"].contains(path) {
            XCTAssertEqual(after[path], data, "\(path) changed")
        }
        let csv = String(decoding: try XCTUnwrap(after["figures/order.csv"]), as: UTF8.self)
        XCTAssertTrue(csv.contains("S^z") || csv.contains("inversion"), csv)
        XCTAssertNoThrow(try BundleVerifier.check(bundle.path))
        XCTAssertTrue(String(decoding: try XCTUnwrap(after["index.html"]), as: UTF8.self).contains("figures/order.svg"))
    }

    /// A figure's notes reach the user: `run` and `redraw` print each as `warning: figure 'NAME': …` on
    /// standard error and still succeed (the picture is drawn, with the note in red under it).
    func testFigureNotesArePrintedAsWarningsAndTheCommandSucceeds() throws {
        let dir = try temporaryDirectory()
        let specURL = dir.appendingPathComponent("noted.yaml")
        let noted =
            Self.spec
                + """
                figures:
                  - name: broken
                    x: {axis: system.pump.rate}
                    series:
                      - {value: ZQ, label: "Z_Q"}
                      - {value: "sqrt(-1 - abs(ZQ))", label: "imaginary"}

                """
        try noted.write(to: specURL, atomically: true, encoding: .utf8)
        let bundle = dir.appendingPathComponent("bundle")
        var r = try CLITests.run(["run", specURL.path, "--quiet", "--out", bundle.path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let warning = "warning: figure 'broken': imaginary: no finite values to draw"
        XCTAssertEqual(r.stderr.components(separatedBy: warning).count - 1, 1, r.stderr)
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), bundle.path, "the bundle's path is still printed last")
        r = try CLITests.run(["redraw", bundle.path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: warning).count - 1, 1, r.stderr)
        XCTAssertFalse(r.stderr.contains("--spec"), "no `from:` series: no hint about them")
        let svg = try String(contentsOf: bundle.appendingPathComponent("figures/broken.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("imaginary: no finite values"), svg)
        // `merge` draws the pictures of the whole: the same warning; a shard draws none.
        let shards = dir.appendingPathComponent("shards")
        for k in 1...2 {
            r = try CLITests.run(
                ["run", specURL.path, "--quiet", "--shard", "\(k)/2", "--out", shards.appendingPathComponent("shard-\(k)").path], cwd: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertFalse(r.stderr.contains("warning: figure"), r.stderr)
        }
        r = try CLITests.run(["merge", shards.path, "--out", dir.appendingPathComponent("merged").path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: warning).count - 1, 1, r.stderr)
    }

    func testRedrawRefusesAnotherExperimentATamperedBundleAndAShard() throws {
        let (dir, bundle, specURL) = try runBundle()
        let before = try Self.contents(bundle)
        // Another pump grid is another experiment: refused, nothing written.
        try Self.spec.replacingOccurrences(of: "4 Gamma]", with: "5 Gamma]").write(to: specURL, atomically: true, encoding: .utf8)
        var r = try CLITests.run(["redraw", bundle.path, "--spec", specURL.path], cwd: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("describes another experiment"), r.stderr)
        XCTAssertEqual(try Self.contents(bundle), before)
        // A picture changed by hand no longer matches the manifest: refused, named.
        let svg = try XCTUnwrap(before.keys.first { $0.hasPrefix("figures/") && $0.hasSuffix(".svg") })
        try Data("<svg/>".utf8).write(to: bundle.appendingPathComponent(svg))
        r = try CLITests.run(["redraw", bundle.path], cwd: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(svg), r.stderr)
        // Not a bundle at all.
        r = try CLITests.run(["redraw", dir.path], cwd: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        // A shard bundle: merge first.
        try Self.spec.write(to: specURL, atomically: true, encoding: .utf8)
        let shard = dir.appendingPathComponent("shard")
        r = try CLITests.run(["run", specURL.path, "--quiet", "--shard", "1/2", "--out", shard.path], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLITests.run(["redraw", shard.path], cwd: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("shard"), r.stderr)
    }
}

/// `results.json` and the per-point tables read back (`StoredBundle`).
final class StoredResultsTests: XCTestCase {
    func testResultsDocumentReadsBackWhatItWrites() throws {
        var r = PointResult(values: [("ZQ", .number(0.25)), ("spectrum", .object([("linewidth", .number(1.5))])), ("z", .null)])
        r.method = "steady state, residual 1e-12"
        r.diagnostics = [("iterations", .number(7))]
        let outcomes = [
            PointOutcome(
                index: 1, parameters: [("system.pump.rate", 4)], backend: .cumulant, result: r, optimum: ("system.pump.rate", 4.5, 0),
                seconds: 0),
            PointOutcome(
                index: 0, parameters: [("system.pump.rate", 2)], backend: .exact, result: PointResult(values: [("ZQ", .number(-0.0))]),
                optimum: nil, seconds: 0)
        ]
        let doc = ResultsDocument.json(name: "x", outcomes: outcomes)
        let back = try ResultsDocument.outcomes(from: try JSONWriter.parse(Data(JSONWriter.write(doc).utf8)))
        XCTAssertEqual(JSONWriter.write(ResultsDocument.json(name: "x", outcomes: back)), JSONWriter.write(doc))
        XCTAssertEqual(back.map(\.index), [0, 1])
        XCTAssertEqual(back[1].result, r)
        XCTAssertEqual(back[1].optimum?.value, 4.5)
        XCTAssertEqual(back[1].backend, .cumulant)

        func rejects(_ json: String, _ text: String) {
            XCTAssertThrowsError(try ResultsDocument.outcomes(from: JSONWriter.parse(Data(json.utf8)))) { e in
                XCTAssertTrue("\(e)".contains(text), "\(e)")
            }
        }
        rejects(#"{"points": 3}"#, "no 'points'")
        rejects(#"{"points": [1]}"#, "points[0] is not an object")
        let p = #"{"index": 0, "parameters": {}, "backend": "exact", "observables": {}}"#
        rejects(#"{"points": [\#(p), \#(p)]}"#, "points[1] has no valid, unique 'index'")
        rejects(#"{"points": [{"index": 0.5, "parameters": {}, "backend": "exact", "observables": {}}]}"#, "index")
        rejects(#"{"points": [{"index": 0, "parameters": {}, "backend": "magic", "observables": {}}]}"#, "backend")
        rejects(#"{"points": [{"index": 0, "parameters": {"a": "b"}, "backend": "exact", "observables": {}}]}"#, "parameter 'a'")
        rejects(#"{"points": [{"index": 0, "parameters": {}, "backend": "exact", "observables": {}, "optimum": 3}]}"#, "optimum")
    }

    /// Damaged bundle files end in an error or a value, never a trap: seeded mutations (byte
    /// changes, cuts, inserted brackets, quotes and commas) of a valid results.json, manifest and
    /// table, each read as `redraw` reads it.
    func testMutatedBundleFilesNeverTrap() throws {
        let root = CLITests.root.appendingPathComponent("outputs/archived/archived-three-backends")
        let results = try Data(contentsOf: root.appendingPathComponent("results.json"))
        let manifest = try Data(contentsOf: root.appendingPathComponent("manifest.json"))
        let table = Data(ResultsDocument.csv(ResultTable(name: "t", columns: ["t", "\"x, y\""], rows: [[0, 1], [0.5, .nan]])).utf8)
        let npy = TableFile.npy(ResultTable(name: "t", columns: ["phi", "sz"], rows: [[0, 1], [0.5, .nan], [2, 3]]))
        var rng = SeededRandom(seed: 20_261_202)
        let alphabet = Array("{}[],:\"\\-.0123456789eE \nnul".utf8)
        func mutate(_ d: Data) -> Data {
            var b = [UInt8](d)
            for _ in 0..<(1 + Int(rng.next() % 4)) where !b.isEmpty {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 4 {
                case 0: b[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: b.removeSubrange(i..<min(b.count, i + 1 + Int(rng.next() % 40)))
                case 2: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                default: b = Array(b.prefix(i))
                }
            }
            return Data(b)
        }
        var decoded = 0
        for _ in 0..<1500 {
            if let v = try? JSONWriter.parse(mutate(results)), (try? ResultsDocument.outcomes(from: v)) != nil { decoded += 1 }
            _ = try? BundleManifest(json: mutate(manifest))
            _ = ResultsDocument.table(name: "t", csv: String(decoding: mutate(table), as: UTF8.self))
            _ = try? ResultsDocument.table(name: "t", npy: mutate(npy))
        }
        // Some mutations leave valid results (a changed digit): the decoder was reached.
        XCTAssertGreaterThan(decoded, 0)
    }

    func testTablesReadBackBitForBit() {
        let t = ResultTable(name: "two-time-0-1", columns: ["t", "Re \"g\", scaled", "Im"], rows: [[0, .nan, -.infinity], [0.1, 1.0 / 3.0, 2.5e-300]])
        let back = ResultsDocument.table(name: t.name, csv: ResultsDocument.csv(t))
        XCTAssertEqual(back?.columns, t.columns)
        XCTAssertEqual(back?.rows.flatMap { $0 }.map(\.bitPattern).count, 6)
        XCTAssertEqual(back?.rows[1].map(\.bitPattern), t.rows[1].map(\.bitPattern))
        XCTAssertTrue(back?.rows[0][1].isNaN ?? false)
        let npy = try? ResultsDocument.table(name: t.name, npy: TableFile.npy(t))
        XCTAssertEqual(npy?.columns, t.columns)
        XCTAssertEqual(npy?.rows.flatMap { $0 }.map(\.bitPattern), t.rows.flatMap { $0 }.map(\.bitPattern))
        // Held as the file's numbers (8 bytes each, not an array a row), and written out again the same.
        if case .flat(let values)? = npy?.storage { XCTAssertEqual(values.count, 6) } else { XCTFail("not flat") }
        XCTAssertEqual(npy?.rowCount, 2)
        XCTAssertEqual(npy.map(TableFile.npy), TableFile.npy(t))
        XCTAssertEqual(npy.map(ResultsDocument.csv), ResultsDocument.csv(t))
        XCTAssertNil(ResultsDocument.table(name: "x", csv: "a,b\n1,zz\n"))
        XCTAssertNil(ResultsDocument.table(name: "x", csv: "a,b\n1\n"))
        XCTAssertNil(ResultsDocument.table(name: "x", csv: "\"a,b\n"))
    }
}
