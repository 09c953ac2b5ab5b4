import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import Testing
import XCTest

@testable import MeanFieldBackend

/// The collective request of the papers' Fig. 2: f_ab = F/N, g_ab = G/N.
func collectiveRequest(
    n: Int, feff: Double, geff: Double = 0, pump: Double, detunings: [Double]? = nil,
    observables: [ObservableKind] = [.z, .zq, .inversion, .frequency],
    tolerance: Double = 1e-10, seed: UInt64 = 7
) -> SolveRequest {
    SolveRequest(
        model: .collective(n: n, feff: feff, geff: geff, pump: pump, detunings: detunings),
        observables: observables.map { ObservableRequest(kind: $0) }, seed: seed, tolerance: tolerance)
}

final class MeanFieldDynamicTests: XCTestCase {
    /// For a product state the mean-field factorization is exact at that instant, so the right-hand
    /// side must equal Tr(σ⁻_a L[ρ]) and Tr(σᶻ_a L[ρ]) of the full master equation (docs/physics.md §1.1),
    /// built here densely for N = 3 with random f (PSD not needed), g, δ, W and a random product state.
    func testRightHandSideEqualsMasterEquationOnProductStates() throws {
        let n = 3, dim = 8
        var rng = SeededRandom(seed: 11, stream: [1])
        let f = Matrix(square: n) { _, _ in 0 }
        var fm = f, gm = f
        for a in 0..<n {
            fm[a, a] = 1
            for b in (a + 1)..<n {
                let x = rng.uniform() - 0.3, y = 2 * rng.uniform() - 1
                fm[a, b] = x; fm[b, a] = x; gm[a, b] = y; gm[b, a] = y
            }
        }
        let det = (0..<n).map { _ in 2 * rng.uniform() - 1 }
        let w = 0.7
        let model = DipoleModel(pump: w, detunings: det, f: fm, g: gm)
        // Single-dipole states from random Bloch vectors inside the ball.
        var beta: [Complex<Double>] = [], s: [Double] = []
        for _ in 0..<n {
            let th = Double.pi * rng.uniform(), ph = 2 * Double.pi * rng.uniform(), r = 0.9 * rng.uniform() + 0.05
            beta.append(Complex(0.5 * r * sin(th) * cos(ph), -0.5 * r * sin(th) * sin(ph)))
            s.append(r * cos(th))
        }
        // Qubit operators; basis bit 1 = |↓⟩ on that dipole (|↑⟩ = bit 0), dipole a is bit a.
        func sm(_ a: Int) -> ComplexMatrix {   // σ⁻_a = |↓⟩⟨↑|
            var m = ComplexMatrix(rows: dim, cols: dim)
            for i in 0..<dim where (i >> a) & 1 == 0 { m[i | (1 << a), i] = .one }
            return m
        }
        func sz(_ a: Int) -> ComplexMatrix {
            var m = ComplexMatrix(rows: dim, cols: dim)
            for i in 0..<dim { m[i, i] = Complex((i >> a) & 1 == 0 ? 1 : -1) }
            return m
        }
        // ρ_a = ½(1 + s σᶻ) + β* σ⁻ + β σ⁺ (⟨σ⁻⟩ = Tr(σ⁻ρ) = coefficient of σ⁺, i.e. ρ_{↑↓} = β).
        var rho = ComplexMatrix(rows: 1, cols: 1, elements: [.one])
        for a in 0..<n {
            var r1 = ComplexMatrix(rows: 2, cols: 2)   // basis (|↑⟩, |↓⟩) = bit 0, 1
            r1[0, 0] = Complex((1 + s[a]) / 2); r1[1, 1] = Complex((1 - s[a]) / 2)
            r1[0, 1] = beta[a]; r1[1, 0] = beta[a].conjugate
            // kron(r1, rho): dipole a becomes the most significant bit so far, i.e. bit a.
            var k = ComplexMatrix(rows: r1.rows * rho.rows, cols: r1.cols * rho.cols)
            for i in 0..<2 {
                for j in 0..<2 {
                    for p in 0..<rho.rows {
                        for q in 0..<rho.cols {
                            k[i * rho.rows + p, j * rho.cols + q] = r1[i, j] * rho[p, q]
                        }
                    }
                }
            }
            rho = k
        }
        let ops = (0..<n).map(sm)
        var h = ComplexMatrix(rows: dim, cols: dim)
        func add(_ m: inout ComplexMatrix, _ x: ComplexMatrix, _ c: Complex<Double>) {
            for k in m.elements.indices { m.elements[k] = m.elements[k] + c * x.elements[k] }
        }
        for a in 0..<n {
            add(&h, sz(a), Complex(0.5 * det[a]))
            for b in 0..<n where b != a { add(&h, ops[a].adjoint * ops[b], Complex(0.5 * gm[a, b])) }
        }
        let i = Complex<Double>(0, 1)
        var l = ComplexMatrix(rows: dim, cols: dim)
        add(&l, h * rho, -i)
        add(&l, rho * h, i)
        for a in 0..<n {
            for b in 0..<n {
                let spa = ops[a].adjoint, smb = ops[b]
                add(&l, smb * rho * spa, Complex(fm[a, b]))
                let nab: ComplexMatrix = spa * smb
                add(&l, nab * rho, Complex(-0.5 * fm[a, b]))
                add(&l, rho * nab, Complex(-0.5 * fm[a, b]))
            }
        }
        for a in 0..<n {
            let sp = ops[a].adjoint, smn = ops[a]
            add(&l, sp * rho * smn, Complex(w))
            let m: ComplexMatrix = smn * sp
            add(&l, m * rho, Complex(-0.5 * w))
            add(&l, rho * m, Complex(-0.5 * w))
        }
        func trace(_ m: ComplexMatrix) -> Complex<Double> { (0..<dim).reduce(.zero) { $0 + m[$1, $1] } }
        // Sanity: the product state reproduces β and s.
        for a in 0..<n {
            XCTAssertLessThan((trace(ops[a] * rho) - beta[a]).length, 1e-14)
            XCTAssertEqual(trace(sz(a) * rho).real, s[a], accuracy: 1e-14)
        }
        let dyn = MeanFieldDynamics(model: model)
        var y = [Double](repeating: 0, count: 3 * n), dy = y
        for a in 0..<n { y[a] = beta[a].real; y[n + a] = beta[a].imaginary; y[2 * n + a] = s[a] }
        dyn.rhs(y, &dy)
        for a in 0..<n {
            let dBeta = trace(ops[a] * l), dS = trace(sz(a) * l).real
            XCTAssertEqual(dy[a], dBeta.real, accuracy: 1e-13, "Re dβ_\(a)")
            XCTAssertEqual(dy[n + a], dBeta.imaginary, accuracy: 1e-13, "Im dβ_\(a)")
            XCTAssertEqual(dy[2 * n + a], dS, accuracy: 1e-13, "ds_\(a)")
        }
    }

