import Physics

/// The spec language, version 1 (docs/spec-language.md), as data. Every key, default and allowed value lives here.
public enum ExperimentSchema {
    public static let version = 1
    /// A spec's name names its bundle folder: lowercase letters, digits and '-', at most
    /// `maximumNameLength` characters (file systems allow 255 bytes per folder name; the rest is margin).
    public static let namePattern = "^[a-z0-9][a-z0-9-]{0,99}$"
    public static let maximumNameLength = 100
    /// `solver.backend`: auto or a backend of `BackendKind`.
    public static let backends = ["auto"] + BackendKind.allCases.map(\.rawValue)
    public static let shapes = ["chain", "square", "cubic", "triangular", "positions", "all-to-all"]
    public static let observableNames = ObservableKind.allCases.map(\.rawValue)
    /// Observables that are one number per point and can be maximized by `optimize`.
    public static let scalarObservables = OptimizeTarget.allCases.map(\.rawValue)

    static let rate = Shape.quantity(.rate, .positive)
    static let rateOrZero = Shape.quantity(.rate, .nonNegative)
    static let anyRate = Shape.quantity(.rate, .none)
    static let pairs = Shape.list(.list(.integer(min: 0, max: nil), min: 2, max: 2), min: 1, max: nil)

    static let lattice = ObjectShape(
        "Where the dipoles sit.",
        [
            Field(
                "shape", .keyword(shapes),
                "chain (along x), square and triangular (x–y plane), cubic, explicit positions, or all-to-all (no geometry).", required: true),
            Field(
                "sites",
                .variants([
                    .other(.integer(min: 1, max: nil)),
                    .other(.list(.integer(min: 1, max: nil), min: 1, max: 3))
                ]), "chain and all-to-all: n; square and triangular: [nx, ny]; cubic: [nx, ny, nz]."),
            Field(
                "spacing", .quantity(.length, .positive),
                "Lattice constant a: a length ('200 nm') or a multiple of the wavelength ('0.077 lambda'). Defaults to the species' lattice spacing."),
            Field(
                "positions", .list(.list(.number(.none), min: 2, max: 3), min: 1, max: nil),
                "shape: positions — [[x, y, z], ...] in units of spacing.")
        ])

    static let couplings = Shape.variants([
        .keyword("dipolar", doc: "Dipole–dipole couplings f and g of free-space radiation (docs/physics.md §2.1)."),
        .tagged(
            "dipolar",
            .object(
                ObjectShape(
                    "Dipolar couplings with options.",
                    [
                        Field("elastic", .boolean, "off drops the elastic (coherent) couplings g.", default: "on")
                    ])), doc: "Dipolar couplings with options."),
        .tagged(
            "power-law",
            .object(
                ObjectShape(
                    "f_ab = strength·(a/r_ab)^alpha, g = 0 (papers' Fig. 4).",
                    [
                        Field("alpha", .number(.nonNegative), "Exponent α.", required: true),
                        Field("strength", rate, "Prefactor A (papers: Γ/4).", default: "0.25 Gamma")
                    ])), doc: "Power-law dissipative couplings."),
        .tagged(
            "uniform",
            .object(
                ObjectShape(
                    "All-to-all: f_ab = feff/N, g_ab = geff/N.",
                    [
                        Field("feff", rateOrZero, "Effective dissipative coupling f_eff.", required: true),
                        Field("geff", anyRate, "Effective elastic coupling g_eff.", default: "0 Gamma")
                    ])), doc: "Uniform (collective) couplings.")
    ])

    static let polarization = Shape.variants([
        .tagged(
            "angle", .quantity(.angle, .none), doc: "Dipoles along (cos t, 0, sin t): t is the angle to a chain on the x axis ('magic', '90 deg')."),
        .tagged("vector", .list(.number(.none), min: 3, max: 3), doc: "Dipole orientation [x, y, z] (normalized).")
    ])

