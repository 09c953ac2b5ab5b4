import Foundation
import LinearAlgebra
import Physics
import Results
import SpecLanguage
import StandardBackends

/// Compiles a checked spec into the plan graph and chooses a backend for every point.
///
/// Preference, when several backends can represent a point and deliver its observables within the
/// memory budget: permutation-symmetric (exact and cheapest, for uniform models) → exact (small N) →
/// cumulant (up to a few thousand dipoles) → mean-field. A forced `solver.backend` is honoured or
/// refused with the reason. Observables only one backend has (`Z`, `phases`: mean-field;
/// `qfi-conditional`: exact trajectories) decide by themselves. What each backend computes, can
/// represent and costs, it learns from the backend's own description (`DescribedBackend`).
public struct Planner {
    public var thresholds: PlannerThresholds
    /// The backends to choose from, in the order of `BackendKind.allCases` (preference).
    public var backends: [any DescribedBackend]
    /// The free space where the bundle will be written; when set, a plan whose files would not fit
    /// (`ArtifactEstimate`) is refused. nil: not checked (`validate`, `rerun`, tests that do not ask).
    public var disk: DiskSpace?
    public init(thresholds: PlannerThresholds = .standard, backends: [any DescribedBackend] = StandardBackends.all) {
        self.thresholds = thresholds
        self.backends = BackendKind.allCases.compactMap { k in backends.first { $0.kind == k } }
    }

    /// The machine's active cores, read once (reading them parses cgroup files: a system call or
    /// three per point of a large sweep otherwise).
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    public struct Outcome {
        public var plan: ExecutionPlan?
        public var diagnostics: [Diagnostic]
    }