    /// A single dipole: β(t) = β₀ e^{−(iδ + Q/2)t}, s(t) = P/Q + (s₀ − P/Q) e^{−Qt}; ⟨σ⁺⟩ turns at +δ.
    func testSingleDipoleRelaxesAndPrecessesAsInClosedForm() throws {
        let (delta, w, th, ph, t) = (0.8, 0.4, 1.1, 0.3, 2.5)
        let model = DipoleModel(pump: w, detunings: [delta], f: Matrix([[1]]), g: Matrix([[0]]))
        let req = SolveRequest(
            model: model, observables: [ObservableRequest(kind: .phases), ObservableRequest(kind: .frequency)],
            initial: .product(polar: th, azimuth: ph), evolution: .until(time: t, samples: 3),
            tolerance: 1e-11)
        let r = try MeanFieldBackend().solve(req)
        let phases = try XCTUnwrap(r.tables.first { $0.name == "phases" })
        let row = phases.rows[0]
        let (q, p) = (1 + w, w - 1)
        XCTAssertEqual(row[4], 0.5 * sin(th) * exp(-q * t / 2), accuracy: 1e-9)   // S⊥
        let phi = remainder(ph + delta * t, 2 * Double.pi)
        XCTAssertEqual(row[5], phi, accuracy: 1e-9)   // φ
        XCTAssertEqual(row[6], p / q + (cos(th) - p / q) * exp(-q * t), accuracy: 1e-9)   // s
        XCTAssertEqual(try XCTUnwrap(r.number("frequency")), delta, accuracy: 1e-9)
        let series = try XCTUnwrap(r.tables.first { $0.name == "timeseries" })
        XCTAssertEqual(series.columns, ["t", "frequency"])
        XCTAssertEqual(series.rows.map { $0[0] }, [0, t / 2, t])
    }

