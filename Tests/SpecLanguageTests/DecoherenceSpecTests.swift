import Foundation
import Physics
import Results
import Testing

@testable import SpecLanguage

/// `system.dephasing` and `system.nonradiative-decay` (docs/spec-language.md §4.7, docs/physics.md §1.5).
@Suite struct DecoherenceSpecTests {
    static let base = """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: chain, sites: 4, spacing: 0.1 lambda}
          pump: {rate: 2 Gamma}

        """

    func compile(_ text: String, catalog: Catalog = Catalog()) -> CompileOutcome {
        SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: catalog)
    }

    @Test func absentTermsAreZeroAndLeaveTheResolvedSpecAsBefore() throws {
        let c = try #require(compile(Self.base).compiled)
        #expect(c.base.system.dephasing == 0)
        #expect(c.base.system.nonradiativeDecay == 0)
        #expect(c.base.system.decoherence.isEmpty)
        let resolved = JSONWriter.write(c.resolved())
        #expect(!resolved.contains("dephasing") && !resolved.contains("nonradiative"))
        // Written as zero, the terms resolve exactly as when absent (same bundle ID).
        let zero = try #require(
            compile(
                Self.base.replacingOccurrences(
                    of: "  pump: {rate: 2 Gamma}\n",
                    with: "  pump: {rate: 2 Gamma}\n  dephasing: {rate: 0 Gamma}\n  nonradiative-decay: {rate: 0 Gamma}\n")
            ).compiled)
        #expect(JSONWriter.write(zero.resolved()) == resolved)
    }

    @Test func ratesAreReadInGammaAndInPhysicalUnits() throws {
        let text = Self.base + "  dephasing: {rate: 2.5 Gamma}\n  nonradiative-decay: {rate: 0.25 Gamma}\n"
        let c = try #require(compile(text).compiled)
        #expect(c.base.system.dephasing == 2.5)
        #expect(c.base.system.nonradiativeDecay == 0.25)
        #expect(c.base.system.decoherence == [.dephasing, .nonradiativeDecay])
        let resolved = JSONWriter.write(c.resolved())
        #expect(resolved.contains("\"dephasing\"") && resolved.contains("\"nonradiative-decay\""))
        // With a species, 1 MHz = 10⁶ s⁻¹ in units of its Γ (⁸⁷Sr: Γ = 2.9·10⁵ s⁻¹).
        let catalog = Catalog(folders: [repositorySpecs + "/catalog"])
        let sr = """
            dipolesync: 1
            name: t
            system:
              species: sr87-3P0-3D1
              lattice: {shape: chain, sites: 4}
              pump: {rate: 2 Gamma}
              dephasing: {rate: 1 MHz}

            """
        let s = try #require(compile(sr, catalog: catalog).compiled)
        #expect(abs(s.base.system.dephasing - 1e6 / 2.9e5) < 1e-9)
    }

    @Test func sweepingTheDephasingRateGivesOnePointPerValue() throws {
        let text = Self.base + "  dephasing: {rate: 1 Gamma}\nsweep:\n  grid:\n    system.dephasing.rate: {values: [0 Gamma, 0.5 Gamma, 3 Gamma]}\n"
        let c = try #require(compile(text).compiled)
        #expect(c.points.map(\.spec.system.dephasing) == [0, 0.5, 3])
    }

    @Test(arguments: [
        ("  dephasing: {rate: -1 Gamma}\n", "'system.dephasing.rate' must not be negative", 6),
        ("  nonradiative-decay: {rate: 2 lambda}\n", "nonradiative-decay", 6),
        ("  dephasing: {rate: 1 MHz}\n", "physical units, but the spec names no species", 6),
        ("  dephasing: 3 Gamma\n", "dephasing", 6),
        ("  dephasing: {}\n", "rate", 6)
    ])
    func malformedTermsAreLocatedErrors(_ line: String, message: String, atLine: Int) throws {
        let out = compile(Self.base + line)
        let e = try #require(out.diagnostics.first { $0.severity == .error })
        #expect(e.message.contains(message), "\(e.message)")
        #expect(e.location.line == atLine)
    }
}

private let repositorySpecs: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("specs").path
}()
