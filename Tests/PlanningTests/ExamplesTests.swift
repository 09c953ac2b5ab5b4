import NumericalMethods
import Physics
import TestSupport
import Testing
import XCTest

@testable import Planning
@testable import SpecLanguage

/// The shipped specs, the schema file and robustness against mangled input.
final class ExamplesTests: XCTestCase {
    var specsFolder: URL { repositoryRoot.appendingPathComponent("specs") }

    func exampleFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: specsFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    func shippedCatalog() -> Catalog {
        Catalog(folders: [specsFolder.appendingPathComponent("catalog").path])
    }

    func testSchemaFileMatchesTheGenerator() throws {
        let file = try String(contentsOf: repositoryRoot.appendingPathComponent("schemas/experiment.schema.json"), encoding: .utf8)
        XCTAssertEqual(file, JSONSchemaExport.schema(), "regenerate with: dipolesync schema > schemas/experiment.schema.json")
    }

    func testShippedCatalogHasTheRequiredEntriesWithSources() {
        let c = shippedCatalog()
        XCTAssertTrue(c.problems.isEmpty, "\(c.problems)")
        for id in ["sr87-3P0-3D1"] { XCTAssertNotNil(c[id], id) }
        XCTAssertGreaterThanOrEqual(c.ids.filter { $0 != "sr87-3P0-3D1" }.count, 2, "two dye entries")
        for s in c.species.values {
            XCTAssertNotNil(s.sources["wavelength"], s.id)
            XCTAssertNotNil(s.sources["linewidth"], s.id)
            XCTAssertFalse(s.definition.isEmpty)
        }
        // The papers' Sr-87 numbers (docs/physics.md §7).
        XCTAssertEqual(c["sr87-3P0-3D1"]?.linewidth, 290e3)
        XCTAssertEqual(c["sr87-3P0-3D1"]?.wavelength ?? 0, 2.6e-6, accuracy: 1e-18)
    }

    func testThereAreAtLeastTwelveExamples() throws {
        XCTAssertGreaterThanOrEqual(try exampleFiles().count, 12)
        XCTAssertEqual(try exampleFiles().map(\.lastPathComponent), ShippedSpecTests.names)
    }

    /// An independent validator (Python's jsonschema, draft 7) accepts every example against our schema.
    func testExamplesPassAnIndependentJSONSchemaValidator() throws {
        let script = """
            import json, sys, glob, re
            try:
                import yaml, jsonschema
            except ImportError as e:
                print("SKIP", e); sys.exit(0)
            # YAML 1.2 reads 1e-10 as a number (PyYAML follows YAML 1.1, which needs a dot).
            yaml.SafeLoader.add_implicit_resolver('tag:yaml.org,2002:float',
                re.compile(r'^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?$'), list('-+0123456789.'))
            root = sys.argv[1]
            schema = json.load(open(root + '/schemas/experiment.schema.json'))
            jsonschema.Draft7Validator.check_schema(schema)
            v = jsonschema.Draft7Validator(schema)
            bad = 0
            for f in sorted(glob.glob(root + '/specs/*.yaml')):
                for e in v.iter_errors(yaml.safe_load(open(f))):
                    print(f, e.message); bad += 1
            # And it rejects what our validator rejects for structure.
            for text in ['dipolesync: 1\\nname: Bad Name\\nsystem: {lattice: {shape: chain}, pump: {rate: 1 Gamma}}',
                         'dipolesync: 1\\nname: t\\nsystem: {lattice: {shape: chian}, pump: {rate: 1 Gamma}}',
                         'dipolesync: 1\\nname: t\\nsystem: {lattice: {shape: chain}, pump: {rate: 1 parsec}}']:
                if not list(v.iter_errors(yaml.safe_load(text))):
                    print('accepted', text); bad += 1
            print("BAD" if bad else "OK")
            """
        let r = Subprocess.run(["python3", "-c", script, repositoryRoot.path])
        let text = r.stdout
        if text.hasPrefix("SKIP") { throw XCTSkip("python3 jsonschema/pyyaml not installed: \(text)") }
        XCTAssertTrue(text.hasSuffix("OK\n"), text + r.stderr)
    }
}

