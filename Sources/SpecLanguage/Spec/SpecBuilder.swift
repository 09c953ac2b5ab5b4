import Foundation
import Physics

/// Reads a structurally checked YAML tree into an `ExperimentSpec`: fills defaults from the schema,
/// converts units to canonical ones with the species' Γ and λ, and makes the cross-field checks
/// (sites against shape, distinct positions, physical units without a species, pump derivations…).
/// Problems are reported to the engine; the result is nil when any error was found.
struct SpecBuilder {
    let diagnostics: DiagnosticEngine
    let catalog: Catalog
    /// Largest number of dipoles any backend could hold; larger lattices are rejected before allocation.
    static let maximumDipoles = 1_000_000
    /// Largest rate, in units of Γ, that a spec may give or derive (a pump, a coupling, a detuning
    /// width). Physical experiments stay far below; past it the backends' linear algebra overflows.
    static let maximumRate = 1e9
    /// Longest time, in 1/Γ, that a spec may ask to integrate over (evolution, delays, trajectories).
    static let maximumTime = 1e7
    /// Largest size of an array, in λ (distances enter the couplings as powers up to r⁻³ and e^{ikr}).
    static let maximumExtent = 1e9

    private var gammaSI: Double?
    private var lambdaSI: Double?
    private var failed = false

    init(diagnostics: DiagnosticEngine, catalog: Catalog) {
        self.diagnostics = diagnostics
        self.catalog = catalog
    }

    private mutating func error(_ message: String, at loc: SourceLocation, hint: String? = nil) {
        failed = true
        diagnostics.error(message, at: loc, hint: hint)
    }

    /// The node at `path`, or the schema default parsed as YAML, or nil.
    static func valueOrDefault(_ doc: YAMLNode, _ path: [String]) -> YAMLNode? {
        if let n = doc.node(at: path), !n.isNull { return n }
        guard let text = defaultText(path) else { return nil }
        return YAMLParser.parse(text, diagnostics: DiagnosticEngine(file: "<default>"))
    }

    /// The schema's default of option `key` of observable `kind` (docs/spec-language.md §6), parsed as YAML.
    static func observableDefault(_ kind: ObservableKind, _ key: String) -> YAMLNode? {
        guard case .variants(let variants) = ExperimentSchema.observable else { return nil }
        for v in variants {
            if case .tagged(let name, .object(let o), _) = v, name == kind.rawValue, let text = o.field(key)?.defaultText {
                return YAMLParser.parse(text, diagnostics: DiagnosticEngine(file: "<default>"))
            }
        }
        return nil
    }

    static func defaultText(_ path: [String]) -> String? {
        guard let last = path.last else { return nil }
        var shape = Shape.object(ExperimentSchema.root)
        for key in path.dropLast() {
            guard let next = fieldShape(shape, key) else { return nil }
            shape = next
        }
        if case .object(let o) = shape { return o.field(last)?.defaultText }
        if case .variants(let vs) = shape {
            for v in vs { if case .other(.object(let o)) = v { return o.field(last)?.defaultText } }
        }
        return nil
    }

    private static func fieldShape(_ shape: Shape, _ key: String) -> Shape? {
        switch shape {
        case .object(let o): return o.field(key)?.shape
        case .variants(let vs):
            for v in vs {
                if case .tagged(let n, let s, _) = v, n == key { return s }
                if case .other(.object(let o)) = v, let f = o.field(key) { return f.shape }
            }
            return nil
        default: return nil
        }
    }

    // MARK: Scalars