    /// Papers' Fig. 2a: Z > 0 exactly where F P > Q² (points within 3 % of the boundary excluded).
    func testPhaseBoundaryOfFigure2a() throws {
        let n = 100
        for feff in [5.0, 9.0, 14.0, 25.0] {
            for w in [1.5, 3.0, 5.0, 8.0, 12.0, 18.0] {
                let (q, p) = (1 + w, w - 1)
                let f = feff * Double(n - 1) / Double(n)
                let margin = (f * p - q * q) / (q * q)
                if abs(margin) < 0.03 { continue }
                let r = try MeanFieldBackend().solve(collectiveRequest(n: n, feff: feff, pump: w, observables: [.z]))
                let z = try XCTUnwrap(r.number("Z"))
                if margin > 0 { XCTAssertGreaterThan(z, 1e-3, "F = \(feff), W = \(w)") } else { XCTAssertLessThan(z, 1e-6, "F = \(feff), W = \(w)") }
            }
        }
    }

    /// Lorentzian disorder (deterministic quantiles, N = 400): the dynamic Z approaches the closed
    /// form; the finite sample and the self term of the field differ from it at O(1/N)·(few).
    func testDynamicWithLorentzianDisorderMatchesClosedForm() throws {
        let n = 400
        for (feff, w, d) in [(20.0, 9.0, 1.0), (15.0, 6.0, 0.5)] {
            let det = DetuningDistribution.lorentzian(hwhm: d).quantiles(count: n)
            let r = try MeanFieldBackend().solve(
                collectiveRequest(
                    n: n, feff: feff, pump: w, detunings: det,
                    observables: [.z, .frequency], tolerance: 1e-7))
            let z = MeanFieldClosedForm.lorentzianZ(feff: feff * Double(n - 1) / Double(n), pump: w, hwhm: d)
            XCTAssertEqual(try XCTUnwrap(r.number("Z")), z, accuracy: 3e-3 * z, "F = \(feff), W = \(w), Δ = \(d)")
            XCTAssertEqual(try XCTUnwrap(r.number("frequency")), 0, accuracy: 1e-6)
        }
    }

    /// Gaussian disorder with elastic couplings: dynamic (quantiles, N = 1500) against the
    /// self-consistency equations, Z and ω.
    func testDynamicWithGaussianDisorderAndElasticCouplingsMatchesSelfConsistency() throws {
        let n = 600
        let (feff, geff, w, sigma) = (18.0, 5.0, 8.0, 1.2)
        let det = DetuningDistribution.gaussian(sigma: sigma).quantiles(count: n)
        let r = try MeanFieldBackend().solve(
            collectiveRequest(
                n: n, feff: feff, geff: geff, pump: w, detunings: det,
                observables: [.z, .frequency, .inversion], tolerance: 1e-7))
        let f = feff * Double(n - 1) / Double(n), g = geff * Double(n - 1) / Double(n)
        let sc = try MeanFieldClosedForm.selfConsistent(feff: f, geff: g, pump: w, distribution: .gaussian(sigma: sigma))
        XCTAssertGreaterThan(sc.z, 0.1)
        XCTAssertEqual(try XCTUnwrap(r.number("Z")), sc.z, accuracy: 2e-3 * sc.z)
        XCTAssertEqual(try XCTUnwrap(r.number("frequency")), try XCTUnwrap(sc.frequency), accuracy: 5e-3)
        XCTAssertEqual(try XCTUnwrap(r.number("inversion")), sc.inversion, accuracy: 2e-3)
    }