    public func plan(_ compiled: CompiledSpec) -> Outcome {
        let engine = DiagnosticEngine(file: compiled.source.path)
        let doc = compiled.document
        let couplingsLocation =
            doc.node(at: ["system", "couplings"])?.location
            ?? doc.node(at: ["system"])?.location ?? .start
        var nodes: [PlanNode] = []
        var nodeIndex: [String: Int] = [:]
        /// Nodes made so far in each stage (a node's id is its stage and its number within the stage).
        var stageCounts: [Stage: Int] = [:]
        func node(_ stage: Stage, key: String, label: String, inputs: [String], point: Int) -> String {
            if let i = nodeIndex[stage.rawValue + "|" + key] {
                nodes[i].points.append(point)
                return nodes[i].id
            }
            let number = stageCounts[stage, default: 0]
            stageCounts[stage] = number + 1
            let id = "\(stage.rawValue)-\(number)"
            nodeIndex[stage.rawValue + "|" + key] = nodes.count
            nodes.append(PlanNode(id: id, stage: stage, label: label, inputs: inputs, points: [point]))
            return id
        }

        var points: [PointPlan] = []
        var checkedRates = Set<String>()
        var warnedLightCone = false
        let budgetDefault = thresholds.defaultMemoryBudget
        var solveIDs: [String] = []
        for p in compiled.points {
            let s = p.spec
            let sys = s.system
            let geoKey = "\(sys.lattice)|\(sys.spacing)"
            let geo = node(.geometry, key: geoKey, label: Self.geometryLabel(sys), inputs: [], point: p.index)
            let cKey = geoKey + "|\(sys.couplings)|\(sys.polarization)"
            let cpl = node(.couplings, key: cKey, label: Self.couplingsLabel(sys), inputs: [geo], point: p.index)
            let mKey = cKey + "|\(sys.detuning)|\(sys.pump)|\(s.solver.seed)" + ModelBuilder.decoherenceKey(sys)
            let mdl = node(.model, key: mKey, label: Self.modelLabel(sys), inputs: [cpl], point: p.index)

            // The master equation must be of Lindblad form (docs/physics.md §2.5).
            if checkedRates.insert(cKey + ModelBuilder.decoherenceKey(sys)).inserted, let lam = ModelBuilder.smallestRateEigenvalue(sys) {
                if lam < -PlannerThresholds.rateMatrixTolerance {
                    engine.error(
                        "the rate matrix f is not positive semidefinite (smallest eigenvalue \(String(format: "%.4g", lam)) Γ): the master equation is not of Lindblad form",
                        at: couplingsLocation,
                        hint: Self.psdHint(sys))
                }
            }

            let budget = s.solver.memoryBudget ?? budgetDefault
            var choice = choose(s, budget: budget, engine: engine, doc: doc)
            if let o = s.optimize, let c = choice,
                !checkBracket(
                    o, of: p, in: compiled, backend: c.backend, budget: budget,
                    checkedRates: &checkedRates, engine: engine)
            {
                choice = nil
            }
            if !warnedLightCone, choice?.backend == .meanField, let w = Self.lightConeWarning(s) {
                warnedLightCone = true
                engine.warning(w.message, at: doc.node(at: ["system", "lattice"])?.location ?? doc.location, hint: w.hint)
            }
            let label = choice.map { "\($0.backend.rawValue)" } ?? "none"
            let solve = node(
                .solve, key: "\(p.index)", label: label + (s.optimize.map { " · maximize \($0.maximize.rawValue) over \($0.over)" } ?? ""),
                inputs: [mdl], point: p.index)
            solveIDs.append(solve)
            _ = node(
                .observables, key: "\(p.index)", label: s.observables.map(\.kind.rawValue).joined(separator: ", "),
                inputs: [solve], point: p.index)
            if var c = choice {
                if let o = s.optimize { c.estimate = c.estimate.repeated(solves: Self.optimizeSolves(o)) }
                var params: [String: Double] = [:]
                for (k, v) in p.parameters { params[k] = v }
                let method = c.method
                let pointOutline = outline(s, budget: budget), chosen = description(c.backend)
                let representation = chosen?.couplingRepresentation(for: pointOutline, method: method?.method, thresholds: thresholds)
                let symmetry = chosen?.stateSymmetry(for: pointOutline, couplings: representation, thresholds: thresholds)
                let couplingReason = (representation.map(Self.couplingsReason) ?? "") + (symmetry.map(Self.symmetryReason) ?? "")
                points.append(
                    PointPlan(
                        index: p.index, parameters: params, parameterOrder: p.parameters.map(\.path),
                        backend: c.backend, method: method?.method, couplings: representation, symmetry: symmetry,
                        solverRevision: chosen?.solverRevision(for: pointOutline),
                        reason: c.reason + (method.map { "; \($0.reason)" } ?? "") + couplingReason, ruledOut: c.ruledOut,
                        estimate: c.estimate, dipoles: sys.count, solveNode: solve))
            }
        }
        let observableIDs = nodes.filter { $0.stage == .observables }.map(\.id)
        nodes.append(
            PlanNode(
                id: "artifacts-0", stage: .artifacts,
                label: "results.json, tables, pictures", inputs: observableIDs,
                points: compiled.points.map(\.index)))
        if !engine.hasErrors, let disk {
            let backendOf = Dictionary(points.map { ($0.index, $0.backend) }, uniquingKeysWith: { a, _ in a })
            checkDisk(compiled, disk: disk, engine: engine) { backendOf[$0].flatMap(self.description)?.factoredTables ?? [] }
        }
        if !engine.hasErrors {
            for w in Self.costWarnings(points, machineMemory: Int(clamping: ProcessInfo.processInfo.physicalMemory)) {
                let at =
                    w.memory
                    ? (doc.node(at: ["solver", "memory"]) ?? doc.node(at: ["system", "lattice"]))?.location
                    : doc["sweep"]?.location
                engine.warning(w.message, at: at ?? doc.location, hint: w.hint)
            }
        }
        let diags = engine.sorted
        if engine.hasErrors { return Outcome(plan: nil, diagnostics: diags) }
        let o = compiled.base.optimize.map {
            "maximize \($0.maximize.rawValue) over \($0.over) in [\(Self.num($0.low)), \(Self.num($0.high))]"
        }
        let plan = ExecutionPlan(
            name: compiled.base.name, nodes: nodes, points: points, thresholds: thresholds,
            memoryBudget: compiled.base.solver.memoryBudget ?? budgetDefault, optimize: o)
        return Outcome(plan: plan, diagnostics: diags)
    }