    static let detuning = Shape.variants([
        .keyword("none", doc: "All dipoles on resonance."),
        .tagged(
            "uniform",
            .object(
                ObjectShape(
                    "δ uniform in [−width/2, width/2].",
                    [
                        Field("width", rateOrZero, "Full width of the distribution.", required: true)
                    ])), doc: "Uniform random detunings."),
        .tagged(
            "lorentzian",
            .object(
                ObjectShape(
                    "Lorentzian (Cauchy) random detunings.",
                    [
                        Field("hwhm", rateOrZero, "Half width at half maximum Δ.", required: true)
                    ])), doc: "Lorentzian random detunings."),
        .tagged(
            "gaussian",
            .object(
                ObjectShape(
                    "Gaussian random detunings.",
                    [
                        Field("sigma", rateOrZero, "Standard deviation σ.", required: true)
                    ])), doc: "Gaussian random detunings."),
        .tagged("values", .list(anyRate, min: 1, max: nil), doc: "Explicit detunings, one per dipole.")
    ])

    static let pump = Shape.variants([
        .tagged("rate", rateOrZero, doc: "The incoherent pump rate W."),
        .tagged(
            "three-level",
            .object(
                ObjectShape(
                    "W = rabi²/decay for a drive to an intermediate level that decays fast.",
                    [
                        Field(
                            "rabi", .quantity(.rate, .nonNegative), "Rabi frequency Ω of the drive (write '2pi*0.5 MHz' for an angular frequency).",
                            required: true),
                        Field("decay", rate, "Decay rate γ of the intermediate level (defaults to the species' value).")
                    ])), doc: "A three-level repump scheme."),
        .tagged(
            "optical",
            .object(
                ObjectShape(
                    "W = σ·I/(h c/λ_pump).",
                    [
                        Field("intensity", .quantity(.intensity, .nonNegative), "Pump intensity I.", required: true),
                        Field("cross-section", .quantity(.area, .positive), "Absorption cross-section σ (defaults to the species' value)."),
                        Field("wavelength", .quantity(.length, .positive), "Pump wavelength (defaults to the species' value).")
                    ])), doc: "Optical pumping of a molecular transition.")
    ])

    static let initial = Shape.variants([
        .keyword("ground", doc: "All dipoles in |↓⟩."),
        .keyword("excited", doc: "All dipoles in |↑⟩."),
        .tagged(
            "product",
            .object(
                ObjectShape(
                    "Every dipole in cos(θ/2)|↑⟩ + e^{iφ} sin(θ/2)|↓⟩.",
                    [
                        Field("polar", .quantity(.angle, .none), "Polar angle θ from |↑⟩.", required: true),
                        Field(
                            "azimuth",
                            .variants([
                                .keyword("random", doc: "φ drawn per dipole from the seed."),
                                .other(.quantity(.angle, .none))
                            ]), "Azimuth φ, or random.", default: "0 rad")
                    ])), doc: "A product state.")
    ])

    static let evolve = Shape.variants([
        .keyword("steady-state", doc: "The long-time state."),
        .other(
            .object(
                ObjectShape(
                    "Time evolution from `initial`.",
                    [
                        Field("until", .quantity(.time, .positive), "Final time ('200 /Gamma', '10 us').", required: true),
                        Field("samples", .integer(min: 2, max: 1_000_000), "Number of equally spaced snapshots.", default: "200")
                    ])))
    ])

    static let tauFields: [Field] = [
        Field("tau-max", .quantity(.time, .positive), "Largest delay τ.", default: "20 /Gamma"),
        Field("tau-points", .integer(min: 4, max: 1_000_000), "Number of delays (at least 4).", default: "400")
    ]

