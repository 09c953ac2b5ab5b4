import Physics
import Results
import XCTest

@testable import SpecLanguage

final class CompilerTests: XCTestCase {
    func compile(_ text: String, catalog: Catalog = Catalog()) -> CompileOutcome {
        SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: catalog)
    }

    let base = """
        dipolesync: 1
        name: t
        system:
          lattice: {shape: chain, sites: 6, spacing: 0.1 lambda}
          polarization: {angle: magic}
          pump: {rate: 2 Gamma}
        """

    func testDefaultsAreFilledIn() throws {
        let c = try XCTUnwrap(compile(base).compiled)
        let s = c.base
        XCTAssertEqual(s.observables.map(\.kind), [.zq, .inversion])
        XCTAssertEqual(s.initial, .ground)
        XCTAssertEqual(s.evolution, .steadyState)
        XCTAssertNil(s.solver.backend, "auto: the planner chooses")
        XCTAssertEqual(s.solver.tolerance, 1e-10)
        XCTAssertEqual(s.system.couplings, .dipolar(elastic: true))
        XCTAssertEqual(s.system.detuning, .none)
        let m = Quantity.magicAngle
        XCTAssertEqual(s.system.polarization.x, cos(m), accuracy: 1e-15)
        XCTAssertEqual(s.system.polarization.z, sin(m), accuracy: 1e-15)
        XCTAssertEqual(c.points.count, 1)
        XCTAssertTrue(c.points[0].parameters.isEmpty)
    }

    /// Observable options left out take the schema's defaults, and the engine types' own defaults (for
    /// backends called directly) are the same numbers, so the two cannot drift apart.
    func testOptionDefaultsComeFromTheSchemaAndAgreeWithTheEngineTypes() throws {
        let text = base + "\nobservables: [spectrum, qfi-conditional, {two-time: {pairs: [[0, 2]]}}]\n"
        let c = try XCTUnwrap(compile(text).compiled, "\(compile(text).diagnostics.map(\.message))")
        let engine = ObservableRequest(kind: .spectrum)
        for r in c.base.observables {
            XCTAssertEqual(r.tauMax, engine.tauMax, "\(r.kind)")
            XCTAssertEqual(r.tauPoints, engine.tauPoints, "\(r.kind)")
            XCTAssertEqual(r.trajectories, engine.trajectories, "\(r.kind)")
            XCTAssertEqual(r.trajectoryTime, engine.trajectoryTime, "\(r.kind)")
        }
        let t = c.base.solver.trajectories, direct = TrajectorySettings()
        XCTAssertEqual([t.burnIn, t.average, t.sampleInterval], [direct.burnIn, direct.average, direct.sampleInterval])
    }

    func testJumpTrajectorySettingsAreReadInCanonicalUnits() throws {
        let defaults = try XCTUnwrap(compile(base).compiled).base.solver
        XCTAssertFalse(defaults.trajectoriesGiven, "no block: the defaults, not echoed")
        XCTAssertEqual(
            defaults.trajectories, TrajectorySettings(trajectories: 200, burnIn: 20, average: 50, sampleInterval: 0.1),
            "the schema's defaults")
        let text = base + "\nsolver:\n  exact-method: jump-trajectories\n  trajectories: {count: 8, burn-in: 5 /Gamma, average: 30 /Gamma}\n"
        let c = try XCTUnwrap(compile(text).compiled, "\(compile(text).diagnostics.map(\.message))")
        let s = c.base.solver
        XCTAssertEqual(s.exactMethod, .jumpTrajectories)
        XCTAssertTrue(s.trajectoriesGiven)
        let t = s.trajectories
        XCTAssertEqual(t.trajectories, 8)
        XCTAssertEqual(t.burnIn, 5)
        XCTAssertEqual(t.average, 30)
        XCTAssertEqual(t.sampleInterval, 0.1, "unset keys keep their defaults")
        let resolved = JSONWriter.write(c.resolved())
        XCTAssertTrue(resolved.contains("\"exact-method\": \"jump-trajectories\""), resolved)
        XCTAssertTrue(resolved.contains("\"count\": 8"), resolved)
    }

    func testGridSweepExpandsWithFirstAxisSlowest() throws {
        let text =
            base + """

                sweep:
                  grid:
                    system.pump.rate: {from: 1 Gamma, to: 3 Gamma, points: 3}
                    system.lattice.spacing: {log: [0.01 lambda, 1 lambda], points: 3}
                """
        let c = try XCTUnwrap(compile(text).compiled)
        XCTAssertEqual(c.points.count, 9)
        XCTAssertEqual(c.points.map { $0.parameters[0].value }, [1, 1, 1, 2, 2, 2, 3, 3, 3])
        XCTAssertEqual(c.points[1].parameters[1].value, 0.1, accuracy: 1e-15)
        XCTAssertEqual(c.points[5].spec.system.pump, 2)
        XCTAssertEqual(c.points[5].spec.system.spacing, 1)
        XCTAssertEqual(c.points[4].spec.system.spacing, 0.1, accuracy: 1e-15)
    }

    func testHugeGridIsALocatedErrorNotAnOverflow() throws {
        // Four axes of 10⁶ points: 10²⁴ points overflowed Int in SweepSpec.count (a trap).
        let axes = [
            "system.pump.rate: {from: 1 Gamma, to: 3 Gamma, points: 1000000}",
            "system.lattice.spacing: {from: 0.1 lambda, to: 0.2 lambda, points: 1000000}",
            "system.polarization.angle: {from: 0 deg, to: 90 deg, points: 1000000}",
            "solver.tolerance: {log: [1e-12, 1e-6], points: 1000000}"
        ]
        let text = base + "\nsweep:\n  grid:\n" + axes.map { "    " + $0 }.joined(separator: "\n") + "\n"
        let outcome = compile(text)
        XCTAssertNil(outcome.compiled)
        let d = try XCTUnwrap(outcome.diagnostics.first { $0.severity == .error }, "\(outcome.diagnostics)")
        XCTAssertEqual(
            d.message, "the sweep has more points than can be counted (1000000 × 1000000 × 1000000 × 1000000), more than the 1000000 allowed")
        XCTAssertEqual(d.location, SourceLocation(line: 8, column: 3))
        // Two axes: counted, and refused with the count.
        let two = base + "\nsweep:\n  grid:\n" + axes.prefix(2).map { "    " + $0 }.joined(separator: "\n") + "\n"
        XCTAssertEqual(
            compile(two).diagnostics.first?.message,
            "the sweep has 1000000000000 points (1000000 × 1000000), more than the 1000000 allowed")
        XCTAssertNil(
            SweepSpec(
                mode: .grid,
                axes: Array(
                    repeating: SweepAxis(
                        path: "p", values: [Double](repeating: 0, count: 1 << 22), family: .rate, isInteger: false, location: .start), count: 3)
            ).checkedCount)
    }

    func testZipSweepPairsValuesAndIntegerSitesCanBeSwept() throws {
        let text = """
            dipolesync: 1
            name: t
            system:
              lattice: {shape: all-to-all, sites: 10}
              couplings: {uniform: {feff: 5 Gamma}}
              pump: {rate: 2 Gamma}
            sweep:
              zip:
                system.lattice.sites: [10, 20, 40]
                system.couplings.uniform.feff: [5 Gamma, 10 Gamma, 20 Gamma]
            """
        let c = try XCTUnwrap(compile(text).compiled, "\(compile(text).diagnostics)")
        XCTAssertEqual(c.points.map(\.spec.system.count), [10, 20, 40])
        XCTAssertEqual(
            c.points.map { $0.spec.system.couplings }, [.uniform(feff: 5, geff: 0), .uniform(feff: 10, geff: 0), .uniform(feff: 20, geff: 0)])
    }

    func testSpeciesConvertsPhysicalUnitsAndDerivesPumps() throws {
        var catalog = Catalog()
        catalog.load(
            bytes: Array(
                """
                catalog: 1
                species:
                  - id: sr
                    wavelength: {value: 2.6 um, source: s}
                    linewidth: {value: 290e3 /s, source: s}
                    spacing: {value: 200 nm, source: s}
                    pump:
                      three-level:
                        decay: {value: 1e8 /s, source: s}
                """.utf8), path: "c.yaml")
        XCTAssertTrue(catalog.problems.isEmpty, "\(catalog.problems)")
        let text = """
            dipolesync: 1
            name: t
            system:
              species: sr
              lattice: {shape: chain, sites: 4}
              pump: {three-level: {rabi: 2pi*0.5 MHz}}
            """
        let c = try XCTUnwrap(compile(text, catalog: catalog).compiled)
        XCTAssertEqual(c.base.system.spacing, 200e-9 / 2.6e-6, accuracy: 1e-12, "spacing defaults to the species' value")
        let omega = 2 * Double.pi * 0.5e6
        XCTAssertEqual(c.base.system.pump, omega * omega / 1e8 / 290e3, accuracy: 1e-9, "W = Ω²/γ in units of Γ")
        XCTAssertNotNil(c.base.system.pumpDerivation)
    }

    func testOpticalPumpRate() throws {
        var catalog = Catalog()
        catalog.load(
            bytes: Array(
                """
                catalog: 1
                species:
                  - id: dye
                    wavelength: {value: 573 nm, source: s}
                    linewidth: {value: 1e9 /s, source: s}
                    pump:
                      optical:
                        cross-section: {value: 1e-16 cm^2, source: s}
                        wavelength: {value: 530 nm, source: s}
                """.utf8), path: "c.yaml")
        let text = """
            dipolesync: 1
            name: t
            system:
              species: dye
              lattice: {shape: chain, sites: 4, spacing: 1 angstrom}
              pump: {optical: {intensity: 5 kW/cm^2}}
            """
        let c = try XCTUnwrap(compile(text, catalog: catalog).compiled)
        // W = σ I λ/(h c) = 1e-20 m² × 5e7 W/m² × 530e-9 m / (6.62607015e-34 × 299792458) s⁻¹.
        let w = 1e-20 * 5e7 * 530e-9 / (6.62607015e-34 * 299_792_458)
        XCTAssertEqual(c.base.system.pump, w / 1e9, accuracy: 1e-12)
    }

    func testDetuningDrawsAreSeededAndIndependentOfThePoint() {
        let d = DetuningModel.uniform(width: 1)
        let a = d.draw(count: 200, seed: 7), b = d.draw(count: 200, seed: 7), c = d.draw(count: 200, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertTrue(a.allSatisfy { abs($0) <= 0.5 })
        let mean = a.reduce(0, +) / 200
        XCTAssertEqual(mean, 0, accuracy: 0.08)
        // Lorentzian: the median of |δ| is the half width.
        let l = DetuningModel.lorentzian(hwhm: 2).draw(count: 4001, seed: 3).map(abs).sorted()
        XCTAssertEqual(l[2000], 2, accuracy: 0.2)
    }

    func testResolvedSpecIsStable() throws {
        let c = try XCTUnwrap(compile(base).compiled)
        let c2 = try XCTUnwrap(compile(base + "\n# a comment changes nothing resolved\n").compiled)
        XCTAssertEqual(c.resolved(), c2.resolved())
    }
}