    /// The optimum Z → 1/√8 at W = F/2 for F ≫ Γ, never above it.
    func testOrderParameterBoundApproachedAtOptimalPump() throws {
        let r = try MeanFieldBackend().solve(
            collectiveRequest(
                n: 50, feff: 400, pump: 200, observables: [.z, .inversion],
                tolerance: 1e-9))
        let z = try XCTUnwrap(r.number("Z"))
        XCTAssertLessThanOrEqual(z, 1 / 8.0.squareRoot())
        XCTAssertEqual(z, 1 / 8.0.squareRoot(), accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(r.number("inversion")), 0.25, accuracy: 0.01)
    }

    /// Initial product state: β = ½ sin θ e^{−iφ}, s = cos θ, so Z = ½ sin θ for a common azimuth
    /// and the phases table shows φ.
    func testProductInitialStateMapsBlochAngles() throws {
        let model = DipoleModel.collective(n: 5, feff: 3, pump: 1)
        let req = SolveRequest(
            model: model, observables: [.z, .inversion, .phases].map { ObservableRequest(kind: $0) },
            initial: .product(polar: 0.7, azimuth: -2.0), evolution: .until(time: 0, samples: 1))
        let r = try MeanFieldBackend().solve(req)
        XCTAssertEqual(try XCTUnwrap(r.number("Z")), 0.5 * sin(0.7), accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(r.number("inversion")), 0.5 * cos(0.7), accuracy: 1e-15)
        let rows = try XCTUnwrap(r.tables.first { $0.name == "phases" }).rows
        for row in rows { XCTAssertEqual(row[5], -2.0, accuracy: 1e-14) }
        // Random azimuths: |mean β| < ½ sin θ, and different point indices draw different phases.
        var q = req; q.initial = .product(polar: 0.7, azimuth: nil)
        let z1 = try XCTUnwrap(MeanFieldBackend().solve(q).number("Z"))
        q.pointIndex = 1
        let z2 = try XCTUnwrap(MeanFieldBackend().solve(q).number("Z"))
        XCTAssertLessThan(z1, 0.5 * sin(0.7))
        XCTAssertNotEqual(z1, z2)
    }

    /// A dipolar chain (non-uniform couplings, elastic terms, detunings) gives bit-identical results
    /// with one and two BLAS threads.
    func testResultsDoNotDependOnThreadCount() throws {
        let n = 300
        let pos = Lattice.chain(n).unitPositions.map { $0 * 0.08 }
        let magic = acos(1 / 3.0.squareRoot())
        let c = Couplings.dipolar(positions: pos, orientation: SIMD3(cos(magic), 0, sin(magic)))
        var rng = SeededRandom(seed: 3, stream: [9])
        let det = DetuningDistribution.uniform(width: 0.5).sample(count: n, using: &rng)
        let model = DipoleModel(pump: 10, detunings: det, f: c.f, g: c.g, positions: pos)
        let req = SolveRequest(
            model: model, lattice: .chain(n),
            observables: [.z, .zq, .inversion, .phases].map { ObservableRequest(kind: $0) },
            evolution: .until(time: 5, samples: 11), seed: 5, tolerance: 1e-8)
        let before = BLASLibrary.threads
        defer { BLASLibrary.setThreads(before) }
        BLASLibrary.setThreads(1)
        let one = try MeanFieldBackend().solve(req)
        BLASLibrary.setThreads(2)
        let two = try MeanFieldBackend().solve(req)
        XCTAssertEqual(one, two)
        XCTAssertGreaterThan(try XCTUnwrap(one.number("Z")), 0)
    }

    func testTimeseriesStartsAtTheInitialState() throws {
        var req = collectiveRequest(n: 20, feff: 15, pump: 7.5, observables: [.zq, .inversion])
        req.evolution = .until(time: 10, samples: 5)
        let r = try MeanFieldBackend().solve(req)
        let t = try XCTUnwrap(r.tables.first { $0.name == "timeseries" })
        XCTAssertEqual(t.columns, ["t", "ZQ", "ZQ2", "inversion"])
        XCTAssertEqual(t.rows.count, 5)
        XCTAssertEqual(t.rows[0][3], -0.5, accuracy: 1e-5)   // ground state, perturbed by |β| = 1e-3
        XCTAssertEqual(t.rows[4][3], try XCTUnwrap(r.number("inversion")))
    }

