import Foundation
import Planning
import Results
import Testing

@testable import Execution
@testable import SpecLanguage

/// `optimize.scan` (docs/spec-language.md §8): read, validated, resolved, and carried to the search
/// (`Optimizer`'s own samples: ExecutorTests; the solves `run` reports: CLITests).
@Suite struct OptimizeScanTests {
    /// 10 collectively coupled dipoles at f_eff = 8 Γ, Z_Q maximized over W within [0.3 Γ, 200 Γ].
    static let base = """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: all-to-all, sites: 10}
          couplings: {uniform: {feff: 8 Gamma}}
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

    /// A run with `scan: log` finds the optimum of Z_Q(W) that the linear scan finds, by another
    /// sequence of solves.
    @Test func aRunWithALogScanFindsTheSameOptimum() throws {
        func run(_ text: String) throws -> PointOutcome {
            let c = try #require(compile(text).compiled)
            let plan = try #require(Planner().plan(c).plan)
            return try #require(try Executor(compiled: c, plan: plan, registry: .standard).run().first)
        }
        let linear = try run(Self.base)
        let log = try run(Self.base + "  scan: log\n")
        let (a, b) = (try #require(linear.optimum), try #require(log.optimum))
        #expect(abs(b.value - a.value) <= 2e-3 * a.value)
        #expect(abs((log.result.number("ZQ") ?? 0) - (linear.result.number("ZQ") ?? 1)) <= 1e-5)
        #expect(b.value != a.value, "another sequence of solves")
    }
}