    /// Refuses a plan whose bundle would not fit in `disk`'s free space (docs/spec-language.md §11.3):
    /// the error stands at the observable whose table is largest (else at `evolve` or the top).
    func checkDisk(
        _ compiled: CompiledSpec, disk: DiskSpace, engine: DiagnosticEngine, factored: (Int) -> Set<ObservableKind> = { _ in [] }
    ) {
        let (total, largest) = ArtifactEstimate.total(compiled, factored: factored)
        guard total > Double(disk.freeBytes) else { return }
        let doc = compiled.document
        let bytes = { (x: Double) in ByteCount(x < 9e18 ? Int(x) : Int.max).description }
        var message = "the bundle needs ≈ \(bytes(total)) on disk, more than the \(bytes(Double(disk.freeBytes))) free in \(disk.folder)"
        var at = doc.location
        var hint = "write it to a larger disk (run --out DIR) or ask for fewer points"
        if let l = largest {
            let rows = l.observable == .correlations ? "N² = \(Self.num(pow(Double(compiled.base.system.count), 2))) pairs" : nil
            message += " (largest: \(l.artifact) ≈ \(bytes(l.bytes))\(rows.map { ", \($0)" } ?? ""))"
            if let k = l.observable {
                at =
                    doc["observables"]?.items?.first { $0.scalar == k.rawValue || $0.entries?.first?.key == k.rawValue }?.location
                    ?? doc["observables"]?.location ?? at
                hint =
                    k == .correlations
                    ? "drop 'correlations' (in mean field they are β_a* β_b, which the 'phases' table gives: docs/physics.md §4.1), use fewer dipoles, or write to a larger disk (run --out DIR)"
                    : "drop '\(k.rawValue)', use fewer dipoles, or write to a larger disk (run --out DIR)"
            } else {
                at = doc["evolve"]?.location ?? at
                hint = "record fewer samples, or write to a larger disk (run --out DIR)"
            }
        }
        engine.error(message, at: at, hint: hint)
    }

    /// Estimated work from which `plan` and `validate` warn (the estimates are rough; an hour
    /// is long enough to deserve a look before starting).
    public static let longWorkSeconds = 3600.0

    /// Warnings about the plan's cost: hours of estimated work in all, or a point whose memory
    /// estimate exceeds the machine's memory (possible when `solver.memory` is set above it).
    /// A planar or cubic dipolar lattice below λ/2 and at least a wavelength across in two directions
    /// has collective modes at the light cone brighter than the uniform one: mean field's globally
    /// synchronized state is unstable there (docs/physics.md §4.7), the dynamics need not settle, and
    /// the steady-state check can pass a slowly drifting state. Nil for every other system.
    public static func lightConeWarning(_ s: ExperimentSpec) -> (message: String, hint: String)? {
        let sys = s.system
        guard case .dipolar = sys.couplings, s.evolution == .steadyState, sys.spacing < 0.5 else { return nil }
        let (x, y, z) = sys.lattice.extent
        let shape: String
        switch sys.lattice {
        case .square: shape = "square"
        case .triangular: shape = "triangular"
        case .cubic: shape = "cubic"
        default: return nil
        }
        let wide = [x, y, z].filter { Double($0 - 1) * sys.spacing >= 1 }.count
        guard wide >= 2 else { return nil }
        return (
            "a dipolar \(shape) lattice below λ/2 and wider than λ has collective modes at the light cone brighter than the uniform one: mean field has no globally synchronized state here and its dynamics may not settle (docs/physics.md §4.7)",
            "look at the dynamics with evolve: {until: T, samples: n}; at the lattice resonance a = λ a square lattice synchronizes"
        )
    }