    func testErrorsAreThrownNotTrapped() throws {
        // Unsupported observable.
        XCTAssertThrowsError(try MeanFieldBackend().solve(collectiveRequest(n: 4, feff: 3, pump: 1, observables: [.qfi])))
        // A closed form for a non-uniform model.
        let c = Couplings.dipolar(positions: Lattice.chain(4).unitPositions.map { $0 * 0.1 }, orientation: SIMD3(0, 0, 1))
        let m = DipoleModel(pump: 2, detunings: [0, 0, 0, 0], f: c.f, g: c.g)
        XCTAssertThrowsError(
            try MeanFieldBackend(method: .closedForm(.none))
                .solve(SolveRequest(model: m, observables: [ObservableRequest(kind: .z)])))
        // No convergence within a too short time.
        XCTAssertThrowsError(try MeanFieldBackend(maxTime: 0.5).solve(collectiveRequest(n: 10, feff: 15, pump: 7.5))) {
            guard case BackendError.noConvergence = $0 else { return XCTFail("\($0)") }
        }
    }

    /// The correlation table is held as β and the populations (`ResultTable.Storage.pairProducts`, 24 N
    /// bytes): 1 000 dipoles need no 10⁶-row array, and the rows it generates are, bit for bit, those of
    /// ⟨σ⁺_a σ⁻_b⟩ = β_a* β_b (diagonal (1 + s_a)/2) written row by row, a-major, as before.
    func testCorrelationTableIsHeldAsItsFactors() throws {
        let n = 1000
        let r = try MeanFieldBackend().solve(collectiveRequest(n: n, feff: 15, pump: 7.5, observables: [.correlations, .phases]))
        let t = try XCTUnwrap(r.tables.first { $0.name == "correlations" })
        guard case .pairProducts(let re, let im, let populations) = t.storage else { return XCTFail("held as rows") }
        XCTAssertEqual(t.rowCount, n * n)
        XCTAssertEqual(re.count, n)
        var reference = PointResult()
        ObservableWriter.correlations(
            count: n, correlation: { a, b in a == b ? Complex(populations[a]) : Complex(re[a], im[a]).conjugate * Complex(re[b], im[b]) },
            into: &reference)
        XCTAssertEqual(reference.tables[0], t)
        XCTAssertEqual(reference.tables[0].rows.flatMap { $0 }.map(\.bitPattern), t.rows.flatMap { $0 }.map(\.bitPattern))
        XCTAssertEqual(TableFile.npy(reference.tables[0]), TableFile.npy(t))
        // The populations are the phases table's s: (1 + s)/2.
        let phases = try XCTUnwrap(r.tables.first { $0.name == "phases" })
        let s = try XCTUnwrap(phases.columns.firstIndex(of: "s"))
        for a in [0, 17, n - 1] { XCTAssertEqual(populations[a], (1 + phases.rows[a][s]) / 2, accuracy: 1e-15) }
    }

    /// correlations and cluster-ZQ come from ⟨σ⁺_aσ⁻_b⟩ = β_a* β_b: in the synchronized collective
    /// state every pair has Z², the diagonal (1 + s)/2.
    func testCorrelationTableAndClustersInSynchronizedState() throws {
        var req = collectiveRequest(n: 12, feff: 15, pump: 7.5, observables: [.correlations, .inversion])
        req.observables.append(ObservableRequest(kind: .clusterZQ, clusterSizes: [2, 4, 40]))
        let r = try MeanFieldBackend().solve(req)
        let f = 15.0 * 11 / 12
        let z = MeanFieldClosedForm.collectiveZ(feff: f, pump: 7.5)
        let t = try XCTUnwrap(r.tables.first { $0.name == "correlations" })
        XCTAssertEqual(t.rows.count, 144)
        for row in t.rows {
            if row[0] == row[1] {
                XCTAssertEqual(row[2], (1 + 2 * (try XCTUnwrap(r.number("inversion")))) / 2, accuracy: 1e-12)
            } else {
                XCTAssertEqual(row[2], z * z, accuracy: 1e-7); XCTAssertEqual(row[3], 0, accuracy: 1e-7)
            }
        }
        guard case .array(let items)? = r["cluster-ZQ"] else { return XCTFail("no cluster-ZQ") }
        XCTAssertEqual(items.count, 2)   // central c = 6: d = 2, 4 fit in 12 sites, 40 does not
        for item in items {
            guard case .object(let kv) = item, let zq = kv.first(where: { $0.0 == "ZQ" })?.1.number else { return XCTFail() }
            XCTAssertEqual(zq, z, accuracy: 1e-7)
        }
        XCTAssertEqual(r.diagnostics.first { $0.key == "cluster-ZQ-skipped" }?.value, .array([.number(40)]))
    }
}

