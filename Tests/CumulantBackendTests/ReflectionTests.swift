import Foundation
import LinearAlgebra
import NumericalMethods
import Numerics
import Physics
import Results
import TestSupport
import Testing

@testable import CumulantBackend

/// The reflected packed layout (docs/physics.md §5.3.2): one member of each orbit of the lattice's point
/// reflection a ↦ N − 1 − a. Its products, preconditioner, steady states and time evolution against the full layout's on
/// the same reflection-symmetric vectors.
struct ReflectionTests {
    /// The full packed vector with s, C and D made invariant under the reflection (C_ab = C_a'b'; the
    /// pairs that are their own images get Im C = 0).
    static func symmetrized(_ v: [Double], n: Int) -> [Double] {
        let full = PackedLayout(n: n, reflected: false)
        var w = v
        for a in 0..<n { w[a] = 0.5 * (v[a] + v[n - 1 - a]) }
        for b in 0..<n {
            for a in 0..<b {
                let k = full.slot(a, b).index, j = full.slot(n - 1 - b, n - 1 - a).index   // C_a'b' = (C_b'a')*
                w[k] = 0.5 * (v[k] + v[j])
                w[k + 1] = 0.5 * (v[k + 1] - v[j + 1])
                w[k + 2] = 0.5 * (v[k + 2] + v[j + 2])
            }
        }
        return w
    }