    public static func costWarnings(_ points: [PointPlan], machineMemory: Int) -> [(message: String, hint: String?, memory: Bool)] {
        var out: [(String, String?, Bool)] = []
        let total = points.reduce(0.0) { $0 + $1.estimate.seconds }
        if total >= longWorkSeconds {
            out.append(
                (
                    "the plan estimates ~\(CostEstimate.duration(total)) of work (\(points.count) point\(points.count == 1 ? "" : "s"))",
                    "run it on a cluster (dipolesync submit --slurm) or sweep fewer points", false
                ))
        }
        if let peak = points.map(\.estimate.memoryBytes).max(), peak > machineMemory {
            out.append(
                (
                    "a point needs ≈ \(ByteCount(peak)), more than this machine's \(ByteCount(machineMemory)) of memory",
                    "lower solver.memory, or run on a larger machine", true
                ))
        }
        return out
    }

    struct Choice {
        var backend: BackendKind
        var reason: String
        var ruledOut: [String: String]
        var estimate: CostEstimate
        /// The backend's method for the point, when it has several, and why.
        var method: (method: PointMethod, reason: String)?
    }

    /// The description of `kind` among this planner's backends.
    func description(_ kind: BackendKind) -> (any DescribedBackend)? { backends.first { $0.kind == kind } }

    /// What the backends are told of a point.
    func outline(_ spec: ExperimentSpec, budget: Int) -> PointOutline {
        PointOutline(spec, thresholds: thresholds, budget: budget, cores: Self.cores)
    }

    /// Whether `backend` can solve `spec`, with its cost, or the reason it cannot: the backend's own
    /// assessment, then the observables it lacks, then the memory budget.
    public func assess(_ backend: BackendKind, _ spec: ExperimentSpec, budget: Int) -> (ok: Bool, reason: String, estimate: CostEstimate) {
        assess(backend, outline(spec, budget: budget))
    }

    func assess(_ backend: BackendKind, _ outline: PointOutline) -> (ok: Bool, reason: String, estimate: CostEstimate) {
        let budget = outline.memoryBudget
        guard let b = description(backend) else {
            return (false, "the \(backend.rawValue) backend is not available in this build", CostEstimate(memoryBytes: 0, flops: 0))
        }
        let a = b.assess(outline, thresholds: thresholds)
        if let refusal = a.refusal { return (false, refusal, a.estimate) }
        if let forced = outline.couplingChoice.forced, forced != .dense,
            b.couplingRepresentation(for: outline, method: b.method(for: outline, thresholds: thresholds)?.method, thresholds: thresholds)
                != forced
        {
            let why: String
            switch forced {
            case .lattice where outline.latticeExtents == nil:
                why = "solver.couplings: lattice needs translation-invariant couplings (dipolar or power-law on a chain, square or cubic lattice)"
            case .uniform where outline.uniformCouplings == nil:
                why = "solver.couplings: uniform needs all-to-all couplings (couplings: uniform, a power law with alpha 0, or pairs found equal)"
            default:
                why =
                    "it does not hold the couplings as \(forced == .lattice ? "a lattice" : "f_eff and g_eff") (solver.couplings: \(forced.rawValue))"
            }
            return (false, why, a.estimate)
        }
        if let refusal = b.unsupportedDecoherence(outline.decoherence) { return (false, refusal, a.estimate) }
        let missing = outline.kinds.subtracting(b.observables)
        if !missing.isEmpty {
            return (false, "it does not compute \(missing.map(\.rawValue).sorted().joined(separator: ", "))", a.estimate)
        }
        if a.estimate.memoryBytes > budget {
            return (false, "it needs ≈ \(ByteCount(a.estimate.memoryBytes)), over the memory budget of \(ByteCount(budget))", a.estimate)
        }
        return (true, "", a.estimate)
    }