    /// The value of a quantity node in canonical units. Values that are not finite after conversion,
    /// and rates beyond `maximumRate` unless `bounded` is false (inputs of a derived rate that is
    /// checked itself), are errors.
    private mutating func quantity(_ node: YAMLNode?, _ family: UnitFamily, what: String, bounded: Bool = true) -> Double? {
        guard let node, let text = node.scalar, case .success(let q) = Quantity.parse(text), q.unit.family == family else {
            return nil   // already reported by the shape checker
        }
        guard let v = q.canonical(gammaSI: gammaSI, lambdaSI: lambdaSI) else {
            let natural = family == .length ? "lambda" : family == .time ? "/Gamma" : "Gamma"
            error(
                "\(what) '\(text)' is in physical units, but the spec names no species to convert it",
                at: node.location, hint: "add system.species, or write it in \(natural)")
            return nil
        }
        guard v.isFinite else {
            error("\(what) '\(text)' is too large to represent", at: node.location)
            return nil
        }
        if family == .rate && bounded && !checkRate(v, "\(what) '\(text)'", at: node.location) { return nil }
        if family == .time && abs(v) > SpecBuilder.maximumTime {
            error(
                "\(what) '\(text)' is \(fmt3(v)) /Γ, beyond the \(fmt3(SpecBuilder.maximumTime)) /Γ a solve can integrate over", at: node.location,
                hint: "times are in units of the single-dipole lifetime 1/Γ; the model relaxes within ~10²–10³ /Γ")
            return nil
        }
        return v
    }

    /// Whether a rate (in Γ) is finite and within `maximumRate`; reports `what` at `loc` when not.
    private mutating func checkRate(_ v: Double, _ what: String, at loc: SourceLocation, hint: String? = nil) -> Bool {
        if !v.isFinite {
            error("\(what) is not a finite number", at: loc, hint: hint)
            return false
        }
        if abs(v) > SpecBuilder.maximumRate {
            error(
                "\(what) is \(fmt3(v)) Γ, beyond the \(fmt3(SpecBuilder.maximumRate)) Γ the backends can handle", at: loc,
                hint: hint ?? "rates are in units of the single-dipole decay rate Γ; check the value and its unit")
            return false
        }
        return true
    }

    private func number(_ node: YAMLNode?) -> Double? {
        guard let s = node?.scalar, let x = Double(s), x.isFinite else { return nil }
        return x
    }

    private func integer(_ node: YAMLNode?) -> Int? {
        guard let s = node?.scalar else { return nil }
        return Int(s)
    }

    // MARK: The spec

    mutating func build(_ doc: YAMLNode) -> ExperimentSpec? {
        failed = false
        let name = doc["name"]?.scalar ?? "unnamed"
        let description = doc["description"]?.scalar ?? ""

        var species: Species?
        if let sNode = doc.node(at: ["system", "species"]), let id = sNode.scalar {
            if let s = catalog[id] {
                species = s
                gammaSI = s.linewidth
                lambdaSI = s.wavelength
            } else {
                error(
                    "unknown species '\(id)'", at: sNode.location,
                    hint: Suggestions.hint(for: id, in: catalog.ids)
                        ?? (catalog.ids.isEmpty
                            ? "no catalog was found (see --catalog)"
                            : "known species: \(catalog.ids.joined(separator: ", "))"))
            }
        }

        let system = buildSystem(doc, species: species)
        let solver = buildSolver(doc)
        let initial = buildInitial(doc)
        let evolution = buildEvolution(doc)
        var observables = buildObservables(doc, system: system)
        let optimize = buildOptimize(doc)
        if let o = optimize {
            let kind = o.maximize.observable
            // The maximized observable must be asked, and be one number per point.
            let at = doc["optimize"]?["maximize"]?.location ?? o.location
            if let r = observables.first(where: { $0.kind == kind }) {
                if (kind == .mutualInformation || kind == .discord) && r.pairs.count != 1 {
                    error(
                        "'\(o.maximize.rawValue)' is asked for \(r.pairs.count) pairs, so it is not one number to maximize", at: at,
                        hint: "ask it for exactly one pair, e.g. {\(kind.rawValue): {pairs: [[0, 1]]}}")
                }
            } else if doc["observables"] == nil {
                observables.append(ObservableRequest(kind: kind))
            } else {
                error(
                    "optimize maximizes '\(o.maximize.rawValue)', which is not among the observables", at: at,
                    hint: "add '\(kind.rawValue)' to observables")
            }
        }
        guard !failed, let system, let solver, let initial, let evolution else { return nil }
        return ExperimentSpec(
            name: name, description: description, species: species, system: system,
            initial: initial, evolution: evolution, observables: observables, solver: solver,
            optimize: optimize, sweep: nil)
    }

