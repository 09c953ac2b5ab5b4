import Planning
import Testing

@testable import SpecLanguage

/// A table of malformed specs: each must give the stated error at the stated line and column. Each case
/// is its own parameterized test, so one failing case neither hides nor stops the others.
@Suite struct ValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var message: String
        var line: Int
        var column: Int
        var severity: Diagnostic.Severity = .error
        var testDescription: String { name }
    }

    static let header = "dipolesync: 1\nname: t\n"
    /// A valid spec; cases replace parts of it.
    static func spec(
        lattice: String = "  lattice: {shape: chain, sites: 4, spacing: 0.1 lambda}",
        pump: String = "  pump: {rate: 2 Gamma}", systemExtra: String = "", tail: String = "observables: [ZQ]"
    ) -> String {
        header + "system:\n" + lattice + "\n" + pump + "\n" + (systemExtra.isEmpty ? "" : systemExtra + "\n") + tail + "\n"
    }

    static let cases: [Case] = [
        // Syntax.
        Case(name: "tab indentation", text: "dipolesync: 1\nname: t\nsystem:\n\tlattice: {}\n", message: "YAML syntax error", line: 4, column: 1),
        Case(
            name: "unclosed flow mapping", text: spec(lattice: "  lattice: {shape: chain, sites: 4"), message: "YAML syntax error", line: 5, column: 7
        ),
        Case(name: "unclosed quote", text: "dipolesync: 1\nname: \"t\nsystem: {}\n", message: "YAML syntax error", line: 4, column: 1),
        Case(name: "bad indentation", text: "dipolesync: 1\nname: t\n  system: x\n", message: "YAML syntax error", line: 3, column: 9),
        Case(
            name: "duplicate key", text: "dipolesync: 1\nname: t\nname: u\n", message: "duplicate key 'name' (first given at line 2)", line: 3,
            column: 1),
        Case(
            name: "duplicate nested key", text: spec(lattice: "  lattice: {shape: chain, shape: square, sites: 4}"), message: "duplicate key 'shape'",
            line: 4, column: 27),
        Case(name: "two documents", text: spec() + "---\ndipolesync: 1\n", message: "holds one YAML document", line: 7, column: 1),
        Case(name: "top-level list", text: "- dipolesync: 1\n", message: "top level of a spec must be a mapping", line: 1, column: 1),
        Case(name: "top-level scalar", text: "hello\n", message: "top level of a spec must be a mapping", line: 1, column: 1),
        Case(name: "empty file", text: "", message: "the spec is empty", line: 1, column: 1),
        Case(name: "comment-only file", text: "# nothing\n", message: "the spec is empty", line: 1, column: 1),
        Case(name: "unknown alias", text: spec(pump: "  pump: *p"), message: "unknown anchor '*p'", line: 5, column: 9),
        Case(name: "non-scalar key", text: "dipolesync: 1\nname: t\n[a]: 1\n", message: "mapping key must be a plain name", line: 3, column: 1),
        Case(name: "merge of a scalar", text: "dipolesync: 1\nname: t\nsystem:\n  <<: 5\n", message: "'<<' merges mappings", line: 4, column: 7),
        // Top-level structure.
        Case(
            name: "missing version", text: "name: t\nsystem:\n  lattice: {shape: chain, sites: 4, spacing: 0.1 lambda}\n  pump: {rate: 1 Gamma}\n",
            message: "missing required key 'dipolesync'", line: 1, column: 1),
        Case(name: "future version", text: "dipolesync: 2\nname: t\n", message: "unsupported language version 2", line: 1, column: 13),
        Case(
            name: "missing name", text: "dipolesync: 1\nsystem:\n  lattice: {shape: chain, sites: 4, spacing: 0.1 lambda}\n  pump: {rate: 1 Gamma}\n",
            message: "missing required key 'name'", line: 1, column: 1),
        Case(name: "bad name", text: "dipolesync: 1\nname: My Run\n", message: "'name' 'My Run' is not allowed", line: 2, column: 7),
        Case(
            name: "name with capital", text: spec().replacingOccurrences(of: "name: t", with: "name: Tt"), message: "is not allowed", line: 2,
            column: 7),
        Case(name: "missing system", text: "dipolesync: 1\nname: t\n", message: "missing required key 'system'", line: 1, column: 1),
        Case(name: "unknown top-level key", text: spec() + "solvr: {seed: 1}\n", message: "unknown key 'solvr'", line: 7, column: 1),
        Case(name: "system is a list", text: "dipolesync: 1\nname: t\nsystem: [1, 2]\n", message: "'system' must be a mapping", line: 3, column: 9),
        Case(
            name: "missing lattice", text: "dipolesync: 1\nname: t\nsystem:\n  pump: {rate: 1 Gamma}\n",
            message: "missing required key 'lattice' in system", line: 4, column: 3),
        Case(
            name: "missing pump", text: "dipolesync: 1\nname: t\nsystem:\n  lattice: {shape: chain, sites: 4, spacing: 0.1 lambda}\n",
            message: "missing required key 'pump' in system", line: 4, column: 3),
        Case(
            name: "unknown system key", text: spec(systemExtra: "  spacing: 1 lambda"), message: "unknown key 'spacing' in system", line: 6, column: 3
        ),
        Case(name: "empty value", text: spec(systemExtra: "  detuning:"), message: "'system.detuning' has no value", line: 6, column: 3),
        // Lattice.
        Case(
            name: "unknown shape", text: spec(lattice: "  lattice: {shape: chian, sites: 4, spacing: 0.1 lambda}"),
            message: "unknown lattice shape 'chian'", line: 4, column: 20),
        Case(
            name: "missing shape", text: spec(lattice: "  lattice: {sites: 4, spacing: 0.1 lambda}"),
            message: "missing required key 'shape' in system.lattice", line: 4, column: 12),
        Case(
            name: "zero sites", text: spec(lattice: "  lattice: {shape: chain, sites: 0, spacing: 0.1 lambda}"),
            message: "must be at least 1 (got 0)", line: 4, column: 34),
        Case(
            name: "fractional sites", text: spec(lattice: "  lattice: {shape: chain, sites: 4.5, spacing: 0.1 lambda}"),
            message: "must be a whole number, not '4.5'", line: 4, column: 34),
        Case(
            name: "square with one number", text: spec(lattice: "  lattice: {shape: square, sites: 4, spacing: 0.1 lambda}"),
            message: "a square takes 'sites: [nx, ny]'", line: 4, column: 35),
        Case(
            name: "chain with a pair", text: spec(lattice: "  lattice: {shape: chain, sites: [4, 4], spacing: 0.1 lambda}"),
            message: "a chain takes 'sites: n'", line: 4, column: 34),
        Case(
            name: "cubic with two", text: spec(lattice: "  lattice: {shape: cubic, sites: [2, 2], spacing: 0.1 lambda}"),
            message: "a cubic takes 'sites: [nx, ny, nz]'", line: 4, column: 34),
        Case(
            name: "too many dipoles", text: spec(lattice: "  lattice: {shape: cubic, sites: [1000, 1000, 1000], spacing: 0.1 lambda}"),
            message: "more than any backend can hold", line: 4, column: 34),
        Case(
            name: "missing sites", text: spec(lattice: "  lattice: {shape: chain, spacing: 0.1 lambda}"), message: "shape 'chain' needs 'sites: n'",
            line: 4, column: 12),
        Case(
            name: "negative spacing", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: -0.1 lambda}"),
            message: "'system.lattice.spacing' must be positive", line: 4, column: 46),
        Case(
            name: "zero spacing", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 0 lambda}"), message: "must be positive", line: 4,
            column: 46),
        Case(
            name: "spacing without unit", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 0.1}"), message: "needs a unit: a length",
            line: 4, column: 46),
        Case(
            name: "spacing in a rate unit", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 3 Gamma}"),
            message: "'Gamma' is a unit of rate", line: 4, column: 46),
        Case(
            name: "unknown length unit", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 200 nmm}"), message: "unknown unit 'nmm'",
            line: 4, column: 46),
        Case(
            name: "physical spacing without species", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 200 nm}"),
            message: "in physical units, but the spec names no species", line: 4, column: 46),
        Case(name: "missing spacing", text: spec(lattice: "  lattice: {shape: chain, sites: 4}"), message: "missing 'spacing'", line: 4, column: 12),
        Case(
            name: "coinciding positions",
            text: spec(lattice: "  lattice: {shape: positions, spacing: 0.1 lambda, positions: [[0, 0, 0], [1, 0, 0], [0, 0, 0]]}"),
            message: "dipoles 0 and 2 sit at the same position", line: 4, column: 86),
        Case(
            name: "position with one coordinate",
            text: spec(lattice: "  lattice: {shape: positions, spacing: 0.1 lambda, positions: [[0], [1, 0, 0]]}"), message: "needs at least 2 items",
            line: 4, column: 64),
        Case(
            name: "positions without shape positions",
            text: spec(lattice: "  lattice: {shape: chain, sites: 2, spacing: 0.1 lambda, positions: [[0, 0], [1, 0]]}"),
            message: "'positions' goes with shape 'positions' only", line: 4, column: 69),
        Case(
            name: "positions count mismatch",
            text: spec(lattice: "  lattice: {shape: positions, sites: 3, spacing: 0.1 lambda, positions: [[0, 0], [1, 0]]}"),
            message: "'sites' is 3 but 'positions' lists 2", line: 4, column: 38),
        // Couplings and polarization.
        Case(
            name: "unknown coupling model", text: spec(systemExtra: "  couplings: dipolr"), message: "unknown value for 'couplings' 'dipolr'",
            line: 6, column: 14),
        Case(
            name: "power law without alpha", text: spec(systemExtra: "  couplings: {power-law: {strength: 0.25 Gamma}}"),
            message: "missing required key 'alpha'", line: 6, column: 26),
        Case(
            name: "power law negative alpha", text: spec(systemExtra: "  couplings: {power-law: {alpha: -1}}"), message: "must not be negative",
            line: 6, column: 34),
        Case(
            name: "uniform feff in nm", text: spec(systemExtra: "  couplings: {uniform: {feff: 10 nm}}"), message: "'nm' is a unit of length",
            line: 6, column: 31),
        Case(
            name: "two coupling models", text: spec(systemExtra: "  couplings: {uniform: {feff: 1 Gamma}, power-law: {alpha: 1}}"),
            message: "takes exactly one of", line: 6, column: 41),
        Case(
            name: "dipolar on all-to-all",
            text: "dipolesync: 1\nname: t\nsystem:\n  lattice: {shape: all-to-all, sites: 4}\n  pump: {rate: 1 Gamma}\n",
            message: "an all-to-all ensemble has no geometry", line: 4, column: 12),
        Case(
            name: "elastic not boolean", text: spec(systemExtra: "  couplings: {dipolar: {elastic: maybe}}"), message: "must be on or off", line: 6,
            column: 34),
        Case(
            name: "polarization angle unit", text: spec(systemExtra: "  polarization: {angle: 90 Gamma}"), message: "'Gamma' is a unit of rate",
            line: 6, column: 25),
        Case(
            name: "polarization zero vector", text: spec(systemExtra: "  polarization: {vector: [0, 0, 0]}"), message: "must not be zero", line: 6,
            column: 26),
        Case(
            name: "polarization vector of two", text: spec(systemExtra: "  polarization: {vector: [1, 0]}"), message: "needs at least 3 items",
            line: 6, column: 26),
        Case(
            name: "uniform model not PSD",
            text:
                "dipolesync: 1\nname: t\nsystem:\n  lattice: {shape: all-to-all, sites: 4}\n  couplings: {uniform: {feff: 40 Gamma}}\n  pump: {rate: 1 Gamma}\n",
            message: "not positive semidefinite", line: 5, column: 14),
        // Detuning and pump.
        Case(
            name: "unknown detuning", text: spec(systemExtra: "  detuning: {lorenzian: {hwhm: 1 Gamma}}"),
            message: "unknown value for 'detuning' 'lorenzian'", line: 6, column: 14),
        Case(
            name: "detuning values count", text: spec(systemExtra: "  detuning: {values: [0 Gamma, 1 Gamma]}"),
            message: "lists 2 detunings for 4 dipoles", line: 6, column: 22),
        Case(
            name: "negative width", text: spec(systemExtra: "  detuning: {uniform: {width: -1 Gamma}}"), message: "must not be negative", line: 6,
            column: 31),
        Case(
            name: "negative pump", text: spec(pump: "  pump: {rate: -2 Gamma}"), message: "'system.pump.rate' must not be negative", line: 5,
            column: 16),
        Case(name: "pump without unit", text: spec(pump: "  pump: {rate: 2}"), message: "needs a unit: a rate", line: 5, column: 16),
        Case(name: "pump as text", text: spec(pump: "  pump: {rate: fast}"), message: "must be a rate, not 'fast'", line: 5, column: 16),
        Case(name: "pump bare scalar", text: spec(pump: "  pump: 2 Gamma"), message: "unknown value for 'pump' '2 Gamma'", line: 5, column: 9),
        Case(
            name: "three-level without decay", text: spec(pump: "  pump: {three-level: {rabi: 1 Gamma}}"), message: "needs 'decay'", line: 5,
            column: 23),
        Case(
            name: "optical without species", text: spec(pump: "  pump: {optical: {intensity: 5 kW/cm^2, cross-section: 1e-16 cm^2}}"),
            message: "an optical pump needs a species", line: 5, column: 19),
        Case(
            name: "unknown species", text: spec(systemExtra: "  species: sr87-3P0-3D2"), message: "unknown species 'sr87-3P0-3D2'", line: 6,
            column: 12),
        // Initial state, evolve, observables.
        Case(
            name: "unknown initial", text: spec(tail: "observables: [ZQ]\ninitial: grund"), message: "unknown value for 'initial' 'grund'", line: 7,
            column: 10),
        Case(
            name: "evolve without until", text: spec(tail: "observables: [ZQ]\nevolve: {samples: 10}"),
            message: "missing required key 'until' in evolve", line: 7, column: 9),
        Case(
            name: "evolve until in Gamma", text: spec(tail: "observables: [ZQ]\nevolve: {until: 10 Gamma}"), message: "'Gamma' is a unit of rate",
            line: 7, column: 17),
        Case(
            name: "one sample", text: spec(tail: "observables: [ZQ]\nevolve: {until: 10 /Gamma, samples: 1}"), message: "must be at least 2 (got 1)",
            line: 7, column: 37),
        Case(
            name: "unknown observable", text: spec(tail: "observables: [ZQ, inversoin]"), message: "unknown observable 'inversoin'", line: 6,
            column: 19),
        Case(name: "empty observables", text: spec(tail: "observables: []"), message: "needs at least 1 item", line: 6, column: 14),
        Case(
            name: "cluster sizes missing", text: spec(tail: "observables: [{cluster-ZQ: {}}]"), message: "missing required key 'sizes'", line: 6,
            column: 28),
        Case(
            name: "cluster too large", text: spec(tail: "observables: [{cluster-ZQ: {sizes: [2, 9]}}]"), message: "does not fit in a row of 4",
            line: 6, column: 40),
        Case(
            name: "pair out of range", text: spec(tail: "observables: [{discord: {pairs: [[0, 7]]}}]"), message: "dipole index 7 is out of range",
            line: 6, column: 34),
        Case(
            name: "pair of one dipole", text: spec(tail: "observables: [{mutual-information: {pairs: [[1, 1]]}}]"),
            message: "a pair needs two different dipoles", line: 6, column: 45),
        Case(
            name: "options on a plain observable", text: spec(tail: "observables: [{ZQ: {sizes: [2]}}]"), message: "'ZQ' takes no options", line: 6,
            column: 16),
        // Sweeps and optimize.
        Case(
            name: "sweep path unknown",
            text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.pump.rat: {from: 1 Gamma, to: 2 Gamma, points: 3}"),
            message: "'system.pump.rat' names nothing", line: 9, column: 5),
        Case(
            name: "sweep path not scalar", text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.lattice: {from: 1, to: 2, points: 3}"),
            message: "is not a single number", line: 9, column: 5),
        Case(
            name: "sweep wrong unit",
            text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.pump.rate: {from: 1 lambda, to: 2 Gamma, points: 3}"),
            message: "'lambda' is a unit of length", line: 9, column: 30),
        Case(
            name: "sweep without points", text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.pump.rate: {from: 1 Gamma, to: 2 Gamma}"),
            message: "a range needs 'points'", line: 9, column: 23),
        Case(
            name: "zip lengths differ",
            text: spec(tail: "observables: [ZQ]\nsweep:\n  zip:\n    system.pump.rate: [1 Gamma, 2 Gamma]\n    system.lattice.spacing: [0.1 lambda]"),
            message: "zip axes must have equal lengths", line: 10, column: 29),
        Case(
            name: "grid and zip",
            text: spec(tail: "observables: [ZQ]\nsweep:\n  grid: {system.pump.rate: [1 Gamma]}\n  zip: {system.lattice.spacing: [0.1 lambda]}"),
            message: "either 'grid' or 'zip'", line: 8, column: 3),
        Case(
            name: "log range with zero",
            text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.pump.rate: {log: [0 Gamma, 2 Gamma], points: 3}"),
            message: "logarithmic range needs positive bounds", line: 9, column: 29),
        Case(
            name: "swept value out of range", text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.pump.rate: [1 Gamma, -3 Gamma]"),
            message: "'system.pump.rate' must not be negative", line: 9, column: 23),
        Case(
            name: "integer sweep repeats",
            text: spec(tail: "observables: [ZQ]\nsweep:\n  grid:\n    system.lattice.sites: {from: 2, to: 3, points: 5}"),
            message: "repeats some after rounding", line: 9, column: 27),
        Case(
            name: "optimize unknown observable",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: ZZ, over: system.pump.rate, within: [1 Gamma, 2 Gamma]}"),
            message: "unknown observable 'ZZ'", line: 7, column: 22),
        Case(
            name: "optimize bad bracket",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.pump.rate, within: [3 Gamma, 2 Gamma]}"),
            message: "low < high", line: 7, column: 58),
        Case(
            name: "optimize log scan from zero",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.pump.rate, within: [0 Gamma, 2 Gamma], scan: log}"),
            message: "a log scan needs a bracket above zero", line: 7, column: 84),
        Case(
            name: "optimize unknown scan",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.pump.rate, within: [1 Gamma, 2 Gamma], scan: cubic}"),
            message: "'cubic'", line: 7, column: 84),
        Case(
            name: "optimize path unknown",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.pump, within: [1 Gamma, 2 Gamma]}"),
            message: "'system.pump' is not a single number", line: 7, column: 32),
        // Solver.
        Case(
            name: "unknown backend", text: spec(tail: "observables: [ZQ]\nsolver: {backend: exakt}"), message: "unknown backend 'exakt'", line: 7,
            column: 19),
        Case(
            name: "negative seed", text: spec(tail: "observables: [ZQ]\nsolver: {seed: -4}"), message: "'solver.seed' must be at least 0", line: 7,
            column: 16),
        Case(
            name: "zero tolerance", text: spec(tail: "observables: [ZQ]\nsolver: {tolerance: 0}"), message: "'solver.tolerance' must be positive",
            line: 7, column: 21),
        Case(name: "zero threads", text: spec(tail: "observables: [ZQ]\nsolver: {threads: 0}"), message: "must be at least 1", line: 7, column: 19),
        Case(
            name: "bad memory", text: spec(tail: "observables: [ZQ]\nsolver: {memory: lots}"), message: "'solver.memory' 'lots' is not allowed",
            line: 7, column: 18),
        Case(
            name: "unknown exact method", text: spec(tail: "observables: [ZQ]\nsolver: {exact-method: jumps}"), message: "'jumps'", line: 7,
            column: 24),
        Case(
            name: "one trajectory", text: spec(tail: "observables: [ZQ]\nsolver: {trajectories: {count: 1}}"), message: "must be at least 2", line: 7,
            column: 32),
        Case(
            name: "trajectory time in metres", text: spec(tail: "observables: [ZQ]\nsolver: {trajectories: {average: 3 m}}"), message: "average",
            line: 7, column: 34),
        Case(
            name: "negative burn-in", text: spec(tail: "observables: [ZQ]\nsolver: {trajectories: {burn-in: -1 /Gamma}}"), message: "burn-in",
            line: 7, column: 34),
        Case(
            name: "samples sparser than the average",
            text: spec(tail: "observables: [ZQ]\nsolver:\n  trajectories: {average: 1 /Gamma, sample-interval: 2 /Gamma}"),
            message: "sample-interval (2 /Gamma) is longer than the averaging time (1 /Gamma)", line: 8, column: 54),
        Case(
            name: "unknown trajectory key", text: spec(tail: "observables: [ZQ]\nsolver: {trajectories: {length: 3 /Gamma}}"), message: "length",
            line: 7, column: 25),
        // Specs that validated but failed at run time (exit 3): now validation errors.
        Case(
            name: "one collective dipole with f_eff > Γ",
            text: spec(lattice: "  lattice: {shape: all-to-all, sites: 1}", systemExtra: "  couplings: {uniform: {feff: 15 Gamma}}"),
            message: "the rate matrix f is not positive semidefinite", line: 6, column: 14),
        Case(
            name: "two-time with 2 delays", text: spec(tail: "observables: [{two-time: {tau-points: 2}}]"), message: "must be at least 4 (got 2)",
            line: 6, column: 39),
        Case(
            name: "name too long for a folder",
            text: "dipolesync: 1\nname: " + String(repeating: "a", count: 300) + "\n" + spec().dropFirst(header.count),
            message: "'name' has 300 characters; it names the bundle folder, which takes at most 100", line: 2, column: 7),
        Case(
            name: "rate near the largest double", text: spec(pump: "  pump: {rate: 1e307 Gamma}"),
            message: "pump rate '1e307 Gamma' is 1.000e+307 Γ, beyond the 1.000e+09 Γ", line: 5, column: 16),
        Case(name: "rate beyond the largest double", text: spec(pump: "  pump: {rate: 1e400 Gamma}"), message: "1e400 Gamma", line: 5, column: 16),
        Case(
            name: "huge coupling",
            text: spec(
                lattice: "  lattice: {shape: all-to-all, sites: 4}", systemExtra: "  couplings: {uniform: {feff: 1 Gamma, geff: 1e300 Gamma}}"),
            message: "geff '1e300 Gamma' is 1.000e+300 Γ", line: 6, column: 46),
        Case(
            name: "Rabi frequency whose pump rate overflows",
            text: spec(pump: "  pump: {three-level: {rabi: 2pi*1e300 MHz}}", systemExtra: "  species: sr87-3P0-3D1"),
            message: "the pump rate W = Ω²/γ derived from the three-level pump is not a finite number", line: 5, column: 30),
        Case(
            name: "derived pump rate too large", text: spec(pump: "  pump: {three-level: {rabi: 1e6 Gamma, decay: 1e-3 Gamma}}"),
            message: "the pump rate W = Ω²/γ derived from the three-level pump is 1.000e+15 Γ", line: 5, column: 30),
        Case(
            name: "optimize over sites down to none",
            text: spec(
                lattice: "  lattice: {shape: all-to-all, sites: 20}", systemExtra: "  couplings: {uniform: {feff: 15 Gamma}}",
                tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.lattice.sites, within: [0, 30]}"),
            message: "optimize cannot try system.lattice.sites = 0, an end of its bracket: 'system.lattice.sites' must be at least 1", line: 8,
            column: 62),
        Case(
            name: "optimize over sites into a non-physical model",
            text: spec(
                lattice: "  lattice: {shape: all-to-all, sites: 20}", systemExtra: "  couplings: {uniform: {feff: 15 Gamma}}",
                tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.lattice.sites, within: [2, 30]}"),
            message: "at system.lattice.sites = 2, an end of the optimize bracket, the rate matrix f is not positive semidefinite", line: 8,
            column: 62),
        Case(
            name: "optimize over sites beyond the backend",
            text: spec(
                lattice: "  lattice: {shape: chain, sites: 6, spacing: 0.1 lambda}",
                tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.lattice.sites, within: [4, 40]}"),
            message: "at system.lattice.sites = 40, an end of the optimize bracket, the exact backend chosen for this point cannot solve the spec",
            line: 7, column: 62),
        Case(
            name: "positions far beyond any array",
            text: spec(lattice: "  lattice: {shape: positions, positions: [[0, 0, 0], [1e308, 1e308, 1e308]], spacing: 0.1 lambda}"),
            message: "the array spans 1.000e+307 λ, more than the 1.000e+09 λ", line: 4, column: 42),
        Case(
            name: "spacing of 1e300 wavelengths", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 1e300 lambda}"),
            message: "the array spans 4.000e+300 λ", line: 4, column: 46),
        Case(
            name: "optimize bracket of infinite width",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.polarization.angle, within: [-1e308 rad, 1e308 rad]}"),
            message: "'within' is wider than can be represented", line: 7, column: 67),
        Case(
            name: "evolution over 1e300 lifetimes", text: spec(tail: "observables: [ZQ]\nevolve: {until: 1e300 /Gamma}"),
            message: "until '1e300 /Gamma' is 1.000e+300 /Γ, beyond the 1.000e+07 /Γ", line: 7, column: 17),
        Case(
            name: "optimize over sites up to 1e300",
            text: spec(
                lattice: "  lattice: {shape: all-to-all, sites: 20}", systemExtra: "  couplings: {uniform: {feff: 15 Gamma}}",
                tail: "observables: [ZQ]\noptimize: {maximize: ZQ, over: system.lattice.sites, within: [20, 1e300]}"),
            message: "'system.lattice.sites' takes whole numbers below 10⁹", line: 8, column: 62),
        Case(
            name: "maximize an observable not asked",
            text: spec(tail: "observables: [ZQ]\noptimize: {maximize: inversion, over: system.pump.rate, within: [1 Gamma, 30 Gamma]}"),
            message: "optimize maximizes 'inversion', which is not among the observables", line: 7, column: 22),
        Case(
            name: "maximize a pair observable of two pairs",
            text: spec(
                tail:
                    "observables: [{discord: {pairs: [[0, 1], [0, 2]]}}]\noptimize: {maximize: discord, over: system.pump.rate, within: [1 Gamma, 30 Gamma]}"
            ),
            message: "'discord' is asked for 2 pairs, so it is not one number to maximize", line: 7, column: 22),
        // Warnings.
        Case(
            name: "spacing beyond half a wavelength", text: spec(lattice: "  lattice: {shape: chain, sites: 4, spacing: 0.6 lambda}"),
            message: "not subwavelength", line: 4, column: 46, severity: .warning),
        Case(
            name: "strong three-level drive", text: spec(pump: "  pump: {three-level: {rabi: 5 Gamma, decay: 10 Gamma}}"), message: "Ω/γ = 0.5",
            line: 5, column: 30, severity: .warning),
        Case(
            name: "observable listed twice", text: spec(tail: "observables: [ZQ, ZQ]"), message: "listed twice", line: 6, column: 19,
            severity: .warning)
    ]

    @Test func theTableCoversTheLanguage() {
        #expect(Self.cases.count >= 60)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "case names are unique")
    }

    @Test(arguments: Self.cases)
    func malformedSpecGivesItsMessageAtItsPlace(_ c: Case) {
        var outcome = compile(c.text)
        if !outcome.hasErrors, let compiled = outcome.compiled {
            outcome.diagnostics += Planner().plan(compiled).diagnostics
        }
        let match = outcome.diagnostics.first { $0.message.contains(c.message) && $0.severity == c.severity }
        guard let d = match else {
            Issue.record(
                "expected \(c.severity) '\(c.message)', got \(outcome.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" })")
            return
        }
        #expect(d.location.line == c.line, "line of '\(d.message)'")
        #expect(d.location.column == c.column, "column of '\(d.message)'")
        if c.severity == .error { #expect(outcome.compiled.flatMap { _ in outcome.hasErrors ? nil : 1 } == nil, "compiled despite an error") }
    }

    /// Uniform couplings do not depend on the positions, so a wide spacing is no warning there.
    @Test func wideSpacingWithUniformCouplingsIsNoWarning() {
        let wide = "  lattice: {shape: chain, sites: 4, spacing: 0.6 lambda}"
        let uniform = compile(Self.spec(lattice: wide, systemExtra: "  couplings: {uniform: {feff: 15 Gamma}}"))
        #expect(!uniform.hasErrors)
        #expect(!uniform.diagnostics.contains { $0.message.contains("not subwavelength") })
        #expect(compile(Self.spec(lattice: wide)).diagnostics.contains { $0.message.contains("not subwavelength") })
    }

    @Test func nonUTF8BytesAreReportedWithTheirPosition() {
        var bytes = Array("dipolesync: 1\nname: t\ndescription: caf".utf8)
        bytes += [0xE9, 0x0A]
        let outcome = SpecCompiler.compile(bytes: bytes, path: "spec.yaml", catalog: testCatalog())
        #expect(outcome.diagnostics.first?.message == "the file is not valid UTF-8 (byte 0xE9)")
        #expect(outcome.diagnostics.first?.location == SourceLocation(line: 3, column: 17))
    }

    @Test func severalProblemsAreReportedAtOnce() {
        let text =
            "dipolesync: 1\nname: Bad\nsystem:\n  lattice: {shape: chian, sites: 4, spacing: 0.1 lambda}\n  pump: {rate: 2}\nobservables: [ZQ, inversoin]\n"
        let ds = compile(text).diagnostics.filter { $0.severity == .error }
        #expect(ds.map(\.location.line) == [2, 4, 5, 6])
    }

    @Test func didYouMeanHints() {
        let d = compile(Self.spec(tail: "observables: [ZQ]\nsolver: {backnd: exact}")).diagnostics.first
        #expect(d?.hint == "did you mean 'backend'?")
        let s = compile(Self.spec(systemExtra: "  species: sr87-3P0-3D2")).diagnostics.first
        #expect(s?.hint == "did you mean 'sr87-3P0-3D1'?")
        let p = compile(Self.spec(tail: "observables: [ZQ]\nsweep: {grid: {system.pump.rat: [1 Gamma]}}")).diagnostics.first
        #expect(p?.hint == "did you mean 'system.pump.rate'?")
    }
}
