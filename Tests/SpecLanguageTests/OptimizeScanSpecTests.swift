import Foundation
import Results
import Testing

@testable import SpecLanguage

/// `optimize.scan` (docs/spec-language.md §8).
@Suite struct OptimizeScanSpecTests {
    static let base = """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: all-to-all, sites: 4}
          couplings: {uniform: {feff: 6 Gamma}}
          pump: {rate: 1 Gamma}
        observables: [ZQ]
        optimize:
          maximize: ZQ
          over: system.pump.rate
          within: [0.3 Gamma, 200 Gamma]

        """

    func compile(_ text: String) -> CompileOutcome {
        SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
    }

    @Test func absentIsLinearAndLeavesTheResolvedSpecAsBefore() throws {
        let c = try #require(compile(Self.base).compiled)
        #expect(c.base.optimize?.scan == .linear)
        let resolved = JSONWriter.write(c.resolved())
        #expect(!resolved.contains("scan"))
        // Written as the default, it resolves exactly as when absent (same bundle ID).
        let explicit = try #require(compile(Self.base + "  scan: linear\n").compiled)
        #expect(explicit.base.optimize?.scan == .linear)
        #expect(JSONWriter.write(explicit.resolved()) == resolved)
    }

    @Test func logIsReadAndNamedInTheResolvedSpec() throws {
        let c = try #require(compile(Self.base + "  scan: log\n").compiled)
        #expect(c.base.optimize?.scan == .log)
        let resolved = JSONWriter.write(c.resolved())
        #expect(resolved.contains("\"scan\": \"log\""), "\(resolved)")
        let plain = try #require(compile(Self.base).compiled)
        #expect(resolved != JSONWriter.write(plain.resolved()), "another search is another bundle")
    }

    @Test func aLogScanNeedsAPositiveBracket() throws {
        let text = Self.base.replacingOccurrences(of: "[0.3 Gamma, 200 Gamma]", with: "[0 Gamma, 200 Gamma]") + "  scan: log\n"
        let outcome = compile(text)
        #expect(outcome.compiled == nil)
        let d = try #require(outcome.diagnostics.first { $0.severity == .error })
        #expect(d.message.contains("a log scan needs a bracket above zero"), "\(d.message)")
        #expect(d.location.line == 12 && d.location.column == 9, "\(d.location)")
    }
}