    static let observable = Shape.variants(
        observableNames.map { Variant.keyword($0, doc: "") } + [
            .tagged(
                "cluster-ZQ",
                .object(
                    ObjectShape(
                        "Z_Q over linear clusters from the central dipole.",
                        [
                            Field("sizes", .list(.integer(min: 2, max: nil), min: 1, max: nil), "Cluster sizes d.", required: true)
                        ])), doc: ""),
            .tagged(
                "two-time",
                .object(
                    ObjectShape(
                        "Z_ab(τ) with fitted A, ν, γ.",
                        [
                            Field("pairs", pairs, "Dipole pairs [[a, b], ...].", default: "[[0, 1]]")
                        ] + tauFields)), doc: ""),
            .tagged("spectrum", .object(ObjectShape("Collective emission spectrum.", tauFields)), doc: ""),
            .tagged(
                "qfi-conditional",
                .object(
                    ObjectShape(
                        "Trajectory-averaged QFI.",
                        [
                            Field("trajectories", .integer(min: 1, max: 10_000_000), "Number of trajectories.", default: "200"),
                            Field("until", .quantity(.time, .positive), "Length of each trajectory.", default: "50 /Gamma")
                        ])), doc: ""),
            .tagged(
                "mutual-information",
                .object(
                    ObjectShape(
                        "Mutual information of dipole pairs.",
                        [
                            Field("pairs", pairs, "Dipole pairs.", default: "[[0, 1]]")
                        ])), doc: ""),
            .tagged(
                "discord",
                .object(
                    ObjectShape(
                        "Quantum discord D_{B|A} of dipole pairs.",
                        [
                            Field("pairs", pairs, "Dipole pairs.", default: "[[0, 1]]")
                        ])), doc: "")
        ])

    static let sweepRange = Shape.variants([
        .other(.list(.scalar(description: "a value of the swept quantity"), min: 1, max: nil)),
        .other(
            .object(
                ObjectShape(
                    "A range of values.",
                    [
                        Field("from", .scalar(description: "first value"), "First value (linear range)."),
                        Field("to", .scalar(description: "last value"), "Last value (linear range)."),
                        Field("log", .list(.scalar(description: "a bound"), min: 2, max: 2), "[first, last] of a logarithmic range."),
                        Field("values", .list(.scalar(description: "a value"), min: 1, max: nil), "Explicit values."),
                        Field("points", .integer(min: 1, max: 1_000_000), "Number of points of a range.")
                    ])))
    ])

    static let sweep = ObjectShape(
        "Parameter sweeps over any scalar of the spec, by dotted path.",
        [
            Field("grid", .dictionary(keyDescription: "a dotted path such as system.pump.rate", value: sweepRange), "Cartesian product of the axes."),
            Field("zip", .dictionary(keyDescription: "a dotted path", value: sweepRange), "Axes of equal length, paired point by point.")
        ])

    static let optimize = ObjectShape(
        "At every sweep point, maximize an observable over one scalar.",
        [
            Field("maximize", .keyword(scalarObservables), "The observable to maximize.", required: true),
            Field("over", .string(pattern: nil, example: "system.pump.rate"), "Dotted path of the scalar to vary.", required: true),
            Field("within", .list(.scalar(description: "a bound"), min: 2, max: 2), "[low, high] bracket.", required: true),
            Field("tolerance", .number(.positive), "Relative tolerance of the optimum's location.", default: "1e-3"),
            Field(
                "scan", .keyword(OptimizeScan.allCases.map(\.rawValue)),
                "Spacing of the coarse scan's 6 samples: equal steps, or equal ratios for a bracket over decades (low > 0).",
                default: "linear")
        ])

    /// `figures:` names: they name files in the bundle's figures/ folder.
    public static let figureNamePattern = "^[a-z0-9][a-z0-9-]{0,59}$"

    static let figureAxis = ObjectShape(
        "An axis of a figure.",
        [
            Field(
                "axis", .string(pattern: nil, example: "system.pump.rate"),
                "The swept path along this axis (x of every kind; y of a heat map), or `cluster-size` for the y axis of a heat map of cluster-ZQ (its sizes d)."
            ),
            Field("label", .string(pattern: nil, example: "pump rate W/Γ"), "Axis label; `_x`, `_{xy}` subscripts, `^x` superscripts (Z_Q^2, S^z)."),
            Field("scale", .keyword(["linear", "log"]), "Linear or logarithmic axis.", default: "linear"),
            Field("range", .list(.number(.none), min: 2, max: 2), "[low, high] in the canonical units of the values (default: the data's)."),
            Field("unit", .keyword(["deg", "rad"]), "An angle axis only: draw its numbers in degrees or radians.", default: "rad"),
            Field(
                "centre", .number(.none),
                "Colour bar only: a diverging map, blue below this value and red above, each side scaled to its own extreme.")
        ])