    func choose(_ spec: ExperimentSpec, budget: Int, engine: DiagnosticEngine, doc: YAMLNode) -> Choice? {
        var verdicts: [BackendKind: (ok: Bool, reason: String, estimate: CostEstimate)] = [:]
        let point = outline(spec, budget: budget)
        for b in BackendKind.allCases { verdicts[b] = assess(b, point) }
        let n = spec.system.count
        if let forced = spec.solver.backend, let v = verdicts[forced] {
            if !v.ok {
                engine.error(
                    "backend '\(forced.rawValue)' cannot solve this spec: \(v.reason)",
                    at: spec.solver.backendLocation ?? .start,
                    hint: BackendKind.allCases.first { verdicts[$0]?.ok == true }.map { "'\($0.rawValue)' can; or use 'auto'" })
                return nil
            }
            var ruled: [String: String] = [:]
            for b in BackendKind.allCases where b != forced { ruled[b.rawValue] = "not chosen: solver.backend forces \(forced.rawValue)" }
            return Choice(
                backend: forced, reason: "forced by solver.backend", ruledOut: ruled, estimate: v.estimate,
                method: description(forced)?.method(for: point, thresholds: thresholds))
        }
        guard let best = BackendKind.allCases.first(where: { verdicts[$0]?.ok == true }), let bestVerdict = verdicts[best] else {
            // A decoherence term no backend of this build models: say so at the term.
            if let term = point.decoherence.sorted(by: { $0.rawValue < $1.rawValue }).first(where: { t in
                !backends.contains { $0.decoherence.contains(t) }
            }) {
                engine.error(
                    "no backend of this build models single-dipole \(term.rawValue) (docs/physics.md §1.5)",
                    at: doc["system"]?[term.rawValue]?.location ?? doc.location,
                    hint: "remove 'system.\(term.rawValue)' or set its rate to 0 Gamma")
                return nil
            }
            // Say which observable is the obstacle, at its place in the list.
            let kinds = spec.observables.map(\.kind)
            let blocking = kinds.first { k in
                !backends.contains { b in
                    b.observables.contains(k) && assess(b.kind, PointOutline(copying: point, observables: [ObservableRequest(kind: k)])).ok
                }
            }
            let loc =
                blocking.flatMap { k in
                    doc["observables"]?.items?.first { $0.scalar == k.rawValue || $0.entries?.first?.key == k.rawValue }?.location
                } ?? doc["observables"]?.location ?? doc.location
            let detail = BackendKind.allCases.map { "\($0.rawValue): \(verdicts[$0]?.reason ?? "")" }.joined(separator: "; ")
            if let k = blocking {
                engine.error("no backend can deliver '\(k.rawValue)' at N = \(n)", at: loc, hint: detail)
            } else {
                engine.error("no single backend can deliver all these observables at N = \(n)", at: loc, hint: detail)
            }
            return nil
        }
        var ruled: [String: String] = [:]
        for b in BackendKind.allCases where b != best {
            ruled[b.rawValue] = verdicts[b]?.ok == true ? "valid, but \(best.rawValue) is preferred" : verdicts[b]?.reason ?? ""
        }
        let reason = description(best)?.preferenceReason(point) ?? ""
        let method = description(best)?.method(for: point, thresholds: thresholds)
        return Choice(backend: best, reason: reason, ruledOut: ruled, estimate: bestVerdict.estimate, method: method)
    }