/// Dynamic steady states of the collective model agree with the closed form (docs/physics.md §4.2) to the
/// integration tolerance when F is the coupling sum one dipole sees, F(N−1)/N, both in the synchronized and
/// the unsynchronized phase, and ω = −G Q/(2F) with elastic couplings; one test per grid point.
@Suite struct MeanFieldCollectiveGridTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let feff, geff, w: Double
        var testDescription: String { "F = \(feff), G = \(geff), W = \(w)" }
    }

    static let cases: [Case] = [
        Case(feff: 15, geff: 0, w: 7.5), Case(feff: 15, geff: 4, w: 4), Case(feff: 15, geff: -3, w: 11),
        Case(feff: 30, geff: 0, w: 3), Case(feff: 30, geff: 10, w: 20), Case(feff: 10, geff: 0, w: 2),
        Case(feff: 10, geff: 2, w: 9), Case(feff: 6, geff: 0, w: 3), Case(feff: 40, geff: -5, w: 1.5)
    ]

    @Test(arguments: cases) func dynamicMatchesCollectiveClosedForm(_ c: Case) throws {
        let n = 200
        let r = try MeanFieldBackend().solve(collectiveRequest(n: n, feff: c.feff, geff: c.geff, pump: c.w))
        let f = c.feff * Double(n - 1) / Double(n), g = c.geff * Double(n - 1) / Double(n)
        let z = MeanFieldClosedForm.collectiveZ(feff: f, pump: c.w)
        #expect(isClose(try #require(r.number("Z")), z, within: 1e-7))
        #expect(isClose(try #require(r.number("ZQ")), z, within: 1e-6))
        #expect(isClose(try #require(r.number("inversion")), MeanFieldClosedForm.inversion(feff: f, pump: c.w, z: z), within: 1e-7))
        if z > 0 {
            #expect(
                isClose(
                    try #require(r.number("frequency")), MeanFieldClosedForm.collectiveFrequency(feff: f, geff: g, pump: c.w),
                    within: 1e-7))
        }
    }
}

/// The dynamic method reports how its integration is getting on (`SolverProgress`): a note at the first
/// step and at most one a second after it, with the time reached (steady state: and the residual against
/// ε; a time evolution: against the end time); and the notes do not change the result.
final class MeanFieldProgressTests: XCTestCase {
    func testDynamicMethodNotesItsProgress() throws {
        var request = collectiveRequest(n: 40, feff: 15, pump: 7.5)
        let silent = try MeanFieldBackend().solve(request)
        let steady = CollectedLines()
        request.progress = SolverProgress(steady.append)
        let reported = try MeanFieldBackend().solve(request)
        XCTAssertEqual(reported.number("Z"), silent.number("Z"))
        XCTAssertFalse(steady.all.isEmpty)
        XCTAssertTrue(steady.all.allSatisfy { $0.hasPrefix("mean-field dynamics: t = ") && $0.contains("stationary below ε") }, "\(steady.all)")
        let evolving = CollectedLines()
        request.evolution = .until(time: 5, samples: 11)
        request.progress = SolverProgress(evolving.append)
        _ = try MeanFieldBackend().solve(request)
        XCTAssertFalse(evolving.all.isEmpty)
        XCTAssertTrue(evolving.all.allSatisfy { $0.contains("/Γ of 5/Γ") }, "\(evolving.all)")
    }
}