    static let figureSeries = Shape.variants([
        .other(.string(pattern: nil, example: "ZQ")),
        .other(
            .object(
                ObjectShape(
                    "A curve (lines) or an overlaid curve.",
                    [
                        Field(
                            "value", .string(pattern: nil, example: "mutual-information - discord"),
                            "Result keys with numbers, + − * /, parentheses, max, min, abs, sqrt (`ZQ / max(ZQ)`).", required: true),
                        Field("label", .string(pattern: nil, example: "I − D"), "Legend entry (default: the value)."),
                        Field("style", .keyword(FigureSpec.Style.allCases.map(\.rawValue)), "Line style.", default: "solid"),
                        Field(
                            "from",
                            .variants([
                                .tagged(
                                    "spec", .string(pattern: nil, example: "fig5b-collective-reference.yaml"),
                                    doc: "The bundle of another spec (path relative to this spec): outputs/NAME/ID, else outputs/archived/NAME."),
                                .tagged(
                                    "bundle", .string(pattern: nil, example: "../outputs/archived/fig5b-collective-reference"),
                                    doc: "A bundle folder, relative to this spec.")
                            ]), "Take the numbers from another bundle (default: this one)."),
                        Field("errors", .boolean, "Shade ±1 standard error when the value is a key with a KEY-stderr.", default: "on")
                    ])))
    ])

    static let figure = ObjectShape(
        "One panel: presentation only (not part of the bundle ID).",
        [
            Field(
                "name", .string(pattern: figureNamePattern, example: "correlations"), "File name in figures/ (NAME.svg, NAME.csv, NAME.py).",
                required: true),
            Field("title", .string(pattern: nil, example: "Correlations of a pair"), "Title (default: from the values)."),
            Field(
                "kind", .keyword(FigureSpec.Kind.allCases.map(\.rawValue)), "lines, heat-map, or bloch (Bloch spheres of the `phases` table).",
                default: "lines"),
            Field("x", .object(figureAxis), "The horizontal axis (default: the first swept path not drawn otherwise)."),
            Field("y", .object(figureAxis), "The vertical axis: values of lines; the second swept path of a heat map."),
            Field("curves", .string(pattern: nil, example: "system.lattice.spacing"), "Lines: one curve per value of this swept path."),
            Field("series", .list(figureSeries, min: 1, max: 12), "Lines: the curves; heat map: curves drawn over the map."),
            Field("value", .string(pattern: nil, example: "ZQ2"), "Heat map: the coloured value (an expression like a series' value)."),
            Field("colour", .object(figureAxis), "Heat map: the colour bar's label, scale and range."),
            Field(
                "contours",
                .variants([
                    .other(.list(.number(.none), min: 1, max: 20)),
                    .other(
                        .object(
                            ObjectShape(
                                "Contour lines of another value than the colour.",
                                [
                                    Field(
                                        "value", .string(pattern: nil, example: "g-nearest"),
                                        "An expression of result keys or of the geometry keys g-nearest, f-nearest (nearest-neighbour couplings in Γ, sampled finely).",
                                        required: true),
                                    Field("levels", .list(.number(.none), min: 1, max: 20), "Contour levels.", required: true),
                                    Field("label", .string(pattern: nil, example: "g(a)/Γ"), "Names the contoured value under the figure.")
                                ])))
                ]), "Heat map: contour levels of the coloured value, or {value, levels, label} for another value."),
            Field(
                "overlays", .list(.keyword(FigureSpec.Overlay.allCases.map(\.rawValue)), min: 1, max: nil),
                "Analytic curves: mean-field-boundary over a heat map of W and f_eff (docs/physics.md §4.2), mean-field-dephasing-threshold over lines against system.dephasing.rate (§4.5)."
            ),
            Field(
                "reference-lines",
                .list(
                    .object(
                        ObjectShape(
                            "A dashed line at a fixed value.",
                            [
                                Field("y", .number(.none), "Horizontal line at this value."),
                                Field("x", .number(.none), "Vertical line at this value."),
                                Field("label", .string(pattern: nil, example: "witness 2N/3"), "Legend entry.")
                            ])), min: 1, max: 10), "Dashed reference lines.")
        ])