    /// Whether every value `optimize` may try at `point` makes a valid spec that the point's backend
    /// solves: the spec at both ends of the bracket must build (an integer such as the number of sites
    /// must stay in range), keep the rate matrix positive semidefinite and stay within the backend's
    /// reach. The search only tries values inside the bracket, and these properties change
    /// monotonically with the size and the rates, so the ends decide. Errors are reported at `within`.
    /// `checkedRates` holds the couplings whose rate matrix is known to be checked (a pump-rate
    /// bracket leaves the couplings alone, so a large model's eigenvalues are not computed again).
    func checkBracket(
        _ o: OptimizeSpec, of point: SpecPoint, in compiled: CompiledSpec, backend: BackendKind,
        budget: Int, checkedRates: inout Set<String>, engine: DiagnosticEngine
    ) -> Bool {
        let at = compiled.document.node(at: ["optimize", "within"])?.location ?? o.location
        for x in [o.low, o.high] {
            let probe = DiagnosticEngine(file: compiled.source.path)
            let shown = o.over == "system.lattice.sites" && abs(x) < 1e15 ? String(Int(x.rounded())) : Self.num(x)
            let setting = "\(o.over) = \(shown)"
            guard let s = compiled.spec(for: point, setting: o.over, to: x, diagnostics: probe) else {
                let why = probe.diagnostics.first { $0.severity == .error }?.message ?? "the spec is not valid there"
                engine.error(
                    "optimize cannot try \(setting), an end of its bracket: \(why)", at: at,
                    hint: "narrow 'within' to values the spec allows")
                return false
            }
            let sys = s.system
            let cKey = "\(sys.lattice)|\(sys.spacing)|\(sys.couplings)|\(sys.polarization)" + ModelBuilder.decoherenceKey(sys)
            if checkedRates.insert(cKey).inserted, let lam = ModelBuilder.smallestRateEigenvalue(sys),
                lam < -PlannerThresholds.rateMatrixTolerance
            {
                engine.error(
                    "at \(setting), an end of the optimize bracket, the rate matrix f is not positive semidefinite (smallest eigenvalue \(Self.num(lam)) Γ)",
                    at: at, hint: Self.psdHint(s.system))
                return false
            }
            let v = assess(backend, s, budget: budget)
            if !v.ok {
                engine.error(
                    "at \(setting), an end of the optimize bracket, the \(backend.rawValue) backend chosen for this point cannot solve the spec: \(v.reason)",
                    at: at, hint: "narrow 'within'")
                return false
            }
        }
        return true
    }

    /// Solves of one `optimize` search (docs/spec-language.md §8): the coarse scan of 6 points, then
    /// Brent's method in the two scan cells around the best sample (width 0.4 of the bracket, or the
    /// top two cells of a log scan, the widest against their ends) down to the tolerance. Parabolic
    /// steps converge faster than golden section's (×0.618 a step), so the golden-section count of
    /// steps is a bound, capped at 7: measured on smooth peaks, 5–7 steps after the scan
    /// (Tests/ExecutionTests/ExecutorTests.swift; fig5a 12-dipole optima: docs/physics.md §8.1).
    static func optimizeSolves(_ o: OptimizeSpec) -> Int {
        let scan = OptimizeSearch.scanPoints
        let samples = OptimizeSearch.samples(low: o.low, high: o.high, spacing: o.scan)
        let width = o.scan == .log ? o.high - samples[scan - 3] : 0.4 * abs(o.high - o.low)
        let target = max(o.tolerance * max(abs(o.low), abs(o.high)), 1e-12)
        let ratio = log(width / target) / log(1.618_034)
        let steps = width > target ? (ratio.isFinite ? Int(min(ratio.rounded(.up), 7)) : 7) : 0
        return scan + steps
    }

    static func psdHint(_ s: SystemSpec) -> String {
        if case .uniform(let feff, _) = s.couplings {
            if s.nonradiativeDecay != 0 {
                return "the uniform model needs f_eff ≤ N(Γ + γ_nr) = \(num(Double(s.count) * (1 + s.nonradiativeDecay))) Γ (got \(num(feff)) Γ)"
            }
            return "the uniform model needs f_eff ≤ NΓ = \(s.count) Γ (got \(num(feff)) Γ)"
        }
        return "lower the coupling strength or increase the spacing"
    }

