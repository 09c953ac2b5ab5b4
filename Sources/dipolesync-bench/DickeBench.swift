import DickeBackend
import Foundation
import Physics
import Results

/// Benchmark cases of the permutation-symmetric backend:
///   dipolesync-bench dicke steady N [feff W [dephasing]]   — steady state ZQ, inversion, time, peak memory
///   dipolesync-bench dicke pair N [feff W [dephasing [tauMax tauPoints]]] — the pair two-time function
///     (docs/physics.md §6.6) as `two-time` computes it (tolerance 1e-8): its coherences, the generator's
///     nonzeros per row, the CPU time of one generator application and of the whole regression, their
///     ratio (evaluations' worth) and the planner's estimate (`DickeBackend.pairCorrelationEstimate`)
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
    case "pair":
        let tauMax = args.count > 5 ? Double(args[5]) ?? 40 : 40
        let tauPoints = args.count > 6 ? Int(args[6]) ?? 2000 : 2000
        let lad = DickeLadder(n: n, gamma: 1, feff: feff, geff: 0, pump: w, detuning: 0, dephasing: dephasing)
        let pops = try DickeSteadyState(ladder: lad).solve().populations
        let model = DistinguishedDipoles(ladder: lad, distinguished: 1)
        let s0 = model.sector(charge: 0)
        let rho = model.steadyState(pops, in: s0)
        let generator = model.generator(charge: -1)
        let size = generator.sector.size
        var x = [Double](repeating: 1e-3, count: 2 * size), y = x
        let applications = 50
        let c0 = processCPUSeconds()
        for _ in 0..<applications {
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in generator.apply(xp, yp) } }
            swap(&x, &y)
        }
        let perApply = (processCPUSeconds() - c0) / Double(applications)
        let tau = (0..<tauPoints).map { tauMax * Double($0) / Double(tauPoints - 1) }
        let c1 = processCPUSeconds()
        let z = try model.pairCorrelation(steadyState: rho, sector: s0, generator: generator, taus: tau, relativeTolerance: 1e-8)
        let cpu = processCPUSeconds() - c1
        var o = ObservableRequest(kind: .twoTime, tauMax: tauMax, tauPoints: tauPoints)
        o.pairs = [DipolePair(0, 1)]
        var outline = PointOutline(
            dipoles: n, observables: [o], initial: .ground, evolution: .steadyState, pump: w,
            permutationSymmetric: true, equalDetunings: true, couplingsName: "uniform", detuningName: "none",
            allToAll: UniformCouplings(feff: feff, geff: 0), elastic: false, detuning: nil, forced: .permutationSymmetric,
            exactMethod: .auto, trajectories: TrajectorySettings(), threads: 1, cores: 1, memoryBudget: 1 << 34)
        outline.dephasing = dephasing
        outline.decoherence = LocalDecoherence.terms(dephasing: dephasing, nonradiativeDecay: 0)
        print("N: \(n)  feff: \(feff)  W: \(w)  dephasing: \(dephasing)  tau_max: \(tauMax)  tau_points: \(tauPoints)")
        print("coherences: \(size)  nonzeros_per_row: \(Double(generator.sparseEntries) / Double(size))")
        print("cpu_seconds_per_application: \(perApply)")
        print("cpu_seconds: \(cpu)  applications_worth: \(cpu / perApply)  Z0: \(z.first?.real ?? .nan)")
        print("estimate_seconds: \(DickeBackend.pairCorrelationEstimate(outline).seconds)")
    default:
        throw BackendError.unsupported("unknown dicke benchmark mode \(mode)")
    }
}
