import CumulantBackend
import Foundation
import LinearAlgebra
import NumericalMethods
import Physics

/// `dipolesync-bench cumulant GEOMETRY N [ALPHA] [W] [THREADS] [COUPLINGS] [MEMORY-GIB]` (GEOMETRY chain,
/// square, or collective with ALPHA read as f_eff, or dipolar-chain, dipolar-square with ALPHA read as
/// the spacing a/λ; COUPLINGS auto, dense or lattice, auto as the planner chooses; memory budget 4 GiB
/// unless given): steady state of the cumulant backend for a chain of N dipoles or a √N × √N square
/// with power-law couplings f = (Γ/4)(a/r)^α (papers' Fig. 4a), g = δ = 0, or with the full dipolar
/// couplings (elastic, polarization at the magic angle to the chain, in the square's plane).
/// `CUMULANT_COLLECTIVE=0` turns the preconditioner's collective correction off, `CUMULANT_REFLECTION=0`
/// the reflection-symmetric layout; `CUMULANT_DISORDER=w` draws
/// the detunings uniformly from [−w/2, w/2] (in Γ, seed 1: the spec's `uniform: {width: w}`).
/// Prints time, peak memory, the iteration counts, residual and Z_Q, cluster Z_Q^d, and on standard error
/// every pseudo-transient step (`SolverProgress`).
func cumulantBenchmark(_ args: [String]) throws {
    if args.first == "gemm" { cumulantGemmBenchmark(args.count > 1 ? Int(args[1]) ?? 900 : 900); return }
    let geometry = args.count > 0 ? args[0] : "chain"
    let n = args.count > 1 ? Int(args[1]) ?? 900 : 900
    let alpha = args.count > 2 ? Double(args[2]) ?? 1.5 : 1.5
    let pump = args.count > 3 ? Double(args[3]) ?? 4 : 4
    let threads = args.count > 4 ? Int(args[4]) ?? 2 : 2
    let choice = args.count > 5 ? CouplingRepresentationChoice(rawValue: args[5]) ?? .auto : .auto
    let memory = args.count > 6 ? (Double(args[6]) ?? 4) : 4
    let lattice: Lattice
    var model: DipoleModel
    if geometry == "collective" {
        // `cumulant collective N FEFF W THREADS`: the uniform model f_ab = f_eff/N.
        lattice = .chain(n)
        model = .collective(n: n, feff: alpha, pump: pump)
    } else if geometry.hasPrefix("dipolar-") {
        let side = Int(Double(n).squareRoot().rounded())
        lattice = geometry == "dipolar-square" ? .square(side, side) : .chain(n)
        let theta = acos(1 / 3.0.squareRoot())
        let orientation = SIMD3(cos(theta), 0, sin(theta))
        let useLattice =
            choice == .lattice || (choice == .auto && lattice.count > PlannerThresholds.standard.cumulantLatticeCouplingsMinDipoles)
        let positions = lattice.unitPositions.map { $0 * alpha }
        if useLattice, let l = LatticeCouplings.dipolar(lattice: lattice, spacing: alpha, orientation: orientation, elastic: true) {
            model = DipoleModel(
                pump: pump, detunings: .init(repeating: 0, count: lattice.count), f: Matrix(rows: 0, cols: 0),
                g: Matrix(rows: 0, cols: 0), positions: positions, lattice: l)
        } else {
            let c = Couplings.dipolar(positions: positions, orientation: orientation, elastic: true)
            model = DipoleModel(pump: pump, detunings: .init(repeating: 0, count: lattice.count), f: c.f, g: c.g, positions: positions)
        }
    } else {
        if geometry == "square" {
            let side = Int(Double(n).squareRoot().rounded())
            lattice = .square(side, side)
        } else {
            lattice = .chain(n)
        }
        let useLattice =
            choice == .lattice || (choice == .auto && lattice.count > PlannerThresholds.standard.cumulantLatticeCouplingsMinDipoles)
        if useLattice, let l = LatticeCouplings.powerLaw(lattice: lattice, alpha: alpha, strength: 0.25) {
            model = DipoleModel(
                pump: pump, detunings: .init(repeating: 0, count: lattice.count), f: Matrix(rows: 0, cols: 0),
                g: Matrix(rows: 0, cols: 0), lattice: l)
        } else {
            let c = Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: alpha, strength: 0.25)
            model = DipoleModel(pump: pump, detunings: .init(repeating: 0, count: lattice.count), f: c.f, g: c.g)
        }
    }
    if let w = ProcessInfo.processInfo.environment["CUMULANT_DISORDER"].flatMap(Double.init) {
        var random = SeededRandom(seed: 1)
        model.detunings = (0..<model.count).map { _ in w * (random.uniform() - 0.5) }
    }
    // As the planner chooses (`CumulantBackend.stateSymmetry`) unless `CUMULANT_REFLECTION=0`.
    let symmetry: StateSymmetry? =
        ProcessInfo.processInfo.environment["CUMULANT_REFLECTION"] == "0"
        ? nil
        : CumulantBackend.stateSymmetry(
            n: model.count, elastic: model.lattice?.gKernel != nil, equalDetunings: model.detunings.allSatisfy { $0 == model.detunings.first },
            lattice: model.representation == .lattice)
    // The steady-state iteration's revision: the current one unless `CUMULANT_REVISION` names another.
    let revision =
        ProcessInfo.processInfo.environment["CUMULANT_REVISION"].flatMap(Int.init).flatMap(CumulantSteadyStateSolver.Revision.init(rawValue:))
        ?? .current
    var request = SolveRequest(
        model: model, lattice: lattice,
        observables: [.init(kind: .zq), .init(kind: .inversion), .init(kind: .clusterZQ, clusterSizes: [2, 10, 50])],
        tolerance: 1e-10, threads: threads, memoryBudget: Int(memory * Double(1 << 30)),
        settings: PointSettings(symmetry: symmetry, solverRevision: revision.rawValue))
    // Every pseudo-transient step on standard error.
    request.progress = SolverProgress { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
    let environment = ProcessInfo.processInfo.environment
    if environment["CUMULANT_START"] != nil || environment["CUMULANT_COLLECTIVE"] == "0" {
        // Diagnostics: the steady-state solver alone, from one start only (symmetric reduction, product
        // state, relaxation) or without the preconditioner's collective correction.
        var solver = CumulantSteadyStateSolver(tolerance: 1e-10)
        if let only = environment["CUMULANT_START"] { solver.starts = [CumulantSteadyStateSolver.Start(rawValue: only) ?? .productState] }
        solver.collectiveCorrection = environment["CUMULANT_COLLECTIVE"] != "0"
        solver.revision = revision
        solver.progress = request.progress
        let system = CumulantSystem(model: model)
        system.threads = threads
        BLASLibrary.useOneThread()
        do {
            let ((x, report), seconds) = try timed { try solver.solve(system) }
            print(
                "seconds: \(String(format: "%.2f", seconds)) start: \(report.start) steps: \(report.outerIterations) krylov: \(report.krylovIterations) relaxation-steps: \(report.integratorSteps) rate: \(report.regressionMaxRate) inversion: \(x[0..<system.n].reduce(0, +) / Double(2 * system.n))"
            )
        } catch { print("failed: \(error)") }
        return
    }
    let (result, seconds) = try timed { try CumulantBackend().solve(request) }
    print(
        "case: cumulant steady state, \(geometry) N = \(lattice.count), alpha = \(alpha), W = \(pump), threads = \(threads), couplings = \(model.representation.rawValue)"
    )
    print("seconds: \(String(format: "%.2f", seconds))")
    print("peak-memory-MiB: \(peakResidentBytes() >> 20)")
    for (k, v) in result.diagnostics { print("\(k): \(v)") }
    print("ZQ: \(result.number("ZQ") ?? .nan)")
    print("inversion: \(result.number("inversion") ?? .nan)")
    if case .array(let list)? = result["cluster-ZQ"] {
        for case .object(let o) in list { print("cluster: \(o.map { "\($0.0)=\($0.1)" }.joined(separator: " "))") }
    }
}

/// `dipolesync-bench cumulant-gemm N`: rate of the N×N·N×2N product that dominates an evaluation.
func cumulantGemmBenchmark(_ n: Int) {
    let a = Matrix(square: n) { Double(($0 * 7 + $1 * 3) % 11) }
    let b = Matrix(rows: n, cols: 2 * n, elements: (0..<(2 * n * n)).map { Double($0 % 13) })
    var c = Matrix(rows: n, cols: 2 * n)
    for threads in [1, 2] {
        BLASLibrary.setThreads(threads)
        let (_, t) = timed { Matrix.gemm(a, b, into: &c) }
        print("openblas threads \(threads): \(String(format: "%.3f s, %.1f GFLOP/s", t, 4 * pow(Double(n), 3) / t / 1e9))")
    }
}
