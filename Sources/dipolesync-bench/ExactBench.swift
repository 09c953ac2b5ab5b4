import ExactBackend
import Foundation
import LinearAlgebra
import Physics
import Results

/// `dipolesync-bench exact steady N [spacing] [W]`: steady state of a dipolar chain at the magic angle;
/// `dipolesync-bench exact jumps N [trajectories] [time] [threads]`: jump-trajectory rate.
/// `dipolesync-bench exact qsd N feff W time fraction trajectories threads [scheme] [dephasing] [nonradiative]`:
/// quantum-state-diffusion trajectories of the uniform all-to-all model from the ground state
/// (`qfi-conditional`, the time average over the last 60 % of `time`), with the step `fraction`/(rate
/// scale) (default: the scheme's), the scheme (`milstein` or `weak-2`, docs/physics.md §6.3.1, §6.3.3)
/// and the rates γ_φ and γ_nr in Γ (default 0, docs/physics.md §6.5);
/// `… qsd-plan …` with the same arguments: the planner's estimate of that work;
/// `… qsd-step N feff W time fraction paths threads [scheme] [levels]`: each path one Brownian path at
/// the steps h, h/2, …, h/2^(levels−1); the mean differences of F̄_Q at each step from the finest.
/// Prints `key: value` lines.
func exactBenchmark(_ args: [String]) throws {
    let mode = args.first ?? "steady"
    let n = args.count > 1 ? Int(args[1]) ?? 8 : 8
    let spacing = args.count > 2 ? Double(args[2]) ?? 0.1 : 0.1
    let theta = acos(1 / 3.0.squareRoot())
    let pos = (0..<n).map { SIMD3<Double>(Double($0) * spacing, 0, 0) }
    let c = Couplings.dipolar(positions: pos, orientation: SIMD3(cos(theta), 0, sin(theta)))
    var model = DipoleModel(pump: 1, detunings: Array(repeating: 0, count: n), f: c.f, g: c.g, positions: pos)
    model.pump = args.count > 3 ? Double(args[3]) ?? max(1, model.feff / 2) : max(1, model.feff / 2)
    print("case: exact \(mode)")
    print("N: \(n)")
    print("spacing_lambda: \(spacing)")
    print("feff: \(model.feff)")
    print("W: \(model.pump)")
    switch mode {
    case "steady":
        let backend = ExactBackend()
        let request = SolveRequest(
            model: model, lattice: .chain(n),
            observables: [
                ObservableRequest(kind: .zq),
                ObservableRequest(kind: .inversion)
            ], threads: 2)
        let (r, t) = try timed { try backend.solve(request) }
        print("seconds: \(t)")
        print("ZQ: \(r.number("ZQ") ?? .nan)")
        print("inversion: \(r.number("inversion") ?? .nan)")
        for (k, v) in r.diagnostics { print("\(k): \(v)") }
        print("estimate_bytes: \(ExactBackend.memoryEstimate(n: n, observables: request.observables, evolution: .steadyState))")
    case "jumps":
        let traj = args.count > 4 ? Int(args[4]) ?? 4 : 4
        let time = args.count > 5 ? Double(args[5]) ?? 2 : 2
        let threads = args.count > 6 ? Int(args[6]) ?? 1 : 1
        let backend = ExactBackend()
        let settings = PointSettings(
            method: .jumpTrajectories,
            trajectories: TrajectorySettings(burnIn: 0, average: time, sampleInterval: 0.1))
        let observables = [ObservableKind.zq, .inversion].map { kind -> ObservableRequest in
            var o = ObservableRequest(kind: kind)
            o.trajectories = traj
            return o
        }
        let request = SolveRequest(
            model: model, lattice: .chain(n), observables: observables, threads: threads,
            settings: settings)
        let (r, t) = try timed { try backend.solve(request) }
        print("seconds: \(t)")
        print("trajectory_time_per_second: \(Double(traj) * time / t)")
        print("ZQ2: \(r.number("ZQ2") ?? .nan) ± \(r.number("ZQ2-stderr") ?? .nan)")
        print("inversion: \(r.number("inversion") ?? .nan) ± \(r.number("inversion-stderr") ?? .nan)")
        for (k, v) in r.diagnostics { print("\(k): \(v)") }
    case "qsd":
        let scheme = try qsdScheme(args)
        let (n, feff, pump, time, fraction, traj, threads) = qsdArguments(args, fraction: scheme.stepFraction, trajectories: 2)
        let (dephasing, nonradiative) = qsdRates(args)
        var model = DipoleModel.collective(n: n, feff: feff, pump: pump)
        model.dephasing = dephasing
        model.nonradiativeDecay = nonradiative
        var settings = PointSettings()
        settings.trajectories = TrajectorySettings(diffusionStepFraction: fraction)
        settings.trajectories.diffusionScheme = scheme
        settings.trajectories.diffusionBurnIn = 0.4 * time
        settings.trajectories.diffusionAverage = 0.6 * time
        var o = ObservableRequest(kind: .qfiConditional)
        o.trajectories = traj
        let request = SolveRequest(model: model, observables: [o], seed: 20_150_617, threads: threads, settings: settings)
        let cpu0 = processCPUSeconds()
        let (r, t) = try timed { try ExactBackend().solve(request) }
        let cpu = processCPUSeconds() - cpu0
        print(
            "qsd_N: \(n)  feff: \(feff)  W: \(pump)  time: \(time)  step_fraction: \(fraction)  trajectories: \(traj)  threads: \(threads)  scheme: \(scheme.rawValue)  dephasing: \(dephasing)  nonradiative: \(nonradiative)"
        )
        print("seconds: \(t)  cpu_seconds: \(cpu)")
        print("cpu_seconds_per_trajectory_per_10_over_gamma: \(cpu / Double(traj) / time * 10)")
        print("qfi_conditional: \(r.number("qfi-conditional") ?? .nan)")
        print("qfi_conditional_stderr: \(r.number("qfi-conditional-stderr") ?? .nan)")
        for (k, v) in r.diagnostics { print("\(k): \(v)") }
    case "qsd-plan":
        // The planner's estimate (ExactBackend.diffusionEstimate) for the work of `qsd` with the same arguments.
        let scheme = try qsdScheme(args)
        let (n, feff, pump, time, fraction, traj, threads) = qsdArguments(args, fraction: scheme.stepFraction, trajectories: 2)
        let (dephasing, nonradiative) = qsdRates(args)
        var o = ObservableRequest(kind: .qfiConditional)
        o.trajectories = traj
        var settings = TrajectorySettings(diffusionStepFraction: fraction)
        settings.diffusionScheme = scheme
        settings.diffusionBurnIn = 0.4 * time
        settings.diffusionAverage = 0.6 * time
        var outline = PointOutline(
            dipoles: n, observables: [o], initial: .ground, evolution: .steadyState, pump: pump,
            permutationSymmetric: true, equalDetunings: true, couplingsName: "uniform", detuningName: "none",
            allToAll: UniformCouplings(feff: feff, geff: 0), elastic: false, detuning: nil, forced: .exact,
            exactMethod: .auto, trajectories: settings, threads: threads, cores: threads, memoryBudget: 1 << 34)
        outline.dephasing = dephasing
        outline.nonradiativeDecay = nonradiative
        outline.decoherence = LocalDecoherence.terms(dephasing: dephasing, nonradiativeDecay: nonradiative)
        print("estimate_seconds: \(ExactBackend.diffusionEstimate(outline, trajectories: traj).seconds)")
    case "qsd-step":
        // Step-size error of the time-averaged F̄_Q: each trajectory one Brownian path at h and h/2.
        let (n, feff, pump, time, fraction, traj, threads) = qsdArguments(args, fraction: 0.1, trajectories: 4)
        let scheme = try qsdScheme(args)
        let levels = max(2, args.count > 9 ? Int(args[9]) ?? 2 : 2)
        var settings = PointSettings()
        settings.trajectories = TrajectorySettings(diffusionStepFraction: fraction)
        settings.trajectories.diffusionScheme = scheme
        let request = SolveRequest(
            model: .collective(n: n, feff: feff, pump: pump), observables: [ObservableRequest(kind: .qfiConditional)],
            seed: 20_150_617, threads: threads, settings: settings)
        let cpu0 = processCPUSeconds()
        let (r, t) = try timed {
            try ExactBackend().diffusionStepStudy(request, time: time, averageFrom: 0.4 * time, levels: levels, count: traj)
        }
        let cpu = processCPUSeconds() - cpu0
        func stats(_ x: [Double]) -> (mean: Double, spread: Double) {
            let m = x.reduce(0, +) / Double(x.count)
            let v = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
            return (m, v.squareRoot())
        }
        print(
            "qsd_step_N: \(n)  feff: \(feff)  W: \(pump)  time: \(time)  step_fraction: \(fraction)  paths: \(traj)  scheme: \(scheme.rawValue)  levels: \(levels)"
        )
        print("seconds: \(t)  cpu_seconds: \(cpu)")
        for l in 0..<levels {
            let q = stats(r.map { $0[l] })
            print("qfi_level_\(l): step_fraction \(fraction / Double(1 << l))  mean \(q.mean)  spread \(q.spread)")
        }
        for l in 0..<(levels - 1) {
            let d = stats(r.map { $0[l] - $0[levels - 1] })
            print(
                "step_difference_level_\(l): \(d.mean) ± \(d.spread / Double(traj).squareRoot())  (mean of F̄(h/2^\(l)) − F̄(h/2^\(levels - 1)) over paths ± its standard error)"
            )
        }
        print("sampling_error_one_trajectory: \(stats(r.map { $0[0] }).spread)  (spread of F̄(h) over trajectories)")
    default:
        throw BackendError.unsupported("unknown exact benchmark mode \(mode)")
    }
    print("peak_rss_bytes: \(peakResidentBytes())")
}

