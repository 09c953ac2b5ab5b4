import ExactBackend
import Foundation
import LinearAlgebra
import Physics
import Results

/// `dipolesync-bench exact steady N [spacing] [W]`: steady state of a dipolar chain at the magic angle;
/// `dipolesync-bench exact jumps N [trajectories] [time] [threads]`: jump-trajectory rate.
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
    default:
        throw BackendError.unsupported("unknown exact benchmark mode \(mode)")
    }
    print("peak_rss_bytes: \(peakResidentBytes())")
}