    private mutating func buildSystem(_ doc: YAMLNode, species: Species?) -> SystemSpec? {
        guard let latticeNode = doc.node(at: ["system", "lattice"]), let shapeName = latticeNode["shape"]?.scalar,
            ExperimentSchema.shapes.contains(shapeName)
        else { return nil }
        let sitesNode = latticeNode["sites"]
        var lattice: Lattice?
        func dims(_ k: Int) -> [Int]? {
            guard let sitesNode else { return nil }
            if let items = sitesNode.items { return items.count == k ? items.compactMap { Int($0.scalar ?? "") } : nil }
            return k == 1 ? integer(sitesNode).map { [$0] } : nil
        }
        func count(_ d: [Int]) -> Int? {
            var n = 1
            for x in d {
                let (p, o) = n.multipliedReportingOverflow(by: x)
                if o { return nil }
                n = p
            }
            return n
        }
        let expected: [String: (Int, String)] = [
            "chain": (1, "n"), "all-to-all": (1, "n"), "square": (2, "[nx, ny]"),
            "triangular": (2, "[nx, ny]"), "cubic": (3, "[nx, ny, nz]")
        ]
        if shapeName == "positions" {
            guard let pNode = latticeNode["positions"], let items = pNode.items else {
                error("shape 'positions' needs 'positions: [[x, y, z], ...]'", at: latticeNode.location)
                return nil
            }
            var ps: [SIMD3<Double>] = []
            for it in items {
                let xs = (it.items ?? []).compactMap { number($0) }
                guard xs.count == (it.items ?? []).count, xs.count >= 2 else { return nil }
                ps.append(SIMD3(xs[0], xs[1], xs.count > 2 ? xs[2] : 0))
            }
            if let s = sitesNode, let n = integer(s), n != ps.count {
                error(
                    "'sites' is \(n) but 'positions' lists \(ps.count) dipoles", at: s.location,
                    hint: "leave 'sites' out with explicit positions")
            }
            if let (i, j) = firstCoincidence(ps) {
                error(
                    "dipoles \(i) and \(j) sit at the same position", at: items[j].location,
                    hint: "positions must be distinct")
            }
            lattice = .positions(ps)
        } else if let (k, form) = expected[shapeName] {
            guard let sitesNode else {
                error("shape '\(shapeName)' needs 'sites: \(form)'", at: latticeNode.location)
                return nil
            }
            guard let d = dims(k) else {
                error("a \(shapeName) takes 'sites: \(form)', not \(sitesNode.kindDescription)", at: sitesNode.location)
                return nil
            }
            guard d.allSatisfy({ $0 >= 1 }) else { return nil }
            guard let n = count(d), n <= SpecBuilder.maximumDipoles else {
                error(
                    "\(d.map(String.init).joined(separator: " × ")) dipoles is more than any backend can hold (at most \(SpecBuilder.maximumDipoles))",
                    at: sitesNode.location)
                return nil
            }
            switch shapeName {
            case "chain": lattice = .chain(d[0])
            case "all-to-all": lattice = .allToAll(d[0])
            case "square": lattice = .square(d[0], d[1])
            case "triangular": lattice = .triangular(d[0], d[1])
            default: lattice = .cubic(d[0], d[1], d[2])
            }
            if let positions = latticeNode["positions"] {
                error("'positions' goes with shape 'positions' only", at: positions.location)
            }
        }
        guard let lattice else { return nil }

        // Spacing: given, or the species' typical value; irrelevant for all-to-all.
        var spacing = 1.0
        if case .allToAll = lattice {
            if let s = latticeNode["spacing"] {
                diagnostics.warning("an all-to-all ensemble has no geometry; 'spacing' is ignored", at: s.location)
            }
        } else if let sNode = latticeNode["spacing"] {
            guard let a = quantity(sNode, .length, what: "spacing") else { return nil }
            spacing = a
            // Uniform couplings do not depend on the positions: the regime warning would say nothing.
            if a >= 0.5 && doc.node(at: ["system", "couplings", "uniform"]) == nil {
                diagnostics.warning(
                    "spacing a/λ = \(fmt3(a)) ≥ 0.5: the array is not subwavelength, outside the regime the papers study",
                    at: sNode.location)
            }
        } else if let s = species?.spacing, let l = species?.wavelength {
            spacing = s / l
        } else {
            error(
                "missing 'spacing' in system.lattice", at: latticeNode.location,
                hint: "give a length such as '0.1 lambda' (or name a species with a typical spacing)")
            return nil
        }
        // The array's size in λ: distances and their powers must stay finite in the couplings.
        let extent: Double =
            switch lattice {
            case .allToAll: 0
            case .positions(let ps): spacing * (ps.map { max(abs($0.x), abs($0.y), abs($0.z)) }.max() ?? 0)
            case .chain(let n): spacing * Double(n)
            case .square(let x, let y), .triangular(let x, let y): spacing * Double(max(x, y))
            case .cubic(let x, let y, let z): spacing * Double(max(x, y, z))
            }
        if !(extent <= SpecBuilder.maximumExtent) {
            error(
                "the array spans \(extent.isFinite ? fmt3(extent) + " λ" : "more than can be represented"), more than the \(fmt3(SpecBuilder.maximumExtent)) λ the couplings can be computed over",
                at: (latticeNode["positions"] ?? latticeNode["spacing"] ?? latticeNode).location,
                hint: "positions are in units of the spacing; check the spacing, its unit and the coordinates")
            return nil
        }

        // Couplings.
        var couplings: CouplingModel = .dipolar(elastic: true)
        let cNode = doc.node(at: ["system", "couplings"])
        if let c = cNode {
            if c.scalar == "dipolar" {
                couplings = .dipolar(elastic: true)
            } else if let d = c["dipolar"] {
                couplings = .dipolar(elastic: d["elastic"]?.scalar.flatMap(ShapeChecker.boolean) ?? true)
            } else if let p = c["power-law"] {
                guard let alpha = number(p["alpha"]) else { return nil }
                let strength = quantity(
                    p["strength"] ?? Self.valueOrDefault(doc, ["system", "couplings", "power-law", "strength"]),
                    .rate, what: "strength")
                guard let strength else { return nil }
                couplings = .powerLaw(alpha: alpha, strength: strength)
            } else if let u = c["uniform"] {
                guard let feff = quantity(u["feff"], .rate, what: "feff") else { return nil }
                let geff = quantity(
                    u["geff"] ?? Self.valueOrDefault(doc, ["system", "couplings", "uniform", "geff"]),
                    .rate, what: "geff")
                guard let geff else { return nil }
                couplings = .uniform(feff: feff, geff: geff)
            } else {
                return nil
            }
        }
        if case .allToAll = lattice, !(couplings.name == "uniform") {
            error(
                "an all-to-all ensemble has no geometry, so \(couplings.name) couplings are undefined",
                at: cNode?.location ?? latticeNode.location,
                hint: "write couplings: {uniform: {feff: 15 Gamma}}")
        }

        // Polarization.
        var polarization = SIMD3<Double>(0, 0, 1)
        if let p = doc.node(at: ["system", "polarization"]) {
            if let a = p["angle"] {
                guard let t = quantity(a, .angle, what: "angle") else { return nil }
                polarization = SystemSpec.polarization(angle: t)
            } else if let v = p["vector"]?.items {
                let xs = v.compactMap { number($0) }
                guard xs.count == 3 else { return nil }
                let norm = (xs[0] * xs[0] + xs[1] * xs[1] + xs[2] * xs[2]).squareRoot()
                guard norm > 0 else {
                    error("the polarization vector must not be zero", at: p["vector"]?.location ?? p.location)
                    return nil
                }
                polarization = SIMD3(xs[0], xs[1], xs[2]) / norm
            }
        }

        // Detuning.
        var detuning: DetuningModel = .none
        if let d = doc.node(at: ["system", "detuning"]), d.scalar != "none" {
            if let u = d["uniform"] {
                guard let w = quantity(u["width"], .rate, what: "width") else { return nil }
                detuning = .uniform(width: w)
            } else if let l = d["lorentzian"] {
                guard let h = quantity(l["hwhm"], .rate, what: "hwhm") else { return nil }
                detuning = .lorentzian(hwhm: h)
            } else if let g = d["gaussian"] {
                guard let s = quantity(g["sigma"], .rate, what: "sigma") else { return nil }
                detuning = .gaussian(sigma: s)
            } else if let vNode = d["values"], let items = vNode.items {
                var vs: [Double] = []
                for it in items { guard let x = quantity(it, .rate, what: "detuning") else { return nil }; vs.append(x) }
                if vs.count != lattice.count {
                    error(
                        "'values' lists \(vs.count) detunings for \(lattice.count) dipoles", at: vNode.location,
                        hint: "give one detuning per dipole, in site order")
                    return nil
                }
                detuning = .values(vs)
            } else {
                return nil
            }
        }

        // Pump.
        guard let pNode = doc.node(at: ["system", "pump"]) else { return nil }
        var pump = 0.0
        var derivation: String?
        if let r = pNode["rate"] {
            guard let w = quantity(r, .rate, what: "pump rate") else { return nil }
            pump = w
        } else if let t = pNode["three-level"] {
            guard let omega = quantity(t["rabi"], .rate, what: "rabi", bounded: false) else { return nil }
            var gammaP: Double?
            if let dNode = t["decay"] {
                gammaP = quantity(dNode, .rate, what: "decay", bounded: false)
                if gammaP == nil { return nil }
            } else if let d = species?.pumpDecay, let g = gammaSI {
                gammaP = d / g
            } else {
                error("the three-level pump needs 'decay' (the species gives none)", at: t.location)
                return nil
            }
            guard let g = gammaP else { return nil }
            pump = omega * omega / g
            derivation = "W = Ω²/γ = (\(fmt3(omega)) Γ)² / \(fmt3(g)) Γ = \(fmt3(pump)) Γ"
            guard
                checkRate(
                    pump, "the pump rate W = Ω²/γ derived from the three-level pump", at: t["rabi"]?.location ?? t.location,
                    hint: "Ω = \(fmt3(omega)) Γ, γ = \(fmt3(g)) Γ; check the Rabi frequency and its unit")
            else { return nil }
            if omega > 0.3 * g {
                diagnostics.warning(
                    "three-level pump with Ω/γ = \(fmt3(omega / g)): W = Ω²/γ assumes Ω ≪ γ",
                    at: t["rabi"]?.location ?? t.location,
                    hint: "lower the Rabi frequency or use a faster-decaying intermediate level")
            }
        } else if let o = pNode["optical"] {
            guard let g = gammaSI else {
                error("an optical pump needs a species (its linewidth converts the photon flux to Γ)", at: o.location)
                return nil
            }
            guard let iText = o["intensity"]?.scalar, case .success(let iq) = Quantity.parse(iText),
                let intensity = iq.si(gammaSI: nil, lambdaSI: nil)
            else { return nil }
            var sigma = species?.pumpCrossSection
            if let cs = o["cross-section"]?.scalar, case .success(let q) = Quantity.parse(cs) { sigma = q.si(gammaSI: nil, lambdaSI: nil) }
            var lambdaP = species?.pumpWavelength ?? lambdaSI
            if let wl = o["wavelength"]?.scalar, case .success(let q) = Quantity.parse(wl) { lambdaP = q.si(gammaSI: nil, lambdaSI: lambdaSI) }
            guard let sigma else {
                error("the optical pump needs 'cross-section' (the species gives none)", at: o.location)
                return nil
            }
            guard let lp = lambdaP else { return nil }
            let h = 6.626_070_15e-34, c = 299_792_458.0
            let wSI = sigma * intensity / (h * c / lp)
            pump = wSI / g
            derivation = "W = σI/(hc/λ) = \(fmt3(wSI)) /s = \(fmt3(pump)) Γ"
            guard
                checkRate(
                    pump, "the pump rate W = σI/(hc/λ) derived from the optical pump", at: o["intensity"]?.location ?? o.location,
                    hint: "check the intensity, the cross-section and their units")
            else { return nil }
        } else {
            return nil
        }
        // Single-dipole decoherence (docs/physics.md §1.5): absent means 0.
        var local: [Double] = []
        for (key, what) in [("dephasing", "dephasing rate"), ("nonradiative-decay", "non-radiative decay rate")] {
            guard let r = doc.node(at: ["system", key, "rate"]) else { local.append(0); continue }
            guard let v = quantity(r, .rate, what: what), checkRate(v, "the \(what)", at: r.location) else { return nil }
            local.append(v)
        }
        return SystemSpec(
            lattice: lattice, spacing: spacing, couplings: couplings, polarization: polarization,
            detuning: detuning, pump: pump, pumpDerivation: derivation, dephasing: local[0], nonradiativeDecay: local[1])
    }

