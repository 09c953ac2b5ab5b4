import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import Testing

@testable import CumulantBackend

/// The cumulant equations with lattice couplings (K*C by FFTs, docs/physics.md §5.3) against the same
/// model with dense f and g: right-hand sides and Jacobian products to 1e-12 (relative), every
/// observable of a steady state to 1e-10, the same bits for one and two threads.
struct CumulantLatticeTests {
    struct Case: CustomStringConvertible, Sendable {
        var lattice: Lattice
        var couplings: String
        var detuned = false
        var dephasing = 0.0
        var description: String { "\(lattice) \(couplings)\(detuned ? " detuned" : "")\(dephasing > 0 ? " dephasing" : "")" }

        func models() -> (dense: DipoleModel, lattice: DipoleModel) {
            let n = lattice.count
            let detunings = detuned ? (0..<n).map { 0.3 * sin(Double($0)) } : Array(repeating: 0, count: n)
            var (dense, fft) = latticeModelPair(lattice: lattice, couplings: couplings, alpha: 1.5, strength: 0.25, detunings: detunings)
            dense.dephasing = dephasing
            fft.dephasing = dephasing
            dense.nonradiativeDecay = dephasing / 2
            fft.nonradiativeDecay = dephasing / 2
            return (dense, fft)
        }
    }

    static let productCases: [Case] =
        [Lattice.chain(9), .chain(12), .square(4, 5), .cubic(3, 3, 2)].flatMap { l in
            ["dipolar magic", "dipolar perpendicular", "dissipative magic", "power-law"].map {
                Case(lattice: l, couplings: $0, detuned: l.count % 2 == 0)
            }
        }

    /// A random packed state: s ∈ (−1, 1), C and D of order 0.1; Im C zero when `real`.
    static func randomState(_ system: CumulantSystem, seed: UInt64, real: Bool) -> [Double] {
        var rng = SeededRandom(seed: seed)
        var v = (0..<system.packedCount).map { _ in 0.2 * (rng.uniform() - 0.5) }
        for a in 0..<system.n { v[a] = 2 * rng.uniform() - 1 }
        if real { for p in 0..<system.layout.pairCount { v[system.n + 3 * p + 1] = 0 } }
        return v
    }

    static func maxDifference(_ a: [Double], _ b: [Double]) -> (difference: Double, scale: Double) {
        (zip(a, b).map { abs($0 - $1) }.max() ?? 0, a.map(abs).max() ?? 0)
    }

