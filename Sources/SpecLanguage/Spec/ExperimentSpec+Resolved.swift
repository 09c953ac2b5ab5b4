import Foundation
import Physics
import Results

/// `resolved.json`: the spec with every default filled in, units converted to canonical ones and the
/// sweep expanded. Its canonical form names the bundle (docs/spec-language.md §11.3: ID = SHA-256 prefix).
extension CompiledSpec {
    public func resolved() -> ResultValue {
        var o = base.resolvedSummary()
        o.append(
            (
                "points",
                .array(
                    points.map { p in
                        .object([
                            ("index", .number(Double(p.index))),
                            ("parameters", .object(p.parameters.map { ($0.path, .number($0.value)) }))
                        ])
                    })
            ))
        return .object(o)
    }
}

extension ExperimentSpec {
    func resolvedSummary() -> [(String, ResultValue)] {
        var o: [(String, ResultValue)] = [
            ("dipolesync", .number(1)),
            ("name", .string(name)),
            ("description", .string(description)),
            (
                "units",
                .object([
                    ("rate", .string("Gamma")), ("length", .string("lambda")), ("time", .string("1/Gamma")),
                    ("angle", .string("rad"))
                ])
            )
        ]
        if let s = species {
            var so: [(String, ResultValue)] = [
                ("id", .string(s.id)), ("wavelength-m", .number(s.wavelength)), ("linewidth-per-s", .number(s.linewidth))
            ]
            if let a = s.spacing { so.append(("spacing-m", .number(a))) }
            if let d = s.pumpDecay { so.append(("pump-decay-per-s", .number(d))) }
            if let c = s.pumpCrossSection { so.append(("pump-cross-section-m2", .number(c))) }
            if let w = s.pumpWavelength { so.append(("pump-wavelength-m", .number(w))) }
            so.append(("sources", .object(s.sources.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
            o.append(("species", .object(so)))
        } else {
            o.append(("species", .null))
        }
        o.append(("system", system.resolved()))
        o.append(("initial", initial.resolved))
        switch evolution {
        case .steadyState: o.append(("evolve", .string("steady-state")))
        case .until(let t, let n): o.append(("evolve", .object([("until", .number(t)), ("samples", .number(Double(n)))])))
        }
        o.append(("observables", .array(observables.map(\.resolved))))
        var solverO: [(String, ResultValue)] = [
            ("backend", .string(solver.backend?.rawValue ?? "auto")), ("seed", .number(Double(solver.seed))),
            ("tolerance", .number(solver.tolerance))
        ]
        solverO.append(("threads", solver.threads.map { .number(Double($0)) } ?? .string("auto")))
        solverO.append(("memory-bytes", solver.memoryBudget.map { .number(Double($0)) } ?? .string("default")))
        if solver.exactMethod != .auto { solverO.append(("exact-method", .string(solver.exactMethod.rawValue))) }
        if solver.couplings != .auto { solverO.append(("couplings", .string(solver.couplings.rawValue))) }
        // Written only when not the default, so specs without it keep their resolved form and bundle ID.
        if solver.diffusionScheme != .milstein { solverO.append(("diffusion-scheme", .string(solver.diffusionScheme.rawValue))) }
        if solver.trajectoriesGiven, let count = solver.trajectories.trajectories {
            let t = solver.trajectories
            solverO.append(
                (
                    "trajectories",
                    .object([
                        ("count", .number(Double(count))), ("burn-in", .number(t.burnIn)),
                        ("average", .number(t.average)),
                        ("sample-interval", .number(t.sampleInterval))
                    ])
                ))
        }
        o.append(("solver", .object(solverO)))
        if let op = optimize {
            o.append(
                (
                    "optimize",
                    .object(
                        [
                            ("maximize", .string(op.maximize.rawValue)), ("over", .string(op.over)),
                            ("within", .array([.number(op.low), .number(op.high)])),
                            ("tolerance", .number(op.tolerance))
                        ]
                            // Written only when not the default, so that the resolved spec (and the ID) of
                            // bundles from before the key existed is what their specs resolve to today.
                            + (op.scan == .linear ? [] : [("scan", .string(op.scan.rawValue))]))
                ))
        }
        if let sw = sweep {
            o.append(
                (
                    "sweep",
                    .object([
                        ("mode", .string(sw.mode.rawValue)),
                        (
                            "axes",
                            .array(
                                sw.axes.map { a in
                                    .object([("path", .string(a.path)), ("values", .array(a.values.map { .number($0) }))])
                                })
                        )
                    ])
                ))
        }
        return o
    }
}

extension SystemSpec {
    public func resolved() -> ResultValue {
        var lat: [(String, ResultValue)] = []
        switch lattice {
        case .chain(let n): lat = [("shape", .string("chain")), ("sites", .number(Double(n)))]
        case .allToAll(let n): lat = [("shape", .string("all-to-all")), ("sites", .number(Double(n)))]
        case .square(let x, let y): lat = [("shape", .string("square")), ("sites", .array([.number(Double(x)), .number(Double(y))]))]
        case .triangular(let x, let y): lat = [("shape", .string("triangular")), ("sites", .array([.number(Double(x)), .number(Double(y))]))]
        case .cubic(let x, let y, let z):
            lat = [("shape", .string("cubic")), ("sites", .array([.number(Double(x)), .number(Double(y)), .number(Double(z))]))]
        case .positions(let p):
            lat = [
                ("shape", .string("positions")),
                ("positions", .array(p.map { .array([.number($0.x), .number($0.y), .number($0.z)]) }))
            ]
        }
        lat.append(("spacing", .number(spacing)))
        lat.append(("dipoles", .number(Double(count))))
        var c: [(String, ResultValue)] = [("model", .string(couplings.name))]
        switch couplings {
        case .dipolar(let e): c.append(("elastic", .bool(e)))
        case .powerLaw(let a, let s): c += [("alpha", .number(a)), ("strength", .number(s))]
        case .uniform(let f, let g): c += [("feff", .number(f)), ("geff", .number(g))]
        }
        var d: [(String, ResultValue)] = [("model", .string(detuning.name))]
        switch detuning {
        case .none: break
        case .uniform(let w): d.append(("width", .number(w)))
        case .lorentzian(let h): d.append(("hwhm", .number(h)))
        case .gaussian(let s): d.append(("sigma", .number(s)))
        case .values(let v): d.append(("values", .array(v.map { .number($0) })))
        }
        var p: [(String, ResultValue)] = [("rate", .number(pump))]
        if let dv = pumpDerivation { p.append(("derivation", .string(dv))) }
        var o: [(String, ResultValue)] = [
            ("lattice", .object(lat)), ("couplings", .object(c)),
            ("polarization", .array([.number(polarization.x), .number(polarization.y), .number(polarization.z)])),
            ("detuning", .object(d)), ("pump", .object(p))
        ]
        // Written only when set, so specs without them keep their resolved form and bundle ID.
        if dephasing != 0 { o.append(("dephasing", .object([("rate", .number(dephasing))]))) }
        if nonradiativeDecay != 0 { o.append(("nonradiative-decay", .object([("rate", .number(nonradiativeDecay))]))) }
        return .object(o)
    }
}

extension InitialState {
    var resolved: ResultValue {
        switch self {
        case .ground: return .string("ground")
        case .excited: return .string("excited")
        case .product(let p, let a):
            return .object([("product", .object([("polar", .number(p)), ("azimuth", a.map { .number($0) } ?? .string("random"))]))])
        }
    }
}

extension ObservableRequest {
    var resolved: ResultValue {
        var o: [(String, ResultValue)] = []
        switch kind {
        case .clusterZQ: o.append(("sizes", .array(clusterSizes.map { .number(Double($0)) })))
        case .twoTime, .mutualInformation, .discord:
            o.append(("pairs", .array(pairs.map { .array([.number(Double($0.a)), .number(Double($0.b))]) })))
            if kind == .twoTime { o += [("tau-max", .number(tauMax)), ("tau-points", .number(Double(tauPoints)))] }
        case .spectrum: o += [("tau-max", .number(tauMax)), ("tau-points", .number(Double(tauPoints)))]
        case .qfiConditional: o += [("trajectories", .number(Double(trajectories))), ("until", .number(trajectoryTime))]
        default: break
        }
        return o.isEmpty ? .string(kind.rawValue) : .object([(kind.rawValue, .object(o))])
    }
}