    /// The first pair of coinciding positions (to 1e-9 of the spacing), found by sorting.
    private func firstCoincidence(_ ps: [SIMD3<Double>]) -> (Int, Int)? {
        let order = ps.indices.sorted { (ps[$0].x, ps[$0].y, ps[$0].z, $0) < (ps[$1].x, ps[$1].y, ps[$1].z, $1) }
        for k in order.indices.dropFirst() {
            let a = order[k - 1], b = order[k]
            let d = ps[a] - ps[b]
            if (d * d).sum() < 1e-18 { return (min(a, b), max(a, b)) }
        }
        return nil
    }

    private mutating func buildSolver(_ doc: YAMLNode) -> SolverSpec? {
        let s = doc["solver"]
        let backendNode = s?["backend"]
        let backend = backendNode?.scalar.flatMap(BackendKind.init(rawValue:))
        guard let seed = Self.valueOrDefault(doc, ["solver", "seed"]).flatMap({ UInt64($0.scalar ?? "") }),
            let tol = number(Self.valueOrDefault(doc, ["solver", "tolerance"]))
        else { return nil }
        var threads: Int?
        if let t = s?["threads"]?.scalar, t != "auto" { threads = Int(t) }
        var memory: Int?
        if let m = s?["memory"]?.scalar {
            let parts = m.replacingOccurrences(of: " ", with: "")
            let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("GB", 1e9), ("MB", 1e6)]
            for (u, f) in units where parts.hasSuffix(u) {
                if let x = Double(parts.dropLast(u.count)), x * f < 1e18 { memory = Int(x * f) }
                break
            }
        }
        // solver.trajectories: every value given or the schema's default.
        let t = s?["trajectories"]
        func trajectoryTime(_ key: String) -> Double? {
            quantity(Self.valueOrDefault(doc, ["solver", "trajectories", key]), .time, what: key)
        }
        guard let count = integer(Self.valueOrDefault(doc, ["solver", "trajectories", "count"])),
            let burnIn = trajectoryTime("burn-in"), let average = trajectoryTime("average"),
            let sampleInterval = trajectoryTime("sample-interval")
        else { return nil }
        let j = TrajectorySettings(trajectories: count, burnIn: burnIn, average: average, sampleInterval: sampleInterval)
        var solver = SolverSpec(
            backend: backend, seed: seed, tolerance: tol, threads: threads, memoryBudget: memory,
            backendLocation: backendNode?.location, trajectories: j)
        solver.exactMethod = s?["exact-method"]?.scalar.flatMap(ExactMethodChoice.init(rawValue:)) ?? .auto
        solver.couplings = s?["couplings"]?.scalar.flatMap(CouplingRepresentationChoice.init(rawValue:)) ?? .auto
        solver.diffusionScheme = s?["diffusion-scheme"]?.scalar.flatMap(DiffusionScheme.init(rawValue:)) ?? .milstein
        if let t {
            if j.sampleInterval > j.average {
                diagnostics.error(
                    "sample-interval (\(String(format: "%g", j.sampleInterval)) /Gamma) is longer than the averaging time (\(String(format: "%g", j.average)) /Gamma)",
                    at: (t["sample-interval"] ?? t).location,
                    hint: "take at least one sample per averaging window, e.g. sample-interval: 0.1 /Gamma")
                return nil
            }
            if j.average / j.sampleInterval > 1e6 {
                diagnostics.error(
                    "\(Int(j.average / j.sampleInterval)) samples per trajectory is more than 10⁶",
                    at: (t["sample-interval"] ?? t).location, hint: "use a longer sample-interval")
                return nil
            }
            solver.trajectoriesGiven = true
        }
        return solver
    }

    private mutating func buildInitial(_ doc: YAMLNode) -> InitialState? {
        guard let n = doc["initial"] else { return .ground }
        if n.scalar == "ground" { return .ground }
        if n.scalar == "excited" { return .excited }
        guard let p = n["product"], let polar = quantity(p["polar"], .angle, what: "polar") else { return nil }
        if let a = p["azimuth"], a.scalar == "random" { return .product(polar: polar, azimuth: nil) }
        let az = p["azimuth"] == nil ? 0 : quantity(p["azimuth"], .angle, what: "azimuth")
        guard let az else { return nil }
        return .product(polar: polar, azimuth: az)
    }

    private mutating func buildEvolution(_ doc: YAMLNode) -> Evolution? {
        guard let n = doc["evolve"], n.scalar != "steady-state" else { return .steadyState }
        guard let t = quantity(n["until"], .time, what: "until") else { return nil }
        guard let samples = integer(n["samples"] ?? Self.valueOrDefault(doc, ["evolve", "samples"])) else { return nil }
        return .until(time: t, samples: samples)
    }

    private mutating func buildObservables(_ doc: YAMLNode, system: SystemSpec?) -> [ObservableRequest] {
        guard let list = SpecBuilder.valueOrDefault(doc, ["observables"])?.items else { return [] }
        var out: [ObservableRequest] = []
        let n = system?.count ?? Int.max
        for item in list {
            var name: String?
            var options: YAMLNode?
            if let s = item.scalar {
                name = s
            } else if let e = item.entries?.first, item.entries?.count == 1 {
                name = e.key; options = e.value
            }
            guard let name, let kind = ObservableKind(rawValue: name) else { continue }
            if out.contains(where: { $0.kind == kind }) {
                diagnostics.warning("observable '\(name)' is listed twice; the first one counts", at: item.location)
                continue
            }
            var r = ObservableRequest(kind: kind)
            if let o = options {
                if let sizes = o["sizes"]?.items {
                    r.clusterSizes = sizes.compactMap { integer($0) }
                    if let lattice = system?.lattice {
                        for (k, d) in r.clusterSizes.enumerated() where lattice.cluster(size: d) == nil {
                            let (nx, _, _) = lattice.extent
                            let cx = lattice.centralIndex % max(nx, 1)
                            diagnostics.error(
                                "a cluster of \(d) dipoles from the central dipole does not fit in a row of \(nx) (at most \(nx - cx))",
                                at: sizes[k].location)
                            failed = true
                        }
                    }
                }
                if let ps = o["pairs"]?.items {
                    var pairs: [DipolePair] = []
                    for p in ps {
                        let ab = (p.items ?? []).compactMap { integer($0) }
                        guard ab.count == 2 else { continue }
                        if ab[0] == ab[1] {
                            diagnostics.error("a pair needs two different dipoles, not [\(ab[0]), \(ab[1])]", at: p.location)
                            failed = true
                        } else if ab.contains(where: { $0 >= n }) {
                            diagnostics.error(
                                "dipole index \(ab.max()!) is out of range: there are \(n) dipoles (0…\(n - 1))",
                                at: p.location)
                            failed = true
                        }
                        pairs.append(DipolePair(ab[0], ab[1]))
                    }
                    r.pairs = pairs
                }
            }
            // Options given, or the schema's defaults for this observable.
            func option(_ key: String) -> YAMLNode? { options?[key] ?? Self.observableDefault(kind, key) }
            if let t = option("tau-max"), let v = quantity(t, .time, what: "tau-max") { r.tauMax = v }
            if let p = integer(option("tau-points")) { r.tauPoints = p }
            if let t = integer(option("trajectories")) { r.trajectories = t }
            if let u = option("until"), let v = quantity(u, .time, what: "until") { r.trajectoryTime = v }
            if kind == .clusterZQ && r.clusterSizes.isEmpty {
                r.clusterSizes = [2]
            }
            if [.mutualInformation, .discord, .twoTime].contains(kind), n < 2 {
                diagnostics.error("'\(name)' needs at least two dipoles", at: item.location)
                failed = true
            }
            out.append(r)
        }
        return out
    }

    private mutating func buildOptimize(_ doc: YAMLNode) -> OptimizeSpec? {
        guard let o = doc["optimize"], let maximize = o["maximize"]?.scalar.flatMap(OptimizeTarget.init(rawValue:)), let overNode = o["over"],
            let over = overNode.scalar, let withinNode = o["within"], let within = withinNode.items, within.count == 2
        else { return nil }
        let withinLocation = withinNode.location
        guard let target = SweepPaths.target(over, at: overNode.location, diagnostics: diagnostics) else {
            failed = true
            return nil
        }
        var bounds: [Double] = []
        for w in within {
            guard
                let v = SweepPaths.value(
                    w, family: target.family, gammaSI: gammaSI, lambdaSI: lambdaSI,
                    diagnostics: diagnostics, path: over)
            else { failed = true; return nil }
            bounds.append(v)
        }
        if bounds[0] >= bounds[1] {
            error("'within' must be [low, high] with low < high", at: withinLocation)
            return nil
        }
        if !(bounds[1] - bounds[0]).isFinite {
            error("'within' is wider than can be represented", at: withinLocation, hint: "give a bracket that contains the optimum")
            return nil
        }
        if target.isInteger && bounds.contains(where: { !(abs($0) < 1e9) }) {
            error("'\(over)' takes whole numbers below 10⁹", at: withinLocation)
            return nil
        }
        guard let tolerance = number(o["tolerance"] ?? Self.valueOrDefault(doc, ["optimize", "tolerance"])) else { return nil }
        let scanNode = o["scan"]
        guard let scan = (scanNode ?? Self.valueOrDefault(doc, ["optimize", "scan"]))?.scalar.flatMap(OptimizeScan.init(rawValue:)) else {
            return nil
        }
        if scan == .log && bounds[0] <= 0 {
            error(
                "a log scan needs a bracket above zero (got [\(fmt3(bounds[0])), \(fmt3(bounds[1]))])", at: scanNode?.location ?? withinLocation,
                hint: "start the bracket at a small positive value, or use 'scan: linear'")
            return nil
        }
        return OptimizeSpec(
            maximize: maximize, over: over, low: bounds[0], high: bounds[1],
            tolerance: tolerance, scan: scan, location: o.location)
    }
}

func fmt3(_ x: Double) -> String {
    if x == 0 { return "0" }
    if abs(x) >= 1e-3 && abs(x) < 1e5 { return String(format: "%.4g", x) }
    return String(format: "%.3e", x)
}
