import Planning
import TestSupport
import XCTest

@testable import SpecLanguage

/// The fuzz target's seed corpus (Tests/Fuzz/corpus: the shipped specs and every input that once
/// crashed or misled the front end) run through the same steps as `scripts/fuzz`, in every test run.
final class FuzzSeedTests: XCTestCase {
    func testEverySeedEndsInDiagnosticsOrAPlan() throws {
        let folder = repositoryRoot.appendingPathComponent("Tests/Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 30)
        for name in files {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            let outcome = SpecCompiler.compile(bytes: bytes, path: name, catalog: testCatalog())
            for d in outcome.diagnostics {
                XCTAssertFalse(
                    DiagnosticRenderer.text(d, source: outcome.source).unicodeScalars.contains { $0 == "\u{1B}" },
                    "\(name): a raw escape in a diagnostic")
            }
            if name.hasPrefix("crash-") {
                // Each of these is invalid: a located error, never a plan.
                var diagnostics = outcome.diagnostics
                if let c = outcome.compiled, !outcome.hasErrors { diagnostics += Planner().plan(c).diagnostics }
                let error = diagnostics.first { $0.severity == .error }
                XCTAssertNotNil(error, "\(name) was accepted")
                XCTAssertGreaterThanOrEqual(error?.location.line ?? 0, 1, name)
            }
        }
    }
}