    @Test(arguments: productCases) func productsAgreeWithDense(_ c: Case) throws {
        let (dm, lm) = c.models()
        let dense = CumulantSystem(model: dm), fft = CumulantSystem(model: lm)
        #expect(dense.representation == .dense && fft.representation == .lattice)
        #expect(dense.elastic == fft.elastic)
        for real in [false, true] {
            let state = Self.randomState(dense, seed: 3, real: real)
            let v = Self.randomState(dense, seed: 4, real: real)
            var r1 = [Double](repeating: 0, count: dense.packedCount), r2 = r1
            dense.rhs(state, into: &r1)
            fft.rhs(state, into: &r2)
            let (d, s) = Self.maxDifference(r1, r2)
            #expect(d <= 1e-12 * s, "rhs, real C: \(real)")
            var scratch = Matrix(rows: dense.n, cols: 2 * dense.n)
            dense.jacobianTimes(state, v, scratch: &scratch, into: &r1)
            fft.jacobianTimes(state, v, scratch: &scratch, into: &r2)
            let (dj, sj) = Self.maxDifference(r1, r2)
            #expect(dj <= 1e-12 * sj, "J·v, real C: \(real)")
            // X = K*C itself.
            let (x1, x2) = (dense.x.elements, fft.x.elements)
            let (dx, sx) = Self.maxDifference(x1, x2)
            #expect(dx <= 1e-12 * sx)
        }
        #expect(
            abs(CumulantSteadyStateSolver.rateScale(dense) - CumulantSteadyStateSolver.rateScale(fft)) <= 1e-12
                * CumulantSteadyStateSolver.rateScale(dense))
        // K* x for a complex vector (the stability test's product): BLAS against the FFT.
        let x = (0..<dense.n).map { a -> Complex<Double> in Complex(sin(1.3 * Double(a) + 0.2), cos(0.7 * Double(a))) }
        let (k1, k2) = (dense.applyKStar(x), fft.applyKStar(x))
        let parts = { (k: [Complex<Double>]) -> [Double] in k.flatMap { [$0.real, $0.imaginary] } }
        let (dk, sk) = Self.maxDifference(parts(k1), parts(k2))
        #expect(sk > 0 && dk <= 1e-12 * sk, "K*x")
    }

    /// The O(N²) pair loops split among workers from N = `concurrentPairsMinimum` on (the right-hand
    /// side, J·v, the low-rank preconditioner's packing): one, two and three workers give the same bits,
    /// with dense and lattice couplings; the columns' split covers every column once.
    @Test func pairLoopsGiveTheSameBitsOnAnyThreadCount() throws {
        BLASLibrary.useOneThread()   // as the backend does (the products' bits depend on OpenBLAS's threads)
        let n = CumulantSystem.concurrentPairsMinimum + 44
        for threads in [2, 3, 7] {
            var seen = [Int](repeating: 0, count: n)
            let lock = NSLock()
            CumulantSystem.forEachColumnRange(n: n, threads: threads) { columns in
                lock.lock()
                for b in columns { seen[b] += 1 }
                lock.unlock()
            }
            #expect(seen.allSatisfy { $0 == 1 }, "\(threads) workers")
        }
        for couplings in ["dipolar magic", "dissipative magic"] {
            let (dm, lm) = latticeModelPair(
                lattice: .chain(n), couplings: couplings, alpha: 1.5, strength: 0.25, detunings: Array(repeating: 0, count: n))
            for model in [dm, lm] {
                var reference: [[Double]] = []
                for threads in [1, 2, 3] {
                    let system = CumulantSystem(model: model)
                    system.threads = threads
                    system.lowRankThreshold = n / 2
                    let state = Self.randomState(system, seed: 5, real: false), v = Self.randomState(system, seed: 6, real: false)
                    var r = [Double](repeating: 0, count: system.packedCount), jv = r, pv = r
                    system.rhs(state, into: &r)
                    var scratch = Matrix(rows: n, cols: 2 * n)
                    system.jacobianTimes(state, v, scratch: &scratch, into: &jv)
                    var preconditioner = try LyapunovPreconditioner(system: system)
                    try preconditioner.update(system: system, s: Array(state[0..<n]), meanC: 0.01)
                    preconditioner.apply(v, sigma: 3, into: &pv)
                    if !system.elastic {
                        #expect(
                            preconditioner.kind.contains(system.representation == .lattice ? "cosine" : "extreme eigenvectors"),
                            "\(couplings): the large-N form")
                    }
                    let numbers = [r, jv, pv]
                    if reference.isEmpty { reference = numbers }
                    for (name, (x, y)) in zip(["rhs", "J·v", "preconditioner"], zip(numbers, reference)) {
                        let first = x.indices.first { x[$0] != y[$0] }
                        #expect(
                            first == nil,
                            "\(couplings), \(system.representation), \(threads) threads: \(name) differs first at \(first ?? 0) of \(x.count): \(first.map { (x[$0], y[$0]) } ?? (0, 0))"
                        )
                    }
                }
            }
        }
    }

    static let steadyCases: [Case] = [
        Case(lattice: .chain(11), couplings: "power-law"),
        Case(lattice: .chain(12), couplings: "dissipative magic", dephasing: 0.3),
        Case(lattice: .chain(10), couplings: "dipolar perpendicular"),
        Case(lattice: .square(3, 4), couplings: "power-law", dephasing: 0.2),
        Case(lattice: .square(3, 3), couplings: "dipolar magic", detuned: true),
        Case(lattice: .cubic(2, 2, 3), couplings: "dissipative magic"),
        Case(lattice: .cubic(3, 2, 2), couplings: "dipolar perpendicular", dephasing: 0.1)
    ]

    /// The numbers of a result value, without the outputs of the two-time fits (A, γ, their errors, the
    /// two-exponential fit): nonlinear least-squares fits to the τ samples, which agree to 1e-10 (the
    /// `two-time-a-b` tables), but whose parameters amplify that by their condition number; with `fits`,
    /// those of the fits named in `keys` alone.
    static func numbers(_ v: ResultValue, fits: Bool = false, keys: Set<String> = fitted) -> [Double] {
        switch v {
        case .number(let x): return [x]
        case .array(let a): return a.flatMap { numbers($0, fits: fits, keys: keys) }
        case .object(let o):
            // The fits' outputs (`keys`) alone, or everything but all fits' outputs; nested values are
            // searched either way.
            return o.filter { fits ? keys.contains($0.0) || $0.1.number == nil : !fitted.contains($0.0) }
                .flatMap { numbers($0.1, fits: fits, keys: keys) }
        default: return []
        }
    }

    static let fitted: Set<String> = singleFit.union(["gamma-slow", "gamma-slow-err", "A-slow", "gamma-fast", "A-fast"])
    /// The one-exponential fit's outputs, compared to 1e-6: well conditioned in every case here. The
    /// two-exponential fit is not compared: on chain(10) dipolar perpendicular, pair (0, 9), it returns
    /// two nearly equal rates (18.5 and 19.3 Γ) with cancelling amplitudes ±290, whose error estimate is
    /// 0 or 1178 depending on round-off.
    static let singleFit: Set<String> = ["A", "gamma", "A-err", "gamma-err", "nu-err"]

    static func request(_ model: DipoleModel, _ c: Case, threads: Int = 1) -> SolveRequest {
        let n = c.lattice.count
        return SolveRequest(
            model: model, lattice: c.lattice,
            observables: [.zq, .inversion, .correlations, .frequency, .spectrum].map { ObservableRequest(kind: $0, tauMax: 5, tauPoints: 21) }
                + [ObservableRequest(kind: .clusterZQ, clusterSizes: [2, 3])]
                + [.mutualInformation, .discord, .twoTime].map {
                    ObservableRequest(kind: $0, pairs: [DipolePair(0, n - 1), DipolePair(1, 2)], tauMax: 5, tauPoints: 21)
                },
            evolution: .steadyState, tolerance: 1e-12, threads: threads)
    }

    /// Every number of a steady state (and its tables) agrees to 1e-10, the one-exponential fits' outputs
    /// to 1e-6; one and two threads give the same bits with lattice couplings.
    @Test(arguments: steadyCases) func steadyStateAgreesWithDense(_ c: Case) throws {
        let (dm, lm) = c.models()
        let dense = try CumulantBackend().solve(Self.request(dm, c))
        let fft = try CumulantBackend().solve(Self.request(lm, c))
        #expect(fft.method.contains("couplings: lattice") && !dense.method.contains("couplings: lattice"))
        #expect(dense.values.map(\.key) == fft.values.map(\.key))
        for ((k, a), (_, b)) in zip(dense.values, fft.values) {
            let (x, y) = (Self.numbers(a), Self.numbers(b))
            #expect(x.count == y.count, "\(k)")
            for (u, v) in zip(x, y) { #expect(abs(u - v) <= 1e-10 * max(1, abs(u)), "\(k): \(u) vs \(v)") }
            let (p, q) = (Self.numbers(a, fits: true, keys: Self.singleFit), Self.numbers(b, fits: true, keys: Self.singleFit))
            #expect(p.count == q.count, "\(k)")
            for (u, v) in zip(p, q) { #expect(abs(u - v) <= 1e-6 * max(1, abs(u)), "\(k) (fit): \(u) vs \(v)") }
        }
        #expect(dense.tables.map(\.name) == fft.tables.map(\.name))
        for (t, u) in zip(dense.tables, fft.tables) {
            for (r, s) in zip(t.rows, u.rows) {
                for (x, y) in zip(r, s) { #expect(abs(x - y) <= 1e-10 * max(1, abs(x)), "\(t.name)") }
            }
        }
        let two = try CumulantBackend().solve(Self.request(lm, c, threads: 2))
        #expect(two == fft, "1 vs 2 threads")
    }

    /// Above the low-rank threshold the lattice path uses no N×N coupling matrix: the preconditioner
    /// works in the lattice's cosine basis and the stability test's extreme eigenvalue comes from Lanczos
    /// on the FFT product. The steady state and the regression rate agree with the dense path (low-rank
    /// preconditioner, full eigen-decompositions).
    @Test func lanczosPathsAgreeWithDense() throws {
        let c = Case(lattice: .chain(230), couplings: "power-law")
        let (dm, lm) = c.models()
        let dense = CumulantSystem(model: dm), fft = CumulantSystem(model: lm)
        dense.lowRankThreshold = 100
        fft.lowRankThreshold = 100
        let solver = CumulantSteadyStateSolver(tolerance: 1e-12)
        let (x1, r1) = try solver.solve(dense)
        let (x2, r2) = try solver.solve(fft)
        #expect(r1.preconditioner.contains("extreme eigenvectors") && r2.preconditioner.contains("cosine basis"))
        let (d, _) = Self.maxDifference(x1, x2)
        #expect(d <= 1e-10)
        #expect(abs(r1.regressionMaxRate - r2.regressionMaxRate) <= 1e-9, "\(r1.regressionMaxRate) vs \(r2.regressionMaxRate)")
        let s = Array(x2[0..<fft.n])
        let lanczos = try CumulantSteadyStateSolver.maxRegressionRate(system: fft, s: s).rate
        fft.lowRankThreshold = 10_000
        let exact = try CumulantSteadyStateSolver.maxRegressionRate(system: fft, s: s).rate
        #expect(abs(lanczos - exact) <= 1e-10, "\(lanczos) vs \(exact)")
    }

    /// Elastic couplings and a common detuning above the low-rank threshold: the preconditioner diagonalizes
    /// f and g in the lattice's cosine basis (complex divisors), and the stability test accepts the state on
    /// the bound −Q_C/2 + ½ λ_max(|S|^{1/2} F |S|^{1/2}) ≥ max Re λ(M) (docs/physics.md §5.3.1). The steady
    /// state agrees with the dense path (eigen-decomposition of M); the bound lies above LAPACK's max Re λ(M)
    /// and equals the symmetric form's largest eigenvalue; the Krylov–Schur iteration on the FFT product
    /// gives LAPACK's value, also for an inversion of both signs (with and without g).
    @Test(arguments: [(Lattice.chain(230), "dipolar magic", 0.0), (Lattice.square(15, 15), "dipolar perpendicular", 0.7)])
    func elasticLatticePathsAgreeWithDense(lattice: Lattice, couplings: String, detuning: Double) throws {
        let n = lattice.count
        let (dm, lm) = latticeModelPair(
            lattice: lattice, couplings: couplings, alpha: 0, strength: 0, detunings: Array(repeating: detuning, count: n), pump: 6)
        let dense = CumulantSystem(model: dm), fft = CumulantSystem(model: lm)
        fft.lowRankThreshold = 100
        #expect(fft.elastic && fft.equalDetunings)
        let solver = CumulantSteadyStateSolver(tolerance: 1e-12)
        let (x1, r1) = try solver.solve(dense)
        let (x2, r2) = try solver.solve(fft)
        #expect(r1.preconditioner.contains("regression matrix") && r2.preconditioner.contains("f and g diagonal"), "\(r2.preconditioner)")
        #expect(Self.maxDifference(x1, x2).0 <= 1e-10)
        #expect(!r1.regressionRateIsBound && r2.regressionRateIsBound)
        // The cosine form steers GMRES nearly as well as M's own eigenvectors (34 against 40 iterations on
        // the chain, 329 against 201 on the stiffer square).
        #expect(
            r2.krylovIterations <= 2 * r1.krylovIterations, "\(r2.krylovIterations) Krylov iterations, \(r1.krylovIterations) with M's eigenvectors")
        #expect(r1.regressionMaxRate < 0 && r2.regressionMaxRate < 0)
        #expect(r2.regressionMaxRate >= r1.regressionMaxRate - 1e-12, "bound \(r2.regressionMaxRate) below max Re λ = \(r1.regressionMaxRate)")
        let steady = Array(x2[0..<n])
        var symmetric = dense.denseF()
        for b in 0..<n { for a in 0..<n { symmetric[a, b] *= steady[a].squareRoot() * steady[b].squareRoot() } }
        let top = try #require(try symmetricEigenvalues(symmetric).last)
        #expect(steady.allSatisfy { $0 > 0 })
        #expect(abs(r2.regressionMaxRate - (-dense.qc / 2 + 0.5 * top)) <= 1e-9)
        #expect(abs(try CumulantSteadyStateSolver.arnoldiRightmost(system: fft, s: steady) - r1.regressionMaxRate) <= 1e-9)
        // An inversion of both signs, where no symmetric form exists: Krylov–Schur against LAPACK.
        let s = (0..<n).map { 0.9 * sin(0.37 * Double($0) + 0.2) }
        let arnoldi = try CumulantSteadyStateSolver.maxRegressionRate(system: fft, s: s)
        let exact = try CumulantSteadyStateSolver.maxRegressionRate(system: dense, s: s)
        #expect(!arnoldi.isBound && abs(arnoldi.rate - exact.rate) <= 1e-9, "\(arnoldi) vs \(exact)")
        let pair = latticeModelPair(
            lattice: lattice, couplings: "power-law", alpha: 1.5, strength: 0.25, detunings: Array(repeating: 0, count: n))
        let resonant = CumulantSystem(model: pair.lattice), resonantDense = CumulantSystem(model: pair.dense)
        resonant.lowRankThreshold = 100
        let (a, b) = (
            try CumulantSteadyStateSolver.maxRegressionRate(system: resonant, s: s).rate,
            try CumulantSteadyStateSolver.maxRegressionRate(system: resonantDense, s: s).rate
        )
        #expect(abs(a - b) <= 1e-9, "mixed-sign inversion, g = 0: \(a) vs \(b)")
    }

    /// Unequal detunings above the low-rank threshold keep the cosine form: the detuning differences are
    /// divided out pair by pair in the position basis after it (docs/physics.md §5.3.1) instead of an
    /// O(N³) eigen-decomposition of M. The steady state agrees with the dense path (M's eigenvectors) and
    /// GMRES needs no more iterations than with M's own eigenvectors (19 against 26 on the power-law chain,
    /// 45 against 46 on the dipolar one, 30 against 34 on the square; without the division 47, 46 and 51).
    @Test(arguments: [(Lattice.chain(230), "power-law", 4.0), (Lattice.chain(230), "dipolar magic", 2.0), (Lattice.square(15, 15), "power-law", 4.0)])
    func disorderedLatticePathsAgreeWithDense(lattice: Lattice, couplings: String, width: Double) throws {
        let n = lattice.count
        var random = SeededRandom(seed: 7)
        let detunings = (0..<n).map { _ in width * (random.uniform() - 0.5) }
        let (dm, lm) = latticeModelPair(lattice: lattice, couplings: couplings, alpha: 1.5, strength: 0.25, detunings: detunings, pump: 4)
        let dense = CumulantSystem(model: dm), fft = CumulantSystem(model: lm)
        fft.lowRankThreshold = 100
        #expect(!fft.equalDetunings)
        let solver = CumulantSteadyStateSolver(tolerance: 1e-12)
        let (x1, r1) = try solver.solve(dense)
        let (x2, r2) = try solver.solve(fft)
        #expect(r1.preconditioner.contains("regression matrix") && r2.preconditioner.contains("detuning differences"), "\(r2.preconditioner)")
        #expect(Self.maxDifference(x1, x2).0 <= 1e-10)
        #expect(
            r2.krylovIterations <= r1.krylovIterations,
            "\(r2.krylovIterations) Krylov iterations, \(r1.krylovIterations) with M's eigenvectors")
    }

    /// A dipolar chain (a = 0.1 λ), where the regression matrix's eigenvalues cluster at the right end of
    /// the band: with an inversion of one sign the bound lies above LAPACK's rate; with both signs the
    /// Krylov–Schur value is LAPACK's, and LAPACK's again when the iteration is cut short (docs/physics.md §5.3.1).
    @Test func clusteredDipolarSpectrumGivesLAPACKsRate() throws {
        let n = 400
        let (dm, lm) = latticeModelPair(
            lattice: .chain(n), couplings: "dipolar magic", alpha: 0, strength: 0, detunings: Array(repeating: 0, count: n), pump: 3)
        let (dense, fft) = (CumulantSystem(model: dm), CumulantSystem(model: lm))
        fft.lowRankThreshold = 100
        let s = (0..<n).map { 0.3 + 0.5 * cos(0.05 * Double($0)) }
        let mixed = s.map { $0 - 0.4 }
        for v in [s, mixed] {
            let a = try CumulantSteadyStateSolver.maxRegressionRate(system: fft, s: v)
            let b = try CumulantSteadyStateSolver.maxRegressionRate(system: dense, s: v)
            #expect(abs(a.rate - b.rate) <= 1e-9 || a.isBound && a.rate >= b.rate, "\(a) vs \(b)")
        }
        // Ten products do not converge: LAPACK below 2000 dipoles, an error naming the iteration above.
        let fallback = try CumulantSteadyStateSolver.maxRegressionRate(system: fft, s: mixed, arnoldiProducts: 10)
        let lapack = try CumulantSteadyStateSolver.maxRegressionRate(system: dense, s: mixed).rate
        #expect(abs(fallback.rate - lapack) <= 1e-10, "\(fallback.rate) vs \(lapack)")
        #expect(throws: BackendError.self) { try CumulantSteadyStateSolver.arnoldiRightmost(system: fft, s: mixed, products: 10) }
    }

    /// The cosine-basis preconditioner's collective correction (docs/physics.md §5.3.1) on synchronized
    /// lattices above the low-rank threshold: it leaves the steady state as it is and saves most of the
    /// Krylov iterations the gain-saturation loop otherwise costs (here 54 → 25 and 64 → 26; measured at
    /// N = 2500: chain α = 0.5, 67 → 21; 50 × 50 square α = 1.5, 69 → 35).
    @Test(arguments: [(Lattice.chain(420), 0.5, 6.0), (Lattice.square(21, 21), 1.0, 6.0)])
    func collectiveCorrectionSavesIterations(lattice: Lattice, alpha: Double, pump: Double) throws {
        let n = lattice.count
        let (_, lm) = latticeModelPair(
            lattice: lattice, couplings: "power-law", alpha: alpha, strength: 0.25, detunings: Array(repeating: 0, count: n), pump: pump)
        var solver = CumulantSteadyStateSolver(tolerance: 1e-10)
        let (with, r1) = try solver.solve(CumulantSystem(model: lm))
        solver.collectiveCorrection = false
        let (without, r2) = try solver.solve(CumulantSystem(model: lm))
        #expect(r1.preconditioner.contains("cosine basis"))
        #expect(CumulantSystem(model: lm).meanReC(with) > 0.01, "synchronized")
        #expect(Self.maxDifference(with, without).0 <= 1e-8)
        #expect(
            Double(r1.krylovIterations) <= 0.6 * Double(r2.krylovIterations),
            "\(r1.krylovIterations) Krylov iterations with the correction, \(r2.krylovIterations) without")
    }

    /// A dipolar plane below λ/2 (a = 0.1 λ, magic angle) whose light-cone modes outshine the uniform one:
    /// the symmetric-reduction start (mean pair coupling) has correlations that grow at ρ = 2 max Re λ_k
    /// well above Q, so a first step of Δt = 1/Q overshoots them and the preconditioner's divisors
    /// σ − λ_k − λ_l pass through zero. Steps of Δt = 1/(2ρ) while that lasts (docs/physics.md §5.3.1)
    /// reach the same state in a fraction of the Krylov iterations (here 150 against 979; 21 × 21: 149
    /// against 773; 50 × 50 at a = 0.2 λ: 65 s, where the solve without them had not finished in 24
    /// minutes). How many that solve needs depends on how close to zero some divisor happens to fall, so
    /// it varies from lattice to lattice (15 × 15: 171).
    @Test func growingStartIsRelaxedNotOvershot() throws {
        let lattice = Lattice.square(19, 19)
        let (_, lm) = latticeModelPair(
            lattice: lattice, couplings: "dipolar magic", alpha: 0, strength: 0, detunings: Array(repeating: 0, count: lattice.count), pump: 3)
        let system = CumulantSystem(model: lm)
        system.lowRankThreshold = 100
        var preconditioner = try LyapunovPreconditioner(system: system)
        let start = CumulantSteadyStateSolver.symmetricGuess(system)
        try preconditioner.update(system: system, s: system.inversions(start), meanC: system.meanReC(start))
        #expect(preconditioner.growthRate > system.q, "growth \(preconditioner.growthRate) at the start")
        var solver = CumulantSteadyStateSolver(tolerance: 1e-10)
        let (guarded, r1) = try solver.solve(system)
        solver.growthLimitsStep = false
        let (unguarded, r2) = try solver.solve(system)
        #expect(r1.preconditioner.contains("f and g diagonal"))
        #expect(Self.maxDifference(guarded, unguarded).0 <= 1e-8)
        #expect(
            Double(r1.krylovIterations) <= 0.4 * Double(r2.krylovIterations),
            "\(r1.krylovIterations) Krylov iterations with the step held, \(r2.krylovIterations) without")
    }

    /// A non-physical power law on a lattice is refused by the lattice positivity check.
    @Test func refusesANonPhysicalLattice() throws {
        let l = try #require(LatticeCouplings.powerLaw(lattice: .chain(40), alpha: 0.3, strength: 3))
        let model = DipoleModel(
            pump: 2, detunings: Array(repeating: 0, count: 40), f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0), lattice: l)
        do {
            _ = try CumulantBackend().solve(SolveRequest(model: model, observables: [ObservableRequest(kind: .zq)]))
            Issue.record("a non-physical rate matrix was accepted")
        } catch BackendError.unsupported(let why) {
            #expect(why.contains("positive semidefinite"))
        }
    }
}