    static let solver = ObjectShape(
        "How to solve.",
        [
            Field("backend", .keyword(backends), "auto lets the planner choose.", default: "auto"),
            Field("seed", .integer(min: 0, max: nil), "Every random draw derives from it.", default: "1"),
            Field("tolerance", .number(.positive), "Relative tolerance of integrators and steady-state residuals.", default: "1e-10"),
            Field(
                "threads", .variants([.keyword("auto", doc: "All cores."), .other(.integer(min: 1, max: 1024))]),
                "Worker threads (results do not depend on it).", default: "auto"),
            Field(
                "memory", .string(pattern: "^[0-9]+(\\.[0-9]+)? ?(MiB|GiB|MB|GB)$", example: "8 GiB"),
                "Memory budget per point (default: half the machine's memory)."),
            Field(
                "exact-method", .keyword(exactMethods),
                "How the exact backend holds the state: density-matrix (U(1) blocks, N ≤ 14), jump-trajectories (N ≤ 20), or auto: the density matrix when it fits (N ≤ 14 and the memory budget), otherwise trajectories if solver.backend is exact (backend auto then prefers the cumulant backend).",
                default: "auto"),
            Field(
                "couplings", .keyword(couplingRepresentations),
                "How the mean-field and cumulant backends hold the couplings f and g (docs/physics.md §2.6): dense (N×N matrices, any positions), uniform (all-to-all couplings as f_eff and g_eff: O(N) sums, mean-field equations only), lattice (translation-invariant dipolar or power-law couplings on a chain, square or cubic lattice: O(N) memory, products by FFT), or auto: lattice for such lattices and uniform for all-to-all models above 2000 dipoles in mean field, lattice above 400 in the cumulant backend, dense otherwise. The exact and permutation-symmetric backends hold them as they need; lattice and uniform rule out the backends that do not hold them so.",
                default: "auto"),
            Field(
                "diffusion-scheme", .keyword(diffusionSchemes),
                "Integration scheme of qfi-conditional's quantum-state-diffusion trajectories (docs/physics.md §6.3): milstein at the step 0.05/(rate scale), or weak-2 (weak order 2, Lévy-area surrogates) at 0.1/(rate scale), 0.8× the cost.",
                default: "milstein"),
            Field("trajectories", .object(trajectories), "The exact backend's quantum-jump trajectories (times in 1/Γ).")
        ])

    public static let exactMethods = ExactMethodChoice.allCases.map(\.rawValue)
    public static let diffusionSchemes = DiffusionScheme.allCases.map(\.rawValue)
    public static let couplingRepresentations = CouplingRepresentationChoice.allCases.map(\.rawValue)

    static let trajectories = ObjectShape(
        "Quantum-jump trajectories per point: each starts in `initial`, runs `burn-in` unrecorded, then time-averages over `average`.",
        [
            Field("count", .integer(min: 2, max: 10_000_000), "Trajectories per point (standard errors come from their spread).", default: "200"),
            Field("burn-in", .quantity(.time, .nonNegative), "Time discarded before averaging.", default: "20 /Gamma"),
            Field("average", .quantity(.time, .positive), "Length of each trajectory's time average.", default: "50 /Gamma"),
            Field("sample-interval", .quantity(.time, .positive), "Spacing of the samples of the time average.", default: "0.1 /Gamma")
        ])

