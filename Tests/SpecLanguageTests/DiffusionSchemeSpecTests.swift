import Foundation
import Physics
import Results
import Testing

@testable import SpecLanguage

/// `solver.diffusion-scheme` (docs/spec-language.md §9, docs/physics.md §6.3.3).
@Suite struct DiffusionSchemeSpecTests {
    static let base = """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: all-to-all, sites: 3}
          couplings: {uniform: {feff: 2 Gamma}}
          pump: {rate: 1 Gamma}
        observables:
          - {qfi-conditional: {trajectories: 4, until: 2 /Gamma}}
        solver:
          backend: exact

        """

    func compile(_ text: String) -> CompileOutcome {
        SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: Catalog())
    }

    @Test func absentIsMilsteinAndLeavesTheResolvedSpecAsBefore() throws {
        let c = try #require(compile(Self.base).compiled)
        #expect(c.base.solver.diffusionScheme == .milstein)
        let resolved = JSONWriter.write(c.resolved())
        #expect(!resolved.contains("diffusion-scheme"))
        // Written as the default, it resolves exactly as when absent (same bundle ID).
        let explicit = try #require(compile(Self.base + "  diffusion-scheme: milstein\n").compiled)
        #expect(explicit.base.solver.diffusionScheme == .milstein)
        #expect(JSONWriter.write(explicit.resolved()) == resolved)
    }

    @Test func weakOrderTwoIsReadAndNamedInTheResolvedSpec() throws {
        let c = try #require(compile(Self.base + "  diffusion-scheme: weak-2\n").compiled)
        #expect(c.base.solver.diffusionScheme == .weak2)
        let resolved = JSONWriter.write(c.resolved())
        #expect(resolved.contains("\"diffusion-scheme\": \"weak-2\""), "\(resolved)")
        let plain = try #require(compile(Self.base).compiled)
        #expect(resolved != JSONWriter.write(plain.resolved()), "another scheme is another bundle")
    }

    @Test(arguments: [
        ("  diffusion-scheme: weak2\n", "'weak2'", "did you mean 'weak-2'?"),
        ("  diffusion-scheme: Milstein\n", "'Milstein'", "did you mean 'milstein'?"),
        ("  diffusion-scheme: euler\n", "'euler'", "'milstein', 'weak-2'"),
        ("  diffusion-scheme: 2\n", "'2'", "'milstein', 'weak-2'"),
        ("  diffusion-scheme: [weak-2]\n", "must be one of 'milstein', 'weak-2', not a list", nil),
        ("  diffusion-scheme: {weak-2: on}\n", "diffusion-scheme", nil)
    ])
    func malformedSchemesAreLocatedErrors(_ line: String, message: String, hint: String?) throws {
        let out = compile(Self.base + line)
        #expect(out.compiled == nil || out.hasErrors)
        let e = try #require(out.diagnostics.first { $0.severity == .error })
        #expect(e.message.contains(message), "\(e.message)")
        if let hint { #expect(e.hint?.contains(hint) == true, "\(e.hint ?? "no hint")") }
        #expect(e.location.line == 11)
        #expect(e.location.column == 21)
    }
}