/// The scheme argument of the `qsd` modes (index 8; default `milstein`).
private func qsdScheme(_ args: [String]) throws -> DiffusionScheme {
    guard args.count > 8 else { return .milstein }
    guard let s = DiffusionScheme(rawValue: args[8]) else {
        throw BackendError.unsupported("unknown diffusion scheme \(args[8]) (milstein, weak-2)")
    }
    return s
}

/// The rates γ_φ and γ_nr of the `qsd` and `qsd-plan` modes (indices 9 and 10; default 0).
private func qsdRates(_ args: [String]) -> (dephasing: Double, nonradiative: Double) {
    func double(_ i: Int) -> Double { args.count > i ? Double(args[i]) ?? 0 : 0 }
    return (double(9), double(10))
}

/// The arguments of the `qsd` modes: N, f_eff, W, time, step fraction, trajectories (at least 2), threads.
private func qsdArguments(
    _ args: [String], fraction: Double, trajectories: Int
) -> (n: Int, feff: Double, pump: Double, time: Double, fraction: Double, trajectories: Int, threads: Int) {
    func double(_ i: Int, _ d: Double) -> Double { args.count > i ? Double(args[i]) ?? d : d }
    func int(_ i: Int, _ d: Int) -> Int { args.count > i ? Int(args[i]) ?? d : d }
    return (int(1, 16), double(2, 15), double(3, 7.5), double(4, 10), double(5, fraction), max(2, int(6, trajectories)), int(7, 1))
}