    /// The stored members of a full vector.
    static func reduced(_ v: [Double], to layout: PackedLayout) -> [Double] {
        let full = PackedLayout(n: layout.n, reflected: false)
        var r = [Double](repeating: 0, count: layout.count)
        for a in 0..<layout.sCount { r[a] = v[a] }
        for b in 0..<layout.n {
            for a in 0..<layout.pairsInColumn(b) {
                let (k, j) = (layout.columnOffset(b) + 3 * a, full.slot(a, b).index)
                for i in 0..<3 { r[k + i] = v[j + i] }
            }
        }
        return r
    }

    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        (zip(a, b).map { abs($0 - $1) }.max() ?? 0) / max(a.map(abs).max() ?? 0, 1e-300)
    }

    /// Every pair of N dipoles finds its orbit's slot, each slot is found by its orbit's members only (two
    /// pairs, or one that is its own image), and the counts are those of the closed forms.
    @Test(arguments: [2, 3, 7, 8, 12]) func slotsCoverEveryOrbitOnce(n: Int) {
        let layout = PackedLayout(n: n, reflected: true)
        #expect(layout.pairCount == n * n / 4 && layout.count == PackedLayout.count(n: n, reflected: true))
        #expect(layout.sCount == (n + 1) / 2 && layout.xColumns == PackedLayout.xColumns(n: n, reflected: true))
        var hits = [Int: Int]()
        for b in 0..<n {
            for a in 0..<b {
                let (k, conjugate) = layout.slot(a, b)
                #expect(k >= layout.sCount && k + 2 < layout.count && (k - layout.sCount) % 3 == 0)
                let image = layout.slot(n - 1 - b, n - 1 - a)
                #expect(image.index == k && (a + b == n - 1 || image.conjugate != conjugate))
                hits[k, default: 0] += 1
            }
        }
        #expect(hits.count == layout.pairCount)
        let weights = (0..<n).flatMap { b in (0..<layout.pairsInColumn(b)).map { layout.multiplicity($0, b) } }
        #expect(weights.reduce(0, +) == Double(n * (n - 1) / 2))
        for (k, count) in hits {
            let p = (k - layout.sCount) / 3
            let b = (0..<n).last { layout.pairsBefore($0) <= p } ?? 0
            #expect(Double(count) == layout.multiplicity(p - layout.pairsBefore(b), b), "slot \(k)")
        }
        #expect((0..<n).allSatisfy { layout.sIndex($0) == layout.sIndex(n - 1 - $0) && layout.sIndex($0) < layout.sCount })
    }

    static let cases: [(Lattice, String)] = [
        (.chain(230), "power-law"), (.chain(231), "dipolar magic"), (.square(15, 16), "dipolar perpendicular"),
        (.square(15, 15), "power-law"), (.cubic(6, 6, 7), "dipolar magic"), (.chain(301), "dipolar perpendicular")
    ]

    /// On reflection-symmetric vectors the right-hand side, J·v and the preconditioner (cosine form, its
    /// collective correction, complex divisors when elastic) of the reflected layout are the full layout's
    /// stored members, to 1e-12; the products on two threads are bit for bit the one-thread ones (from
    /// N = `concurrentPairsMinimum` the stored pairs' columns are split between the workers: chain of 301).
    @Test(arguments: cases) func productsEqualTheFullLayouts(lattice: Lattice, couplings: String) throws {
        let n = lattice.count
        let (_, model) = latticeModelPair(
            lattice: lattice, couplings: couplings, alpha: 1.5, strength: 0.25, detunings: Array(repeating: 0, count: n))
        let full = CumulantSystem(model: model), half = CumulantSystem(model: model, reflection: true)
        #expect(!full.layout.reflected && half.layout.reflected)
        #expect(half.packedCount == PackedLayout.count(n: n, reflected: true) && half.packedCount < full.packedCount * 51 / 100 + n)
        full.lowRankThreshold = 100
        half.lowRankThreshold = 100
        var rng = SeededRandom(seed: 11)
        func random() -> [Double] {
            var v = (0..<full.packedCount).map { _ in 0.2 * (rng.uniform() - 0.5) }
            for a in 0..<n { v[a] = 0.4 + 0.5 * rng.uniform() }
            return Self.symmetrized(v, n: n)
        }
        let state = random(), direction = random()
        let (stateHalf, directionHalf) = (Self.reduced(state, to: half.layout), Self.reduced(direction, to: half.layout))
        var r1 = [Double](repeating: 0, count: full.packedCount), r2 = [Double](repeating: 0, count: half.packedCount)
        full.rhs(state, into: &r1)
        half.rhs(stateHalf, into: &r2)
        #expect(Self.relativeDifference(Self.reduced(r1, to: half.layout), r2) <= 1e-12, "rhs")
        #expect(abs(full.meanReC(state) - half.meanReC(stateHalf)) <= 1e-14, "mean Re C")
        #expect(full.inversions(state) == half.inversions(stateHalf))
        var (y1, y2) = (full.productScratch(), half.productScratch())
        full.jacobianTimes(state, direction, scratch: &y1, into: &r1)
        half.jacobianTimes(stateHalf, directionHalf, scratch: &y2, into: &r2)
        #expect(Self.relativeDifference(Self.reduced(r1, to: half.layout), r2) <= 1e-12, "J·v")
        var (p1, p2) = (try LyapunovPreconditioner(system: full), try LyapunovPreconditioner(system: half))
        let s = full.inversions(state)
        try p1.update(system: full, s: s, meanC: full.meanReC(state))
        try p2.update(system: half, s: s, meanC: half.meanReC(stateHalf))
        #expect(p2.kind.contains("cosine basis"))
        p1.apply(direction, sigma: 2, into: &r1)
        p2.apply(directionHalf, sigma: 2, into: &r2)
        #expect(Self.relativeDifference(Self.reduced(r1, to: half.layout), r2) <= 1e-12, "preconditioner")
        // Two workers split the stored pairs by count and give the same bits.
        let two = CumulantSystem(model: model, reflection: true)
        two.threads = 2
        two.lowRankThreshold = 100
        var r3 = r2
        two.rhs(stateHalf, into: &r3)
        half.rhs(stateHalf, into: &r2)
        #expect(r3 == r2, "rhs, two threads")
        var y3 = two.productScratch()
        two.jacobianTimes(stateHalf, directionHalf, scratch: &y3, into: &r3)
        half.jacobianTimes(stateHalf, directionHalf, scratch: &y2, into: &r2)
        #expect(r3 == r2, "J·v, two threads")
        var p3 = try LyapunovPreconditioner(system: two)
        try p3.update(system: two, s: s, meanC: two.meanReC(stateHalf))
        p3.apply(directionHalf, sigma: 2, into: &r3)
        p2.apply(directionHalf, sigma: 2, into: &r2)
        #expect(r3 == r2, "preconditioner, two threads")
    }

    /// Steady states: the reflected layout gives the full layout's s, C and D to 1e-10 in as many Krylov
    /// iterations (±2), and the small preconditioner forms refuse it (they read the full layout).
    @Test(arguments: [(Lattice.chain(231), "power-law"), (Lattice.square(16, 16), "dipolar magic")])
    func steadyStatesAgree(lattice: Lattice, couplings: String) throws {
        let n = lattice.count
        let (_, model) = latticeModelPair(
            lattice: lattice, couplings: couplings, alpha: 1.5, strength: 0.25, detunings: Array(repeating: 0, count: n), pump: 5)
        let full = CumulantSystem(model: model), half = CumulantSystem(model: model, reflection: true)
        full.lowRankThreshold = 100
        half.lowRankThreshold = 100
        let solver = CumulantSteadyStateSolver(tolerance: 1e-12)
        let (x1, report1) = try solver.solve(full)
        let (x2, report2) = try solver.solve(half)
        #expect(abs(report1.krylovIterations - report2.krylovIterations) <= 2, "\(report1.krylovIterations) vs \(report2.krylovIterations)")
        var difference = 0.0
        for b in 0..<n {
            difference = max(difference, abs(full.s(x1, b) - half.s(x2, b)))
            for a in 0..<n where a != b {
                difference = max(difference, (full.c(x1, a, b) - half.c(x2, a, b)).length, abs(full.d(x1, a, b) - half.d(x2, a, b)))
            }
        }
        #expect(difference <= 1e-10)
        #expect(full.meanReC(x1) > 1e-4, "correlated")
        let small = CumulantSystem(model: model, reflection: true)
        #expect(throws: BackendError.self) { try LyapunovPreconditioner(system: small) }
        // The backend asked for the layout where this version's rule does not give it (a plan.json of
        // another version or edited): the full layout, no error.
        let request = SolveRequest(
            model: model, lattice: lattice, observables: [.init(kind: .zq)], tolerance: 1e-12, settings: PointSettings(symmetry: .reflection))
        let result = try CumulantBackend().solve(request)
        #expect(!result.method.contains("reflection"))
        #expect(abs((result.number("ZQ") ?? 0) - full.meanReC(x1).squareRoot()) <= 1e-9)
    }

    /// Time evolution from the ground state (a uniform product state, reflection-symmetric like the
    /// equations): the reflected layout's time series — Z_Q, the inversion and the mutual information of a
    /// pair stored through its image (a + b > N − 1) — and final correlations agree with the full
    /// layout's to the integrator's tolerance, and the backend uses it where the planner's rule gives it.
    @Test func timeEvolutionAgrees() throws {
        let lattice = Lattice.chain(451)
        let n = lattice.count
        let (_, model) = latticeModelPair(
            lattice: lattice, couplings: "power-law", alpha: 1.5, strength: 0.25, detunings: Array(repeating: 0, count: n), pump: 5)
        #expect(CumulantBackend.stateSymmetry(n: n, elastic: false, equalDetunings: true, lattice: true) == .reflection)
        func run(_ symmetry: StateSymmetry?) throws -> PointResult {
            try CumulantBackend().solve(
                SolveRequest(
                    model: model, lattice: lattice,
                    observables: [.init(kind: .zq), .init(kind: .inversion), .init(kind: .mutualInformation, pairs: [DipolePair(300, 440)])],
                    evolution: .until(time: 3, samples: 7), settings: PointSettings(symmetry: symmetry)))
        }
        let (full, half) = (try run(nil), try run(.reflection))
        #expect(!full.method.contains("reflection") && half.method.contains("point reflection"), "\(half.method)")
        let (a, b) = (try #require(full.tables.first { $0.name == "timeseries" }), try #require(half.tables.first { $0.name == "timeseries" }))
        #expect(a.columns == b.columns && a.rows.count == 7 && b.rows.count == 7)
        var difference = 0.0
        for (ra, rb) in zip(a.rows, b.rows) { for (x, y) in zip(ra, rb) { difference = max(difference, abs(x - y)) } }
        #expect(difference <= 1e-8, "time series differ by \(difference)")
        #expect((a.rows.last?[1] ?? 0) > 1e-3, "correlations have built up: Z_Q = \(a.rows.last?[1] ?? 0)")
        #expect(abs((full.number("ZQ") ?? 0) - (half.number("ZQ") ?? 1)) <= 1e-8)
    }
}