    public static let root = ObjectShape(
        "A dipolesync experiment (language version 1).",
        [
            Field("dipolesync", .integer(min: 1, max: 1), "Language version.", required: true),
            Field(
                "name", .string(pattern: namePattern, example: "sr87-chain-pump-scan"), "Names the bundle folder (at most 100 characters).",
                required: true),
            Field("description", .string(pattern: nil, example: nil), "Free text."),
            Field(
                "system",
                .object(
                    ObjectShape(
                        "The dipoles, their couplings, disorder and pump.",
                        [
                            Field(
                                "species", .string(pattern: nil, example: "sr87-3P0-3D1"), "A catalog preset (wavelength, linewidth, pump scheme)."),
                            Field("lattice", .object(lattice), "Where the dipoles sit.", required: true),
                            Field("couplings", couplings, "Coupling model.", default: "dipolar"),
                            Field("polarization", polarization, "Dipole orientation.", default: "{vector: [0, 0, 1]}"),
                            Field("detuning", detuning, "Detuning disorder (random draws use solver.seed).", default: "none"),
                            Field("pump", pump, "Incoherent pump.", required: true),
                            Field(
                                "dephasing",
                                .object(
                                    ObjectShape(
                                        "Local pure dephasing (γ_φ/2) Σ_a D[σᶻ_a]: a lone dipole's coherence decays γ_φ faster.",
                                        [
                                            Field("rate", rateOrZero, "The dephasing rate γ_φ.", required: true)
                                        ])),
                                "Single-dipole pure dephasing (docs/physics.md §1.5).", default: "{rate: 0 Gamma}"),
                            Field(
                                "nonradiative-decay",
                                .object(
                                    ObjectShape(
                                        "Local decay γ_nr Σ_a D[σ⁻_a] that emits no photon into the collective mode.",
                                        [
                                            Field("rate", rateOrZero, "The non-radiative decay rate γ_nr.", required: true)
                                        ])),
                                "Single-dipole non-radiative decay (docs/physics.md §1.5).", default: "{rate: 0 Gamma}")
                        ])), "The physical system.", required: true),
            Field("initial", initial, "Initial state.", default: "ground"),
            Field("evolve", evolve, "Steady state or time evolution.", default: "steady-state"),
            Field("observables", .list(observable, min: 1, max: nil), "What to compute.", default: "[ZQ, inversion]"),
            Field("sweep", .object(sweep), "Parameter sweeps."),
            Field("optimize", .object(optimize), "Optimize at every sweep point."),
            Field("figures", .list(.object(figure), min: 1, max: 50), "Pictures of the bundle (default: one per observable)."),
            Field("solver", .object(solver), "Solver options.")
        ])

    /// The shape at a dotted path (through objects and tagged variants), for sweep paths and defaults.
    public static func shape(at path: [String]) -> Shape? {
        var shape = Shape.object(root)
        for key in path {
            switch shape {
            case .object(let o):
                guard let f = o.field(key) else { return nil }
                shape = f.shape
            case .variants(let vs):
                var found: Shape?
                for v in vs {
                    if case .tagged(let n, let s, _) = v, n == key { found = s; break }
                    if case .other(.object(let o)) = v, let f = o.field(key) { found = f.shape; break }
                }
                guard let s = found else { return nil }
                shape = s
            default:
                return nil
            }
        }
        return shape
    }

    /// Every dotted path that names a scalar (for sweep-path suggestions).
    public static let scalarPaths: [String] = {
        var out: [String] = []
        func walk(_ s: Shape, _ prefix: String) {
            switch s {
            case .object(let o): for f in o.fields { walk(f.shape, prefix.isEmpty ? f.name : prefix + "." + f.name) }
            case .variants(let vs):
                for v in vs {
                    switch v {
                    case .tagged(let n, let sh, _): walk(sh, prefix + "." + n)
                    case .other(let sh): walk(sh, prefix)
                    case .keyword: break
                    }
                }
            case .quantity, .number, .integer: out.append(prefix)
            default: break
            }
        }
        walk(.object(root), "")
        var seen = Set<String>()
        return out.filter {
            seen.insert($0).inserted && !$0.hasPrefix("sweep") && !$0.hasPrefix("optimize") && !$0.hasPrefix("figures") && $0 != "dipolesync"
        }
    }()
}