    static func num(_ x: Double) -> String { String(format: "%.4g", x) }

    static func geometryLabel(_ s: SystemSpec) -> String {
        switch s.lattice {
        case .chain(let n): return "chain of \(n), a = \(num(s.spacing)) λ"
        case .square(let x, let y): return "square \(x)×\(y), a = \(num(s.spacing)) λ"
        case .triangular(let x, let y): return "triangular \(x)×\(y), a = \(num(s.spacing)) λ"
        case .cubic(let x, let y, let z): return "cubic \(x)×\(y)×\(z), a = \(num(s.spacing)) λ"
        case .positions(let p): return "\(p.count) positions, a = \(num(s.spacing)) λ"
        case .allToAll(let n): return "all-to-all, N = \(n)"
        }
    }

    /// What a point's reason adds for a matrix-free coupling representation (docs/physics.md §2.6).
    static func couplingsReason(_ representation: CouplingRepresentation) -> String {
        switch representation {
        case .dense: return ""
        case .uniform: return "; couplings: uniform (all-to-all: f_eff and g_eff, O(N) sums, no N×N matrix)"
        case .lattice: return "; couplings: lattice (translation-invariant: spectra of the circulant embeddings, FFT products, O(N) memory)"
        }
    }

    static func symmetryReason(_ symmetry: StateSymmetry) -> String {
        switch symmetry {
        case .reflection:
            return "; state: reflection-symmetric (one member of each orbit of the lattice's point reflection stored, about half the memory)"
        }
    }

    static func couplingsLabel(_ s: SystemSpec) -> String {
        switch s.couplings {
        case .dipolar(let e):
            return "dipolar\(e ? "" : ", no elastic part"), d̂ = (\(num(s.polarization.x)), \(num(s.polarization.y)), \(num(s.polarization.z)))"
        case .powerLaw(let a, let st): return "power law α = \(num(a)), A = \(num(st)) Γ"
        case .uniform(let f, let g): return "uniform f_eff = \(num(f)) Γ, g_eff = \(num(g)) Γ"
        }
    }

    static func modelLabel(_ s: SystemSpec) -> String {
        "W = \(num(s.pump)) Γ, detuning \(s.detuning.name)"
            + (s.dephasing != 0 ? ", γ_φ = \(num(s.dephasing)) Γ" : "") + (s.nonradiativeDecay != 0 ? ", γ_nr = \(num(s.nonradiativeDecay)) Γ" : "")
    }
}

extension PointOutline {
    /// A copy with other observables (to ask which observable blocks every backend).
    init(copying o: PointOutline, observables: [ObservableRequest]) {
        self = o
        self.observables = observables
    }
}

/// The shape of the `optimize` search (docs/spec-language.md §8), shared by the search itself
/// (`Optimizer`, Execution) and its cost estimate (`Planner.optimizeSolves`).
public enum OptimizeSearch {
    /// Points of the coarse scan, ends included (cells of 1/5 of the bracket, or of its log).
    public static let scanPoints = 6

    /// The coarse scan's samples of [low, high]: equally spaced (low + (high − low)·i/5, the
    /// arithmetic of every bundle before `scan` existed), or in equal ratios (high/low)^{1/5} for
    /// `.log` (low > 0, which validation ensures), its ends exactly low and high.
    public static func samples(low: Double, high: Double, spacing: OptimizeScan) -> [Double] {
        let n = scanPoints
        return (0..<n).map { i in
            guard spacing == .log else { return low + (high - low) * Double(i) / Double(n - 1) }
            return i == 0 ? low : i == n - 1 ? high : low * pow(high / low, Double(i) / Double(n - 1))
        }
    }
}
