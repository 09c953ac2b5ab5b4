import Foundation
import LinearAlgebra
import TestSupport
import Testing

@testable import Physics

/// The lattice representation (FFT products on circulant embeddings, docs/physics.md §2.6) against the
/// dense matrices of `Couplings` built from the same positions.
struct LatticeCouplingsTests {
    struct Case: CustomStringConvertible, Sendable {
        var lattice: Lattice
        var kind: String
        var description: String { "\(lattice) \(kind)" }

        /// Magic angle in the x–z plane, perpendicular: along z (⊥ to every lattice but the cubic's z axis).
        var orientation: SIMD3<Double> {
            let theta = acos(1 / 3.0.squareRoot())
            return kind.hasSuffix("magic") ? SIMD3(cos(theta), 0, sin(theta)) : SIMD3(0, 0, 1)
        }

        func build() -> (lattice: LatticeCouplings, dense: Couplings) {
            let spacing = 0.13
            switch kind {
            case "power-law":
                let l = LatticeCouplings.powerLaw(lattice: lattice, alpha: 1.7, strength: 0.2)!
                return (l, Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: 1.7, strength: 0.2))
            default:
                let elastic = !kind.hasPrefix("dissipative")
                let l = LatticeCouplings.dipolar(lattice: lattice, spacing: spacing, orientation: orientation, elastic: elastic)!
                let d = Couplings.dipolar(
                    positions: lattice.unitPositions.map { $0 * spacing }, orientation: orientation, elastic: elastic)
                return (l, d)
            }
        }
    }

    static let cases: [Case] = [Lattice.chain(1), .chain(2), .chain(9), .chain(16), .square(5, 4), .square(6, 6), .cubic(3, 4, 3)]
        .flatMap { l in ["dipolar magic", "dipolar perpendicular", "dissipative magic", "power-law"].map { Case(lattice: l, kind: $0) } }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(b.map(abs).max() ?? 0, 1e-300)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// f and g, their products with a complex block, f_eff, g_eff and the rate scale agree with the
    /// dense matrices to 1e-12 (relative).
    @Test(arguments: cases) func agreesWithDenseMatrices(_ c: Case) throws {
        let (l, d) = c.build()
        let n = c.lattice.count
        #expect(l.count == n)
        let back = l.dense()
        #expect(Self.relativeError(back.f.elements, d.f.elements) < 1e-12)
        #expect(Self.relativeError(back.g.elements, d.g.elements) < 1e-12 || d.g.elements.allSatisfy { $0 == 0 })
        #expect(back.g.elements.allSatisfy { abs($0) < 1e-12 } == d.g.elements.allSatisfy { $0 == 0 } || n == 1)
        // A block of three complex vectors: (f + i g) X without the diagonal, against dgemm.
        let k = 3
        let xr = Matrix(rows: n, cols: k, elements: (0..<(n * k)).map { sin(Double($0) * 1.3) })
        let xi = Matrix(rows: n, cols: k, elements: (0..<(n * k)).map { cos(Double($0) * 0.7) })
        let (yr, yi) = LatticeProduct(l).apply(real: xr, imaginary: xi)
        var f0 = d.f
        for a in 0..<n { f0[a, a] = 0 }
        var er = Matrix(rows: n, cols: k), ei = er
        Matrix.gemm(f0, xr, into: &er)
        Matrix.gemm(d.g, xi, alpha: -1, beta: 1, into: &er)
        Matrix.gemm(f0, xi, into: &ei)
        Matrix.gemm(d.g, xr, alpha: 1, beta: 1, into: &ei)
        if n > 1 {
            #expect(Self.relativeError(yr.elements, er.elements) < 1e-12)
            #expect(Self.relativeError(yi.elements, ei.elements) < 1e-12)
        }
        #expect(abs(l.feff - Couplings.effective(d.f)) <= 1e-12 * max(1, abs(l.feff)))
        #expect(abs(l.geff - Couplings.effective(d.g)) <= 1e-12 * max(1, abs(l.geff)))
        var rows = [Double](repeating: 0, count: n)
        for a in 0..<n { for b in 0..<n where a != b { rows[a] += (d.f[a, b] * d.f[a, b] + d.g[a, b] * d.g[a, b]).squareRoot() } }
        #expect(abs(l.couplingScale - (rows.max() ?? 0)) <= 1e-12 * max(1, l.couplingScale))
    }

    /// `CouplingOperator` in its three representations: uniform (all-to-all, N = 7, 8) and lattice
    /// (cases above) against dense matrices of the same couplings — products (single vectors and
    /// blocks, with and without the diagonal), f_eff, g_eff, the diagonals and the smallest eigenvalue.
    @Test(arguments: [7, 8]) func uniformOperatorAgreesWithDense(_ n: Int) throws {
        let dense = DipoleModel.collective(n: n, feff: 5.5, geff: -1.25, pump: 1)
        let free = DipoleModel(
            pump: 1, detunings: dense.detunings, f: Matrix(rows: 0, cols: 0), g: Matrix(rows: 0, cols: 0),
            uniform: UniformCouplings(feff: 5.5, geff: -1.25))
        try Self.expectAgreement(CouplingOperator(free), CouplingOperator(dense), expected: .uniform)
    }

    @Test(arguments: cases.filter { $0.lattice.count > 1 }) func latticeOperatorAgreesWithDense(_ c: Case) throws {
        let (l, d) = c.build()
        let n = c.lattice.count
        let zero = Matrix(rows: 0, cols: 0)
        let det = [Double](repeating: 0, count: n)
        let lm = DipoleModel(pump: 1, detunings: det, f: zero, g: zero, lattice: l)
        let dm = DipoleModel(pump: 1, detunings: det, f: d.f, g: d.g)
        try Self.expectAgreement(CouplingOperator(lm), CouplingOperator(dm), expected: .lattice)
    }

    static func expectAgreement(_ op: CouplingOperator, _ dense: CouplingOperator, expected: CouplingRepresentation) throws {
        #expect(op.representation == expected && dense.representation == .dense)
        let n = op.count
        let xr = Matrix(rows: n, cols: 2, elements: (0..<(2 * n)).map { sin(Double($0) * 0.9 + 0.2) })
        let xi = Matrix(rows: n, cols: 2, elements: (0..<(2 * n)).map { cos(Double($0) * 1.7) })
        for off in [false, true] {
            let (ar, ai) = op.apply(real: xr, imaginary: xi, offDiagonal: off)
            let (br, bi) = dense.apply(real: xr, imaginary: xi, offDiagonal: off)
            #expect(relativeError(ar.elements, br.elements) < 1e-12)
            #expect(relativeError(ai.elements, bi.elements) < 1e-12)
        }
        #expect(abs(op.effective.f - dense.effective.f) <= 1e-12 * max(1, abs(dense.effective.f)))
        #expect(abs(op.effective.g - dense.effective.g) <= 1e-12 * max(1, abs(dense.effective.g)))
        #expect(op.diagonal.f == dense.diagonal.f)
        #expect(op.diagonal.g.allSatisfy { $0 == 0 } && dense.diagonal.g.allSatisfy { $0 == 0 })
        let exact = try dense.smallestRateEigenvalue()
        let fromOperator = try op.smallestRateEigenvalue()
        if expected == .uniform {
            #expect(abs(fromOperator - exact) < 1e-12)
        } else {
            // The lattice check is a bound or a Ritz value: the same verdict as LAPACK.
            #expect((fromOperator < -1e-9) == (exact < -1e-9))
        }
    }

    /// The circulant bound lies below LAPACK's smallest eigenvalue of f, and the Lanczos iteration
    /// on the FFT product finds it.
    @Test(arguments: cases.filter { $0.lattice.count >= 9 }) func smallestEigenvalueMatchesLAPACK(_ c: Case) throws {
        let (l, d) = c.build()
        let exact = try Couplings.smallestRateEigenvalue(d.f)
        #expect(l.circulantLowerBound <= exact + 1e-12)
        let lanczos = try l.lanczosSmallestEigenvalue(steps: 300)
        #expect(abs(lanczos.value - exact) < 1e-9, "Lanczos \(lanczos.value), LAPACK \(exact)")
    }

    /// The smallest eigenvalue of f on a few hundred sites (chains and a square lattice, physical and
    /// not), where the bottom of the spectrum is a dense cluster: the restarted Lanczos iteration on the
    /// FFT product matches LAPACK to 1e-9 (relative to the spectrum's scale), from above, and the
    /// Lindblad check gives LAPACK's verdict.
    @Test(arguments: [(Lattice.chain(600), 0.8, 0.55), (.chain(401), 1.5, 0.3), (.square(20, 22), 3.0, 0.05), (.chain(500), 0.5, 1.0)])
    func smallestEigenvalueOnLargerLattices(_ lattice: Lattice, _ alpha: Double, _ strength: Double) throws {
        try Self.expectLanczosMatchesLAPACK(lattice, alpha, strength)
    }

    /// The same on 1000 to 2000 sites (LAPACK on a 2000 × 2000 matrix and the iteration: tens of
    /// seconds).
    @Test(
        .tags(.slow),
        arguments: [(Lattice.chain(2000), 0.8, 0.55), (.chain(1001), 1.5, 0.3), (.square(40, 45), 3.0, 0.05), (.chain(1500), 0.5, 1.0)])
    func smallestEigenvalueOnLatticesOfThousands(_ lattice: Lattice, _ alpha: Double, _ strength: Double) throws {
        try Self.expectLanczosMatchesLAPACK(lattice, alpha, strength)
    }

    static func expectLanczosMatchesLAPACK(_ lattice: Lattice, _ alpha: Double, _ strength: Double) throws {
        let l = LatticeCouplings.powerLaw(lattice: lattice, alpha: alpha, strength: strength)!
        let d = Couplings.powerLaw(positions: lattice.unitPositions, spacing: 1, alpha: alpha, strength: strength)
        let all = try symmetricEigenvalues(d.f)
        let exact = all[0]
        let scale = max(abs(all[0]), abs(all[all.count - 1]))
        let check = try l.smallestRateEigenvalue(tolerance: PlannerThresholds.rateMatrixTolerance)
        // Both sides of the Lindblad check agree with LAPACK's verdict, and its value is the bound it
        // claims to be: the circulant bound lies below λ_min (interlacing, docs/physics.md §2.6), a Ritz
        // value above it.
        #expect((check < -PlannerThresholds.rateMatrixTolerance) == (exact < -PlannerThresholds.rateMatrixTolerance))
        #expect(l.circulantLowerBound <= exact + 1e-12 * scale)
        if check == l.circulantLowerBound {
            #expect(check >= -PlannerThresholds.rateMatrixTolerance)
        } else {
            #expect(check >= exact - 1e-12 * scale)
        }
        // 300 vectors, restarted: a single cycle stops ~1e-4 above (the cluster at the bottom).
        let lanczos = try l.lanczosSmallestEigenvalue(steps: 300)
        #expect(lanczos.value >= exact - 1e-12 * scale)
        #expect(abs(lanczos.value - exact) < 1e-9 * scale, "Lanczos \(lanczos.value), LAPACK \(exact), \(lanczos.steps) products")
    }

    /// The dense check beyond LAPACK's range (`Couplings.smallestRateEigenvalue(_:tolerance:)`) on a
    /// 600-site triangular lattice, where LAPACK still answers: a short-range law passes by Gershgorin's
    /// bound (below λ_min, above −tolerance); long-range laws go to Lanczos, whose Ritz value lies above
    /// λ_min, within 1e-6 of the spectrum's scale, and gives LAPACK's verdict.
    @Test(arguments: [(6.0, 0.1), (0.5, 1.0), (1.5, 0.3), (3.0, 0.5)])
    func denseCheckBeyondLAPACK(_ alpha: Double, _ strength: Double) throws {
        let positions = Lattice.triangular(30, 20).unitPositions
        let f = Couplings.powerLaw(positions: positions, spacing: 1, alpha: alpha, strength: strength).f
        let all = try symmetricEigenvalues(f)
        let (exact, scale) = (all[0], max(abs(all[0]), abs(all[all.count - 1])))
        let tolerance = PlannerThresholds.rateMatrixTolerance
        let check = try Couplings.smallestRateEigenvalue(f, tolerance: tolerance)
        #expect((check < -tolerance) == (exact < -tolerance), "check \(check), LAPACK \(exact)")
        let n = positions.count
        let gershgorin = (0..<n).map { a in f[a, a] - (0..<n).reduce(0) { $1 == a ? $0 : $0 + abs(f[a, $1]) } }.min() ?? 0
        #expect((gershgorin >= -tolerance) == (alpha == 6), "only the short-range law passes by the bound")
        if gershgorin >= -tolerance {
            #expect(abs(check - gershgorin) <= 1e-12 * scale && check <= exact + 1e-12 * scale)
        } else {
            #expect(check >= exact - 1e-12 * scale)
            #expect(check - exact < 1e-6 * scale || check < -tolerance, "Lanczos \(check), LAPACK \(exact)")
        }
    }

    /// A power law with α = 0.5 and A = 1 on a 10⁵-site chain: its Fourier sum at k = π is
    /// Γ − 2A η(½) ≈ 1 − 2 × 0.605 < 0 (η the Dirichlet eta function), so f is not positive
    /// semidefinite; the check says so without any N × N matrix.
    @Test func rejectsNonPhysicalPowerLawOnLargeChain() throws {
        let l = LatticeCouplings.powerLaw(lattice: .chain(100_000), alpha: 0.5, strength: 1)!
        #expect(l.circulantLowerBound < 0)
        let lam = try l.smallestRateEigenvalue(tolerance: PlannerThresholds.rateMatrixTolerance)
        #expect(lam < -0.1)
        // A physical one (dipolar at the magic angle, ⁸⁷Sr spacing) passes.
        let theta = acos(1 / 3.0.squareRoot())
        let ok = LatticeCouplings.dipolar(lattice: .chain(100_000), spacing: 0.077, orientation: SIMD3(cos(theta), 0, sin(theta)))!
        #expect(try ok.smallestRateEigenvalue(tolerance: PlannerThresholds.rateMatrixTolerance) >= -PlannerThresholds.rateMatrixTolerance)
    }
}
