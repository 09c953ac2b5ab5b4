@preconcurrency import Foundation
import LinearAlgebra
import MeanFieldBackend
import Physics
import Results

/// `dipolesync-bench mean-field [N] [a/λ] [θ: magic|degrees] [W/Γ] [elastic: on|off] [tolerance] [threads] [max time]
/// [couplings: dense|lattice] [geometry: chain|square]`: a dipolar chain along x (or a √N × √N square
/// lattice in the x–y plane) with dipoles along (cos θ, 0, sin θ), integrated by the mean-field backend
/// to its steady state from the ground state with seeded random transverse components; the couplings
/// dense N×N matrices or the lattice representation (FFT products, docs/physics.md §2.6).
/// Prints `key: value` lines (times in s, memory in bytes).
func meanFieldBenchmark(_ args: [String]) throws {
    setvbuf(stdout, nil, _IOLBF, 0)
    func arg(_ i: Int, _ d: String) -> String { i < args.count ? args[i] : d }
    guard let n = Int(arg(0, "10000")), n >= 2,
        let spacing = Double(arg(1, "0.02")), spacing > 0,
        let w = Double(arg(3, "12")),
        let tol = Double(arg(5, "1e-6")),
        let threads = Int(arg(6, "2")),
        let maxTime = Double(arg(7, "5000"))
    else {
        throw BackendError.unsupported("usage: mean-field [N] [a/λ] [θ] [W] [on|off] [tolerance] [threads] [max time]")
    }
    let angleArg = arg(2, "magic")
    let theta = angleArg == "magic" ? acos(1 / 3.0.squareRoot()) : (Double(angleArg) ?? 90) * Double.pi / 180
    let elastic = arg(4, "on") != "off"
    let useLattice = arg(8, "dense") == "lattice"
    let side = Int(Double(n).squareRoot().rounded())
    let lattice = arg(9, "chain") == "square" ? Lattice.square(side, side) : Lattice.chain(n)
    let count = lattice.count
    BLASLibrary.setThreads(threads)
    let orientation = SIMD3(cos(theta), 0, sin(theta))
    let (model, buildTime) = timed { () -> DipoleModel in
        let pos = lattice.unitPositions.map { $0 * spacing }
        let detunings = Array(repeating: 0.0, count: count)
        if useLattice, let l = LatticeCouplings.dipolar(lattice: lattice, spacing: spacing, orientation: orientation, elastic: elastic) {
            return DipoleModel(
                pump: w, detunings: detunings, f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0), positions: pos, lattice: l)
        }
        let c = Couplings.dipolar(positions: pos, orientation: orientation, elastic: elastic)
        return DipoleModel(pump: w, detunings: detunings, f: c.f, g: c.g, positions: pos)
    }
    print(
        "case: dipolar \(lattice) N = \(count), a/λ = \(spacing), θ = \(theta) rad, W = \(w) Γ, elastic \(elastic ? "on" : "off"), tolerance \(tol), BLAS threads \(threads), couplings \(useLattice ? "lattice (FFT)" : "dense")"
    )
    print("f_eff: \(model.feff)")
    print("g_eff: \(model.geff)")
    if useLattice {
        let bytes = LatticeCouplings.bytes(extents: LatticeCouplings.extents(of: lattice) ?? [count, 1, 1], elastic: elastic)
        print("coupling spectra and FFT buffer: \(bytes) bytes (\(ByteCount(bytes)))")
    } else {
        let matrixBytes = 2 * 8 * count * count
        print("coupling matrices (f, g held by the model): \(matrixBytes) bytes (\(ByteCount(matrixBytes)))")
    }
    print("build seconds: \(String(format: "%.2f", buildTime))")
    let request = SolveRequest(
        model: model, lattice: lattice,
        observables: [.z, .zq, .inversion, .frequency].map { ObservableRequest(kind: $0) },
        seed: 20150617, tolerance: tol, threads: threads, memoryBudget: 16 << 30)
    let (result, solveTime) = try timed { try MeanFieldBackend(maxTime: maxTime).solve(request) }
    for (k, v) in result.values { print("\(k): \(v.number.map { String($0) } ?? "null")") }
    for (k, v) in result.diagnostics { print("\(k): \(v.number.map { String($0) } ?? "-")") }
    if let ev = result.diagnostics.first(where: { $0.key == "evaluations" })?.value.number, ev > 0 {
        print("seconds per evaluation: \(String(format: "%.4f", solveTime / ev))")
    }
    print("solve seconds: \(String(format: "%.2f", solveTime))")
    print("peak resident bytes: \(peakResidentBytes()) (\(ByteCount(peakResidentBytes())))")
}
