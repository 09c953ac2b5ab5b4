import DickeBackend
import Foundation
import Physics
import Results

/// Benchmark cases of the permutation-symmetric backend:
///   dipolesync-bench dicke steady N [feff W [dephasing]]   — steady state ZQ, inversion, time, peak memory
func dickeBenchmark(_ args: [String]) throws {
    let mode = args.first ?? "steady"
    let n = args.count > 1 ? Int(args[1]) ?? 100 : 100
    let feff = args.count > 2 ? Double(args[2]) ?? 15 : 15
    let w = args.count > 3 ? Double(args[3]) ?? 7.5 : 7.5
    let dephasing = args.count > 4 ? Double(args[4]) ?? 0 : 0
    switch mode {
    case "steady":
        let lad = DickeLadder(n: n, gamma: 1, feff: feff, geff: 0, pump: w, detuning: 0, dephasing: dephasing)
        let (sol, t) = try timed { try DickeSteadyState(ladder: lad).solve() }
        let mo = DickeMoments(sol.populations)
        print("N: \(n)")
        print("ZQ2: \(mo.zq2)")
        print("inversion: \(mo.inversion)")
        print("states: \(sol.states)")
        print("truncated: \(sol.truncated)")
        print("residual: \(sol.residual)")
        print("boundary: \(sol.boundaryMass)")
        print("seconds: \(t)")
        print("peak-bytes: \(peakResidentBytes())")
    case "full":
        let lad = DickeLadder(n: n, gamma: 1, feff: feff, geff: 0, pump: w, detuning: 0)
        let (sol, t) = try timed { try DickeSteadyState(ladder: lad).solve(window: .fullWindow(n: n), pivot: nil) }
        print("ZQ2: \(DickeMoments(sol.populations).zq2) residual: \(sol.residual) seconds: \(t)")
    default:
        throw BackendError.unsupported("unknown dicke benchmark mode \(mode)")
    }
}