/// Each shipped spec its own test: it carries the schema modeline, validates and plans; mangled copies of
/// the small ones never trap the front end or the planner.
@Suite struct ShippedSpecTests {
    static var folder: URL { repositoryRoot.appendingPathComponent("specs") }
    /// The file names in specs/, sorted (a test of ExamplesTests checks this list is the folder's).
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()
    static var catalog: Catalog { Catalog(folders: [folder.appendingPathComponent("catalog").path]) }

    @Test(arguments: names) func hasTheModelineValidatesAndPlans(_ name: String) throws {
        let file = Self.folder.appendingPathComponent(name)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasPrefix("# yaml-language-server: $schema=../schemas/experiment.schema.json"))
        let outcome = SpecCompiler.compile(bytes: Array(text.utf8), path: file.path, catalog: Self.catalog)
        #expect(!outcome.hasErrors, "\(outcome.diagnostics.map(\.message))")
        let compiled = try #require(outcome.compiled)
        let planned = Planner().plan(compiled)
        #expect(planned.plan != nil, "\(planned.diagnostics.map(\.message))")
    }

    /// Deletes, duplicates and swaps lines, truncates and flips bytes of a small example 600 times: the
    /// front end and planner must always answer with diagnostics or a plan, never trap.
    @Test(
        .tags(.slow),
        arguments: [
            "getting-started.yaml", "fig5a-angle-spacing.yaml", "fig3a-correlations-vs-pump.yaml",
            "fig2cd-conditional-qfi.yaml", "fig4b-frequency-histogram.yaml"
        ])
    func mutatedCopiesNeverCrashTheValidator(_ name: String) throws {
        let file = Self.folder.appendingPathComponent(name)
        let catalog = Self.catalog
        var rng = SeededRandom(seed: 2026, stream: [1])
        func r(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        var failures = 0
        let original = Array(try Data(contentsOf: file))
        for _ in 0..<600 {
            var bytes = original
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            switch r(6) {
            case 0:
                var l = lines; l.remove(at: r(l.count)); bytes = Array(l.joined(separator: [0x0A]))
            case 1:
                var l = lines; let i = r(l.count); l.insert(l[i], at: r(l.count)); bytes = Array(l.joined(separator: [0x0A]))
            case 2:
                var l = lines; l.swapAt(r(l.count), r(l.count)); bytes = Array(l.joined(separator: [0x0A]))
            case 3:
                bytes = Array(bytes.prefix(r(bytes.count)))
            case 4:
                for _ in 0..<(1 + r(4)) where !bytes.isEmpty { bytes[r(bytes.count)] ^= UInt8(1 << r(8)) }
            default:
                let junk: [[UInt8]] = [
                    Array(": ".utf8), Array("- ".utf8), Array("{".utf8), Array("&a ".utf8), Array("*a".utf8),
                    Array("\t".utf8), [0xFF], Array("<<: ".utf8), Array("1e999".utf8), Array("-7".utf8)
                ]
                bytes.insert(contentsOf: junk[r(junk.count)], at: r(bytes.count + 1))
            }
            let outcome = SpecCompiler.compile(bytes: bytes, path: file.path, catalog: catalog)
            var ok = !outcome.hasErrors
            if let c = outcome.compiled, ok, c.points.count <= 400 {
                ok = Planner().plan(c).plan != nil
            }
            if !ok { #expect(outcome.diagnostics.contains { $0.severity == .error } || outcome.compiled != nil) }
            if !ok { failures += 1 }
        }
        #expect(failures > 100, "mutations produce errors (about 300 of 600 do)")
    }
}
